package haven_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// routingDirectory is a fictional agency directory: every name ends in
// "(synthetic)", every phone is a 555-01xx number. Keys are the short names
// the routing table's expectations use.
var routingDirectory = []struct {
	key string
	ag  haven.Agency
}{
	{"atx", le("Austin Downtown Police Unit", haven.LevelLocal, "TX", nil, nil, []string{"78701"})},
	{"trav", le("Travis County Sheriff's Office", haven.LevelLocal, "TX", nil, []string{"48453"}, nil)},
	{"wil", le("Williamson County Sheriff's Office", haven.LevelLocal, "TX", nil, []string{"48491"}, nil)},
	{"harr", le("Harris County Sheriff's Office", haven.LevelLocal, "TX", nil, []string{"48201"}, nil)},
	{"txsp", le("Texas State Police", haven.LevelState, "TX", []string{"TX"}, nil, nil)},
	{"txtf", haven.Agency{Name: "Texas Trafficking Task Force (synthetic)", Kind: haven.AgencyTaskForce, Level: haven.LevelState,
		State: "TX", Email: "tf@example.com"}},
	{"txcw", haven.Agency{Name: "Texas Child Protective Services (synthetic)", Kind: haven.AgencyChildWelfare, Level: haven.LevelState,
		State: "TX", Phone24x7: "512-555-0150"}},
	{"la", le("Los Angeles County Sheriff", haven.LevelLocal, "CA", nil, []string{"06037"}, nil)},
	{"casp", le("California State Police", haven.LevelState, "CA", []string{"CA"}, nil, nil)},
	{"cacw", haven.Agency{Name: "California Child Welfare Services (synthetic)", Kind: haven.AgencyChildWelfare, Level: haven.LevelState,
		State: "CA", Phone24x7: "213-555-0150"}},
	{"nyc", le("New York County Police", haven.LevelLocal, "NY", nil, []string{"36061"}, nil)},
	{"nysp", le("New York State Police", haven.LevelState, "NY", nil, nil, nil)},
	{"hud", le("Hudson County Prosecutor's Unit", haven.LevelLocal, "NJ", nil, []string{"34017"}, nil)},
	{"njsp", le("New Jersey State Police", haven.LevelState, "NJ", nil, nil, nil)},
	{"dc", le("District Metropolitan Police", haven.LevelLocal, "DC", nil, nil, nil)},
	{"prpb", le("Puerto Rico Police Bureau", haven.LevelState, "PR", nil, nil, nil)},
	{"sj", le("San Juan Municipal Police", haven.LevelLocal, "PR", nil, []string{"72127"}, nil)},
	{"nav", le("Navajo Nation Police", haven.LevelTribal, "AZ", nil, []string{"04001", "35031"}, nil)},
	{"azsp", le("Arizona State Police", haven.LevelState, "AZ", nil, nil, nil)},
	{"nmsp", le("New Mexico State Police", haven.LevelState, "NM", nil, nil, nil)},
	{"fed", le("Federal Child Exploitation Unit", haven.LevelFederal, "", nil, nil, nil)},
	{"jack", le("Jackson County Sheriff", haven.LevelLocal, "MO", nil, []string{"29095"}, nil)},
	{"clay", le("Clay County Sheriff", haven.LevelLocal, "MO", nil, []string{"29047"}, nil)},
	{"mosp", le("Missouri State Police", haven.LevelState, "MO", nil, nil, nil)},
	{"orl", le("Orleans Parish Sheriff", haven.LevelLocal, "LA", nil, []string{"22071"}, nil)},
	{"lasp", le("Louisiana State Police", haven.LevelState, "LA", nil, nil, nil)},
	{"cook", le("Cook County Sheriff", haven.LevelLocal, "IL", nil, []string{"17031"}, nil)},
	{"ilsp", le("Illinois State Police", haven.LevelState, "IL", nil, nil, nil)},
	{"miami", le("Miami-Dade Sheriff", haven.LevelLocal, "FL", nil, []string{"12086"}, nil)},
	{"flsp", le("Florida State Police", haven.LevelState, "FL", nil, nil, nil)},
	{"king", le("King County Sheriff", haven.LevelLocal, "WA", nil, []string{"53033"}, nil)},
	{"wasp", le("Washington State Police", haven.LevelState, "WA", nil, nil, nil)},
	// Never suggested: deactivated, a service provider, the clearinghouse.
	{"inact", func() haven.Agency {
		a := le("Travis County Constable Precinct 9", haven.LevelLocal, "TX", nil, []string{"48453"}, []string{"78701"})
		a.Inactive = true
		return a
	}()},
	{"svc", haven.Agency{Name: "Texas Survivor Services (synthetic)", Kind: haven.AgencyServiceProvider, Level: haven.LevelPrivate,
		State: "TX", Email: "help@example.com"}},
	{"ch", haven.Agency{Name: "Haven Clearinghouse (synthetic)", Kind: haven.AgencyClearinghouse, Level: haven.LevelPrivate,
		Email: "desk@example.com"}},
}

