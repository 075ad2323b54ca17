package http_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// queueRefs lists the references in the queue table, in order.
func queueRefs(body string) []string {
	var out []string
	for _, m := range regexp.MustCompile(`<th scope="row"><a href="/reports/\d+">([^<]+)</a>`).FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestAnalystQueueClaimAndRelease(t *testing.T) {
	e := newTestEnv(t)
	now := e.clock.Now()
	_, s1 := e.createUser("analyst.rivera", "Rosa Rivera", haven.RoleAnalyst, 0)
	_, s2 := e.createUser("analyst.chen", "Wei Chen", haven.RoleAnalyst, 0)
	_, hs := e.createUser("hotline.ade", "", haven.RoleHotline, 0)
	due := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	p3 := e.createReport(&haven.Report{Priority: haven.P3, DueAt: due(24 * time.Hour)})
	p1 := e.createReport(&haven.Report{Priority: haven.P1, DueAt: due(-10 * time.Minute)})
	p2 := e.createReport(&haven.Report{Priority: haven.P2, DueAt: due(30 * time.Minute)})

	rivera := e.signedIn("analyst.rivera", s1)
	page := rivera.get("/queue")
	expectStatus(t, page, http.StatusOK)
	if got, want := strings.Join(queueRefs(page.Body), " "), strings.Join([]string{p1.Ref, p2.Ref, p3.Ref}, " "); got != want {
		t.Fatalf("queue order %q, want %q", got, want)
	}
	// Signing in moved the test clock on by a few 30-second steps.
	if !strings.Contains(page.Body, "Overdue by 0 h 1") || !strings.Contains(page.Body, "Due in 0 h 2") || !strings.Contains(page.Body, "due--breached") {
		t.Errorf("the queue does not say how the due times stand:\n%s", page.Body)
	}
	if !strings.Contains(page.Body, `href="/queue"`) {
		t.Errorf("no Queue link in the navigation")
	}

	// Claim from the queue: back to it, the report gone from the
	// unassigned tab and in Mine.
	r := rivera.post(fmt.Sprintf("/reports/%d/claim", p1.ID), url.Values{"back": {"/queue"}})
	expectRedirect(t, r, "/queue?done=claimed")
	page = rivera.get("/queue?done=claimed")
	if !strings.Contains(textOf(page.Body, "queue-done"), "yours") || strings.Contains(page.Body, p1.Ref) {
		t.Errorf("after claiming: %q, queue %v", textOf(page.Body, "queue-done"), queueRefs(page.Body))
	}
	mine := rivera.get("/queue?view=mine")
	if refs := queueRefs(mine.Body); len(refs) != 1 || refs[0] != p1.Ref || !strings.Contains(mine.Body, "Release "+p1.Ref) {
		t.Errorf("Mine: %v", refs)
	}

	// Another analyst's claim is turned back with the reason, and a back=
	// that leaves the site is not followed.
	chen := e.signedIn("analyst.chen", s2)
	r = chen.post(fmt.Sprintf("/reports/%d/claim", p1.ID), url.Values{"back": {"https://elsewhere.example.com/"}})
	expectRedirect(t, r, fmt.Sprintf("/reports/%d?problem=taken", p1.ID))
	all := chen.get("/queue?view=all")
	if !strings.Contains(all.Body, "Rosa Rivera") {
		t.Errorf("the whole queue does not say who has the claimed report")
	}
	// Release puts it back.
	r = rivera.post(fmt.Sprintf("/reports/%d/release", p1.ID), url.Values{"back": {"/queue?view=mine"}})
	expectRedirect(t, r, "/queue?done=released&view=mine")
	if refs := queueRefs(chen.get("/queue").Body); len(refs) != 3 {
		t.Errorf("after release the unassigned queue has %v", refs)
	}

	// Bad input and roles that do not work the queue.
	expectStatus(t, rivera.get("/queue?priority=9"), http.StatusBadRequest)
	expectStatus(t, rivera.get("/queue?view=everything"), http.StatusBadRequest)
	hot := e.signedIn("hotline.ade", hs)
	expectStatus(t, hot.get("/queue"), http.StatusForbidden)
	expectStatus(t, hot.post(fmt.Sprintf("/reports/%d/claim", p2.ID), url.Values{}), http.StatusNotFound)
	expectStatus(t, rivera.get("/queue/deadlines"), http.StatusForbidden)
	if len(e.auditEvents(haven.AuditFilter{Action: "report.claim", Outcome: haven.OutcomeOK})) != 1 {
		t.Errorf("the claim is not in the audit log once")
	}
}

func TestSupervisorAssignsAndSeesDeadlines(t *testing.T) {
	e := newTestEnv(t)
	now := e.clock.Now()
	ana, _ := e.createUser("analyst.rivera", "Rosa Rivera", haven.RoleAnalyst, 0)
	_, ss := e.createUser("supervisor.okafor", "Ada Okafor", haven.RoleSupervisor, 0)
	due := func(d time.Duration) *time.Time { t := now.Add(d); return &t }
	late := e.createReport(&haven.Report{Priority: haven.P1, DueAt: due(-2 * time.Hour)})
	soon := e.createReport(&haven.Report{Priority: haven.P2, DueAt: due(20 * time.Minute)})
	e.createReport(&haven.Report{Priority: haven.P4, DueAt: due(70 * time.Hour)})

	sup := e.signedIn("supervisor.okafor", ss)
	page := sup.get("/queue/deadlines")
	expectStatus(t, page, http.StatusOK)
	if b := textOf(page.Body, "breached"); !strings.Contains(b, late.Ref) || strings.Contains(b, soon.Ref) {
		t.Errorf("breached table: %q", b)
	}
	if d := textOf(page.Body, "due-soon"); !strings.Contains(d, soon.Ref) || !strings.Contains(d, "Due in 0 h 1") {
		t.Errorf("due-soon table: %q", d)
	}

	r := sup.post(fmt.Sprintf("/reports/%d/assign", late.ID), url.Values{"assignee": {fmt.Sprint(ana.ID)}, "back": {"/queue/deadlines"}})
	expectRedirect(t, r, "/queue/deadlines?done=assigned")
	page = sup.get("/queue/deadlines")
	if strings.Contains(textOf(page.Body, "breached"), late.Ref) {
		t.Errorf("an assigned report is still breached")
	}
	r = sup.post(fmt.Sprintf("/reports/%d/assign", soon.ID), url.Values{"assignee": {"not-a-number"}, "back": {"/queue/deadlines"}})
	expectRedirect(t, r, "/queue/deadlines?problem=assignee")
	if !strings.Contains(sup.get("/queue/deadlines?problem=assignee").Body, "Choose an active analyst") {
		t.Errorf("the bad assignee is not explained")
	}
}
