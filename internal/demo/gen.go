package demo

import (
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// gen holds the state of one Generate call. Every random draw goes through r,
// in a fixed order, and nothing iterates a map: that is what makes the output
// a function of the seed.
type gen struct {
	r    *rand.Rand
	base time.Time
	d    *Dataset

	// agency indices
	clearinghouse, taskForce, regional, provider int
	statePolice, childWelfare, localPolice       []int // by jurisdiction; localPolice -1 where there is none
	regionalStates                               []int

	// user indices
	hotline, childWelfareUser, fosterParent int
	analysts                                []int

	nets   []*network
	kid    []*kid
	popCum []int // cumulative jurisdiction weights
}

// --- small helpers -----------------------------------------------------------

func (g *gen) pick(xs []string) string { return xs[g.r.IntN(len(xs))] }
func (g *gen) chance(p float64) bool   { return g.r.Float64() < p }

// between returns an int in [lo, hi].
func (g *gen) between(lo, hi int) int { return lo + g.r.IntN(hi-lo+1) }

// weighted returns an index drawn with the given weights.
func (g *gen) weighted(ws ...int) int {
	total := 0
	for _, w := range ws {
		total += w
	}
	x := g.r.IntN(total)
	for i, w := range ws {
		if x < w {
			return i
		}
		x -= w
	}
	return len(ws) - 1
}

// jur draws a jurisdiction index weighted by population.
func (g *gen) jur() int {
	if g.popCum == nil {
		sum := 0
		for _, j := range jurisdictions {
			sum += j.pop
			g.popCum = append(g.popCum, sum)
		}
	}
	x := g.r.IntN(g.popCum[len(g.popCum)-1])
	return sort.SearchInts(g.popCum, x+1)
}

// phone returns a fictional number in one of the jurisdiction's area codes:
// E.164 for identifiers, and as a person would write it.
func (g *gen) phone(j int) (e164, written string) {
	area := g.pick(jurisdictions[j].areas)
	n := g.r.IntN(100)
	return fmt.Sprintf("+1%s55501%02d", area, n), fmt.Sprintf("%s-555-01%02d", area, n)
}

func (g *gen) city(j int) string { return g.pick(jurisdictions[j].cities) }

// ago returns a time uniformly in [base-max, base-min], to the second.
func (g *gen) ago(min, max time.Duration) time.Time {
	span := int64(max - min)
	return g.base.Add(-min - time.Duration(g.r.Int64N(span/int64(time.Second)+1))*time.Second)
}

// localPart drops what an e-mail local part cannot hold.
var localPart = strings.NewReplacer(" ", "", "'", "", "(", "", ")", "")

func emailLocal(parts ...string) string {
	return localPart.Replace(strings.ToLower(strings.Join(parts, ".")))
}

func (g *gen) email(parts ...string) string {
	return fmt.Sprintf("%s%d@example.com", emailLocal(parts...), g.r.IntN(100))
}

// --- agencies and users ------------------------------------------------------

func (g *gen) addAgency(a *haven.Agency) int {
	g.d.Agencies = append(g.d.Agencies, a)
	return len(g.d.Agencies) - 1
}

// agencies builds the directory: the clearinghouse, a state police and a
// child-welfare agency for each of the 52 jurisdictions, a few city police
// departments, a regional and a federal task force, and a service provider.
func (g *gen) agencies() {
	js := geo.ReportingJurisdictions()
	g.clearinghouse = g.addAgency(&haven.Agency{
		Name: "National Child Safety Clearinghouse (demo)", Kind: haven.AgencyClearinghouse, Level: haven.LevelPrivate,
		Phone24x7: "+12025550100", Email: "hotline@example.com",
	})
	g.statePolice = make([]int, len(js))
	g.childWelfare = make([]int, len(js))
	g.localPolice = make([]int, len(js))
	for i, s := range js {
		j := jurisdictions[i]
		police := s.Name + " State Police"
		switch s.Code {
		case "DC":
			police = "District of Columbia Police"
		case "PR":
			police = "Puerto Rico Police"
		}
		g.statePolice[i] = g.addAgency(&haven.Agency{
			Name: police + " (demo)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelState, State: s.Code,
			Phone24x7: fmt.Sprintf("+1%s5550110", j.areas[0]), Email: emailLocal(s.Code, "police") + "@example.com",
		})
		g.childWelfare[i] = g.addAgency(&haven.Agency{
			Name: s.Name + " Child Welfare Services (demo)", Kind: haven.AgencyChildWelfare, Level: haven.LevelState, State: s.Code,
			Phone24x7: fmt.Sprintf("+1%s5550120", j.areas[0]), Email: emailLocal(s.Code, "childwelfare") + "@example.com",
		})
		g.localPolice[i] = -1
	}
	// City police cover their county and a few downtown ZIP codes, as
	// routing by place needs (demoPlace keeps only what geography knows).
	for _, l := range []struct {
		code, city, county string
		zips               []string
	}{
		{"TX", "Houston", "Harris", []string{"77002", "77003", "77004"}},
		{"GA", "Atlanta", "Fulton", []string{"30303", "30308"}},
		{"NV", "Las Vegas", "Clark", []string{"89101", "89104"}},
		{"CA", "Oakland", "Alameda", []string{"94607", "94612"}},
		{"OH", "Columbus", "Franklin", []string{"43215"}},
	} {
		i := jurIndex(l.code)
		counties, zips := demoPlace(l.code, []string{l.county}, l.zips)
		g.localPolice[i] = g.addAgency(&haven.Agency{
			Name: l.city + " Police Department (demo)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: l.code,
			Counties: counties, ZIPs: zips, City: l.city, Address: "100 Example Plaza",
			Phone24x7: fmt.Sprintf("+1%s5550130", jurisdictions[i].areas[0]), Email: emailLocal(l.city, "pd") + "@example.com",
			Contacts: []haven.AgencyContact{{Name: "Jordan Example", Title: "Special Victims Unit duty sergeant",
				Phone: fmt.Sprintf("+1%s5550131", jurisdictions[i].areas[0])}},
		})
	}
	// A county sheriff, and a tribal police department whose lands span
	// counties in two states.
	if counties, _ := demoPlace("TX", []string{"Travis", "Williamson"}, nil); len(counties) > 0 {
		g.addAgency(&haven.Agency{
			Name: "Travis County Sheriff's Office (demo)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "TX",
			Counties: counties, Phone24x7: "+15125550132", Email: "travis.sheriff@example.com", City: "Austin",
		})
	}
	if az, zips := demoPlace("AZ", []string{"Apache"}, []string{"86515"}); len(az) > 0 {
		nm, _ := demoPlace("NM", []string{"San Juan", "McKinley"}, nil)
		g.addAgency(&haven.Agency{
			Name: "Four Rivers Nation Police (demo)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelTribal, State: "AZ",
			Counties: append(az, nm...), ZIPs: zips, Phone24x7: "+19285550133", Email: "fourrivers.police@example.com",
			Contacts: []haven.AgencyContact{{Name: "Avery Example", Title: "Criminal investigations", Phone: "+19285550134", Email: "avery.example@example.com"}},
		})
	}
	g.regionalStates = []int{jurIndex("TX"), jurIndex("LA"), jurIndex("MS"), jurIndex("AL"), jurIndex("FL")}
	var codes []string
	for _, i := range g.regionalStates {
		codes = append(codes, jurisdictions[i].code)
	}
	g.regional = g.addAgency(&haven.Agency{
		Name: "Gulf Coast Child Trafficking Task Force (demo)", Kind: haven.AgencyTaskForce, Level: haven.LevelState,
		State: "TX", States: codes, Phone24x7: "+17135550140", Email: "gulfcoast.taskforce@example.com",
	})
	g.taskForce = g.addAgency(&haven.Agency{
		Name: "Interstate Child Exploitation Task Force (demo)", Kind: haven.AgencyTaskForce, Level: haven.LevelFederal,
		Phone24x7: "+12025550150", Email: "interstate.taskforce@example.com",
	})
	providerCounties, _ := demoPlace("TX", []string{"Travis", "Hays", "Williamson"}, nil)
	g.provider = g.addAgency(&haven.Agency{
		Name: "Safe Harbor Youth Services (demo)", Kind: haven.AgencyServiceProvider, Level: haven.LevelPrivate, State: "TX",
		Counties: providerCounties, Phone24x7: "+15125550160", Email: "safeharbor@example.com", City: "Austin",
		Contacts: []haven.AgencyContact{{Name: "Riley Example", Title: "Intake coordinator", Phone: "+15125550161"}},
	})
}

// demoPlace returns the FIPS codes of the named counties of a state and
// the ZIP codes, leaving out any that geography does not know.
func demoPlace(state string, counties, zips []string) (fips, known []string) {
	for _, n := range counties {
		if c, ok := geo.CountyByName(state, n); ok {
			fips = append(fips, c.FIPS)
		}
	}
	for _, z := range zips {
		if _, ok := geo.LookupZIP(z); ok {
			known = append(known, z)
		}
	}
	return fips, known
}

// jurIndex returns the index of a reporting jurisdiction's postal code.
func jurIndex(code string) int {
	for i, j := range jurisdictions {
		if j.code == code {
			return i
		}
	}
	panic("demo: unknown jurisdiction " + code)
}

// users creates one demo account for every role (two analysts), all with
// Password. Agency-bound accounts are in Texas.
func (g *gen) users() {
	tx := jurIndex("TX")
	add := func(username, name string, role haven.Role, agency int) int {
		g.d.Users = append(g.d.Users, DemoUser{Agency: agency, User: haven.NewUser{
			Username: username, DisplayName: name + " (demo)", Email: username + "@example.com", Role: role, Password: Password,
		}})
		return len(g.d.Users) - 1
	}
	g.analysts = append(g.analysts, add("analyst", "Avery Analyst", haven.RoleAnalyst, -1))
	g.analysts = append(g.analysts, add("analyst2", "Sam Second-Analyst", haven.RoleAnalyst, -1))
	add("supervisor", "Sydney Supervisor", haven.RoleSupervisor, -1)
	g.hotline = add("hotline", "Harper Hotline", haven.RoleHotline, -1)
	add("officer", "Omar Officer", haven.RoleOfficer, g.statePolice[tx])
	g.childWelfareUser = add("childwelfare", "Casey Caseworker", haven.RoleChildWelfare, g.childWelfare[tx])
	g.fosterParent = add("fosterparent", "Frances Foster", haven.RoleFosterParent, g.childWelfare[tx])
	add("recovery", "Robin Recovery", haven.RoleRecovery, g.provider)
	add("advocate", "Alex Advocate", haven.RoleFamilyAdvocate, -1)
	add("volunteer", "Val Volunteer", haven.RolePeerVolunteer, -1)
	add("trainer", "Terry Trainer", haven.RoleTrainer, -1)
	add("learner", "Lee Learner", haven.RoleLearner, -1)
	add("admin", "Ari Admin", haven.RoleAdmin, -1)
}

// --- networks: what makes reports link ----------------------------------------

// network is a fictional group of adults exploiting children across a few
// states. Reports about it share its phone numbers, accounts and listings,
// so linking has something to find.
type network struct {
	jurs      []int // home first
	first     string
	nick      string
	sex       haven.Sex
	age       int
	vehicle   string
	phones    [][2]string // E.164, written
	handle    haven.Identifier
	platform  platform
	account   string // the ESP account id of the handle
	email     string
	payment   haven.Identifier
	ip        string
	listing   string // URL of an online listing
	buyerDesc string
}

// networks creates one network per 30 reports (at least three), each in two
// to four states.
func (g *gen) networks(reports int) {
	n := max(3, reports/30)
	for i := 0; i < n; i++ {
		home := g.jur()
		nw := &network{jurs: []int{home}, first: g.pick(adultNames), nick: g.pick(streetNames), sex: haven.SexMale, age: g.between(21, 45)}
		if g.chance(0.2) {
			nw.sex = haven.SexFemale
		}
		for k := g.between(1, 3); k > 0; k-- {
			if j := g.jur(); !containsInt(nw.jurs, j) {
				nw.jurs = append(nw.jurs, j)
			}
		}
		nw.vehicle = g.pick(vehicles)
		e, w := g.phone(home)
		nw.phones = append(nw.phones, [2]string{e, w})
		if g.chance(0.5) {
			e, w := g.phone(nw.jurs[len(nw.jurs)-1])
			nw.phones = append(nw.phones, [2]string{e, w})
		}
		nw.platform = platforms[g.r.IntN(len(platforms))]
		h := fmt.Sprintf("demo_%s_%d", g.pick(handleWords), g.between(10, 99))
		nw.handle = haven.Identifier{Kind: haven.IDHandle, Value: h, Platform: nw.platform.name, Raw: "@" + h}
		nw.account = fmt.Sprintf("%d", 100000+g.r.IntN(900000))
		nw.email = g.email("demo", strings.ToLower(nw.nick), nw.platform.slug)
		pay := fmt.Sprintf("demo-%s-%d", g.pick(handleWords), g.between(100, 999))
		nw.payment = haven.Identifier{Kind: haven.IDPayment, Value: pay, Platform: g.pick(paymentApps), Raw: "$" + pay}
		nw.ip = docIP(g.r)
		nw.listing = fmt.Sprintf("https://listings.example.com/%s/post/%d", strings.ToLower(jurisdictions[home].code), 100000+g.r.IntN(900000))
		nw.buyerDesc = fmt.Sprintf("Adult man, about %d, in a %s.", g.between(30, 60), g.pick(vehicles))
		g.nets = append(g.nets, nw)
	}
}

// docIP returns an address in the RFC 5737 documentation ranges.
func docIP(r *rand.Rand) string {
	nets := []string{"192.0.2", "198.51.100", "203.0.113"}
	return fmt.Sprintf("%s.%d", nets[r.IntN(len(nets))], 1+r.IntN(254))
}

func containsInt(xs []int, x int) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// --- children -----------------------------------------------------------------

// kid is a child on file while the data set is built.
type kid struct {
	idx       int // in Dataset.Children
	jur       int
	typ       haven.MissingType
	inCare    bool
	placement string
	episodes  []time.Time // missing episodes, in order
	stillOut  bool        // missing now (after the last episode)
	yes       bool        // likely child sex trafficking victim (determination)
	net       int         // the network a likely victim is linked to; -1
	phone     [2]string   // E.164, written; empty when the child has no phone
	handle    *haven.Identifier
	guardian  string // the parent's or caseworker's name
	reports   []int  // indices (before sorting) of reports in the child's case
	p         pron
}

func (k *kid) child(d *Dataset) *haven.Child { return d.Children[k.idx] }

// missingTypeWeights follows NCMEC's mix: endangered runaways by far the most.
var missingTypeWeights = []int{86, 5, 1, 4, 4} // in haven.MissingTypes order

// kids creates children until their missing episodes fill m missing-child
// reports. The first five children have the five case types and the first
// 52 live in different jurisdictions, so small data sets still cover them.
func (g *gen) kids(m int) {
	perm := g.r.Perm(len(jurisdictions))
	for used := 0; used < m; {
		i := len(g.kid)
		k := &kid{net: -1, jur: g.jur()}
		if i < len(perm) {
			k.jur = perm[i]
		}
		if i < len(haven.MissingTypes) {
			k.typ = haven.MissingTypes[i]
		} else {
			k.typ = haven.MissingTypes[g.weighted(missingTypeWeights...)]
		}
		episodes := 1
		if k.typ == haven.MissingEndangeredRunaway {
			episodes = 1 + g.weighted(75, 17, 8)
		}
		episodes = min(episodes, m-used)
		used += episodes
		for e := 0; e < episodes; e++ {
			k.episodes = append(k.episodes, g.ago(2*time.Hour, 365*24*time.Hour))
		}
		sort.Slice(k.episodes, func(a, b int) bool { return k.episodes[a].Before(k.episodes[b]) })
		k.stillOut = g.base.Sub(k.episodes[len(k.episodes)-1]) < 21*24*time.Hour && g.chance(0.5)
		g.newChild(k)
		g.kid = append(g.kid, k)
	}
	// Exactly inCareShare of the runaways ran from child-welfare care.
	run := g.runaways()
	for _, x := range g.r.Perm(len(run))[:roundShare(len(run), inCareShare)] {
		k := run[x]
		k.inCare = true
		k.placement = g.pick(placements)
		k.guardian = g.pick(adultNames) + " " + g.pick(surnames)
		c := k.child(g.d)
		c.InCare = true
		g.d.ChildAgency[k.idx] = g.childWelfare[k.jur]
	}
}

func (g *gen) runaways() []*kid {
	var out []*kid
	for _, k := range g.kid {
		if k.typ == haven.MissingEndangeredRunaway {
			out = append(out, k)
		}
	}
	return out
}

// roundShare returns n*share rounded to the nearest whole number.
func roundShare(n int, share float64) int {
	return int(float64(n)*share + 0.5)
}

// newChild fills in the child's record.
func (g *gen) newChild(k *kid) {
	var sex haven.Sex
	var first string
	switch k.typ {
	case haven.MissingEndangeredRunaway:
		sex = []haven.Sex{haven.SexFemale, haven.SexMale, haven.SexOther}[g.weighted(62, 35, 3)]
	default:
		sex = []haven.Sex{haven.SexFemale, haven.SexMale, haven.SexOther}[g.weighted(50, 48, 2)]
	}
	switch sex {
	case haven.SexFemale:
		first = g.pick(girlNames)
	case haven.SexMale:
		first = g.pick(boyNames)
	default:
		first = g.pick(neutralNames)
	}
	k.p = pronouns(sex)
	last := g.pick(surnames)
	var age int
	switch k.typ {
	case haven.MissingEndangeredRunaway:
		age = 12 + g.weighted(3, 7, 15, 25, 30, 20)
	case haven.MissingFamilyAbduction:
		age = g.between(3, 14)
	case haven.MissingNonfamilyAbduction:
		age = g.between(10, 17)
	case haven.MissingLostInjured:
		age = g.between(8, 17)
	case haven.MissingYoungAdult:
		age = g.between(18, 20)
	}
	// A date of birth that makes the child exactly age on the base date.
	day := time.Date(g.base.Year(), g.base.Month(), g.base.Day(), 0, 0, 0, 0, time.UTC)
	lo, hi := day.AddDate(-age-1, 0, 1), day.AddDate(-age, 0, 0)
	dob := lo.AddDate(0, 0, g.r.IntN(int(hi.Sub(lo).Hours()/24)+1))
	c := &haven.Child{
		FirstName: first, LastName: last, DateOfBirth: &dob, Sex: sex, State: jurisdictions[k.jur].code,
		Description: fmt.Sprintf("%s %d'%d\", %s, %s hair. Usually wears %s.", ChildMarker,
			g.between(4, 5), g.between(0, 11), g.pick(builds), g.pick(hairColours), g.pick(clothes)),
	}
	if g.chance(0.35) {
		c.Nicknames = []string{g.pick(kidNicknames)}
	}
	if age >= 11 && g.chance(0.7) {
		e, w := g.phone(k.jur)
		k.phone = [2]string{e, w}
	}
	if age >= 12 && g.chance(0.6) {
		pl := platforms[g.r.IntN(len(platforms))]
		h := fmt.Sprintf("demo_%s_%d", strings.ToLower(first), dob.Year())
		k.handle = &haven.Identifier{Kind: haven.IDHandle, Value: h, Platform: pl.name, Raw: "@" + h}
	}
	k.guardian = g.pick(adultNames) + " " + last
	k.idx = len(g.d.Children)
	g.d.Children = append(g.d.Children, c)
	// The state police investigate; kids() hands children in care to child welfare.
	g.d.ChildAgency = append(g.d.ChildAgency, g.statePolice[k.jur])
}

var kidNicknames = []string{"Bug", "Sunny", "Peanut", "Jojo", "Kiki", "Dee Dee", "Bean", "Cricket", "Lulu", "Tink", "Boo", "Mo"}

// calibrate marks exactly round(n/6) of the n runaway children as likely
// victims, of whom exactly round(0.19·f) are among the f who ran from care,
// chosen at random. Each likely victim is linked to a network.
func (g *gen) calibrate() {
	var fromCare, fromHome []*kid
	for _, k := range g.runaways() {
		if k.inCare {
			fromCare = append(fromCare, k)
		} else {
			fromHome = append(fromHome, k)
		}
	}
	total := roundShare(len(fromCare)+len(fromHome), RunawayLikelyVictimRate)
	yesCare := roundShare(len(fromCare), FromCareLikelyVictimRate)
	yesHome := min(max(total-yesCare, 0), len(fromHome))
	mark := func(ks []*kid, n int) {
		for _, x := range g.r.Perm(len(ks))[:n] {
			ks[x].yes = true
			ks[x].net = g.r.IntN(len(g.nets))
		}
	}
	mark(fromCare, yesCare)
	mark(fromHome, yesHome)
}
