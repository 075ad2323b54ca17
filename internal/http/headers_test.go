package http_test

import (
	"context"
	"crypto/tls"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
)

const wantCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"

// inlineCode finds what the CSP would block in a page: inline scripts,
// style elements or attributes, event-handler attributes and javascript: URLs.
var inlineCode = inlineFinder{
	script: regexp.MustCompile(`(?is)<script\b([^>]*)>(.*?)</script>`),
	other:  regexp.MustCompile(`(?i)<style\b|\sstyle\s*=|\son[a-z]+\s*=|javascript:`),
}

type inlineFinder struct{ script, other *regexp.Regexp }

// FindString returns the first piece of inline code in page, or "".
func (f inlineFinder) FindString(page string) string {
	for _, m := range f.script.FindAllStringSubmatch(page, -1) {
		if !strings.Contains(m[1], "src=") || strings.TrimSpace(m[2]) != "" {
			return m[0]
		}
	}
	return f.other.FindString(page)
}

func (f inlineFinder) MatchString(page string) bool { return f.FindString(page) != "" }

func TestEveryResponseCarriesTheSecurityHeaders(t *testing.T) {
	e := newTestEnv(t)
	_, adminSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("nia.new", "Nia New", haven.RoleHotline, 0)
	token, err := e.svc.CreateToken(context.Background(), sys, 2, "headers test")
	if err != nil {
		t.Fatal(err)
	}
	admin := e.signedIn("ada.admin", adminSecret)
	analyst := e.signedIn("ana.analyst", anaSecret)
	anon := e.newClient()
	half := e.newClient()
	half.signInPassword("nia.new")

	cases := []struct {
		name       string
		c          *client
		method     string
		path       string
		hdr        map[string]string
		status     int
		page       bool // an HTML page: no inline code, no-store
		cacheLong  bool // a static asset
		wantInBody string
	}{
		{"sign-in page", anon, "GET", "/signin", nil, 200, true, false, "Sign in"},
		{"failed sign-in", anon, "POST", "/signin", nil, 401, true, false, "Wrong username"},
		{"enrolment page", half, "GET", "/signin/totp", nil, 200, true, false, "totp-secret"},
		{"QR code", half, "GET", "/signin/totp/qr.png", nil, 200, false, false, "PNG"},
		{"home page", analyst, "GET", "/", nil, 200, true, false, "Welcome"},
		{"admin home page", admin, "GET", "/", nil, 200, true, false, "Welcome"},
		{"audit viewer", admin, "GET", "/admin/audit", nil, 200, true, false, "audit-table"},
		{"audit viewer fragment", admin, "GET", "/admin/audit", map[string]string{"HX-Request": "true", "HX-Target": "audit-results"}, 200, true, false, "audit-results"},
		{"refused page (403)", analyst, "GET", "/admin/audit", nil, 403, true, false, "You do not have access"},
		{"missing page (404)", analyst, "GET", "/no/such/page", nil, 404, true, false, "Page not found"},
		{"redirect to sign-in", anon, "GET", "/", nil, 303, false, false, ""},
		{"cross-origin refusal", anon, "POST", "/signout", map[string]string{"Origin": "https://evil.example", "Sec-Fetch-Site": ""}, 403, true, false, "another website"},
		{"stylesheet", anon, "GET", "/static/haven.css?v=1", nil, 200, false, true, "focus-visible"},
		{"htmx", anon, "GET", "/static/vendor/htmx-2.0.11.min.js?v=1", nil, 200, false, true, "htmx"},
		{"health", anon, "GET", "/healthz", nil, 200, false, false, "ok"},
		{"readiness", anon, "GET", "/readyz", nil, 200, false, false, "ready"},
		{"metrics", anon, "GET", "/metrics", nil, 200, false, false, "haven_http_requests_total"},
		{"API", anon, "GET", "/api/v1/me", map[string]string{"Authorization": "Bearer " + token}, 200, false, false, "ana.analyst"},
		{"API refusal", anon, "GET", "/api/v1/me", nil, 401, false, false, "unauthorized"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var form url.Values
			if tc.method == "POST" {
				form = url.Values{"username": {"nobody.here"}, "password": {"wrong password!"}}
			}
			r := tc.c.do(tc.method, tc.path, form, tc.hdr)
			expectStatus(t, r, tc.status)
			h := r.Header
			for k, want := range map[string]string{
				"Content-Security-Policy":    wantCSP,
				"X-Content-Type-Options":     "nosniff",
				"X-Frame-Options":            "DENY",
				"Referrer-Policy":            "no-referrer",
				"Cross-Origin-Opener-Policy": "same-origin",
			} {
				if got := h.Get(k); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			if pp := h.Get("Permissions-Policy"); !strings.Contains(pp, "camera=()") || !strings.Contains(pp, "microphone=()") || !strings.Contains(pp, "geolocation=()") {
				t.Errorf("Permissions-Policy = %q", pp)
			}
			if h.Get("Strict-Transport-Security") != "" {
				t.Error("HSTS sent over plain HTTP")
			}
			if h.Get("X-Request-Id") == "" {
				t.Error("no X-Request-Id")
			}
			if tc.cacheLong {
				if cc := h.Get("Cache-Control"); !strings.Contains(cc, "max-age=31536000") {
					t.Errorf("static Cache-Control = %q, want a year", cc)
				}
			} else if cc := h.Get("Cache-Control"); cc != "no-store" {
				t.Errorf("Cache-Control = %q, want no-store", cc)
			}
			if tc.page {
				if ct := h.Get("Content-Type"); ct != "text/html; charset=utf-8" {
					t.Errorf("Content-Type = %q", ct)
				}
				if m := inlineCode.FindString(r.Body); m != "" {
					t.Errorf("page has inline code the CSP forbids: %q", m)
				}
			}
			if !strings.Contains(r.Body, tc.wantInBody) {
				t.Errorf("body lacks %q:\n%s", tc.wantInBody, r.Body)
			}
		})
	}
}

func TestInlineCodeDetectorCatchesInlineCode(t *testing.T) {
	for _, bad := range []string{`<script>alert(1)</script>`, `<p style="color:red">`, `<style>p{}</style>`, `<a onclick="x()">`, `<script type="module">x()</script>`} {
		if !inlineCode.MatchString(bad) {
			t.Errorf("the detector misses %s", bad)
		}
	}
	for _, good := range []string{`<script src="/static/x.js" defer></script>`, `<p class="style">`} {
		if inlineCode.MatchString(good) {
			t.Errorf("the detector flags %s", good)
		}
	}
}

func TestHSTSOverTLS(t *testing.T) {
	e := newTestEnv(t)
	srv := httptest.NewTLSServer(havenhttp.New(havenhttp.Options{Service: e.svc, Store: e.store}).Handler())
	defer srv.Close()
	hc := srv.Client()
	hc.Transport.(*http.Transport).TLSClientConfig = &tls.Config{InsecureSkipVerify: true}
	resp, err := hc.Get(srv.URL + "/signin")
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if got := resp.Header.Get("Strict-Transport-Security"); !strings.HasPrefix(got, "max-age=") {
		t.Errorf("HSTS over TLS = %q", got)
	}
}
