package usmap

import (
	"encoding/xml"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/geo"
)

type svgDoc struct {
	XMLName xml.Name `xml:"http://www.w3.org/2000/svg svg"`
	ViewBox string   `xml:"viewBox,attr"`
	Title   string   `xml:"title"`
	Groups  []svgG   `xml:"g"`
}

type svgG struct {
	Class  string    `xml:"class,attr"`
	State  string    `xml:"data-state,attr"`
	Title  string    `xml:"title"`
	Paths  []svgPath `xml:"path"`
	Groups []svgG    `xml:"g"`
	Rects  []svgRect `xml:"rect"`
	Texts  []string  `xml:"text"`
}

type svgPath struct {
	ID    string `xml:"id,attr"`
	State string `xml:"data-state,attr"`
	Class string `xml:"class,attr"`
	D     string `xml:"d,attr"`
	Style string `xml:"style,attr"`
	Title string `xml:"title"`
}

type svgRect struct {
	Class string `xml:"class,attr"`
}

func parse(t *testing.T, svg string) svgDoc {
	t.Helper()
	var doc svgDoc
	d := xml.NewDecoder(strings.NewReader(svg))
	d.Strict = true
	if err := d.Decode(&doc); err != nil {
		t.Fatalf("map is not well-formed SVG: %v", err)
	}
	return doc
}

func group(doc svgDoc, class string) svgG {
	for _, g := range doc.Groups {
		if g.Class == class {
			return g
		}
	}
	return svgG{}
}

func TestRenderDrawsEveryStateWithItsBucketAndTitle(t *testing.T) {
	counts := map[string]int{"TX": 100, "CA": 81, "NY": 60, "DC": 41, "WY": 20, "VT": 1, "PR": 7, "GU": 3, "XX": 5000}
	want := map[string]string{"TX": "b5", "CA": "b5", "NY": "b3", "DC": "b3", "WY": "b1", "VT": "b1", "OH": "b0"}
	svg := string(Render(counts, Options{Title: "Open reports by state", Noun: "reports"}))
	doc := parse(t, svg)
	if doc.Title != "Open reports by state" {
		t.Errorf("map title = %q", doc.Title)
	}
	if strings.Contains(svg, "style=") || strings.Contains(svg, "<script") {
		t.Error("map has inline style or script, which the CSP forbids")
	}
	states := group(doc, "usmap-states")
	byState := map[string]svgPath{}
	ids := map[string]bool{}
	for _, p := range states.Paths {
		byState[p.State] = p
		if ids[p.ID] {
			t.Errorf("duplicate id %q", p.ID)
		}
		ids[p.ID] = true
		if !regexp.MustCompile(`^M[-0-9.,MLZ]+Z$`).MatchString(p.D) {
			t.Errorf("%s: path data %.40q… is not plain M/L/Z", p.State, p.D)
		}
	}
	if len(byState) != 51 {
		t.Errorf("map draws %d states, want 51 (50 states and DC)", len(byState))
	}
	for _, s := range geo.ReportingJurisdictions() {
		if s.Code == "PR" {
			continue
		}
		p, ok := byState[s.Code]
		if !ok {
			t.Errorf("%s (%s) is not drawn", s.Code, s.Name)
			continue
		}
		wantTitle := s.Name + ": " + itoa(counts[s.Code]) + " reports"
		if p.Title != wantTitle {
			t.Errorf("%s title = %q, want %q", s.Code, p.Title, wantTitle)
		}
		if p.ID != "usmap-"+s.Code {
			t.Errorf("%s id = %q", s.Code, p.ID)
		}
		if w, ok := want[s.Code]; ok && p.Class != w {
			t.Errorf("%s (count %d) class = %q, want %q", s.Code, counts[s.Code], p.Class, w)
		}
	}

	// The legend shows each bucket's range.
	legend := group(doc, "usmap-legend")
	if got := strings.Join(legend.Texts, "|"); got != "Reports|0|1–20|21–40|41–60|61–80|81–100" {
		t.Errorf("legend = %q", got)
	}

	// DC and the territories are listed with their counts and buckets.
	others := group(doc, "usmap-others")
	listed := map[string]svgG{}
	for _, g := range others.Groups {
		listed[g.State] = g
	}
	for code, wantText := range map[string]string{"DC": "DC: 41", "PR": "PR: 7", "GU": "GU: 3", "VI": "VI: 0", "AS": "AS: 0", "MP": "MP: 0"} {
		g, ok := listed[code]
		if !ok {
			t.Errorf("%s not listed beside the map", code)
			continue
		}
		if len(g.Texts) != 1 || g.Texts[0] != wantText {
			t.Errorf("%s listed as %q, want %q", code, g.Texts, wantText)
		}
		s, _ := geo.StateByCode(code)
		if g.Title != s.Name+": "+itoa(counts[code])+" reports" {
			t.Errorf("%s list title = %q", code, g.Title)
		}
	}
	if _, ok := listed["UM"]; ok {
		t.Error("U.S. Minor Outlying Islands listed with no count")
	}
	if got := listed["PR"].Rects[0].Class; got != "b1" {
		t.Errorf("PR (7 of 100) bucket = %q, want b1", got)
	}
}

