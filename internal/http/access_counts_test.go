package http_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// TestListsAndCountsDoNotMoveWithAnotherAgencysRecords: what an agency's
// users see in lists, totals, statistics and search (pages and API) is the
// same, byte for byte, whether another agency has no records or fifty
// reports, cases, referrals and analysis requests: no count, caption or
// page number tells them that others' records exist.
func TestListsAndCountsDoNotMoveWithAnotherAgencysRecords(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	b := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	an, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	analyst := haven.Actor{UserID: an.ID, Username: an.Username, Role: haven.RoleAnalyst, Via: "test"}
	offB, _ := e.createUser("tom.officer", "Tom Officer", haven.RoleOfficer, b.ID)
	actB := haven.Actor{UserID: offB.ID, Username: offB.Username, Role: haven.RoleOfficer, AgencyID: b.ID, Via: "test"}

	type viewer struct {
		name string
		web  *client
		tok  string
	}
	var viewers []viewer
	for _, r := range []haven.Role{haven.RoleOfficer, haven.RoleChildWelfare, haven.RoleFosterParent, haven.RoleHotline} {
		var ag int64
		if r.NeedsAgency() {
			ag = a.ID
		}
		u, secret := e.createUser("count."+string(r), "Count "+r.Label(), r, ag)
		tok, err := e.svc.CreateToken(ctx, sys, u.ID, "counts")
		if err != nil {
			t.Fatal(err)
		}
		viewers = append(viewers, viewer{string(r), e.signedIn(u.Username, secret), tok})
	}

	// Agency A's own records, so that the lists are not empty.
	add := func(ag *haven.Agency, asker haven.Actor, n int) {
		for i := 0; i < n; i++ {
			rep := e.createReport(&haven.Report{State: ag.State, AgencyID: ag.ID})
			ch := &haven.Child{FirstName: "Ava", LastName: "Example", State: ag.State, AgencyID: ag.ID}
			if err := e.svc.CreateChild(ctx, sys, ch); err != nil {
				t.Fatal(err)
			}
			if err := e.svc.CreateCase(ctx, sys, &haven.Case{Title: "Case " + ag.State, ChildID: ch.ID, AgencyID: ag.ID, State: ag.State}); err != nil {
				t.Fatal(err)
			}
			if _, err := e.svc.CreateReferrals(ctx, analyst, rep.ID, []int64{ag.ID}, ""); err != nil {
				t.Fatal(err)
			}
			if asker.UserID != 0 {
				if err := e.svc.CreateAnalysisRequest(ctx, asker, &haven.AnalysisRequest{CaseNumber: "2026-0042", Question: "Which phones link these reports?", Urgency: haven.UrgencyRoutine}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	add(a, haven.Actor{}, 2)

	pages := []string{"/", "/reports", "/cases", "/referrals", "/portal", "/portal/statistics", "/analysis",
		"/missing", "/search?q=motel", "/notifications", "/agencies"}
	apis := []string{"/api/v1/reports", "/api/v1/cases", "/api/v1/referrals", "/api/v1/analysis-requests",
		"/api/v1/missing", "/api/v1/search?q=motel", "/api/v1/case-statistics/determinations"}
	snapshot := func() map[string]string {
		out := map[string]string{}
		for _, v := range viewers {
			for _, p := range pages {
				r := v.web.get(p)
				out[v.name+" "+p] = r.Status + "\n" + volatile.ReplaceAllString(r.Body, "")
			}
			for _, p := range apis {
				r := e.newClient().do(http.MethodGet, p, nil, map[string]string{"Authorization": "Bearer " + v.tok})
				out[v.name+" "+p] = r.Status + "\n" + volatile.ReplaceAllString(r.Body, "")
			}
		}
		return out
	}
	// The control: an analyst sees every agency's, so the same lists move.
	anTok, err := e.svc.CreateToken(ctx, sys, an.ID, "control")
	if err != nil {
		t.Fatal(err)
	}
	control := func() string {
		return e.newClient().do(http.MethodGet, "/api/v1/reports", nil, map[string]string{"Authorization": "Bearer " + anTok}).Body
	}
	before, controlBefore := snapshot(), control()
	if strings.Count(before["officer /api/v1/reports"], `"ref": "HV-`) != 2 {
		t.Fatalf("A's officer does not see A's 2 reports:\n%.400s", before["officer /api/v1/reports"])
	}
	add(b, actB, 50)
	after := snapshot()
	if control() == controlBefore {
		t.Error("the analyst's list did not move either: the comparison sees nothing")
	}
	seen := 0
	for k, was := range before {
		if now := after[k]; now != was {
			t.Errorf("%s changed when agency B got 50 records:\n%s", k, firstDiff(now, was))
		}
		if len(was) > 0 {
			seen++
		}
	}
	t.Logf("%d list views compared (%d roles × %d pages and API lists)", seen, len(viewers), len(pages)+len(apis))
}

// volatile matches what differs between two renderings of the same page
// whatever the data (asset and request ids).
var volatile = regexp.MustCompile(`request[_-]id[^\n]*`)