// le is a fictional law-enforcement agency.
func le(name string, level haven.AgencyLevel, state string, states, counties, zips []string) haven.Agency {
	return haven.Agency{Name: name + " (synthetic)", Kind: haven.AgencyLawEnforcement, Level: level, State: state,
		States: states, Counties: counties, ZIPs: zips, Phone24x7: "202-555-0147"}
}

// loadRoutingDirectory creates the directory through the service and
// returns agency id → key.
func loadRoutingDirectory(t testing.TB, svc *haven.Service) map[int64]string {
	t.Helper()
	keys := map[int64]string{}
	for _, d := range routingDirectory {
		ag := d.ag
		if err := svc.CreateAgency(context.Background(), sys, &ag); err != nil {
			t.Fatalf("%s: %v", d.key, err)
		}
		keys[ag.ID] = d.key
	}
	return keys
}

type routeCase struct {
	name       string
	places     []haven.Place
	people     []haven.PersonMention
	phones     []string
	fromCare   bool
	want       []string // investigators, in order
	wantCW     []string // child welfare, in order (nil: no group)
	intl       string   // part of an international reason; "" = not international
	conflict   string   // part of a conflict; "" = no conflict
	unplaced   string   // part of an unplaced note
	reasonsFor string   // key of a candidate whose reasons are counted
	reasons    int
}

func inc(p haven.Place) haven.Place  { p.Role = haven.PlaceIncident; return p }
func home(p haven.Place) haven.Place { p.Role = haven.PlaceHome; return p }
func seen(p haven.Place) haven.Place { p.Role = haven.PlaceLastSeen; return p }
func est(p haven.Place) haven.Place  { p.Role = haven.PlaceEstimated; return p }
func zip(z string) haven.Place       { return haven.Place{ZIP: z} }
func city(c, st string) haven.Place  { return haven.Place{City: c, State: st} }
func state(st string) haven.Place    { return haven.Place{State: st} }
func places(ps ...haven.Place) []haven.Place {
	return ps
}

