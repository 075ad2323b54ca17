package haven_test

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// A report's handler closes it with a reason when nothing more is to be
// done, it leaves the queue, and it can be reopened; a referral marks it
// referred. Everyone else is refused, and every change and refusal is
// audited.
func TestAReportIsClosedAndReopenedByItsHandlerWithAReason(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newCaseFixture(t, svc)
		id := f.report.ID
		status := func() haven.ReportStatus {
			t.Helper()
			r, err := svc.GetReport(ctx, sys, id, "")
			if err != nil {
				t.Fatal(err)
			}
			return r.Status
		}
		inQueue := func() bool {
			t.Helper()
			rs, _, err := svc.Queue(ctx, f.super, haven.QueueFilter{View: haven.QueueAll})
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range rs {
				if r.ID == id {
					return true
				}
			}
			return false
		}
		before := denials(t, svc, "report.close")
		if err := svc.CloseReport(ctx, f.analyst, id, "Nothing more to do."); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst who does not have the report closing it: %v, want forbidden", err)
		}
		if err := svc.CloseReport(ctx, f.officer, id, "Nothing more to do."); haven.ErrorCode(err) == "" {
			t.Errorf("an officer closed the report")
		}
		if n := denials(t, svc, "report.close"); n != before+2 {
			t.Errorf("%d refusals audited, want 2", n-before)
		}
		if _, err := svc.ClaimReport(ctx, f.analyst, id); err != nil {
			t.Fatal(err)
		}
		if err := svc.CloseReport(ctx, f.analyst, id, "  "); haven.ErrorField(err) != "reason" {
			t.Errorf("closing without a reason: %v, want a reason field error", err)
		}
		if status() != haven.ReportInReview || !inQueue() {
			t.Fatalf("before closing: %s, in the queue %v", status(), inQueue())
		}
		if err := svc.CloseReport(ctx, f.analyst, id, "Referred to Tulsa PD by phone; nothing more for us."); err != nil {
			t.Fatal(err)
		}
		if status() != haven.ReportClosed || inQueue() {
			t.Errorf("after closing: %s, in the queue %v", status(), inQueue())
		}
		if n := len(auditOK(t, svc, "report.close")); n != 1 {
			t.Errorf("%d report.close audit events, want 1", n)
		}
		if err := svc.ReopenReport(ctx, f.analyst, id, "The caller rang again with a new address."); err != nil {
			t.Fatal(err)
		}
		if status() != haven.ReportInReview || !inQueue() {
			t.Errorf("after reopening: %s, in the queue %v; want in review, in the queue", status(), inQueue())
		}
		if err := svc.ReopenReport(ctx, f.analyst, id, "again"); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("reopening an open report: %v, want conflict", err)
		}
		ag := &haven.Agency{Name: "Tulsa County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "OK", Phone24x7: "918-555-0142"}
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.CreateReferrals(ctx, f.analyst, id, []int64{ag.ID}, ""); err != nil {
			t.Fatal(err)
		}
		if status() != haven.ReportReferred {
			t.Errorf("after a referral: %s, want referred", status())
		}
	})
}
