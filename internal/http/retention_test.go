package http_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// Legal holds over the JSON API, every call checked against openapi.json:
// a supervisor places a hold (a retry with the same Idempotency-Key places
// it once), lists it, and releases it; an analyst is refused.
func TestAPILegalHoldsArePlacedOnceListedAndReleased(t *testing.T) {
	e := newAPISpecEnv(t)
	_, supTok := e.token("supervisor.okafor", haven.RoleSupervisor, 0)
	_, anaTok := e.token("analyst.rivera", haven.RoleAnalyst, 0)
	rep := e.createReport(&haven.Report{Narrative: "Synthetic report kept for a court order."})

	body := fmt.Sprintf(`{"kind":"report","target_id":%d,"reason":"Preservation for a federal case","reference":"Order 26-0147 (fictional)"}`, rep.ID)
	key := map[string]string{"Idempotency-Key": "hold-0147"}
	code, b := e.call("POST", "/api/v1/legal-holds", supTok, body, key)
	if code != http.StatusCreated {
		t.Fatalf("place: %d %s", code, b)
	}
	var h struct {
		ID   int64 `json:"id"`
		Open bool  `json:"open"`
	}
	json.Unmarshal(b, &h)
	code, b = e.call("POST", "/api/v1/legal-holds", supTok, body, key)
	var again struct{ ID int64 }
	json.Unmarshal(b, &again)
	if code != http.StatusOK || again.ID != h.ID {
		t.Fatalf("retry: %d %s, want 200 with the first hold", code, b)
	}
	if code, b := e.call("POST", "/api/v1/legal-holds", supTok, fmt.Sprintf(`{"kind":"report","target_id":%d}`, rep.ID), nil); code != http.StatusBadRequest || !strings.Contains(string(b), "reason") {
		t.Fatalf("no reason: %d %s", code, b)
	}
	if code, _ := e.call("POST", "/api/v1/legal-holds", anaTok, body, nil); code != http.StatusForbidden {
		t.Fatalf("analyst placing a hold: %d, want 403", code)
	}
	code, b = e.call("GET", "/api/v1/legal-holds?open=true", supTok, "", nil)
	var list struct {
		Holds []struct{ ID int64 } `json:"holds"`
	}
	json.Unmarshal(b, &list)
	if code != http.StatusOK || len(list.Holds) != 1 || list.Holds[0].ID != h.ID {
		t.Fatalf("open holds: %d %s, want the one hold", code, b)
	}
	path := fmt.Sprintf("/api/v1/legal-holds/%d/release", h.ID)
	if code, b := e.call("POST", path, supTok, `{"reason":"Order lifted"}`, nil); code != http.StatusOK || !strings.Contains(string(b), `"open": false`) {
		t.Fatalf("release: %d %s", code, b)
	}
	if code, _ := e.call("POST", path, supTok, `{"reason":"again"}`, nil); code != http.StatusConflict {
		t.Fatalf("second release: %d, want 409", code)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "legal_hold.place", Outcome: haven.OutcomeOK})); n != 1 {
		t.Fatalf("%d legal_hold.place events, want 1", n)
	}
}

// The administrator's pages: the retention policy refuses less than a
// year for ESP reports with the reason on the page, and a hold placed from
// the holds page shows on the report's page.
func TestRetentionAndLegalHoldPages(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("admin.lee", "Admin Lee", haven.RoleAdmin, 0)
	_, supSecret := e.createUser("sup.okafor", "Sup Okafor", haven.RoleSupervisor, 0)
	admin := e.signedIn("admin.lee", secret)
	page := admin.get("/admin/retention")
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `id="retention-esp"`) || !strings.Contains(page.Body, "2557") {
		t.Fatalf("retention page lacks the ESP rule or the default")
	}
	bad := admin.post("/admin/retention", url.Values{"channel": {"esp"}, "days": {"200"}})
	expectStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, "REPORT Act of 2024") || !strings.Contains(bad.Body, `aria-invalid="true"`) {
		t.Fatalf("refused policy page does not say why")
	}
	expectRedirect(t, admin.post("/admin/retention", url.Values{"channel": {"esp"}, "days": {"400"}}), "/admin/retention?saved=1")
	if p := admin.get("/admin/retention"); !strings.Contains(p.Body, ">400<") {
		t.Fatalf("the saved policy is not shown")
	}

	rep := e.createReport(&haven.Report{Narrative: "Synthetic report for a hold."})
	sup := e.signedIn("sup.okafor", supSecret)
	expectStatus(t, sup.get("/admin/retention"), http.StatusForbidden)
	expectRedirect(t, sup.post("/admin/legal-holds", url.Values{"kind": {"report"}, "target_id": {fmt.Sprint(rep.ID)},
		"reason": {"Court order"}, "reference": {"Order 26-0147 (fictional)"}}), "/admin/legal-holds")
	holds := sup.get("/admin/legal-holds")
	if !strings.Contains(holds.Body, "Order 26-0147 (fictional)") {
		t.Fatalf("the hold is not listed")
	}
	rp := sup.get(fmt.Sprintf("/reports/%d", rep.ID))
	if !strings.Contains(rp.Body, `id="report-holds"`) || !strings.Contains(rp.Body, "Order 26-0147 (fictional)") {
		t.Fatalf("the report page does not show its hold")
	}
	noReason := sup.post("/admin/legal-holds", url.Values{"kind": {"report"}, "target_id": {fmt.Sprint(rep.ID)}})
	expectStatus(t, noReason, http.StatusBadRequest)
}
