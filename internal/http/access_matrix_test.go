package http_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/sqlstore"
)

// The access matrix: every registered route (pages, API and public ones,
// taken from the server's own list, so a new route without an expectation
// fails the test) × every role, signed in on the web and with an API token,
// and signed out. For a route about one record, the record is one of agency
// A's (the agency of the officer, child-welfare worker and foster parent),
// and the same request for agency B's record and for an id that does not
// exist must be answered byte for byte alike (after the id itself is taken
// out), so that a refusal never tells that a record exists.

// roleSet is a set of roles written compactly in the table below.
type roleSet []haven.Role

var (
	none        = roleSet{}
	everyone    = roleSet(haven.Roles)
	clearing    = roleSet{haven.RoleAnalyst, haven.RoleSupervisor}
	adminOnly   = roleSet{haven.RoleAdmin}
	superOnly   = roleSet{haven.RoleSupervisor}
	hotOnly     = roleSet{haven.RoleHotline}
	officerOnly = roleSet{haven.RoleOfficer}
)

func roles(rs ...haven.Role) roleSet { return rs }

func (s roleSet) has(r haven.Role) bool { return slices.Contains(s, r) }

// access is what is expected of one route.
type access struct {
	// public: no sign-in at all (sign-in pages, tip form, health, assets).
	public bool
	// allow: the roles the route lets through for agency A's record (or at
	// all, for a route about no record). For a POST, the others must be
	// refused with 403 or 404 and change nothing; the allowed ones are not
	// sent (their actions have tests of their own).
	allow roleSet
	// other: the roles that may also open agency B's record (GET routes
	// about one record); the others get exactly the not-found answer.
	other roleSet
	// existenceOpen: the record's existence is no secret to the roles
	// refused (the agency directory every staff role reads; accounts for
	// administrators), so B's record and a missing one may answer apart.
	existenceOpen bool
	// fixture names the record {id} stands for ("report", "case", …); ""
	// for none or for a record kind without a fixture here (then only the
	// refusal side is exercised, with an id that exists for no one).
	fixture string
}

// fixtures are the ids the matrix uses: own[kind] is agency A's record,
// theirs[kind] agency B's.
type fixtures struct {
	own, theirs map[string]int64
}

const missingID = 987654

var idParam = regexp.MustCompile(`\{[a-zA-Z$]+\}`)

// pathFor turns a route pattern into a request path for the record id.
func pathFor(pattern string, id int64) (method, path string) {
	method, path, ok := strings.Cut(pattern, " ")
	if !ok {
		method, path = "GET", pattern
	}
	first := true
	path = idParam.ReplaceAllStringFunc(path, func(p string) string {
		switch p {
		case "{$}":
			return ""
		case "{name}":
			return "no-such-esp"
		case "{ref}":
			return "HV-ZZZZ-ZZZZ"
		case "{file}":
			if first {
				first = false
				return fmt.Sprint(id)
			}
		}
		if first {
			first = false
			return fmt.Sprint(id)
		}
		return fmt.Sprint(missingID)
	})
	return method, path
}

