package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"html/template"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/haven-oss/haven/internal/haven"
)

// Stored cross-site scripting: markup, event handlers, template actions and
// javascript: URLs written into every free-text field a user can fill are
// shown as text on every page that shows them, and never run.

const (
	xssScript = `<script>alert(1)</script>`
	xssImg    = `"><img src=x onerror=alert(1)>`
	xssSvg    = `</textarea><svg onload=alert(1)>`
	xssTpl    = `{{.}}`
	xssURL    = `javascript:alert(1)`
)

// xssRaw is what must never reach a page unescaped.
var xssRaw = regexp.MustCompile(`(?i)<script>alert|<img src=x|<svg onload|href="javascript:|src="javascript:`)

// xssEscaped is the escaped form html/template writes of each payload
// (the quote of xssImg as &#34;).
var xssEscaped = []string{"&lt;script&gt;alert(1)&lt;/script&gt;", "&lt;img src=x onerror=alert(1)&gt;", "&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;"}

// apiCall sends a JSON body with a token and returns the status and the
// decoded answer.
func apiCall(t *testing.T, e *testEnv, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, e.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var v map[string]any
	json.NewDecoder(resp.Body).Decode(&v)
	return resp.StatusCode, v
}

// mustAPI is apiCall that fails unless the call succeeded; it returns the
// number at path (dot-separated; an array's last element).
func mustAPI(t *testing.T, e *testEnv, method, path, token, body, field string) int64 {
	t.Helper()
	status, v := apiCall(t, e, method, path, token, body)
	if status >= 300 {
		t.Fatalf("%s %s: %d %v", method, path, status, v)
	}
	if field == "" {
		return 0
	}
	n, ok := numberAt(v, field)
	if !ok {
		t.Fatalf("%s %s: no %s in %v", method, path, field, v)
	}
	return n
}

// numberAt returns the number at path in a decoded JSON object
// (dot-separated; an array's last element).
func numberAt(v map[string]any, path string) (int64, bool) {
	for _, p := range strings.Split(path, ".") {
		switch x := v[p].(type) {
		case map[string]any:
			v = x
		case []any:
			v, _ = x[len(x)-1].(map[string]any)
		case float64:
			return int64(x), true
		}
	}
	return 0, false
}

