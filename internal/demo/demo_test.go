package demo

import (
	"encoding/json"
	"math"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

var base = time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)

func TestSameSeedGivesTheSameDatasetAndAnotherSeedAnother(t *testing.T) {
	a := Generate(42, 800, base)
	b := Generate(42, 800, base)
	if !reflect.DeepEqual(a, b) {
		t.Fatal("two data sets generated from seed 42 differ")
	}
	c := Generate(43, 800, base)
	if reflect.DeepEqual(a.Reports, c.Reports) || reflect.DeepEqual(a.Children, c.Children) {
		t.Fatal("seeds 42 and 43 gave the same reports or children")
	}
	same := 0
	for i := range a.Reports {
		if a.Reports[i].Narrative == c.Reports[i].Narrative {
			same++
		}
	}
	if same > len(a.Reports)/10 {
		t.Errorf("%d of %d narratives are the same for seeds 42 and 43", same, len(a.Reports))
	}
}

func TestTimesDependOnlyOnTheBaseTime(t *testing.T) {
	d := Generate(7, 600, base)
	earliest := base.AddDate(-3, 0, -1)
	check := func(what string, at time.Time) {
		if at.After(base) || at.Before(earliest) {
			t.Errorf("%s at %s, outside the three years before the base time %s", what, at, base)
		}
	}
	for i, r := range d.Reports {
		check("report received", r.ReceivedAt)
		if r.IncidentAt != nil {
			check("incident", *r.IncidentAt)
			if r.IncidentAt.After(r.ReceivedAt) {
				t.Errorf("report %d: incident after it was reported", i)
			}
		}
		if i > 0 && r.ReceivedAt.Before(d.Reports[i-1].ReceivedAt) {
			t.Errorf("report %d received before report %d", i, i-1)
		}
	}
	for _, c := range d.Cases {
		check("case opened", c.Case.OpenedAt)
		if c.Case.ClosedAt != nil {
			check("case closed", *c.Case.ClosedAt)
		}
	}
	later := Generate(7, 600, base.Add(24*time.Hour))
	if got := later.Reports[0].ReceivedAt.Sub(d.Reports[0].ReceivedAt); got != 24*time.Hour {
		t.Errorf("moving the base time a day moved the first report by %s", got)
	}
}

func TestJurisdictionTableFollowsGeo(t *testing.T) {
	js := geo.ReportingJurisdictions()
	if len(js) != len(jurisdictions) {
		t.Fatalf("%d jurisdictions in the table, %d in geo", len(jurisdictions), len(js))
	}
	for i, s := range js {
		if jurisdictions[i].code != s.Code {
			t.Errorf("jurisdiction %d is %s, geo says %s", i, jurisdictions[i].code, s.Code)
		}
	}
}

func TestEveryJurisdictionChannelAndCaseTypeAppears(t *testing.T) {
	d := Generate(1, 2000, base)
	st := Stats(d)
	if st.Jurisdictions != 52 {
		t.Errorf("reports from %d of 52 jurisdictions; none from %v", st.Jurisdictions, st.MissingJurisdictions)
	}
	for _, c := range st.ByChannel {
		if c.N == 0 {
			t.Errorf("no %s reports", c.Key)
		}
	}
	for _, c := range st.ByMissingType {
		if c.N == 0 {
			t.Errorf("no %s reports", c.Key)
		}
	}
	for _, c := range st.ByPriority {
		if c.N == 0 {
			t.Errorf("no %s reports", c.Key)
		}
	}
	if st.CrossStateIdentifiers < 50 {
		t.Errorf("only %d identifiers are shared across states; linking needs more", st.CrossStateIdentifiers)
	}
	// Every jurisdiction has its state police and child-welfare agency.
	for _, s := range geo.ReportingJurisdictions() {
		kinds := map[haven.AgencyKind]bool{}
		for _, a := range d.Agencies {
			if a.State == s.Code && a.Level == haven.LevelState {
				kinds[a.Kind] = true
			}
		}
		if !kinds[haven.AgencyLawEnforcement] || !kinds[haven.AgencyChildWelfare] {
			t.Errorf("%s lacks a state law-enforcement or child-welfare agency", s.Code)
		}
	}
	// Every role has a demo account.
	for _, r := range haven.Roles {
		found := false
		for _, u := range d.Users {
			found = found || u.User.Role == r
		}
		if !found {
			t.Errorf("no demo account with role %s", r)
		}
	}
	// Missing from care: the child-welfare agency holds the report.
	care := 0
	for i, r := range d.Reports {
		if r.MissingFromCare {
			care++
			if l := d.ReportLinks[i].Agency; l < 0 || d.Agencies[l].Kind != haven.AgencyChildWelfare {
				t.Errorf("missing-from-care report %d is not held by a child-welfare agency", i)
			}
		}
	}
	if care == 0 {
		t.Error("no missing-from-care reports")
	}
}

