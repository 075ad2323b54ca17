package http_test

import (
	"context"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestBrowserReferralFromSuggestionToOutcomeOnTheCaseTimeline is issue 6's
// walk in Chromium: an analyst refers a report to the agency the routing
// suggests, the agency's officer opens it in the portal, acknowledges it
// and records an outcome, the analyst sees the outcome on the case
// timeline, and the supervisor's map counts the report in its state.
func TestBrowserReferralFromSuggestionToOutcomeOnTheCaseTimeline(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	reno := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	tulsa := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, reno.ID)
	e.createUser("sue.super", "Sue Supervisor", haven.RoleSupervisor, 0)
	report := e.createReport(&haven.Report{
		Narrative: "A caller saw a girl who looked about 15 getting into a van at a bus station in Reno (synthetic test data).",
		Places:    []haven.Place{{Role: haven.PlaceIncident, Name: "Bus station", City: "Reno", State: "NV", ZIP: "89501"}},
		People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	ana := haven.Actor{UserID: analyst.ID, Username: analyst.Username, Role: haven.RoleAnalyst, Via: "web"}
	if _, err := e.svc.ClaimReport(ctx, ana, report.ID); err != nil {
		t.Fatal(err)
	}
	k, err := e.svc.OpenCaseFromReport(ctx, ana, haven.OpenCase{ReportID: report.ID, Mention: report.People[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	casePath := "/cases/" + strconv.FormatInt(k.ID, 10)

	b := newBrowser(t, e)
	anaSecret := b.enrolAndSignIn("ana.analyst")
	b.open(reportPath(report.ID))
	suggested := run(b, "suggested agencies", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#routing-form tr[data-agency]')].map(tr => tr.dataset.agency)`))
	if len(suggested) == 0 || suggested[0] != strconv.FormatInt(reno.ID, 10) || strings.Contains(" "+strings.Join(suggested, " ")+" ", " "+strconv.FormatInt(tulsa.ID, 10)+" ") {
		t.Fatalf("suggested agencies %v, want Reno (%d) first and never Tulsa (%d)", suggested, reno.ID, tulsa.ID)
	}
	b.do("refer the report to Reno",
		chromedp.Click(chromedp.CSS(`#routing-form tr[data-agency="`+strconv.FormatInt(reno.ID, 10)+`"] input[type="checkbox"]`)),
		chromedp.SendKeys(chromedp.CSS("#routing-note"), "The child may still be in the area."),
		chromedp.Click(chromedp.CSS("#routing-refer")))
	b.waitFor("the report page after referring", `document.readyState === 'complete' && location.search === '?referred=1' ? 'yes' : ''`, "yes")
	b.checkPage()
	b.signOut()

	b.enrolAndSignIn("olivia.officer")
	b.open("/portal")
	if rows := b.text("#referrals tbody"); !strings.Contains(rows, report.Ref) {
		t.Fatalf("the officer's portal lists %q, without report %s", rows, report.Ref)
	}
	b.do("open the referral", chromedp.Click(chromedp.CSS(`#referrals tbody tr:first-child a`)))
	b.waitFor("the referral page", `document.readyState === 'complete' && /^\/portal\/referrals\/\d+$/.test(location.pathname) ? 'yes' : ''`, "yes")
	refPath := b.path()
	if n := b.text("#package-narrative"); !strings.Contains(n, "bus station in Reno") {
		t.Errorf("the package's narrative is %q", n)
	}
	b.checkPage()
	act := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		run(b, "mark the page", chromedp.Evaluate[bool](`window.__referralPage = true`))
		b.do(what, steps...)
		b.waitFor("after "+what, `!window.__referralPage && document.readyState === 'complete' && location.search.startsWith('?done=') ? location.pathname : ''`, refPath)
	}
	act("acknowledge", chromedp.Click(chromedp.CSS("#acknowledge")))
	act("record the outcome",
		chromedp.SetValue(chromedp.CSS("#outcome"), string(haven.OutcomeChildLocated)),
		chromedp.SendKeys(chromedp.CSS("#outcome_note"), "Ava was found safe and is with a caseworker."),
		chromedp.Click(chromedp.CSS("#outcome-submit")))
	if st := b.text("#referral-state"); !strings.Contains(st, "Child located") {
		t.Errorf("the referral's state reads %q after the outcome", st)
	}
	b.signOut()

	b.signInAgain("ana.analyst", anaSecret)
	b.open(casePath)
	var referral []string
	for _, li := range run(b, "timeline", chromedp.Evaluate[[]string](`[...document.querySelectorAll('#case-timeline li[data-kind="referral"]')].map(li => li.textContent)`)) {
		referral = append(referral, strings.Join(strings.Fields(li), " "))
	}
	joined := strings.Join(referral, "\n")
	if !strings.Contains(joined, "Reno Police Department") || !strings.Contains(joined, "Child located") {
		t.Errorf("the case timeline's referral entries do not show the referral and its outcome:\n%s", joined)
	}
	b.checkPage()
	b.signOut()

	b.enrolAndSignIn("sue.super")
	b.open("/")
	nv := run(b, "Nevada on the map", chromedp.Evaluate[string](`(p => p ? p.dataset.count + ' ' + p.getAttribute('class') : '')(document.querySelector('#home-map-NV'))`))
	if m := regexp.MustCompile(`^(\d+) b(\d)$`).FindStringSubmatch(nv); m == nil || m[1] != "1" || m[2] == "0" {
		t.Errorf("Nevada on the supervisor's map: %q, want a count of 1 and a shade", nv)
	}
	b.checkPage()
	b.signOut()
}