var routeCases = []routeCase{
	// ZIP codes.
	{name: "ZIP alone: the ZIP's agency, its county's, its state's, then federal", places: places(inc(zip("78701"))),
		want: []string{"atx", "trav", "txsp", "txtf", "fed"}},
	{name: "ZIP+4 routes as its ZIP", places: places(inc(zip("78701-1234"))), want: []string{"atx", "trav", "txsp", "txtf", "fed"}},
	{name: "ZIP in a county without a ZIP-level agency", places: places(inc(zip("78746"))), want: []string{"trav", "txsp", "txtf", "fed"}},
	{name: "Houston ZIP", places: places(inc(zip("77002"))), want: []string{"harr", "txsp", "txtf", "fed"}},
	{name: "Los Angeles ZIP", places: places(inc(zip("90012"))), want: []string{"la", "casp", "fed"}},
	{name: "Manhattan ZIP", places: places(inc(zip("10001"))), want: []string{"nyc", "nysp", "fed"}},
	{name: "Chicago ZIP", places: places(inc(zip("60601"))), want: []string{"cook", "ilsp", "fed"}},
	{name: "Miami ZIP", places: places(inc(zip("33101"))), want: []string{"miami", "flsp", "fed"}},
	{name: "ZIP with the right state", places: places(inc(haven.Place{ZIP: "77002", State: "TX"})), want: []string{"harr", "txsp", "txtf", "fed"}},
	{name: "explicit country US routes as the US", places: places(inc(haven.Place{ZIP: "10001", Country: "US"})), want: []string{"nyc", "nysp", "fed"}},
	{name: "a ZIP no agency covers but its state", places: places(inc(zip("64151"))), want: []string{"mosp", "fed"}},
	{name: "a state with no agencies leaves federal only", places: places(inc(zip("96813"))), want: []string{"fed"}},
	{name: "unknown ZIP with a state routes by the state and says so", places: places(inc(haven.Place{ZIP: "00000", State: "TX"})),
		want: []string{"txsp", "txtf", "fed"}, unplaced: `"00000" is not a known US ZIP code`},
	// City and state.
	{name: "city in two counties: both counties' agencies", places: places(inc(city("Austin", "TX"))),
		want: []string{"trav", "wil", "txsp", "txtf", "fed"}, reasonsFor: "txsp", reasons: 1},
	{name: "city in one county", places: places(inc(city("Houston", "TX"))), want: []string{"harr", "txsp", "txtf", "fed"}},
	{name: "city in three counties, two with agencies", places: places(inc(city("Kansas City", "MO"))),
		want: []string{"clay", "jack", "mosp", "fed"}},
	{name: "city ignoring case", places: places(inc(city("chicago", "IL"))), want: []string{"cook", "ilsp", "fed"}},
	{name: "Seattle by city", places: places(inc(city("Seattle", "WA"))), want: []string{"king", "wasp", "fed"}},
	{name: "city in counties without agencies", places: places(inc(city("Denver", "CO"))), want: []string{"fed"}},
	{name: "unknown city routes by the state and says so", places: places(inc(city("Atlantis", "TX"))),
		want: []string{"txsp", "txtf", "fed"}, unplaced: `no place called "Atlantis"`},
	{name: "city without a state cannot be placed", places: places(inc(haven.Place{City: "Springfield"})),
		want: []string{"fed"}, unplaced: "has no state"},
	// State alone; county by name.
	{name: "state alone (TX)", places: places(inc(state("TX"))), want: []string{"txsp", "txtf", "fed"}},
	{name: "state alone (CA)", places: places(inc(state("CA"))), want: []string{"casp", "fed"}},
	{name: "state alone (NY) with a home-state agency", places: places(inc(state("NY"))), want: []string{"nysp", "fed"}},
	{name: "county by name", places: places(inc(haven.Place{County: "Travis", State: "TX"})), want: []string{"trav", "txsp", "txtf", "fed"}},
	{name: "parish by name", places: places(inc(haven.Place{County: "Orleans Parish", State: "LA"})), want: []string{"orl", "lasp", "fed"}},
	{name: "unknown county routes by city", places: places(inc(haven.Place{County: "Atlantis", City: "Houston", State: "TX"})),
		want: []string{"harr", "txsp", "txtf", "fed"}, unplaced: `no county "Atlantis"`},
	// Area codes.
	{name: "area code alone (512 TX)", phones: []string{"+15125550147"}, want: []string{"txsp", "txtf", "fed"}},
	{name: "area code alone (213 CA)", phones: []string{"+12135550147"}, want: []string{"casp", "fed"}},
	{name: "area code alone (917 NY)", phones: []string{"+19175550147"}, want: []string{"nysp", "fed"}},
	{name: "two numbers with one area code route once", phones: []string{"+15125550147", "+15125550148"},
		want: []string{"txsp", "txtf", "fed"}, reasonsFor: "txsp", reasons: 1},
	{name: "toll-free number places nothing", phones: []string{"+18005550199"}, want: []string{"fed"}, unplaced: "toll-free"},
	{name: "area code agreeing with the place adds a reason", places: places(inc(zip("10001"))), phones: []string{"+19175550147"},
		want: []string{"nyc", "nysp", "fed"}, reasonsFor: "nysp", reasons: 2},
	// Conflicts.
	{name: "incident and home in different states: incident's first at each level",
		places: places(inc(zip("78701")), home(zip("90012"))),
		want:   []string{"atx", "trav", "la", "txsp", "txtf", "casp", "fed"}, conflict: "2 states"},
	{name: "phone area code conflicting with the place", places: places(inc(zip("77002"))), phones: []string{"+12135550147"},
		want: []string{"harr", "txsp", "txtf", "casp", "fed"}, conflict: "Phone area code in CA"},
	{name: "ZIP in another state than given: both states, conflict said",
		places: places(inc(haven.Place{ZIP: "07030", State: "NY"})),
		want:   []string{"hud", "njsp", "nysp", "fed"}, conflict: "ZIP code 07030 is in Hoboken (NJ), but the place is given as NY"},
	{name: "ZIP in another state than the city given: both counties",
		places: places(inc(haven.Place{ZIP: "07030", City: "New York", State: "NY"})),
		want:   []string{"hud", "nyc", "njsp", "nysp", "fed"}, conflict: "is in Hoboken (NJ)"},
	{name: "a more specific home place ranks above the incident's state",
		places: places(inc(state("TX")), home(zip("90012"))),
		want:   []string{"la", "txsp", "txtf", "casp", "fed"}, conflict: "2 states"},
	{name: "more reasons rank above the incident's source",
		places: places(inc(state("CA")), seen(state("TX")), home(state("TX"))),
		want:   []string{"txsp", "txtf", "casp", "fed"}, conflict: "2 states", reasonsFor: "txsp", reasons: 2},
	{name: "last seen before home", places: places(home(zip("33101")), seen(zip("60601"))),
		want: []string{"cook", "miami", "ilsp", "flsp", "fed"}, conflict: "Where the child was last seen in IL"},
	{name: "an agency covering two places comes once with both reasons",
		places: places(inc(zip("78746")), home(zip("78701"))),
		want:   []string{"atx", "trav", "txsp", "txtf", "fed"}, reasonsFor: "trav", reasons: 2},
	// The reported person.
	{name: "reported person's city alone", people: []haven.PersonMention{{Role: haven.PersonSuspect, City: "Houston", State: "TX"}},
		want: []string{"harr", "txsp", "txtf", "fed"}},
	{name: "estimated location (ESP) alone", places: places(est(zip("98101"))), want: []string{"king", "wasp", "fed"}},
	{name: "reported person elsewhere ranks after the incident",
		places: places(inc(zip("77002"))), people: []haven.PersonMention{{Role: haven.PersonBuyer, City: "Los Angeles", State: "CA"}},
		want: []string{"harr", "la", "txsp", "txtf", "casp", "fed"}, conflict: "The reported person's location in CA"},
	{name: "the child's stated city counts as home", people: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", City: "Reno", State: "NV"}},
		want: []string{"fed"}},
	{name: "a reporter's city is not routed", people: []haven.PersonMention{{Role: haven.PersonReporter, City: "Houston", State: "TX"}},
		want: []string{"fed"}},
	// International.
	{name: "foreign country: marked international, federal only", places: places(inc(haven.Place{City: "Tijuana", Country: "MX"})),
		want: []string{"fed"}, intl: "outside the US (country MX)"},
	{name: "foreign country with a US home: both", places: places(inc(haven.Place{City: "Toronto", Country: "CA"}), home(zip("78701"))),
		want: []string{"atx", "trav", "txsp", "txtf", "fed"}, intl: "country CA"},
	{name: "foreign phone (+44) alone", phones: []string{"+442079460958"}, want: []string{"fed"}, intl: "GB, +44"},
	{name: "foreign phone with a US place", places: places(inc(zip("78746"))), phones: []string{"+442079460958"},
		want: []string{"trav", "txsp", "txtf", "fed"}, intl: "+44"},
	{name: "Canadian +1 number is foreign", phones: []string{"+14165550123"}, want: []string{"fed"}, intl: "CA, area code 416"},
	{name: "Caribbean +1 number is foreign", phones: []string{"+18765550123"}, want: []string{"fed"}, intl: "JM"},
	// DC, Puerto Rico, tribal.
	{name: "DC by ZIP", places: places(inc(zip("20001"))), want: []string{"dc", "fed"}},
	{name: "DC by city and area code: one agency, two reasons", places: places(inc(city("Washington", "DC"))), phones: []string{"+12025550147"},
		want: []string{"dc", "fed"}, reasonsFor: "dc", reasons: 2},
	{name: "Puerto Rico by ZIP", places: places(inc(zip("00901"))), want: []string{"sj", "prpb", "fed"}},
	{name: "Puerto Rico given as a country is the US", places: places(inc(haven.Place{City: "San Juan", Country: "PR"})),
		want: []string{"sj", "prpb", "fed"}},
	{name: "Puerto Rico area code", phones: []string{"+17875550123"}, want: []string{"prpb", "fed"}},
	{name: "tribal agency covers its Arizona county", places: places(inc(zip("86503"))), want: []string{"nav", "azsp", "fed"}},
	{name: "tribal agency covers its New Mexico county", places: places(inc(city("Gallup", "NM"))), want: []string{"nav", "nmsp", "fed"}},
	{name: "tribal agency across two states: once, both reasons", places: places(inc(zip("86503")), seen(zip("87313"))),
		want: []string{"nav", "azsp", "nmsp", "fed"}, conflict: "2 states", reasonsFor: "nav", reasons: 2},
	// Child welfare.
	{name: "missing from care: child welfare as its own group", fromCare: true, places: places(seen(zip("78701"))),
		want: []string{"atx", "trav", "txsp", "txtf", "fed"}, wantCW: []string{"txcw"}},
	{name: "missing from care across states: both states' child welfare", fromCare: true,
		places: places(seen(zip("90012")), home(zip("77002"))),
		want:   []string{"la", "harr", "casp", "txsp", "txtf", "fed"}, wantCW: []string{"cacw", "txcw"}, conflict: "2 states"},
	{name: "not in care: no child welfare group", places: places(inc(zip("78701"))), want: []string{"atx", "trav", "txsp", "txtf", "fed"}},
	{name: "nothing to place: federal only", want: []string{"fed"}},
}

