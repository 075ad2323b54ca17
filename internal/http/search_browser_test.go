package http_test

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// TestSearchFromTheHeaderInARealBrowser searches as an analyst would: the
// box in the page header, then the search page's filters, in Chromium.
func TestSearchFromTheHeaderInARealBrowser(t *testing.T) {
	e := newTestEnv(t)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	mine := e.createReport(&haven.Report{State: "NV",
		Narrative: "A lighthouse keeper saw a girl of about 14 taken onto a boat at night (synthetic test data)."})
	e.createReport(&haven.Report{State: "OR",
		Narrative: "The lighthouse café owner reported a boy sleeping in the car park (synthetic test data)."})
	b := newBrowser(t, e)
	b.enrolAndSignIn("ana.analyst")

	b.do("search from the header",
		chromedp.SendKeys(chromedp.CSS("#header-q"), "lighthouse boat"),
		chromedp.Click(chromedp.CSS(`form.header-search button[type="submit"]`)),
	)
	b.waitPath("/search?q=lighthouse+boat")
	if h := b.text("#results-heading"); h != "1 found" {
		t.Errorf("results heading %q, want 1 found", h)
	}
	if got := b.text(".search-result__title"); got != mine.Ref {
		t.Errorf("first result %q, want %s", got, mine.Ref)
	}
	if marks := b.text(".search-result__snippet mark"); !strings.EqualFold(marks, "lighthouse") {
		t.Errorf("first highlighted word %q, want lighthouse", marks)
	}

	b.do("narrow by state",
		chromedp.SetValue(chromedp.CSS("#s-q"), "lighthouse"),
		chromedp.SetValue(chromedp.CSS("#s-state"), "OR"),
		chromedp.Click(chromedp.CSS(`main form[action="/search"] button[type="submit"]`)),
	)
	b.waitFor("the state filter", `document.readyState === 'complete' && location.search.includes('state=OR') ?
		(document.querySelector('#results-heading') || {}).textContent || '' : ''`, "1 found")
	if got := b.text(".search-result__title"); got == mine.Ref {
		t.Errorf("the OR filter still shows %s", mine.Ref)
	}
}
