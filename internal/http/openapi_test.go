package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
)

func loadSpec(t *testing.T) (libopenapi.Document, validator.Validator) {
	t.Helper()
	b, err := os.ReadFile("openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	doc, err := libopenapi.NewDocument(b)
	if err != nil {
		t.Fatalf("openapi.json does not parse: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("openapi.json is not valid OpenAPI: %s (%s)", e.Message, e.Reason)
		}
		t.FailNow()
	}
	return doc, v
}

func TestOpenAPIDescribesExactlyTheRegisteredAPIRoutes(t *testing.T) {
	doc, _ := loadSpec(t)
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatal(err)
	}
	if v := model.Model.Version; !strings.HasPrefix(v, "3.1") {
		t.Fatalf("OpenAPI version %q, want 3.1", v)
	}
	var described []string
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method := range item.GetOperations().FromOldest() {
			described = append(described, strings.ToUpper(method)+" "+path)
		}
	}
	srv := havenhttp.New(havenhttp.Options{Service: haven.NewService(nil, nil, nil, nil)})
	registered := srv.APIRoutes()
	slices.Sort(described)
	slices.Sort(registered)
	if !slices.Equal(described, registered) {
		t.Fatalf("openapi.json describes\n  %v\nbut the server registers\n  %v", described, registered)
	}
}

// TestAPIRequestsAndResponsesMatchTheOpenAPIDescription drives the real
// server through every API operation and its error answers, and validates
// each request and response against openapi.json.
func TestAPIRequestsAndResponsesMatchTheOpenAPIDescription(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	hot, _ := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	learner, _ := e.createUser("lee.learner", "Lee Learner", haven.RoleLearner, 0)
	tok, _ := e.svc.CreateToken(ctx, sys, hot.ID, "case system")
	ltok, _ := e.svc.CreateToken(ctx, sys, learner.ID, "x")

	call := specCaller(t, e, v)

	report := `{"incident_type":"child_sex_trafficking","narrative":"A caller saw a girl of about 15 at a truck stop with an older man who spoke for her.","city":"Tulsa","state":"OK","people":[{"role":"child","first_name":"Ava","age":15,"sex":"female"}],"identifiers":[{"kind":"phone","value":"+19185550142"}]}`
	if code, _ := call("GET", "/api/v1/openapi.json", "", "", nil); code != 200 {
		t.Errorf("openapi.json: %d", code)
	}
	if code, _ := call("GET", "/api/v1/me", tok, "", nil); code != 200 {
		t.Errorf("me: %d", code)
	}
	if code, _ := call("GET", "/api/v1/me", "hvn_nonsense", "", nil); code != 401 {
		t.Errorf("bad token: %d", code)
	}
	code, b := call("POST", "/api/v1/reports", tok, report, map[string]string{"Idempotency-Key": "call-2026-11-25-0001"})
	if code != 201 {
		t.Fatalf("create: %d %s", code, b)
	}
	var created struct {
		ID      int64  `json:"id"`
		Ref     string `json:"ref"`
		Channel string `json:"channel"`
		People  []struct {
			FirstName string `json:"first_name"`
		} `json:"people"`
	}
	json.Unmarshal(b, &created)
	if created.Channel != "api" || len(created.People) != 1 || created.People[0].FirstName != "Ava" {
		t.Errorf("created report: %s", b)
	}
	code, b = call("POST", "/api/v1/reports", tok, report, map[string]string{"Idempotency-Key": "call-2026-11-25-0001"})
	var again struct{ ID int64 }
	json.Unmarshal(b, &again)
	if code != 200 || again.ID != created.ID {
		t.Errorf("retry: %d, id %d, want 200 and id %d", code, again.ID, created.ID)
	}
	if code, _ := call("POST", "/api/v1/reports", tok, strings.Replace(report, "Tulsa", "Tucson", 1), map[string]string{"Idempotency-Key": "call-2026-11-25-0001"}); code != 409 {
		t.Errorf("same key, different report: %d", code)
	}
	code, b = call("POST", "/api/v1/reports", tok, `{"incident_type":"child_sex_trafficking","narrative":"x","state":"ZZ"}`, nil)
	if code != 400 || !strings.Contains(string(b), `"field": "state"`) {
		t.Errorf("bad state: %d %s", code, b)
	}
	if code, _ := call("POST", "/api/v1/reports", ltok, report, nil); code != 403 {
		t.Errorf("learner creating a report: %d", code)
	}
	if code, _ := call("GET", "/api/v1/reports?limit=10", tok, "", nil); code != 200 {
		t.Errorf("list: %d", code)
	}
	if code, _ := call("GET", "/api/v1/reports?limit=1000", tok, "", nil); code != 400 {
		t.Errorf("list with a bad limit: %d", code)
	}
	if code, _ := call("GET", "/api/v1/reports/"+itoa(created.ID)+"?reason=follow-up", tok, "", nil); code != 200 {
		t.Errorf("get: %d", code)
	}
	if code, _ := call("GET", "/api/v1/reports/"+itoa(created.ID), ltok, "", nil); code != 404 {
		t.Errorf("a learner opening the report: %d", code)
	}

	var n int
	e.store.View(ctx, func(tx haven.Tx) (err error) {
		n, err = tx.CountReports(ctx, haven.ReportFilter{Scope: haven.Scope{All: true}})
		return err
	})
	if n != 1 {
		t.Errorf("%d reports stored, want 1 (retries and refusals store nothing)", n)
	}
	views := e.auditEvents(haven.AuditFilter{Action: "report.view", Outcome: haven.OutcomeOK})
	if len(views) != 1 || views[0].Reason != "follow-up" || views[0].Via != "api" {
		t.Errorf("audited API views: %+v", views)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// specCaller returns a function that makes a real API request and validates
// it and its response against the description; for a request that is wrong
// on purpose (to see the 400 answer), only the response is validated.
func specCaller(t *testing.T, e *testEnv, v validator.Validator) func(method, path, token, body string, hdr map[string]string) (int, []byte) {
	return func(method, path, token, body string, hdr map[string]string) (int, []byte) {
		t.Helper()
		req, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
		if body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		for k, val := range hdr {
			req.Header.Set(k, val)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(b))
		vreq, _ := http.NewRequest(method, e.URL+path, strings.NewReader(body))
		vreq.Header = req.Header.Clone()
		ok, errs := v.ValidateHttpRequestResponse(vreq, resp)
		if resp.StatusCode == http.StatusBadRequest {
			ok, errs = v.ValidateHttpResponse(vreq, resp)
		}
		if !ok {
			for _, ve := range errs {
				t.Errorf("%s %s → %d does not match openapi.json: %s (%s)", method, path, resp.StatusCode, ve.Message, ve.Reason)
				for _, se := range ve.SchemaValidationErrors {
					t.Errorf("    %s: %s", se.FieldPath, se.Reason)
				}
			}
		}
		return resp.StatusCode, b
	}
}
