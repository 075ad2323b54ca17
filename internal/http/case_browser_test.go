package http_test

import (
	"bytes"
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestBrowserCaseFromReportToApprovedDetermination: in Chromium, an
// analyst opens a case from a report's page, claims it, adds a note and a
// task and records a determination; a supervisor approves it and reveals
// the report's file with a reason; the timeline shows each step.
func TestBrowserCaseFromReportToApprovedDetermination(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("sue.super", "Sue Supervisor", haven.RoleSupervisor, 0)
	rep := e.createReport(&haven.Report{Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}},
		People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	att, _, err := e.svc.AddReportAttachment(context.Background(), sys, haven.Once{}, rep.ID, "square.png", "image/png", "test", bytes.NewReader(benignPNG(t)))
	if err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, e)
	b.enrolAndSignIn("ana.analyst")
	b.open(reportPath(rep.ID))
	b.do("open a case about Ava",
		chromedp.Click(chromedp.CSS(`#open-case-form input[name="child"]`)),
		chromedp.Click(chromedp.CSS("#open-case")))
	b.waitFor("the case page", `document.readyState === 'complete' && /^\/cases\/\d+$/.test(location.pathname) ? 'yes' : ''`, "yes")
	casePath := regexp.MustCompile(`^/cases/\d+`).FindString(b.path())
	id, _ := strconv.ParseInt(strings.TrimPrefix(casePath, "/cases/"), 10, 64)
	submit := func(what, button string, fill ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		// Mark the page, so that the wait below sees the next one, not this.
		run(b, "mark the page", chromedp.Evaluate[bool](`window.__casePage = true`))
		b.do(what, append(fill, chromedp.Click(chromedp.CSS(button)))...)
		b.waitFor("after "+what, `!window.__casePage && document.readyState === 'complete' && location.search.startsWith('?done=') ? location.pathname : ''`, casePath)
	}
	submit("claim", "#claim")
	if got := b.text("#case-assignee"); got != "ana.analyst" {
		t.Errorf("assignee %q after claiming", got)
	}
	submit("add a note", "#add-note", chromedp.SendKeys(chromedp.CSS("#note-body"), "Spoke with the school counsellor."))
	submit("add a task", "#add-task", chromedp.SendKeys(chromedp.CSS("#task-title"), "Ask the placement for a recent photo"))
	submit("record a determination", "#record-determination",
		chromedp.Click(chromedp.CSS("#det-yes")),
		chromedp.SendKeys(chromedp.CSS("#rationale"), "An older partner speaks for her."),
		chromedp.Click(chromedp.CSS("#ind-older_partner")))
	if st := b.text("#determinations .determination-state"); st != "Awaiting a supervisor's approval" {
		t.Errorf("determination state %q", st)
	}
	b.signOut()

	b.enrolAndSignIn("sue.super")
	b.open(casePath)
	submit("approve", `button[id^="approve-"]`)
	if d := b.text("#case-determination"); d != "Yes: likely a child sex trafficking victim" {
		t.Errorf("case determination %q after approval", d)
	}
	imgs := run(b, "images", chromedp.Evaluate[int](`document.querySelectorAll('#case-files img').length`))
	if imgs != 0 {
		t.Errorf("%d images shown before any reveal", imgs)
	}
	fileID := strconv.FormatInt(att.ID, 10)
	b.do("reveal the file",
		chromedp.SendKeys(chromedp.CSS("#reveal-"+fileID+"-reason"), "checking the photo matches the child"),
		chromedp.Click(chromedp.CSS("#reveal-"+fileID)))
	b.waitPath(casePath + "/attachments/" + fileID + "/reveal")
	width := run(b, "the revealed image loads", chromedp.Poll[int](
		`(() => { const i = document.getElementById('file-`+fileID+`-image'); return i && i.complete && i.naturalWidth; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if width != 16 {
		t.Errorf("revealed image width %d, want 16", width)
	}
	b.checkPage()
	kinds := run(b, "timeline", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#case-timeline li')].map(li => li.dataset.kind)`))
	want := "report opened assigned note task_added determination_recorded determination_approved"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline %v, want %s", kinds, want)
	}
	es := e.auditEvents(haven.AuditFilter{Action: "attachment.reveal", Outcome: haven.OutcomeOK})
	if len(es) != 1 || es[0].Reason != "checking the photo matches the child" || es[0].RecordID != id {
		t.Errorf("audited reveals: %+v", es)
	}
	b.signOut()
}
