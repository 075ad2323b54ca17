package http_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

// testPassword is every test account's password.
const testPassword = "correct horse battery staple"

// testClock is the service's clock in tests: real time at the start, moved
// forward by the test (idle and absolute timeouts, lockout expiry, TOTP steps).
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// syncBuffer is a log sink shared by the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// testEnv is a real Haven server listening on 127.0.0.1 with a temporary
// SQLite database and key file.
type testEnv struct {
	t     *testing.T
	svc   *haven.Service
	store haven.Store
	reg   *prometheus.Registry
	clock *testClock
	logs  *syncBuffer
	// URL is the server's base URL, e.g. http://127.0.0.1:34567.
	URL string
}

// sys is the operator actor tests use to set things up.
var sys = haven.System("test")

// newTestEnv boots the server; it stops at the end of the test.
func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	return newTestEnvWith(t, nil)
}

// newTestEnvWith boots the server with the options set by opts (if not nil).
func newTestEnvWith(t *testing.T, opts func(*havenhttp.Options)) *testEnv {
	t.Helper()
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	k, _, err := keys.LoadOrCreate(filepath.Join(dir, "haven.keys"))
	if err != nil {
		t.Fatalf("keys: %v", err)
	}
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	svc := haven.NewService(db, k, k, log)
	clock := &testClock{now: time.Now().UTC()}
	svc.Now = clock.Now
	reg := prometheus.NewRegistry()
	o := havenhttp.Options{Service: svc, Store: db, Log: log, Registry: reg, Version: "test", SecureCookies: true}
	if opts != nil {
		opts(&o)
	}
	srv := havenhttp.New(o)

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	hs := &http.Server{Handler: srv.Handler(), ReadHeaderTimeout: 10 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := hs.Shutdown(ctx); err != nil {
			t.Errorf("shutdown: %v", err)
		}
		if err := <-served; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
		if t.Failed() {
			t.Logf("server log:\n%s", logs.String())
		}
	})
	return &testEnv{t: t, svc: svc, store: db, reg: reg, clock: clock, logs: logs, URL: "http://" + ln.Addr().String()}
}

