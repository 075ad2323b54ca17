// Package usmap draws a server-rendered choropleth of the United States as
// inline SVG: one <path> per state, coloured by class (b0…b5) so that the
// page's stylesheet, not inline styles, sets the colours (Haven's CSP forbids
// inline styles).
//
// The state outlines are the US Census Bureau's 2017 cartographic boundaries
// as redistributed by the us-atlas npm package (ISC licence), pre-projected
// with d3.geoAlbersUsa into a 975×610 viewport (Alaska and Hawaii inset).
// scripts/geo-data.sh decodes the TopoJSON into SVG path data at build time
// (states.txt.gz); at run time Render only writes paths. Puerto Rico and the
// island territories are not in the projected atlas: they, and DC (a few
// pixels on the map), are listed beside the map as text with their counts.
package usmap

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strconv"
	"strings"
	"sync"

	"github.com/haven-oss/haven/internal/geo"
)

//go:embed states.txt.gz
var statesGz []byte

// Buckets is the number of non-zero colour classes: b1 (fewest) … b5 (most).
// b0 is a count of zero or no count.
const Buckets = 5

// Size of the drawing: the 975×610 Albers map plus a side panel for the
// legend and the jurisdictions the map cannot show.
const (
	mapWidth   = 975
	panelX     = 995
	viewWidth  = 1215
	viewHeight = 610
)

// Options control a rendering.
type Options struct {
	// Title is the map's accessible name, e.g. "Open reports by state".
	Title string
	// Noun follows each count in the titles, e.g. "reports" ("Texas: 12 reports").
	// Empty means just the number.
	Noun string
	// Max fixes the top of the scale, so that maps drawn side by side share
	// one; zero means the largest count.
	Max int
	// ID prefixes the element ids (default "usmap"), so a page can hold
	// more than one map. Only letters, digits, '-' and '_' are kept.
	ID string
}

type statePath struct {
	state geo.State
	d     string
}

var paths = sync.OnceValue(func() []statePath {
	zr, err := gzip.NewReader(bytes.NewReader(statesGz))
	if err != nil {
		panic("usmap: embedded paths: " + err.Error())
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		panic("usmap: embedded paths: " + err.Error())
	}
	byFIPS := map[string]geo.State{}
	for _, s := range geo.States {
		byFIPS[s.FIPS] = s
	}
	var out []statePath
	sc := bufio.NewScanner(bytes.NewReader(b))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		fips, d, ok := strings.Cut(sc.Text(), "\t")
		s, known := byFIPS[fips]
		if !ok || !known {
			panic("usmap: embedded paths: bad line for " + fips)
		}
		out = append(out, statePath{s, d})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].state.Code < out[j].state.Code })
	return out
})

// Bucket returns the colour class number (0…Buckets) of a count on a scale
// whose top is top: 0 for no count, otherwise ceil(Buckets·count/top)
// (at most Buckets), so the largest count is always in the top class.
func Bucket(count, top int) int {
	if count <= 0 || top <= 0 {
		return 0
	}
	return min((Buckets*count+top-1)/top, Buckets)
}

// bucketRange gives the counts that fall in bucket b on a scale to top, and
// whether any whole count does.
func bucketRange(b, top int) (lo, hi int, ok bool) {
	lo = (b-1)*top/Buckets + 1
	hi = b * top / Buckets
	return lo, hi, lo <= hi
}

// Render draws the map. counts is keyed by USPS postal code ("TX", "DC",
// "PR"); codes that are not states, DC or territories are ignored. The
// result is a single well-formed <svg> element, safe to place inline in a
// page: every piece of text in it is escaped.
func Render(counts map[string]int, opts Options) template.HTML {
	id := sanitizeID(opts.ID)
	top := opts.Max
	if top <= 0 {
		for code, n := range counts {
			if _, ok := geo.StateByCode(code); ok {
				top = max(top, n)
			}
		}
	}
	var b strings.Builder
	b.Grow(150 << 10)
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="usmap" viewBox="0 0 %d %d" aria-labelledby="%s-title">`, viewWidth, viewHeight, id)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`, id, esc(opts.Title))
	b.WriteString(`<g class="usmap-states">`)
	for _, p := range paths() {
		n := counts[p.state.Code]
		fmt.Fprintf(&b, `<path id="%s-%s" data-state="%s" data-count="%d" class="b%d" d="%s"><title>%s</title></path>`,
			id, p.state.Code, p.state.Code, n, Bucket(n, top), p.d, esc(label(p.state.Name, n, opts.Noun)))
	}
	b.WriteString(`</g>`)

	// Legend.
	y := 40
	fmt.Fprintf(&b, `<g class="usmap-legend"><text class="usmap-heading" x="%d" y="%d">%s</text>`, panelX, y, esc(legendHeading(opts.Noun)))
	row := func(bucket int, text string) {
		y += 26
		fmt.Fprintf(&b, `<rect class="b%d" x="%d" y="%d" width="18" height="18"/><text x="%d" y="%d">%s</text>`,
			bucket, panelX, y-14, panelX+26, y, esc(text))
	}
	row(0, "0")
	for k := 1; k <= Buckets; k++ {
		lo, hi, ok := bucketRange(k, top)
		switch {
		case !ok:
			continue
		case lo == hi:
			row(k, strconv.Itoa(lo))
		default:
			row(k, fmt.Sprintf("%d–%d", lo, hi))
		}
	}
	b.WriteString(`</g>`)

	// DC and the territories, which the map cannot show (or barely shows).
	y += 48
	fmt.Fprintf(&b, `<g class="usmap-others"><text class="usmap-heading" x="%d" y="%d">DC and territories</text>`, panelX, y)
	for _, s := range others() {
		n := counts[s.Code]
		if s.Code == "UM" && n == 0 {
			continue // uninhabited but for staff: listed only when it has a count
		}
		y += 26
		fmt.Fprintf(&b, `<g id="%s-%s" data-state="%s" data-count="%d"><title>%s</title><rect class="b%d" x="%d" y="%d" width="18" height="18"/><text x="%d" y="%d">%s</text></g>`,
			id, s.Code+"-list", s.Code, n, esc(label(s.Name, n, opts.Noun)), Bucket(n, top), panelX, y-14, panelX+26, y, esc(fmt.Sprintf("%s: %d", s.Code, n)))
	}
	b.WriteString(`</g></svg>`)
	return template.HTML(b.String())
}

// others are DC and the territories, in the order they are listed. DC is
// also drawn, but is a few pixels wide.
var others = sync.OnceValue(func() []geo.State {
	var out []geo.State
	for _, code := range []string{"DC", "PR", "GU", "VI", "AS", "MP", "UM"} {
		s, _ := geo.StateByCode(code)
		out = append(out, s)
	}
	return out
})

func label(name string, n int, noun string) string {
	if noun == "" {
		return fmt.Sprintf("%s: %d", name, n)
	}
	return fmt.Sprintf("%s: %d %s", name, n, noun)
}

func legendHeading(noun string) string {
	if noun == "" {
		return "Count"
	}
	return strings.ToUpper(noun[:1]) + noun[1:]
}

func esc(s string) string { return template.HTMLEscapeString(s) }

func sanitizeID(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_' {
			b.WriteRune(r)
		}
	}
	if b.Len() == 0 {
		return "usmap"
	}
	return b.String()
}
