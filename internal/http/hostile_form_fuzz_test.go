package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/haven"
)

// FuzzWebForm sends hostile forms to every staff web form (the POST routes
// outside /api/, the tip form and sign-in), as a signed-in user of a role
// allowed to use it, with a session cookie and the same-origin headers a
// browser sends. The input picks the route (modulo the list), whether the
// form goes as multipart/form-data, and the form itself.
//
// For every input the page must answer (never panic, never 5xx); a refusal
// — 4xx, or a redirect back with ?problem= — must be a page saying what was
// wrong, and must change nothing in the store (the fingerprint of the JSON
// targets). POST /signout is left out: it has no fields, and ending the
// session would sign the fuzzer out.
func FuzzWebForm(f *testing.F) { webForm(newFuzzServer(f)).fuzz(f) }

// fuzzSignIn signs name in (password, then TOTP) and returns the session token.
func fuzzSignIn(tb testing.TB, svc *haven.Service, name, secret string) string {
	tb.Helper()
	ctx := context.Background()
	si, err := svc.SignInPassword(ctx, name, testPassword, "192.0.2.10", "fuzz")
	if err != nil {
		tb.Fatalf("sign in %s: %v", name, err)
	}
	now := time.Now()
	if svc.Now != nil {
		now = svc.Now()
	}
	code, err := totp.GenerateCode(secret, now)
	if err != nil {
		tb.Fatal(err)
	}
	done, err := svc.SignInTOTP(ctx, si.Token, code, "192.0.2.10")
	if err != nil {
		tb.Fatalf("sign in %s, TOTP: %v", name, err)
	}
	return done.Token
}

// formRoute is one staff form: who posts it where, and a form it accepts.
type formRoute struct {
	role  haven.Role
	path  string
	valid string
}

// formBoundary is the multipart boundary of every multipart form sent; a
// body already holding it is sent as it is.
const formBoundary = "fuzzformboundary"

// hostileFormValues go into every field of every form.
var hostileFormValues = []string{
	"\x00", "a\x00b", "\xff\xfe", strings.Repeat("A", 5000), "' OR 1=1 --", "\"; DROP TABLE reports; --",
	"-1", "-9223372036854775809", "99999999999999999999", "1e400", "0000-00-00", "2026-02-30T25:61",
	"<script>alert(1)</script>", strings.Repeat("\u202e", 20), " ",
}

// hostileFormBodies are sent whole to every form.
var hostileFormBodies = []string{
	"", "%zz", "a=%", ";;&&==", "=x", "\x00=\x00", "%FF%FE=%FF%FE",
	"x=" + strings.Repeat("B", 70<<10),                                                  // over the form size limit
	"--" + formBoundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n", // unterminated multipart
	"--" + formBoundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"../../etc/passwd\"\r\nContent-Type: text/csv\r\n\r\n\x00\xff\r\n--" + formBoundary + "--\r\n",
}

