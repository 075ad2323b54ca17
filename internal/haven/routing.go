package haven

import (
	"fmt"
	"sort"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/nyaruka/phonenumbers"
)

// Routing: which agencies a report should go to. The rules are pure (no
// I/O) and live here; Service.RoutingSuggestions (routing_service.go) asks
// the agency directory who covers each place and ranks the answers. The
// analyst confirms one or more candidates; nothing is referred by routing
// alone. docs/routing.md explains the rules as an analyst reads them.

// RouteSource is where in a report a place to route by came from. The
// sources are in priority order: when two candidates are otherwise equal,
// the one matched by the earlier source comes first.
type RouteSource string

// Route sources, highest priority first.
const (
	SourceIncident       RouteSource = "incident"        // where it happened
	SourceLastSeen       RouteSource = "last_seen"       // where the child was last seen
	SourceHome           RouteSource = "home"            // the child's home
	SourceRecovered      RouteSource = "recovered"       // where the child was found
	SourceReportedPerson RouteSource = "reported_person" // the reported person's (estimated) location
	SourceOther          RouteSource = "other"           // any other place the report names
	SourceAreaCode       RouteSource = "area_code"       // a phone number's area code
)

// RouteSources lists the sources in priority order.
var RouteSources = []RouteSource{SourceIncident, SourceLastSeen, SourceHome, SourceRecovered, SourceReportedPerson, SourceOther, SourceAreaCode}

var routeSourceLabels = map[RouteSource]string{
	SourceIncident: "Where it happened", SourceLastSeen: "Where the child was last seen", SourceHome: "The child's home",
	SourceRecovered: "Where the child was found", SourceReportedPerson: "The reported person's location",
	SourceOther: "Another place in the report", SourceAreaCode: "Phone area code",
}

// Label is the source as people read it.
func (s RouteSource) Label() string { return label(routeSourceLabels, s) }

// Priority is the source's position in RouteSources (0 is the highest).
func (s RouteSource) Priority() int {
	for i, x := range RouteSources {
		if x == s {
			return i
		}
	}
	return len(RouteSources)
}

// Specificity is how precisely a route place is known.
type Specificity string

// Specificities, most precise first.
const (
	SpecificZIP    Specificity = "zip"    // a known ZIP code (and so its county and state)
	SpecificCounty Specificity = "county" // a county, or one of the counties a city lies in
	SpecificState  Specificity = "state"  // a state only
)

// RoutePlace is one place a report is routed by: a US state with, when
// known, a county and a ZIP code, where it came from in the report, and
// why, in plain words.
type RoutePlace struct {
	Source      RouteSource
	State       string // postal code; never empty
	CountyFIPS  string // five digits, or ""
	CountyName  string // "Travis County", or ""
	ZIP         string // five digits, or ""
	Specificity Specificity
	Where       string // "Where it happened: Austin, TX 78701"
	Reason      string // Where, and the county when known: "…, in Travis County, TX"
}

// Query is the directory question for the place.
func (p RoutePlace) Query() CoverageQuery {
	return CoverageQuery{State: p.State, CountyFIPS: p.CountyFIPS, ZIP: p.ZIP}
}

// RouteBasis is what routing reads from a report: the US places, the
// clues that it belongs abroad, the contradictions between its places and
// the details that could not be placed.
type RouteBasis struct {
	Places []RoutePlace
	// International is set when a place is outside the US or a phone
	// number is foreign: the report is marked for international referral
	// (it is never dropped), with a sentence per clue.
	International        bool
	InternationalReasons []string
	// Conflicts says plainly where the report's places disagree (a ZIP
	// code in another state than the one given, places in different
	// states).
	Conflicts []string
	// Unplaced names details that routing could not use (an unknown ZIP
	// code, a toll-free number).
	Unplaced []string
}