func TestRoutingTable(t *testing.T) {
	if len(routeCases) < 50 {
		t.Fatalf("the routing table has %d cases; it needs at least 50", len(routeCases))
	}
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		keys := loadRoutingDirectory(t, svc)
		for _, tc := range routeCases {
			t.Run(tc.name, func(t *testing.T) {
				r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
					Narrative: "Synthetic report for the routing table.", Places: tc.places, People: tc.people}
				if tc.fromCare {
					r.IncidentType, r.MissingType, r.MissingFromCare = haven.IncidentMissingChild, haven.MissingEndangeredRunaway, true
				}
				for _, p := range tc.phones {
					r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IDPhone, Value: p, Raw: p, Source: "narrative"})
				}
				if err := svc.CreateReport(ctx, sys, r); err != nil {
					t.Fatal(err)
				}
				rt, err := svc.RoutingSuggestions(ctx, sys, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				names := func(cs []haven.RouteCandidate) []string {
					var out []string
					for _, c := range cs {
						out = append(out, keys[c.Agency.ID])
					}
					return out
				}
				if got := names(rt.Investigators); !slices.Equal(got, tc.want) {
					t.Errorf("investigators %v, want %v\n%s", got, tc.want, describeRouting(rt))
				}
				if got := names(rt.ChildWelfare); !slices.Equal(got, tc.wantCW) {
					t.Errorf("child welfare %v, want %v", got, tc.wantCW)
				}
				if rt.ChildInCare != tc.fromCare {
					t.Errorf("child in care %v, want %v", rt.ChildInCare, tc.fromCare)
				}
				intl := strings.Join(rt.Basis.InternationalReasons, " | ")
				if rt.Basis.International != (tc.intl != "") || !strings.Contains(intl, tc.intl) {
					t.Errorf("international %v %q, want %q", rt.Basis.International, intl, tc.intl)
				}
				conflicts := strings.Join(rt.Basis.Conflicts, " | ")
				if (tc.conflict == "") != (conflicts == "") || !strings.Contains(conflicts, tc.conflict) {
					t.Errorf("conflicts %q, want %q", conflicts, tc.conflict)
				}
				if unplaced := strings.Join(rt.Basis.Unplaced, " | "); !strings.Contains(unplaced, tc.unplaced) {
					t.Errorf("unplaced %q, want %q", unplaced, tc.unplaced)
				}
				for _, cd := range rt.Candidates() {
					if len(cd.Reasons) == 0 {
						t.Errorf("%s has no reason", cd.Agency.Name)
					}
					if tc.reasonsFor != "" && keys[cd.Agency.ID] == tc.reasonsFor && len(cd.Reasons) != tc.reasons {
						t.Errorf("%s has %d reasons, want %d: %v", tc.reasonsFor, len(cd.Reasons), tc.reasons, cd.Reasons)
					}
				}
			})
		}
	})
}

