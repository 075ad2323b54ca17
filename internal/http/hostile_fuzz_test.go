package http_test

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
	"github.com/haven-oss/haven/internal/sqlstore"
)

// Fuzz targets that send hostile bodies and query strings to the real
// JSON API handlers (a real service over a real SQLite file, the server's
// own handler): cases and their actions, analysis requests and products,
// referrals, agencies, legal holds, search and every list's filters.
//
// For every input the API must answer (never panic, never 5xx), answer in
// JSON, refuse with a code and a message a person can read, and — when it
// refuses — change nothing in the store (every table's rows counted, the
// records the target acts on compared whole; only the audit trail, which
// records refusals, and the tokens' last use may move).

// fuzzServer is one Haven handler over its own SQLite file, with a token
// for each role the targets act as and the records they act on.
type fuzzServer struct {
	h    http.Handler
	svc  *haven.Service
	db   *sql.DB // a connection to the same database, to read what is stored
	pg   bool    // the store is PostgreSQL (TestFuzzCorporaOnPostgres)
	tok  map[haven.Role]string
	sess map[haven.Role]string // a signed-in session (haven_session) per role, for the web forms
	ids  map[string]int64
	tb   testing.TB // the test or fuzz target the server was built for
}

// fuzzUncounted are left out of the fingerprint: the audit trail records
// refusals; a token's or session's last use moves on every request.
var fuzzUncounted = map[string]bool{"audit_events": true, "audit_head": true, "api_tokens": true, "sessions": true}

// newFuzzServer is the fuzz targets' server, over a SQLite file.
func newFuzzServer(tb testing.TB) *fuzzServer {
	tb.Helper()
	path := filepath.Join(tb.TempDir(), "haven.db")
	st, err := sqlite.Open(context.Background(), path)
	if err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { st.Close() })
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return newFuzzServerOn(tb, st, db)
}

