package http_test

import (
	"net/http"
	"net/netip"
	"net/url"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
)

// TestLockoutHoldsAcrossAddressesAndHalfSignedInSessions: the lockout is the
// account's, not the address's. After five wrong passwords from one address,
// the right password from another address is refused, and so is the right
// code in a session that had passed the password step before the lockout;
// after fifteen minutes (the service's clock) the account signs in again.
// (The lockout's duration, wrong codes and the audit of each step are in
// signin_test.go.)
func TestLockoutHoldsAcrossAddressesAndHalfSignedInSessions(t *testing.T) {
	e := newTestEnvWith(t, func(o *havenhttp.Options) {
		o.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}
	})
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	from := func(c *client, ip, method, path string, form url.Values) *response {
		t.Helper()
		return c.do(method, path, form, map[string]string{"X-Forwarded-For": ip})
	}
	right := url.Values{"username": {"ana.analyst"}, "password": {testPassword}}
	wrong := url.Values{"username": {"ana.analyst"}, "password": {"not the right password"}}

	// A session from 203.0.113.9 passes the password step first.
	half := e.newClient()
	expectRedirect(t, from(half, "203.0.113.9", "POST", "/signin", right), "/signin/totp")

	// Five wrong passwords from 198.51.100.7 lock the account.
	attacker := e.newClient()
	for i := 1; i <= 5; i++ {
		from(attacker, "198.51.100.7", "POST", "/signin", wrong)
	}
	r := from(attacker, "198.51.100.7", "POST", "/signin", right)
	expectStatus(t, r, http.StatusTooManyRequests)

	// Another address, the right password: still locked.
	other := e.newClient()
	r = from(other, "192.0.2.44", "POST", "/signin", right)
	expectStatus(t, r, http.StatusTooManyRequests)
	if other.cookie != "" {
		t.Error("a locked account got a session cookie from another address")
	}
	// The session that had passed the password step: the right code is refused.
	r = from(half, "203.0.113.9", "POST", "/signin/totp", url.Values{"code": {e.code(secret)}})
	if r.StatusCode != http.StatusTooManyRequests && !(r.StatusCode == http.StatusSeeOther && r.Header.Get("Location") != "/") {
		t.Fatalf("the right code in a half-signed-in session of a locked account: %d to %q", r.StatusCode, r.Header.Get("Location"))
	}
	t.Logf("right code after the lockout, half-signed-in session: %d %s", r.StatusCode, r.Header.Get("Location"))
	if r := half.get("/"); r.StatusCode == http.StatusOK {
		t.Fatal("a locked account's half-signed-in session reached the home page")
	}
	denied := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Outcome: haven.OutcomeDenied})
	if len(denied) < 2 {
		t.Errorf("audit: %d refusals while locked, want at least the 2 password steps", len(denied))
	}

	e.clock.Advance(14 * time.Minute)
	expectStatus(t, from(e.newClient(), "192.0.2.44", "POST", "/signin", right), http.StatusTooManyRequests)
	e.clock.Advance(time.Minute)
	c := e.newClient()
	expectRedirect(t, from(c, "192.0.2.44", "POST", "/signin", right), "/signin/totp")
	expectRedirect(t, from(c, "192.0.2.44", "POST", "/signin/totp", url.Values{"code": {e.code(secret)}}), "/")
	expectStatus(t, c.get("/"), http.StatusOK)
}

// TestATOTPCodeUsedInOneSessionIsRefusedInAnother: two sessions that have
// both passed the password step; the code that signs the first in, within
// its 30-second step, is refused in the second, and the refusal is audited.
// (The same session signing in again with a used code is in signin_test.go.)
func TestATOTPCodeUsedInOneSessionIsRefusedInAnother(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	first, second := e.newClient(), e.newClient()
	first.signInPassword("ana.analyst")
	second.signInPassword("ana.analyst")
	code := e.code(secret)
	expectRedirect(t, first.post("/signin/totp", url.Values{"code": {code}}), "/")
	e.clock.Advance(10 * time.Second) // still the same step
	r := second.post("/signin/totp", url.Values{"code": {code}})
	expectStatus(t, r, http.StatusUnauthorized)
	if r := second.get("/"); r.StatusCode == http.StatusOK {
		t.Fatal("a replayed code signed a second session in")
	}
	failed := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "auth.totp", Outcome: haven.OutcomeFailed})
	if len(failed) != 1 {
		t.Errorf("audit: %d failed TOTP steps, want 1 (the replay)", len(failed))
	}
	expectStatus(t, first.get("/"), http.StatusOK)
}
