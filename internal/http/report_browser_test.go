package http_test

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestBrowserReportFromNotification: a hotline specialist flags imminent
// danger; the analyst follows the alert in Chromium from the header's
// badge to the notification and on to the report's page.
func TestBrowserReportFromNotification(t *testing.T) {
	e := newTestEnv(t)
	_, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	hana := e.signedIn("hana.hotline", hanaSecret)
	id := callIDFrom(t, hana.post("/hotline/calls", url.Values{}))
	expectRedirect(t, hana.saveSection(id, "what", "imminent", url.Values{"incident_type": {"child_sex_trafficking"},
		"what_happened": {"A girl (synthetic test data) is being moved to another city tonight."}, "city": {"Austin"}, "state": {"TX"}}),
		callPath(id)+"?section=what&flagged=1")
	rep := e.report(e.call(id).ReportID)

	b := newBrowser(t, e)
	b.enrolAndSignIn("ana.analyst")
	b.do("open notifications", chromedp.Click(chromedp.CSS("#alerts-link")))
	b.waitPath("/notifications")
	b.do("open the report", chromedp.Click(chromedp.CSS(`#notifications a[href="`+reportPath(rep.ID)+`"]`)))
	b.waitPath(reportPath(rep.ID))
	if ref := b.text("#report-ref"); ref != rep.Ref {
		t.Errorf("the report page shows %q, want %q", ref, rep.Ref)
	}
	if p := b.text("#report-priority"); p != "P1 — imminent danger" {
		t.Errorf("priority %q", p)
	}
	if c := b.text("#call-imminent"); !strings.HasPrefix(c, "Flagged") {
		t.Errorf("the call's imminent danger reads %q", c)
	}
	b.do("back to the list", chromedp.Click(chromedp.CSS(`nav a[href="/reports"]`)))
	b.waitPath("/reports")
	if n := run(b, "rows", chromedp.Evaluate[int](`document.querySelectorAll('#reports-table tbody tr').length`)); n != 1 {
		t.Errorf("the list shows %d reports, want 1", n)
	}
	b.signOut()
}
