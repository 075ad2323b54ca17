package http_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/haven"
)

const chromiumPath = "/usr/bin/chromium"

// watchPage is installed in every document before its own scripts run: it
// records Content-Security-Policy violations and script errors, so that the
// test sees anything the strict CSP blocked (an inline style htmx injected,
// an inline script) or any script that failed.
const watchPage = `
window.__havenProblems = [];
document.addEventListener('securitypolicyviolation', e =>
  window.__havenProblems.push('CSP violation: ' + e.violatedDirective + ' blocked ' + (e.blockedURI || 'inline') + ' at ' + e.sourceFile + ':' + e.lineNumber));
window.addEventListener('error', e => window.__havenProblems.push('script error: ' + e.message));
`

// browser is a headless Chromium tab for the end-to-end test.
type browser struct {
	t      *testing.T
	e      *testEnv
	ctx    context.Context
	shots  string // directory for screenshots, "" for none (HAVEN_TEST_SCREENSHOTS)
	nshots int
}

// newBrowser starts Chromium in a fresh profile, or skips the test loudly
// when Chromium is not installed (and fails when HAVEN_REQUIRE_CHROMIUM is set,
// as it is in CI).
func newBrowser(t *testing.T, e *testEnv) *browser {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		msg := "!!! " + chromiumPath + " is missing, so the end-to-end browser test did NOT run. Install it with 'apt-get install -y chromium'. !!!"
		if os.Getenv("HAVEN_REQUIRE_CHROMIUM") != "" {
			t.Fatal(msg + " (HAVEN_REQUIRE_CHROMIUM is set)")
		}
		t.Skip(msg)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox, // the tests run as root
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-quic", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	t.Cleanup(func() { cancelCtx(); cancelAlloc() })
	// The first call starts the browser; it must not carry a timeout.
	if _, err := chromedp.Call(ctx, page.AddScriptToEvaluateOnNewDocument, page.AddScriptToEvaluateOnNewDocumentParams{Source: watchPage}); err != nil {
		t.Fatalf("start chromium: %v", err)
	}
	b := &browser{t: t, e: e, ctx: ctx, shots: os.Getenv("HAVEN_TEST_SCREENSHOTS")}
	return b
}

// do runs actions with a time limit, failing the test on error.
func (b *browser) do(what string, steps ...chromedp.Action[chromedp.Void]) {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, steps...); err != nil {
		b.screenshot("failed")
		b.t.Fatalf("browser: %s: %v", what, err)
	}
}

// run runs one action that returns a value.
func run[T any](b *browser, what string, a chromedp.Action[T]) T {
	b.t.Helper()
	ctx, cancel := context.WithTimeout(b.ctx, 30*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		b.screenshot("failed")
		b.t.Fatalf("browser: %s: %v", what, err)
	}
	return v
}

// open navigates to path and returns the HTTP status of the document.
func (b *browser) open(path string) int64 {
	b.t.Helper()
	resp := run(b, "open "+path, chromedp.NavigateResponse(b.e.URL+path))
	b.checkPage()
	return resp.Status
}

// path returns the current location's path and query.
func (b *browser) path() string {
	b.t.Helper()
	loc := run(b, "location", chromedp.Location())
	return strings.TrimPrefix(loc, b.e.URL)
}

// waitPath waits until the browser has loaded path (after a form post and
// its redirect).
func (b *browser) waitPath(path string) {
	b.t.Helper()
	b.waitFor("for "+path, `document.readyState === 'complete' ? location.pathname + location.search : ''`, path)
}

// waitFor waits until the expression js, evaluated in the page, gives want,
// then checks the page. It polls from Go: a page-side poll dies with the
// navigation.
func (b *browser) waitFor(what, js, want string) {
	b.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	last := ""
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(b.ctx, 2*time.Second)
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
		cancel()
		if err == nil && got == want {
			b.checkPage()
			return
		}
		if got != "" {
			last = got
		}
		time.Sleep(50 * time.Millisecond)
	}
	b.screenshot("failed")
	b.t.Fatalf("browser: waited %s, still at %q", what, last)
}

// checkPage fails the test if the page hit a CSP violation or a script
// error, and takes a screenshot when asked to.
func (b *browser) checkPage() {
	b.t.Helper()
	problems := run(b, "read page problems", chromedp.Evaluate[[]string](`window.__havenProblems || []`))
	for _, p := range problems {
		b.t.Errorf("%s: %s", b.path(), p)
	}
	b.screenshot(strings.Trim(strings.NewReplacer("/", "_", "?", "_", "=", "-", "&", "_").Replace(b.path()), "_"))
}

func (b *browser) screenshot(name string) {
	if b.shots == "" {
		return
	}
	ctx, cancel := context.WithTimeout(b.ctx, 10*time.Second)
	defer cancel()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err == nil {
		b.nshots++
		_ = os.WriteFile(filepath.Join(b.shots, fmt.Sprintf("%02d-%s.png", b.nshots, name)), png, 0o644)
	}
}

