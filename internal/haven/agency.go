package haven

import (
	"net/mail"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/nyaruka/phonenumbers"
)

// AgencyKind says what an agency is.
type AgencyKind string

// Agency kinds.
const (
	AgencyClearinghouse   AgencyKind = "clearinghouse"
	AgencyLawEnforcement  AgencyKind = "law_enforcement"
	AgencyTaskForce       AgencyKind = "task_force"
	AgencyChildWelfare    AgencyKind = "child_welfare"
	AgencyServiceProvider AgencyKind = "service_provider"
)

// AgencyKinds lists the valid kinds.
var AgencyKinds = []AgencyKind{AgencyClearinghouse, AgencyLawEnforcement, AgencyTaskForce, AgencyChildWelfare, AgencyServiceProvider}

// AgencyLevel is the level of government an agency answers to.
type AgencyLevel string

// Agency levels.
const (
	LevelLocal   AgencyLevel = "local"
	LevelState   AgencyLevel = "state"
	LevelTribal  AgencyLevel = "tribal"
	LevelFederal AgencyLevel = "federal"
	LevelPrivate AgencyLevel = "private"
)

// AgencyLevels lists the valid levels.
var AgencyLevels = []AgencyLevel{LevelLocal, LevelState, LevelTribal, LevelFederal, LevelPrivate}

// AgencyContact is a named person at an agency. A contact needs a name and
// at least one way to reach them (phone or email).
type AgencyContact struct {
	Name  string
	Title string
	Phone string
	Email string
}

