package http_test

import (
	"image/color"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestBrowserChildWelfareReportsChildMissingFromCare drives the missing-child
// report in Chromium: a child-welfare worker signs in (enrolling TOTP), files
// a report of a child missing from care with a photo, and sees the 24-hour
// statutory clock running on the episode's page.
func TestBrowserChildWelfareReportsChildMissingFromCare(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs() // shared with tip_test.go
	care := e.createAgency("Washoe County Human Services", "child_welfare", "NV")
	e.createUser("wren.worker", "Wren Worker", haven.RoleChildWelfare, care.ID)
	photo := filepath.Join(t.TempDir(), "maya.png")
	if err := os.WriteFile(photo, squarePNG(t, color.RGBA{200, 120, 40, 255}), 0o644); err != nil {
		t.Fatal(err)
	}

	b := newBrowser(t, e)
	b.enrolAndSignIn("wren.worker")
	b.do("open missing children", chromedp.Click(chromedp.CSS(`nav a[href="/missing"]`)))
	b.waitPath("/missing")
	b.do("open the report form", chromedp.Click(chromedp.CSS(`#report-missing`)))
	b.waitPath("/missing/new")

	// Every field a person fills in has a label.
	unlabelled := run(b, "unlabelled fields", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll(
		'main form input:not([type=hidden]), main form select, main form textarea'))
		.filter(el => !el.labels || el.labels.length === 0).map(el => el.id || el.name)`))
	if len(unlabelled) != 0 {
		t.Errorf("fields without a label: %v", unlabelled)
	}

	found := e.clock.Now().Add(-3 * time.Hour).UTC().Format("2006-01-02T15:04")
	b.do("fill in the report",
		chromedp.Click(chromedp.CSS(`#missing_type-endangered_runaway`)),
		chromedp.SendKeys(chromedp.CSS(`#ncic`), "M123456789"),
		chromedp.SendKeys(chromedp.CSS(`#first_name`), "Maya"),
		chromedp.SendKeys(chromedp.CSS(`#last_name`), "Testchild"),
		chromedp.SendKeys(chromedp.CSS(`#hair`), "brown"),
		chromedp.SetUploadFiles(chromedp.CSS(`#photos`), []string{photo}),
		chromedp.SetValue(chromedp.CSS(`#last_seen_at`), found),
		chromedp.SendKeys(chromedp.CSS(`#last_seen_city`), "Reno"),
		chromedp.SetValue(chromedp.CSS(`#last_seen_state`), "NV"),
		chromedp.SendKeys(chromedp.CSS(`#guardian_name_0`), "Rosa Testparent"),
		chromedp.SendKeys(chromedp.CSS(`#guardian_phone_0`), "775-555-0147"),
		chromedp.Click(chromedp.CSS(`#from_care`)),
		chromedp.SetValue(chromedp.CSS(`#care_agency`), strconv.FormatInt(care.ID, 10)),
		chromedp.SetValue(chromedp.CSS(`#placement_type`), "group_home"),
		chromedp.SendKeys(chromedp.CSS(`#caseworker_name`), "Wren Worker"),
		chromedp.SetValue(chromedp.CSS(`#found_missing_at`), found),
		chromedp.Click(chromedp.CSS(`main form[action="/missing"] button[type="submit"]`)),
	)
	b.waitPath("/missing/1")
	if h := b.text("h1"); h != "Missing: Maya Testchild" {
		t.Errorf("episode heading %q", h)
	}
	le := b.text("#clock-le")
	if !strings.Contains(le, "left") || !strings.Contains(le, "Law enforcement told") {
		t.Errorf("law-enforcement clock %q, want time left", le)
	}
	if st := run(b, "clock state", chromedp.AttributeValue(chromedp.CSS("#clock-le"), "data-state")); st.Value != "on_time" {
		t.Errorf("clock state %q, want on_time", st.Value)
	}
	if ch := b.text("#clock-clearinghouse"); !strings.Contains(ch, "Done in 3 h") {
		t.Errorf("clearinghouse clock %q, want done by this report", ch)
	}
	if p := b.text("#photos"); !strings.Contains(p, "maya.png") || !strings.Contains(p, "image/png") {
		t.Errorf("photos %q", p)
	}
	if n := run(b, "inline images", chromedp.Evaluate[int](`document.querySelectorAll('main img').length`)); n != 0 {
		t.Errorf("the episode page shows %d images inline", n)
	}
	if ncic := b.text("#ncic"); ncic != "M123456789" {
		t.Errorf("NCIC %q", ncic)
	}
	// The recovery form is there for the worker, and nothing overflows on a phone.
	if n := run(b, "recovery form", chromedp.Evaluate[int](`document.querySelectorAll('#recovery-form').length`)); n != 1 {
		t.Error("no recovery form on an open episode")
	}
	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	b.open("/missing/new")
	if run(b, "horizontal overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Error("the report form scrolls sideways on a 375px-wide screen")
	}
	b.signOut()
}