// usTerritoryCountries are ISO country codes that are US states' peers for
// routing: a place "in country PR" is in Puerto Rico, US.
var usTerritoryCountries = map[string]bool{"PR": true, "GU": true, "VI": true, "AS": true, "MP": true, "UM": true}

// RouteBasisOf reads a report's places, people and phone numbers into the
// places to route it by, in source priority order. It does no I/O.
func RouteBasisOf(r *Report) RouteBasis {
	var b RouteBasis
	for _, p := range r.Places {
		b.addPlace(sourceOfPlace(p.Role), p)
	}
	for _, m := range r.People {
		if m.State == "" && m.City == "" {
			continue
		}
		var src RouteSource
		switch m.Role {
		case PersonChild:
			src = SourceHome
		case PersonSuspect, PersonBuyer:
			src = SourceReportedPerson
		default:
			continue
		}
		b.addPlace(src, Place{City: m.City, State: m.State})
	}
	seenPhone := map[string]bool{}
	for _, id := range r.Identifiers {
		if id.Kind != IDPhone || seenPhone[id.Value] {
			continue
		}
		seenPhone[id.Value] = true
		b.addPhone(id.Value)
	}
	sort.SliceStable(b.Places, func(i, j int) bool { return b.Places[i].Source.Priority() < b.Places[j].Source.Priority() })
	b.Places = dedupePlaces(b.Places)
	b.findStateConflicts()
	return b
}

func sourceOfPlace(role PlaceRole) RouteSource {
	switch role {
	case PlaceIncident:
		return SourceIncident
	case PlaceLastSeen:
		return SourceLastSeen
	case PlaceHome:
		return SourceHome
	case PlaceRecovered:
		return SourceRecovered
	case PlaceEstimated:
		return SourceReportedPerson
	}
	return SourceOther
}

// addPlace turns one place into route places: by ZIP code when it is known,
// else by county, else by city (each of the counties the city lies in),
// else by state.
func (b *RouteBasis) addPlace(src RouteSource, p Place) {
	state := strings.ToUpper(strings.TrimSpace(p.State))
	country := strings.ToUpper(strings.TrimSpace(p.Country))
	city := strings.TrimSpace(p.City)
	where := placeWords(p)
	if country != "" && country != "US" {
		if usTerritoryCountries[country] && (state == "" || state == country) {
			state = country
		} else {
			b.International = true
			b.InternationalReasons = append(b.InternationalReasons,
				fmt.Sprintf("%s is outside the US (country %s): %s.", src.Label(), country, where))
			return
		}
	}
	if state != "" {
		if _, ok := geo.StateByCode(state); !ok {
			if st, ok := geo.StateByName(state); ok {
				state = st.Code
			}
		}
	}
	if zipText := strings.TrimSpace(p.ZIP); zipText != "" {
		if z, ok := geo.LookupZIP(zipText); ok {
			rp := RoutePlace{Source: src, State: z.State, CountyFIPS: z.County.FIPS, CountyName: z.County.Name, ZIP: z.Code,
				Specificity: SpecificZIP, Where: src.Label() + ": " + where}
			rp.Reason = fmt.Sprintf("%s: %s, in %s", src.Label(), where, countyWords(z.County, z.State))
			b.Places = append(b.Places, rp)
			if state != "" && state != z.State {
				b.Conflicts = append(b.Conflicts, fmt.Sprintf(
					"%s: ZIP code %s is in %s (%s), but the place is given as %s. Agencies of both states are suggested; check which is right.",
					src.Label(), z.Code, z.City, z.State, state))
				b.addArea(src, p, state, where)
			}
			return
		}
		b.Unplaced = append(b.Unplaced, fmt.Sprintf("%s: %q is not a known US ZIP code.", src.Label(), zipText))
	}
	if state == "" {
		if city != "" || strings.TrimSpace(p.County) != "" {
			b.Unplaced = append(b.Unplaced, fmt.Sprintf("%s: %s has no state, so it cannot be placed.", src.Label(), where))
		}
		return
	}
	b.addArea(src, p, state, where)
}

