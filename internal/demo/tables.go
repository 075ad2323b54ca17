package demo

// The tables the generator draws from. Everything here is fictional or
// reserved for fiction: phone numbers NXX-555-0100…0199 (reserved for
// fictional use in every area code), e-mail at example.com and URLs under
// example.com (RFC 2606), IP addresses in the documentation ranges
// (RFC 5737), made-up platform names.

// Indicators are the indicator taxonomy ids the demo reports use, one for each
// red flag listed in the domain spec. They stand in for the taxonomy file a
// later issue brings; when it arrives, replace this slice with its ids (a
// narrative sentence is written only for the ids indicatorSentences knows).
var Indicators = []string{
	"runs_away_frequently",
	"cash_cards_hotel_keys",
	"multiple_phones",
	"new_expensive_items",
	"older_partner",
	"id_held_by_other",
	"coached_speech",
	"branding_tattoo",
	"living_in_motel",
	"unfamiliar_with_area",
	"references_the_life",
	"signs_of_abuse",
	"online_ads",
}

// jurisdiction is one of the 52 reporting jurisdictions with what the
// generator needs: a weight (approximate 2020 census population, thousands,
// used only to weight draws), real area codes (the numbers drawn in them are
// all 555-01xx) and a few cities.
type jurisdiction struct {
	code   string
	pop    int
	areas  []string
	cities []string
}

