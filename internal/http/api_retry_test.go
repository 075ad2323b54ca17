package http_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// A client that lost an answer sends the request again with the same
// Idempotency-Key: opening a case, adding a note or a task, filing an
// analysis request and making a product each take effect once, the retry
// answers with the first result, and the key sent with another request is
// a conflict. Every call is checked against openapi.json.
func TestAPIRetriesOfCaseAndAnalysisRequestsTakeEffectOnce(t *testing.T) {
	e := newAPISpecEnv(t)
	ctx := context.Background()
	ag := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	_, anaTok := e.token("analyst.rivera", haven.RoleAnalyst, 0)
	_, offTok := e.token("officer.lane", haven.RoleOfficer, ag.ID)
	rep := e.createReport(&haven.Report{People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	full, err := e.svc.GetReport(ctx, sys, rep.ID, "test")
	if err != nil {
		t.Fatal(err)
	}

	// twice sends the same request twice with one key and returns both
	// answers' statuses and the second body.
	twice := func(path, token, body, key string) (int, int, []byte) {
		t.Helper()
		c1, _ := e.call("POST", path, token, body, map[string]string{"Idempotency-Key": key})
		c2, b2 := e.call("POST", path, token, body, map[string]string{"Idempotency-Key": key})
		return c1, c2, b2
	}
	var cs struct {
		ID    int64                `json:"id"`
		Notes []struct{ ID int64 } `json:"notes"`
		Tasks []struct{ ID int64 } `json:"tasks"`
	}
	c1, c2, body := twice("/api/v1/cases", anaTok, fmt.Sprintf(`{"report_id": %d, "mention_id": %d}`, rep.ID, full.People[0].ID), "open-case-1")
	decode(t, body, &cs)
	if c1 != http.StatusCreated || c2 != http.StatusOK || cs.ID == 0 {
		t.Fatalf("opening a case twice with one key: %d then %d %s", c1, c2, body)
	}
	var cases []*haven.Case
	e.store.View(ctx, func(tx haven.Tx) (err error) {
		cases, err = tx.ListCases(ctx, haven.CaseFilter{Scope: haven.ScopeFor(sys, haven.ActionView, haven.KindCase)})
		return err
	})
	if len(cases) != 1 {
		t.Errorf("%d cases after a retried open, want 1", len(cases))
	}
	// The analyst takes the case, to work on it.
	me, _ := e.svc.UserByUsername(ctx, sys, "analyst.rivera")
	if _, err := e.svc.AssignCase(ctx, sys, cs.ID, me.ID); err != nil {
		t.Fatal(err)
	}
	casePath := fmt.Sprintf("/api/v1/cases/%d", cs.ID)
	_, _, body = twice(casePath+"/notes", anaTok, `{"body": "Called the school (synthetic)."}`, "note-1")
	decode(t, body, &cs)
	_, _, body = twice(casePath+"/tasks", anaTok, `{"title": "Ask for a recent photo"}`, "task-1")
	decode(t, body, &cs)
	if len(cs.Notes) != 1 || len(cs.Tasks) != 1 {
		t.Errorf("after retried note and task: %d notes, %d tasks, want 1 and 1", len(cs.Notes), len(cs.Tasks))
	}
	if code, _ := e.call("POST", casePath+"/notes", anaTok, `{"body": "Another note."}`, map[string]string{"Idempotency-Key": "note-1"}); code != http.StatusConflict {
		t.Errorf("the note's key with another note: %d, want 409", code)
	}

	var q struct {
		ID int64 `json:"id"`
	}
	c1, c2, body = twice("/api/v1/analysis-requests", offTok, `{"case_number": "RPD-2026-0147", "question": "Who else uses this phone number? (synthetic)"}`, "req-1")
	decode(t, body, &q)
	if c1 != http.StatusCreated || c2 != http.StatusOK || q.ID == 0 {
		t.Fatalf("filing a request twice: %d then %d %s", c1, c2, body)
	}
	if _, total, _ := e.svc.ListAnalysisRequests(ctx, sys, haven.AnalysisRequestFilter{}); total != 1 {
		t.Errorf("%d analysis requests after a retry, want 1", total)
	}
	var p struct {
		ID      int64 `json:"id"`
		Version int   `json:"version"`
	}
	c1, c2, body = twice(fmt.Sprintf("/api/v1/analysis-requests/%d/products", q.ID), anaTok,
		`{"kind": "narrative", "title": "What the reports say", "body": "Two reports share the number (synthetic)."}`, "product-1")
	decode(t, body, &p)
	if c1 != http.StatusCreated || c2 != http.StatusOK || p.Version != 1 {
		t.Fatalf("making a product twice: %d then %d %s", c1, c2, body)
	}
	_, ps, err := e.svc.GetAnalysisRequest(ctx, sys, q.ID)
	if err != nil || len(ps) != 1 {
		t.Errorf("%d products after a retry (%v), want 1", len(ps), err)
	}
}
