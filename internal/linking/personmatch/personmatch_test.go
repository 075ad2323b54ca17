package personmatch

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	edlib "github.com/hbollon/go-edlib"
)

func TestJaroWinklerKnownValues(t *testing.T) {
	// Winkler's published examples.
	for _, c := range []struct {
		a, b string
		want float64
	}{
		{"martha", "marhta", 0.9611},
		{"dwayne", "duane", 0.84},
		{"dixon", "dicksonx", 0.8133},
		{"same", "same", 1},
		{"", "abc", 0},
		{"abc", "xyz", 0},
	} {
		if got := jaroWinkler(c.a, c.b); math.Abs(got-c.want) > 5e-5 {
			t.Errorf("jaroWinkler(%q, %q) = %.4f, want %.4f", c.a, c.b, got, c.want)
		}
	}
}

// The fast implementations (bit sets for short ASCII strings, runes
// otherwise) agree with an independent one on random strings.
func TestJaroWinklerAgreesWithGoEdlib(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	word := func(alphabet []rune, n int) string {
		r := make([]rune, n)
		for i := range r {
			r[i] = alphabet[rng.IntN(len(alphabet))]
		}
		return string(r)
	}
	ascii := []rune("abcdefgh")
	wide := []rune("aäbcčdeé")
	for i := 0; i < 20000; i++ {
		alpha := ascii
		if i%4 == 0 {
			alpha = wide
		}
		n := 2 + rng.IntN(12)
		if i%50 == 0 {
			n = 65 + rng.IntN(30) // past the 64-character fast path
		}
		a := word(alpha, n)
		// b: a variant of a (to reach high similarities) or independent.
		b := word(alpha, 2+rng.IntN(12))
		if i%2 == 0 {
			r := []rune(a)
			k := rng.IntN(len(r) - 1)
			r[k], r[k+1] = r[k+1], r[k]
			b = string(r)
		}
		want := float64(edlib.JaroWinklerSimilarity(a, b))
		if got := jaroWinkler(a, b); math.Abs(got-want) > 1e-5 {
			t.Fatalf("jaroWinkler(%q, %q) = %.6f, go-edlib says %.6f", a, b, got, want)
		}
		if isASCII(a) && isASCII(b) {
			if got := similarity(a, b, true); math.Abs(got-want) > 1e-5 {
				t.Fatalf("similarity(%q, %q) = %.6f, go-edlib says %.6f", a, b, got, want)
			}
		}
	}
}