// webFormRoutes lists the staff forms with records of z to act on. It adds
// the records the JSON targets do not need (an account to disable, an ESP
// account, a missing child's episode, a hotline call).
func webFormRoutes(z *fuzzServer) []formRoute {
	tb := z.tb
	tb.Helper()
	ctx := context.Background()
	target, _, err := z.svc.CreateUser(ctx, sys, haven.NewUser{Username: "fuzz.target", DisplayName: "Fuzz Target",
		Email: "fuzz.target@example.com", Role: haven.RoleAnalyst, Password: testPassword})
	if err != nil {
		tb.Fatalf("user: %v", err)
	}
	if _, _, err := z.svc.CreateEspAccount(ctx, sys, "fuzz-esp"); err != nil {
		tb.Fatalf("esp account: %v", err)
	}
	apiID := func(role haven.Role, path, body string) int64 {
		status, resp := z.do("POST", path, z.tok[role], body)
		var v struct {
			ID int64 `json:"id"`
		}
		if err := json.Unmarshal([]byte(resp), &v); status >= 300 || err != nil || v.ID == 0 {
			tb.Fatalf("setup POST %s: %d %s", path, status, resp)
		}
		return v.ID
	}
	episode := apiID(haven.RoleAnalyst, "/api/v1/missing",
		`{"missing_type":"endangered_runaway","child":{"first_name":"Jordan","last_name":"Example","date_of_birth":"2011-02-03","sex":"female"},`+
			`"last_seen_at":"2026-03-19T18:30:00Z","last_seen":{"name":"Fairview Mall","city":"Fairview","state":"VA","zip":"22030"},`+
			`"guardians":[{"name":"Pat Example","relationship":"mother","phone":"202-555-0147","email":"pat@example.com"}]}`)
	call := apiID(haven.RoleHotline, "/api/v1/hotline-calls", `{"caller_type":"parent_guardian","language":"en"}`)
	// The officer has the referral's page open, as anyone posting its forms
	// has: an agency's first view of a referral records its receipt.
	req := httptest.NewRequest("GET", "/portal/referrals/"+strconv.FormatInt(z.ids["referral"], 10), nil)
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: z.sess[haven.RoleOfficer]})
	w := httptest.NewRecorder()
	if z.h.ServeHTTP(w, req); w.Code != http.StatusOK {
		tb.Fatalf("setup: the officer's referral page: %d", w.Code)
	}

	id := func(name string) string { return strconv.FormatInt(z.ids[name], 10) }
	cs := "/cases/" + id("case")
	rf := "/portal/referrals/" + id("referral")
	rq := "/analysis/" + id("request")
	user := "/admin/users/" + strconv.FormatInt(target.ID, 10)
	ep := "/missing/" + strconv.FormatInt(episode, 10)
	const none = "999999" // no such record: the form is still read and refused
	agencyForm := "name=Example+City+Police&kind=law_enforcement&level=local&state=VA&states=VA&states=MD&phone=202-555-0150" +
		"&email=desk%40example.com&address=1+Main+St&city=Fairview&counties=51059&zips=22030"
	return []formRoute{
		{haven.RoleAdmin, "/admin/users", "username=fuzz.new&display_name=New+Person&email=new%40example.com&role=analyst&agency=&password=" + url.QueryEscape(testPassword)},
		{haven.RoleAdmin, user + "/disable", ""},
		{haven.RoleAdmin, user + "/enable", ""},
		{haven.RoleAdmin, user + "/reset-mfa", ""},
		{haven.RoleAdmin, "/agencies", agencyForm},
		{haven.RoleAdmin, "/agencies/" + id("other_agency"), agencyForm},
		{haven.RoleAdmin, "/agencies/" + id("other_agency") + "/deactivate", ""},
		{haven.RoleAdmin, "/agencies/" + id("other_agency") + "/reactivate", ""},
		{haven.RoleAdmin, "/agencies/import", "dry_run=1&file=name%2Ckind%2Clevel%2Cstate%0AExample+Import+Police%2Claw_enforcement%2Clocal%2CVA%0A"},
		{haven.RoleAnalyst, "/reports/" + id("report2") + "/claim", "back=%2Fqueue"},
		{haven.RoleAnalyst, "/reports/" + id("report2") + "/release", "back=%2Fqueue"},
		{haven.RoleSupervisor, "/reports/" + id("report2") + "/assign", "assignee=" + id(string(haven.RoleAnalyst)) + "&back=%2Fqueue"},
		{haven.RoleSupervisor, "/reports/" + id("report3") + "/priority", "priority=1&reason=The+caller+said+tonight."},
		{haven.RoleSupervisor, "/reports/" + id("report3") + "/close", "reason=Duplicate+of+an+earlier+call."},
		{haven.RoleSupervisor, "/reports/" + id("report3") + "/reopen", "reason=New+information."},
		{haven.RoleAnalyst, "/person-matches/" + none + "/confirm", "report_id=" + id("report") + "&reason=Same+child."},
		{haven.RoleAnalyst, "/person-matches/" + none + "/reject", "report_id=" + id("report") + "&reason=Different+child."},
		{haven.RoleAnalyst, "/reports/" + id("report2") + "/cases", "title=Second+look&child=mention%3A" + id("report2_mention")},
		{haven.RoleAnalyst, cs + "/reports", "report=HVN-0000-0000"},
		{haven.RoleAnalyst, cs + "/status", "status=closed&reason=Done."},
		{haven.RoleSupervisor, cs + "/assign", "assignee=" + id(string(haven.RoleAnalyst))},
		{haven.RoleAnalyst, cs + "/notes", "body=Spoke+with+the+school+counsellor.&shareable=1"},
		{haven.RoleAnalyst, cs + "/tasks", "title=Call+the+school&owner=" + id(string(haven.RoleAnalyst)) + "&due=2026-12-01"},
		{haven.RoleAnalyst, cs + "/tasks/" + id("task"), "done=1"},
		{haven.RoleAnalyst, cs + "/determinations", "determination=yes&rationale=Cash+cards+and+hotel+keys.&indicators=older_partner"},
		{haven.RoleSupervisor, cs + "/determinations/" + id("determination") + "/approve", ""},
		{haven.RoleSupervisor, cs + "/determinations/" + id("determination") + "/return", "reason=Needs+another+interview."},
		{haven.RoleAnalyst, cs + "/merge", "absorbed=%23" + id("case2") + "&reason=Same+child."},
		{haven.RoleAnalyst, cs + "/split", "reason=Two+children."},
		{haven.RoleAnalyst, cs + "/attachments/" + none + "/reveal", "reason=Needed+for+the+referral."},
		{haven.RoleAnalyst, "/identifiers/" + none + "/exclude", "reason=A+shared+front+desk+number."},
		{haven.RoleAnalyst, "/identifiers/" + none + "/confirm", "reason=Same+person."},
		{haven.RoleOfficer, "/analysis", "case_number=26-0002&question=Which+motels+does+this+number+appear+at%3F&urgency=priority&report_ids=" + id("report")},
		{haven.RoleAnalyst, rq + "/claim", ""},
		{haven.RoleSupervisor, rq + "/assign", "analyst_id=" + id(string(haven.RoleAnalyst))},
		{haven.RoleOfficer, rq + "/close", ""},
		{haven.RoleAnalyst, rq + "/products", "kind=narrative&title=Summary&body=Three+reports+share+one+phone+number.&report_ids=" + id("report")},
		{haven.RoleAnalyst, "/reports/" + id("report2") + "/referrals", "agency_id=" + id("agency") + "&agency_id=" + id("other_agency") + "&note=Both+cover+the+motel."},
		{haven.RoleAnalyst, "/referrals/" + id("referral") + "/answers", "message=The+caller%27s+number+is+202-555-0147."},
		{haven.RoleOfficer, rf + "/acknowledge", ""},
		{haven.RoleOfficer, rf + "/outcome", "outcome=investigation_opened&outcome_note=Detective+assigned."},
		{haven.RoleOfficer, rf + "/info-requests", "message=What+is+the+caller%27s+number%3F"},
		{haven.RoleOfficer, rf + "/transfer", "agency_id=" + id("other_agency") + "&note=Their+jurisdiction."},
		{haven.RoleAnalyst, "/missing", "missing_type=endangered_runaway&first_name=Jamie&last_name=Example&date_of_birth=2011-05-06&sex=female" +
			"&last_seen_at=2026-03-19T18%3A30&last_seen_city=Fairview&last_seen_state=VA&last_seen_zip=22030" +
			"&guardian_name_0=Pat+Example&guardian_relationship_0=mother&guardian_phone_0=202-555-0147&guardian_email_0=pat%40example.com"},
		{haven.RoleAnalyst, ep + "/recovery", "recovered_at=2026-03-20T09%3A15&recovered_city=Richmond&recovered_state=VA&recovered_zip=23219" +
			"&recovered_by=Richmond+Police&factors=felt_unsafe&screening=negative&follow_up=Counselling&follow_up_due=2026-03-27"},
		{haven.RoleAnalyst, ep + "/notifications", "le_told_at=2026-03-19T19%3A00&clearinghouse_told_at=2026-03-19T20%3A00"},
		{haven.RoleAdmin, "/admin/esp", "name=fuzz-esp-2"},
		{haven.RoleAdmin, "/admin/esp/fuzz-esp/disable", ""},
		{haven.RoleAdmin, "/admin/esp/fuzz-esp/enable", ""},
		{haven.RoleAdmin, "/admin/retention", "channel=hotline&days=3650"},
		{haven.RoleAdmin, "/admin/legal-holds", "kind=case&target_id=" + id("case") + "&reason=Court+order+26-45&reference=26-45"},
		{haven.RoleAdmin, "/admin/legal-holds/" + id("hold") + "/release", "reason=The+court+released+it."},
		{haven.RoleHotline, "/hotline/calls", ""},
		{haven.RoleHotline, "/hotline/calls/" + strconv.FormatInt(call, 10), "section=caller&caller_type=child&language=es"},
		{haven.RoleAnalyst, "/notifications/" + none + "/read", ""},
	}
}

