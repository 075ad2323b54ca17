package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// shownSecret returns the setup key a result page shows, failing the test
// when there is none.
func shownSecret(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`<code class="secret" id="new-totp-secret">([A-Z2-7]+)</code>`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the page shows no setup key:\n%s", body)
	}
	return m[1]
}

// accountRowHTML returns the list's table row for the account, or "".
func accountRowHTML(body string, id int64) string {
	m := regexp.MustCompile(`(?s)<tr id="account-` + strconv.FormatInt(id, 10) + `">.*?</tr>`).FindString(body)
	return m
}

// userNamed returns the stored account, or nil when there is none.
func (e *testEnv) userNamed(username string) *haven.User {
	e.t.Helper()
	var u *haven.User
	err := e.store.View(context.Background(), func(tx haven.Tx) (err error) {
		u, err = tx.UserByUsername(context.Background(), username)
		return err
	})
	if haven.ErrorCode(err) == haven.ENOTFOUND {
		return nil
	} else if err != nil {
		e.t.Fatal(err)
	}
	return u
}

// count returns what count finds in the store.
func (e *testEnv) count(count func(haven.Tx) (int, error)) int {
	e.t.Helper()
	var n int
	err := e.store.View(context.Background(), func(tx haven.Tx) (err error) {
		n, err = count(tx)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// countUsers returns how many accounts the store holds.
func (e *testEnv) countUsers() int {
	e.t.Helper()
	return e.count(func(tx haven.Tx) (int, error) { return tx.CountUsers(context.Background(), haven.UserFilter{}) })
}

// expectDenied fails unless the audit log holds exactly want refusals of
// action by actor.
func expectDenied(t *testing.T, e *testEnv, actor, action string, want int) {
	t.Helper()
	es := e.auditEvents(haven.AuditFilter{Actor: actor, Action: action, Outcome: haven.OutcomeDenied})
	if len(es) != want {
		t.Errorf("audit log has %d refusals of %s for %s, want %d", len(es), action, actor, want)
	}
}

func newAccountForm(username, role string, agencyID int64, password string) url.Values {
	f := url.Values{"username": {username}, "display_name": {"Wendy Example"}, "email": {username + "@example.com"},
		"role": {role}, "password": {password}}
	if agencyID != 0 {
		f.Set("agency", strconv.FormatInt(agencyID, 10))
	}
	return f
}

func TestAdminAccounts(t *testing.T) {
	e := newTestEnv(t)
	ag := e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	_, adminSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	_, otherAdminSecret := e.createUser("abe.admin", "Abe Admin", haven.RoleAdmin, 0)
	_, supSecret := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	hal, halSecret := e.createUser("hal.hotline", "Hal Hotline", haven.RoleHotline, 0)
	admin := e.signedIn("ada.admin", adminSecret)
	supervisor := e.signedIn("sam.supervisor", supSecret)
	analyst := e.signedIn("ana.analyst", anaSecret)

	var olive *haven.User
	var oliveSecret string
	t.Run("an administrator creates an account and sees it in the list", func(t *testing.T) {
		r := admin.post("/admin/users", url.Values{"username": {"Olive.Officer"}, "display_name": {"Olive Officer"},
			"email": {"olive.officer@example.com"}, "role": {"officer"}, "agency": {strconv.FormatInt(ag.ID, 10)},
			"password": {testPassword}})
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "<h1>Account created</h1>") {
			t.Fatalf("result page:\n%s", r.Body)
		}
		oliveSecret = shownSecret(t, r.Body)
		olive = e.userNamed("olive.officer")
		if olive == nil || olive.Role != haven.RoleOfficer || olive.AgencyID != ag.ID || olive.TOTPEnrolled || olive.DisplayName != "Olive Officer" {
			t.Fatalf("stored account: %+v", olive)
		}
		// The key is the account's, it appears once, and never in an address.
		if _, url, err := e.svc.TOTPSecret(context.Background(), olive); err != nil || !strings.Contains(url, "secret="+oliveSecret) {
			t.Errorf("the page's key is not the account's: %v %s", err, url)
		}
		if n := strings.Count(r.Body, oliveSecret); n != 1 {
			t.Errorf("the key appears %d times in the page, want once", n)
		}
		if !strings.Contains(r.Body, fmt.Sprintf(`src="/admin/users/%d/totp.png"`, olive.ID)) {
			t.Errorf("no QR code image for the new account:\n%s", r.Body)
		}
		qr := admin.get(fmt.Sprintf("/admin/users/%d/totp.png", olive.ID))
		expectStatus(t, qr, http.StatusOK)
		if qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") || qr.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("QR code: %s, %s, %d bytes", qr.Header.Get("Content-Type"), qr.Header.Get("Cache-Control"), len(qr.Body))
		}

		r = admin.get("/admin/users")
		expectStatus(t, r, http.StatusOK)
		row := accountRowHTML(r.Body, olive.ID)
		for _, want := range []string{"olive.officer", "Olive Officer", "Law-enforcement officer", "Fairview Police Department",
			"Not set up yet", ">Active<", "Never", fmt.Sprintf(`href="/admin/users/%d/disable"`, olive.ID),
			fmt.Sprintf(`href="/admin/users/%d/reset-mfa"`, olive.ID)} {
			if !strings.Contains(row, want) {
				t.Errorf("the list's row for the new account lacks %q:\n%s", want, row)
			}
		}
		if row := accountRowHTML(r.Body, 1); !strings.Contains(row, "ada.admin") || !strings.Contains(row, "Set up<") {
			t.Errorf("the administrator's own row: %s", row)
		}
		if !strings.Contains(r.Body, `href="/admin/users/new"`) {
			t.Error("no New account button for the administrator")
		}
	})

	t.Run("a refused field is shown next to it, with what was typed kept, and nothing is created", func(t *testing.T) {
		cases := []struct {
			name, field, message string
			form                 url.Values
		}{
			{"short password", "password", "A password needs at least 12 characters.", newAccountForm("wendy.one", "officer", ag.ID, "too short")},
			{"taken username", "username", "is taken.", newAccountForm("olive.officer", "analyst", 0, testPassword)},
			{"officer without an agency", "agency", "belongs to an agency", newAccountForm("wendy.two", "officer", 0, testPassword)},
			{"agency that is not on the list", "agency", "Choose an agency from the list.", url.Values{"username": {"wendy.three"}, "role": {"officer"}, "agency": {"abc"}, "password": {testPassword}}},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := e.countUsers()
				r := admin.post("/admin/users", tc.form)
				expectStatus(t, r, http.StatusBadRequest)
				errSpan := regexp.MustCompile(`<span class="field-error" id="` + tc.field + `-error"><span class="visually-hidden">Error:</span> ([^<]*)</span>\s*<(?:input|select)[^>]*\bid="` + tc.field + `"`).FindStringSubmatch(r.Body)
				if errSpan == nil || !strings.Contains(strings.ReplaceAll(errSpan[1], "&#34;", `"`), tc.message) {
					t.Errorf("no message %q next to %s:\n%s", tc.message, tc.field, r.Body)
				}
				if !regexp.MustCompile(`id="` + tc.field + `"[^>]*aria-invalid="true"`).MatchString(r.Body) {
					t.Errorf("%s is not marked invalid", tc.field)
				}
				if !strings.Contains(r.Body, `<div class="alert" role="alert" id="form-error-summary"`) || !strings.Contains(r.Body, `href="#`+tc.field+`"`) {
					t.Error("no error summary linking to the field")
				}
				if !strings.Contains(r.Body, `value="`+tc.form.Get("username")+`"`) ||
					!strings.Contains(r.Body, `<option value="`+tc.form.Get("role")+`" selected>`) {
					t.Errorf("the typed username or role is lost")
				}
				if dn := tc.form.Get("display_name"); dn != "" && (!strings.Contains(r.Body, `value="`+dn+`"`) || !strings.Contains(r.Body, `value="`+tc.form.Get("email")+`"`)) {
					t.Errorf("the typed name or email is lost")
				}
				if id := tc.form.Get("agency"); id != "" && id != "abc" && !strings.Contains(r.Body, `<option value="`+id+`" selected>`) {
					t.Errorf("the chosen agency is lost")
				}
				if strings.Contains(r.Body, tc.form.Get("password")) {
					t.Error("the page sends the typed password back")
				}
				if after := e.countUsers(); after != before {
					t.Errorf("accounts went from %d to %d", before, after)
				}
			})
		}
	})

	t.Run("an analyst is refused the list and the form, and the refusals are audited", func(t *testing.T) {
		before := e.countUsers()
		r := analyst.get("/admin/users")
		expectStatus(t, r, http.StatusForbidden)
		if !strings.Contains(r.Body, "You are not allowed to see the list of accounts.") || strings.Contains(r.Body, "olive.officer") {
			t.Errorf("refusal page:\n%s", r.Body)
		}
		expectStatus(t, analyst.get("/admin/users/new"), http.StatusForbidden)
		r = analyst.post("/admin/users", newAccountForm("mallory.example", "admin", 0, testPassword))
		expectStatus(t, r, http.StatusForbidden)
		if e.userNamed("mallory.example") != nil || e.countUsers() != before {
			t.Error("the analyst's POST created an account")
		}
		expectDenied(t, e, "ana.analyst", "user.list", 1)
		expectDenied(t, e, "ana.analyst", "user.create", 2) // the form, then the POST
		expectStatus(t, analyst.post(fmt.Sprintf("/admin/users/%d/disable", olive.ID), url.Values{}), http.StatusForbidden)
		if r := analyst.get("/"); strings.Contains(r.Body, `href="/admin/users"`) {
			t.Error("the analyst's pages link to the accounts list")
		}
	})

	t.Run("a supervisor reads the list without actions, and cannot disable", func(t *testing.T) {
		r := supervisor.get("/admin/users")
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(accountRowHTML(r.Body, olive.ID), "olive.officer") {
			t.Errorf("the supervisor's list lacks the officer:\n%s", r.Body)
		}
		for _, bad := range []string{"/disable", "/enable", "/reset-mfa", `href="/admin/users/new"`, "<form method=\"post\" action=\"/admin/users", ">Actions<"} {
			if strings.Contains(r.Body, bad) {
				t.Errorf("the supervisor's list offers %q", bad)
			}
		}
		if !strings.Contains(r.Body, `<a href="/admin/users" aria-current="page">Accounts</a>`) {
			t.Error("the supervisor's navigation lacks Accounts")
		}
		expectStatus(t, supervisor.get(fmt.Sprintf("/admin/users/%d/disable", olive.ID)), http.StatusForbidden)
		r = supervisor.post(fmt.Sprintf("/admin/users/%d/disable", olive.ID), url.Values{})
		expectStatus(t, r, http.StatusForbidden)
		if u := e.userNamed("olive.officer"); u.Disabled {
			t.Error("the supervisor disabled the account")
		}
		expectDenied(t, e, "sam.supervisor", "user.disable", 1)
		expectDenied(t, e, "sam.supervisor", "user.admin", 1)
	})

	t.Run("the confirmation page changes nothing", func(t *testing.T) {
		r := admin.get(fmt.Sprintf("/admin/users/%d/disable", hal.ID))
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "<h1>Disable the account of Hal Hotline (hal.hotline)?</h1>") ||
			!strings.Contains(r.Body, fmt.Sprintf(`<form method="post" action="/admin/users/%d/disable"`, hal.ID)) {
			t.Errorf("confirmation page:\n%s", r.Body)
		}
		if e.userNamed("hal.hotline").Disabled {
			t.Error("opening the confirmation disabled the account")
		}
		expectStatus(t, admin.get("/admin/users/999999/disable"), http.StatusNotFound)
		expectStatus(t, admin.post("/admin/users/999999/disable", url.Values{}), http.StatusNotFound)
		expectStatus(t, admin.get("/admin/users/x/disable"), http.StatusNotFound)
	})

	t.Run("disabling ends the user's session; enabling lets them back", func(t *testing.T) {
		halClient := e.signedIn("hal.hotline", halSecret)
		expectStatus(t, halClient.get("/"), http.StatusOK)
		r := admin.post(fmt.Sprintf("/admin/users/%d/disable", hal.ID), url.Values{})
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "is disabled, and they have been signed out.") {
			t.Errorf("after disabling:\n%s", r.Body)
		}
		if !e.userNamed("hal.hotline").Disabled {
			t.Fatal("the account is not disabled")
		}
		expectRedirect(t, halClient.get("/"), "/signin?ended=1")
		expectStatus(t, e.newClient().post("/signin", url.Values{"username": {"hal.hotline"}, "password": {testPassword}}), http.StatusUnauthorized)

		r = admin.get("/admin/users?state=disabled")
		if !strings.Contains(accountRowHTML(r.Body, hal.ID), ">Disabled<") || accountRowHTML(r.Body, olive.ID) != "" ||
			!strings.Contains(r.Body, fmt.Sprintf(`href="/admin/users/%d/enable"`, hal.ID)) {
			t.Errorf("state=disabled:\n%s", r.Body)
		}

		expectStatus(t, admin.post(fmt.Sprintf("/admin/users/%d/enable", hal.ID), url.Values{}), http.StatusOK)
		e.signedIn("hal.hotline", halSecret)
	})

	t.Run("resetting two-step sign-in shows a new key and the next sign-in enrols", func(t *testing.T) {
		halClient := e.signedIn("hal.hotline", halSecret)
		r := admin.post(fmt.Sprintf("/admin/users/%d/reset-mfa", hal.ID), url.Values{})
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "<h1>Two-step sign-in reset</h1>") {
			t.Fatalf("reset page:\n%s", r.Body)
		}
		newSecret := shownSecret(t, r.Body)
		if newSecret == halSecret {
			t.Fatal("the reset shows the old key")
		}
		expectRedirect(t, halClient.get("/"), "/signin?ended=1")

		c := e.newClient()
		c.signInPassword("hal.hotline")
		if r := c.get("/signin/totp"); !strings.Contains(r.Body, "Set up two-step sign-in") {
			t.Fatalf("after the reset the sign-in does not ask to enrol:\n%s", r.Body)
		}
		expectStatus(t, c.post("/signin/totp", url.Values{"code": {e.code(halSecret)}}), http.StatusUnauthorized)
		expectRedirect(t, c.post("/signin/totp", url.Values{"code": {e.code(newSecret)}}), "/")
		if !e.userNamed("hal.hotline").TOTPEnrolled {
			t.Error("not enrolled after the first code from the new key")
		}
		halSecret = newSecret
	})

	t.Run("the QR code is only for the administrator who issued the key, until the user enrols", func(t *testing.T) {
		path := fmt.Sprintf("/admin/users/%d/totp.png", olive.ID)
		expectStatus(t, analyst.get(path), http.StatusForbidden)
		expectStatus(t, supervisor.get(path), http.StatusForbidden)
		otherAdmin := e.signedIn("abe.admin", otherAdminSecret)
		expectStatus(t, otherAdmin.get(path), http.StatusNotFound)
		expectStatus(t, admin.get(path), http.StatusOK)
		// The hotline specialist enrolled after the reset: no key to show.
		expectStatus(t, admin.get(fmt.Sprintf("/admin/users/%d/totp.png", hal.ID)), http.StatusNotFound)

		e.signedIn("olive.officer", oliveSecret) // enrols
		r := admin.get(path)
		expectStatus(t, r, http.StatusNotFound)
		if strings.Contains(r.Body, oliveSecret) || strings.HasPrefix(r.Body, "\x89PNG") {
			t.Error("the key is still served after enrolment")
		}
		expectDenied(t, e, "ana.analyst", "user.totp_secret", 1)
		expectDenied(t, e, "abe.admin", "user.totp_secret", 1)
		shown := e.auditEvents(haven.AuditFilter{Actor: "ada.admin", Action: "user.totp_secret", Outcome: haven.OutcomeOK})
		if len(shown) != 2 {
			t.Errorf("%d audited QR views by the issuing administrator, want 2", len(shown))
		}

		// A key issued an hour and more ago is no longer served.
		r = admin.post("/admin/users", newAccountForm("lena.late", "analyst", 0, testPassword))
		expectStatus(t, r, http.StatusOK)
		late := e.userNamed("lena.late")
		e.clock.Advance(haven.IssuedTOTPWindow + time.Minute)
		admin = e.signedIn("ada.admin", adminSecret) // the old session timed out meanwhile
		expectStatus(t, admin.get(fmt.Sprintf("/admin/users/%d/totp.png", late.ID)), http.StatusNotFound)
	})

	t.Run("filters", func(t *testing.T) {
		// Lock an account with five wrong passwords.
		for range haven.LockoutThreshold {
			e.newClient().post("/signin", url.Values{"username": {"sam.supervisor"}, "password": {"not the password"}})
		}
		sam := e.userNamed("sam.supervisor")
		cases := []struct {
			query     string
			want, not []string
		}{
			{"role=officer", []string{"olive.officer"}, []string{"ada.admin", "hal.hotline"}},
			{"state=locked", []string{"sam.supervisor", fmt.Sprintf(`href="/admin/users/%d/enable">Unlock`, sam.ID)}, []string{"ada.admin", "olive.officer"}},
			{"state=active", []string{"ada.admin", "olive.officer", "hal.hotline"}, []string{"sam.supervisor"}},
			{"role=admin&state=active", []string{"ada.admin", "abe.admin", "2 accounts match."}, []string{"olive.officer"}},
			{"role=trainer", []string{"No accounts match these filters."}, []string{"ada.admin"}},
		}
		for _, tc := range cases {
			r := admin.get("/admin/users?" + tc.query)
			expectStatus(t, r, http.StatusOK)
			for _, w := range tc.want {
				if !strings.Contains(r.Body, w) {
					t.Errorf("%s: lacks %q", tc.query, w)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(r.Body, `<th scope="row">`+n+"<") {
					t.Errorf("%s: shows %q", tc.query, n)
				}
			}
		}
		r := admin.get("/admin/users?state=asleep")
		expectStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.Body, "Choose a state from the list.") || !strings.Contains(r.Body, `id="f-state" name="state" aria-invalid="true"`) {
			t.Errorf("bad state filter:\n%s", r.Body)
		}

		r = admin.do(http.MethodGet, "/admin/users?role=officer", nil, map[string]string{"HX-Request": "true", "HX-Target": "accounts-results"})
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "<html") || !strings.Contains(r.Body, `<div id="accounts-results">`) || !strings.Contains(r.Body, "olive.officer") ||
			r.Header.Get("HX-Push-Url") != "/admin/users?role=officer" {
			t.Errorf("htmx fragment (%s):\n%s", r.Header.Get("HX-Push-Url"), r.Body)
		}
	})

	t.Run("navigation and the home page link the new screens", func(t *testing.T) {
		analyst := e.signedIn("ana.analyst", anaSecret) // the earlier session timed out
		r := admin.get("/")
		for _, want := range []string{`<li><a href="/admin/users">Accounts</a></li>`, `<li><a href="/agencies">Agencies</a></li>`,
			`<a href="/admin/users">Active accounts</a>`, `<a href="/agencies">Agencies in the directory</a>`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the administrator's home page lacks %s", want)
			}
		}
		r = analyst.get("/")
		if !strings.Contains(r.Body, `<li><a href="/agencies">Agencies</a></li>`) || strings.Contains(r.Body, `href="/admin/users"`) {
			t.Errorf("the analyst's navigation:\n%s", r.Body)
		}
	})

	t.Run("the pages carry no inline code", func(t *testing.T) {
		for _, path := range []string{"/admin/users", "/admin/users/new", fmt.Sprintf("/admin/users/%d/reset-mfa", hal.ID)} {
			r := admin.get(path)
			expectStatus(t, r, http.StatusOK)
			if m := inlineCode.FindString(r.Body); m != "" {
				t.Errorf("%s has inline code the CSP forbids: %q", path, m)
			}
		}
		r := admin.post("/admin/users", newAccountForm("ida.inline", "learner", 0, testPassword))
		if m := inlineCode.FindString(r.Body); m != "" {
			t.Errorf("the result page has inline code: %q", m)
		}
	})
}
