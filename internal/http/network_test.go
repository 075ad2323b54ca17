package http_test

import (
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking"
)

// withLinkingThreshold is withLinking with identifiers flagged once they are
// in more than n reports.
func (e *testEnv) withLinkingThreshold(n int) {
	e.t.Helper()
	e.withLinking()
	e.svc.Ingestions[0].(*linking.Step).Threshold = n
}

// linkedReport creates and ingests a report whose narrative gives phone,
// with a priority and a primary state ("" for none), one minute after the
// previous one.
func (e *testEnv) linkedReport(phone string, p haven.Priority, state string, ch haven.Channel) *haven.Report {
	e.t.Helper()
	e.clock.Advance(time.Minute)
	r := &haven.Report{Channel: ch, Priority: p,
		Narrative: "An online ad lists " + phone + " for a girl who looks about 15 (synthetic test data)."}
	if state != "" {
		r.Places = []haven.Place{{Role: haven.PlaceIncident, City: "Springfield", State: state}}
	}
	e.createReport(r)
	e.ingest(r)
	return r
}

var networkHref = regexp.MustCompile(`href="(/networks/\d+)"`)

func TestAnalystOpensANetworkAsGraphTimelineAndMap(t *testing.T) {
	e := newTestEnv(t)
	e.withLinking()
	_, secret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, hotSecret := e.createUser("hot", "Hal Hotline", haven.RoleHotline, 0)
	pd := e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	_, offSecret := e.createUser("olu", "Olu Officer", haven.RoleOfficer, pd.ID)

	// Three reports through two phones: a–b share one, b–c the other.
	a := e.linkedReport("(202) 555-0147", haven.P3, "TX", haven.ChannelPublicTip)
	b := e.linkedReport("202-555-0147 or 202-555-0199", haven.P1, "TX", haven.ChannelHotline)
	c := e.linkedReport("202.555.0199", haven.P2, "", haven.ChannelHotline)
	e.linkedReport("202-555-0123", haven.P4, "CA", haven.ChannelHotline) // linked to nothing

	ana := e.signedIn("ana", secret)
	page := ana.get(reportPath(c.ID))
	m := networkHref.FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("report C's page does not link to its network:\n%s", section(page.Body, "Links to other reports"))
	}
	path := m[1]
	r := ana.get(path)
	expectStatus(t, r, http.StatusOK)
	body := html.UnescapeString(r.Body)

	// The graph: one node per report, each linking to it, coloured by priority.
	nodes := regexp.MustCompile(`<a href="/reports/\d+" class="node (pri-\d)" data-ref="([^"]+)">`).FindAllStringSubmatch(body, -1)
	got := map[string]string{}
	for _, n := range nodes {
		got[n[2]] = n[1]
	}
	want := map[string]string{a.Ref: "pri-3", b.Ref: "pri-1", c.Ref: "pri-2"}
	if len(nodes) != 3 || len(got) != 3 || got[a.Ref] != want[a.Ref] || got[b.Ref] != want[b.Ref] || got[c.Ref] != want[c.Ref] {
		t.Errorf("graph nodes %v, want %v", got, want)
	}
	if n := strings.Count(section(body, `id="graph-heading"`), "<line "); n != 2 {
		t.Errorf("%d lines in the graph, want 2", n)
	}
	// The same links as a table: report — identifier — report.
	edges := section(body, `<table id="network-edges">`)
	for _, want := range [][]string{{a.Ref, "+1 202-555-0147", b.Ref}, {b.Ref, "+1 202-555-0199", c.Ref}} {
		re := regexp.MustCompile(`<tr><td><a href="/reports/\d+">` + want[0] + `</a></td><td><a href="/identifiers/\d+">` +
			regexp.QuoteMeta(want[1]) + `</a></td><td><a href="/reports/\d+">` + want[2] + `</a></td></tr>`)
		if !re.MatchString(edges) {
			t.Errorf("the edges table has no row %v:\n%s", want, edges)
		}
	}
	// The timeline, in the order received, with channel and priority.
	tl := regexp.MustCompile(`<li data-ref="([^"]+)">`).FindAllStringSubmatch(section(body, `id="timeline-heading"`), -1)
	if len(tl) != 3 || tl[0][1] != a.Ref || tl[1][1] != b.Ref || tl[2][1] != c.Ref {
		t.Errorf("timeline order %v, want %s %s %s", tl, a.Ref, b.Ref, c.Ref)
	}
	if !strings.Contains(body, "Public tip") && !strings.Contains(body, haven.ChannelPublicTip.Label()) {
		t.Errorf("the timeline does not give the channel")
	}
	if !strings.Contains(section(body, `id="timeline-heading"`), haven.P1.Label()) {
		t.Errorf("the timeline does not give the priority")
	}
	// The map and its table: two in Texas, one with no state.
	if !strings.Contains(body, `<tr data-state="TX"><th scope="row">Texas (TX)</th><td>2</td></tr>`) ||
		!strings.Contains(body, `<tr id="state-elsewhere"><th scope="row">Outside the US or no state given</th><td>1</td></tr>`) ||
		strings.Contains(body, `data-state="CA"><th`) {
		t.Errorf("the state counts:\n%s", section(body, `id="map-heading"`))
	}
	if !regexp.MustCompile(`<g class="tile tile--2" data-state="TX"><title>Texas: 2</title>`).MatchString(body) ||
		strings.Count(body, `<rect `) != 52 {
		t.Errorf("the tile map:\n%s", section(body, `id="map-heading"`))
	}
	if evs := e.auditEvents(haven.AuditFilter{Action: "network.view"}); len(evs) != 1 || evs[0].Actor != "ana" || evs[0].Outcome != haven.OutcomeOK {
		t.Errorf("the view in the audit log: %+v", evs)
	}

	// Others get the same not-found as for a network that does not exist.
	missing := ana.get("/networks/999999")
	expectStatus(t, missing, http.StatusNotFound)
	for _, who := range []struct{ name, secret string }{{"hot", hotSecret}, {"olu", offSecret}} {
		cl := e.signedIn(who.name, who.secret)
		r := cl.get(path)
		expectStatus(t, r, http.StatusNotFound)
		if strings.Contains(r.Body, a.Ref) || strings.Contains(r.Body, "network-graph") {
			t.Errorf("%s sees the network:\n%s", who.name, r.Body)
		}
		if strings.Contains(cl.get("/").Body, `href="/review"`) {
			t.Errorf("%s is offered the review queue", who.name)
		}
		expectStatus(t, cl.get("/review"), http.StatusForbidden)
	}
	denied := 0
	for _, ev := range e.auditEvents(haven.AuditFilter{Action: "network.view"}) {
		if ev.Outcome == haven.OutcomeDenied {
			denied++
		}
	}
	if denied != 3 {
		t.Errorf("%d refused network views in the audit log, want 3", denied)
	}
}