// webForm is FuzzWebForm's target over z.
func webForm(z *fuzzServer) fuzzTarget {
	routes := webFormRoutes(z)
	var seeds [][]any
	for i, r := range routes {
		w := uint8(i)
		seeds = append(seeds, []any{w, false, r.valid}, []any{w, true, r.valid},
			[]any{w, false, r.valid + "&" + r.valid}) // every field twice
		for _, h := range hostileFormValues {
			seeds = append(seeds, []any{w, i%2 == 0, everyValue(r.valid, h)})
		}
	}
	for _, b := range hostileFormBodies {
		for i := range routes {
			seeds = append(seeds, []any{uint8(i), strings.HasPrefix(b, "--"), b})
		}
	}
	return fuzzTarget{seeds, func(t *testing.T, which uint8, multi bool, form string) {
		r := routes[int(which)%len(routes)]
		z.checkForm(t, r.role, r.path, multi, form)
	}}
}

// everyValue is the form with every field's value replaced by v (a form
// with no fields gets a field "reason").
func everyValue(form, v string) string {
	vals, _ := url.ParseQuery(form)
	if len(vals) == 0 {
		vals = url.Values{"reason": {""}}
	}
	out := url.Values{}
	for k, vs := range vals {
		for range vs {
			out.Add(k, v)
		}
	}
	return out.Encode()
}