// Agency is an organisation whose staff use Haven or receive its referrals.
//
// Its jurisdiction is three lists: States (whole states), Counties (five-
// digit FIPS codes) and ZIPs (five-digit ZIP codes), any of which may be
// empty. When all three are empty the agency covers its home State alone,
// except that a federal agency, or one without a home state, covers the
// whole country: so a federal field office that should only receive its
// region's referrals lists that region's states.
//
// A law-enforcement or child-welfare agency that is active must have a 24/7
// line: those are the agencies a clearinghouse refers a child in immediate
// danger to, at any hour, and a referral to a line that answers nine to five
// is a referral nobody receives. Every agency needs at least one way to
// reach it (the 24/7 line, the email, or a contact's phone or email).
//
// A deactivated agency (Inactive) stays in the directory, and on the
// accounts, reports and cases that name it, but is never suggested by
// AgenciesCovering.
type Agency struct {
	ID        int64
	Name      string // unique
	Kind      AgencyKind
	Level     AgencyLevel
	State     string   // postal code of the agency's home state ("" for federal)
	States    []string // postal codes of whole states in the jurisdiction
	Counties  []string // five-digit county FIPS codes in the jurisdiction
	ZIPs      []string // five-digit ZIP codes in the jurisdiction
	Phone24x7 string
	Email     string
	Address   string // street address
	City      string
	Contacts  []AgencyContact
	Inactive  bool // deactivated: kept for history, never suggested
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Nationwide reports whether the agency covers the whole country: it lists
// no states, counties or ZIPs, and it is federal or has no home state.
func (a *Agency) Nationwide() bool {
	return len(a.States) == 0 && len(a.Counties) == 0 && len(a.ZIPs) == 0 &&
		(a.Level == LevelFederal || a.State == "")
}

// StateWide returns the states the agency covers whole: States, or the home
// state alone when the agency lists no states, counties or ZIPs and is not
// nationwide; nil otherwise.
func (a *Agency) StateWide() []string {
	if len(a.States) > 0 {
		return a.States
	}
	if len(a.Counties) == 0 && len(a.ZIPs) == 0 && !a.Nationwide() {
		return []string{a.State}
	}
	return nil
}

// Jurisdiction returns the postal codes of every state the agency covers in
// whole or in part (its whole states and the states of its counties and
// ZIPs), sorted; nil means nationwide. Authorisation is by state, so an
// agency covering one county sees the records of that county's state.
func (a *Agency) Jurisdiction() []string {
	if a.Nationwide() {
		return nil
	}
	seen := map[string]bool{}
	var out []string
	add := func(st string) {
		if st != "" && !seen[st] {
			seen[st] = true
			out = append(out, st)
		}
	}
	for _, st := range a.StateWide() {
		add(st)
	}
	for _, f := range a.Counties {
		add(stateOfCountyFIPS(f))
	}
	for _, z := range a.ZIPs {
		if zz, ok := geo.LookupZIP(z); ok {
			add(zz.State)
		}
	}
	if len(out) == 0 && a.State != "" {
		add(a.State) // counties or ZIPs that geography no longer knows
	}
	if len(a.States) == 0 {
		sort.Strings(out)
	} else if len(out) > len(a.States) {
		sort.Strings(out[len(a.States):])
	}
	return out
}

// stateOfCountyFIPS returns the postal code of the state of a county FIPS
// code ("" if unknown).
func stateOfCountyFIPS(fips string) string {
	if c, ok := geo.CountyByFIPS(fips); ok {
		return c.State
	}
	if len(fips) == 5 {
		for _, st := range geo.States {
			if st.FIPS == fips[:2] {
				return st.Code
			}
		}
	}
	return ""
}

var (
	fipsRE      = regexp.MustCompile(`^[0-9]{5}$`)
	agencyZIPRE = regexp.MustCompile(`^([0-9]{5})(-?[0-9]{4})?$`)
)

// ParseCounty resolves a county as people write it: a five-digit FIPS code
// ("48453"), "TX:Travis" or "Travis County, TX". It returns the FIPS code,
// and false when no county of that name or code is known.
func ParseCounty(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if fipsRE.MatchString(s) {
		_, ok := geo.CountyByFIPS(s)
		return s, ok
	}
	var st, name string
	if i := strings.Index(s, ":"); i > 0 {
		st, name = s[:i], s[i+1:]
	} else if i := strings.LastIndex(s, ","); i > 0 {
		name, st = s[:i], s[i+1:]
	} else {
		return s, false
	}
	c, ok := geo.CountyByName(strings.ToUpper(strings.TrimSpace(st)), strings.TrimSpace(name))
	if !ok {
		return s, false
	}
	return c.FIPS, true
}

// NormalizeZIP returns the five-digit form of a ZIP or ZIP+4 code, or s
// trimmed when it is not one.
func NormalizeZIP(s string) string {
	s = strings.TrimSpace(s)
	if m := agencyZIPRE.FindStringSubmatch(s); m != nil {
		return m[1]
	}
	return s
}

// Normalize tidies an agency as typed: trims every field, upper-cases
// postal codes, resolves county names to FIPS codes (leaving what it cannot
// resolve for Validate to name), cuts ZIP+4 to five digits, sorts the
// counties and ZIPs, de-duplicates every list (States keep their order)
// and drops empty contacts.
func (a *Agency) Normalize() {
	a.Name = strings.TrimSpace(a.Name)
	a.Kind = AgencyKind(strings.TrimSpace(string(a.Kind)))
	a.Level = AgencyLevel(strings.TrimSpace(string(a.Level)))
	a.State = strings.ToUpper(strings.TrimSpace(a.State))
	a.Phone24x7 = strings.TrimSpace(a.Phone24x7)
	a.Email = strings.TrimSpace(a.Email)
	a.Address = strings.TrimSpace(a.Address)
	a.City = strings.TrimSpace(a.City)
	var states []string // in the order given: the directory shows them so
	for _, st := range a.States {
		if st = strings.ToUpper(strings.TrimSpace(st)); st != "" && !slices.Contains(states, st) {
			states = append(states, st)
		}
	}
	a.States = states
	a.Counties = tidyList(a.Counties, func(s string) string { f, _ := ParseCounty(s); return f })
	a.ZIPs = tidyList(a.ZIPs, NormalizeZIP)
	var cs []AgencyContact
	for _, c := range a.Contacts {
		c = AgencyContact{Name: strings.TrimSpace(c.Name), Title: strings.TrimSpace(c.Title),
			Phone: strings.TrimSpace(c.Phone), Email: strings.TrimSpace(c.Email)}
		if c != (AgencyContact{}) {
			cs = append(cs, c)
		}
	}
	a.Contacts = cs
}

// tidyList trims, maps and sorts l without duplicates or empty entries.
func tidyList(l []string, f func(string) string) []string {
	var out []string
	for _, s := range l {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, f(s))
		}
	}
	sort.Strings(out)
	return slices.Compact(out)
}

// ValidPhone reports whether s is a possible US (or international, with a
// leading +) telephone number.
func ValidPhone(s string) bool {
	n, err := phonenumbers.Parse(s, "US")
	return err == nil && phonenumbers.IsPossibleNumber(n)
}

func validEmail(s string) bool {
	addr, err := mail.ParseAddress(s)
	return err == nil && addr.Address == s && addr.Name == ""
}

// Needs24x7 reports whether the rules require the agency to have a 24/7
// line: active law-enforcement and child-welfare agencies.
func (a *Agency) Needs24x7() bool {
	return !a.Inactive && (a.Kind == AgencyLawEnforcement || a.Kind == AgencyChildWelfare)
}