func TestReviewQueueOrdersFlaggedIdentifiersByPriorityThenReports(t *testing.T) {
	e := newTestEnv(t)
	e.withLinkingThreshold(2)
	_, secret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)

	// 555-0101 is in three reports, one of them P1; 555-0102 in four P3
	// reports; both go over the threshold of 2 and are flagged.
	for _, p := range []haven.Priority{haven.P3, haven.P1, haven.P4} {
		e.linkedReport("202-555-0101", p, "TX", haven.ChannelHotline)
	}
	for range 4 {
		e.linkedReport("202-555-0102", haven.P3, "OH", haven.ChannelHotline)
	}
	// 555-0103 links two reports: a new link.
	e.linkedReport("202-555-0103", haven.P4, "OH", haven.ChannelHotline)
	e.linkedReport("202-555-0103", haven.P2, "OH", haven.ChannelHotline)

	ana := e.signedIn("ana", secret)
	if !strings.Contains(ana.get("/").Body, `href="/review"`) {
		t.Error("the analyst's navigation has no review queue")
	}
	r := ana.get("/review")
	expectStatus(t, r, http.StatusOK)
	body := html.UnescapeString(r.Body)
	flagged := section(body, "Flagged identifiers")
	i, j := strings.Index(flagged, "555-0101"), strings.Index(flagged, "555-0102")
	if i < 0 || j < 0 || i > j {
		t.Fatalf("the flagged identifier in a P1 report does not come first (%d, %d):\n%s", i, j, flagged)
	}
	if !strings.Contains(flagged, haven.P1.Label()) || !regexp.MustCompile(`<th scope="row"><a href="/identifiers/\d+">[^<]*555-0101`).MatchString(flagged) {
		t.Errorf("the flagged rows:\n%s", flagged)
	}
	recent := section(body, "Newest links")
	if !strings.Contains(recent, "555-0103") || !strings.Contains(recent, haven.P2.Label()) || !networkHref.MatchString(recent) {
		t.Errorf("the newest links:\n%s", recent)
	}
	if m := networkHref.FindStringSubmatch(recent); m != nil {
		expectStatus(t, ana.get(m[1]), http.StatusOK)
	}
}
