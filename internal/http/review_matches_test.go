package http_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var reviewMatchRow = regexp.MustCompile(`<tr data-match="(\d+)">`)

func TestReviewQueueListsPendingPersonMatchesStrongestThenMostUrgent(t *testing.T) {
	e := newTestEnv(t)
	e.withPersonMatching()
	ctx := context.Background()
	_, secret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, hotSecret := e.createUser("hot", "Hal Hotline", haven.RoleHotline, 0)

	ana := e.signedIn("ana", secret)
	r := ana.get("/review")
	expectStatus(t, r, http.StatusOK)
	if sec := section(html.UnescapeString(r.Body), "Person matches"); !strings.Contains(sec, `id="no-person-matches"`) {
		t.Fatalf("with no suggestion the section should say so:\n%s", sec)
	}

	born := e.clock.Now().AddDate(-15, -2, 0).Truncate(24 * time.Hour)
	jaylen := &haven.Child{FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: &born, Sex: haven.SexMale, State: "TX"}
	if err := e.svc.CreateChild(ctx, sys, jaylen); err != nil {
		t.Fatal(err)
	}
	// Two reports name him the same way, so their suggestions are equally
	// strong: the P1 report's comes first.
	fifteen := 15
	mention := func() []haven.PersonMention {
		return []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: &fifteen, Sex: haven.SexMale, State: "TX"}}
	}
	low := e.createReport(&haven.Report{Priority: haven.P3, People: mention()})
	e.ingest(low)
	urgent := e.createReport(&haven.Report{Priority: haven.P1, People: mention()})
	e.ingest(urgent)

	pending, err := e.svc.PendingPersonMatches(ctx, sys, 10)
	if err != nil || len(pending) != 2 {
		t.Fatalf("pending matches: %+v %v", pending, err)
	}
	if pending[0].Match.ReportID != urgent.ID || pending[1].Match.ReportID != low.ID {
		t.Fatalf("equally strong matches are not ordered by priority: reports %d, %d", pending[0].Match.ReportID, pending[1].Match.ReportID)
	}

	r = ana.get("/review")
	expectStatus(t, r, http.StatusOK)
	sec := section(html.UnescapeString(r.Body), "Person matches")
	var rows []string
	for _, m := range reviewMatchRow.FindAllStringSubmatch(sec, -1) {
		rows = append(rows, m[1])
	}
	want := []string{strconv.FormatInt(pending[0].Match.ID, 10), strconv.FormatInt(pending[1].Match.ID, 10)}
	if strings.Join(rows, ",") != strings.Join(want, ",") {
		t.Fatalf("rows %v, want %v in the service's order:\n%s", rows, want, sec)
	}
	pct := strconv.Itoa(int(100*pending[0].Match.Probability+0.5)) + "%)"
	for _, w := range []string{
		`<th scope="row">Jaylen Brooks</th>`,
		`<a href="/children/` + strconv.FormatInt(jaylen.ID, 10) + `">Jaylen Brooks</a>`,
		`class="match-strength">` + pending[0].Match.Strength() + " (" + pct,
		`<a href="` + reportPath(urgent.ID) + `#person-matches">` + urgent.Ref + `</a>`,
		`<a href="` + reportPath(low.ID) + `#person-matches">` + low.Ref + `</a>`,
		haven.P1.Label(), haven.P3.Label(),
	} {
		if !strings.Contains(sec, w) {
			t.Errorf("the person matches lack %q:\n%s", w, sec)
		}
	}
	if !strings.Contains(sec, `#person-matches`) {
		t.Fatal("no link to the report's matches")
	}
	// The report page has the anchor the queue links to.
	if page := ana.get(reportPath(urgent.ID)); !strings.Contains(page.Body, `id="person-matches"`) {
		t.Error("the report page has no person-matches anchor")
	}
	if es := e.auditEvents(haven.AuditFilter{Action: "person_match.list", Outcome: haven.OutcomeOK}); len(es) == 0 || es[0].Actor != "ana" {
		t.Errorf("the queue's view of person matches is not audited as ana's: %+v", es)
	}

	// Rejected, a suggestion leaves the queue; the other stays.
	matchPath := "/person-matches/" + want[0]
	expectRedirect(t, ana.post(matchPath+"/reject", url.Values{"reason": {"A different Jaylen: another school"}, "report_id": {strconv.FormatInt(urgent.ID, 10)}}),
		reportPath(urgent.ID)+"?match=rejected#person-matches")
	sec = section(html.UnescapeString(ana.get("/review").Body), "Person matches")
	if strings.Contains(sec, `data-match="`+want[0]+`"`) || !strings.Contains(sec, `data-match="`+want[1]+`"`) {
		t.Fatalf("after rejecting match %s:\n%s", want[0], sec)
	}

	// A hotline specialist may not see the queue at all.
	hot := e.signedIn("hot", hotSecret)
	r = hot.get("/review")
	expectStatus(t, r, http.StatusForbidden)
	if strings.Contains(r.Body, "Jaylen") {
		t.Error("the refusal shows a match")
	}
}