// Validate checks an agency before it is stored (after Normalize). Each
// error names the field and, for a jurisdiction entry geography does not
// know, the value.
func (a *Agency) Validate() error {
	if a.Name == "" || len(a.Name) > 200 {
		return FieldError("name", "an agency needs a name of at most 200 characters")
	}
	if !slices.Contains(AgencyKinds, a.Kind) {
		return FieldError("kind", "unknown agency kind %q; use one of %v", a.Kind, AgencyKinds)
	}
	if !slices.Contains(AgencyLevels, a.Level) {
		return FieldError("level", "unknown agency level %q; use local, state, tribal, federal or private", a.Level)
	}
	if a.State != "" && !ValidState(a.State) {
		return FieldError("state", "%q is not a US state or territory postal code", a.State)
	}
	for _, s := range a.States {
		if !ValidState(s) {
			return FieldError("states", "%q is not a US state or territory postal code", s)
		}
	}
	for _, f := range a.Counties {
		if _, ok := geo.CountyByFIPS(f); !fipsRE.MatchString(f) || !ok {
			return FieldError("counties", "%q is not a known county: give its five-digit FIPS code (48453), or state and name (TX:Travis)", f)
		}
	}
	for _, z := range a.ZIPs {
		if _, ok := geo.LookupZIP(z); !ok || !agencyZIPRE.MatchString(z) {
			return FieldError("zips", "%q is not a known US ZIP code", z)
		}
	}
	if len(a.Address) > 300 || len(a.City) > 100 {
		return FieldError("address", "the address is at most 300 characters and the city 100")
	}
	if a.Phone24x7 != "" && !ValidPhone(a.Phone24x7) {
		return FieldError("phone_24x7", "%q is not a telephone number", a.Phone24x7)
	}
	if a.Email != "" && !validEmail(a.Email) {
		return FieldError("email", "%q is not an email address", a.Email)
	}
	reachable := a.Phone24x7 != "" || a.Email != ""
	for i, c := range a.Contacts {
		if c.Name == "" {
			return FieldError("contacts", "contact %d needs a name", i+1)
		}
		if c.Phone == "" && c.Email == "" {
			return FieldError("contacts", "contact %s needs a phone number or an email address", c.Name)
		}
		if c.Phone != "" && !ValidPhone(c.Phone) {
			return FieldError("contacts", "the phone number %q of contact %s is not a telephone number", c.Phone, c.Name)
		}
		if c.Email != "" && !validEmail(c.Email) {
			return FieldError("contacts", "the email %q of contact %s is not an email address", c.Email, c.Name)
		}
		reachable = true
	}
	if a.Needs24x7() && a.Phone24x7 == "" {
		return FieldError("phone_24x7", "a law-enforcement or child-welfare agency needs a 24/7 line: urgent referrals go to it at any hour")
	}
	if !reachable {
		return FieldError("email", "give at least one way to reach the agency: a 24/7 line, an email address or a contact")
	}
	return nil
}

// AgencyStatus selects agencies by their active flag in AgencyFilter.
type AgencyStatus string

// Agency statuses; "" selects both.
const (
	AgencyActive   AgencyStatus = "active"
	AgencyInactive AgencyStatus = "inactive"
)

// AgencyFilter selects agencies. Zero fields do not filter.
type AgencyFilter struct {
	Kind   AgencyKind
	Level  AgencyLevel
	State  string // home state, a whole state of the jurisdiction, or the state of one of its counties
	County string // five-digit FIPS: agencies listing the county (not those covering its whole state)
	Text   string // part of the name, case-insensitively
	Status AgencyStatus
	Limit  int
	Offset int
}

// CoverageMatch says which part of an agency's jurisdiction covers a place.
type CoverageMatch string

// Matches, most specific first.
const (
	CoverZIP        CoverageMatch = "zip"
	CoverCounty     CoverageMatch = "county"
	CoverState      CoverageMatch = "state"
	CoverNationwide CoverageMatch = "nationwide"
)

// CoverageQuery is a place to find covering agencies for: any of its fields
// may be empty (an empty field matches nothing of its part).
type CoverageQuery struct {
	State      string // postal code
	CountyFIPS string // five digits
	ZIP        string // five digits
	Kind       AgencyKind
}

// AgencyCoverage is an agency covering a place, with the most specific part
// of its jurisdiction that matched.
type AgencyCoverage struct {
	Agency *Agency
	Match  CoverageMatch
}
