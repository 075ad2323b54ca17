package haven_test

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// caseFixture is a report about a child, and the people who work on cases.
type caseFixture struct {
	report                         *haven.Report
	analyst, analyst2, super, sup2 haven.Actor
	officer                        haven.Actor
}

func newCaseFixture(t *testing.T, svc *haven.Service) *caseFixture {
	t.Helper()
	ctx := context.Background()
	ag := &haven.Agency{Name: "Tulsa Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "OK"}
	if err := svc.CreateAgency(ctx, sys, ag); err != nil {
		t.Fatal(err)
	}
	r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
		Narrative: "A caller saw a girl of about 15 at a truck stop with an older man who spoke for her (synthetic).",
		Places:    []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}},
		People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}}
	if err := svc.CreateReport(ctx, sys, r); err != nil {
		t.Fatal(err)
	}
	actor := func(name string, role haven.Role, agency int64) haven.Actor {
		u, _ := addUser(t, svc, name, role, agency)
		a := haven.Actor{UserID: u.ID, Username: name, Role: role, AgencyID: agency, Via: "web"}
		if agency != 0 {
			a.Jurisdiction = []string{"OK"}
		}
		return a
	}
	f := &caseFixture{report: r, analyst: actor("ana", haven.RoleAnalyst, 0), analyst2: actor("ben", haven.RoleAnalyst, 0),
		super: actor("sue", haven.RoleSupervisor, 0), sup2: actor("sam", haven.RoleSupervisor, 0),
		officer: actor("ola", haven.RoleOfficer, ag.ID)}
	got, err := svc.ReportDetail(ctx, sys, r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	f.report = got.Report
	return f
}

func denials(t *testing.T, svc *haven.Service, action string) int {
	t.Helper()
	es, _, err := svc.ListAudit(context.Background(), sys, haven.AuditFilter{Action: action, Outcome: haven.OutcomeDenied})
	if err != nil {
		t.Fatal(err)
	}
	return len(es)
}

func TestACaseOpenedFromAReportCarriesItsWorkOnOneTimeline(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		if _, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: f.report.ID}); haven.ErrorField(err) != "child_id" {
			t.Fatalf("opening a case without choosing the child: %v, want a child_id field error", err)
		}
		k, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if k.Status != haven.CaseOpen || k.Title != "Ava" || k.State != "OK" {
			t.Errorf("opened case: status %s, title %q, state %q", k.Status, k.Title, k.State)
		}
		if _, err := svc.AssignCase(ctx, f.analyst, k.ID, f.analyst.UserID); err != nil {
			t.Fatalf("claim: %v", err)
		}
		c.Advance(1)
		if _, err := svc.AddCaseNote(ctx, f.analyst, k.ID, "Spoke with the school counsellor.", true); err != nil {
			t.Fatal(err)
		}
		task, err := svc.AddCaseTask(ctx, f.analyst, k.ID, "Ask the placement for a recent photo", f.analyst.UserID, nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetCaseTaskDone(ctx, f.analyst, k.ID, task.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetCaseStatus(ctx, f.analyst, k.ID, haven.CaseLocated, ""); haven.ErrorField(err) != "status" {
			t.Errorf("open → located: %v, want a status field error", err)
		}
		for _, to := range []haven.CaseStatus{haven.CaseActive, haven.CaseLocated, haven.CaseClosed, haven.CaseActive} {
			if _, err := svc.SetCaseStatus(ctx, f.analyst, k.ID, to, ""); err != nil {
				t.Fatalf("→ %s: %v", to, err)
			}
		}
		v, err := svc.CaseDetail(ctx, f.analyst, k.ID, "review")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range v.Timeline {
			kinds = append(kinds, e.Kind)
		}
		want := []string{"report", "opened", "assigned", "note", "task_added", "task_done", "status", "status", "status", "status"}
		same := len(kinds) == len(want)
		for i := range want {
			same = same && kinds[i] == want[i]
		}
		if !same {
			t.Errorf("timeline kinds %v, want %v", kinds, want)
		}
		if v.Case.Status != haven.CaseActive || v.Case.ClosedAt != nil || v.Child == nil || v.Child.FirstName != "Ava" {
			t.Errorf("after reopening: status %s, closed %v, child %+v", v.Case.Status, v.Case.ClosedAt, v.Child)
		}
		if len(v.Notes) != 1 || !v.Notes[0].Shareable || v.Timeline[3].Body != "Spoke with the school counsellor." {
			t.Errorf("notes %+v; timeline note %+v", v.Notes, v.Timeline[3])
		}
	})
}

