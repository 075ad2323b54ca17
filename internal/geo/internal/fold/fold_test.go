package fold

import "testing"

func TestName(t *testing.T) {
	for _, c := range [][2]string{
		{"St. Louis", "st louis"}, {"Saint Louis", "st louis"}, {"ST LOUIS", "st louis"},
		{"Doña Ana", "dona ana"}, {"Manu'a", "manua"}, {"Winston-Salem", "winston salem"},
		{"  Mayagüez ", "mayaguez"}, {"Ft. Worth", "fort worth"},
	} {
		if got := Name(c[0]); got != c[1] {
			t.Errorf("Name(%q) = %q, want %q", c[0], got, c[1])
		}
	}
	for _, c := range [][2]string{
		{"Travis County", "travis"}, {"Travis", "travis"}, {"Orleans Parish", "orleans"},
		{"Juneau City and Borough", "juneau"}, {"Bethel Census Area", "bethel"}, {"Carson City", "carson"},
		{"San Juan Municipio", "san juan"}, {"County", "county"},
	} {
		if got := CountyBase(c[0]); got != c[1] {
			t.Errorf("CountyBase(%q) = %q, want %q", c[0], got, c[1])
		}
	}
}
