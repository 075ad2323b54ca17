// Package netviz computes the geometry of Haven's server-rendered pictures
// of a network of reports: where each report sits in the graph (a
// deterministic circular layout, so that the same network always looks the
// same), where each received time falls on a timeline strip, and where each
// state sits on a tile-grid map of the United States. It draws nothing:
// the templates turn its numbers into SVG.
package netviz

import (
	"math"
	"time"
)

// Point is a position in SVG user units.
type Point struct{ X, Y float64 }

// Graph is the geometry of a graph of n nodes of radius NodeRadius.
type Graph struct {
	Width, Height float64
	NodeRadius    float64
	Nodes         []Point // one per node, in the order given
}

// Sizes of the graph: node radius, the room left around the circle for the
// labels under the nodes, the smallest ring, and the space between nodes.
const (
	NodeRadius = 18.0
	margin     = 60.0
	minRing    = 120.0
	gap        = 46.0 // at least a label's width between neighbouring nodes
)

// CircleLayout places n nodes evenly on a circle, the first at the top and
// the rest clockwise, growing the circle with n so that neighbouring nodes
// never overlap; one node sits in the middle. The picture is square.
func CircleLayout(n int) Graph {
	g := Graph{NodeRadius: NodeRadius}
	ring := minRing
	if n > 1 {
		// Neighbours on a ring of radius r are 2r·sin(π/n) apart.
		need := (2*NodeRadius + gap) / (2 * math.Sin(math.Pi/float64(n)))
		ring = math.Max(ring, need)
	}
	side := 2 * (ring + NodeRadius + margin)
	g.Width, g.Height = side, side
	c := side / 2
	for i := 0; i < n; i++ {
		if n == 1 {
			g.Nodes = append(g.Nodes, Point{c, c})
			break
		}
		a := -math.Pi/2 + 2*math.Pi*float64(i)/float64(n)
		g.Nodes = append(g.Nodes, Point{X: round(c + ring*math.Cos(a)), Y: round(c + ring*math.Sin(a))})
	}
	return g
}

// round keeps two decimals, so that the SVG stays short and stable.
func round(v float64) float64 { return math.Round(v*100) / 100 }

// TimelineX places times on a strip of the given width (with a margin at
// each end): the earliest at the left, the latest at the right, the rest
// in proportion. One time, or all at once, sit in the middle.
func TimelineX(times []time.Time, width, margin float64) []float64 {
	out := make([]float64, len(times))
	if len(times) == 0 {
		return out
	}
	lo, hi := times[0], times[0]
	for _, t := range times {
		if t.Before(lo) {
			lo = t
		}
		if t.After(hi) {
			hi = t
		}
	}
	span := hi.Sub(lo)
	for i, t := range times {
		if span <= 0 {
			out[i] = round(width / 2)
			continue
		}
		out[i] = round(margin + (width-2*margin)*float64(t.Sub(lo))/float64(span))
	}
	return out
}

// Tile is a jurisdiction's square on the tile-grid map: its column and row.
type Tile struct {
	Code     string
	Col, Row int
}

// TileColumns and TileRows are the size of the tile grid.
const TileColumns, TileRows = 12, 8

// Tiles is a standard tile-grid map of the 50 states, DC and Puerto Rico
// (the layout news graphics commonly use: each state one equal square,
// roughly where it lies), row by row from the north-west.
var Tiles = []Tile{
	{"AK", 0, 0}, {"ME", 11, 0},
	{"WI", 6, 1}, {"VT", 10, 1}, {"NH", 11, 1},
	{"WA", 1, 2}, {"ID", 2, 2}, {"MT", 3, 2}, {"ND", 4, 2}, {"MN", 5, 2}, {"IL", 6, 2}, {"MI", 7, 2}, {"NY", 9, 2}, {"MA", 10, 2},
	{"OR", 1, 3}, {"NV", 2, 3}, {"WY", 3, 3}, {"SD", 4, 3}, {"IA", 5, 3}, {"IN", 6, 3}, {"OH", 7, 3}, {"PA", 8, 3}, {"NJ", 9, 3}, {"CT", 10, 3}, {"RI", 11, 3},
	{"CA", 1, 4}, {"UT", 2, 4}, {"CO", 3, 4}, {"NE", 4, 4}, {"MO", 5, 4}, {"KY", 6, 4}, {"WV", 7, 4}, {"VA", 8, 4}, {"MD", 9, 4}, {"DE", 10, 4},
	{"AZ", 2, 5}, {"NM", 3, 5}, {"KS", 4, 5}, {"AR", 5, 5}, {"TN", 6, 5}, {"NC", 7, 5}, {"SC", 8, 5}, {"DC", 9, 5},
	{"OK", 4, 6}, {"LA", 5, 6}, {"MS", 6, 6}, {"AL", 7, 6}, {"GA", 8, 6},
	{"HI", 0, 7}, {"TX", 4, 7}, {"FL", 9, 7}, {"PR", 11, 7},
}
