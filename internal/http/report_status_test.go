package http_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// A supervisor closes a report from its page with a reason and an API
// client reopens it; a close without a reason is refused on the form.
func TestAReportIsClosedFromItsPageAndReopenedByAPI(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	call := specCaller(t, e, v)
	rep := e.createReport(&haven.Report{State: "NV"})
	sup := e.signedInAs(t, "sue.supervisor", haven.RoleSupervisor)
	path := reportPath(rep.ID)
	if r := sup.get(path); !strings.Contains(r.Body, `action="/reports/`+itoa(rep.ID)+`/close"`) {
		t.Fatalf("the supervisor's report page has no close form")
	}
	r := sup.post(path+"/close", url.Values{"reason": {""}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="status-reason-error"`) {
		t.Errorf("the refused close does not point at the reason")
	}
	expectRedirect(t, sup.post(path+"/close", url.Values{"reason": {"A duplicate of an earlier call; nothing more to do."}}), path+"?status=closed#report-status-form")
	page := sup.get(path + "?status=closed")
	if !strings.Contains(page.Body, `id="status-done"`) || !strings.Contains(page.Body, `action="/reports/`+itoa(rep.ID)+`/reopen"`) {
		t.Errorf("the closed report's page shows no confirmation or no reopen form")
	}
	u, _ := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	tok, _ := e.svc.CreateToken(context.Background(), sys, u.ID, "integration")
	if code, b := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/reopen", tok, `{"reason":"The caller rang again."}`, nil); code != http.StatusOK || !strings.Contains(string(b), `"status": "new"`) {
		t.Errorf("reopen by API: %d %s", code, b)
	}
	if code, _ := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/reopen", tok, `{"reason":"again"}`, nil); code != http.StatusConflict {
		t.Errorf("reopening an open report: %d, want 409", code)
	}
	if code, _ := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/close", tok, `{"reason":""}`, nil); code != http.StatusBadRequest {
		t.Errorf("closing by API without a reason: %d, want 400", code)
	}
}