// newFuzzServerOn builds the server over st (either store), reading what is
// stored through db, and sets up the users and records the targets act on.
func newFuzzServerOn(tb testing.TB, st *sqlstore.DB, db *sql.DB) *fuzzServer {
	tb.Helper()
	ctx := context.Background()
	k, _, err := keys.LoadOrCreate(filepath.Join(tb.TempDir(), "haven.keys"))
	if err != nil {
		tb.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := haven.NewService(st, k, k, log)
	srv := havenhttp.New(havenhttp.Options{Service: svc, Store: st, Log: log, Registry: prometheus.NewRegistry(), Version: "test", SecureCookies: true})
	z := &fuzzServer{h: srv.Handler(), svc: svc, db: db, pg: st.Dialect() == "postgres", tb: tb,
		tok: map[haven.Role]string{}, sess: map[haven.Role]string{}, ids: map[string]int64{}}

	mkAgency := func(name, state string) int64 {
		ag := &haven.Agency{Name: name, Kind: haven.AgencyKind("law_enforcement"), Level: haven.LevelLocal, State: state,
			Phone24x7: "202-555-0142", Email: strings.ToLower(strings.ReplaceAll(name, " ", ".")) + "@example.com"}
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			tb.Fatalf("agency: %v", err)
		}
		return ag.ID
	}
	z.ids["agency"] = mkAgency("Fairview Police Department", "VA")
	z.ids["other_agency"] = mkAgency("Example County Sheriff", "VA")
	for _, role := range []haven.Role{haven.RoleAdmin, haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleOfficer, haven.RoleHotline} {
		agency := int64(0)
		if role == haven.RoleOfficer {
			agency = z.ids["agency"]
		}
		name := "fuzz." + string(role)
		u, secret, err := svc.CreateUser(ctx, sys, haven.NewUser{Username: name, DisplayName: "Fuzz " + string(role),
			Email: name + "@example.com", Role: role, AgencyID: agency, Password: testPassword})
		if err != nil {
			tb.Fatalf("user %s: %v", name, err)
		}
		z.ids[string(role)] = u.ID
		if z.tok[role], err = svc.CreateToken(ctx, sys, u.ID, "fuzz"); err != nil {
			tb.Fatalf("token %s: %v", name, err)
		}
		z.sess[role] = fuzzSignIn(tb, svc, name, secret)
	}
	for _, name := range []string{"report", "report2", "report3"} {
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, AgencyID: z.ids["agency"], State: "VA",
			People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}},
			Narrative: "A caller was worried about a teenager seen with an older man at a motel (synthetic test data)."}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			tb.Fatalf("report: %v", err)
		}
		z.ids[name] = r.ID
		z.ids[name+"_mention"] = r.People[0].ID
	}
	id := func(role haven.Role, method, path, body, field string) int64 {
		status, resp := z.do(method, path, z.tok[role], body)
		if status >= 300 {
			tb.Fatalf("setup %s %s: %d %s", method, path, status, resp)
		}
		var v map[string]any
		json.Unmarshal([]byte(resp), &v)
		n, ok := numberAt(v, field)
		if !ok {
			tb.Fatalf("setup %s %s: no %s in %s", method, path, field, resp)
		}
		return n
	}
	z.ids["case"] = id(haven.RoleAnalyst, "POST", "/api/v1/cases", fmt.Sprintf(`{"report_id":%d,"mention_id":%d,"title":"Starlight Motel"}`, z.ids["report"], z.ids["report_mention"]), "id")
	z.ids["case2"] = id(haven.RoleAnalyst, "POST", "/api/v1/cases", fmt.Sprintf(`{"report_id":%d,"mention_id":%d}`, z.ids["report2"], z.ids["report2_mention"]), "id")
	caseP := "/api/v1/cases/" + strconv.FormatInt(z.ids["case"], 10)
	id(haven.RoleSupervisor, "POST", caseP+"/assignee", fmt.Sprintf(`{"user_id":%d}`, z.ids[string(haven.RoleAnalyst)]), "id")
	z.ids["task"] = id(haven.RoleAnalyst, "POST", caseP+"/tasks", `{"title":"Call the school"}`, "tasks.id")
	z.ids["determination"] = id(haven.RoleAnalyst, "POST", caseP+"/determinations",
		`{"determination":"yes","rationale":"The caller saw cash cards and hotel keys.","indicators":["older_partner"]}`, "determinations.id")
	z.ids["referral"] = id(haven.RoleAnalyst, "POST", fmt.Sprintf("/api/v1/reports/%d/referrals", z.ids["report"]),
		fmt.Sprintf(`{"agency_ids":[%d],"note":"Please look at the motel."}`, z.ids["agency"]), "referrals.id")
	z.ids["request"] = id(haven.RoleOfficer, "POST", "/api/v1/analysis-requests",
		fmt.Sprintf(`{"case_number":"26-0001","question":"Who else uses this number?","urgency":"routine","report_ids":[%d]}`, z.ids["report"]), "id")
	id(haven.RoleAnalyst, "POST", fmt.Sprintf("/api/v1/analysis-requests/%d/claim", z.ids["request"]), `{}`, "id")
	z.ids["hold"] = id(haven.RoleAdmin, "POST", "/api/v1/legal-holds",
		fmt.Sprintf(`{"kind":"report","target_id":%d,"reason":"Subpoena 26-44","reference":"26-44"}`, z.ids["report3"]), "id")
	return z
}

// do sends one request to the handler and returns its status and body.
func (z *fuzzServer) do(method, path, token, body string) (int, string) {
	return z.doQuery(method, path, "", token, body)
}

func (z *fuzzServer) doQuery(method, path, rawQuery, token, body string) (int, string) {
	req := httptest.NewRequest(method, path, strings.NewReader(body))
	req.URL.RawQuery = rawQuery
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	w := httptest.NewRecorder()
	z.h.ServeHTTP(w, req)
	return w.Code, w.Body.String()
}