// createAgency adds an agency in state.
func (e *testEnv) createAgency(name, kind, state string) *haven.Agency {
	e.t.Helper()
	ag := &haven.Agency{Name: name, Kind: haven.AgencyKind(kind), Level: haven.LevelLocal, State: state,
		Phone24x7: "202-555-0142", Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"}
	if err := e.svc.CreateAgency(context.Background(), sys, ag); err != nil {
		e.t.Fatalf("create agency %s: %v", name, err)
	}
	return ag
}

// createUser creates an account with testPassword and returns it with its
// TOTP secret.
func (e *testEnv) createUser(username, displayName string, role haven.Role, agencyID int64) (*haven.User, string) {
	e.t.Helper()
	u, secret, err := e.svc.CreateUser(context.Background(), sys, haven.NewUser{
		Username: username, DisplayName: displayName, Email: username + "@example.com",
		Role: role, AgencyID: agencyID, Password: testPassword,
	})
	if err != nil {
		e.t.Fatalf("create user %s: %v", username, err)
	}
	return u, secret
}

// createReport stores a report as the operator.
func (e *testEnv) createReport(r *haven.Report) *haven.Report {
	e.t.Helper()
	if r.Channel == "" {
		r.Channel = haven.ChannelHotline
	}
	if r.IncidentType == "" {
		r.IncidentType = haven.IncidentSexTrafficking
	}
	if r.Narrative == "" {
		r.Narrative = "A caller was worried about a teenager seen with an older man at a motel (synthetic test data)."
	}
	if err := e.svc.CreateReport(context.Background(), sys, r); err != nil {
		e.t.Fatalf("create report: %v", err)
	}
	return r
}

// auditEvents lists audit events as the operator.
func (e *testEnv) auditEvents(f haven.AuditFilter) []*haven.AuditEvent {
	e.t.Helper()
	es, _, err := e.svc.ListAudit(context.Background(), sys, f)
	if err != nil {
		e.t.Fatalf("list audit: %v", err)
	}
	return es
}

// code returns the TOTP code for secret at the service's current time,
// first moving the clock to the next 30-second step so that a code is never
// refused as a replay of the previous sign-in's.
func (e *testEnv) code(secret string) string {
	e.t.Helper()
	e.clock.Advance(30 * time.Second)
	c, err := totp.GenerateCode(secret, e.clock.Now())
	if err != nil {
		e.t.Fatalf("totp: %v", err)
	}
	return c
}

// client is an HTTP client for one browser session. It keeps the session
// cookie itself (net/http/cookiejar does not send Secure cookies over plain
// HTTP), follows no redirects, and sends POSTs with the same-origin headers
// a browser sends.
type client struct {
	e      *testEnv
	hc     *http.Client
	cookie string // the haven_session value, "" when none
}

func (e *testEnv) newClient() *client {
	return &client{e: e, hc: &http.Client{
		Timeout:       30 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// response is an HTTP response with its body read.
type response struct {
	*http.Response
	Body string
}

// do sends a request; hdr adds or overrides headers ("" deletes one).
func (c *client) do(method, path string, form url.Values, hdr map[string]string) *response {
	c.e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.e.URL+path, body)
	if err != nil {
		c.e.t.Fatalf("request: %v", err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if method == http.MethodPost {
		req.Header.Set("Origin", c.e.URL)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	}
	if c.cookie != "" {
		req.AddCookie(&http.Cookie{Name: "haven_session", Value: c.cookie})
	}
	for k, v := range hdr {
		if v == "" {
			req.Header.Del(k)
		} else {
			req.Header.Set(k, v)
		}
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.e.t.Fatalf("%s %s: read body: %v", method, path, err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Name == "haven_session" {
			if ck.MaxAge < 0 || ck.Value == "" {
				c.cookie = ""
			} else {
				c.cookie = ck.Value
			}
		}
	}
	return &response{Response: resp, Body: string(b)}
}

func (c *client) get(path string) *response {
	c.e.t.Helper()
	return c.do(http.MethodGet, path, nil, nil)
}

func (c *client) post(path string, form url.Values) *response {
	c.e.t.Helper()
	return c.do(http.MethodPost, path, form, nil)
}

// signInPassword does the password step and expects to be sent to the TOTP step.
func (c *client) signInPassword(username string) {
	c.e.t.Helper()
	r := c.post("/signin", url.Values{"username": {username}, "password": {testPassword}})
	expectRedirect(c.e.t, r, "/signin/totp")
	if c.cookie == "" {
		c.e.t.Fatalf("password step for %s set no session cookie", username)
	}
}

// signIn signs in over real HTTP with the password, then the TOTP code for
// secret, and expects to land on the home page.
func (c *client) signIn(username, secret string) {
	c.e.t.Helper()
	c.signInPassword(username)
	r := c.post("/signin/totp", url.Values{"code": {c.e.code(secret)}})
	expectRedirect(c.e.t, r, "/")
}

// signedIn returns a new client signed in as username.
func (e *testEnv) signedIn(username, secret string) *client {
	e.t.Helper()
	c := e.newClient()
	c.signIn(username, secret)
	return c
}

// expectRedirect fails unless r is a 303 See Other to location.
func expectRedirect(t *testing.T, r *response, location string) {
	t.Helper()
	if r.StatusCode != http.StatusSeeOther || r.Header.Get("Location") != location {
		t.Fatalf("%s %s: got %d to %q, want 303 to %q\n%s", r.Request.Method, r.Request.URL.Path,
			r.StatusCode, r.Header.Get("Location"), location, r.Body)
	}
}

// expectStatus fails unless r has the status.
func expectStatus(t *testing.T, r *response, status int) {
	t.Helper()
	if r.StatusCode != status {
		t.Fatalf("%s %s: got %d, want %d\n%s", r.Request.Method, r.Request.URL, r.StatusCode, status, r.Body)
	}
}
