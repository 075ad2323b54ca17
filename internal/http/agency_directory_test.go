package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// upload sends a directory file to the import form as a browser would.
func (c *client) upload(path, file string, dryRun bool) *response {
	c.e.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "directory.csv")
	io.WriteString(fw, file)
	if dryRun {
		mw.WriteField("dry_run", "1")
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.URL+path, &b)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: c.cookie})
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(body)}
}

func TestAgencyPagesEditDeactivateImportAndExport(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	sheriff := &haven.Agency{Name: "Example County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal,
		State: "TX", Counties: []string{"48453"}, ZIPs: []string{"78701"}, Phone24x7: "512-555-0140",
		Contacts: []haven.AgencyContact{{Name: "Sam Rivera", Title: "Lieutenant", Phone: "512-555-0141"}}}
	if err := e.svc.CreateAgency(ctx, sys, sheriff); err != nil {
		t.Fatal(err)
	}
	_, adminSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	admin := e.signedIn("ada.admin", adminSecret)
	analyst := e.signedIn("ana.analyst", anaSecret)
	page := "/agencies/" + itoa(sheriff.ID)

	t.Run("the agency page names the jurisdiction, the contacts and the 24/7 line", func(t *testing.T) {
		r := analyst.get(page)
		expectStatus(t, r, http.StatusOK)
		for _, w := range []string{"<li>Travis County, Texas</li>", "<li>78701 (Austin, TX)</li>", `<a href="tel:512-555-0140">512-555-0140</a>`,
			"Sam Rivera, Lieutenant"} {
			if !strings.Contains(r.Body, w) {
				t.Errorf("the page lacks %s:\n%s", w, r.Body)
			}
		}
		if strings.Contains(r.Body, "edit-agency") || strings.Contains(r.Body, "deactivate-agency") {
			t.Error("the analyst is offered edit or deactivate")
		}
		if m := inlineCode.FindString(r.Body); m != "" {
			t.Errorf("inline code: %q", m)
		}
		if rows := agencyRows(analyst.get("/agencies?state=TX&county=48453").Body); strings.Join(rows, "|") != "Example County Sheriff" {
			t.Errorf("county filter: %q", rows)
		}
		if rows := agencyRows(analyst.get("/agencies?state=TX&county=48201").Body); len(rows) != 0 {
			t.Errorf("another county lists the sheriff: %q", rows)
		}
	})

	t.Run("a non-administrator may not edit, deactivate or import; each refusal is audited and nothing changes", func(t *testing.T) {
		expectStatus(t, analyst.get(page+"/edit"), http.StatusForbidden)
		expectStatus(t, analyst.post(page, url.Values{"name": {"Renamed"}, "kind": {"law_enforcement"}, "level": {"local"}, "phone": {"512-555-0149"}}), http.StatusForbidden)
		expectStatus(t, analyst.post(page+"/deactivate", url.Values{}), http.StatusForbidden)
		expectStatus(t, analyst.get("/agencies/import"), http.StatusForbidden)
		expectStatus(t, analyst.upload("/agencies/import", "name\nSneaky\n", false), http.StatusForbidden)
		got, _ := e.svc.Agency(ctx, sys, sheriff.ID)
		if got.Name != sheriff.Name || got.Inactive {
			t.Fatalf("the analyst changed the agency: %+v", got)
		}
		expectDenied(t, e, "ana.analyst", "agency.update", 4) // the form, the save, the import page, the upload
		expectDenied(t, e, "ana.analyst", "agency.deactivate", 1)
	})

	t.Run("an administrator edits the jurisdiction and contacts; a bad county is named and nothing changes", func(t *testing.T) {
		r := admin.get(page + "/edit")
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "TX:Travis County</textarea>") || !strings.Contains(r.Body, `value="Sam Rivera"`) {
			t.Fatalf("the edit form does not show the agency:\n%s", r.Body)
		}
		form := url.Values{"name": {"Example County Sheriff"}, "kind": {"law_enforcement"}, "level": {"local"}, "state": {"TX"},
			"counties": {"TX:Travis County\nTX:Atlantis"}, "zips": {"78701, 78702"}, "phone": {"512-555-0140"},
			"contact_name": {"Sam Rivera", "Ana Cole"}, "contact_title": {"Lieutenant", ""}, "contact_phone": {"512-555-0141", ""},
			"contact_email": {"", "ana@example.com"}}
		r = admin.post(page, form)
		expectStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.Body, `id="counties-error"`) || !strings.Contains(r.Body, "&#34;TX:Atlantis&#34; is not a known county") {
			t.Fatalf("the bad county is not named at its field:\n%s", r.Body)
		}
		if got, _ := e.svc.Agency(ctx, sys, sheriff.ID); len(got.ZIPs) != 1 || len(got.Contacts) != 1 {
			t.Fatalf("a refused edit changed the agency: %+v", got)
		}
		form.Set("counties", "TX:Travis County\n48491")
		r = admin.post(page, form)
		expectRedirect(t, r, page+"?saved=1")
		got, _ := e.svc.Agency(ctx, sys, sheriff.ID)
		if strings.Join(got.Counties, ",") != "48453,48491" || strings.Join(got.ZIPs, ",") != "78701,78702" || len(got.Contacts) != 2 {
			t.Fatalf("saved as %+v", got)
		}
		if ev := e.auditEvents(haven.AuditFilter{Actor: "ada.admin", Action: "agency.update", Outcome: haven.OutcomeOK}); len(ev) != 1 ||
			!strings.Contains(ev[0].Detail, "counties, zips, contacts") {
			t.Errorf("the edit's audit: %+v", ev)
		}
	})

	t.Run("an administrator deactivates an agency; it stays listed but is not suggested", func(t *testing.T) {
		expectRedirect(t, admin.post(page+"/deactivate", url.Values{}), page)
		r := admin.get(page)
		if !strings.Contains(r.Body, `id="agency-inactive"`) || !strings.Contains(r.Body, "reactivate-agency") {
			t.Errorf("the page does not show the deactivation:\n%s", r.Body)
		}
		if rows := agencyRows(admin.get("/agencies?status=inactive").Body); strings.Join(rows, "|") != "Example County Sheriff" {
			t.Errorf("inactive filter: %q", rows)
		}
		cov, err := e.svc.AgenciesCovering(ctx, sys, haven.CoverageQuery{State: "TX", CountyFIPS: "48453"})
		if err != nil || len(cov) != 0 {
			t.Errorf("the deactivated agency is suggested: %v %v", cov, err)
		}
		expectRedirect(t, admin.post(page+"/reactivate", url.Values{}), page)
		if ev := e.auditEvents(haven.AuditFilter{Action: "agency.", Outcome: haven.OutcomeOK, Actor: "ada.admin"}); len(ev) != 3 {
			t.Errorf("audited %d changes, want 3 (update, deactivate, reactivate)", len(ev))
		}
	})

	t.Run("the export downloads, a dry run of an edited copy changes nothing, and the import lands it", func(t *testing.T) {
		r := analyst.get("/agencies/export.csv")
		expectStatus(t, r, http.StatusOK)
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/csv") || !strings.Contains(r.Header.Get("Content-Disposition"), "agencies.csv") {
			t.Fatalf("export headers: %v", r.Header)
		}
		if !strings.Contains(r.Body, "Example County Sheriff,law_enforcement,local,TX,,TX:Travis County;TX:Williamson County,78701;78702,512-555-0140") {
			t.Fatalf("export:\n%s", r.Body)
		}
		edited := strings.Replace(r.Body, "512-555-0140", "512-555-0148", 1)
		res := admin.upload("/agencies/import", edited, true)
		expectStatus(t, res, http.StatusOK)
		if !strings.Contains(res.Body, "Checked: nothing was written.") || !strings.Contains(res.Body, "<li>Example County Sheriff: phone_24x7</li>") {
			t.Fatalf("dry run page:\n%s", res.Body)
		}
		if got, _ := e.svc.Agency(ctx, sys, sheriff.ID); got.Phone24x7 != "512-555-0140" {
			t.Fatal("the dry run changed the agency")
		}
		bad := edited + "Example Clinic,service_provider,private,TX,,,00000,512-555-0181,,,,yes,,,,,,,,\n"
		res = admin.upload("/agencies/import", bad, false)
		expectStatus(t, res, http.StatusBadRequest)
		if !strings.Contains(res.Body, "<td>3</td><td>Example Clinic</td><td>zips</td>") {
			t.Fatalf("the bad row is not listed with its line:\n%s", res.Body)
		}
		if got, _ := e.svc.Agency(ctx, sys, sheriff.ID); got.Phone24x7 != "512-555-0140" {
			t.Fatal("a file with a bad row changed the agency")
		}
		res = admin.upload("/agencies/import", edited, false)
		expectStatus(t, res, http.StatusOK)
		if got, _ := e.svc.Agency(ctx, sys, sheriff.ID); got.Phone24x7 != "512-555-0148" {
			t.Fatalf("the import did not land: %s", res.Body)
		}
	})
}

