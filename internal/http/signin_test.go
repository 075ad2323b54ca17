package http_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func TestSignedOutVisitorIsSentToSignIn(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	for _, path := range []string{"/", "/admin/audit"} {
		expectRedirect(t, c.get(path), "/signin")
	}
	r := c.get("/signin")
	expectStatus(t, r, http.StatusOK)
	for _, want := range []string{`<label for="username">Username</label>`, `<label for="password">Password</label>`, `autocomplete="current-password"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("sign-in page lacks %s", want)
		}
	}
}

func TestFirstSignInEnrolsTOTPAndSetsAHardenedCookie(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	c := e.newClient()

	r := c.post("/signin", url.Values{"username": {"sam.supervisor"}, "password": {testPassword}})
	expectRedirect(t, r, "/signin/totp")
	var ck *http.Cookie
	for _, x := range r.Cookies() {
		if x.Name == "haven_session" {
			ck = x
		}
	}
	if ck == nil {
		t.Fatal("no haven_session cookie after the password step")
	}
	if !ck.HttpOnly || !ck.Secure || ck.SameSite != http.SameSiteLaxMode || ck.Path != "/" || ck.MaxAge != 0 || !ck.Expires.IsZero() {
		t.Errorf("session cookie = %q; want HttpOnly, Secure, SameSite=Lax, Path=/ and no Max-Age or Expires", r.Header.Get("Set-Cookie"))
	}

	// A half session reaches only the TOTP step.
	expectRedirect(t, c.get("/"), "/signin/totp")
	expectRedirect(t, c.get("/admin/audit"), "/signin/totp")

	r = c.get("/signin/totp")
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `<code class="secret" id="totp-secret">`+secret+`</code>`) {
		t.Errorf("enrolment page does not show the secret %s:\n%s", secret, r.Body)
	}
	qr := c.get("/signin/totp/qr.png")
	expectStatus(t, qr, http.StatusOK)
	if qr.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(qr.Body, "\x89PNG") {
		t.Errorf("QR code: Content-Type %q, body starts %q", qr.Header.Get("Content-Type"), qr.Body[:min(8, len(qr.Body))])
	}
	if qr.Header.Get("Cache-Control") != "no-store" {
		t.Errorf("QR code Cache-Control = %q, want no-store", qr.Header.Get("Cache-Control"))
	}

	r = c.post("/signin/totp", url.Values{"code": {"000000"}})
	expectStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.Body, "That code is not right") || !strings.Contains(r.Body, `id="totp-secret"`) {
		t.Errorf("a wrong code should re-show the enrolment page with the error:\n%s", r.Body)
	}

	r = c.post("/signin/totp", url.Values{"code": {e.code(secret)}})
	expectRedirect(t, r, "/")
	r = c.get("/")
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "<h1>Welcome, Sam Supervisor</h1>") {
		t.Errorf("home page lacks the welcome:\n%s", r.Body)
	}
	// Once enrolled, the secret is never shown again.
	c2 := e.newClient()
	c2.signInPassword("sam.supervisor")
	r = c2.get("/signin/totp")
	if strings.Contains(r.Body, secret) || strings.Contains(r.Body, "totp-secret") {
		t.Error("the TOTP secret is shown again after enrolment")
	}
	expectStatus(t, c2.get("/signin/totp/qr.png"), http.StatusNotFound)
}

func TestFiveFailedSignInsLockTheAccountForFifteenMinutes(t *testing.T) {
	e := newTestEnv(t)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.newClient()
	wrong := url.Values{"username": {"ana.analyst"}, "password": {"not the right password"}}
	for i := 1; i <= 4; i++ {
		r := c.post("/signin", wrong)
		expectStatus(t, r, http.StatusUnauthorized)
		if !strings.Contains(r.Body, "Wrong username or password.") {
			t.Fatalf("attempt %d: no 'wrong username or password' message:\n%s", i, r.Body)
		}
	}
	r := c.post("/signin", wrong) // the fifth failure locks
	expectStatus(t, r, http.StatusTooManyRequests)

	right := url.Values{"username": {"ana.analyst"}, "password": {testPassword}}
	r = c.post("/signin", right)
	expectStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "Too many failed sign-ins. This account is locked") {
		t.Errorf("sixth attempt (right password) lacks the lockout message:\n%s", r.Body)
	}
	if c.cookie != "" {
		t.Error("a locked account got a session cookie")
	}

	e.clock.Advance(14 * time.Minute)
	expectStatus(t, c.post("/signin", right), http.StatusTooManyRequests)

	e.clock.Advance(time.Minute)
	expectRedirect(t, c.post("/signin", right), "/signin/totp")

	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.password", Outcome: haven.OutcomeFailed})); n != 5 {
		t.Errorf("audit: %d failed password steps, want 5", n)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.password", Outcome: haven.OutcomeDenied})); n != 2 {
		t.Errorf("audit: %d refused password steps while locked, want 2", n)
	}
}

func TestFiveWrongCodesLockTheAccount(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.newClient()
	c.signInPassword("ana.analyst")
	for i := 1; i <= 4; i++ {
		expectStatus(t, c.post("/signin/totp", url.Values{"code": {"000000"}}), http.StatusUnauthorized)
	}
	r := c.post("/signin/totp", url.Values{"code": {"000000"}})
	expectStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "This account is locked") || c.cookie != "" {
		t.Fatalf("fifth wrong code: want the lockout message and the cookie cleared (cookie %q):\n%s", c.cookie, r.Body)
	}
	r = c.post("/signin", url.Values{"username": {"ana.analyst"}, "password": {testPassword}})
	expectStatus(t, r, http.StatusTooManyRequests)
	e.clock.Advance(15 * time.Minute)
	c.signIn("ana.analyst", secret)
}

func TestTOTPCodeIsRefusedTheSecondTime(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	code := e.code(secret)

	c := e.newClient()
	c.signInPassword("ana.analyst")
	expectRedirect(t, c.post("/signin/totp", url.Values{"code": {code}}), "/")
	expectRedirect(t, c.post("/signout", nil), "/signin?signedout=1")

	c.signInPassword("ana.analyst")
	r := c.post("/signin/totp", url.Values{"code": {code}}) // same code, same 30 s step
	expectStatus(t, r, http.StatusUnauthorized)
	if !strings.Contains(r.Body, "already used") {
		t.Errorf("replayed code: no 'already used' message:\n%s", r.Body)
	}
	expectRedirect(t, c.get("/"), "/signin/totp")
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.totp", Outcome: haven.OutcomeFailed})); n != 1 {
		t.Errorf("audit: %d failed TOTP steps, want 1 (the replay)", n)
	}
	// The next code works.
	expectRedirect(t, c.post("/signin/totp", url.Values{"code": {e.code(secret)}}), "/")
	expectStatus(t, c.get("/"), http.StatusOK)
}

func TestSessionTokenRotatesAtSignIn(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.newClient()
	c.signInPassword("ana.analyst")
	half := c.cookie
	expectRedirect(t, c.post("/signin/totp", url.Values{"code": {e.code(secret)}}), "/")
	full := c.cookie
	if full == "" || full == half {
		t.Fatalf("session token did not rotate at the TOTP step: before %q, after %q", half, full)
	}
	expectStatus(t, c.get("/"), http.StatusOK)

	old := e.newClient()
	old.cookie = half
	expectRedirect(t, old.get("/"), "/signin?ended=1")
	old.cookie = half
	expectRedirect(t, old.get("/signin/totp"), "/signin?ended=1")
	old.cookie = half
	expectStatus(t, old.post("/signin/totp", url.Values{"code": {e.code(secret)}}), http.StatusSeeOther)
	if old.cookie != "" {
		t.Error("the old token was given a new session")
	}
	expectStatus(t, c.get("/"), http.StatusOK)
}

func TestSessionEndsAfterThirtyMinutesIdle(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.signedIn("ana.analyst", secret)
	e.clock.Advance(29 * time.Minute)
	expectStatus(t, c.get("/"), http.StatusOK) // activity resets the idle timer
	e.clock.Advance(29 * time.Minute)
	expectStatus(t, c.get("/"), http.StatusOK)
	e.clock.Advance(31 * time.Minute)
	token := c.cookie
	expectRedirect(t, c.get("/"), "/signin?ended=1")
	if c.cookie != "" {
		t.Error("the expired session's cookie was not cleared")
	}
	c.cookie = token
	expectRedirect(t, c.get("/"), "/signin?ended=1")
	r := c.get("/signin?ended=1")
	if !strings.Contains(r.Body, "Your session has ended") {
		t.Errorf("sign-in page does not say the session ended:\n%s", r.Body)
	}
}

func TestSessionEndsTwelveHoursAfterSignInEvenWhenActive(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	start := e.clock.Now()
	c := e.signedIn("ana.analyst", secret)
	for e.clock.Now().Sub(start) < 12*time.Hour-20*time.Minute {
		e.clock.Advance(20 * time.Minute)
		expectStatus(t, c.get("/"), http.StatusOK)
	}
	e.clock.Advance(20 * time.Minute) // idle for 20 minutes only, but past 12 hours
	if e.clock.Now().Sub(start) <= 12*time.Hour {
		t.Fatalf("test error: only %v since sign-in", e.clock.Now().Sub(start))
	}
	expectRedirect(t, c.get("/"), "/signin?ended=1")
}

func TestSignOutEndsTheSession(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.signedIn("ana.analyst", secret)
	token := c.cookie
	expectRedirect(t, c.post("/signout", nil), "/signin?signedout=1")
	if c.cookie != "" {
		t.Error("sign-out did not clear the cookie")
	}
	c.cookie = token
	expectRedirect(t, c.get("/"), "/signin?ended=1")
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.signout"})); n != 1 {
		t.Errorf("audit: %d sign-outs, want 1", n)
	}
}

func TestCrossOriginPostsAreRefusedAndChangeNothing(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.signedIn("ana.analyst", secret)
	countPasswordSteps := func() int {
		return len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.password"}))
	}
	before := countPasswordSteps()

	attacks := []struct {
		name string
		hdr  map[string]string
	}{
		{"Origin of another site", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}},
		{"Sec-Fetch-Site cross-site", map[string]string{"Origin": "", "Sec-Fetch-Site": "cross-site"}},
		{"both", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"}},
	}
	for _, a := range attacks {
		t.Run(a.name, func(t *testing.T) {
			r := c.do(http.MethodPost, "/signout", url.Values{}, a.hdr)
			expectStatus(t, r, http.StatusForbidden)
			if !strings.Contains(r.Body, "came from another website") {
				t.Errorf("refusal page lacks its explanation:\n%s", r.Body)
			}
			expectStatus(t, c.get("/"), http.StatusOK) // still signed in

			other := e.newClient()
			r = other.do(http.MethodPost, "/signin", url.Values{"username": {"ana.analyst"}, "password": {testPassword}}, a.hdr)
			expectStatus(t, r, http.StatusForbidden)
			if other.cookie != "" {
				t.Error("a cross-origin sign-in got a session")
			}
			r = c.do(http.MethodPost, "/signin/totp", url.Values{"code": {"123456"}}, a.hdr)
			expectStatus(t, r, http.StatusForbidden)
		})
	}
	if after := countPasswordSteps(); after != before {
		t.Errorf("cross-origin sign-ins reached the service: %d password steps audited, want %d", after, before)
	}
	// The same POST from the same origin works: the refusal above was the CSRF check.
	expectRedirect(t, c.post("/signout", nil), "/signin?signedout=1")
}

func TestUserWithoutAccountAndWrongPasswordAnswerAlike(t *testing.T) {
	e := newTestEnv(t)
	e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	c := e.newClient()
	r1 := c.post("/signin", url.Values{"username": {"nobody.here"}, "password": {testPassword}})
	r2 := c.post("/signin", url.Values{"username": {"ana.analyst"}, "password": {"wrong password!!"}})
	if r1.StatusCode != r2.StatusCode || !strings.Contains(r1.Body, "Wrong username or password.") || !strings.Contains(r2.Body, "Wrong username or password.") {
		t.Errorf("unknown user (%d) and wrong password (%d) should answer alike", r1.StatusCode, r2.StatusCode)
	}
}
