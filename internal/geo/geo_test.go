package geo

import (
	"runtime"
	"strings"
	"testing"
)

func TestLookupZIP(t *testing.T) {
	for _, c := range []struct {
		in, code, city, state, fips, county string
	}{
		{"78701", "78701", "Austin", "TX", "48453", "Travis County"},
		{"78701-1234", "78701", "Austin", "TX", "48453", "Travis County"},
		{" 10001 ", "10001", "New York", "NY", "36061", "New York County"},
		{"00901", "00901", "San Juan", "PR", "72127", "San Juan Municipio"},
		{"96799", "96799", "Pago Pago", "AS", "60010", "Eastern District"},
		{"96910", "96910", "Hagatna", "GU", "66010", "Guam"},
		{"00802", "00802", "St Thomas", "VI", "78030", "St. Thomas Island"},
		{"70112", "70112", "New Orleans", "LA", "22071", "Orleans Parish"},
		{"99501", "99501", "Anchorage", "AK", "02020", "Anchorage Municipality"},
		{"99689", "99689", "Yakutat", "AK", "02282", "Yakutat City and Borough"},
		{"20500", "20500", "Washington", "DC", "11001", "District of Columbia"},
		{"06103", "06103", "Hartford", "CT", "09110", "Capitol Planning Region"},
		{"00715", "00715", "Mercedita", "PR", "72113", "Ponce Municipio"},
	} {
		z, ok := LookupZIP(c.in)
		if !ok {
			t.Errorf("LookupZIP(%q): not found", c.in)
			continue
		}
		if z.Code != c.code || z.City != c.city || z.State != c.state || z.County.FIPS != c.fips || z.County.Name != c.county || z.County.State != c.state {
			t.Errorf("LookupZIP(%q) = %+v, want %s %s %s %s %s", c.in, z, c.code, c.city, c.state, c.fips, c.county)
		}
		if z.Lat == 0 || z.Lon == 0 {
			t.Errorf("LookupZIP(%q): no coordinates: %+v", c.in, z)
		}
	}
	for _, in := range []string{"", "7870", "787011", "78701-12", "ABCDE", "00000", "09001" /* APO AE: military, no state */} {
		if z, ok := LookupZIP(in); ok {
			t.Errorf("LookupZIP(%q) = %+v, want not found", in, z)
		}
	}
}

// Every ZIP has a state, and a county whose FIPS code exists and begins
// with that state's FIPS code.
func TestEveryZIPHasACountyInItsState(t *testing.T) {
	ix := zips()
	if len(ix.recs) < 41000 {
		t.Fatalf("only %d ZIPs loaded", len(ix.recs))
	}
	states := map[string]bool{}
	for i := range ix.recs {
		z := ix.zip(&ix.recs[i])
		code := z.Code
		s, ok := StateByCode(z.State)
		if !ok {
			t.Errorf("ZIP %s: unknown state %q", code, z.State)
			continue
		}
		states[z.State] = true
		c, ok := CountyByFIPS(z.County.FIPS)
		if !ok {
			t.Errorf("ZIP %s (%s, %s): county FIPS %q does not exist", code, z.City, z.State, z.County.FIPS)
			continue
		}
		if !strings.HasPrefix(c.FIPS, s.FIPS) || c.State != z.State {
			t.Errorf("ZIP %s (%s): county %+v is not in state %s (%s)", code, z.City, c, z.State, s.FIPS)
		}
	}
	for _, s := range States {
		if !states[s.Code] && s.Code != "UM" {
			t.Errorf("no ZIP codes in %s", s.Code)
		}
	}
}

