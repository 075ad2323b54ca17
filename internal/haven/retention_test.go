package haven_test

import (
	"context"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

const day = 24 * time.Hour

// retentionFixture gives the service a real attachment directory and an
// administrator and a supervisor.
type retentionFixture struct {
	dir          string
	admin, super haven.Actor
}

func newRetentionFixture(t *testing.T, svc *haven.Service) *retentionFixture {
	t.Helper()
	k, _ := keys.New()
	f := &retentionFixture{dir: filepath.Join(t.TempDir(), "att")}
	blobs, err := attachments.New(f.dir, k)
	if err != nil {
		t.Fatal(err)
	}
	svc.Blobs = blobs
	ad, _ := addUser(t, svc, "ada", haven.RoleAdmin, 0)
	su, _ := addUser(t, svc, "sue", haven.RoleSupervisor, 0)
	f.admin = haven.Actor{UserID: ad.ID, Username: "ada", Role: haven.RoleAdmin, Via: "web"}
	f.super = haven.Actor{UserID: su.ID, Username: "sue", Role: haven.RoleSupervisor, Via: "web"}
	return f
}

// closedReport stores a report of the channel and closes it now.
func closedReport(t *testing.T, svc *haven.Service, ch haven.Channel, narrative string, people ...haven.PersonMention) *haven.Report {
	t.Helper()
	ctx := context.Background()
	r := &haven.Report{Channel: ch, IncidentType: haven.IncidentSexTrafficking, Narrative: narrative, People: people}
	if err := svc.CreateReport(ctx, sys, r); err != nil {
		t.Fatal(err)
	}
	if err := svc.CloseReport(ctx, sys, r.ID, "handled"); err != nil {
		t.Fatal(err)
	}
	return r
}

func purge(t *testing.T, svc *haven.Service, dryRun bool) *haven.PurgeResult {
	t.Helper()
	res, err := svc.Purge(context.Background(), dryRun)
	if err != nil {
		t.Fatalf("purge: %v", err)
	}
	return res
}

func purgedRefs(res *haven.PurgeResult) string {
	var refs []string
	for _, t := range res.Reports {
		refs = append(refs, t.Ref)
	}
	return strings.Join(refs, ",")
}

func reportExists(t *testing.T, svc *haven.Service, id int64) bool {
	t.Helper()
	err := svc.Store.View(context.Background(), func(tx haven.Tx) error {
		_, err := tx.ReportByID(context.Background(), id)
		return err
	})
	if err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
		t.Fatal(err)
	}
	return err == nil
}