func TestLikelyVictimSharesMatchThePublishedRates(t *testing.T) {
	for _, tc := range []struct {
		seed    uint64
		reports int
	}{{1, 600}, {2, 600}, {1, 5000}, {99, 5000}} {
		d := Generate(tc.seed, tc.reports, base)
		st := Stats(d)
		r, f := st.RunawayChildren, st.FromCareChildren
		if r < 50 || f < 15 {
			t.Fatalf("seed %d, %d reports: only %d runaway children, %d from care", tc.seed, tc.reports, r, f)
		}
		// Exactly the nearest whole number of children: the error is at most
		// half a child.
		if want := int(math.Round(float64(r) / 6)); st.RunawayLikelyVictims != want {
			t.Errorf("seed %d, %d reports: %d of %d runaway children are likely victims, want %d",
				tc.seed, tc.reports, st.RunawayLikelyVictims, r, want)
		}
		if want := int(math.Round(float64(f) * 0.19)); st.FromCareLikelyVictims != want {
			t.Errorf("seed %d, %d reports: %d of %d children who ran from care are likely victims, want %d",
				tc.seed, tc.reports, st.FromCareLikelyVictims, f, want)
		}
		tol := 0.02
		if tc.reports >= 5000 {
			tol = 0.005
		}
		if got := st.RunawayShare(); math.Abs(got-1.0/6) > tol {
			t.Errorf("seed %d, %d reports: runaway share %.4f, want 1/6 ± %.3f", tc.seed, tc.reports, got, tol)
		}
		if got := st.FromCareShare(); math.Abs(got-0.19) > tol {
			t.Errorf("seed %d, %d reports: from-care share %.4f, want 0.19 ± %.3f", tc.seed, tc.reports, got, tol)
		}
		// Every runaway child has a case.
		hasCase := make([]bool, len(d.Children))
		for _, c := range d.Cases {
			hasCase[c.Child] = true
		}
		for i, r := range d.Reports {
			if l := d.ReportLinks[i]; r.MissingType == haven.MissingEndangeredRunaway && !hasCase[l.Child] {
				t.Errorf("runaway child %d has no case", l.Child)
			}
		}
	}
}

func TestEveryRecordIsValid(t *testing.T) {
	d := Generate(5, 1000, base)
	for i, a := range d.Agencies {
		if err := a.Validate(); err != nil {
			t.Errorf("agency %d: %v", i, err)
		}
	}
	for _, u := range d.Users {
		if err := haven.ValidateUsername(u.User.Username); err != nil {
			t.Errorf("user %s: %v", u.User.Username, err)
		}
		if err := haven.ValidatePassword(u.User.Password); err != nil {
			t.Errorf("user %s: %v", u.User.Username, err)
		}
		if u.User.Role.NeedsAgency() && u.Agency < 0 {
			t.Errorf("user %s needs an agency", u.User.Username)
		}
	}
	for i, c := range d.Children {
		if err := c.Validate(base); err != nil {
			t.Errorf("child %d: %v", i, err)
		}
	}
	for i, r := range d.Reports {
		r.Normalize()
		if err := r.Validate(base); err != nil {
			t.Errorf("report %d: %v", i, err)
		}
		if r.Priority == haven.PriorityNone || r.Status == "" {
			t.Errorf("report %d has no priority or status", i)
		}
		if r.State == "" {
			t.Errorf("report %d has no state", i)
		}
		if l := d.ReportLinks[i]; l.Child >= 0 && r.People[0].Role != haven.PersonChild {
			t.Errorf("report %d is linked to a child but its first mention is a %s", i, r.People[0].Role)
		}
	}
	for i, c := range d.Cases {
		c.Case.ChildID = 1 // IDs come when stored
		if err := c.Case.Validate(); err != nil {
			t.Errorf("case %d: %v", i, err)
		}
		if len(c.Reports) == 0 {
			t.Errorf("case %d joins no reports", i)
		}
	}
}