// addArea places p by county, city or state (not ZIP) within state.
func (b *RouteBasis) addArea(src RouteSource, p Place, state, where string) {
	if _, ok := geo.StateByCode(state); !ok {
		b.Unplaced = append(b.Unplaced, fmt.Sprintf("%s: %q is not a US state.", src.Label(), state))
		return
	}
	w := src.Label() + ": " + where
	stateOnly := RoutePlace{Source: src, State: state, Specificity: SpecificState, Where: w, Reason: w}
	if county := strings.TrimSpace(p.County); county != "" {
		if c, ok := geo.CountyByName(state, county); ok {
			b.Places = append(b.Places, RoutePlace{Source: src, State: state, CountyFIPS: c.FIPS, CountyName: c.Name,
				Specificity: SpecificCounty, Where: w, Reason: fmt.Sprintf("%s: %s, in %s", src.Label(), where, countyWords(c, state))})
			return
		}
		b.Unplaced = append(b.Unplaced, fmt.Sprintf("%s: there is no county %q in %s; routed by the state.", src.Label(), county, state))
	}
	if city := strings.TrimSpace(p.City); city != "" {
		cs := geo.LookupCity(state, city)
		if len(cs) == 0 {
			b.Unplaced = append(b.Unplaced, fmt.Sprintf("%s: no place called %q is known in %s; routed by the state.", src.Label(), city, state))
		}
		for _, c := range cs {
			reason := fmt.Sprintf("%s: %s, in %s", src.Label(), where, countyWords(c, state))
			if len(cs) > 1 {
				reason = fmt.Sprintf("%s: %s, which lies in %d counties (%s); one of them is %s", src.Label(), where, len(cs),
					countyNames(cs), c.Name)
			}
			b.Places = append(b.Places, RoutePlace{Source: src, State: state, CountyFIPS: c.FIPS, CountyName: c.Name,
				Specificity: SpecificCounty, Where: w, Reason: reason})
		}
		if len(cs) > 0 {
			return
		}
	}
	b.Places = append(b.Places, stateOnly)
}

// addPhone places a phone number (E.164) by its area code, or marks the
// report international for a number outside the US.
func (b *RouteBasis) addPhone(e164 string) {
	n, err := phonenumbers.Parse(e164, "US")
	if err != nil {
		b.Unplaced = append(b.Unplaced, fmt.Sprintf("Phone number %s could not be read.", e164))
		return
	}
	nsn := phonenumbers.GetNationalSignificantNumber(n)
	if n.GetCountryCode() == 1 && len(nsn) == 10 {
		npa := nsn[:3]
		if st, ok := geo.AreaCodeState(npa); ok {
			w := fmt.Sprintf("Phone area code %s (%s) is in %s", npa, e164, stateWords(st))
			b.Places = append(b.Places, RoutePlace{Source: SourceAreaCode, State: st, Specificity: SpecificState, Where: w, Reason: w})
			return
		}
		if region := phonenumbers.GetRegionCodeForNumber(n); region != "" && region != "US" && !usTerritoryCountries[region] {
			b.International = true
			b.InternationalReasons = append(b.InternationalReasons,
				fmt.Sprintf("Phone number %s is a number of another country (%s, area code %s).", e164, region, npa))
			return
		}
		b.Unplaced = append(b.Unplaced, fmt.Sprintf("Phone number %s: area code %s is toll-free or not tied to a place.", e164, npa))
		return
	}
	region := phonenumbers.GetRegionCodeForCountryCode(int(n.GetCountryCode()))
	b.International = true
	b.InternationalReasons = append(b.InternationalReasons,
		fmt.Sprintf("Phone number %s is a number of another country (%s, +%d).", e164, region, n.GetCountryCode()))
}