func jsonStr(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestStoredXSSInert(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()

	ag := &haven.Agency{Name: "Fairview Police " + xssImg, Kind: "law_enforcement", Level: haven.LevelLocal, State: "VA",
		Phone24x7: "202-555-0142", Email: "desk@example.com", Address: "1 Main St " + xssSvg, City: "Fairview"}
	if err := e.svc.CreateAgency(ctx, sys, ag); err != nil {
		t.Fatalf("agency with markup in its name: %v", err)
	}
	users := map[haven.Role]string{}   // the browser's user of each role
	secrets := map[haven.Role]string{} // the TOTP secret of the HTTP client's user of each role
	tokens := map[haven.Role]string{}
	ids := map[haven.Role]int64{}
	for _, role := range []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleAdmin, haven.RoleOfficer} {
		agency := int64(0)
		if role == haven.RoleOfficer {
			agency = ag.ID
		}
		for _, n := range []string{"xss.", "xss2."} {
			name := n + string(role)
			u, secret := e.createUser(name, "Pat "+xssScript, role, agency)
			if n == "xss." {
				users[role], ids[role] = name, u.ID
				tok, err := e.svc.CreateToken(ctx, sys, u.ID, "xss")
				if err != nil {
					t.Fatal(err)
				}
				tokens[role] = tok
			} else {
				secrets[role] = secret
			}
		}
	}

	rep := e.createReport(&haven.Report{AgencyID: ag.ID,
		Narrative:        "Narrative " + xssScript + " " + xssImg + " " + xssSvg + " " + xssTpl + " " + xssURL,
		IncidentTimeText: "last night " + xssImg,
		Places:           []haven.Place{{Role: haven.PlaceIncident, Name: "Motel " + xssScript, Address: "2 Elm St " + xssSvg, City: "Fairview", State: "VA"}},
		Reporter:         haven.Contact{Name: "Sam " + xssImg, Organization: "Org " + xssSvg, Relationship: "aunt " + xssTpl, Phone: "202-555-0147"},
		People: []haven.PersonMention{
			{Role: haven.PersonChild, FirstName: "Ava", LastName: "Example", Nickname: xssSvg, Sex: haven.SexFemale, Description: "Child " + xssScript},
			{Role: haven.PersonSuspect, FirstName: "Rick", Nickname: xssImg, Description: "Suspect " + xssSvg},
		},
		Identifiers: []haven.Identifier{{Kind: haven.IDURL, Value: xssURL}, {Kind: haven.IDHandle, Value: "star_example", Platform: "Insta " + xssImg}},
	})

	an, sup, adm, off := tokens[haven.RoleAnalyst], tokens[haven.RoleSupervisor], tokens[haven.RoleAdmin], tokens[haven.RoleOfficer]
	caseID := mustAPI(t, e, "POST", "/api/v1/cases", an, fmt.Sprintf(`{"report_id":%d,"mention_id":%d,"title":%s}`, rep.ID, rep.People[0].ID, jsonStr("Case "+xssImg)), "id")
	cp := "/api/v1/cases/" + strconv.FormatInt(caseID, 10)
	mustAPI(t, e, "POST", cp+"/assignee", sup, fmt.Sprintf(`{"user_id":%d}`, ids[haven.RoleAnalyst]), "")
	mustAPI(t, e, "POST", cp+"/notes", an, `{"body":`+jsonStr("Note "+xssScript+xssSvg)+`,"shareable":true}`, "")
	mustAPI(t, e, "POST", cp+"/tasks", an, `{"title":`+jsonStr("Task "+xssImg)+`}`, "")
	mustAPI(t, e, "POST", cp+"/determinations", an, `{"determination":"yes","rationale":`+jsonStr("Rationale "+xssSvg+xssTpl)+`,"indicators":["older_partner"]}`, "")
	refID := mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/reports/%d/referrals", rep.ID), an,
		fmt.Sprintf(`{"agency_ids":[%d],"note":%s}`, ag.ID, jsonStr("Referral note "+xssScript)), "referrals.id")
	rp := "/api/v1/referrals/" + strconv.FormatInt(refID, 10)
	mustAPI(t, e, "POST", rp+"/acknowledge", off, ``, "")
	mustAPI(t, e, "POST", rp+"/info-requests", off, `{"message":`+jsonStr("Question "+xssImg)+`}`, "")
	mustAPI(t, e, "POST", rp+"/info-answers", an, `{"message":`+jsonStr("Answer "+xssSvg)+`}`, "")
	reqID := mustAPI(t, e, "POST", "/api/v1/analysis-requests", off,
		fmt.Sprintf(`{"case_number":%s,"question":%s,"urgency":"routine","report_ids":[%d]}`, jsonStr("26-"+xssTpl), jsonStr("Who "+xssScript), rep.ID), "id")
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/analysis-requests/%d/claim", reqID), an, `{}`, "")
	prodID := mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/analysis-requests/%d/products", reqID), an,
		fmt.Sprintf(`{"kind":"narrative","title":%s,"body":%s,"report_ids":[%d]}`, jsonStr("Product "+xssImg), jsonStr("Body "+xssScript+xssSvg), rep.ID), "id")
	mustAPI(t, e, "PATCH", fmt.Sprintf("/api/v1/agencies/%d", ag.ID), adm,
		`{"contacts":[{"name":`+jsonStr("Lee "+xssSvg)+`,"title":`+jsonStr("Detective "+xssImg)+`,"phone":"202-555-0151","email":"lee@example.com"}]}`, "")
	mustAPI(t, e, "POST", "/api/v1/legal-holds", adm, fmt.Sprintf(`{"kind":"report","target_id":%d,"reason":%s,"reference":%s}`,
		rep.ID, jsonStr("Hold "+xssImg), jsonStr("Ref "+xssSvg)), "id")

	pages := map[haven.Role][]string{
		haven.RoleAnalyst: {"/", "/reports", fmt.Sprintf("/reports/%d", rep.ID), "/cases", fmt.Sprintf("/cases/%d", caseID),
			"/search?q=Narrative", "/search?q=Motel", "/search?q=Case&kind=cases", "/queue", "/referrals", fmt.Sprintf("/referrals/%d", refID),
			"/analysis", fmt.Sprintf("/analysis/%d", reqID), "/identifiers", "/notifications"},
		haven.RoleSupervisor: {"/", "/queue/deadlines", fmt.Sprintf("/cases/%d", caseID), "/review"},
		haven.RoleAdmin:      {"/agencies", fmt.Sprintf("/agencies/%d", ag.ID), fmt.Sprintf("/agencies/%d/edit", ag.ID), "/admin/users", "/admin/audit", "/admin/legal-holds"},
		haven.RoleOfficer:    {"/portal", fmt.Sprintf("/portal/referrals/%d", refID), "/analysis", fmt.Sprintf("/analysis/%d", reqID)},
	}
	pdfs := map[haven.Role][]string{
		haven.RoleOfficer: {fmt.Sprintf("/portal/referrals/%d.pdf", refID), fmt.Sprintf("/analysis/products/%d.pdf", prodID)},
	}

	httpUsers := map[haven.Role]string{}
	for role := range users {
		httpUsers[role] = "xss2." + string(role)
	}
	assertPagesInert(t, e, []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleAdmin, haven.RoleOfficer}, users, httpUsers, secrets, pages, pdfs,
		[]string{fmt.Sprintf("/reports/%d", rep.ID), fmt.Sprintf("/cases/%d", caseID), fmt.Sprintf("/referrals/%d", refID),
			fmt.Sprintf("/portal/referrals/%d", refID), fmt.Sprintf("/analysis/%d", reqID), fmt.Sprintf("/agencies/%d", ag.ID), "/admin/legal-holds", "/search?q=Narrative"})
}

