package http_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking"
)

// phoneStub stands in for internal/linking/extract in these tests: it finds
// North American phone numbers written with separators.
var phoneStub = regexp.MustCompile(`\(?\b(\d{3})\)?[ .-]?(\d{3})[ .-](\d{4})\b`)

// withLinking makes the test server's service link every report it ingests.
func (e *testEnv) withLinking() {
	e.t.Helper()
	idx, ok := e.svc.Secrets.(haven.BlindIndexer)
	if !ok {
		e.t.Fatalf("the key file (%T) has no blind index", e.svc.Secrets)
	}
	e.svc.Ingestions = []haven.Ingestion{&linking.Step{Index: idx, Extract: func(text string) []haven.Identifier {
		var out []haven.Identifier
		for _, m := range phoneStub.FindAllStringSubmatch(text, -1) {
			out = append(out, haven.Identifier{Kind: haven.IDPhone, Value: m[1] + m[2] + m[3], Raw: m[0]})
		}
		return out
	}}}
}

// ingest runs a report's ingest job as the job runner would.
func (e *testEnv) ingest(r *haven.Report) {
	e.t.Helper()
	ctx := context.Background()
	done, err := e.svc.IngestReport(ctx, r.ID)
	if err != nil {
		e.t.Fatalf("ingest report %d: %v", r.ID, err)
	}
	if err := e.store.Update(ctx, done); err != nil {
		e.t.Fatalf("record report %d ingested: %v", r.ID, err)
	}
}

