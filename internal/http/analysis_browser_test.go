package http_test

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/haven"
)

// An officer asks for analysis through the form; an analyst finds the
// request through the navigation, takes it and answers with a link chart of
// two reports; the officer opens the chart, drawn without any CSP
// violation, with its PDF link.
func TestBrowserOfficerRequestsAnalysisAndReceivesALinkChart(t *testing.T) {
	e := newTestEnv(t)
	reno := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, reno.ID)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	r1 := e.createReport(&haven.Report{State: "NV", AgencyID: reno.ID, Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147"}}})
	r2 := e.createReport(&haven.Report{State: "NV", AgencyID: reno.ID, Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147"}}})

	br := newBrowser(t, e)
	officerSecret := br.enrolAndSignIn("olivia.officer")
	br.open("/analysis")
	br.do("file a request",
		chromedp.SendKeys(chromedp.CSS("#case_number"), "RPD-2026-0147"),
		chromedp.SendKeys(chromedp.CSS("#question"), "Which reports share 202-555-0147?"),
		chromedp.SetValue(chromedp.CSS("#urgency"), "immediate"),
		chromedp.Click(chromedp.CSS("#request-submit")),
	)
	br.waitPath("/analysis/1?done=requested")
	br.signOut()

	br.enrolAndSignIn("ana.analyst")
	br.do("open analytical support from the navigation", chromedp.Click(chromedp.CSS(`nav a[href="/analysis"]`)))
	br.waitPath("/analysis")
	br.do("open the request", chromedp.Click(chromedp.CSS(`#analysis-requests a[href="/analysis/1"]`)))
	br.waitPath("/analysis/1")
	br.do("take it", chromedp.Click(chromedp.CSS("#claim")))
	br.waitPath("/analysis/1?done=claimed")
	br.do("answer with a link chart",
		chromedp.SetValue(chromedp.CSS("#kind"), "link_chart"),
		chromedp.SendKeys(chromedp.CSS("#title"), "Reports sharing 202-555-0147"),
		chromedp.SendKeys(chromedp.CSS("#report_ids"), itoa(r1.ID)+", "+itoa(r2.ID)),
		chromedp.Click(chromedp.CSS("#product-submit")),
	)
	br.waitPath("/analysis/products/1?done=created")
	br.signOut()

	br.signInAgain("olivia.officer", officerSecret)
	br.open("/analysis/1")
	br.do("open the product", chromedp.Click(chromedp.CSS(`#products a[href="/analysis/products/1"]`)))
	br.waitPath("/analysis/products/1")
	nodes := run(br, "chart nodes", chromedp.Evaluate[[]string](`Array.from(document.querySelectorAll('#product-graph .node')).map(n => n.dataset.ref)`))
	if len(nodes) != 2 || nodes[0] != r1.Ref || nodes[1] != r2.Ref {
		t.Errorf("chart nodes %v, want %s and %s", nodes, r1.Ref, r2.Ref)
	}
	width := run(br, "chart width", chromedp.Evaluate[float64](`document.getElementById('product-graph').getBoundingClientRect().width`))
	if width < 200 {
		t.Errorf("the chart is drawn %.0f px wide", width)
	}
	if href := run(br, "PDF link", chromedp.Evaluate[string](`document.getElementById('download-pdf').getAttribute('href')`)); href != "/analysis/products/1.pdf" {
		t.Errorf("PDF link %q", href)
	}
}

// signInAgain signs in a user who has enrolled before: password, then the
// current code from their key.
func (b *browser) signInAgain(username, secret string) {
	b.t.Helper()
	b.open("/signin")
	b.do("password step",
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/signin"] button[type="submit"]`)),
	)
	b.waitPath("/signin/totp")
	b.e.clock.Advance(30 * time.Second)
	code, err := totp.GenerateCode(secret, b.e.clock.Now())
	if err != nil {
		b.t.Fatal(err)
	}
	b.do("TOTP step",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`main form[action="/signin/totp"] button[type="submit"]`)),
	)
	b.waitPath("/")
}