func TestOneEdit(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want bool
	}{
		{"5162", "5126", true},  // adjacent transposition
		{"5162", "5163", true},  // substitution
		{"5162", "562", true},   // deletion
		{"562", "5162", true},   // insertion
		{"5162", "5612", true},  // adjacent transposition
		{"5162", "6512", false}, // two moves
		{"5162", "5162", false}, // equal is not an edit
		{"5162", "6152", false}, // distant swap
		{"a", "", true},
		{"19601231", "19601213", true},
	} {
		if got := oneEdit(c.a, c.b); got != c.want {
			t.Errorf("oneEdit(%q, %q) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
}

func TestNYSIISGivesSoundAlikeNamesOneCode(t *testing.T) {
	for _, c := range []struct{ name, code string }{
		{"catherine", "CATARAN"},
		{"knight", "NAGT"},
		{"mcdonald", "MCDANALD"},
		{"", ""},
	} {
		if got := nysiis(c.name); got != c.code {
			t.Errorf("nysiis(%q) = %q, want %q", c.name, got, c.code)
		}
	}
	for _, pair := range [][2]string{
		{"catherine", "katherine"}, {"knight", "night"}, {"macdonald", "mcdonald"},
		{"phillips", "philips"}, {"schmidt", "schmid"}, {"stevens", "steven"},
	} {
		if a, b := nysiis(pair[0]), nysiis(pair[1]); a != b {
			t.Errorf("nysiis(%q) = %q but nysiis(%q) = %q", pair[0], a, pair[1], b)
		}
	}
	if nysiis("smith") == nysiis("jones") {
		t.Error("smith and jones share a code")
	}
}

func levelsOf(a, b Record) pattern {
	pa, pb := prepare(&a), prepare(&b)
	return compare(&pa, &pb, false)
}

func TestCompareLevels(t *testing.T) {
	girl := Record{FirstName: "Alexis", LastName: "Moreno", OtherNames: []string{"Lexi"}, DOB: Date{2009, 4, 12},
		Sex: SexFemale, StreetNumber: "12", Street: "Maple Ave", City: "Dayton", State: "OH", ZIP: "45402"}
	with := func(f func(r *Record)) Record { r := girl; f(&r); return r }
	cases := []struct {
		name  string
		other Record
		field int
		level int
	}{
		{"same name", girl, fFirst, nameExact},
		{"nickname from other names", with(func(r *Record) { r.FirstName, r.OtherNames = "Lexi", nil }), fFirst, nameAlias},
		{"typo", with(func(r *Record) { r.LastName = "Morneo" }), fLast, nameJW94},
		{"initial", with(func(r *Record) { r.FirstName, r.OtherNames = "A.", nil }), fFirst, nameInitial},
		{"spaces and case", with(func(r *Record) { r.LastName = "MO RENO" }), fLast, nameExact},
		{"accents", with(func(r *Record) { r.LastName = "Moreño" }), fLast, nameExact},
		{"placeholder is missing", with(func(r *Record) { r.FirstName = "Unknown" }), fFirst, missing},
		{"names swapped", with(func(r *Record) { r.FirstName, r.LastName = "Moreno", "Alexis" }), fOrder, orderSwapped},
		{"swapped names still exact", with(func(r *Record) { r.FirstName, r.LastName = "Moreno", "Alexis" }), fFirst, nameExact},
		{"different name", with(func(r *Record) { r.FirstName, r.OtherNames = "Brianna", nil }), fFirst, nameDifferent},
		{"same birthday", girl, fDOB, dobExact},
		{"day and month swapped", with(func(r *Record) { r.DOB = Date{2009, 12, 4} }), fDOB, dobDayMonthSwapped},
		{"one digit off", with(func(r *Record) { r.DOB = Date{2009, 4, 13} }), fDOB, dobOneDigit},
		{"same year", with(func(r *Record) { r.DOB = Date{2009, 9, 30} }), fDOB, dobSameYear},
		{"no birthday", with(func(r *Record) { r.DOB = Date{} }), fDOB, missing},
		// On 2024-03-01 she is 14 (her 15th birthday is in April).
		{"age agrees", with(func(r *Record) { r.DOB, r.Age, r.AgeAt = Date{}, 14, Date{2024, 3, 1} }), fDOB, dobAgeAgrees},
		{"age a year off", with(func(r *Record) { r.DOB, r.Age, r.AgeAt = Date{}, 15, Date{2024, 3, 1} }), fDOB, dobAgeWithin1},
		{"age far off", with(func(r *Record) { r.DOB, r.Age, r.AgeAt = Date{}, 19, Date{2024, 3, 1} }), fDOB, dobDifferent},
		{"sex", girl, fSex, same},
		{"sex unknown", with(func(r *Record) { r.Sex = SexUnknown }), fSex, missing},
		{"ZIP slip", with(func(r *Record) { r.ZIP = "45420" }), fZIP, zipOneEdit},
		{"ZIP same area", with(func(r *Record) { r.ZIP = "45499" }), fZIP, zipSameArea},
		{"street typo", with(func(r *Record) { r.Street = "Mapel Ave" }), fStreet, placeJW95},
		{"address lines swapped", with(func(r *Record) { r.Street, r.Street2 = "", "Maple Ave" }), fStreet, missing},
		{"id absent", girl, fID, missing},
		{"no descriptions", girl, fDesc, missing},
	}
	for _, c := range cases {
		if got := levelsOf(girl, c.other).level(c.field); got != c.level {
			t.Errorf("%s: %s level %q, want %q", c.name, fields[c.field].name, fields[c.field].levels[got].name, fields[c.field].levels[c.level].name)
		}
	}
	// Descriptions: shared words, in any order.
	d1 := Record{Description: "Brown hair, star tattoo on left wrist, braces"}
	for _, c := range []struct {
		desc  string
		level int
	}{
		{"braces; tattoo of a star (left wrist), brown hair", descClose},
		{"star tattoo on her ankle, blonde hair", descSome},
		{"tall, red jacket, brown eyes", descLittle},
		{"tall, red jacket", descNone},
	} {
		if got := levelsOf(d1, Record{Description: c.desc}).level(fDesc); got != c.level {
			t.Errorf("description %q: level %q, want %q", c.desc, fields[fDesc].levels[got].name, fields[fDesc].levels[c.level].name)
		}
	}
	// Both ages, no dates: compared through the birth years they imply.
	a := Record{FirstName: "Jo", Age: 15, AgeAt: Date{2024, 6, 1}}
	b := Record{FirstName: "Jo", Age: 16, AgeAt: Date{2025, 5, 1}}
	if got := levelsOf(a, b).level(fDOB); got != dobAgeAgrees {
		t.Errorf("ages 15 in 2024 and 16 in 2025: level %q", fields[fDOB].levels[got].name)
	}
	// Address lines written the other way round compare crossed.
	x := Record{Street: "darwinia terrace", Street2: "the canberra hospital"}
	y := Record{Street: "the canberra hospital", Street2: "darwinia terrace"}
	if p := levelsOf(x, y); p.level(fStreet) != placeExact || p.level(fStreet2) != placeExact {
		t.Errorf("swapped address lines: street %d, line 2 %d", p.level(fStreet), p.level(fStreet2))
	}
}

// EM must find m, u and the share of matches from unlabelled comparison
// patterns alone. Simulated pairs with known parameters: the estimate must
// come back close.
func TestEMRecoversKnownParameters(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	type truth struct {
		field int
		m, u  []float64 // over levels 1..n
	}
	truths := []truth{
		{fFirst, []float64{0.80, 0, 0, 0.08, 0.05, 0.02, 0.02, 0.03}, []float64{0.01, 0, 0, 0.005, 0.01, 0.01, 0.065, 0.90}},
		{fLast, []float64{0.85, 0, 0, 0.07, 0.03, 0.01, 0.01, 0.03}, []float64{0.02, 0, 0, 0.01, 0.02, 0.01, 0.04, 0.90}},
		{fDOB, []float64{0.85, 0.02, 0.06, 0.01, 0.01, 0, 0, 0, 0.05}, []float64{0.001, 0.0001, 0.002, 0.004, 0.04, 0, 0, 0, 0.9529}},
		{fZIP, []float64{0.80, 0.08, 0.04, 0.08}, []float64{0.01, 0.02, 0.05, 0.92}},
		{fCity, []float64{0.80, 0.07, 0.05, 0.03, 0.05}, []float64{0.02, 0.005, 0.01, 0.05, 0.915}},
	}
	draw := func(p []float64) int {
		x := rng.Float64()
		for l, q := range p {
			if x < q {
				return l + 1
			}
			x -= q
		}
		return len(p)
	}
	const n, lambda = 200_000, 0.08
	counts := map[pattern]float64{}
	for i := 0; i < n; i++ {
		match := rng.Float64() < lambda
		var p pattern
		for _, tr := range truths {
			if rng.IntN(20) == 0 {
				continue // missing on one side: neutral
			}
			if match {
				p.set(tr.field, draw(tr.m))
			} else {
				p.set(tr.field, draw(tr.u))
			}
		}
		counts[p]++
	}
	pats := make([]pattern, 0, len(counts))
	for p := range counts {
		pats = append(pats, p)
	}
	slices.Sort(pats)
	cnt := make([]float64, len(pats))
	for i, p := range pats {
		cnt[i] = counts[p]
	}
	// Start as a run does: m from the priors, u from how all pairs compare.
	start := priorParams()
	start.u = frequencies(pats, cnt, start.u)
	got, iters := em(pats, cnt, start, 500)
	if math.Abs(got.lambda-lambda) > 0.005 {
		t.Errorf("lambda %.4f, want %.2f (after %d iterations)", got.lambda, lambda, iters)
	}
	for _, tr := range truths {
		for l := range tr.m {
			if d := math.Abs(got.m[tr.field][l+1] - tr.m[l]); d > 0.01 {
				t.Errorf("%s %s: m %.4f, want %.4f", fields[tr.field].name, fields[tr.field].levels[l+1].name, got.m[tr.field][l+1], tr.m[l])
			}
			if d := math.Abs(got.u[tr.field][l+1] - tr.u[l]); d > 0.005 {
				t.Errorf("%s %s: u %.4f, want %.4f", fields[tr.field].name, fields[tr.field].levels[l+1].name, got.u[tr.field][l+1], tr.u[l])
			}
		}
	}
}

func TestMonotoneWeightsNeverRankANearMissAboveExact(t *testing.T) {
	fd := fields[fCity]
	w := []float64{0, 9, 15, 6, -1, -5} // "similar" above "exact": a quirk of candidate selection
	n := []float64{0, 1000, 50, 40, 30, 5000}
	monotone(&fd, w, n)
	for k := 1; k < len(fd.chain); k++ {
		if w[fd.chain[k]] > w[fd.chain[k-1]] {
			t.Fatalf("weights not monotone: %v", w)
		}
	}
	if w[placeExact] < 9 || w[placeExact] > 9.4 {
		t.Errorf("the well-observed exact level moved too far: %.2f", w[placeExact])
	}
	if w[placeDifferent] != -5 {
		t.Errorf("disagreement changed: %.2f", w[placeDifferent])
	}
}

// people is a small population: a few people each recorded several times
// with slips, and many others.
func people() []Record {
	recs := []Record{
		{ID: "a1", FirstName: "Alexis", LastName: "Moreno", DOB: Date{2009, 4, 12}, City: "Dayton", State: "OH", ZIP: "45402", Street: "Maple Ave", StreetNumber: "12"},
		{ID: "a2", FirstName: "Alexsis", LastName: "Moreno", DOB: Date{2009, 4, 12}, City: "Dayton", State: "OH", ZIP: "45402"},
		{ID: "a3", FirstName: "Moreno", LastName: "Alexis", DOB: Date{2009, 4, 21}, City: "Dayton", State: "OH", Street: "Maple Avenue", StreetNumber: "12"},
		{ID: "b1", FirstName: "Jordan", LastName: "Whitfield", DOB: Date{2011, 8, 30}, City: "Tulsa", State: "OK", ZIP: "74103"},
		{ID: "b2", FirstName: "Jordan", LastName: "Whitfeild", DOB: Date{2011, 8, 30}, City: "Tulsa", State: "OK", ZIP: "74130"},
	}
	rng := rand.New(rand.NewPCG(5, 6))
	syl := []string{"ka", "ro", "mi", "na", "li", "to", "sa", "be", "da", "vi", "lo", "ne", "ri", "ma", "jo", "el", "an", "is", "or", "un"}
	name := func(n int) string {
		var b strings.Builder
		for k := 0; k < n; k++ {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return b.String()
	}
	for i := 0; i < 600; i++ {
		recs = append(recs, Record{
			ID:        fmt.Sprintf("x%d", i),
			FirstName: name(2 + rng.IntN(2)), LastName: name(2 + rng.IntN(2)),
			DOB:          Date{2000 + rng.IntN(18), 1 + rng.IntN(12), 1 + rng.IntN(28)},
			StreetNumber: fmt.Sprint(1 + rng.IntN(300)), Street: name(3) + " street",
			City: name(2), State: "TX", ZIP: fmt.Sprintf("7%04d", rng.IntN(10000)),
		})
	}
	return recs
}

func TestDeduplicateFindsThePeopleRecordedTwiceEachPairOnce(t *testing.T) {
	recs := people()
	res, err := Deduplicate(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]bool{}
	for _, p := range res.Pairs {
		if p.A >= p.B {
			t.Fatalf("pair (%d, %d) not in order", p.A, p.B)
		}
		k := [2]string{recs[p.A].ID, recs[p.B].ID}
		if got[k] {
			t.Fatalf("pair %v suggested twice", k)
		}
		got[k] = true
		if !res.Model.Suggested(p.Score) || p.Probability < 0.5 {
			t.Errorf("pair %v below the threshold: %v", k, p.Score)
		}
	}
	for _, want := range [][2]string{{"a1", "a2"}, {"a1", "a3"}, {"a2", "a3"}, {"b1", "b2"}} {
		if !got[want] {
			t.Errorf("missed %v; found %v", want, got)
		}
	}
	for k := range got {
		if k[0][0] != k[1][0] || k[0][0] == 'x' {
			t.Errorf("suggested two different people: %v", k)
		}
	}
	if res.Candidates >= len(recs)*(len(recs)-1)/2/4 {
		t.Errorf("%d candidates for %d records: blocking is not cutting", res.Candidates, len(recs))
	}
	for i := 1; i < len(res.Pairs); i++ {
		if res.Pairs[i].Weight > res.Pairs[i-1].Weight {
			t.Fatal("pairs not strongest first")
		}
	}
}

func TestLinkPairsOnlyAcrossTheTwoSets(t *testing.T) {
	recs := people()
	onFile := recs[:1:1]
	onFile = append(onFile, recs[3])
	reports := append([]Record{recs[1], recs[4]}, recs[5:]...)
	res, err := Link(onFile, reports, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := map[[2]string]bool{}
	for _, p := range res.Pairs {
		got[[2]string{onFile[p.A].ID, reports[p.B].ID}] = true
	}
	if !got[[2]string{"a1", "a2"}] || !got[[2]string{"b1", "b2"}] || len(got) != 2 {
		t.Errorf("links %v, want a1–a2 and b1–b2", got)
	}
}

func TestAThresholdOverrideIsObeyed(t *testing.T) {
	recs := people()
	high := 1000.0
	res, err := Deduplicate(recs, Options{Threshold: &high})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Pairs) != 0 || res.Model.Threshold != high {
		t.Errorf("threshold %v: %d pairs", res.Model.Threshold, len(res.Pairs))
	}
}

func TestNicknameMatchThroughTheModelAndTheKeys(t *testing.T) {
	child := Record{FirstName: "Alexis", LastName: "Moreno", OtherNames: []string{"Lexi"}, DOB: Date{2009, 4, 12}, State: "OH"}
	tip := Record{FirstName: "Lexi", LastName: "Moreno", Age: 14, AgeAt: Date{2024, 3, 1}, State: "OH"}
	m := DefaultModel(true)
	s := m.Compare(&child, &tip)
	if !m.Suggested(s) {
		t.Errorf("nickname + age + state not suggested: %v", s)
	}
	var levels []string
	for _, e := range m.Evidence(s.Comparison) {
		levels = append(levels, e.Field+"="+e.Level)
	}
	for _, want := range []string{"first name=other name", "last name=exact", "date of birth=age agrees", "state=same"} {
		if !slices.Contains(levels, want) {
			t.Errorf("evidence lacks %q: %v", want, levels)
		}
	}
	shared := 0
	tk := BlockingKeys(&tip)
	for _, k := range BlockingKeys(&child) {
		if slices.Contains(tk, k) {
			shared++
		}
	}
	if shared == 0 {
		t.Errorf("no blocking key in common:\n%v\n%v", BlockingKeys(&child), tk)
	}
	// And a different child of the same surname is not suggested.
	sib := Record{FirstName: "Brianna", LastName: "Moreno", DOB: Date{2013, 1, 5}, State: "OH"}
	if s := m.Compare(&child, &sib); m.Suggested(s) {
		t.Errorf("sibling suggested: %v", s)
	}
}

func TestAStoredModelScoresAsBefore(t *testing.T) {
	recs := people()
	res, err := Deduplicate(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(res.Model)
	if err != nil {
		t.Fatal(err)
	}
	var back Model
	if err := json.Unmarshal(data, &back); err != nil {
		t.Fatal(err)
	}
	p := res.Pairs[0]
	if s := back.Compare(&recs[p.A], &recs[p.B]); s != p.Score {
		t.Errorf("stored model scores %v, fitted model %v", s, p.Score)
	}
}

func TestBatchPairsRecordsThroughOtherNames(t *testing.T) {
	recs := people()
	recs = append(recs,
		Record{ID: "n1", FirstName: "Katherine", LastName: "Oduya", OtherNames: []string{"Kit"}, DOB: Date{2010, 2, 2}, City: "Erie", State: "PA"},
		Record{ID: "n2", FirstName: "Kit", LastName: "Oduya", City: "Erie", State: "PA"},
	)
	res, err := Deduplicate(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range res.Pairs {
		if recs[p.A].ID == "n1" && recs[p.B].ID == "n2" {
			return
		}
	}
	t.Errorf("n1 and n2 (Kit is Katherine's other name) not paired; passes %v", res.Passes)
}

func TestReadFEBRL(t *testing.T) {
	good := "rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id\n" +
		"rec-1-org, kayla, harrington, 38, maltby circuit, coaling, coolaroo, 3465, nsw, 19150612, 9004242\n" +
		"rec-1-dup-0, kayla, harrington, , maltby circuit, coaling, coolaroo, 3465, nsw, 19151342, 9004242\n"
	recs, err := ReadFEBRL(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	want := Record{ID: "rec-1-org", FirstName: "kayla", LastName: "harrington", StreetNumber: "38", Street: "maltby circuit",
		Street2: "coaling", City: "coolaroo", ZIP: "3465", State: "nsw", DOB: Date{1915, 6, 12}, IDNumber: "9004242"}
	if len(recs) != 2 || !recordsEqual(recs[0], want) || recs[1].StreetNumber != "" || recs[1].DOB != (Date{1915, 13, 42}) {
		t.Fatalf("read %+v", recs)
	}
	for _, c := range []struct{ body, want string }{
		{"", "empty file"},
		{"name,surname\nx,y\n", "no rec_id column"},
		{"rec_id,given_name,surname,date_of_birth\nr1,a,b,1990-01-01\n", `line 2: date_of_birth "1990-01-01" is not YYYYMMDD`},
		{"rec_id,given_name,surname\nr1,a,b\nr1,c,d\n", `line 3: rec_id "r1" already appeared on line 2`},
		{"rec_id,given_name,surname\n,a,b\n", "line 2: rec_id is empty"},
		{"rec_id,foo,bar\nr1,a,b\n", "only 1 FEBRL columns"},
	} {
		_, err := ReadFEBRL(strings.NewReader(c.body))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ReadFEBRL(%q): error %v, want %q", c.body, err, c.want)
		}
	}
}

func recordsEqual(a, b Record) bool {
	return a.ID == b.ID && a.FirstName == b.FirstName && a.LastName == b.LastName && a.DOB == b.DOB &&
		a.StreetNumber == b.StreetNumber && a.Street == b.Street && a.Street2 == b.Street2 && a.City == b.City &&
		a.State == b.State && a.ZIP == b.ZIP && a.IDNumber == b.IDNumber
}

func TestEmptyAndTinyInputs(t *testing.T) {
	for _, recs := range [][]Record{nil, {{ID: "only"}}, {{ID: "a"}, {ID: "b"}}} {
		res, err := Deduplicate(recs, Options{})
		if err != nil || len(res.Pairs) != 0 {
			t.Errorf("%d records: %v, %d pairs", len(recs), err, len(res.Pairs))
		}
	}
}

func TestFitGivesDeduplicatesModelWithoutPairs(t *testing.T) {
	recs := people()
	fit, err := Fit(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	dd, err := Deduplicate(recs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(fit.Pairs) != 0 {
		t.Errorf("Fit suggested %d pairs", len(fit.Pairs))
	}
	if fit.Candidates == 0 || fit.Model.Iterations == 0 {
		t.Errorf("candidates %d, iterations %d", fit.Candidates, fit.Model.Iterations)
	}
	a, _ := json.Marshal(fit.Model)
	b, _ := json.Marshal(dd.Model)
	if string(a) != string(b) {
		t.Errorf("Fit's model differs from Deduplicate's:\n%s\n%s", a, b)
	}
}