// findStateConflicts says so when the report's places are in more than one
// state, naming each source's state.
func (b *RouteBasis) findStateConflicts() {
	var states []string
	bySource := map[string][]string{} // state → source labels
	for _, p := range b.Places {
		if _, ok := bySource[p.State]; !ok {
			states = append(states, p.State)
		}
		l := p.Source.Label()
		if !contains(bySource[p.State], l) {
			bySource[p.State] = append(bySource[p.State], l)
		}
	}
	if len(states) < 2 {
		return
	}
	var parts []string
	for _, st := range states {
		parts = append(parts, fmt.Sprintf("%s in %s", strings.Join(bySource[st], " and "), st))
	}
	b.Conflicts = append(b.Conflicts, fmt.Sprintf("The report points to %d states: %s. Agencies of each are suggested, those of %s first.",
		len(states), strings.Join(parts, "; "), states[0]))
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// dedupePlaces drops a place equal (source, state, county, ZIP) to an
// earlier one: two phone numbers with the same area code route once.
func dedupePlaces(ps []RoutePlace) []RoutePlace {
	seen := map[RoutePlace]bool{}
	var out []RoutePlace
	for _, p := range ps {
		k := RoutePlace{Source: p.Source, State: p.State, CountyFIPS: p.CountyFIPS, ZIP: p.ZIP}
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, p)
	}
	return out
}

// placeWords writes a place as the reason shows it: "Austin, TX 78701".
func placeWords(p Place) string {
	var parts []string
	for _, s := range []string{p.Name, p.City, p.County} {
		if s = strings.TrimSpace(s); s != "" {
			parts = append(parts, s)
		}
	}
	if st := strings.TrimSpace(strings.TrimSpace(p.State) + " " + strings.TrimSpace(p.ZIP)); st != "" {
		parts = append(parts, st)
	}
	if c := strings.TrimSpace(p.Country); c != "" && !strings.EqualFold(c, "US") {
		parts = append(parts, strings.ToUpper(c))
	}
	if len(parts) == 0 {
		return "no details"
	}
	return strings.Join(parts, ", ")
}

func countyWords(c geo.County, state string) string {
	if c.FIPS == "" {
		return stateWords(state)
	}
	return c.Name + ", " + c.State
}

func countyNames(cs []geo.County) string {
	names := make([]string, len(cs))
	for i, c := range cs {
		names[i] = c.Name
	}
	return strings.Join(names, ", ")
}

func stateWords(code string) string {
	if st, ok := geo.StateByCode(code); ok {
		return st.Name
	}
	return code
}

// RouteGroup is a group of candidates on the routing panel.
type RouteGroup string

// Route groups.
const (
	GroupInvestigators RouteGroup = "investigators" // law enforcement and task forces
	GroupChildWelfare  RouteGroup = "child_welfare" // child-welfare agencies, when the child is in care
)

// RouteReason is one reason an agency is suggested: a place of the report
// that its jurisdiction covers.
type RouteReason struct {
	Source RouteSource
	Match  CoverageMatch
	Text   string // "Covers Travis County, TX — Where it happened: Austin, TX 78701"
}

// RouteCandidate is an agency suggested for a report, with every reason.
type RouteCandidate struct {
	Agency  *Agency
	Group   RouteGroup
	Match   CoverageMatch // the most specific match among the reasons
	Reasons []RouteReason
}

// Routing is the routing suggestion for a report: the places read from it,
// candidates ranked most specific first in two groups, and the marks an
// analyst must see (international, conflicting places).
type Routing struct {
	ReportID      int64
	Basis         RouteBasis
	Investigators []RouteCandidate
	// ChildWelfare is set only when the child is missing from care or is
	// a child in care on file (ChildInCareReason says which).
	ChildWelfare      []RouteCandidate
	ChildInCare       bool
	ChildInCareReason string
}

// Candidates returns every candidate, investigators first.
func (r *Routing) Candidates() []RouteCandidate {
	return append(append([]RouteCandidate(nil), r.Investigators...), r.ChildWelfare...)
}