// fingerprint is every counted table's row count and the rows the targets
// act on, whole.
func (z *fuzzServer) fingerprint(t *testing.T) string {
	t.Helper()
	list := `SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'goose_%' ORDER BY name`
	if z.pg {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'goose_%' ORDER BY table_name`
	}
	rows, err := z.db.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		if !fuzzUncounted[n] {
			tables = append(tables, n)
		}
	}
	rows.Close()
	h := sha256.New()
	for _, tbl := range tables {
		var n int64
		if err := z.db.QueryRow(`SELECT count(*) FROM "` + tbl + `"`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(h, "%s=%d;", tbl, n)
	}
	for _, q := range []struct{ table, key, name string }{
		{"agencies", "id", "agency"}, {"agency_contacts", "agency_id", "agency"}, {"agency_states", "agency_id", "agency"},
		{"agency_counties", "agency_id", "agency"}, {"agency_zips", "agency_id", "agency"},
		{"cases", "id", "case"}, {"cases", "id", "case2"}, {"case_tasks", "case_id", "case"}, {"case_determinations", "case_id", "case"},
		{"referrals", "id", "referral"}, {"analysis_requests", "id", "request"}, {"legal_holds", "id", "hold"},
	} {
		fmt.Fprintf(h, "%s:", q.table)
		// The rows are compared as a sorted set (PostgreSQL has no rowid).
		rows, err := z.db.Query(`SELECT * FROM "` + q.table + `" WHERE "` + q.key + `" = ` + strconv.FormatInt(z.ids[q.name], 10))
		if err != nil {
			t.Fatalf("%s: %v", q.table, err)
		}
		cols, _ := rows.Columns()
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		var rs []string
		for rows.Next() {
			rows.Scan(ptrs...)
			var b strings.Builder
			for _, v := range vals {
				fmt.Fprintf(&b, "%v|", v)
			}
			rs = append(rs, b.String())
		}
		rows.Close()
		sort.Strings(rs)
		fmt.Fprint(h, strings.Join(rs, "\n"))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// check sends the request and fails unless the API answered as it must.
func (z *fuzzServer) check(t *testing.T, role haven.Role, method, path, rawQuery, body string) (int, string) {
	t.Helper()
	before := z.fingerprint(t)
	status, resp := z.doQuery(method, path, rawQuery, z.tok[role], body)
	in := fmt.Sprintf("%s %s?%s\nbody %q", method, path, rawQuery, body)
	if status >= 500 {
		t.Fatalf("%d %s\n%s", status, resp, in)
	}
	if !json.Valid([]byte(resp)) {
		t.Fatalf("%d, not JSON: %q\n%s", status, resp, in)
	}
	if status >= 400 {
		var e struct {
			Error struct{ Code, Message, Field string } `json:"error"`
		}
		json.Unmarshal([]byte(resp), &e)
		if e.Error.Code == "" || strings.TrimSpace(e.Error.Message) == "" || !utf8.ValidString(e.Error.Message) {
			t.Fatalf("%d without a code and a readable message: %s\n%s", status, resp, in)
		}
		if after := z.fingerprint(t); after != before {
			t.Fatalf("refused with %d %s, but the store changed\n%s", status, resp, in)
		}
	}
	return status, resp
}

// fuzzSeeds adds each body for each of n endpoints, and the nasty bodies
// every target gets.
func fuzzSeeds(n int, bodies ...string) [][]any {
	var seeds [][]any
	for i := 0; i < n; i++ {
		for _, b := range append(bodies, hostileStrings...) {
			seeds = append(seeds, []any{uint8(i), b})
		}
	}
	return seeds
}

// fuzzTarget is one target's seeds and the function f.Fuzz runs, over a
// given server: the fuzz targets run it over SQLite, and
// TestFuzzCorporaOnPostgres replays its seeds and corpus over PostgreSQL.
type fuzzTarget struct {
	seeds [][]any
	run   any // func(*testing.T, …) as f.Fuzz takes it
}

func (tg fuzzTarget) fuzz(f *testing.F) {
	for _, s := range tg.seeds {
		f.Add(s...)
	}
	f.Fuzz(tg.run)
}

// fuzzTargets are the targets over the harness, by name, for the replay.
var fuzzTargets = map[string]func(*fuzzServer) fuzzTarget{
	"FuzzAPICaseBody": apiCaseBody, "FuzzAPIAnalysisBody": apiAnalysisBody, "FuzzAPIReferralBody": apiReferralBody,
	"FuzzAPIAgencyBody": apiAgencyBody, "FuzzAPILegalHoldBody": apiLegalHoldBody, "FuzzAPISearchQuery": apiSearchQuery,
	"FuzzAPIListQuery": apiListQuery, "FuzzWebForm": webForm,
}

// hostileStrings go into every target: not JSON, injection, markup,
// traversal, control characters, huge and odd numbers.
var hostileStrings = []string{
	"", "null", "[]", "{", "{}", `{"a":1}`, "{}{}", "\xef\xbb\xbf{}", `{"x":"\xff"}`,
	`{"title":"' OR 1=1 --","body":"\"; DROP TABLE reports; --","reason":"%' UNION SELECT password_hash FROM users --"}`,
	`{"title":"<script>alert(1)</script>","note":"\"><img src=x onerror=alert(1)>","message":"{{.}}"}`,
	`{"reason":"\u0000","note":"` + strings.Repeat("\u202e", 50) + `"}`,
	`{"report_id":-1,"agency_ids":[0,-9223372036854775808],"target_id":9223372036854775807}`,
	`{"report_id":1e400,"agency_id":1.5,"user_id":"1"}`,
	`{"title":"` + strings.Repeat("A", 70000) + `"}`,
	`{"a":` + strings.Repeat(`{"a":`, 300) + "1" + strings.Repeat("}", 301),
}

// FuzzAPICaseBody sends bodies to every case action of the API.
func FuzzAPICaseBody(f *testing.F) { apiCaseBody(newFuzzServer(f)).fuzz(f) }

func apiCaseBody(z *fuzzServer) fuzzTarget {
	c := "/api/v1/cases/" + strconv.FormatInt(z.ids["case"], 10)
	type ep struct {
		role         haven.Role
		method, path string
	}
	eps := []ep{
		{haven.RoleAnalyst, "POST", "/api/v1/cases"},
		{haven.RoleAnalyst, "POST", c + "/notes"},
		{haven.RoleAnalyst, "POST", c + "/tasks"},
		{haven.RoleAnalyst, "POST", c + "/tasks/" + strconv.FormatInt(z.ids["task"], 10)},
		{haven.RoleAnalyst, "POST", c + "/determinations"},
		{haven.RoleSupervisor, "POST", c + "/determinations/" + strconv.FormatInt(z.ids["determination"], 10) + "/return"},
		{haven.RoleAnalyst, "POST", c + "/merge"},
		{haven.RoleAnalyst, "POST", c + "/split"},
		{haven.RoleAnalyst, "POST", c + "/status"},
		{haven.RoleSupervisor, "POST", c + "/assignee"},
		{haven.RoleAnalyst, "POST", c + "/reports"},
	}
	seeds := fuzzSeeds(len(eps),
		fmt.Sprintf(`{"report_id":%d,"mention_id":%d,"title":"Second look"}`, z.ids["report3"], z.ids["report3_mention"]),
		`{"report_id":1,"child_id":2,"mention_id":3,"title":""}`,
		`{"body":"Spoke with the school counsellor.","shareable":true}`,
		`{"body":"","shareable":"yes"}`,
		`{"title":"Call the school","owner_id":2,"due_at":"2026-04-01"}`,
		`{"title":"x","due_at":"tomorrow"}`,
		`{"done":true}`, `{"done":"true"}`,
		`{"determination":"maybe","rationale":"x","indicators":["nope"]}`,
		`{"determination":"no","rationale":"`+strings.Repeat("r", 20001)+`"}`,
		`{"reason":"Needs another interview."}`,
		fmt.Sprintf(`{"absorbed_id":%d,"reason":"Same child."}`, z.ids["case2"]),
		fmt.Sprintf(`{"absorbed_id":%d,"reason":"Itself."}`, z.ids["case"]),
		`{"status":"closed","reason":"Done."}`, `{"status":"archived"}`,
		`{"user_id":999999}`, `{"user_id":-1}`,
		`{"ref":"HVN-0000-0000"}`, `{"ref":"../../etc/passwd"}`,
	)
	return fuzzTarget{seeds, func(t *testing.T, which uint8, body string) {
		e := eps[int(which)%len(eps)]
		z.check(t, e.role, e.method, e.path, "", body)
	}}
}

// FuzzAPIAnalysisBody sends bodies to the analysis request and product
// endpoints.
func FuzzAPIAnalysisBody(f *testing.F) { apiAnalysisBody(newFuzzServer(f)).fuzz(f) }

func apiAnalysisBody(z *fuzzServer) fuzzTarget {
	rq := "/api/v1/analysis-requests/" + strconv.FormatInt(z.ids["request"], 10)
	type ep struct {
		role         haven.Role
		method, path string
	}
	eps := []ep{
		{haven.RoleOfficer, "POST", "/api/v1/analysis-requests"},
		{haven.RoleAnalyst, "POST", rq + "/products"},
		{haven.RoleSupervisor, "POST", rq + "/assign"},
		{haven.RoleAnalyst, "POST", rq + "/close"},
	}
	seeds := fuzzSeeds(len(eps),
		fmt.Sprintf(`{"case_number":"26-0002","question":"Which motels does this number appear at?","urgency":"priority","report_ids":[%d]}`, z.ids["report"]),
		`{"question":"x","urgency":"now","report_refs":["HVN-XXXX",""],"case_id":-4}`,
		`{"question":"","urgency":"immediate","report_ids":[1,1,1]}`,
		`{"kind":"narrative","title":"Summary","body":"Three reports share one phone number."}`,
		fmt.Sprintf(`{"kind":"link_chart","title":"Network","network_id":99999,"report_ids":[%d]}`, z.ids["report"]),
		`{"kind":"timeline","title":"`+strings.Repeat("t", 1000)+`","body":"x"}`,
		`{"kind":"poem"}`,
		`{"user_id":1}`, `{"user_id":0}`, `{"reason":"Answered by phone."}`,
	)
	return fuzzTarget{seeds, func(t *testing.T, which uint8, body string) {
		e := eps[int(which)%len(eps)]
		z.check(t, e.role, e.method, e.path, "", body)
	}}
}

// FuzzAPIReferralBody sends bodies to referral creation and the agency's
// and the analyst's actions on a referral.
func FuzzAPIReferralBody(f *testing.F) { apiReferralBody(newFuzzServer(f)).fuzz(f) }

func apiReferralBody(z *fuzzServer) fuzzTarget {
	rf := "/api/v1/referrals/" + strconv.FormatInt(z.ids["referral"], 10)
	type ep struct {
		role         haven.Role
		method, path string
	}
	eps := []ep{
		{haven.RoleAnalyst, "POST", fmt.Sprintf("/api/v1/reports/%d/referrals", z.ids["report2"])},
		{haven.RoleOfficer, "POST", rf + "/outcome"},
		{haven.RoleOfficer, "POST", rf + "/info-requests"},
		{haven.RoleAnalyst, "POST", rf + "/info-answers"},
		{haven.RoleOfficer, "POST", rf + "/transfer"},
		{haven.RoleOfficer, "POST", rf + "/acknowledge"},
	}
	seeds := fuzzSeeds(len(eps),
		fmt.Sprintf(`{"agency_ids":[%d,%d],"note":"Both agencies cover the motel."}`, z.ids["agency"], z.ids["other_agency"]),
		fmt.Sprintf(`{"agency_ids":[%d,%d]}`, z.ids["agency"], z.ids["agency"]),
		`{"agency_ids":[],"note":""}`, `{"agency_ids":"1"}`,
		`{"outcome":"investigation_opened","note":"Detective assigned."}`,
		`{"outcome":"transferred"}`, `{"outcome":"arrest","note":"`+strings.Repeat("n", 5001)+`"}`,
		`{"message":"What is the caller's number?"}`, `{"message":""}`, `{"message":["x"]}`,
		fmt.Sprintf(`{"agency_id":%d,"note":"Their jurisdiction."}`, z.ids["other_agency"]),
		fmt.Sprintf(`{"agency_id":%d}`, z.ids["agency"]), `{"agency_id":0}`,
	)
	return fuzzTarget{seeds, func(t *testing.T, which uint8, body string) {
		e := eps[int(which)%len(eps)]
		z.check(t, e.role, e.method, e.path, "", body)
	}}
}

// FuzzAPIAgencyBody sends bodies to POST, PUT and PATCH of agencies.
func FuzzAPIAgencyBody(f *testing.F) { apiAgencyBody(newFuzzServer(f)).fuzz(f) }

func apiAgencyBody(z *fuzzServer) fuzzTarget {
	ag := "/api/v1/agencies/" + strconv.FormatInt(z.ids["agency"], 10)
	type ep struct{ method, path string }
	eps := []ep{{"POST", "/api/v1/agencies"}, {"PUT", ag}, {"PATCH", ag}}
	seeds := fuzzSeeds(len(eps),
		`{"name":"Example City Police","kind":"law_enforcement","level":"local","state":"VA","phone_24x7":"202-555-0150","email":"desk@example.com",`+
			`"counties":["51059"],"zips":["22030"],"contacts":[{"name":"Lee Example","role":"Detective","phone":"202-555-0151","email":"lee@example.com"}]}`,
		`{"name":"","kind":"wizardry","level":"galactic","state":"ZZ"}`,
		`{"states":["VA","va","Virginia"],"counties":["99999","51059",""],"zips":["2203","220301","ABCDE"]}`,
		`{"email":"not an address","phone_24x7":"`+strings.Repeat("5", 60)+`"}`,
		`{"contacts":[{},{"name":null},{"email":"x"}]}`,
		`{"contacts":null,"states":null,"name":null}`,
		`{"status":"inactive"}`, `{"id":1}`,
	)
	return fuzzTarget{seeds, func(t *testing.T, which uint8, body string) {
		e := eps[int(which)%len(eps)]
		z.check(t, haven.RoleAdmin, e.method, e.path, "", body)
	}}
}

// FuzzAPILegalHoldBody sends bodies to placing and releasing a hold.
func FuzzAPILegalHoldBody(f *testing.F) { apiLegalHoldBody(newFuzzServer(f)).fuzz(f) }

func apiLegalHoldBody(z *fuzzServer) fuzzTarget {
	type ep struct{ method, path string }
	eps := []ep{{"POST", "/api/v1/legal-holds"}, {"POST", fmt.Sprintf("/api/v1/legal-holds/%d/release", z.ids["hold"])}}
	seeds := fuzzSeeds(len(eps),
		fmt.Sprintf(`{"kind":"case","target_id":%d,"reason":"Court order 26-45","reference":"26-45"}`, z.ids["case"]),
		fmt.Sprintf(`{"kind":"report","target_id":%d,"reason":"Again"}`, z.ids["report3"]),
		`{"kind":"child","target_id":999999,"reason":"x"}`,
		`{"kind":"esp_account","target_id":0,"reason":""}`,
		`{"kind":"everything","target_id":1,"reason":"x"}`,
		`{"reason":"The court released it."}`, `{"reason":""}`, `{"reason":7}`,
	)
	return fuzzTarget{seeds, func(t *testing.T, which uint8, body string) {
		e := eps[int(which)%len(eps)]
		z.check(t, haven.RoleAdmin, e.method, e.path, "", body)
	}}
}

// FuzzAPISearchQuery sends query strings to the search API, as an analyst
// and as an officer (whose results the service scopes).
func FuzzAPISearchQuery(f *testing.F) { apiSearchQuery(newFuzzServer(f)).fuzz(f) }

func apiSearchQuery(z *fuzzServer) fuzzTarget {
	var seeds [][]any
	for _, q := range []string{
		"q=motel", "q=%22older+man%22&state=VA&kind=cases", "q=motel+-cash+OR+hotel&from=2026-01-01&to=2026-12-31",
		"q=phone:202-555-0147&priority=1&status=open", "q=ref:HVN&sort=oldest&limit=100&offset=0",
		"q=%27+OR+1%3D1+--", "q=%25%27+UNION+SELECT+*+FROM+users+--", "q=%22%3B+DROP+TABLE+reports%3B+--",
		"q=%00", "q=" + strings.Repeat("a", 5000), "q=" + strings.Repeat("%22", 300), "q=" + strings.Repeat("(", 500),
		"q=a&q=b&state=VA&state=MD&state=ZZ", "limit=0", "limit=-1&offset=-1", "limit=99999999999999999999",
		"from=2026-02-30&to=yesterday", "q=NEAR(a+b)", "q=*", "q=%E2%80%AE", "kind=everything", "q=a;b", "%zz", "q=%",
		"q=\xff\xfe", "agency=1&assignee=me&channel=hotline&type=missing_child",
	} {
		seeds = append(seeds, []any{uint8(0), q}, []any{uint8(1), q})
	}
	return fuzzTarget{seeds, func(t *testing.T, who uint8, query string) {
		role := haven.RoleAnalyst
		if who%2 == 1 {
			role = haven.RoleOfficer
		}
		z.check(t, role, "GET", "/api/v1/search", query, "")
	}}
}

// FuzzAPIListQuery sends query strings to every list the API has.
func FuzzAPIListQuery(f *testing.F) { apiListQuery(newFuzzServer(f)).fuzz(f) }

func apiListQuery(z *fuzzServer) fuzzTarget {
	type ep struct {
		role haven.Role
		path string
	}
	eps := []ep{
		{haven.RoleAnalyst, "/api/v1/queue"}, {haven.RoleAnalyst, "/api/v1/reports"}, {haven.RoleAnalyst, "/api/v1/cases"},
		{haven.RoleAnalyst, "/api/v1/referrals"}, {haven.RoleOfficer, "/api/v1/referrals"}, {haven.RoleAdmin, "/api/v1/agencies"},
		{haven.RoleAdmin, "/api/v1/legal-holds"}, {haven.RoleAnalyst, "/api/v1/analysis-requests"}, {haven.RoleAnalyst, "/api/v1/missing"},
		{haven.RoleAnalyst, "/api/v1/identifiers"}, {haven.RoleAnalyst, "/api/v1/person-matches"}, {haven.RoleSupervisor, "/api/v1/deadlines"},
		{haven.RoleSupervisor, "/api/v1/case-statistics/determinations"},
	}
	var seeds [][]any
	for i := range eps {
		for _, q := range []string{
			"view=mine&priority=1", "view=everything&priority=9", "priority=1.0", "status=open&assignee=me", "status=%27+OR+1%3D1+--",
			"assignee=1%20OR%201=1", "state=sent&agency_id=1&report_id=1", "agency_id=0x10", "agency_id=-1", "report_id=1e3",
			"q=motel&state=VA&kind=law_enforcement&county=51059&zip=22030&status=active", "county=51059%27--", "zip=%00",
			"open=true&kind=report&target_id=1", "target_id=99999999999999999999", "kind=%3Cscript%3E",
			"limit=1&offset=1", "limit=201", "offset=-5", "limit=%20", "from=2026-01-01&to=2025-01-01", "%zz", "a=" + strings.Repeat("b", 10000),
		} {
			seeds = append(seeds, []any{uint8(i), q})
		}
	}
	return fuzzTarget{seeds, func(t *testing.T, which uint8, query string) {
		e := eps[int(which)%len(eps)]
		z.check(t, e.role, "GET", e.path, query, "")
	}}
}
