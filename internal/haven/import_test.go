package haven_test

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func importable(narrative string) *haven.Report {
	return &haven.Report{
		Channel: haven.ChannelImport, IncidentType: haven.IncidentSexTrafficking, Narrative: narrative,
		Places:      []haven.Place{{Role: haven.PlaceIncident, City: "Houston", State: "tx"}},
		Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+17135550142", Raw: "713-555-0142"}},
	}
}

func countReportsAndCreates(t *testing.T, svc *haven.Service) (reports, audits int) {
	t.Helper()
	ctx := context.Background()
	err := svc.Store.View(ctx, func(tx haven.Tx) (err error) {
		if reports, err = tx.CountReports(ctx, haven.ReportFilter{Scope: haven.Scope{All: true}}); err != nil {
			return err
		}
		audits, err = tx.CountAudit(ctx, haven.AuditFilter{Action: "report.create"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return reports, audits
}

func TestImportReportsStoresABatchWithOneAuditEventPerReport(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		rs := []*haven.Report{importable("first"), importable("second"), importable("third")}
		if err := svc.ImportReports(ctx, sys, rs); err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, r := range rs {
			if r.ID == 0 || r.Ref == "" || seen[r.Ref] || r.Status != haven.ReportNew || r.State != "TX" || r.ReceivedAt.IsZero() {
				t.Errorf("imported report not prepared like CreateReport's: %+v", r)
			}
			seen[r.Ref] = true
			got, err := svc.GetReport(ctx, sys, r.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			if got.Narrative != r.Narrative || len(got.Identifiers) != 1 || len(got.Places) != 1 {
				t.Errorf("report %d reads back as %+v", r.ID, got)
			}
		}
		if n, a := countReportsAndCreates(t, svc); n != 3 || a != 3 {
			t.Errorf("%d reports and %d report.create audit events, want 3 and 3", n, a)
		}
		if _, err := svc.VerifyAudit(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestImportReportsRefusesTheWholeBatchForOneBadReport(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		bad := importable("bad")
		bad.Channel = "carrier_pigeon"
		err := svc.ImportReports(ctx, sys, []*haven.Report{importable("good"), bad, importable("good too")})
		if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "reports[1].channel" {
			t.Fatalf("got %v (field %q), want EINVALID on reports[1].channel", err, haven.ErrorField(err))
		}
		if n, a := countReportsAndCreates(t, svc); n != 0 || a != 0 {
			t.Errorf("a refused batch left %d reports and %d audit events", n, a)
		}
	})
}

func TestImportReportsRollsBackTheWholeBatchWhenAnInsertFails(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		bad := importable("held by an agency that does not exist")
		bad.AgencyID = 999 // valid on its own; the store's foreign key refuses it
		err := svc.ImportReports(context.Background(), sys, []*haven.Report{importable("good"), bad})
		if err == nil {
			t.Fatal("a batch with a report held by a missing agency was stored")
		}
		if n, a := countReportsAndCreates(t, svc); n != 0 || a != 0 {
			t.Errorf("a failed batch left %d reports and %d audit events", n, a)
		}
	})
}

func TestImportReportsIsForReportWritersOnly(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		learner := haven.Actor{UserID: 7, Username: "learner", Role: haven.RoleLearner, Via: "web"}
		err := svc.ImportReports(ctx, learner, []*haven.Report{importable("x")})
		if haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("a learner's import: %v, want EFORBIDDEN", err)
		}
		var denied int
		_ = svc.Store.View(ctx, func(tx haven.Tx) (err error) {
			denied, err = tx.CountAudit(ctx, haven.AuditFilter{Action: "report.create", Outcome: haven.OutcomeDenied})
			return err
		})
		if denied != 1 {
			t.Errorf("%d denied report.create events, want 1", denied)
		}

		// A hotline specialist's imports are theirs, like CreateReport's.
		u, _ := addUser(t, svc, "hotline", haven.RoleHotline, 0)
		hot := haven.Actor{UserID: u.ID, Username: u.Username, Role: haven.RoleHotline, Via: "web"}
		rs := []*haven.Report{importable("mine")}
		if err := svc.ImportReports(ctx, hot, rs); err != nil {
			t.Fatal(err)
		}
		if rs[0].CreatedBy != u.ID {
			t.Errorf("CreatedBy = %d, want the hotline user %d", rs[0].CreatedBy, u.ID)
		}
	})
}

func TestImportReportsCapsTheBatch(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		rs := make([]*haven.Report, haven.MaxImportBatch+1)
		for i := range rs {
			rs[i] = importable("x")
		}
		if err := svc.ImportReports(context.Background(), sys, rs); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("an oversized batch: %v, want EINVALID", err)
		}
	})
}

func TestARetriedAPIRequestReturnsTheFirstReportInsteadOfADuplicate(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		u, _ := addUser(t, svc, "hotline", haven.RoleHotline, 0)
		a := haven.Actor{UserID: u.ID, Username: u.Username, Role: haven.RoleHotline, Via: "api"}
		first, replayed, err := svc.CreateReportOnce(ctx, a, "k-1", "hash-a", importable("first"))
		if err != nil || replayed {
			t.Fatalf("first: %v %v", replayed, err)
		}
		again, replayed, err := svc.CreateReportOnce(ctx, a, "k-1", "hash-a", importable("first"))
		if err != nil || !replayed || again.ID != first.ID || again.Ref != first.Ref {
			t.Fatalf("retry: %+v %v %v", again, replayed, err)
		}
		if _, _, err := svc.CreateReportOnce(ctx, a, "k-1", "hash-b", importable("other")); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("same key, other request: %v", err)
		}
		if n, _ := countReportsAndCreates(t, svc); n != 1 {
			t.Fatalf("%d reports after a retry, want 1", n)
		}
	})
}