func TestOnlyTheRightPeopleChangeACaseAndEachRefusalIsAudited(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AssignCase(ctx, f.analyst, k.ID, f.analyst.UserID); err != nil {
			t.Fatal(err)
		}
		for _, tc := range []struct {
			name, action string
			code         string
			do           func() error
		}{
			{"another analyst adding a note to a case assigned to someone else", "case.note", haven.EFORBIDDEN,
				func() error { _, err := svc.AddCaseNote(ctx, f.analyst2, k.ID, "x", false); return err }},
			{"another analyst taking the case", "case.assign", haven.EFORBIDDEN,
				func() error { _, err := svc.AssignCase(ctx, f.analyst2, k.ID, f.analyst2.UserID); return err }},
			{"an analyst assigning the case to someone else", "case.assign", haven.EFORBIDDEN,
				func() error { _, err := svc.AssignCase(ctx, f.analyst, k.ID, f.analyst2.UserID); return err }},
			{"an officer of another agency opening the case", "case.view", haven.ENOTFOUND,
				func() error { _, err := svc.CaseDetail(ctx, f.officer, k.ID, ""); return err }},
			{"an analyst merging cases", "case.merge", haven.EFORBIDDEN,
				func() error { _, err := svc.MergeCases(ctx, f.analyst, k.ID, k.ID+1, "same"); return err }},
		} {
			before := denials(t, svc, tc.action)
			if err := tc.do(); haven.ErrorCode(err) != tc.code {
				t.Errorf("%s: %v, want %s", tc.name, err, tc.code)
			}
			if denials(t, svc, tc.action) != before+1 {
				t.Errorf("%s: the refusal was not audited as %s", tc.name, tc.action)
			}
		}
		// A supervisor may give the case to another analyst.
		if got, err := svc.AssignCase(ctx, f.super, k.ID, f.analyst2.UserID); err != nil || got.AssignedTo != f.analyst2.UserID {
			t.Errorf("supervisor assigning: %v", err)
		}
	})
}

func TestADeterminationCountsOnlyOnceASupervisorApprovesIt(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AssignCase(ctx, f.analyst, k.ID, f.analyst.UserID); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			n, err := svc.CountDeterminations(ctx, f.super, haven.DeterminationCountFilter{State: "OK"})
			if err != nil {
				t.Fatal(err)
			}
			return n[haven.DeterminationYes]
		}
		for _, bad := range []struct {
			field      string
			d          haven.Determination
			rationale  string
			indicators []string
		}{
			{"determination", "maybe", "r", nil},
			{"rationale", haven.DeterminationYes, " ", []string{"older_partner"}},
			{"indicators", haven.DeterminationYes, "r", []string{"no_such_indicator"}},
			{"indicators", haven.DeterminationYes, "r", nil},
		} {
			if _, err := svc.RecordDetermination(ctx, f.analyst, k.ID, bad.d, bad.rationale, bad.indicators); haven.ErrorField(err) != bad.field {
				t.Errorf("determination %q/%q/%v: %v, want a %s field error", bad.d, bad.rationale, bad.indicators, err, bad.field)
			}
		}
		det, err := svc.RecordDetermination(ctx, f.analyst, k.ID, haven.DeterminationYes,
			"An older partner speaks for her and holds her ID.", []string{"older_partner", "id_held_by_other"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordDetermination(ctx, f.analyst, k.ID, haven.DeterminationNo, "r", nil); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("a second determination while one is pending: %v, want conflict", err)
		}
		if n := count(); n != 0 {
			t.Errorf("pending determination counted: %d", n)
		}
		before := denials(t, svc, "case.determination_approve")
		if _, err := svc.ApproveDetermination(ctx, f.analyst, k.ID, det.ID); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst approving: %v, want forbidden", err)
		}
		if denials(t, svc, "case.determination_approve") != before+1 {
			t.Error("the analyst's approval was not audited as refused")
		}
		if _, err := svc.ReturnDetermination(ctx, f.super, k.ID, det.ID, ""); haven.ErrorField(err) != "reason" {
			t.Errorf("returning without a reason: %v", err)
		}
		if _, err := svc.ApproveDetermination(ctx, f.super, k.ID, det.ID); err != nil {
			t.Fatal(err)
		}
		if n := count(); n != 1 {
			t.Errorf("approved determination counted %d times, want 1", n)
		}
		v, err := svc.CaseDetail(ctx, f.super, k.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if v.Case.Determination != haven.DeterminationYes || v.Case.DeterminationID != det.ID {
			t.Errorf("case determination %s (%d)", v.Case.Determination, v.Case.DeterminationID)
		}
		last := v.Timeline[len(v.Timeline)-1]
		if last.Kind != string(haven.CaseEventDeterminationApproved) || last.Actor != "sue" {
			t.Errorf("last timeline entry %+v", last)
		}
	})
}