func TestAgencyAPIMatchesItsDescriptionAndOnlyAdministratorsWrite(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	adminUser, _ := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	analystUser, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	atok, _ := e.svc.CreateToken(ctx, sys, adminUser.ID, "directory sync")
	ntok, _ := e.svc.CreateToken(ctx, sys, analystUser.ID, "reader")
	call := specCaller(t, e, v)

	body := `{"name":"Example Nation Police","kind":"law_enforcement","level":"tribal","state":"AZ","counties":["04001","NM:San Juan County"],"zips":["86515-1234"],"phone_24x7":"928-555-0150","contacts":[{"name":"Ana Cole","title":"Chief","email":"ana@example.com"}]}`
	if code, b := call("POST", "/api/v1/agencies", ntok, body, nil); code != 403 {
		t.Fatalf("an analyst added an agency: %d %s", code, b)
	}
	code, b := call("POST", "/api/v1/agencies", atok, body, map[string]string{"Idempotency-Key": "sync-0001"})
	if code != 201 {
		t.Fatalf("create: %d %s", code, b)
	}
	var created struct {
		ID       int64    `json:"id"`
		Counties []string `json:"counties"`
		ZIPs     []string `json:"zips"`
		Active   bool     `json:"active"`
	}
	json.Unmarshal(b, &created)
	if strings.Join(created.Counties, ",") != "04001,35045" || strings.Join(created.ZIPs, ",") != "86515" || !created.Active {
		t.Errorf("created: %s", b)
	}
	code, b = call("POST", "/api/v1/agencies", atok, body, map[string]string{"Idempotency-Key": "sync-0001"})
	var again struct{ ID int64 }
	json.Unmarshal(b, &again)
	if code != 200 || again.ID != created.ID {
		t.Errorf("retry: %d %s", code, b)
	}
	if code, b := call("POST", "/api/v1/agencies", atok, strings.Replace(body, `"04001"`, `"99999"`, 1), nil); code != 400 || !strings.Contains(string(b), `"field": "counties"`) || !strings.Contains(string(b), "99999") {
		t.Errorf("a bad county: %d %s", code, b)
	}
	id := itoa(created.ID)
	if code, _ := call("GET", "/api/v1/agencies?level=tribal&state=NM", ntok, "", nil); code != 200 {
		t.Errorf("list: %d", code)
	}
	if code, _ := call("GET", "/api/v1/agencies?county=35045&status=active&q=nation&limit=5", ntok, "", nil); code != 200 {
		t.Errorf("list by county: %d", code)
	}
	if code, _ := call("GET", "/api/v1/agencies?kind=militia", ntok, "", nil); code != 400 {
		t.Errorf("a bad kind: %d", code)
	}
	if code, _ := call("GET", "/api/v1/agencies/"+id, ntok, "", nil); code != 200 {
		t.Errorf("get: %d", code)
	}
	if code, _ := call("GET", "/api/v1/agencies/999999", ntok, "", nil); code != 404 {
		t.Errorf("a missing agency: %d", code)
	}
	if code, _ := call("PATCH", "/api/v1/agencies/"+id, ntok, `{"active":false}`, nil); code != 403 {
		t.Errorf("an analyst deactivated: %d", code)
	}
	if code, b := call("PATCH", "/api/v1/agencies/"+id, atok, `{"active":false}`, nil); code != 200 || !strings.Contains(string(b), `"active": false`) {
		t.Errorf("deactivate: %d %s", code, b)
	}
	put := `{"name":"Example Nation Police","kind":"law_enforcement","level":"tribal","state":"AZ","counties":["04001"],"phone_24x7":"928-555-0151"}`
	if code, b := call("PUT", "/api/v1/agencies/"+id, atok, put, nil); code != 200 || !strings.Contains(string(b), `"zips": []`) || !strings.Contains(string(b), `"active": true`) {
		t.Errorf("put: %d %s", code, b)
	}
	if code, _ := call("PUT", "/api/v1/agencies/"+id, ntok, put, nil); code != 403 {
		t.Errorf("an analyst replaced: %d", code)
	}
	expectDenied(t, e, "ana.analyst", "agency.create", 1)
	expectDenied(t, e, "ana.analyst", "agency.update", 2)
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ada.admin", Action: "agency.", Outcome: haven.OutcomeOK})); n != 3 {
		t.Errorf("%d audited changes by the administrator, want 3 (create, deactivate, update)", n)
	}
}
