package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// The supervisor's home page maps the reports of the last 30 days by state,
// with the same figures in a table that links each state to its reports.
func TestSupervisorHomeMapsReportsByState(t *testing.T) {
	e := newTestEnv(t)
	for _, st := range []string{"NV", "NV", "OK"} {
		e.createReport(&haven.Report{State: st})
	}
	sup := e.signedInAs(t, "sue.supervisor", haven.RoleSupervisor)
	r := sup.get("/")
	expectStatus(t, r, 200)
	for state, n := range map[string]string{"NV": "2", "OK": "1", "TX": "0"} {
		path := regexp.MustCompile(`<path id="home-map-` + state + `" data-state="` + state + `" data-count="(\d+)" class="b(\d)"`).FindStringSubmatch(r.Body)
		if path == nil || path[1] != n {
			t.Errorf("map: %s drawn as %v, want a count of %s", state, path, n)
		}
		if state == "TX" && path != nil && path[2] != "0" {
			t.Errorf("Texas has no reports but is shaded b%s", path[2])
		}
	}
	if !regexp.MustCompile(`<a href="/reports\?state=NV">Nevada</a></td><td>2</td>`).MatchString(r.Body) {
		t.Errorf("the map's table has no row for Nevada's 2 reports linking to them")
	}
	an := e.signedInAs(t, "ana.analyst", haven.RoleAnalyst)
	if r := an.get("/"); regexp.MustCompile(`class="usmap"`).MatchString(r.Body) {
		t.Errorf("an analyst's home shows the supervisor's map")
	}
}

// The map's figures and an agency's referral statistics are in the JSON
// API too, with the same scope as the pages.
func TestReportsByStateAndReferralStatisticsByAPI(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	call := specCaller(t, e, v)
	ctx := context.Background()
	reno := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	tulsa := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	for _, st := range []string{"NV", "NV", "OK"} {
		e.createReport(&haven.Report{State: st})
	}
	rep := e.createReport(&haven.Report{State: "NV"})
	if _, err := e.svc.CreateReferrals(ctx, sys, rep.ID, []int64{reno.ID, tulsa.ID}, ""); err != nil {
		t.Fatal(err)
	}
	sup, _ := e.createUser("sue.supervisor", "Sue Supervisor", haven.RoleSupervisor, 0)
	off, _ := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, reno.ID)
	supTok, _ := e.svc.CreateToken(ctx, sys, sup.ID, "supervisor")
	offTok, _ := e.svc.CreateToken(ctx, sys, off.ID, "officer")
	code, b := call("GET", "/api/v1/report-statistics/states?days=7", supTok, "", nil)
	var states struct {
		States map[string]int `json:"states"`
	}
	if json.Unmarshal(b, &states); code != http.StatusOK || states.States["NV"] != 3 || states.States["OK"] != 1 {
		t.Errorf("reports by state: %d %s, want NV 3 and OK 1", code, b)
	}
	if code, _ := call("GET", "/api/v1/report-statistics/states?days=0", supTok, "", nil); code != http.StatusBadRequest {
		t.Errorf("days=0: %d, want 400", code)
	}
	code, b = call("GET", "/api/v1/referral-statistics", offTok, "", nil)
	var stats struct {
		Total   int            `json:"total"`
		ByState map[string]int `json:"by_state"`
	}
	if json.Unmarshal(b, &stats); code != http.StatusOK || stats.Total != 1 || stats.ByState["sent"] != 1 {
		t.Errorf("the Reno officer's referral statistics: %d %s, want their agency's one referral", code, b)
	}
	code, b = call("GET", "/api/v1/referral-statistics", supTok, "", nil)
	if json.Unmarshal(b, &stats); code != http.StatusOK || stats.Total != 2 {
		t.Errorf("the supervisor's referral statistics: %d %s, want both referrals", code, b)
	}
}