func describeRouting(rt *haven.Routing) string {
	var b strings.Builder
	for _, p := range rt.Basis.Places {
		fmt.Fprintf(&b, "  place %s %s %s %s: %s\n", p.Source, p.State, p.CountyFIPS, p.ZIP, p.Reason)
	}
	for _, c := range rt.Candidates() {
		fmt.Fprintf(&b, "  %s [%s]\n", c.Agency.Name, c.Match)
		for _, r := range c.Reasons {
			fmt.Fprintf(&b, "    - %s\n", r.Text)
		}
	}
	return b.String()
}

// TestRoutingReasonsReadPlainly checks the words an analyst reads.
func TestRoutingReasonsReadPlainly(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		loadRoutingDirectory(t, svc)
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic.",
			Places:      []haven.Place{{Role: haven.PlaceIncident, Name: "Starlight Motel", City: "Austin", State: "TX", ZIP: "78701"}},
			Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12135550147"}}}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		rt, err := svc.RoutingSuggestions(ctx, sys, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		got := describeRouting(rt)
		for _, want := range []string{
			"Covers ZIP code 78701 — Where it happened: Starlight Motel, Austin, TX 78701, in Travis County, TX",
			"Covers Travis County, TX — Where it happened",
			"Covers the state of Texas — Where it happened: Starlight Motel, Austin, TX 78701\n",
			"Covers the state of California — Phone area code 213 (+12135550147) is in California",
			"Covers the whole country",
		} {
			if !strings.Contains(got, want) {
				t.Errorf("missing %q in\n%s", want, got)
			}
		}
		if !strings.Contains(strings.Join(rt.Basis.Conflicts, ""), "Where it happened in TX; Phone area code in CA") {
			t.Errorf("conflict not said plainly: %v", rt.Basis.Conflicts)
		}
	})
}

