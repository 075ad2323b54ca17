package geo

import "testing"

func TestReportingJurisdictionsAreFiftyStatesDCAndPuertoRico(t *testing.T) {
	js := ReportingJurisdictions()
	if len(js) != 52 {
		t.Fatalf("got %d reporting jurisdictions, want 52 (50 states, DC, PR)", len(js))
	}
	seen := map[string]bool{}
	for _, s := range js {
		seen[s.Code] = true
	}
	for _, c := range []string{"DC", "PR", "TX", "AK", "WY"} {
		if !seen[c] {
			t.Errorf("%s missing from reporting jurisdictions", c)
		}
	}
	if seen["GU"] {
		t.Error("Guam is a territory outside the 52 reporting jurisdictions")
	}
}

func TestStateByCode(t *testing.T) {
	if s, ok := StateByCode("PR"); !ok || s.Name != "Puerto Rico" || !s.Territory {
		t.Fatalf("PR = %+v, %v", s, ok)
	}
	if _, ok := StateByCode("XX"); ok {
		t.Fatal("XX should not be a state")
	}
}