// jurisdictions is in the order of geo.ReportingJurisdictions() (by postal
// code); a test checks that the two agree.
var jurisdictions = []jurisdiction{
	{"AK", 733, []string{"907"}, []string{"Anchorage", "Fairbanks"}},
	{"AL", 5024, []string{"205", "334"}, []string{"Birmingham", "Montgomery", "Mobile"}},
	{"AR", 3012, []string{"501", "479"}, []string{"Little Rock", "Fayetteville"}},
	{"AZ", 7152, []string{"602", "520"}, []string{"Phoenix", "Tucson", "Mesa"}},
	{"CA", 39538, []string{"213", "415", "619", "916"}, []string{"Los Angeles", "San Diego", "Sacramento", "Oakland", "Fresno"}},
	{"CO", 5774, []string{"303", "719"}, []string{"Denver", "Colorado Springs", "Aurora"}},
	{"CT", 3606, []string{"203", "860"}, []string{"Hartford", "Bridgeport", "New Haven"}},
	{"DC", 690, []string{"202"}, []string{"Washington"}},
	{"DE", 990, []string{"302"}, []string{"Wilmington", "Dover"}},
	{"FL", 21538, []string{"305", "407", "813", "904"}, []string{"Miami", "Orlando", "Tampa", "Jacksonville"}},
	{"GA", 10712, []string{"404", "912", "706"}, []string{"Atlanta", "Savannah", "Augusta"}},
	{"HI", 1455, []string{"808"}, []string{"Honolulu", "Hilo"}},
	{"IA", 3190, []string{"515", "319"}, []string{"Des Moines", "Cedar Rapids"}},
	{"ID", 1839, []string{"208"}, []string{"Boise", "Idaho Falls"}},
	{"IL", 12813, []string{"312", "773", "217"}, []string{"Chicago", "Springfield", "Rockford"}},
	{"IN", 6786, []string{"317", "219"}, []string{"Indianapolis", "Fort Wayne", "Gary"}},
	{"KS", 2938, []string{"316", "785"}, []string{"Wichita", "Topeka", "Kansas City"}},
	{"KY", 4506, []string{"502", "859"}, []string{"Louisville", "Lexington"}},
	{"LA", 4658, []string{"504", "225"}, []string{"New Orleans", "Baton Rouge", "Shreveport"}},
	{"MA", 7030, []string{"617", "508"}, []string{"Boston", "Worcester", "Springfield"}},
	{"MD", 6177, []string{"410", "301"}, []string{"Baltimore", "Annapolis", "Silver Spring"}},
	{"ME", 1362, []string{"207"}, []string{"Portland", "Bangor"}},
	{"MI", 10077, []string{"313", "616", "517"}, []string{"Detroit", "Grand Rapids", "Lansing"}},
	{"MN", 5706, []string{"612", "651"}, []string{"Minneapolis", "Saint Paul", "Duluth"}},
	{"MO", 6155, []string{"314", "816"}, []string{"St. Louis", "Kansas City", "Springfield"}},
	{"MS", 2961, []string{"601", "228"}, []string{"Jackson", "Gulfport"}},
	{"MT", 1084, []string{"406"}, []string{"Billings", "Missoula"}},
	{"NC", 10439, []string{"704", "919", "336"}, []string{"Charlotte", "Raleigh", "Greensboro"}},
	{"ND", 779, []string{"701"}, []string{"Fargo", "Bismarck"}},
	{"NE", 1962, []string{"402"}, []string{"Omaha", "Lincoln"}},
	{"NH", 1378, []string{"603"}, []string{"Manchester", "Concord"}},
	{"NJ", 9289, []string{"201", "609", "973"}, []string{"Newark", "Jersey City", "Trenton"}},
	{"NM", 2118, []string{"505", "575"}, []string{"Albuquerque", "Las Cruces"}},
	{"NV", 3105, []string{"702", "775"}, []string{"Las Vegas", "Reno"}},
	{"NY", 20201, []string{"212", "718", "716", "518"}, []string{"New York", "Buffalo", "Albany", "Rochester"}},
	{"OH", 11799, []string{"614", "216", "513"}, []string{"Columbus", "Cleveland", "Cincinnati"}},
	{"OK", 3959, []string{"405", "918"}, []string{"Oklahoma City", "Tulsa"}},
	{"OR", 4237, []string{"503", "541"}, []string{"Portland", "Eugene", "Salem"}},
	{"PA", 13003, []string{"215", "412", "717"}, []string{"Philadelphia", "Pittsburgh", "Harrisburg"}},
	{"PR", 3286, []string{"787", "939"}, []string{"San Juan", "Ponce", "Bayamón"}},
	{"RI", 1097, []string{"401"}, []string{"Providence", "Warwick"}},
	{"SC", 5119, []string{"803", "843"}, []string{"Columbia", "Charleston"}},
	{"SD", 887, []string{"605"}, []string{"Sioux Falls", "Rapid City"}},
	{"TN", 6911, []string{"615", "901"}, []string{"Nashville", "Memphis", "Knoxville"}},
	{"TX", 29146, []string{"214", "713", "512", "210"}, []string{"Houston", "Dallas", "San Antonio", "Austin", "El Paso"}},
	{"UT", 3272, []string{"801", "435"}, []string{"Salt Lake City", "Provo"}},
	{"VA", 8631, []string{"804", "757", "703"}, []string{"Richmond", "Virginia Beach", "Arlington"}},
	{"VT", 643, []string{"802"}, []string{"Burlington", "Montpelier"}},
	{"WA", 7705, []string{"206", "509"}, []string{"Seattle", "Spokane", "Tacoma"}},
	{"WI", 5894, []string{"414", "608"}, []string{"Milwaukee", "Madison"}},
	{"WV", 1794, []string{"304"}, []string{"Charleston", "Huntington"}},
	{"WY", 577, []string{"307"}, []string{"Cheyenne", "Casper"}},
}