// routeGroupOf is the group an agency kind is suggested in; "" for kinds
// routing never suggests (the clearinghouse itself, service providers).
func routeGroupOf(k AgencyKind) RouteGroup {
	switch k {
	case AgencyLawEnforcement, AgencyTaskForce:
		return GroupInvestigators
	case AgencyChildWelfare:
		return GroupChildWelfare
	}
	return ""
}

var matchRank = map[CoverageMatch]int{CoverZIP: 0, CoverCounty: 1, CoverState: 2, CoverNationwide: 3}

// coverageWords says what part of an agency's jurisdiction covers a place.
func coverageWords(m CoverageMatch, p RoutePlace) string {
	switch m {
	case CoverZIP:
		return "Covers ZIP code " + p.ZIP
	case CoverCounty:
		return "Covers " + p.CountyName + ", " + p.State
	case CoverState:
		return "Covers the state of " + stateWords(p.State)
	}
	return "Covers the whole country"
}

// RankCandidates merges the directory's answers for each place (covering[i]
// answers places[i]) into ranked candidates: one per agency with all its
// reasons, most specific match first (ZIP, county, state, nationwide), then
// the most reasons, then the highest-priority source, then the name. A
// nationwide agency gets one reason however many places it covers. Kinds
// routing does not suggest are left out. It does no I/O.
func RankCandidates(places []RoutePlace, covering [][]AgencyCoverage) []RouteCandidate {
	type acc struct {
		c       RouteCandidate
		bestSrc int
		sources map[RouteSource]bool
	}
	byID := map[int64]*acc{}
	var order []int64
	for i, p := range places {
		for _, cov := range covering[i] {
			g := routeGroupOf(cov.Agency.Kind)
			if g == "" || cov.Agency.Inactive {
				continue
			}
			a := byID[cov.Agency.ID]
			if a == nil {
				a = &acc{c: RouteCandidate{Agency: cov.Agency, Group: g, Match: cov.Match}, bestSrc: p.Source.Priority(),
					sources: map[RouteSource]bool{}}
				byID[cov.Agency.ID] = a
				order = append(order, cov.Agency.ID)
			}
			if cov.Match == CoverNationwide {
				if len(a.c.Reasons) == 0 {
					a.c.Reasons = append(a.c.Reasons, RouteReason{Source: p.Source, Match: cov.Match,
						Text: "Covers the whole country (a nationwide agency)"})
					a.sources[p.Source] = true
				}
				continue
			}
			if matchRank[cov.Match] < matchRank[a.c.Match] {
				a.c.Match = cov.Match
			}
			if s := p.Source.Priority(); s < a.bestSrc {
				a.bestSrc = s
			}
			why := p.Reason
			if cov.Match == CoverState {
				why = p.Where // the county says nothing more to a state agency
			}
			text := coverageWords(cov.Match, p) + " — " + why
			dup := false
			for _, r := range a.c.Reasons {
				if r.Text == text {
					dup = true
				}
			}
			if !dup {
				a.c.Reasons = append(a.c.Reasons, RouteReason{Source: p.Source, Match: cov.Match, Text: text})
				a.sources[p.Source] = true
			}
		}
	}
	out := make([]*acc, 0, len(order))
	for _, id := range order {
		out = append(out, byID[id])
	}
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := matchRank[a.c.Match], matchRank[b.c.Match]; ra != rb {
			return ra < rb
		}
		if len(a.c.Reasons) != len(b.c.Reasons) {
			return len(a.c.Reasons) > len(b.c.Reasons)
		}
		if a.bestSrc != b.bestSrc {
			return a.bestSrc < b.bestSrc
		}
		return a.c.Agency.Name < b.c.Agency.Name
	})
	cs := make([]RouteCandidate, len(out))
	for i, a := range out {
		cs[i] = a.c
	}
	return cs
}