func TestASupervisorCannotApproveTheirOwnDetermination(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		det, err := svc.RecordDetermination(ctx, f.super, k.ID, haven.DeterminationUndetermined, "Too little known yet.", nil)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.ApproveDetermination(ctx, f.super, k.ID, det.ID); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("approving one's own: %v, want forbidden", err)
		}
		if _, err := svc.ApproveDetermination(ctx, f.sup2, k.ID, det.ID); err != nil {
			t.Errorf("another supervisor approving: %v", err)
		}
	})
}

func TestMergingTwoCasesAndSplittingThemAgain(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k1, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		r2 := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
			Narrative: "A second call about the same girl at a motel (synthetic).", Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}}}
		if err := svc.CreateReport(ctx, sys, r2); err != nil {
			t.Fatal(err)
		}
		k2, err := svc.OpenCaseFromReport(ctx, f.analyst, haven.OpenCase{ReportID: r2.ID, ChildID: k1.ChildID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCaseNote(ctx, f.super, k2.ID, "Second report's note.", false); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MergeCases(ctx, f.super, k1.ID, k2.ID, ""); haven.ErrorField(err) != "reason" {
			t.Errorf("merge without a reason: %v", err)
		}
		if _, err := svc.MergeCases(ctx, f.super, k1.ID, k2.ID, "Both reports are about Ava."); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCaseNote(ctx, f.super, k2.ID, "x", false); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("a note on the absorbed case: %v, want conflict", err)
		}
		v, err := svc.CaseDetail(ctx, f.super, k1.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Reports) != 2 || len(v.Notes) != 1 || len(v.Merged) != 1 {
			t.Errorf("merged case: %d reports, %d notes, merged %v", len(v.Reports), len(v.Notes), v.Merged)
		}
		list, _ := svc.ListCases(ctx, f.super, haven.CaseFilter{})
		if len(list) != 1 {
			t.Errorf("%d cases listed after the merge, want 1", len(list))
		}
		if _, err := svc.SplitCase(ctx, f.analyst, k2.ID, "wrong"); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst splitting: %v", err)
		}
		if _, err := svc.SplitCase(ctx, f.super, k2.ID, "Different girls after all."); err != nil {
			t.Fatal(err)
		}
		v2, err := svc.CaseDetail(ctx, f.super, k2.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(v2.Reports) != 1 || v2.Reports[0].ID != r2.ID || len(v2.Notes) != 1 || v2.Case.MergedInto != 0 {
			t.Errorf("split case: %d reports, %d notes, merged into %d", len(v2.Reports), len(v2.Notes), v2.Case.MergedInto)
		}
		var kinds []string
		for _, e := range v2.Timeline {
			kinds = append(kinds, e.Kind)
		}
		if kinds[len(kinds)-2] != "merged" || kinds[len(kinds)-1] != "split" {
			t.Errorf("split case timeline %v ends without the merge and the split", kinds)
		}
		if n := len(auditOK(t, svc, "case.merge")); n != 2 {
			t.Errorf("%d case.merge audit events, want 2 (one per case)", n)
		}
	})
}

func auditOK(t *testing.T, svc *haven.Service, action string) []*haven.AuditEvent {
	t.Helper()
	es, _, err := svc.ListAudit(context.Background(), sys, haven.AuditFilter{Action: action, Outcome: haven.OutcomeOK})
	if err != nil {
		t.Fatal(err)
	}
	return es
}