// dbFingerprint hashes every row of every table that a refused request may
// not change (the audit log records refusals, sessions and tokens their use).
func dbFingerprint(t *testing.T, db *sql.DB) string {
	t.Helper()
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type='table' ORDER BY name`)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	h := sha256.New()
	for _, tb := range tables {
		if strings.Contains(tb, "audit") || tb == "sessions" || strings.Contains(tb, "token") || tb == "users" || strings.HasPrefix(tb, "sqlite_") || strings.Contains(tb, "rate") {
			continue
		}
		rs, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rs.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		fmt.Fprintf(h, "%s:", tb)
		for rs.Next() {
			rs.Scan(ptrs...)
			fmt.Fprintf(h, "%v;", vals)
		}
		rs.Close()
	}
	return hex.EncodeToString(h.Sum(nil))
}

var requestIDRe = regexp.MustCompile(`[0-9a-f]{16,}`)

// normalise takes the record's id and any request id out of a body.
func normalise(body string, id int64) string {
	body = regexp.MustCompile(`([/=:" ])`+fmt.Sprint(id)+`([^0-9.]|$)`).ReplaceAllString(body, "${1}ID${2}")
	return requestIDRe.ReplaceAllString(body, "RID")
}

// outcome classifies a response: "ok" (2xx, or a redirect other than to
// sign-in), "signin" (sent to sign in, or 401), "refused" (403, 404),
// or "status NNN" for anything else.
func outcome(r *response) string {
	switch {
	case r.StatusCode == http.StatusUnauthorized:
		return "signin"
	case r.StatusCode >= 300 && r.StatusCode < 400 && strings.HasPrefix(r.Header.Get("Location"), "/signin"):
		return "signin"
	case r.StatusCode < 400:
		return "ok"
	case r.StatusCode == http.StatusForbidden || r.StatusCode == http.StatusNotFound:
		return "refused"
	}
	return fmt.Sprintf("status %d", r.StatusCode)
}

type matrixEnv struct {
	e   *testEnv
	web map[haven.Role]*client
	tok map[haven.Role]string
	fx  fixtures
	db  *sql.DB
}

func newMatrixEnv(t *testing.T) *matrixEnv {
	ctx := context.Background()
	e := newTestEnv(t)
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	b := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	m := &matrixEnv{e: e, web: map[haven.Role]*client{}, tok: map[haven.Role]string{},
		fx: fixtures{own: map[string]int64{}, theirs: map[string]int64{}}, db: e.store.(*sqlstore.DB).SQL()}
	actors := map[haven.Role]haven.Actor{}
	for _, r := range haven.Roles {
		var ag int64
		if r.NeedsAgency() {
			ag = a.ID
		}
		name := "matrix." + string(r)
		u, secret := e.createUser(name, "Matrix "+r.Label(), r, ag)
		m.web[r] = e.signedIn(name, secret)
		tok, err := e.svc.CreateToken(ctx, sys, u.ID, "matrix")
		if err != nil {
			t.Fatal(err)
		}
		m.tok[r] = tok
		actors[r] = haven.Actor{UserID: u.ID, Username: u.Username, Role: r, AgencyID: ag, Via: "test"}
	}
	offB, _ := e.createUser("matrix.officer.b", "Tom Officer", haven.RoleOfficer, b.ID)
	actB := haven.Actor{UserID: offB.ID, Username: offB.Username, Role: haven.RoleOfficer, AgencyID: b.ID, Via: "test"}

	m.fx.own["agency"], m.fx.theirs["agency"] = a.ID, b.ID
	m.fx.own["user"], m.fx.theirs["user"] = actors[haven.RoleOfficer].UserID, offB.ID
	repA := e.createReport(&haven.Report{State: "NV", AgencyID: a.ID})
	repB := e.createReport(&haven.Report{State: "OK", AgencyID: b.ID})
	m.fx.own["report"], m.fx.theirs["report"] = repA.ID, repB.ID
	for i, ag := range []*haven.Agency{a, b} {
		ch := &haven.Child{FirstName: []string{"Ava", "Mia"}[i], LastName: "Example", State: ag.State, AgencyID: ag.ID}
		if err := e.svc.CreateChild(ctx, sys, ch); err != nil {
			t.Fatalf("child: %v", err)
		}
		c := &haven.Case{Title: "Matrix case " + ag.State, ChildID: ch.ID, AgencyID: ag.ID, State: ag.State}
		if err := e.svc.CreateCase(ctx, sys, c); err != nil {
			t.Fatalf("case: %v", err)
		}
		rs, err := e.svc.CreateReferrals(ctx, actors[haven.RoleAnalyst], []int64{repA.ID, repB.ID}[i], []int64{ag.ID}, "")
		if err != nil {
			t.Fatalf("referral: %v", err)
		}
		ar := &haven.AnalysisRequest{CaseNumber: "2026-0001", Question: "Which phones link these reports?", Urgency: haven.UrgencyRoutine}
		if err := e.svc.CreateAnalysisRequest(ctx, []haven.Actor{actors[haven.RoleOfficer], actB}[i], ar); err != nil {
			t.Fatalf("analysis request: %v", err)
		}
		if i == 0 {
			m.fx.own["case"], m.fx.own["referral"], m.fx.own["analysis"], m.fx.own["child"] = c.ID, rs[0].ID, ar.ID, ch.ID
		} else {
			m.fx.theirs["case"], m.fx.theirs["referral"], m.fx.theirs["analysis"], m.fx.theirs["child"] = c.ID, rs[0].ID, ar.ID, ch.ID
		}
	}
	return m
}

// expectations: see accessTable in access_table_test.go.

func TestEveryRouteHasAnAccessExpectation(t *testing.T) {
	srv := havenhttp.New(havenhttp.Options{Service: haven.NewService(nil, nil, nil, nil)})
	registered := srv.Routes()
	var missing, stale []string
	for _, p := range registered {
		if _, ok := accessTable[p]; !ok {
			missing = append(missing, p)
		}
	}
	for p := range accessTable {
		if !slices.Contains(registered, p) {
			stale = append(stale, p)
		}
	}
	sort.Strings(missing)
	sort.Strings(stale)
	if len(missing) > 0 || len(stale) > 0 {
		t.Fatalf("routes without an access expectation:\n  %s\nexpectations for no route:\n  %s",
			strings.Join(missing, "\n  "), strings.Join(stale, "\n  "))
	}
}

func TestAccessMatrix(t *testing.T) {
	m := newMatrixEnv(t)
	e := m.e
	srv := havenhttp.New(havenhttp.Options{Service: haven.NewService(nil, nil, nil, nil)})
	dump := os.Getenv("HAVEN_ACCESS_DUMP") != ""
	cells := 0
	for _, pattern := range srv.Routes() {
		x, ok := accessTable[pattern]
		if !ok {
			continue // TestEveryRouteHasAnAccessExpectation fails
		}
		own, theirs := int64(missingID), int64(missingID)
		if x.fixture != "" {
			own, theirs = m.fx.own[x.fixture], m.fx.theirs[x.fixture]
		}
		method, path := pathFor(pattern, own)
		_, otherPath := pathFor(pattern, theirs)
		_, missingPath := pathFor(pattern, missingID)
		isAPI := strings.HasPrefix(path, "/api/")
		hasID := strings.Contains(pattern, "{")
		send := func(c *client, token, p string) *response {
			t.Helper()
			hdr := map[string]string{}
			if token != "" {
				hdr["Authorization"] = "Bearer " + token
			}
			var form url.Values
			if method != http.MethodGet {
				form = url.Values{}
			}
			if isAPI && method != http.MethodGet {
				hdr["Content-Type"] = "application/json"
				return c.doRaw(method, p, "{}", hdr)
			}
			return c.do(method, p, form, hdr)
		}

		// Signed out.
		anon := e.newClient()
		r := send(anon, "", path)
		cells++
		if x.public {
			// Public pages open signed out; the other public routes (sign-in
			// steps, ESP protocol, assets) have tests of their own.
			if slices.Contains([]string{"GET /signin", "GET /tip", "GET /tip/follow-up", "GET /healthz", "GET /api/v1/openapi.json"}, pattern) && r.StatusCode != http.StatusOK {
				t.Errorf("%s signed out: %d, want the public page", pattern, r.StatusCode)
			}
			continue
		}
		if o := outcome(r); o != "signin" {
			t.Errorf("%s signed out: %s (%d), want sign-in", pattern, o, r.StatusCode)
		}
		if isAPI {
			// The session cookie never opens the API.
			r = send(m.web[haven.RoleAdmin], "", path)
			cells++
			if o := outcome(r); o != "signin" {
				t.Errorf("%s with a session cookie and no token: %s (%d), want 401", pattern, o, r.StatusCode)
			}
		}

		before := ""
		if method != http.MethodGet {
			before = dbFingerprint(t, m.db)
		}
		var got []string
		for _, role := range haven.Roles {
			c, token := m.web[role], ""
			if isAPI {
				c, token = e.newClient(), m.tok[role]
			}
			if method != http.MethodGet && x.allow.has(role) {
				got = append(got, string(role)+"=skip")
				continue
			}
			r := send(c, token, path)
			cells++
			o := outcome(r)
			got = append(got, fmt.Sprintf("%s=%s", role, o))
			want := "refused"
			if x.allow.has(role) {
				want = "ok"
			}
			if o != want && !dump {
				t.Errorf("%s %s as %s: %s (%d), want %s\n%.300s", method, path, role, o, r.StatusCode, want, r.Body)
			}
			if !hasID {
				continue
			}
			if method != http.MethodGet && (clearing.has(role) || role == haven.RoleAdmin) {
				continue // allowed for B's record too: the request would change it
			}
			ro, rm := send(c, token, otherPath), send(c, token, missingPath)
			cells += 2
			oo := outcome(ro)
			wantOther := "refused"
			if method == http.MethodGet && x.allow.has(role) && x.other.has(role) {
				wantOther = "ok"
			}
			if oo != wantOther && !dump {
				t.Errorf("%s %s (agency B's) as %s: %s (%d), want %s", method, otherPath, role, oo, ro.StatusCode, wantOther)
			}
			got[len(got)-1] += "/other=" + oo
			if oo == "ok" {
				continue
			}
			if x.existenceOpen {
				continue
			}
			if ro.StatusCode != rm.StatusCode || normalise(ro.Body, theirs) != normalise(rm.Body, missingID) {
				t.Errorf("%s as %s: agency B's record answers %d, a missing one %d; the bodies differ:\n--- B's\n%s\n--- missing\n%s",
					pattern, role, ro.StatusCode, rm.StatusCode, firstDiff(normalise(ro.Body, theirs), normalise(rm.Body, missingID)), firstDiff(normalise(rm.Body, missingID), normalise(ro.Body, theirs)))
			}
		}
		if method != http.MethodGet {
			if after := dbFingerprint(t, m.db); after != before {
				t.Errorf("%s: refused requests changed the database", pattern)
			}
		}
		if dump {
			fmt.Fprintf(os.Stderr, "ROUTE %s | %s\n", pattern, strings.Join(got, " "))
		}
	}
	t.Logf("access matrix: %d routes × %d roles (web or token) + signed out: %d requests", len(srv.Routes()), len(haven.Roles), cells)
}

// doRaw sends a request with a raw body (JSON for the API).
func (c *client) doRaw(method, path, body string, hdr map[string]string) *response {
	c.e.t.Helper()
	req, err := http.NewRequest(method, c.e.URL+path, strings.NewReader(body))
	if err != nil {
		c.e.t.Fatalf("request: %v", err)
	}
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(b)}
}

// firstDiff shows a from a little before where it first differs from b.
func firstDiff(a, b string) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo, hi := max(0, i-80), min(len(a), i+160)
	return a[lo:hi]
}