// texts returns every plain string in v (fields of type string, not the
// enumerations with their own string types), walking pointers, slices and
// structs.
func texts(v reflect.Value, out *[]string) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if !v.IsNil() {
			texts(v.Elem(), out)
		}
	case reflect.Struct:
		for i := 0; i < v.NumField(); i++ {
			texts(v.Field(i), out)
		}
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			texts(v.Index(i), out)
		}
	case reflect.String:
		if v.Type() == reflect.TypeOf("") && v.String() != "" {
			*out = append(*out, v.String())
		}
	}
}

func allTexts(d *Dataset) []string {
	var out []string
	texts(reflect.ValueOf(d).Elem(), &out)
	return out
}

func TestContactDetailsAreReservedForFiction(t *testing.T) {
	d := Generate(11, 2000, base)
	e164 := regexp.MustCompile(`^\+1[2-9]\d\d55501\d\d$`)
	phones := 0
	checkPhone := func(what, p string) {
		if p == "" {
			return
		}
		phones++
		if !e164.MatchString(p) {
			t.Errorf("%s phone %q is not a fictional NXX-555-01xx number in E.164", what, p)
		}
	}
	emails := 0
	checkEmail := func(what, e string) {
		if e == "" {
			return
		}
		emails++
		if !strings.HasSuffix(e, "@example.com") {
			t.Errorf("%s e-mail %q is not at example.com", what, e)
		}
	}
	for _, a := range d.Agencies {
		checkPhone("agency", a.Phone24x7)
		checkEmail("agency", a.Email)
		for _, c := range a.Contacts {
			checkPhone("agency contact", c.Phone)
			checkEmail("agency contact", c.Email)
		}
	}
	for _, u := range d.Users {
		checkEmail("user", u.User.Email)
	}
	for _, r := range d.Reports {
		checkPhone("reporter", r.Reporter.Phone)
		checkEmail("reporter", r.Reporter.Email)
		for _, id := range r.Identifiers {
			switch id.Kind {
			case haven.IDPhone:
				checkPhone("identifier", id.Value)
			case haven.IDEmail:
				checkEmail("identifier", id.Value)
			}
		}
	}
	if phones < 1000 || emails < 1000 {
		t.Fatalf("only %d phones and %d e-mails checked", phones, emails)
	}

	// And whatever looks like a phone, an e-mail address, a URL or an IP
	// address anywhere in the text.
	written := regexp.MustCompile(`\(?\b\d{3}\)?[-. ]\d{3}[-. ]\d{4}\b`)
	fictional := regexp.MustCompile(`^\d{3}-555-01\d\d$`)
	anyEmail := regexp.MustCompile(`[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+`)
	anyURL := regexp.MustCompile(`https?://([^/\s]+)`)
	anyIP := regexp.MustCompile(`\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b`)
	docIP := regexp.MustCompile(`^(192\.0\.2|198\.51\.100|203\.0\.113)\.\d{1,3}$`)
	for _, s := range allTexts(d) {
		for _, p := range written.FindAllString(s, -1) {
			if !fictional.MatchString(p) {
				t.Errorf("%q in %q is not a fictional number", p, s)
			}
		}
		for _, e := range anyEmail.FindAllString(s, -1) {
			if !strings.HasSuffix(e, "@example.com") {
				t.Errorf("%q in %q is not at example.com", e, s)
			}
		}
		for _, m := range anyURL.FindAllStringSubmatch(s, -1) {
			if h := m[1]; h != "example.com" && !strings.HasSuffix(h, ".example.com") {
				t.Errorf("URL host %q in %q is not under example.com", h, s)
			}
		}
		for _, ip := range anyIP.FindAllString(s, -1) {
			if !docIP.MatchString(ip) {
				t.Errorf("IP address %q in %q is not in a documentation range", ip, s)
			}
		}
	}
}

