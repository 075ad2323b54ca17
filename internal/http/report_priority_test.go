package http_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/triage"
)

// triaged stores a report and triages it with the shipped rule set.
func (e *testEnv) triaged(r *haven.Report) *haven.Report {
	e.t.Helper()
	e.svc.Triager = triage.Default()
	e.createReport(r)
	if err := e.svc.Retriage(context.Background(), r.ID); err != nil {
		e.t.Fatal(err)
	}
	return r
}

func TestTheReportPageExplainsThePriorityAndASupervisorOverridesItWithAReason(t *testing.T) {
	e := newTestEnv(t)
	_, anaSecret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, supSecret := e.createUser("sam", "Sam Supervisor", haven.RoleSupervisor, 0)
	rep := e.triaged(&haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentSexTrafficking,
		Narrative: "Casey, 15, is advertised online (synthetic test data).",
		People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Casey", Age: ptrTo(15)}}})
	path := reportPath(rep.ID)

	ana := e.signedIn("ana", anaSecret)
	page := ana.get(path)
	expectStatus(t, page, http.StatusOK)
	body := html.UnescapeString(page.Body)
	if got := textOf(body, "triage-summary"); got != "Rules say P3 — identifiable child." {
		t.Errorf("summary %q", got)
	}
	rules := textOf(body, "triage-rules")
	for _, want := range []string{"P3 An identifiable child, and trafficking or enticement is alleged", "Person 1 of the report, a child, is named.",
		"The report alleges child sex trafficking (incident type)."} {
		if !strings.Contains(rules, want) {
			t.Errorf("the rules that fired %q lack %q", rules, want)
		}
	}
	if got := textOf(body, "triage-version"); !strings.HasPrefix(got, "Rule set v1") {
		t.Errorf("version line %q", got)
	}
	if due := textOf(body, "triage-due"); !strings.Contains(due, "First action due") || strings.Contains(due, "overdue") {
		t.Errorf("due line %q, want a due time, not overdue", due)
	}
	if strings.Contains(body, `id="priority-form"`) {
		t.Error("an analyst is offered the override form")
	}
	// An analyst who posts anyway is refused, and nothing changes.
	expectStatus(t, ana.post(path+"/priority", url.Values{"priority": {"1"}, "reason": {"urgent"}}), http.StatusForbidden)

	// A day later the report is overdue.
	e.clock.Advance(25 * time.Hour)
	sup := e.signedIn("sam", supSecret)
	body = html.UnescapeString(sup.get(path).Body)
	if textOf(body, "triage-overdue") != "overdue" {
		t.Errorf("a P3 report 25 hours old is not shown overdue: %q", textOf(body, "triage-due"))
	}
	if !strings.Contains(body, `id="priority-form"`) {
		t.Fatal("the supervisor is not offered the override form")
	}

	// Without a reason: the form comes back with the problem.
	bad := sup.post(path+"/priority", url.Values{"priority": {"1"}, "reason": {" "}})
	expectStatus(t, bad, http.StatusBadRequest)
	if form := textOf(html.UnescapeString(bad.Body), "priority-form"); !strings.Contains(form, "Error: Say why you set this priority") {
		t.Errorf("the refused form says %q", form)
	}
	// With one: recorded, and the page shows both.
	expectRedirect(t, sup.post(path+"/priority", url.Values{"priority": {"1"}, "reason": {"Police say a meeting is set for tonight."}}), path+"?priority=set#triage")
	body = html.UnescapeString(sup.get(path + "?priority=set").Body)
	want := "Rules say P3 — identifiable child; supervisor sam set P1 — imminent danger because: “Police say a meeting is set for tonight.”"
	if got := textOf(body, "triage-summary"); !strings.HasPrefix(got, want) {
		t.Errorf("summary %q, want it to start %q", got, want)
	}
	if textOf(body, "report-priority") != "P1 — imminent danger" || textOf(body, "priority-done") == "" {
		t.Errorf("priority %q, notice %q", textOf(body, "report-priority"), textOf(body, "priority-done"))
	}
	if got := e.auditEvents(haven.AuditFilter{Action: "report.priority"}); len(got) != 2 ||
		got[0].Outcome == got[1].Outcome {
		t.Errorf("audited overrides %+v; want the analyst's refusal and the supervisor's change", got)
	}
}

func TestTheAPIShowsTriageAndOnlyASupervisorOverridesIt(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	ana, _ := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	sup, _ := e.createUser("sam", "Sam Supervisor", haven.RoleSupervisor, 0)
	atok, _ := e.svc.CreateToken(ctx, sys, ana.ID, "case system")
	stok, _ := e.svc.CreateToken(ctx, sys, sup.ID, "case system")
	rep := e.triaged(&haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentOther, Narrative: "A worry (synthetic test data)."})
	call := specCaller(t, e, v)
	path := "/api/v1/reports/" + itoa(rep.ID)

	code, b := call("GET", path, atok, "", nil)
	var got struct {
		Priority int `json:"priority"`
		Triage   struct {
			Priority      int  `json:"priority"`
			RulesPriority *int `json:"rules_priority"`
			DueAt         *time.Time
			Rules         []struct {
				Rule     string   `json:"rule"`
				Evidence []string `json:"evidence"`
			} `json:"rules"`
			Override *struct {
				Priority   int    `json:"priority"`
				Reason     string `json:"reason"`
				ByUsername string `json:"by_username"`
			} `json:"override"`
		} `json:"triage"`
	}
	json.Unmarshal(b, &got)
	if code != 200 || got.Priority != 4 || got.Triage.RulesPriority == nil || *got.Triage.RulesPriority != 4 ||
		len(got.Triage.Rules) != 1 || got.Triage.Rules[0].Rule != "other" || got.Triage.Override != nil {
		t.Fatalf("GET: %d %s", code, b)
	}

	if code, b := call("POST", path+"/priority", atok, `{"priority":2,"reason":"missing"}`, nil); code != 403 {
		t.Errorf("an analyst's override: %d %s, want 403", code, b)
	}
	if code, b := call("POST", path+"/priority", stok, `{"priority":2,"reason":""}`, nil); code != 400 || !strings.Contains(string(b), `"field": "reason"`) {
		t.Errorf("an override without a reason: %d %s, want 400 naming the reason", code, b)
	}
	if code, _ := call("POST", "/api/v1/reports/999999/priority", stok, `{"priority":2,"reason":"x"}`, nil); code != 404 {
		t.Errorf("an override of a missing report: %d, want 404", code)
	}
	code, b = call("POST", path+"/priority", stok, `{"priority":2,"reason":"The child's mother called: she is missing since this morning."}`, nil)
	if code != 200 {
		t.Fatalf("the supervisor's override: %d %s", code, b)
	}
	code, b = call("GET", path, atok, "", nil)
	json.Unmarshal(b, &got)
	if code != 200 || got.Priority != 2 || got.Triage.Priority != 2 || *got.Triage.RulesPriority != 4 || got.Triage.Override == nil ||
		got.Triage.Override.ByUsername != "sam" || !strings.Contains(got.Triage.Override.Reason, "missing since this morning") {
		t.Errorf("GET after the override: %d %s", code, b)
	}
	if denied := e.auditEvents(haven.AuditFilter{Action: "report.priority", Actor: "ana", Outcome: haven.OutcomeDenied}); len(denied) != 1 || denied[0].Via != "api" {
		t.Errorf("audited refusals %+v, want the analyst's over the API", denied)
	}
}

func ptrTo[T any](v T) *T { return &v }