func TestReportsSharingAPhoneShowEachOtherAndExcludingThePhoneSplitsThem(t *testing.T) {
	e := newTestEnv(t)
	e.withLinking()
	_, secret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, hotSecret := e.createUser("hot", "Hal Hotline", haven.RoleHotline, 0)

	// A tip whose narrative gives the number, and a hotline report that
	// gives it in a form.
	a := e.createReport(&haven.Report{Channel: haven.ChannelPublicTip,
		Narrative: "An online ad lists (202) 555-0147 for a girl who looks about 15 (synthetic test data)."})
	b := e.createReport(&haven.Report{Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "202-555-0147", Source: "online"}}})
	lone := e.createReport(&haven.Report{Narrative: "A report that shares nothing (synthetic test data)."})
	for _, r := range []*haven.Report{a, b, lone} {
		e.ingest(r)
	}

	c := e.signedIn("ana", secret)
	pageA := c.get(reportPath(a.ID))
	expectStatus(t, pageA, http.StatusOK)
	pageA.Body = html.UnescapeString(pageA.Body)
	if !strings.Contains(pageA.Body, "Same phone +1 202-555-0147 in 1 other report") ||
		!strings.Contains(pageA.Body, `href="`+reportPath(b.ID)+`">`+b.Ref+`</a>`) {
		t.Fatalf("report A does not show its link to B:\n%s", section(pageA.Body, "Links to other reports"))
	}
	if !strings.Contains(pageA.Body, `id="report-network"`) {
		t.Errorf("report A does not say it is in a network:\n%s", section(pageA.Body, "Links to other reports"))
	}
	pageB := c.get(reportPath(b.ID))
	pageB.Body = html.UnescapeString(pageB.Body)
	if !strings.Contains(pageB.Body, "Same phone +1 202-555-0147 in 1 other report") || !strings.Contains(pageB.Body, `href="`+reportPath(a.ID)+`"`) {
		t.Fatalf("report B does not show its link to A:\n%s", section(pageB.Body, "Links to other reports"))
	}
	if page := c.get(reportPath(lone.ID)); !strings.Contains(page.Body, `id="no-links"`) {
		t.Errorf("a report linked to nothing:\n%s", section(page.Body, "Links to other reports"))
	}

	// The link leads to the identifier's page, with the exclude form.
	m := regexp.MustCompile(`href="(/identifiers/(\d+))">About this identifier`).FindStringSubmatch(pageA.Body)
	if m == nil {
		t.Fatalf("no link to the identifier's page:\n%s", section(pageA.Body, "Links to other reports"))
	}
	idPath := m[1]
	keyID, _ := strconv.ParseInt(m[2], 10, 64)
	idPage := c.get(idPath)
	expectStatus(t, idPage, http.StatusOK)
	idPage.Body = html.UnescapeString(idPage.Body)
	if !strings.Contains(idPage.Body, `<span id="identifier-value">+1 202-555-0147</span>`) ||
		!strings.Contains(idPage.Body, `action="`+idPath+`/exclude"`) || !strings.Contains(idPage.Body, b.Ref) {
		t.Fatalf("the identifier's page:\n%s", idPage.Body)
	}

	// Without a reason, nothing is excluded and the form says why.
	r := c.post(idPath+"/exclude", url.Values{"reason": {"  "}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="exclude-reason-error"`) || !strings.Contains(r.Body, "Say why this identifier should not link reports") {
		t.Fatalf("excluding without a reason:\n%s", r.Body)
	}
	// A request from another site is refused, and changes nothing.
	r = c.do(http.MethodPost, idPath+"/exclude", url.Values{"reason": {"forged"}},
		map[string]string{"Origin": "https://attacker.example", "Sec-Fetch-Site": "cross-site"})
	expectStatus(t, r, http.StatusForbidden)
	// A hotline specialist may not exclude it (nor open the index).
	h := e.signedIn("hot", hotSecret)
	expectStatus(t, h.post(idPath+"/exclude", url.Values{"reason": {"ours"}}), http.StatusForbidden)
	expectStatus(t, h.get("/identifiers"), http.StatusForbidden)
	if page := c.get(reportPath(a.ID)); !strings.Contains(html.UnescapeString(page.Body), "Same phone +1 202-555-0147 in 1 other report") ||
		!strings.Contains(page.Body, `id="report-network"`) {
		t.Fatalf("a refused exclusion changed the links:\n%s", section(page.Body, "Links to other reports"))
	}

	// With a reason, the phone stops linking and the network is split.
	r = c.post(idPath+"/exclude", url.Values{"reason": {"The national hotline's own number"}})
	expectRedirect(t, r, idPath+"?done=excluded")
	idPage = c.get(idPath + "?done=excluded")
	if !strings.Contains(idPage.Body, `id="decision-done"`) || !strings.Contains(idPage.Body, "Excluded: not linking") ||
		!strings.Contains(idPage.Body, "by ana") {
		t.Errorf("the identifier after the exclusion:\n%s", idPage.Body)
	}
	pageA = c.get(reportPath(a.ID))
	pageA.Body = html.UnescapeString(pageA.Body)
	if strings.Contains(pageA.Body, `id="report-network"`) || !strings.Contains(pageA.Body, "Excluded from linking by an analyst") ||
		!strings.Contains(pageA.Body, "The national hotline's own number") {
		t.Errorf("report A after the exclusion:\n%s", section(pageA.Body, "Links to other reports"))
	}
	es := e.auditEvents(haven.AuditFilter{Action: "identifier.exclude"})
	var ok, denied int
	for _, ev := range es {
		switch {
		case ev.Outcome == haven.OutcomeOK && ev.Actor == "ana" && ev.RecordID == keyID && ev.Reason == "The national hotline's own number":
			ok++
		case ev.Outcome == haven.OutcomeDenied && ev.Actor == "hot":
			denied++
		default:
			t.Errorf("unexpected audit event %+v", ev)
		}
	}
	if ok != 1 || denied != 1 {
		t.Errorf("the exclusion in the audit log: %d ok, %d refused; want 1 and 1", ok, denied)
	}
	if len(e.auditEvents(haven.AuditFilter{Action: "report.links", RecordID: a.ID})) == 0 {
		t.Error("the views of report A's links are not in the audit log")
	}

	// The review queue is empty; the excluded list has the phone.
	if q := c.get("/identifiers"); !strings.Contains(q.Body, `id="no-identifiers"`) {
		t.Errorf("the review queue:\n%s", q.Body)
	}
	if q := c.get("/identifiers?state=excluded"); !strings.Contains(html.UnescapeString(q.Body), `href="`+idPath+`">+1 202-555-0147</a>`) {
		t.Errorf("the excluded identifiers:\n%s", q.Body)
	}

	// Confirming it links them again.
	expectRedirect(t, c.post(idPath+"/confirm", url.Values{"reason": {""}}), idPath+"?done=confirmed")
	if page := c.get(reportPath(b.ID)); !strings.Contains(page.Body, `id="report-network"`) {
		t.Errorf("report B after the confirmation:\n%s", section(page.Body, "Links to other reports"))
	}
}

// section returns the part of a page from the heading to the next h2, for
// failure messages.
func section(body, heading string) string {
	i := strings.Index(body, heading)
	if i < 0 {
		return "(no " + heading + " section)"
	}
	rest := body[i:]
	if j := strings.Index(rest[len(heading):], "<h2"); j >= 0 {
		return rest[:len(heading)+j]
	}
	return rest
}
