package http

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// The public tip form's fields. Every value a person typed is kept in
// tipValues and sent back with the form when something must be fixed; a
// problem is a message key of the catalogue (internal/http/i18n) at a field
// id, so that the page says it in the reporter's language.

// Person blocks: the form starts with defaultPeople blank blocks; "add
// another person" re-renders it with one more, up to maxPeopleBlocks.
const (
	defaultPeople   = 2
	maxPeopleBlocks = 20
	maxLine         = 2048 // one line of online details
	maxShortText    = 200
)

// personFields are the fields of a person block, after its prefix
// ("child_", "p0_", "p1_" …).
var personFields = []string{"role", "first_name", "last_name", "nickname", "age", "dob", "sex", "description"}

// tipTextFields are the form's single-valued fields other than people's.
var tipTextFields = []string{"kind", "narrative", "incident_date", "incident_time", "when_text",
	"city", "state", "zip", "outside_us", "country", "online", "contact_choice",
	"contact_name", "contact_phone", "contact_email", "website", "lang", "people_count"}

// tipKinds are what the form lets a tip be about, as incident types.
var tipKinds = []haven.IncidentType{haven.IncidentSexTrafficking, haven.IncidentEnticement, haven.IncidentSexTourism, haven.IncidentOther}

// fieldProblem is one thing to fix: the field's id, a message key and its
// arguments.
type tipProblem struct {
	Field string
	Key   string
	Args  []any
}

// tipValues is the form as typed: one value per field name, the checked
// indicators, and how many person blocks it shows.
type tipValues struct {
	V          map[string]string
	Indicators map[string]bool
	People     int
}

// parsedTip is the result of reading the form.
type parsedTip struct {
	Values   tipValues
	Input    haven.TipInput
	Problems []tipProblem
	Honeypot bool // the hidden field meant for robots was filled in
}

// parseTipForm reads the tip form (without its files) as of now. It never
// fails: what cannot be read is a problem for the person to fix.
func parseTipForm(form url.Values, now time.Time) parsedTip {
	p := parsedTip{Values: tipValues{V: map[string]string{}, Indicators: map[string]bool{}}}
	v := p.Values.V
	get := func(name string) string {
		s := strings.ToValidUTF8(form.Get(name), "\uFFFD")
		v[name] = s
		return strings.TrimSpace(s)
	}
	bad := func(field, key string, args ...any) { p.Problems = append(p.Problems, tipProblem{field, key, args}) }
	for _, f := range tipTextFields {
		get(f)
	}
	n, err := strconv.Atoi(v["people_count"])
	if err != nil || n < 0 {
		n = defaultPeople
	}
	p.Values.People = min(n, maxPeopleBlocks)
	v["people_count"] = strconv.Itoa(p.Values.People)
	p.Honeypot = strings.TrimSpace(v["website"]) != ""

	in := &p.Input
	in.Language = v["lang"]
	if kind := strings.TrimSpace(v["kind"]); kind != "" {
		in.IncidentType = haven.IncidentType(kind)
		if !containsKind(in.IncidentType) {
			bad("kind", "err.kind")
		}
	}
	in.Narrative = strings.TrimSpace(v["narrative"])
	if utf8.RuneCountInString(in.Narrative) > haven.MaxNarrative {
		bad("narrative", "err.too_long", haven.MaxNarrative)
	}
	in.IncidentTimeText = strings.TrimSpace(v["when_text"])
	if utf8.RuneCountInString(in.IncidentTimeText) > maxShortText {
		bad("when_text", "err.too_long", maxShortText)
	}
	parseWhen(v, now, in, bad)
	parsePlace(v, in, bad)

	child, any := parsePerson(form, v, "child_", now, bad)
	if any {
		child.Role = haven.PersonChild
		in.Child = &child
	}
	for i := 0; i < p.Values.People; i++ {
		prefix := personPrefix(i)
		person, any := parsePerson(form, v, prefix, now, bad)
		if !any {
			continue
		}
		switch person.Role {
		case haven.PersonSuspect, haven.PersonBuyer, haven.PersonOther:
		case "":
			person.Role = haven.PersonOther
		default:
			bad(prefix+"role", "err.role")
		}
		in.People = append(in.People, person)
	}

	for _, line := range strings.Split(strings.TrimSpace(v["online"]), "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		if len(line) > maxLine {
			bad("online", "err.line_too_long", maxLine)
			break
		}
		in.Online = append(in.Online, line)
	}
	if len(in.Online) > haven.MaxOnlineDetails {
		bad("online", "err.too_many_lines", haven.MaxOnlineDetails)
	}

	for _, id := range form["indicators"] {
		if id = strings.TrimSpace(id); id != "" && len(id) <= 64 {
			p.Values.Indicators[id] = true
			in.Indicators = append(in.Indicators, id)
		}
	}
	if len(in.Indicators) > 0 && tipIndicatorProblem(in.Indicators) {
		bad("indicators", "err.indicator")
	}

	parseContact(v, in, bad)

	if in.Narrative == "" && in.Child == nil && len(in.People) == 0 && len(in.Online) == 0 {
		bad("narrative", "err.narrative_required")
	}
	return p
}

// personPrefix is the field prefix of the i-th person block (from 0).
func personPrefix(i int) string { return fmt.Sprintf("p%d_", i) }

func containsKind(k haven.IncidentType) bool {
	for _, x := range tipKinds {
		if x == k {
			return true
		}
	}
	return false
}

