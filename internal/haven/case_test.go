package haven_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func TestCaseStatusMovesOnlyForwardAndReopens(t *testing.T) {
	allowed := map[[2]haven.CaseStatus]bool{
		{haven.CaseOpen, haven.CaseActive}:    true,
		{haven.CaseActive, haven.CaseLocated}: true,
		{haven.CaseLocated, haven.CaseClosed}: true,
		{haven.CaseClosed, haven.CaseActive}:  true,
	}
	for _, from := range haven.CaseStatuses {
		for _, to := range haven.CaseStatuses {
			if got := from.CanMoveTo(to); got != allowed[[2]haven.CaseStatus{from, to}] {
				t.Errorf("%s → %s allowed = %t", from, to, got)
			}
		}
	}
}

func TestATaskIsGivenOnlyToSomeoneWhoWorksOnCases(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCaseTask(ctx, f.super, k.ID, "Call the placement", f.officer.UserID, nil); haven.ErrorField(err) != "owner" {
			t.Errorf("a task for an officer: %v, want an owner field error", err)
		}
		if _, err := svc.AddCaseTask(ctx, f.super, k.ID, " ", 0, nil); haven.ErrorField(err) != "title" {
			t.Errorf("a task without a title: %v, want a title field error", err)
		}
		if _, err := svc.AddCaseTask(ctx, f.super, k.ID, "Call the placement", f.analyst.UserID, nil); err != nil {
			t.Errorf("a task for an analyst: %v", err)
		}
	})
}

func TestACaseWithAPendingDeterminationIsNotMergedAway(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k1, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		k2, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, ChildID: k1.ChildID})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordDetermination(ctx, f.super, k2.ID, haven.DeterminationNo, "Nothing points to exploitation.", nil); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.MergeCases(ctx, f.sup2, k1.ID, k2.ID, "same child"); haven.ErrorField(err) != "absorbed_id" {
			t.Errorf("merging away a case with a pending determination: %v, want an absorbed_id field error", err)
		}
	})
}

// A determination approved on either case is the child's: after a merge the
// surviving case carries the latest approved one and statistics count the
// child once; a split gives each case back its own.
func TestAMergedCasesApprovedDeterminationBecomesTheSurvivors(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		k1, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, Mention: f.report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		k2, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: f.report.ID, ChildID: k1.ChildID})
		if err != nil {
			t.Fatal(err)
		}
		decide := func(k *haven.Case, d haven.Determination, rationale string, indicators []string) {
			t.Helper()
			det, err := svc.RecordDetermination(ctx, f.super, k.ID, d, rationale, indicators)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.ApproveDetermination(ctx, f.sup2, k.ID, det.ID); err != nil {
				t.Fatal(err)
			}
			c.Advance(time.Hour)
		}
		decide(k1, haven.DeterminationUndetermined, "Too little known at first.", nil)
		decide(k2, haven.DeterminationYes, "An older partner speaks for her and holds her ID.", []string{"older_partner", "id_held_by_other"})
		determination := func(id int64) haven.Determination {
			t.Helper()
			v, err := svc.CaseDetail(ctx, f.super, id, "")
			if err != nil {
				t.Fatal(err)
			}
			return v.Case.Determination
		}
		counted := func() map[haven.Determination]int {
			t.Helper()
			n, err := svc.CountDeterminations(ctx, f.super, haven.DeterminationCountFilter{})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := counted(); n[haven.DeterminationYes] != 1 || n[haven.DeterminationUndetermined] != 1 {
			t.Fatalf("before the merge: %v, want one yes and one undetermined", n)
		}
		if _, err := svc.MergeCases(ctx, f.sup2, k1.ID, k2.ID, "Both cases are about the same girl."); err != nil {
			t.Fatal(err)
		}
		if d := determination(k1.ID); d != haven.DeterminationYes {
			t.Errorf("surviving case's determination %q after the merge, want the absorbed case's approved yes", d)
		}
		if n := counted(); n[haven.DeterminationYes] != 1 || n[haven.DeterminationUndetermined] != 0 {
			t.Errorf("after the merge: %v, want the child counted once, as yes", n)
		}
		if _, err := svc.SplitCase(ctx, f.sup2, k2.ID, "Two different girls after all."); err != nil {
			t.Fatal(err)
		}
		if d1, d2 := determination(k1.ID), determination(k2.ID); d1 != haven.DeterminationUndetermined || d2 != haven.DeterminationYes {
			t.Errorf("after the split: %q and %q, want each case's own (undetermined, yes)", d1, d2)
		}
		if n := counted(); n[haven.DeterminationYes] != 1 || n[haven.DeterminationUndetermined] != 1 {
			t.Errorf("after the split: %v, want one yes and one undetermined again", n)
		}
	})
}