func TestCounties(t *testing.T) {
	for _, c := range []struct {
		fips, name, state string
	}{
		{"48453", "Travis County", "TX"}, {"22071", "Orleans Parish", "LA"}, {"51760", "Richmond city", "VA"},
		{"24510", "Baltimore city", "MD"}, {"24005", "Baltimore County", "MD"}, {"29510", "St. Louis city", "MO"},
		{"32510", "Carson City", "NV"}, {"02110", "Juneau City and Borough", "AK"}, {"02050", "Bethel Census Area", "AK"},
		{"72127", "San Juan Municipio", "PR"}, {"72097", "Mayagüez Municipio", "PR"}, {"11001", "District of Columbia", "DC"},
		{"35013", "Doña Ana County", "NM"}, {"66010", "Guam", "GU"}, {"78010", "St. Croix Island", "VI"},
	} {
		got, ok := CountyByFIPS(c.fips)
		if !ok || got != (County{c.fips, c.name, c.state}) {
			t.Errorf("CountyByFIPS(%s) = %+v, %v; want %s, %s", c.fips, got, ok, c.name, c.state)
		}
	}
	if _, ok := CountyByFIPS("48999"); ok {
		t.Error("CountyByFIPS(48999) found a county that does not exist")
	}
	// Every state, DC and Puerto Rico (and the island territories) has counties.
	for _, s := range States {
		cs := Counties(s.Code)
		if len(cs) == 0 && s.Code != "UM" {
			t.Errorf("Counties(%s) is empty", s.Code)
		}
		for i, c := range cs {
			if c.State != s.Code || !strings.HasPrefix(c.FIPS, s.FIPS) || len(c.FIPS) != 5 {
				t.Errorf("Counties(%s)[%d] = %+v", s.Code, i, c)
			}
			if i > 0 && cs[i-1].Name > c.Name {
				t.Errorf("Counties(%s) not sorted: %q before %q", s.Code, cs[i-1].Name, c.Name)
			}
		}
	}
	for state, want := range map[string]int{"TX": 254, "DC": 1, "PR": 78, "DE": 3, "LA": 64} {
		if got := len(Counties(state)); got != want {
			t.Errorf("len(Counties(%s)) = %d, want %d", state, got, want)
		}
	}
	if got := len(Counties("tx")); got != 254 {
		t.Errorf("Counties(\"tx\") = %d counties, want 254 (case-insensitive)", got)
	}
}

func TestCountyByName(t *testing.T) {
	for _, c := range []struct{ state, name, fips string }{
		{"TX", "Travis", "48453"}, {"TX", "Travis County", "48453"}, {"tx", "TRAVIS COUNTY", "48453"},
		{"LA", "Orleans", "22071"}, {"LA", "Orleans Parish", "22071"}, {"LA", "St. Tammany", "22103"},
		{"LA", "Saint Tammany Parish", "22103"}, {"AK", "Juneau", "02110"}, {"AK", "Juneau City and Borough", "02110"},
		{"AK", "North Slope Borough", "02185"}, {"AK", "Nome Census Area", "02180"},
		{"VA", "Richmond city", "51760"}, {"VA", "Richmond", "51159"}, {"VA", "Richmond County", "51159"},
		{"MD", "Baltimore", "24005"}, {"MD", "Baltimore City", "24510"}, {"MO", "St. Louis City", "29510"},
		{"MO", "Saint Louis", "29189"}, {"NV", "Carson City", "32510"}, {"NV", "Carson", "32510"},
		{"NM", "Dona Ana", "35013"}, {"PR", "Mayaguez", "72097"}, {"PR", "San Juan Municipio", "72127"},
		{"DC", "District of Columbia", "11001"}, {"NY", "New York County", "36061"}, {"NY", "Kings", "36047"},
		{"CT", "Capitol Planning Region", "09110"}, {"CT", "Fairfield County", "09001"},
	} {
		got, ok := CountyByName(c.state, c.name)
		if !ok || got.FIPS != c.fips {
			t.Errorf("CountyByName(%q, %q) = %+v, %v; want %s", c.state, c.name, got, ok, c.fips)
		}
	}
	for _, c := range [][2]string{{"TX", "Orleans"}, {"TX", ""}, {"XX", "Travis"}, {"TX", "County"}} {
		if got, ok := CountyByName(c[0], c[1]); ok {
			t.Errorf("CountyByName(%q, %q) = %+v, want not found", c[0], c[1], got)
		}
	}
}

