package http_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking/people"
)

// withPersonMatching makes the test server's service file the children it
// creates and match the children every report it ingests mentions.
func (e *testEnv) withPersonMatching() {
	e.t.Helper()
	idx, ok := e.svc.Secrets.(haven.BlindIndexer)
	if !ok {
		e.t.Fatalf("the key file (%T) has no blind index", e.svc.Secrets)
	}
	e.svc.Ingestions = []haven.Ingestion{&people.Step{Index: idx}}
	e.svc.MatchKeys = people.ChildKeys(idx)
}

func TestTheReportPageShowsPossibleMatchesWithChildrenOnFileAndTheAnalystDecides(t *testing.T) {
	e := newTestEnv(t)
	e.withPersonMatching()
	ctx := context.Background()
	_, secret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, hotSecret := e.createUser("hot", "Hal Hotline", haven.RoleHotline, 0)

	born := e.clock.Now().AddDate(-15, -2, 0).Truncate(24 * time.Hour)
	jaylen := &haven.Child{FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: &born, Sex: haven.SexMale, State: "TX"}
	other := &haven.Child{FirstName: "Priya", LastName: "Castellanos", State: "WA"}
	for _, c := range []*haven.Child{jaylen, other} {
		if err := e.svc.CreateChild(ctx, sys, c); err != nil {
			t.Fatal(err)
		}
	}
	fifteen := 15
	rep := e.createReport(&haven.Report{People: []haven.PersonMention{
		{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: &fifteen, Sex: haven.SexMale, State: "TX"}}})
	e.ingest(rep)

	c := e.signedIn("ana", secret)
	page := c.get(reportPath(rep.ID))
	expectStatus(t, page, http.StatusOK)
	body := html.UnescapeString(page.Body)
	sec := section(body, "Possible matches with children on file")
	childHref := "/children/" + strconv.FormatInt(jaylen.ID, 10)
	for _, want := range []string{`href="` + childHref + `">Jaylen Brooks</a>`, "<th scope=\"row\">last name</th><td>exact</td>",
		"<th scope=\"row\">date of birth</th><td>age agrees</td>", `class="match-strength">`, "Suggested"} {
		if !strings.Contains(sec, want) {
			t.Fatalf("the section lacks %q:\n%s", want, sec)
		}
	}
	if strings.Contains(sec, "Castellanos") {
		t.Errorf("a clearly different child is suggested:\n%s", sec)
	}
	ms, err := e.svc.PersonMatches(ctx, sys, rep.ID)
	if err != nil || len(ms) != 1 {
		t.Fatalf("matches: %v %v", ms, err)
	}
	matchPath := "/person-matches/" + strconv.FormatInt(ms[0].Match.ID, 10)
	if !strings.Contains(sec, `action="`+matchPath+`/confirm"`) || !strings.Contains(sec, `action="`+matchPath+`/reject"`) {
		t.Fatalf("no confirm and reject forms:\n%s", sec)
	}

	// A hotline specialist sees no section and may not decide.
	h := e.signedIn("hot", hotSecret)
	expectStatus(t, h.post(matchPath+"/confirm", url.Values{"reason": {"looks like him"}, "report_id": {strconv.FormatInt(rep.ID, 10)}}), http.StatusForbidden)

	// Without a reason nothing changes and the form says why.
	r := c.post(matchPath+"/confirm", url.Values{"reason": {" "}, "report_id": {strconv.FormatInt(rep.ID, 10)}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="match-`+strconv.FormatInt(ms[0].Match.ID, 10)+`-confirm-error"`) || !strings.Contains(r.Body, "Say why") {
		t.Fatalf("confirming without a reason:\n%s", section(html.UnescapeString(r.Body), "Possible matches with children on file"))
	}
	if got, _ := e.svc.GetReport(ctx, sys, rep.ID, ""); got.People[0].ChildID != 0 {
		t.Fatal("a refused confirmation linked the child")
	}

	// Confirming links the report's mention to the child, and the child's
	// page lists the report.
	r = c.post(matchPath+"/confirm", url.Values{"reason": {"Same school, same date of birth"}, "report_id": {strconv.FormatInt(rep.ID, 10)}})
	expectRedirect(t, r, reportPath(rep.ID)+"?match=confirmed#person-matches")
	if got, _ := e.svc.GetReport(ctx, sys, rep.ID, ""); got.People[0].ChildID != jaylen.ID {
		t.Fatalf("confirming did not link the child: %+v", got.People[0])
	}
	page = c.get(reportPath(rep.ID) + "?match=confirmed")
	sec = section(html.UnescapeString(page.Body), "Possible matches with children on file")
	if !strings.Contains(sec, `id="match-done"`) || !strings.Contains(sec, "Confirmed: the same child") ||
		!strings.Contains(sec, "“Same school, same date of birth”") || strings.Contains(sec, `action="`+matchPath+`/confirm"`) {
		t.Fatalf("after confirming:\n%s", sec)
	}
	child := c.get(childHref)
	expectStatus(t, child, http.StatusOK)
	if !strings.Contains(child.Body, `href="`+reportPath(rep.ID)+`#person-matches">`+rep.Ref+`</a>`) {
		t.Fatalf("the child's page does not list the report:\n%s", section(child.Body, "Reports that may mention this child"))
	}

	// Rejecting it undoes the link; a second run of the job suggests nothing.
	r = c.post(matchPath+"/reject", url.Values{"reason": {"A different Jaylen: another school"}, "report_id": {strconv.FormatInt(rep.ID, 10)}})
	expectRedirect(t, r, reportPath(rep.ID)+"?match=rejected#person-matches")
	e.ingest(rep)
	if got, _ := e.svc.GetReport(ctx, sys, rep.ID, ""); got.People[0].ChildID != 0 {
		t.Fatalf("rejecting left the child linked: %+v", got.People[0])
	}
	if ms, _ := e.svc.PendingPersonMatches(ctx, sys, 10); len(ms) != 0 {
		t.Fatalf("a rejected match is pending again: %+v", ms)
	}
	for _, action := range []string{"person_match.confirm", "person_match.reject"} {
		es := e.auditEvents(haven.AuditFilter{Action: action, Outcome: haven.OutcomeOK})
		if len(es) != 1 || es[0].Actor != "ana" {
			t.Errorf("audit %s: %+v", action, es)
		}
	}
}
