package http_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/haven"
)

// waitPage waits until the browser shows a new document at path with the
// heading h1: after a form post that answers at the address it was sent
// from, the address alone cannot tell the old page from the new one, so
// each page waited for is marked seen.
func (b *browser) waitPage(path, h1 string) {
	b.t.Helper()
	b.waitFor("for "+path+" showing "+h1, `document.readyState === 'complete' && !window.__havenSeen ?
		location.pathname + location.search + ' ' + (document.querySelector('h1') || {textContent: ''}).textContent.trim() : ''`, path+" "+h1)
	b.do("mark the page seen", chromedp.Evaluate[chromedp.Void](`window.__havenSeen = true`))
}

// TestBrowserAdminCreatesAccount drives the account screens in Chromium: an
// administrator creates an officer's account through the form (first
// forgetting the agency), reads the setup key the page shows, and the
// officer then signs in for the first time with that key.
func TestBrowserAdminCreatesAccount(t *testing.T) {
	e := newTestEnv(t)
	ag := e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	e.createAgency("Valley Child Services", "child_welfare", "MD")
	e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)

	b := newBrowser(t, e)
	b.enrolAndSignIn("ada.admin")

	b.do("open the accounts list", chromedp.Click(chromedp.CSS(`nav a[href="/admin/users"]`)))
	b.waitPath("/admin/users")
	b.do("open the new-account form", chromedp.Click(chromedp.CSS(`#new-account`)))
	b.waitPath("/admin/users/new")

	// An officer without an agency: the form comes back with the message at
	// the agency field and everything else still filled in.
	b.do("fill in the form without an agency",
		chromedp.SendKeys(chromedp.CSS("#username"), "olive.officer"),
		chromedp.SendKeys(chromedp.CSS("#display_name"), "Olive Officer"),
		chromedp.SendKeys(chromedp.CSS("#email"), "olive.officer@example.com"),
		chromedp.SetValue(chromedp.CSS("#role"), "officer"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/admin/users"] button[type="submit"]`)),
	)
	b.waitPage("/admin/users", "New account")
	if msg := b.text("#agency-error"); !strings.Contains(msg, "belongs to an agency") {
		t.Errorf("agency error %q", msg)
	}
	if v := run(b, "kept username", chromedp.Value(chromedp.CSS("#username"))); v != "olive.officer" {
		t.Errorf("username after the error %q", v)
	}
	if v := run(b, "kept role", chromedp.Value(chromedp.CSS("#role"))); v != "officer" {
		t.Errorf("role after the error %q", v)
	}
	if e.userNamed("olive.officer") != nil {
		t.Fatal("an account was created without its agency")
	}

	b.do("choose the agency and send again",
		chromedp.SetValue(chromedp.CSS("#agency"), strconv.FormatInt(ag.ID, 10)),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/admin/users"] button[type="submit"]`)),
	)
	b.waitPage("/admin/users", "Account created")
	width := run(b, "QR code loads", chromedp.Poll[int](
		`(() => { const i = document.getElementById('new-totp-qr'); return i && i.complete && i.naturalWidth; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if width <= 0 {
		t.Errorf("QR code naturalWidth = %d", width)
	}
	secret := b.text("#new-totp-secret")
	if secret == "" {
		t.Fatal("no setup key on the page")
	}

	// The list shows the new account.
	b.do("back to the list", chromedp.Click(chromedp.CSS(`main a.button[href="/admin/users"]`)))
	b.waitPage("/admin/users", "Accounts")
	row := run(b, "new account's row", chromedp.Evaluate[string](`Array.from(document.querySelectorAll('#accounts-table tbody tr'))
		.map(tr => tr.innerText.replace(/\s+/g, ' ')).find(t => t.includes('olive.officer')) || ''`))
	for _, want := range []string{"Olive Officer", "Law-enforcement officer", "Fairview Police Department", "Not set up yet", "Active"} {
		if !strings.Contains(row, want) {
			t.Errorf("the new account's row %q lacks %q", row, want)
		}
	}

	// The directory's filters work in place (htmx) and update the address.
	b.do("open the agency directory", chromedp.Click(chromedp.CSS(`nav a[href="/agencies"]`)))
	b.waitPage("/agencies", "Agencies")
	b.do("filter by kind",
		chromedp.SetValue(chromedp.CSS("#f-kind"), "child_welfare"),
		chromedp.Click(chromedp.CSS(`fieldset.filters button[type="submit"]`)),
	)
	names := run(b, "filtered agencies", chromedp.Poll[[]string](`(() => {
		const rows = Array.from(document.querySelectorAll('#agencies-table tbody th')).map(th => th.firstChild.textContent.trim());
		return rows.length === 1 && location.search === '?kind=child_welfare' ? rows : null; })()`,
		chromedp.WithPollingInterval(50*time.Millisecond), chromedp.WithPollingTimeout(10*time.Second)))
	if names[0] != "Valley Child Services" {
		t.Errorf("filtered by child welfare: %q", names)
	}
	if s := b.text("#agencies-status"); s != "1 agency matches." {
		t.Errorf("status after filtering: %q", s)
	}
	b.checkPage()

	// On a phone-sized screen the new pages do not scroll sideways.
	b.do("phone viewport", chromedp.EmulateViewport(375, 740))
	for _, path := range []string{"/admin/users", "/admin/users/new", "/agencies", "/agencies/new"} {
		if st := b.open(path); st != http.StatusOK {
			t.Errorf("%s: status %d", path, st)
		}
		if run(b, "horizontal overflow", chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth + 1`)) {
			t.Errorf("%s scrolls sideways on a 375px-wide screen", path)
		}
	}
	b.do("desktop viewport", chromedp.EmulateViewport(1280, 900))
	b.open("/")
	b.signOut()

	// The officer signs in for the first time with the key the
	// administrator was shown.
	b.open("/signin")
	b.do("officer's password step",
		chromedp.SendKeys(chromedp.CSS("#username"), "olive.officer"),
		chromedp.SendKeys(chromedp.CSS("#password"), testPassword),
		chromedp.Click(chromedp.CSS(`main form[action="/signin"] button[type="submit"]`)),
	)
	b.waitPath("/signin/totp")
	if h := b.text("h1"); h != "Set up two-step sign-in" {
		t.Fatalf("the officer's first sign-in shows %q, want the enrolment page", h)
	}
	e.clock.Advance(30 * time.Second)
	code, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		t.Fatalf("key %q from the page: %v", secret, err)
	}
	b.do("officer's code",
		chromedp.SendKeys(chromedp.CSS("#code"), code),
		chromedp.Click(chromedp.CSS(`main form[action="/signin/totp"] button[type="submit"]`)),
	)
	b.waitPath("/")
	if h := b.text("h1"); h != "Welcome, Olive Officer" {
		t.Errorf("officer's home heading %q", h)
	}
	if who := b.text("#account-name"); who != "olive.officer" {
		t.Errorf("header shows %q", who)
	}
	if u := e.userNamed("olive.officer"); u == nil || !u.TOTPEnrolled || u.AgencyID != ag.ID {
		t.Errorf("the officer's account after the first sign-in: %+v", u)
	}
}
