package http_test

import (
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The queue through the JSON API, every request and answer checked against
// openapi.json: the same rules as the pages.
func TestAPIQueueClaimAssignAndDeadlines(t *testing.T) {
	e := newAPISpecEnv(t)
	now := e.clock.Now()
	due := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	ana, anaTok := e.token("analyst.rivera", haven.RoleAnalyst, 0)
	_, otherTok := e.token("analyst.chen", haven.RoleAnalyst, 0)
	_, supTok := e.token("supervisor.okafor", haven.RoleSupervisor, 0)
	_, hotTok := e.token("hotline.ade", haven.RoleHotline, 0)
	late := e.createReport(&haven.Report{Priority: haven.P1, DueAt: due(-time.Hour)})
	later := e.createReport(&haven.Report{Priority: haven.P3, DueAt: due(20 * time.Hour)})

	var q struct {
		Reports []struct {
			ID    int64      `json:"id"`
			DueAt *time.Time `json:"due_at"`
		} `json:"reports"`
		Total int `json:"total"`
	}
	code, body := e.call("GET", "/api/v1/queue", anaTok, "", nil)
	decode(t, body, &q)
	if code != http.StatusOK || q.Total != 2 || q.Reports[0].ID != late.ID || q.Reports[1].ID != later.ID || q.Reports[0].DueAt == nil {
		t.Fatalf("queue: %d %s", code, body)
	}
	// Claim, and again (a retry): both 200, one assignee.
	for range 2 {
		code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/claim", late.ID), anaTok, "", nil)
		if code != http.StatusOK {
			t.Fatalf("claim: %d %s", code, body)
		}
	}
	var got struct {
		AssignedTo *int64 `json:"assigned_to"`
		Status     string `json:"status"`
	}
	decode(t, body, &got)
	if got.AssignedTo == nil || *got.AssignedTo != ana.ID || got.Status != "in_review" {
		t.Errorf("claimed report: %s", body)
	}
	if code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/claim", late.ID), otherTok, "", nil); code != http.StatusConflict {
		t.Errorf("a second analyst's claim: %d %s, want 409", code, body)
	}
	if code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/assign", later.ID), otherTok, fmt.Sprintf(`{"assignee_id": %d}`, ana.ID), nil); code != http.StatusForbidden {
		t.Errorf("an analyst assigning to someone else: %d %s, want 403", code, body)
	}
	if code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/assign", later.ID), supTok, `{"assignee_id": 0}`, nil); code != http.StatusBadRequest {
		t.Errorf("assignee 0: %d %s, want 400", code, body)
	}
	if code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/assign", later.ID), supTok, fmt.Sprintf(`{"assignee_id": %d}`, ana.ID), nil); code != http.StatusOK {
		t.Errorf("a supervisor assigns: %d %s", code, body)
	}
	if code, body = e.call("POST", fmt.Sprintf("/api/v1/reports/%d/assign", later.ID), supTok, `{"assignee_id": null}`, nil); code != http.StatusOK {
		t.Errorf("a supervisor releases by assigning null: %d %s", code, body)
	}
	// The deadline view: the late report was taken, so nothing is breached.
	var d struct {
		Breached []struct {
			ID int64 `json:"id"`
		} `json:"breached"`
	}
	code, body = e.call("GET", "/api/v1/deadlines", supTok, "", nil)
	decode(t, body, &d)
	if code != http.StatusOK || len(d.Breached) != 0 {
		t.Errorf("deadlines: %d %s", code, body)
	}
	if code, _ = e.call("GET", "/api/v1/deadlines", anaTok, "", nil); code != http.StatusForbidden {
		t.Errorf("an analyst's deadlines: %d, want 403", code)
	}
	if code, _ = e.call("GET", "/api/v1/queue", hotTok, "", nil); code != http.StatusForbidden {
		t.Errorf("a hotline specialist's queue: %d, want 403", code)
	}
	if code, _ = e.call("GET", "/api/v1/queue?view=everything", anaTok, "", nil); code != http.StatusBadRequest {
		t.Errorf("an unknown view: %d, want 400", code)
	}
}