func purgeAudits(t *testing.T, svc *haven.Service) []*haven.AuditEvent {
	t.Helper()
	es, _, err := svc.ListAudit(context.Background(), sys, haven.AuditFilter{Action: "report.purge", Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return es
}

func TestAFinishedEspReportIsKeptAYearAfterClosingThenPurgedWithItsFilesAndSearchEntry(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newRetentionFixture(t, svc)
		acct, _, err := svc.CreateEspAccount(ctx, sys, "example-esp")
		if err != nil {
			t.Fatal(err)
		}
		sid, err := svc.OpenEspSubmission(ctx, acct, "192.0.2.7", []byte("<report><synthetic/></report>"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddEspFile(ctx, acct, "192.0.2.7", sid, "profile.txt", "text/plain", strings.NewReader("Synthetic profile text, contact 202-555-0147.")); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FinishEspSubmission(ctx, acct, "192.0.2.7", sid, func(haven.EspContent) (*haven.Report, error) {
			return &haven.Report{IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic: an account kept messaging a teen about a zebrafinch job offer."}, nil
		}); err != nil {
			t.Fatal(err)
		}
		sub, err := svc.EspSubmission(ctx, acct, sid)
		if err != nil || sub.ReportID == 0 {
			t.Fatalf("finished submission %+v: %v", sub, err)
		}
		rid := sub.ReportID
		r, err := svc.ReportDetail(ctx, sys, rid, "")
		if err != nil {
			t.Fatal(err)
		}
		ref := r.Report.Ref
		if err := svc.CloseReport(ctx, sys, rid, "referred and done"); err != nil {
			t.Fatal(err)
		}
		if n := blobFiles(t, f.dir); n != 1 {
			t.Fatalf("%d attachment files before the purge, want 1", n)
		}
		search := func() int {
			q, _ := haven.ParseSearch("zebrafinch")
			_, n, err := svc.SearchReports(ctx, sys, haven.SearchFilter{Query: q})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		if search() != 1 {
			t.Fatal("the report is not found by search before the purge")
		}

		// The ESP minimum cannot be undercut.
		err = svc.SetRetentionDays(ctx, f.admin, haven.ChannelESP, 364)
		if haven.ErrorField(err) != "days" || !strings.Contains(haven.ErrorMessage(err), "365") {
			t.Fatalf("364 days for ESP reports: %v, want a days error naming 365", err)
		}
		if err := svc.SetRetentionDays(ctx, f.super, haven.ChannelESP, 400); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("a supervisor setting the policy: %v, want forbidden", err)
		}

		c.Advance(364 * day)
		if res := purge(t, svc, false); len(res.Reports) != 0 || !reportExists(t, svc, rid) {
			t.Fatalf("364 days after closing: purged %q", purgedRefs(res))
		}
		c.Advance(2 * day)
		// Past the year, the default policy (seven years) still keeps it.
		if res := purge(t, svc, false); len(res.Reports) != 0 || !reportExists(t, svc, rid) {
			t.Fatalf("366 days after closing, default policy: purged %q", purgedRefs(res))
		}
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelESP, 365); err != nil {
			t.Fatal(err)
		}
		rules, err := svc.RetentionPolicy(ctx, f.admin)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rules {
			if r.Channel == haven.ChannelESP && (r.Days != 365 || r.Default()) || r.Channel == haven.ChannelHotline && (r.Days != haven.DefaultRetentionDays || !r.Default()) {
				t.Errorf("rule %+v", r)
			}
		}
		if es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "retention.update", Outcome: haven.OutcomeOK}); len(es) != 1 || !strings.Contains(es[0].Detail, "365") {
			t.Errorf("policy change audit: %+v", es)
		}

		// A dry run lists it and changes nothing.
		if res := purge(t, svc, true); purgedRefs(res) != ref {
			t.Fatalf("dry run lists %q, want %s", purgedRefs(res), ref)
		}
		if !reportExists(t, svc, rid) || blobFiles(t, f.dir) != 1 || search() != 1 || len(purgeAudits(t, svc)) != 0 {
			t.Fatal("the dry run changed something")
		}

		res := purge(t, svc, false)
		if purgedRefs(res) != ref {
			t.Fatalf("purged %q, want %s", purgedRefs(res), ref)
		}
		if reportExists(t, svc, rid) {
			t.Fatal("the report is still there")
		}
		if n := blobFiles(t, f.dir); n != 0 {
			t.Fatalf("%d attachment files left after the purge", n)
		}
		if search() != 0 {
			t.Fatal("search still finds the purged report")
		}
		if _, err := svc.EspSubmission(ctx, acct, sid); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("the ESP submission after the purge: %v", err)
		}
		ts, err := svc.ReportTombstone(ctx, f.admin, ref)
		if err != nil {
			t.Fatal(err)
		}
		if ts.ReportID != rid || ts.Channel != haven.ChannelESP || !ts.PurgedAt.Equal(c.Now().UTC()) || !strings.Contains(ts.Rule, "365 days") {
			t.Fatalf("tombstone %+v", ts)
		}
		es := purgeAudits(t, svc)
		if len(es) != 1 || es[0].RecordID != rid || !strings.Contains(es[0].Reason, "365 days") || !strings.Contains(es[0].Detail, ref) {
			t.Fatalf("purge audit: %+v", es)
		}
		// Running again purges nothing more.
		if res := purge(t, svc, false); len(res.Reports) != 0 || len(purgeAudits(t, svc)) != 1 {
			t.Fatalf("second run purged %q", purgedRefs(res))
		}
	})
}