// Common US given names and surnames. The people they name are fictional;
// every record that carries them is marked as synthetic.
var (
	girlNames = []string{
		"Ava", "Emma", "Olivia", "Sophia", "Isabella", "Mia", "Amelia", "Harper", "Evelyn", "Abigail",
		"Emily", "Ella", "Madison", "Chloe", "Grace", "Lily", "Zoe", "Aaliyah", "Nevaeh", "Riley",
		"Camila", "Valentina", "Gabriela", "Daniela", "Jasmine", "Destiny", "Kayla", "Brianna", "Hailey", "Maya",
		"Savannah", "Alexis", "Jada", "Leah", "Naomi", "Ariana", "Lucia", "Paisley", "Skylar", "Trinity",
	}
	boyNames = []string{
		"Liam", "Noah", "Mason", "Ethan", "Logan", "Lucas", "Jackson", "Aiden", "Elijah", "Caleb",
		"Jayden", "Isaiah", "Mateo", "Diego", "Santiago", "Gabriel", "Jordan", "Tyler", "Dylan", "Hunter",
		"Carter", "Wyatt", "Cameron", "Xavier", "Malik", "Andre", "Miguel", "Adrian", "Evan", "Owen",
	}
	neutralNames = []string{"Alex", "Jordan", "Riley", "Avery", "Quinn", "Rowan", "Sage", "Taylor"}
	adultNames   = []string{
		"Maria", "Jennifer", "Linda", "Patricia", "Angela", "Denise", "Tamika", "Rosa", "Karen", "Michelle",
		"James", "Robert", "Michael", "David", "Carlos", "Marcus", "Kevin", "Anthony", "Brian", "Luis",
	}
	surnames = []string{
		"Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez", "Martinez",
		"Hernandez", "Lopez", "Gonzalez", "Wilson", "Anderson", "Thomas", "Taylor", "Moore", "Jackson", "Martin",
		"Lee", "Perez", "Thompson", "White", "Harris", "Sanchez", "Clark", "Ramirez", "Lewis", "Robinson",
		"Walker", "Young", "Allen", "King", "Wright", "Scott", "Torres", "Nguyen", "Hill", "Flores",
		"Green", "Adams", "Nelson", "Baker", "Hall", "Rivera", "Campbell", "Mitchell", "Carter", "Roberts",
		"Begay", "Yazzie", "Kim", "Patel", "Cruz", "Ortiz", "Reyes", "Morales", "Brooks", "Jenkins",
	}
	// nicknames suspects go by.
	streetNames = []string{"Dee", "Slim", "Kash", "Boss", "Tee", "Rico", "Jay", "Pee Wee", "Red", "Tone", "Money", "Ace"}
	// handleWords build the fictional screen names of suspect accounts.
	handleWords = []string{"goldking", "citylights", "nightowl", "bigdreams", "stackup", "wavey", "lux", "topshelf", "vip", "hustle", "cloud9", "sunset"}
)

// platform is a made-up online service: it names handles, accounts and the
// ESPs that report.
type platform struct {
	name string // as a handle's platform and an ESP's organisation
	slug string // in URLs and e-mail local parts
}

var platforms = []platform{
	{"PicPost", "picpost"},
	{"ChatLoop", "chatloop"},
	{"ClipStream", "clipstream"},
	{"GameLobby", "gamelobby"},
	{"HangoutHub", "hangouthub"},
	{"LocalListings", "locallistings"},
}

// paymentApps are made-up payment services for payment handles.
var paymentApps = []string{"PayQuick", "CashBeam"}

// venues are the kinds of place reports name.
var venues = []string{
	"motel off the interstate", "truck stop", "bus station", "shopping mall", "extended-stay hotel",
	"fast-food restaurant", "gas station", "apartment complex", "public park", "convenience store",
}

// placements are where a child in the care of child welfare lives.
var placements = []string{"foster home", "group home", "residential treatment centre", "relative's home (kinship placement)", "emergency shelter"}

// callerTypes are the hotline's caller types (Contact.Relationship).
var callerTypes = []string{"parent_guardian", "child_welfare_worker", "law_enforcement", "survivor", "concerned_person", "child"}

var callerLabels = map[string]string{
	"parent_guardian":      "parent",
	"child_welfare_worker": "child-welfare worker",
	"law_enforcement":      "police officer",
	"survivor":             "survivor",
	"concerned_person":     "concerned community member",
	"child":                "young person",
}

var hairColours = []string{"black", "dark brown", "brown", "light brown", "blond", "red", "dyed purple"}
var builds = []string{"slim", "medium build", "heavy build", "small for age", "tall and thin"}
var clothes = []string{
	"a grey hoodie and jeans", "a black puffer jacket", "a red sweatshirt and leggings", "a school uniform",
	"a denim jacket and white sneakers", "a green parka", "a basketball jersey", "a yellow raincoat",
}
var vehicles = []string{"grey pickup truck", "black SUV", "white van", "silver sedan", "dark blue hatchback"}
