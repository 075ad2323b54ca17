package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// TestTheCaseAPIDoesWhatTheCasePageDoesWithTheSameAuthorisation drives every
// case endpoint through the real server, validating each request and
// response against openapi.json.
func TestTheCaseAPIDoesWhatTheCasePageDoesWithTheSameAuthorisation(t *testing.T) {
	_, v := loadSpec(t)
	ce := newCaseEnv(t)
	e := ce.e
	ctx := context.Background()
	call := specCaller(t, e, v)
	anTok, _ := e.svc.CreateToken(ctx, sys, ce.analystID, "analyst tool")
	suTok, _ := e.svc.CreateToken(ctx, sys, ce.superID, "supervisor tool")
	learner, _ := e.createUser("lee.learner", "Lee Learner", haven.RoleLearner, 0)
	leTok, _ := e.svc.CreateToken(ctx, sys, learner.ID, "x")

	var k struct {
		ID             int64   `json:"id"`
		Status         string  `json:"status"`
		Determination  string  `json:"determination"`
		Approved       bool    `json:"determination_approved"`
		AssignedTo     int64   `json:"assigned_to"`
		ReportIDs      []int64 `json:"report_ids"`
		Determinations []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"determinations"`
		Timeline []struct {
			Kind string `json:"kind"`
		} `json:"timeline"`
		Attachments []struct {
			ID int64 `json:"id"`
		} `json:"attachments"`
	}
	mustDo := func(want int, method, path, tok, body string) {
		t.Helper()
		code, b := call(method, path, tok, body, nil)
		if code != want {
			t.Fatalf("%s %s: %d, want %d: %s", method, path, code, want, b)
		}
		if code < 300 && strings.HasPrefix(string(b), "{") && !strings.Contains(path, "statistics") {
			if err := json.Unmarshal(b, &k); err != nil {
				t.Fatal(err)
			}
		}
	}
	mustDo(400, "POST", "/api/v1/cases", anTok, fmt.Sprintf(`{"report_id":%d}`, ce.report.ID))
	mustDo(403, "POST", "/api/v1/cases", leTok, fmt.Sprintf(`{"report_id":%d,"mention_id":%d}`, ce.report.ID, ce.report.People[0].ID))
	mustDo(201, "POST", "/api/v1/cases", anTok, fmt.Sprintf(`{"report_id":%d,"mention_id":%d}`, ce.report.ID, ce.report.People[0].ID))
	base := fmt.Sprintf("/api/v1/cases/%d", k.ID)
	mustDo(200, "GET", base+"?reason=review", anTok, "")
	mustDo(404, "GET", base, leTok, "")
	mustDo(200, "GET", "/api/v1/cases?status=open&assignee=me", anTok, "")
	mustDo(400, "GET", "/api/v1/cases?status=lost", anTok, "")
	mustDo(200, "POST", base+"/assignee", anTok, fmt.Sprintf(`{"user_id":%d}`, ce.analystID))
	mustDo(200, "POST", base+"/notes", anTok, `{"body":"Spoke with the school counsellor.","shareable":true}`)
	mustDo(200, "POST", base+"/tasks", anTok, fmt.Sprintf(`{"title":"Call the placement","owner_id":%d,"due_at":"2030-01-01T12:00:00Z"}`, ce.analystID))
	mustDo(200, "POST", base+"/tasks/1", anTok, `{"done":true}`)
	mustDo(400, "POST", base+"/status", anTok, `{"status":"closed"}`)
	mustDo(200, "POST", base+"/status", anTok, `{"status":"active","reason":"work started"}`)
	mustDo(400, "POST", base+"/determinations", anTok, `{"determination":"yes","rationale":"r","indicators":[]}`)
	mustDo(200, "POST", base+"/determinations", anTok, `{"determination":"yes","rationale":"An older partner speaks for her.","indicators":["older_partner"]}`)
	det := k.Determinations[0].ID
	mustDo(200, "GET", "/api/v1/case-statistics/determinations?state=OK", suTok, "")
	mustDo(403, "POST", fmt.Sprintf("%s/determinations/%d/approve", base, det), anTok, `{}`)
	mustDo(200, "POST", fmt.Sprintf("%s/determinations/%d/approve", base, det), suTok, `{}`)
	if !k.Approved || k.Determination != "yes" || k.Timeline[len(k.Timeline)-1].Kind != "determination_approved" {
		t.Errorf("after approval: %+v", k)
	}
	code, b := call("GET", "/api/v1/case-statistics/determinations?state=OK", suTok, "", nil)
	if code != 200 || !strings.Contains(string(b), `"yes": 1`) && !strings.Contains(string(b), `"yes":1`) {
		t.Errorf("statistics after approval: %d %s", code, b)
	}
	att := k.Attachments[0].ID
	if code, _ := call("GET", fmt.Sprintf("%s/attachments/%d", base, att), anTok, "", nil); code != 400 {
		t.Errorf("a file without a reason: %d, want 400", code)
	}
	if code, b := call("GET", fmt.Sprintf("%s/attachments/%d?reason=identify+the+child", base, att), anTok, "", nil); code != 200 || string(b) != string(benignPNG(t)) {
		t.Errorf("a file with a reason: %d", code)
	}
	// A second case about the same child, merged and split again.
	r2 := e.createReport(&haven.Report{Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}}})
	var first = k.ID
	mustDo(201, "POST", "/api/v1/cases", anTok, fmt.Sprintf(`{"report_id":%d,"child_id":%d}`, r2.ID, mustChildOf(t, e, first)))
	second := k.ID
	mustDo(403, "POST", fmt.Sprintf("/api/v1/cases/%d/merge", first), anTok, fmt.Sprintf(`{"absorbed_id":%d,"reason":"same"}`, second))
	mustDo(200, "POST", fmt.Sprintf("/api/v1/cases/%d/merge", first), suTok, fmt.Sprintf(`{"absorbed_id":%d,"reason":"Both about Ava."}`, second))
	mustDo(409, "POST", fmt.Sprintf("/api/v1/cases/%d/notes", second), suTok, `{"body":"x"}`)
	mustDo(200, "POST", fmt.Sprintf("/api/v1/cases/%d/split", second), suTok, `{"reason":"Two different girls."}`)
	if k.ID != second || len(k.ReportIDs) != 1 {
		t.Errorf("split case: %+v", k)
	}
	mustDo(200, "POST", fmt.Sprintf("/api/v1/cases/%d/reports", second), suTok, fmt.Sprintf(`{"ref":%q}`, ce.report.Ref))
	mustDo(200, "POST", fmt.Sprintf("/api/v1/cases/%d/determinations", second), suTok, `{"determination":"undetermined","rationale":"Too little known."}`)
	own := k.Determinations[0].ID
	mustDo(403, "POST", fmt.Sprintf("/api/v1/cases/%d/determinations/%d/return", second, own), anTok, `{"reason":"say more"}`)
	mustDo(403, "POST", fmt.Sprintf("/api/v1/cases/%d/determinations/%d/approve", second, own), suTok, `{}`)
}

func mustChildOf(t *testing.T, e *testEnv, caseID int64) int64 {
	t.Helper()
	v, err := e.svc.CaseDetail(context.Background(), sys, caseID, "")
	if err != nil {
		t.Fatal(err)
	}
	return v.Case.ChildID
}