func TestALegalHoldKeepsAReportOfAnyAgeUntilReleased(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newRetentionFixture(t, svc)
		r := closedReport(t, svc, haven.ChannelHotline, "Synthetic: a caller described a teen working at a nail salon.")
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelHotline, 29); haven.ErrorField(err) != "days" {
			t.Fatalf("29 days: %v, want a days error", err)
		}
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelHotline, 30); err != nil {
			t.Fatal(err)
		}

		analyst, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		if _, err := svc.PlaceLegalHold(ctx, haven.Actor{UserID: analyst.ID, Role: haven.RoleAnalyst, Via: "web"},
			haven.HoldInput{Kind: haven.HoldReport, TargetID: r.ID, Reason: "subpoena"}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("an analyst placing a hold: %v, want forbidden", err)
		}
		for _, bad := range []struct {
			in    haven.HoldInput
			field string
		}{
			{haven.HoldInput{Kind: haven.HoldReport, TargetID: r.ID}, "reason"},
			{haven.HoldInput{Kind: haven.HoldReport, TargetID: r.ID + 1000, Reason: "subpoena"}, "target_id"},
			{haven.HoldInput{Kind: "agency", TargetID: 1, Reason: "subpoena"}, "kind"},
		} {
			if _, err := svc.PlaceLegalHold(ctx, f.super, bad.in); haven.ErrorField(err) != bad.field {
				t.Errorf("hold %+v: %v, want a %s error", bad.in, err, bad.field)
			}
		}
		h, err := svc.PlaceLegalHold(ctx, f.super, haven.HoldInput{Kind: haven.HoldReport, TargetID: r.ID,
			Reason: "Records preserved for a federal case", Reference: "Subpoena 26-GJ-0147 (fictional)"})
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(10 * 365 * day)
		if res := purge(t, svc, false); len(res.Reports) != 0 || !reportExists(t, svc, r.ID) {
			t.Fatalf("held report purged: %q", purgedRefs(res))
		}
		hs, err := svc.ReportLegalHolds(ctx, f.super, r.ID)
		if err != nil || len(hs) != 1 || hs[0].Reference != "Subpoena 26-GJ-0147 (fictional)" {
			t.Fatalf("the report's holds: %+v %v", hs, err)
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, h.ID, ""); haven.ErrorField(err) != "reason" {
			t.Fatalf("release without a reason: %v", err)
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, h.ID, "The case was resolved"); err != nil {
			t.Fatal(err)
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, h.ID, "again"); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Fatalf("second release: %v, want conflict", err)
		}
		if hs, _ := svc.LegalHolds(ctx, f.admin, haven.LegalHoldFilter{OpenOnly: true}); len(hs) != 0 {
			t.Fatalf("open holds after release: %+v", hs)
		}
		for _, action := range []string{"legal_hold.place", "legal_hold.release"} {
			if es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: action, Outcome: haven.OutcomeOK}); len(es) != 1 || es[0].RecordID != h.ID {
				t.Errorf("%s audit: %+v", action, es)
			}
		}
		if res := purge(t, svc, false); purgedRefs(res) != r.Ref {
			t.Fatalf("after release purged %q, want %s", purgedRefs(res), r.Ref)
		}
	})
}

