package http_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/triage"
)

// TestBrowserP1ReportFromQueueToApprovedDetermination is issue 5's walk
// through the workbench in Chromium: a report a provider escalated arrives
// and is triaged P1; an analyst finds it first in the queue and claims it,
// opens a case about the child, adds a second report (which shares a phone
// number with the first) and records a determination; a supervisor
// approves it; the case's timeline shows each step, with the link between
// the two reports.
func TestBrowserP1ReportFromQueueToApprovedDetermination(t *testing.T) {
	e := newTestEnv(t)
	e.withLinking()
	e.svc.Triager = triage.Default()
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("sue.super", "Sue Supervisor", haven.RoleSupervisor, 0)
	first := e.createReport(&haven.Report{Channel: haven.ChannelESP, Escalation: "Meeting planned for tonight.",
		Narrative: "A user arranged to meet a 15-year-old; the account lists 202-555-0147 (synthetic test data).",
		People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	second := e.createReport(&haven.Report{Channel: haven.ChannelPublicTip,
		Narrative: "An ad with the number 202 555 0147 shows a girl who looks young (synthetic test data)."})
	quiet := e.createReport(&haven.Report{Narrative: "A report about something else (synthetic test data)."})
	for _, r := range []*haven.Report{first, second, quiet} {
		e.ingest(r)
		if err := e.svc.Retriage(context.Background(), r.ID); err != nil {
			t.Fatal(err)
		}
	}

	b := newBrowser(t, e)
	b.enrolAndSignIn("ana.analyst")
	b.open("/queue")
	if ref, pri := b.text("#queue-table tbody tr:first-child th"), b.text("#queue-table tbody tr:first-child .badge"); ref != first.Ref || !strings.HasPrefix(pri, "P1") {
		t.Fatalf("the queue's first row is %s (%s), want %s at P1", ref, pri, first.Ref)
	}
	b.do("claim the P1 report", chromedp.Click(chromedp.CSS(`#queue-table tbody tr:first-child button`)))
	b.waitPath("/queue?done=claimed")
	if strings.Contains(b.text("#queue-table"), first.Ref) {
		t.Errorf("the claimed report is still in the unassigned queue")
	}
	b.open(reportPath(first.ID))
	b.do("open a case about Ava",
		chromedp.Click(chromedp.CSS(`#open-case-form input[name="child"]`)),
		chromedp.Click(chromedp.CSS("#open-case")))
	b.waitFor("the case page", `document.readyState === 'complete' && /^\/cases\/\d+$/.test(location.pathname) ? 'yes' : ''`, "yes")
	casePath := regexp.MustCompile(`^/cases/\d+`).FindString(b.path())
	submit := func(what, button string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		run(b, "mark the page", chromedp.Evaluate[bool](`window.__casePage = true`))
		b.do(what, append(fill, chromedp.Click(chromedp.CSS(button)))...)
		b.waitFor("after "+what, `!window.__casePage && document.readyState === 'complete' && location.search.startsWith('?done=') ? location.pathname : ''`, casePath)
	}
	submit("claim the case", "#claim")
	submit("add the second report", `#add-report-form button[type="submit"]`, chromedp.SendKeys(chromedp.CSS("#add-report"), second.Ref))
	if reports := b.text("#case-reports"); !strings.Contains(reports, first.Ref) || !strings.Contains(reports, second.Ref) {
		t.Errorf("the case's reports %q lack one of %s and %s", reports, first.Ref, second.Ref)
	}
	submit("record a determination", "#record-determination",
		chromedp.Click(chromedp.CSS("#det-yes")),
		chromedp.SendKeys(chromedp.CSS("#rationale"), "A meeting with an adult met online was planned."),
		chromedp.Click(chromedp.CSS("#ind-older_partner")))
	b.signOut()

	b.enrolAndSignIn("sue.super")
	b.open(casePath)
	submit("approve the determination", `button[id^="approve-"]`)
	if d := b.text("#case-determination"); d != "Yes: likely a child sex trafficking victim" {
		t.Errorf("case determination %q after approval", d)
	}
	b.checkPage()
	kinds := run(b, "timeline", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#case-timeline li')].map(li => li.dataset.kind)`))
	joined := " " + strings.Join(kinds, " ") + " "
	for _, want := range []string{" opened ", " assigned ", " report_added ", " determination_recorded ", " determination_approved "} {
		if !strings.Contains(joined, want) {
			t.Errorf("the timeline %v lacks %q", kinds, strings.TrimSpace(want))
		}
	}
	if i, j := strings.Index(joined, " determination_recorded "), strings.Index(joined, " determination_approved "); i < 0 || j < i {
		t.Errorf("the timeline %v does not show the approval after the recording", kinds)
	}
	timeline := b.text("#case-timeline")
	if !strings.Contains(timeline, second.Ref) {
		t.Errorf("the timeline does not name the second report:\n%s", timeline)
	}
	b.signOut()
}
