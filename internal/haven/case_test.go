package haven_test

import (
	"context"
	"testing"

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