func TestACaseHoldAndAChildHoldCoverTheirReportsAndAnOpenCaseKeepsThem(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newRetentionFixture(t, svc)
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelHotline, 30); err != nil {
			t.Fatal(err)
		}
		r := closedReport(t, svc, haven.ChannelHotline, "Synthetic: a girl of about 15 seen at a truck stop.",
			haven.PersonMention{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale})
		got, err := svc.ReportDetail(ctx, sys, r.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		k, err := svc.OpenCaseFromReport(ctx, f.super, haven.OpenCase{ReportID: r.ID, Mention: got.Report.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		other := closedReport(t, svc, haven.ChannelHotline, "Synthetic: an unrelated closed call.")
		c.Advance(40 * day)
		if res := purge(t, svc, false); purgedRefs(res) != other.Ref {
			t.Fatalf("with the case open, purged %q, want only %s", purgedRefs(res), other.Ref)
		}
		for _, to := range []haven.CaseStatus{haven.CaseActive, haven.CaseLocated, haven.CaseClosed} {
			if _, err := svc.SetCaseStatus(ctx, f.super, k.ID, to, "done"); err != nil {
				t.Fatal(err)
			}
		}
		caseHold, err := svc.PlaceLegalHold(ctx, f.admin, haven.HoldInput{Kind: haven.HoldCase, TargetID: k.ID, Reason: "court order", Reference: "Order 26-0147 (fictional)"})
		if err != nil {
			t.Fatal(err)
		}
		childHold, err := svc.PlaceLegalHold(ctx, f.admin, haven.HoldInput{Kind: haven.HoldChild, TargetID: k.ChildID, Reason: "court order", Reference: "Order 26-0148 (fictional)"})
		if err != nil {
			t.Fatal(err)
		}
		if hs, _ := svc.ReportLegalHolds(ctx, f.super, r.ID); len(hs) != 2 {
			t.Fatalf("the report shows %d holds, want 2 (case and child)", len(hs))
		}
		if res := purge(t, svc, false); len(res.Reports) != 0 {
			t.Fatalf("held through its case and child: purged %q", purgedRefs(res))
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, caseHold.ID, "order lifted"); err != nil {
			t.Fatal(err)
		}
		if res := purge(t, svc, false); len(res.Reports) != 0 {
			t.Fatalf("still held through its child: purged %q", purgedRefs(res))
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, childHold.ID, "order lifted"); err != nil {
			t.Fatal(err)
		}
		if res := purge(t, svc, false); purgedRefs(res) != r.Ref {
			t.Fatalf("after both releases purged %q, want %s", purgedRefs(res), r.Ref)
		}
		// The case stays, without the purged report.
		cs, err := svc.CaseDetail(ctx, f.super, k.ID, "review")
		if err != nil {
			t.Fatalf("the case after its report was purged: %v", err)
		}
		_ = cs
	})
}

func TestAnEspAccountHoldCoversTheReportsItSent(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newRetentionFixture(t, svc)
		acct, _, err := svc.CreateEspAccount(ctx, sys, "held-esp")
		if err != nil {
			t.Fatal(err)
		}
		sid, err := svc.OpenEspSubmission(ctx, acct, "", []byte("<report><held/></report>"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := svc.FinishEspSubmission(ctx, acct, "", sid, func(haven.EspContent) (*haven.Report, error) {
			return &haven.Report{IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic ESP report."}, nil
		}); err != nil {
			t.Fatal(err)
		}
		sub, _ := svc.EspSubmission(ctx, acct, sid)
		if err := svc.CloseReport(ctx, sys, sub.ReportID, "The provider withdrew nothing; handled."); err != nil {
			t.Fatal(err)
		}
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelESP, 365); err != nil {
			t.Fatal(err)
		}
		h, err := svc.PlaceLegalHold(ctx, f.admin, haven.HoldInput{Kind: haven.HoldEspAccount, TargetID: acct.ID, Reason: "preservation request", Reference: "Request 0147 (fictional)"})
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(3 * 365 * day)
		if res := purge(t, svc, false); len(res.Reports) != 0 {
			t.Fatalf("held by its account: purged %q", purgedRefs(res))
		}
		if err := svc.ReleaseLegalHold(ctx, f.admin, h.ID, "request withdrawn"); err != nil {
			t.Fatal(err)
		}
		if res := purge(t, svc, false); len(res.Reports) != 1 {
			t.Fatalf("after release purged %q, want the one report", purgedRefs(res))
		}
	})
}