// text returns the visible text of the first element matching a CSS selector.
func (b *browser) text(sel string) string {
	b.t.Helper()
	return strings.TrimSpace(run(b, "text of "+sel, chromedp.Text(chromedp.CSS(sel))))
}

// enrolAndSignIn signs in for the first time as a user would: password,
// then the enrolment page, reading the key from the page as someone who
// cannot scan the QR code would, and typing the current code. It returns
// the key.
func (b *browser) enrolAndSignIn(username string) string {
	b.t.Helper()
	if st := b.open("/signin"); st != http.StatusOK {
		b.t.Fatalf("/signin: status %d", st)
	}
	b.do("password step",
		chromedp.SendKeys(chromedp.CSS("#username"), username),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/signin"] button[type="submit"]`)),
	)
	b.waitPath("/signin/totp")
	if h := b.text("h1"); h != "Set up two-step sign-in" {
		b.t.Fatalf("after the password, heading %q, want the enrolment page", h)
	}
	// The QR code image loads (and is a real image).
	width := run(b, "QR code loads", chromedp.Poll[int](
		`(() => { const i = document.getElementById('totp-qr'); return i && i.complete && i.naturalWidth; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if width <= 0 {
		b.t.Fatalf("QR code naturalWidth = %d", width)
	}
	alt := run(b, "QR alt", chromedp.AttributeValue(chromedp.CSS("#totp-qr"), "alt"))
	if !alt.Exists || !strings.Contains(alt.Value, "QR code") {
		b.t.Errorf("QR code alt = %+v", alt)
	}
	secret := b.text("#totp-secret")
	b.e.clock.Advance(30 * time.Second)
	code, err := totp.GenerateCode(secret, b.e.clock.Now())
	if err != nil {
		b.t.Fatalf("secret %q from the page: %v", secret, err)
	}
	b.do("TOTP step",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`main form[action="/signin/totp"] button[type="submit"]`)),
	)
	b.waitPath("/")
	return secret
}

// signOut presses the header's sign-out button.
func (b *browser) signOut() {
	b.t.Helper()
	b.do("sign out", chromedp.Click(chromedp.CSS(`header form[action="/signout"] button`)))
	b.waitPath("/signin?signedout=1")
}

func TestBrowserEndToEnd(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	// Reports the supervisor's figures count: three new and unclaimed (one
	// P1, one P2), one already with the analyst.
	e.createReport(&haven.Report{Priority: haven.P1})
	e.createReport(&haven.Report{Priority: haven.P2, Channel: haven.ChannelMissingChild,
		IncidentType: haven.IncidentMissingChild, MissingType: haven.MissingEndangeredRunaway})
	e.createReport(&haven.Report{Priority: haven.P4, Channel: haven.ChannelPublicTip})
	e.createReport(&haven.Report{Priority: haven.P3, Status: haven.ReportInReview, AssignedTo: analyst.ID})

	b := newBrowser(t, e)

	// A signed-out visitor is sent to the sign-in page.
	b.open("/")
	if p := b.path(); p != "/signin" {
		t.Fatalf("signed out, / led to %s", p)
	}

	// The supervisor signs in for the first time, enrolling TOTP.
	b.enrolAndSignIn("sam.supervisor")
	if h := b.text("h1"); h != "Welcome, Sam Supervisor" {
		t.Errorf("home heading %q", h)
	}
	if who := b.text("#account-name"); who != "sam.supervisor" {
		t.Errorf("header shows %q", who)
	}
	htmxVersion := run(b, "htmx loaded", chromedp.Evaluate[string](`typeof htmx === 'undefined' ? '' : htmx.version`))
	if htmxVersion != "2.0.11" {
		t.Errorf("htmx version in the page = %q, want 2.0.11 (vendored, loaded under the CSP)", htmxVersion)
	}
	type stat struct {
		Label string `json:"label"`
		Value int    `json:"value"`
	}
	shown := run(b, "read figures", chromedp.Evaluate[[]stat](`Array.from(document.querySelectorAll('.stat')).map(li => ({
		label: li.querySelector('.stat__label').textContent.trim(),
		value: parseInt(li.querySelector('.stat__value').textContent, 10)}))`))
	// What the store holds, counted here independently of the page.
	count := func(f haven.ReportFilter) int {
		var n int
		err := e.store.View(ctx, func(tx haven.Tx) (err error) {
			f.Scope = haven.Scope{All: true}
			n, err = tx.CountReports(ctx, f)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	dayAgo := e.clock.Now().Add(-24 * time.Hour)
	want := map[string]int{
		"New reports nobody has claimed":        count(haven.ReportFilter{Status: haven.ReportNew, Unassigned: true}),
		"New P1 reports (imminent danger)":      count(haven.ReportFilter{Status: haven.ReportNew, Priority: haven.P1}),
		"New P2 reports (child missing now)":    count(haven.ReportFilter{Status: haven.ReportNew, Priority: haven.P2}),
		"Reports received in the last 24 hours": count(haven.ReportFilter{ReceivedFrom: &dayAgo}),
	}
	if want["New reports nobody has claimed"] != 3 || want["New P1 reports (imminent danger)"] != 1 || want["Reports received in the last 24 hours"] != 4 {
		t.Fatalf("test setup: store counts %v", want)
	}
	seen := map[string]int{}
	for _, s := range shown {
		seen[s.Label] = s.Value
	}
	for label, n := range want {
		if got, ok := seen[label]; !ok || got != n {
			t.Errorf("home page shows %q = %d (present %v), the store has %d", label, got, ok, n)
		}
	}

	// Keyboard: the skip link is the first stop and leads to the main content.
	b.do("tab to the skip link",
		chromedp.Evaluate[chromedp.Void](`document.activeElement && document.activeElement.blur()`),
		chromedp.KeyEvent("\t"))
	if f := run(b, "focused element", chromedp.Evaluate[string](`document.activeElement.textContent.trim()`)); f != "Skip to main content" {
		t.Errorf("first tab stop is %q, want the skip link", f)
	}

	// The supervisor signs out; the session is gone.
	b.signOut()
	if n := b.text(`[role="status"]`); n != "You have signed out." {
		t.Errorf("after sign-out: %q", n)
	}
	b.open("/")
	if p := b.path(); p != "/signin" {
		t.Errorf("after sign-out, / led to %s", p)
	}

	// The analyst (not an administrator) is refused the audit log.
	analystSecret := b.enrolAndSignIn("ana.analyst")
	if n := run(b, "audit link", chromedp.Evaluate[int](`document.querySelectorAll('a[href="/admin/audit"]').length`)); n != 0 {
		t.Error("the analyst's page links to the audit log")
	}
	if st := b.open("/admin/audit"); st != http.StatusForbidden {
		t.Errorf("analyst opening /admin/audit: status %d, want 403", st)
	}
	if h := b.text("h1"); h != "You do not have access to this page" {
		t.Errorf("refusal page heading %q", h)
	}
	if n := run(b, "audit table", chromedp.Evaluate[int](`document.querySelectorAll('#audit-table').length`)); n != 0 {
		t.Error("the refusal page shows the audit table")
	}
	b.signOut()

	// The same refusal over plain HTTP, as another session of the analyst.
	hc := e.signedIn("ana.analyst", analystSecret)
	expectStatus(t, hc.get("/admin/audit"), http.StatusForbidden)

	denied := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "audit.view", Outcome: haven.OutcomeDenied})
	if len(denied) != 2 {
		t.Fatalf("audit log has %d refusals of the analyst, want 2 (browser and HTTP client)", len(denied))
	}

	// The administrator finds the refusals in the viewer, filtering with the
	// form (htmx swaps the results in place and updates the address).
	b.enrolAndSignIn("ada.admin")
	b.do("open the audit log", chromedp.Click(chromedp.CSS(`nav a[href="/admin/audit"]`)))
	b.waitPath("/admin/audit")
	b.do("filter by outcome and actor",
		chromedp.SetValue(chromedp.CSS("#f-outcome"), "denied"),
		chromedp.SendKeys(chromedp.CSS("#f-actor"), "ana.analyst"),
		chromedp.Click(chromedp.CSS(`fieldset.filters button[type="submit"]`)),
	)
	b.waitPath("/admin/audit?actor=ana.analyst&outcome=denied")
	rows := run(b, "read audit rows", chromedp.Poll[[]string](`(() => {
		const rows = Array.from(document.querySelectorAll('#audit-table tbody tr')).map(tr => tr.innerText.replace(/\s+/g, ' '));
		return rows.length === 2 ? rows : null; })()`, chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	for _, r := range rows {
		if !strings.Contains(r, "ana.analyst") || !strings.Contains(r, "audit.view") || !strings.Contains(r, "denied") {
			t.Errorf("audit row %q is not the analyst's refusal", r)
		}
	}
	if s := b.text("#audit-status"); s != "2 entries match." {
		t.Errorf("status after filtering: %q", s)
	}
	b.checkPage()

	// On a phone-sized screen nothing overflows sideways.
	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	b.open("/admin/audit?outcome=denied")
	overflow := run(b, "horizontal overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`))
	if overflow {
		t.Error("the audit page scrolls sideways on a 375px-wide screen")
	}
	b.open("/")
	if run(b, "horizontal overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
		t.Error("the home page scrolls sideways on a 375px-wide screen")
	}
	b.signOut()
}
