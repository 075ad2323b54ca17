package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"

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
	for _, p := range strings.Split(field, ".") {
		switch x := v[p].(type) {
		case map[string]any:
			v = x
		case []any:
			v, _ = x[len(x)-1].(map[string]any)
		case float64:
			return int64(x)
		}
	}
	t.Fatalf("%s %s: no %s in %v", method, path, field, v)
	return 0
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

	// Server side: every page answers, no payload reaches it unescaped, and
	// the pages that show the fields show the escaped text.
	escapedSeen := map[string]bool{}
	for _, role := range []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleAdmin, haven.RoleOfficer} {
		c := e.signedIn("xss2."+string(role), secrets[role])
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
	for _, p := range []string{fmt.Sprintf("/reports/%d", rep.ID), fmt.Sprintf("/cases/%d", caseID), fmt.Sprintf("/referrals/%d", refID),
		fmt.Sprintf("/portal/referrals/%d", refID), fmt.Sprintf("/analysis/%d", reqID), fmt.Sprintf("/agencies/%d", ag.ID), "/admin/legal-holds", "/search?q=Narrative"} {
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
	for _, role := range []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleAdmin, haven.RoleOfficer} {
		if !first {
			b.signOut()
		}
		first = false
		b.enrolAndSignIn(users[role])
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