// TestRoutingIsForThoseWhoMaySeeTheReport: another agency's officer gets
// "not found" (audited as a refusal); an analyst's view is audited.
func TestRoutingIsForThoseWhoMaySeeTheReport(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		loadRoutingDirectory(t, svc)
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic.",
			Places: []haven.Place{{Role: haven.PlaceIncident, ZIP: "78701"}}}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		ag, err := svc.AgencyByName(ctx, sys, "California State Police (synthetic)")
		if err != nil {
			t.Fatal(err)
		}
		ou, _ := addUser(t, svc, "olly", haven.RoleOfficer, ag.ID)
		officer := haven.Actor{UserID: ou.ID, Username: "olly", Role: haven.RoleOfficer, AgencyID: ag.ID, Jurisdiction: []string{"CA"}, Via: "web"}
		if _, err := svc.RoutingSuggestions(ctx, officer, r.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("officer of another agency: %v, want not found", err)
		}
		if _, err := svc.RoutingSuggestions(ctx, officer, r.ID+1000); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("missing report: %v, want not found", err)
		}
		au, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		analyst := haven.Actor{UserID: au.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		if _, err := svc.RoutingSuggestions(ctx, analyst, r.ID); err != nil {
			t.Fatal(err)
		}
		denied, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.routing", Outcome: haven.OutcomeDenied})
		ok, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.routing", Outcome: haven.OutcomeOK})
		if len(denied) != 2 || len(ok) != 1 || ok[0].Actor != "ana" || ok[0].RecordID != r.ID {
			t.Fatalf("audit: %d refusals, %d views (%+v)", len(denied), len(ok), ok)
		}
	})
}

// TestRoutingSuggestsChildWelfareForAChildInCareOnFile: a report naming a
// child on file who is in care gets the child-welfare group.
func TestRoutingSuggestsChildWelfareForAChildInCareOnFile(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		loadRoutingDirectory(t, svc)
		child := &haven.Child{FirstName: "Ava", State: "TX", InCare: true}
		if err := svc.CreateChild(ctx, sys, child); err != nil {
			t.Fatal(err)
		}
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic.",
			Places: []haven.Place{{Role: haven.PlaceIncident, ZIP: "77002"}},
			People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", ChildID: child.ID}}}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		rt, err := svc.RoutingSuggestions(ctx, sys, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !rt.ChildInCare || len(rt.ChildWelfare) != 1 || rt.ChildWelfare[0].Agency.Name != "Texas Child Protective Services (synthetic)" {
			t.Fatalf("child in care on file: %v %q %s", rt.ChildInCare, rt.ChildInCareReason, describeRouting(rt))
		}
	})
}