// formBody encodes form for the request: as it is, or as multipart with
// each field a part (the fields "file" and "photos" as files).
func formBody(form string, multi bool) (contentType string, body []byte) {
	if !multi {
		return "application/x-www-form-urlencoded", []byte(form)
	}
	contentType = "multipart/form-data; boundary=" + formBoundary
	if strings.Contains(form, "--"+formBoundary) {
		return contentType, []byte(form)
	}
	vals, _ := url.ParseQuery(form) // what can be read; the rest is dropped
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.SetBoundary(formBoundary)
	for k, vs := range vals {
		for _, v := range vs {
			if k == "file" || k == "photos" {
				w, _ := mw.CreateFormFile(k, "upload.csv")
				w.Write([]byte(v))
			} else {
				mw.WriteField(k, v)
			}
		}
	}
	mw.Close()
	return contentType, b.Bytes()
}

// doForm posts the form as role's browser session would.
func (z *fuzzServer) doForm(role haven.Role, path string, multi bool, form string) *httptest.ResponseRecorder {
	ct, body := formBody(form, multi)
	req := httptest.NewRequest("POST", path, bytes.NewReader(body))
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("Origin", "https://example.com")
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: z.sess[role]})
	w := httptest.NewRecorder()
	z.h.ServeHTTP(w, req)
	return w
}

// checkForm posts the form and fails unless the page answered as it must.
func (z *fuzzServer) checkForm(t *testing.T, role haven.Role, path string, multi bool, form string) int {
	t.Helper()
	before := z.fingerprint(t)
	w := z.doForm(role, path, multi, form)
	status, loc, resp := w.Code, w.Header().Get("Location"), w.Body.String()
	in := fmt.Sprintf("POST %s as %s (multipart %v)\nform %q", path, role, multi, form)
	if len(in) > 2000 {
		in = in[:2000] + "…"
	}
	if status >= 500 {
		t.Fatalf("%d %s\n%s", status, resp, in)
	}
	if strings.HasPrefix(loc, "/signin") {
		t.Fatalf("%d to %s: the session was refused\n%s", status, loc, in)
	}
	if !utf8.ValidString(resp) {
		t.Fatalf("%d, the page is not UTF-8\n%s", status, in)
	}
	refused := status >= 400 || (status == http.StatusSeeOther && strings.Contains(loc, "problem="))
	if status >= 400 {
		if !strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") ||
			!saysWhatWasWrong(resp) {
			t.Fatalf("%d without a page saying what was wrong (%s): %.3000s\n%s", status, w.Header().Get("Content-Type"), resp, in)
		}
	}
	if refused {
		if after := z.fingerprint(t); after != before {
			t.Fatalf("refused with %d (to %q), but the store changed\n%s", status, loc, in)
		}
	}
	return status
}

// saysWhatWasWrong reports whether the page shows an error: the error page's
// message, an alert, or a message next to a field.
func saysWhatWasWrong(page string) bool {
	for _, m := range []string{`id="error-message"`, `role="alert"`, `class="field-error"`, `class="field__error"`} {
		if strings.Contains(page, m) {
			return true
		}
	}
	return false
}