func TestAnUnfinishedEspReportExpiresAsTheProtocolSays(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		newRetentionFixture(t, svc)
		acct, _, err := svc.CreateEspAccount(ctx, sys, "slow-esp")
		if err != nil {
			t.Fatal(err)
		}
		sid, err := svc.OpenEspSubmission(ctx, acct, "", []byte("<report><unfinished/></report>"))
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(23 * time.Hour)
		if res := purge(t, svc, false); res.EspExpired != 0 {
			t.Fatalf("after 23 hours %d expired", res.EspExpired)
		}
		if _, err := svc.EspSubmission(ctx, acct, sid); err != nil {
			t.Fatalf("unfinished submission after 23 hours: %v", err)
		}
		c.Advance(2 * time.Hour)
		if res := purge(t, svc, false); res.EspExpired != 1 {
			t.Fatalf("after 25 hours %d expired, want 1", res.EspExpired)
		}
		if _, err := svc.EspSubmission(ctx, acct, sid); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("unfinished submission after 25 hours: %v", err)
		}
	})
}

func TestIdempotencyKeysOlderThanTheirWindowGo(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		record := func(key string) {
			if err := svc.Store.Update(ctx, func(tx haven.Tx) error {
				return tx.RecordIdempotent(ctx, 7, key, "hash-"+key, 1, c.Now())
			}); err != nil {
				t.Fatal(err)
			}
		}
		found := func(key string) bool {
			var ok bool
			svc.Store.View(ctx, func(tx haven.Tx) (err error) {
				_, _, ok, err = tx.IdempotentResult(ctx, 7, key)
				return err
			})
			return ok
		}
		record("old")
		c.Advance(48 * time.Hour)
		record("recent")
		c.Advance(25 * time.Hour) // old: 73 hours; recent: 25 hours
		if res := purge(t, svc, true); res.IdempotencyKeys != 1 || !found("old") {
			t.Fatalf("dry run: %d keys, old kept %v", res.IdempotencyKeys, found("old"))
		}
		if res := purge(t, svc, false); res.IdempotencyKeys != 1 {
			t.Fatalf("purged %d keys, want 1", res.IdempotencyKeys)
		}
		if found("old") || !found("recent") {
			t.Fatalf("old key kept %v, recent key kept %v", found("old"), found("recent"))
		}
		if es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "idempotency.purge"}); len(es) != 1 || !strings.Contains(es[0].Detail, "1 keys") {
			t.Fatalf("idempotency purge audit: %+v", es)
		}
	})
}

func TestTwoPurgesAtOncePurgeEachReportOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		f := newRetentionFixture(t, svc)
		if err := svc.SetRetentionDays(ctx, f.admin, haven.ChannelHotline, 30); err != nil {
			t.Fatal(err)
		}
		const n = 12
		for i := 0; i < n; i++ {
			closedReport(t, svc, haven.ChannelHotline, "Synthetic closed call.")
		}
		c.Advance(31 * day)
		var wg sync.WaitGroup
		results := make([]*haven.PurgeResult, 2)
		errs := make([]error, 2)
		for i := range results {
			wg.Add(1)
			go func() {
				defer wg.Done()
				results[i], errs[i] = svc.Purge(ctx, false)
			}()
		}
		wg.Wait()
		total := 0
		for i := range results {
			if errs[i] != nil {
				t.Fatalf("purge %d: %v", i, errs[i])
			}
			total += len(results[i].Reports)
		}
		if total != n {
			t.Fatalf("the two purges report %d purged, want %d", total, n)
		}
		es := purgeAudits(t, svc)
		seen := map[int64]bool{}
		for _, e := range es {
			if seen[e.RecordID] {
				t.Fatalf("report %d purge audited twice", e.RecordID)
			}
			seen[e.RecordID] = true
		}
		if len(es) != n {
			t.Fatalf("%d purge audit events, want %d", len(es), n)
		}
	})
}