// parseWhen reads the date and time of the incident.
func parseWhen(v map[string]string, now time.Time, in *haven.TipInput, bad func(string, string, ...any)) {
	date, clock := strings.TrimSpace(v["incident_date"]), strings.TrimSpace(v["incident_time"])
	if date == "" {
		if clock != "" {
			bad("incident_date", "err.date_for_time")
		}
		return
	}
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		bad("incident_date", "err.date")
		return
	}
	if clock != "" {
		c, err := time.Parse("15:04", clock)
		if err != nil {
			bad("incident_time", "err.time")
			return
		}
		d = d.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute)
	}
	if d.After(now.Add(24 * time.Hour)) { // a day's grace for time zones
		bad("incident_date", "err.date_future")
		return
	}
	if d.Year() < 1900 {
		bad("incident_date", "err.date")
		return
	}
	in.IncidentAt = &d
}

// parsePlace reads where it happened: a US city, state and ZIP, or a
// country outside the US.
func parsePlace(v map[string]string, in *haven.TipInput, bad func(string, string, ...any)) {
	pl := haven.Place{City: strings.TrimSpace(v["city"])}
	if utf8.RuneCountInString(pl.City) > maxShortText {
		bad("city", "err.too_long", maxShortText)
	}
	if v["outside_us"] != "" {
		code := strings.ToUpper(strings.TrimSpace(v["country"]))
		if code == "" {
			bad("country", "err.country_required")
		} else if !isCountry(code) {
			bad("country", "err.country")
		}
		pl.Country = code
		in.Place = pl
		return
	}
	state := strings.ToUpper(strings.TrimSpace(v["state"]))
	if state != "" {
		if _, ok := geo.StateByCode(state); !ok {
			bad("state", "err.state")
		}
	}
	zip := strings.TrimSpace(v["zip"])
	if zip != "" && !validZIP(zip) {
		bad("zip", "err.zip")
	}
	pl.State, pl.ZIP = state, zip
	in.Place = pl
}

func validZIP(z string) bool {
	if len(z) != 5 && len(z) != 10 {
		return false
	}
	for i, r := range z {
		if i == 5 {
			if r != '-' {
				return false
			}
			continue
		}
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// parsePerson reads one person block; any is false when the block is blank
// (a role alone does not count).
func parsePerson(form url.Values, v map[string]string, prefix string, now time.Time, bad func(string, string, ...any)) (haven.PersonMention, bool) {
	var p haven.PersonMention
	any := false
	val := func(f string) string {
		s := strings.ToValidUTF8(form.Get(prefix+f), "\uFFFD")
		v[prefix+f] = s
		s = strings.TrimSpace(s)
		if s != "" && f != "role" {
			any = true
		}
		return s
	}
	p.Role = haven.PersonRole(val("role"))
	p.FirstName, p.LastName, p.Nickname = val("first_name"), val("last_name"), val("nickname")
	for _, f := range []string{"first_name", "last_name", "nickname"} {
		if utf8.RuneCountInString(v[prefix+f]) > 100 {
			bad(prefix+f, "err.too_long", 100)
		}
	}
	if age := val("age"); age != "" {
		n, err := strconv.Atoi(age)
		if err != nil || n < 0 || n > 120 {
			bad(prefix+"age", "err.age")
		} else {
			p.Age = &n
		}
	}
	if dob := val("dob"); dob != "" {
		d, err := time.Parse("2006-01-02", dob)
		switch {
		case err != nil || d.Year() < 1900:
			bad(prefix+"dob", "err.date")
		case d.After(now):
			bad(prefix+"dob", "err.dob_future")
		default:
			p.DateOfBirth = &d
		}
	}
	switch sex := val("sex"); sex {
	case "", "female", "male", "other":
		p.Sex = haven.Sex(sex)
	default:
		bad(prefix+"sex", "err.sex")
	}
	p.Description = val("description")
	if utf8.RuneCountInString(p.Description) > 2000 {
		bad(prefix+"description", "err.too_long", 2000)
	}
	return p, any
}

// parseContact reads the reporter's choice: anonymous, or details to
// reach them by.
func parseContact(v map[string]string, in *haven.TipInput, bad func(string, string, ...any)) {
	name, phone, email := strings.TrimSpace(v["contact_name"]), strings.TrimSpace(v["contact_phone"]), strings.TrimSpace(v["contact_email"])
	switch v["contact_choice"] {
	case "", "anonymous":
		v["contact_choice"] = "anonymous"
		in.Contact.Anonymous = true
		if name != "" || phone != "" || email != "" {
			bad("contact_choice", "err.anonymous_with_details")
		}
		return
	case "named":
	default:
		bad("contact_choice", "err.contact_choice")
		return
	}
	if name == "" && phone == "" && email == "" {
		bad("contact_name", "err.contact_required")
	}
	if utf8.RuneCountInString(name) > maxShortText {
		bad("contact_name", "err.too_long", maxShortText)
	}
	if phone != "" && (len(phone) > 50 || !looksLikePhone(phone)) {
		bad("contact_phone", "err.phone")
	}
	if email != "" && (len(email) > 255 || !looksLikeEmail(email)) {
		bad("contact_email", "err.email")
	}
	in.Contact = haven.Contact{Name: name, Phone: phone, Email: email}
}

func looksLikePhone(s string) bool {
	id := haven.ClassifyOnlineDetail(s)
	return id.Kind == haven.IDPhone && id.Platform == ""
}

func looksLikeEmail(s string) bool {
	return haven.ClassifyOnlineDetail(s).Kind == haven.IDEmail
}