func TestLookupCity(t *testing.T) {
	fipsOf := func(cs []County) string {
		var s []string
		for _, c := range cs {
			s = append(s, c.FIPS)
		}
		return strings.Join(s, " ")
	}
	for _, c := range []struct{ state, city, want string }{
		{"TX", "Austin", "48453"},
		{"tx", "AUSTIN", "48453"},
		{"MO", "Saint Louis", "29510"},
		{"MO", "St. Louis", "29510"},
		{"MO", "st louis", "29510"},
		{"PR", "San Juan", "72127"},
		{"PR", "Mayagüez", "72097"},
		{"NY", "Brooklyn", "36047"},
	} {
		if got := fipsOf(LookupCity(c.state, c.city)); !strings.Contains(" "+got+" ", " "+c.want+" ") {
			t.Errorf("LookupCity(%q, %q) = %q, want it to include %s", c.state, c.city, got, c.want)
		}
	}
	// Kansas City, Missouri spans several counties.
	if got := LookupCity("MO", "Kansas City"); len(got) < 2 {
		t.Errorf("LookupCity(MO, Kansas City) = %+v, want several counties", got)
	}
	if got := LookupCity("TX", "Nowhere Special"); got != nil {
		t.Errorf("LookupCity(TX, Nowhere Special) = %+v, want nil", got)
	}
	if got := LookupCity("CA", "Austin"); got != nil {
		t.Errorf("LookupCity(CA, Austin) = %+v, want nil", got)
	}
}

func TestAreaCodeState(t *testing.T) {
	for _, c := range []struct{ code, state string }{
		{"202", "DC"}, {"771", "DC"}, {"512", "TX"}, {"737", "TX"}, {"945", "TX"}, {"212", "NY"}, {"917", "NY"},
		{"787", "PR"}, {"939", "PR"}, {"671", "GU"}, {"340", "VI"}, {"684", "AS"}, {"670", "MP"},
		{"907", "AK"}, {"808", "HI"}, {"206", "WA"}, {"360", "WA"}, {"564", "WA"}, {"203", "CT"}, {"839", "SC"},
	} {
		if got, ok := AreaCodeState(c.code); !ok || got != c.state {
			t.Errorf("AreaCodeState(%s) = %q, %v; want %s", c.code, got, ok, c.state)
		}
	}
	for _, code := range []string{"800", "888", "877", "866", "855", "844", "833", "900", "500", "533", "700", "710", "911", "555", "000", "", "51", "5120",
		"416" /* Toronto */, "876" /* Jamaica */, "809" /* Dominican Republic */} {
		if got, ok := AreaCodeState(code); ok {
			t.Errorf("AreaCodeState(%q) = %q, want none", code, got)
		}
	}
	// Every state and DC has at least one area code.
	have := map[string]bool{}
	for _, st := range areaCodes() {
		have[st] = true
	}
	for _, s := range ReportingJurisdictions() {
		if !have[s.Code] {
			t.Errorf("no area code for %s", s.Code)
		}
	}
}

func TestStateByName(t *testing.T) {
	for name, code := range map[string]string{
		"Texas": "TX", "new york": "NY", "District of Columbia": "DC", "Washington, D.C.": "DC",
		"Puerto Rico": "PR", "U.S. Virgin Islands": "VI", "Virgin Islands": "VI", "  GUAM ": "GU",
	} {
		if s, ok := StateByName(name); !ok || s.Code != code {
			t.Errorf("StateByName(%q) = %+v, %v; want %s", name, s, ok, code)
		}
	}
	for _, name := range []string{"", "Texass", "TX", "Ontario"} {
		if s, ok := StateByName(name); ok {
			t.Errorf("StateByName(%q) = %+v, want none", name, s)
		}
	}
}

func BenchmarkLookupZIP(b *testing.B) {
	codes := []string{"78701", "10001", "00901", "99501", "78701-1234", "99999"}
	LookupZIP("78701")
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		LookupZIP(codes[i%len(codes)])
	}
}

// BenchmarkLoad measures what loading the embedded data costs: the time of
// one load and the live heap it leaves (reported as heap-MB).
func BenchmarkLoad(b *testing.B) {
	var heap uint64
	for b.Loop() {
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		c := loadCounties()
		z := loadZIPs(c)
		a := loadAreaCodes()
		zipsCities := cityIndex(z)
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = after.HeapAlloc - before.HeapAlloc
		runtime.KeepAlive(c)
		runtime.KeepAlive(z)
		runtime.KeepAlive(a)
		runtime.KeepAlive(zipsCities)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}
