package netviz

import (
	"math"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/geo"
)

func TestCircleLayoutKeepsNodesApartAndInside(t *testing.T) {
	for n := 0; n <= 200; n++ {
		g := CircleLayout(n)
		if len(g.Nodes) != n {
			t.Fatalf("n=%d: %d positions", n, len(g.Nodes))
		}
		for i, p := range g.Nodes {
			if p.X-g.NodeRadius < 0 || p.Y-g.NodeRadius < 0 || p.X+g.NodeRadius > g.Width || p.Y+g.NodeRadius > g.Height {
				t.Fatalf("n=%d: node %d at %+v is outside the %gx%g picture", n, i, p, g.Width, g.Height)
			}
			for j := 0; j < i; j++ {
				q := g.Nodes[j]
				if d := math.Hypot(p.X-q.X, p.Y-q.Y); d < 2*g.NodeRadius+1 {
					t.Fatalf("n=%d: nodes %d and %d overlap (%.1f apart)", n, j, i, d)
				}
			}
		}
	}
	if a, b := CircleLayout(7), CircleLayout(7); a.Nodes[3] != b.Nodes[3] || a.Width != b.Width {
		t.Error("the layout is not the same twice")
	}
}

func TestTimelineXOrdersTimesOnTheStrip(t *testing.T) {
	t0 := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	xs := TimelineX([]time.Time{t0, t0.Add(time.Hour), t0.Add(4 * time.Hour)}, 500, 20)
	if xs[0] != 20 || xs[2] != 480 || xs[1] != 135 {
		t.Errorf("got %v, want [20 135 480]", xs)
	}
	if xs := TimelineX([]time.Time{t0}, 500, 20); xs[0] != 250 {
		t.Errorf("one time at %v, want the middle", xs)
	}
}

func TestTilesCoverTheReportingJurisdictionsOnceEach(t *testing.T) {
	want := map[string]bool{}
	for _, s := range geo.ReportingJurisdictions() {
		want[s.Code] = true
	}
	seen := map[string]bool{}
	at := map[[2]int]string{}
	for _, tl := range Tiles {
		if !want[tl.Code] {
			t.Errorf("tile %s is not a reporting jurisdiction", tl.Code)
		}
		if seen[tl.Code] {
			t.Errorf("%s twice", tl.Code)
		}
		seen[tl.Code] = true
		if tl.Col < 0 || tl.Col >= TileColumns || tl.Row < 0 || tl.Row >= TileRows {
			t.Errorf("%s outside the grid", tl.Code)
		}
		if other, ok := at[[2]int{tl.Col, tl.Row}]; ok {
			t.Errorf("%s and %s share a tile", other, tl.Code)
		}
		at[[2]int{tl.Col, tl.Row}] = tl.Code
	}
	if len(seen) != len(want) || len(want) != 52 {
		t.Errorf("%d tiles for %d jurisdictions, want 52", len(seen), len(want))
	}
}