func TestTextIsPlainNonGraphicAndMarkedSynthetic(t *testing.T) {
	d := Generate(3, 3000, base)
	// Anywhere in a word, and as whole words.
	fragments := []string{"prostitut", "porn", "nude", "naked", "explicit", "escort", "sexual", "molest", "hooker",
		"whore", "intercourse", "genital", "lingerie", "condom", "slut", "strip club", "stripper", "breast", "underwear",
		"abuse material", "seduc"}
	words := map[string]bool{"sex": true, "sexy": true, "rape": true, "raped": true, "pimp": true, "pimps": true,
		"trick": true, "tricks": true, "john": true, "johns": true, "hoe": true, "hoes": true, "body": true,
		"virgin": true, "bed": true, "kiss": true, "touch": true, "touched": true, "date": true, "dates": true}
	for _, s := range allTexts(d) {
		low := strings.ToLower(s)
		for _, f := range fragments {
			if strings.Contains(low, f) {
				t.Errorf("forbidden %q in %q", f, s)
			}
		}
		for _, w := range strings.FieldsFunc(low, func(r rune) bool { return !unicode.IsLetter(r) }) {
			if words[w] {
				t.Errorf("forbidden word %q in %q", w, s)
			}
		}
	}
	for i, r := range d.Reports {
		if !strings.HasPrefix(r.Narrative, Marker+" ") {
			t.Errorf("report %d's narrative does not start with %q: %q", i, Marker, r.Narrative)
		}
		if n := len(r.Narrative); n > 900 {
			t.Errorf("report %d's narrative has %d characters; keep them short", i, n)
		}
		for _, id := range r.Indicators {
			found := false
			for _, x := range Indicators {
				found = found || x == id
			}
			if !found {
				t.Errorf("report %d has indicator %q, not in the taxonomy", i, id)
			}
		}
	}
	for i, c := range d.Children {
		if !strings.HasPrefix(c.Description, ChildMarker+" ") {
			t.Errorf("child %d's description does not start with %q", i, ChildMarker)
		}
	}
	for _, a := range d.Agencies {
		if !strings.HasSuffix(a.Name, " (demo)") {
			t.Errorf("agency %q is not marked (demo)", a.Name)
		}
	}
	for _, id := range Indicators {
		if indicatorSentences[id] == nil {
			t.Errorf("indicator %q has no narrative sentence", id)
		}
	}
}

func TestSmallAndEmptyDataSets(t *testing.T) {
	for _, n := range []int{0, 1, 6, 20} {
		d := Generate(1, n, base)
		if len(d.Reports) != n {
			t.Errorf("asked for %d reports, got %d", n, len(d.Reports))
		}
		if n >= 6 {
			for _, c := range Stats(d).ByChannel {
				if c.N == 0 {
					t.Errorf("%d reports: no %s report", n, c.Key)
				}
			}
		}
	}
}

// BenchmarkGenerate measures generating a data set, per report, next to a
// baseline in the same process: encoding the same reports as JSON, a fixed
// CPU-bound job over the same amount of data.
func BenchmarkGenerate(b *testing.B) {
	const n = 2000
	var perReport = map[string]float64{}
	b.Run("baseline_json_encode", func(b *testing.B) {
		d := Generate(1, n, base)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := json.Marshal(d.Reports); err != nil {
				b.Fatal(err)
			}
		}
		perReport["baseline"] = float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(perReport["baseline"], "ns/report")
	})
	b.Run("generate", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			Generate(1, n, base)
		}
		perReport["generate"] = float64(b.Elapsed().Nanoseconds()) / float64(b.N*n)
		b.ReportMetric(perReport["generate"], "ns/report")
	})
	if perReport["baseline"] > 0 {
		b.Logf("generate/baseline_json_encode = %.2f (time per report)", perReport["generate"]/perReport["baseline"])
	}
}

func TestDemoAgenciesHaveCountyAndZIPJurisdictions(t *testing.T) {
	d := Generate(5, 10, base)
	byName := map[string]*haven.Agency{}
	for _, a := range d.Agencies {
		byName[a.Name] = a
	}
	cases := []struct {
		name             string
		counties, states string
	}{
		{"Houston Police Department (demo)", "48201", "TX"},
		{"Travis County Sheriff's Office (demo)", "48453,48491", "TX"},
		{"Four Rivers Nation Police (demo)", "04001,35031,35045", "AZ,NM"},
	}
	for _, c := range cases {
		a := byName[c.name]
		if a == nil {
			t.Errorf("no agency %q", c.name)
			continue
		}
		a.Normalize()
		if got := strings.Join(a.Counties, ","); got != c.counties {
			t.Errorf("%s covers counties %s, want %s", c.name, got, c.counties)
		}
		if got := strings.Join(a.Jurisdiction(), ","); got != c.states {
			t.Errorf("%s sees states %s, want %s", c.name, got, c.states)
		}
	}
	if a := byName["Houston Police Department (demo)"]; a == nil || len(a.ZIPs) == 0 {
		t.Error("the Houston police list no ZIP codes")
	}
	if a := byName["Interstate Child Exploitation Task Force (demo)"]; a == nil || !a.Nationwide() {
		t.Error("the federal task force is not nationwide")
	}
}
