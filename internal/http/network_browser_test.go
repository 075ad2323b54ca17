package http_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// An analyst goes from a report to its network, sees the graph drawn with
// the stylesheet's priority colours (no CSP violation), and comes back.
func TestBrowserReportToNetworkAndBack(t *testing.T) {
	e := newTestEnv(t)
	e.withLinking()
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	a := e.linkedReport("(202) 555-0147", haven.P1, "TX", haven.ChannelPublicTip)
	b := e.linkedReport("202-555-0147", haven.P3, "VA", haven.ChannelHotline)

	br := newBrowser(t, e)
	br.enrolAndSignIn("ana.analyst")
	br.open(reportPath(b.ID))
	br.do("open the network", chromedp.Click(chromedp.CSS(`#report-network a`)))
	br.waitFor("the network page", `document.readyState === 'complete' ? location.pathname.split('/')[1] : ''`, "networks")
	br.checkPage()
	nodes := run(br, "graph nodes", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#network-graph .node')).map(n => n.dataset.ref)`))
	if len(nodes) != 2 || nodes[0] != a.Ref || nodes[1] != b.Ref {
		t.Errorf("graph nodes %v, want %s and %s", nodes, a.Ref, b.Ref)
	}
	fill := run(br, "P1 colour", chromedp.Evaluate[string](`getComputedStyle(document.querySelector('#network-graph .pri-1 circle')).fill`))
	if fill != "rgb(164, 36, 27)" {
		t.Errorf("the P1 node is filled %q, want the stylesheet's red", fill)
	}
	width := run(br, "graph width", chromedp.Evaluate[float64](`document.getElementById('network-graph').getBoundingClientRect().width`))
	if width < 200 {
		t.Errorf("the graph is drawn %.0f px wide", width)
	}
	run(br, "back", chromedp.Evaluate[bool](`history.back(), true`))
	br.waitPath(reportPath(b.ID))
	// Read through the page itself: a page restored from the back-forward
	// cache is not one chromedp's DOM queries follow.
	if ref := run(br, "report ref", chromedp.Evaluate[string](`document.getElementById('report-ref').textContent`)); strings.TrimSpace(ref) != b.Ref {
		t.Errorf("back on the report, it shows %q, want %s", ref, b.Ref)
	}
}