func TestRenderEscapesTextAndIDs(t *testing.T) {
	svg := string(Render(map[string]int{"TX": 1}, Options{Title: `Reports <script>alert(1)</script> & "more"`, ID: `x" onload="evil`}))
	doc := parse(t, svg)
	if doc.Title != `Reports <script>alert(1)</script> & "more"` {
		t.Errorf("title round-trip = %q", doc.Title)
	}
	if strings.Contains(svg, "<script") || strings.Contains(svg, "onload=") {
		t.Errorf("unescaped input in map: %.200s", svg)
	}
	if !strings.Contains(svg, `id="xonloadevil-TX"`) {
		t.Error("id prefix not sanitised")
	}
}

func TestRenderWithNoCounts(t *testing.T) {
	doc := parse(t, string(Render(nil, Options{})))
	for _, p := range group(doc, "usmap-states").Paths {
		if p.Class != "b0" {
			t.Errorf("%s class = %q with no counts, want b0", p.State, p.Class)
		}
		if !strings.HasSuffix(p.Title, ": 0") {
			t.Errorf("%s title = %q", p.State, p.Title)
		}
	}
	if got := strings.Join(group(doc, "usmap-legend").Texts, "|"); got != "Count|0" {
		t.Errorf("legend with no counts = %q, want only the zero class", got)
	}
}

func TestBucket(t *testing.T) {
	for _, c := range []struct{ n, top, want int }{
		{0, 10, 0}, {-1, 10, 0}, {1, 0, 0}, {1, 10, 1}, {2, 10, 1}, {3, 10, 2}, {10, 10, 5}, {11, 10, 5},
		{1, 1, 5}, {1, 3, 2}, {2, 3, 4}, {3, 3, 5},
	} {
		if got := Bucket(c.n, c.top); got != c.want {
			t.Errorf("Bucket(%d, %d) = %d, want %d", c.n, c.top, got, c.want)
		}
	}
	// Every count in a legend range lands in that range's bucket.
	for _, top := range []int{1, 3, 7, 10, 99, 1000} {
		for k := 1; k <= Buckets; k++ {
			lo, hi, ok := bucketRange(k, top)
			for n := lo; ok && n <= hi; n++ {
				if Bucket(n, top) != k {
					t.Fatalf("top %d: %d is in legend range %d–%d but bucket %d", top, n, lo, hi, Bucket(n, top))
				}
			}
		}
	}
}

func itoa(n int) string { return strconv.Itoa(n) }

func BenchmarkRender(b *testing.B) {
	counts := map[string]int{}
	for i, s := range geo.States {
		counts[s.Code] = i * 7
	}
	Render(counts, Options{})
	b.ReportAllocs()
	for b.Loop() {
		Render(counts, Options{Title: "Reports", Noun: "reports"})
	}
}
