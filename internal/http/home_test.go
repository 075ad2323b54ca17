package http_test

import (
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
