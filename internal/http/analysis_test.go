package http_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// pdfText returns the strings a PDF's page streams show (inflated when
// compressed): enough of a PDF reader to find a watermark.
func pdfText(b []byte) string {
	streams := regexp.MustCompile(`(?s)stream\r?\n(.*?)\r?\nendstream`)
	shows := regexp.MustCompile(`\(((?:\\.|[^\\)])*)\)\s*Tj`)
	var sb strings.Builder
	for _, m := range streams.FindAllSubmatch(b, -1) {
		data := m[1]
		if zr, err := zlib.NewReader(bytes.NewReader(data)); err == nil {
			if in, err := io.ReadAll(zr); err == nil {
				data = in
			}
		}
		for _, s := range shows.FindAllSubmatch(data, -1) {
			sb.WriteString(strings.NewReplacer(`\(`, "(", `\)`, ")", `\\`, `\`).Replace(string(s[1])))
			sb.WriteString("\n")
		}
	}
	return sb.String()
}

// TestAnalyticalSupportIsForTheRequestingAgencyAndTheAnalystsOnly goes
// through a request from an officer to an analyst's products by page and by
// API, and checks that an officer of another agency, a hotline specialist
// and anyone guessing ids get "not found", that lists do not reveal other
// agencies' requests (nor their number), and that the PDF names its
// downloader and the time.
func TestAnalyticalSupportIsForTheRequestingAgencyAndTheAnalystsOnly(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	call := specCaller(t, e, v)
	reno := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	tulsa := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	_, offSecret := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, reno.ID)
	otherOff, otherSecret := e.createUser("tom.officer", "Tom Officer", haven.RoleOfficer, tulsa.ID)
	analyst, anSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	hot, _ := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	r1 := e.createReport(&haven.Report{State: "NV", AgencyID: reno.ID, Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147"}}})
	r2 := e.createReport(&haven.Report{State: "NV", AgencyID: reno.ID, Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147"}}})

	officer := e.signedIn("olivia.officer", offSecret)
	other := e.signedIn("tom.officer", otherSecret)
	ana := e.signedIn("ana.analyst", anSecret)
	otherTok, _ := e.svc.CreateToken(ctx, sys, otherOff.ID, "other")
	anTok, _ := e.svc.CreateToken(ctx, sys, analyst.ID, "analyst")
	hotTok, _ := e.svc.CreateToken(ctx, sys, hot.ID, "hotline")

	// The officer asks, by page.
	r := officer.post("/analysis", url.Values{"case_number": {"RPD-2026-0147"}, "question": {"Which reports share this phone number?"},
		"urgency": {"priority"}, "report_ids": {itoa(r1.ID) + ", " + strings.ToLower(r2.Ref)}})
	if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/analysis/") {
		t.Fatalf("new request: %d %s", r.StatusCode, r.Header.Get("Location"))
	}
	reqPath := strings.SplitN(r.Header.Get("Location"), "?", 2)[0]
	reqID, _ := strconv.ParseInt(strings.TrimPrefix(reqPath, "/analysis/"), 10, 64)

	t.Run("a bad request is refused with the field at fault and nothing is stored", func(t *testing.T) {
		r := officer.post("/analysis", url.Values{"case_number": {""}, "question": {"x"}, "urgency": {"routine"}})
		expectStatus(t, r, http.StatusUnprocessableEntity)
		if !strings.Contains(r.Body, `href="#case_number"`) {
			t.Errorf("the error does not point at the case number")
		}
		var n int
		e.store.View(ctx, func(tx haven.Tx) (err error) {
			n, err = tx.CountAnalysisRequests(ctx, haven.AnalysisRequestFilter{Scope: haven.Scope{All: true}})
			return err
		})
		if n != 1 {
			t.Errorf("%d requests stored, want 1", n)
		}
	})

	// The analyst takes it and answers with a link chart of the reports.
	expectStatus(t, ana.post(reqPath+"/claim", url.Values{}), http.StatusSeeOther)
	code, b := call("POST", "/api/v1/analysis-requests/"+itoa(reqID)+"/products", anTok,
		`{"kind":"link_chart","title":"Reports sharing 202-555-0147","body":"Both reports name the same number.","report_ids":[`+itoa(r1.ID)+`,`+itoa(r2.ID)+`]}`, nil)
	if code != http.StatusCreated {
		t.Fatalf("create product: %d %s", code, b)
	}
	var prod struct {
		ID       int64 `json:"id"`
		Version  int   `json:"version"`
		Snapshot haven.ProductSnapshot
	}
	json.Unmarshal(b, &prod)
	if len(prod.Snapshot.Nodes) != 2 || len(prod.Snapshot.Links) != 1 || prod.Version != 1 {
		t.Errorf("the chart's snapshot: %s", b)
	}
	r = ana.post(reqPath+"/products", url.Values{"kind": {"narrative"}, "title": {"Assessment"}, "body": {"The number links two reports (synthetic)."}})
	expectStatus(t, r, http.StatusSeeOther)
	prodPath := "/analysis/products/" + itoa(prod.ID)

	t.Run("the officer sees the request, its products and the chart", func(t *testing.T) {
		r := officer.get(reqPath)
		expectStatus(t, r, http.StatusOK)
		for _, want := range []string{"RPD-2026-0147", "Reports sharing 202-555-0147", "Assessment", "Answered"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("request page lacks %q", want)
			}
		}
		r = officer.get(prodPath)
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, `id="product-graph"`) || !strings.Contains(r.Body, r1.Ref) || strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") {
			t.Errorf("product page: no graph or report ref, or inline script/style")
		}
		if !strings.Contains(officer.get("/analysis").Body, "RPD-2026-0147") {
			t.Errorf("the officer's list lacks their request")
		}
	})

	t.Run("the PDF carries the downloader's name and the time, and the download is audited", func(t *testing.T) {
		r := officer.get(prodPath + ".pdf")
		expectStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); ct != "application/pdf" {
			t.Fatalf("Content-Type %q", ct)
		}
		text := pdfText([]byte(r.Body))
		when := e.clock.Now().UTC().Format("2006-01-02 15:04:05")
		for _, want := range []string{"LAW ENFORCEMENT SENSITIVE", "Prepared for Olivia Officer (olivia.officer)", "downloaded " + when + " UTC", r1.Ref} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q; text:\n%s", want, text)
			}
		}
		code, b := call("GET", "/api/v1/products/"+itoa(prod.ID)+"/pdf", anTok, "", nil)
		if code != 200 || !strings.Contains(pdfText(b), "Prepared for Ana Analyst (ana.analyst)") {
			t.Errorf("API PDF: %d, watermark missing", code)
		}
		es := e.auditEvents(haven.AuditFilter{Action: "analytical_product.export", Outcome: haven.OutcomeOK})
		if len(es) != 2 {
			t.Errorf("%d exports audited, want 2", len(es))
		}
	})

	t.Run("another agency's officer, a hotline specialist and guessed ids get not found, audited", func(t *testing.T) {
		before := len(e.auditEvents(haven.AuditFilter{Outcome: haven.OutcomeDenied}))
		for _, path := range []string{reqPath, prodPath, prodPath + ".pdf", "/analysis/" + itoa(reqID+1000), "/analysis/products/" + itoa(prod.ID+1000)} {
			if r := other.get(path); r.StatusCode != http.StatusNotFound {
				t.Errorf("other agency's officer GET %s: %d, want 404", path, r.StatusCode)
			}
		}
		if r := other.post(reqPath+"/close", url.Values{}); r.StatusCode != http.StatusNotFound {
			t.Errorf("other agency's officer closing: %d, want 404", r.StatusCode)
		}
		for _, tok := range []string{otherTok, hotTok} {
			for _, path := range []string{"/api/v1/analysis-requests/" + itoa(reqID), "/api/v1/products/" + itoa(prod.ID),
				"/api/v1/products/" + itoa(prod.ID) + "/pdf", "/api/v1/analysis-requests/" + itoa(reqID+1000)} {
				if code, b := call("GET", path, tok, "", nil); code != http.StatusNotFound {
					t.Errorf("GET %s: %d %s, want 404", path, code, b)
				}
			}
		}
		if code, _ := call("POST", "/api/v1/analysis-requests/"+itoa(reqID)+"/products", otherTok, `{"kind":"narrative","title":"x","body":"y"}`, nil); code != http.StatusForbidden {
			t.Errorf("an officer making a product: %d, want 403", code)
		}
		after := len(e.auditEvents(haven.AuditFilter{Outcome: haven.OutcomeDenied}))
		if after-before < 15 {
			t.Errorf("%d refusals audited, want at least 15", after-before)
		}
	})

	t.Run("lists show neither other agencies' requests nor their number", func(t *testing.T) {
		r := other.get("/analysis")
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "RPD-2026-0147") || !strings.Contains(r.Body, `id="no-requests"`) {
			t.Errorf("the other agency's officer sees the request or a count")
		}
		var list struct {
			Requests []struct{ ID int64 } `json:"requests"`
			Total    int                  `json:"total"`
		}
		code, b := call("GET", "/api/v1/analysis-requests", otherTok, "", nil)
		json.Unmarshal(b, &list)
		if code != 200 || list.Total != 0 || len(list.Requests) != 0 {
			t.Errorf("other agency's API list: %d %s", code, b)
		}
		code, b = call("GET", "/api/v1/analysis-requests", anTok, "", nil)
		json.Unmarshal(b, &list)
		if code != 200 || list.Total != 1 {
			t.Errorf("analyst's API list: %d %s", code, b)
		}
		if code, _ := call("GET", "/api/v1/analysis-requests", hotTok, "", nil); code != http.StatusForbidden {
			t.Errorf("hotline list: %d, want 403", code)
		}
		if r := e.signedInAs(t, "hana2", haven.RoleHotline).get("/analysis"); r.StatusCode != http.StatusForbidden {
			t.Errorf("hotline page: %d, want 403", r.StatusCode)
		}
	})

	t.Run("an officer files a request by API for their own agency only", func(t *testing.T) {
		code, b := call("POST", "/api/v1/analysis-requests", otherTok, `{"case_number":"TPD-9","question":"Who is behind the ads?","urgency":"immediate"}`, nil)
		var got struct {
			AgencyID int64  `json:"agency_id"`
			Status   string `json:"status"`
		}
		json.Unmarshal(b, &got)
		if code != http.StatusCreated || got.AgencyID != tulsa.ID || got.Status != "open" {
			t.Errorf("create: %d %s", code, b)
		}
		if code, _ := call("POST", "/api/v1/analysis-requests", otherTok, `{"case_number":"","question":"x"}`, nil); code != http.StatusBadRequest {
			t.Errorf("empty case number: %d", code)
		}
		if code, _ := call("POST", "/api/v1/analysis-requests", anTok, `{"case_number":"X","question":"x"}`, nil); code != http.StatusForbidden {
			t.Errorf("an analyst filing a request: %d", code)
		}
		// Reports of another agency are named as if they did not exist.
		code, b = call("POST", "/api/v1/analysis-requests", otherTok, `{"case_number":"TPD-10","question":"Same number?","report_refs":["`+r1.Ref+`"]}`, nil)
		if code != http.StatusBadRequest || !strings.Contains(string(b), "report_ids") {
			t.Errorf("a Tulsa officer naming a Reno report: %d %s", code, b)
		}
	})

	t.Run("a supervisor gives the request to another analyst; an analyst may not", func(t *testing.T) {
		ben, _ := e.createUser("ben.analyst", "Ben Analyst", haven.RoleAnalyst, 0)
		sup := e.signedInAs(t, "sue.supervisor", haven.RoleSupervisor)
		if r := sup.get(reqPath); !strings.Contains(r.Body, `id="assign-form"`) {
			t.Errorf("the supervisor's page has no assign form")
		}
		if r := ana.get(reqPath); strings.Contains(r.Body, `id="assign-form"`) {
			t.Errorf("the analyst's page offers to assign")
		}
		expectRedirect(t, sup.post(reqPath+"/assign", url.Values{"analyst_id": {itoa(ben.ID)}}), reqPath+"?done=assigned")
		if code, _ := call("POST", "/api/v1/analysis-requests/"+itoa(reqID)+"/assign", anTok, `{"analyst_id":`+itoa(analyst.ID)+`}`, nil); code != http.StatusForbidden {
			t.Errorf("an analyst assigning: %d, want 403", code)
		}
		expectRedirect(t, sup.post(reqPath+"/assign", url.Values{"analyst_id": {itoa(hot.ID)}}), reqPath+"?problem=analyst")
		supUser := officerUser(t, e, "sue.supervisor")
		supTok, _ := e.svc.CreateToken(ctx, sys, supUser, "sup")
		if code, b := call("POST", "/api/v1/analysis-requests/"+itoa(reqID)+"/assign", supTok, `{"analyst_id":`+itoa(analyst.ID)+`}`, nil); code != http.StatusOK || !strings.Contains(string(b), `"analyst_name": "Ana Analyst"`) {
			t.Errorf("the supervisor assigning by API: %d %s", code, b)
		}
	})

	t.Run("claim and close by API: the same rules as the pages", func(t *testing.T) {
		path := "/api/v1/analysis-requests/" + itoa(reqID)
		if code, b := call("POST", path+"/claim", anTok, "", nil); code != http.StatusOK || !strings.Contains(string(b), `"analyst_name": "Ana Analyst"`) {
			t.Errorf("the analyst claiming their own request again: %d %s", code, b)
		}
		if code, _ := call("POST", path+"/close", otherTok, "", nil); code != http.StatusNotFound {
			t.Errorf("another agency's officer closing: %d, want 404", code)
		}
		offTok, _ := e.svc.CreateToken(ctx, sys, officerUser(t, e, "olivia.officer"), "case system")
		if code, b := call("POST", path+"/close", offTok, "", nil); code != http.StatusOK || !strings.Contains(string(b), `"status": "closed"`) {
			t.Errorf("the requesting officer closing: %d %s", code, b)
		}
		if code, _ := call("POST", path+"/products", anTok, `{"kind":"narrative","title":"Late","body":"Too late."}`, nil); code != http.StatusConflict {
			t.Errorf("a product for a closed request: %d, want 409", code)
		}
	})
}

// signedInAs creates a user of role and signs them in.
func (e *testEnv) signedInAs(t *testing.T, name string, role haven.Role) *client {
	t.Helper()
	_, secret := e.createUser(name, name, role, 0)
	return e.signedIn(name, secret)
}

// officerUser returns the id of the user called name.
func officerUser(t *testing.T, e *testEnv, name string) int64 {
	t.Helper()
	var id int64
	e.store.View(context.Background(), func(tx haven.Tx) error {
		u, err := tx.UserByUsername(context.Background(), name)
		if err == nil {
			id = u.ID
		}
		return err
	})
	return id
}