// assertPagesInert loads each role's pages, first over HTTP as
// httpUsers[role] (signed in with secrets[role]), then in Chromium as
// users[role] (enrolling then, unless it is the same user): every page answers 200, no payload reaches it unescaped,
// every page of mustShow shows a payload as escaped text, and in the
// browser no dialog opens, no node, handler or javascript: URL from a
// payload is in the document (the page watcher also fails on any CSP
// violation) and the payloads read as text. pdfs are fetched as PDFs.
func assertPagesInert(t *testing.T, e *testEnv, roles []haven.Role, users, httpUsers, secrets map[haven.Role]string, pages, pdfs map[haven.Role][]string, mustShow []string) {
	t.Helper()
	// Server side: every page answers, no payload reaches it unescaped, and
	// the pages that show the fields show the escaped text.
	escapedSeen := map[string]bool{}
	for _, role := range roles {
		c := e.signedIn(httpUsers[role], secrets[role])
		for _, p := range pages[role] {
			r := c.get(p)
			if r.StatusCode != http.StatusOK {
				t.Errorf("%s as %s: status %d", p, role, r.StatusCode)
				continue
			}
			if m := xssRaw.FindString(r.Body); m != "" {
				i := strings.Index(r.Body, m)
				t.Errorf("%s as %s: the page has %q unescaped: …%s…", p, role, m, r.Body[max(0, i-120):min(len(r.Body), i+80)])
			}
			for _, esc := range xssEscaped {
				if strings.Contains(r.Body, esc) {
					escapedSeen[p] = true
				}
			}
		}
		for _, p := range pdfs[role] {
			r := c.get(p)
			if r.StatusCode != http.StatusOK || !strings.HasPrefix(r.Body, "%PDF") {
				t.Errorf("%s as %s: status %d, not a PDF (%.40q)", p, role, r.StatusCode, r.Body)
			}
		}
	}
	for _, p := range mustShow {
		if !escapedSeen[p] {
			t.Errorf("%s shows none of the payloads as escaped text", p)
		}
	}

	// In Chromium: no dialog opens, no script or handler from a payload is
	// in the document (the page watcher also fails on any CSP violation),
	// and the payloads read as text (or as the value of a form's field).
	b := newBrowser(t, e)
	var mu sync.Mutex
	var dialogs []string
	if err := chromedp.Listen(b.ctx, func(ev any) {
		if d, ok := ev.(*page.EventJavascriptDialogOpening); ok {
			mu.Lock()
			dialogs = append(dialogs, d.Message)
			mu.Unlock()
			go chromedp.Call(b.ctx, page.HandleJavaScriptDialog, page.HandleJavaScriptDialogParams{Accept: false})
		}
	}); err != nil {
		t.Fatal(err)
	}
	const injected = `(() => {
  const bad = [...document.querySelectorAll('[onerror],[onload],[onclick],[onmouseover],img[src="x"]')].map(n => n.outerHTML.slice(0, 80));
  for (const s of document.scripts) if (!s.src) bad.push('inline script: ' + s.textContent.slice(0, 80));
  for (const a of document.querySelectorAll('a[href],iframe[src],form[action]')) {
    const u = a.getAttribute('href') || a.getAttribute('src') || a.getAttribute('action') || '';
    if (/^\s*javascript:/i.test(u)) bad.push('javascript URL: ' + a.outerHTML.slice(0, 80));
  }
  return bad;
})()`
	first := true
	for _, role := range roles {
		if !first {
			b.signOut()
		}
		first = false
		if users[role] == httpUsers[role] {
			b.signInAgain(users[role], secrets[role])
		} else {
			b.enrolAndSignIn(users[role])
		}
		for _, p := range pages[role] {
			if st := b.open(p); st != http.StatusOK {
				t.Errorf("browser %s as %s: status %d", p, role, st)
				continue
			}
			if bad := run(b, "injected nodes", chromedp.Evaluate[[]string](injected)); len(bad) > 0 {
				t.Errorf("browser %s as %s: injected from a payload: %q", p, role, bad)
			}
			if escapedSeen[p] {
				txt := run(b, "page text", chromedp.Evaluate[string](
					`document.body.innerText + [...document.querySelectorAll('input,textarea')].map(i => i.value).join(' ')`))
				if !strings.Contains(txt, "alert(1)") {
					t.Errorf("browser %s as %s: the payload is not shown as text", p, role)
				}
			}
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if len(dialogs) > 0 {
		t.Errorf("a payload opened dialogs: %q", dialogs)
	}
}

// TestStoredXSSInertInCallsMissingChildrenAuditAndFileNames: the payloads
// in every free-text field of a hotline call, of a missing-child report
// and its recovery, in reasons that end up in the audit log, and in the
// names of files uploaded by staff and by an ESP are shown as text on the
// call's, the report's, the episode's, the child's, the case's and the
// audit viewer's pages, and never run.
func TestStoredXSSInertInCallsMissingChildrenAuditAndFileNames(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	e.withLinking()
	ctx := context.Background()
	roles := []haven.Role{haven.RoleHotline, haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleAdmin}
	// One user of each role, over HTTP and in the browser alike: a call and
	// a missing-child report are their own specialist's.
	users, secrets, tokens := map[haven.Role]string{}, map[haven.Role]string{}, map[haven.Role]string{}
	for _, role := range roles {
		u, secret := e.createUser("xss."+string(role), "Pat Example", role, 0)
		tok, err := e.svc.CreateToken(ctx, sys, u.ID, "xss")
		if err != nil {
			t.Fatal(err)
		}
		users[role], secrets[role], tokens[role] = u.Username, secret, tok
	}
	hot, an, sup, adm := tokens[haven.RoleHotline], tokens[haven.RoleAnalyst], tokens[haven.RoleSupervisor], tokens[haven.RoleAdmin]

	// A hotline call with every free-text field.
	callID := mustAPI(t, e, "POST", "/api/v1/hotline-calls", hot, `{"caller_type":"concerned_person"}`, "id")
	callPath := "/api/v1/hotline-calls/" + strconv.FormatInt(callID, 10)
	details := map[string]any{
		"caller_name": "Sam " + xssImg, "caller_org": "Org " + xssSvg, "caller_phone": "202-555-0147",
		"what_happened": "Happened " + xssScript + " " + xssTpl + " " + xssURL, "when": "Tuesday " + xssImg,
		"place": "Motel " + xssSvg, "city": "Tulsa", "state": "OK",
		"child_name": "Ava " + xssScript, "child_nickname": "Nick " + xssImg, "child_age": 15,
		"child_description": "Child " + xssSvg, "child_where_now": "Now " + xssScript,
		"people":     []map[string]string{{"role": "suspect", "name": "Rick " + xssImg, "nickname": xssSvg, "description": "Suspect " + xssScript}},
		"online":     "https://ads.example.com/listing/77\n" + xssURL,
		"indicators": []string{"older_partner"},
		"answers":    []map[string]any{{"indicator": "older_partner", "question": 0, "answer": "Answer " + xssImg}},
		"notes":      "Notes " + xssScript + xssSvg,
	}
	db, _ := json.Marshal(map[string]any{"details": details})
	callRepID := mustAPI(t, e, "PATCH", callPath, hot, string(db), "report_id")

	// A missing-child report with every free-text field, and its recovery.
	now := time.Now().UTC()
	missing, _ := json.Marshal(map[string]any{
		"missing_type":    "endangered_runaway",
		"law_enforcement": map[string]string{"agency_name": "Police " + xssImg, "case_number": "26-" + xssTpl},
		"child": map[string]any{"first_name": "Maya " + xssScript, "last_name": "Example " + xssImg, "nicknames": []string{"Mo " + xssSvg},
			"date_of_birth": "2011-02-03", "sex": "female", "description": "Description " + xssScript + " " + xssURL},
		"last_seen_at":   now.Add(-3 * time.Hour).Format(time.RFC3339),
		"last_seen":      map[string]string{"name": "Home " + xssImg, "address": "3 Oak St " + xssSvg, "city": "Reno", "state": "NV"},
		"last_seen_with": "With " + xssScript, "circumstances": "Circumstances " + xssImg + " " + xssTpl,
		"guardians": []map[string]string{{"name": "Rosa " + xssSvg, "relationship": "mother " + xssImg, "phone": "775-555-0147", "email": "rosa@example.com"}},
		"reporter":  map[string]string{"name": "Ana " + xssScript, "phone": "775-555-0148", "organization": "Org " + xssImg},
	})
	epID := mustAPI(t, e, "POST", "/api/v1/missing", hot, string(missing), "id")
	_, ep := apiCall(t, e, "GET", fmt.Sprintf("/api/v1/missing/%d?reason=%s", epID, url.QueryEscape("Checking "+xssImg)), sup, "")
	childID, _ := ep["child_id"].(float64)
	missRepID, _ := ep["report_id"].(float64)
	if childID == 0 || missRepID == 0 {
		t.Fatalf("episode without child or report: %v", ep)
	}
	recovery, _ := json.Marshal(map[string]any{
		"recovered_at": now.Add(-time.Hour).Format(time.RFC3339), "place": map[string]string{"name": "Station " + xssSvg, "city": "Reno", "state": "NV"},
		"recovered_by": "Officer " + xssImg, "factors": []string{}, "factors_other": "Other " + xssScript,
		"experiences": "Experiences " + xssSvg, "screening": "negative", "follow_up": "Follow up " + xssImg,
	})
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/missing/%d/recovery", epID), sup, string(recovery), "")

	// A file uploaded by staff, and one by an ESP, named with the payloads.
	req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/reports/%d/attachments?%s", e.URL, callRepID,
		url.Values{"filename": {"x" + xssImg + xssScript + ".png"}}.Encode()), bytes.NewReader(squarePNG(t, color.RGBA{10, 20, 30, 255})))
	req.Header.Set("Authorization", "Bearer "+sup)
	req.Header.Set("Content-Type", "image/png")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var att struct{ ID int64 }
	json.NewDecoder(resp.Body).Decode(&att)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || att.ID == 0 {
		t.Fatalf("staff upload named with the payloads: %d", resp.StatusCode)
	}
	esp := e.newESP("examplechat")
	espID := esp.submit("Note " + xssScript)
	up := esp.upload(espID, xssImg+".png", squarePNG(t, color.RGBA{30, 20, 10, 255}))
	if up.Code != 0 {
		t.Fatalf("ESP upload named with a payload: %s", up.Body)
	}
	if fi := esp.fileinfo(espID, up.FileID, "y"+xssSvg+".png"); fi.Code != 0 {
		t.Fatalf("ESP fileinfo: %s", fi.Body)
	}
	espRep := esp.finish(espID)

	// A case of the call's report, its file revealed with a reason.
	callRep := fromStore(e, func(ctx context.Context, tx haven.Tx) (*haven.Report, error) { return tx.ReportByID(ctx, callRepID) })
	var mention int64
	for _, p := range callRep.People {
		if p.Role == haven.PersonChild {
			mention = p.ID
		}
	}
	caseID := mustAPI(t, e, "POST", "/api/v1/cases", an, fmt.Sprintf(`{"report_id":%d,"mention_id":%d,"title":"Call case"}`, callRepID, mention), "id")
	if st, v := apiCall(t, e, "GET", fmt.Sprintf("/api/v1/cases/%d/attachments/%d?reason=%s", caseID, att.ID, url.QueryEscape("Reveal "+xssImg)), an, ""); st != http.StatusOK {
		t.Fatalf("reveal: %d %v", st, v)
	}

	// Reasons that end up in the audit log.
	e.ingest(callRep)
	e.ingest(espRep)
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/reports/%d/priority", espRep.ID), sup, `{"priority":2,"reason":`+jsonStr("Priority "+xssSvg)+`}`, "")
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/reports/%d/close", espRep.ID), sup, `{"reason":`+jsonStr("Closed "+xssImg)+`}`, "")
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/reports/%d/reopen", espRep.ID), sup, `{"reason":`+jsonStr("Reopened "+xssScript)+`}`, "")
	_, ids := apiCall(t, e, "GET", "/api/v1/identifiers?state=active&limit=100", an, "")
	var identID int64
	if list, ok := ids["identifiers"].([]any); ok && len(list) > 0 {
		if m, ok := list[0].(map[string]any); ok {
			f, _ := m["id"].(float64)
			identID = int64(f)
		}
	}
	if identID == 0 {
		t.Fatalf("no identifier to exclude: %v", ids)
	}
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/identifiers/%d/exclude", identID), an, `{"reason":`+jsonStr("Excluded "+xssSvg)+`}`, "")
	holdID := mustAPI(t, e, "POST", "/api/v1/legal-holds", adm, fmt.Sprintf(`{"kind":"report","target_id":%d,"reason":%s,"reference":"Ref 1"}`,
		int64(missRepID), jsonStr("Hold "+xssImg)), "id")
	mustAPI(t, e, "POST", fmt.Sprintf("/api/v1/legal-holds/%d/release", holdID), adm, `{"reason":`+jsonStr("Released "+xssScript)+`}`, "")

	call := fmt.Sprintf("/hotline/calls/%d", callID)
	callRepPage, missRepPage, espRepPage := fmt.Sprintf("/reports/%d", callRepID), fmt.Sprintf("/reports/%d", int64(missRepID)), fmt.Sprintf("/reports/%d", espRep.ID)
	epPage, childPage, casePage := fmt.Sprintf("/missing/%d", epID), fmt.Sprintf("/children/%d", int64(childID)), fmt.Sprintf("/cases/%d", caseID)
	// The audit viewer, filtered to the entries with the reasons (the
	// browser's own page views would push them off an unfiltered first page).
	auditESP := fmt.Sprintf("/admin/audit?kind=report&record=%d", espRep.ID)
	audits := []string{auditESP, "/admin/audit?action=attachment.reveal", "/admin/audit?action=episode.view",
		"/admin/audit?action=legal_hold.", "/admin/audit?action=identifier."}
	pages := map[haven.Role][]string{
		haven.RoleHotline: {"/hotline", call, call + "?section=what", call + "?section=child", call + "?section=people", call + "?section=online",
			call + "?section=indicators", call + "?section=notes", call + "?section=end", "/missing", epPage},
		haven.RoleAnalyst:    {"/", "/reports", callRepPage, missRepPage, espRepPage, casePage, "/missing", epPage, childPage, fmt.Sprintf("/identifiers/%d", identID), "/queue"},
		haven.RoleSupervisor: {call, callRepPage, epPage, childPage, "/admin/legal-holds"},
		haven.RoleAdmin:      audits,
	}
	// Each field's own text is on its pages, escaped.
	esc := func(s string) string { return template.HTMLEscapeString(s) }
	staffFile, espFile := esc(haven.SanitizeFileName("x"+xssImg+xssScript+".png")), esc(haven.SanitizeFileName(xssImg+".png"))
	shows := map[haven.Role]map[string][]string{
		haven.RoleHotline: {call: {esc("Sam " + xssImg), esc("Org " + xssSvg)},
			call + "?section=what":       {esc("Happened " + xssScript), esc("Tuesday " + xssImg), esc("Motel " + xssSvg)},
			call + "?section=child":      {esc("Ava " + xssScript), esc("Nick " + xssImg), esc("Child " + xssSvg), esc("Now " + xssScript)},
			call + "?section=people":     {esc("Rick " + xssImg), esc("Suspect " + xssScript)},
			call + "?section=online":     {esc(xssURL)},
			call + "?section=indicators": {esc("Answer " + xssImg)},
			call + "?section=notes":      {esc("Notes " + xssScript + xssSvg)},
		},
		haven.RoleAnalyst: {
			callRepPage: {esc("Happened " + xssScript), esc("Suspect " + xssScript), staffFile},
			espRepPage:  {espFile, esc("y&lt;/textarea&gt;&lt;svg onload=alert(1)&gt;.png")}, // in the XML of the file's details
			casePage:    {staffFile},
			epPage: {esc("Maya " + xssScript), esc("Circumstances " + xssImg), esc("With " + xssScript), esc("Home " + xssImg),
				esc("Rosa " + xssSvg), esc("Officer " + xssImg), esc("Experiences " + xssSvg), esc("Follow up " + xssImg)},
			childPage:   {esc("Maya " + xssScript), esc("Description " + xssScript)},
			missRepPage: {esc("Circumstances " + xssImg)},
		},
		haven.RoleAdmin: {
			auditESP:  {esc("Closed " + xssImg), esc("Reopened " + xssScript), esc("Priority " + xssSvg)},
			audits[1]: {esc("Reveal " + xssImg)}, audits[2]: {esc("Checking " + xssImg)},
			audits[3]: {esc("Hold " + xssImg), esc("Released " + xssScript)}, audits[4]: {esc("Excluded " + xssSvg)},
		},
	}
	for role, byPage := range shows {
		c := e.signedIn(users[role], secrets[role])
		for p, want := range byPage {
			body := c.get(p).Body
			for _, w := range want {
				if !strings.Contains(body, w) {
					t.Errorf("%s as %s does not show %q", p, role, w)
				}
			}
		}
	}

	assertPagesInert(t, e, roles, users, users, secrets, pages, nil,
		append([]string{call, call + "?section=what", call + "?section=child", call + "?section=people", call + "?section=notes", callRepPage, missRepPage, espRepPage, epPage, childPage, casePage, fmt.Sprintf("/identifiers/%d", identID)}, audits...))
}
