package linking_test

import (
	"context"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
)

// runJobs runs the job queue until nothing is due, and fails on a dead job.
func runJobs(t *testing.T, svc *haven.Service) int {
	t.Helper()
	ctx := context.Background()
	runner := jobs.NewRunner(svc.Store, svc.Log)
	runner.Handlers[haven.JobIngestReport] = jobs.Ingest(svc)
	runner.Now = func() time.Time { return time.Now().Add(time.Hour) }
	total := 0
	for {
		n, err := runner.RunDue(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			break
		}
		total += n
	}
	var dead []*haven.Job
	if err := svc.Store.View(ctx, func(tx haven.Tx) (err error) { dead, err = tx.ListJobs(ctx, "", true, 10); return err }); err != nil {
		t.Fatal(err)
	}
	if len(dead) > 0 {
		t.Fatalf("a job failed: %+v", dead[0])
	}
	return total
}

// linkedTo returns the ids of the reports linked to report id.
func linkedTo(t *testing.T, svc *haven.Service, id int64) []int64 {
	t.Helper()
	links, err := svc.ReportLinks(context.Background(), sys, id)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[int64]bool{}
	var out []int64
	for _, l := range links.Links {
		for _, r := range l.Reports {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r.ID)
			}
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

func TestAFollowUpSupplementLinksTheTipToReportsSharingWhatItAdds(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t, dialect)
			// A hotline report with a phone in its narrative, and an ESP
			// report with an email address in its fields.
			call := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
				Narrative: "The caller read out the number in the ad: 202-555-0147."}
			esp := &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
				Narrative:   "An account messaged a minor.",
				Identifiers: []haven.Identifier{{Kind: haven.IDEmail, Value: "mimi.rivers@example.com", Raw: "mimi.rivers@example.com", Source: "esp"}}}
			for _, r := range []*haven.Report{call, esp} {
				if err := svc.CreateReport(ctx, sys, r); err != nil {
					t.Fatal(err)
				}
			}
			public := haven.PublicActor("192.0.2.7")
			rc, err := svc.SubmitTip(ctx, public, haven.TipInput{IncidentType: haven.IncidentSexTrafficking,
				Narrative: "I saw an ad for a girl who looks about 15 (synthetic test data).", Contact: haven.Contact{Anonymous: true}})
			if err != nil {
				t.Fatal(err)
			}
			var tip *haven.Report
			if err := svc.Store.View(ctx, func(tx haven.Tx) (err error) { tip, err = tx.ReportByRef(ctx, rc.Ref); return err }); err != nil {
				t.Fatal(err)
			}
			if n := runJobs(t, svc); n != 3 {
				t.Fatalf("%d ingest jobs ran for three reports", n)
			}
			if got := linkedTo(t, svc, tip.ID); len(got) != 0 {
				t.Fatalf("the tip is linked before its follow-up: %v", got)
			}

			// The follow-up gives the number in its text and the email
			// address as an online detail.
			if err := svc.AddSupplement(ctx, public, haven.SupplementInput{Ref: rc.Ref, Code: rc.Code,
				Text: "The ad now says to text (202) 555-0147 instead.", Online: []string{"mimi.rivers@example.com"}}); err != nil {
				t.Fatal(err)
			}
			var queued []*haven.Job
			if err := svc.Store.View(ctx, func(tx haven.Tx) (err error) {
				queued, err = tx.ListJobs(ctx, haven.JobIngestReport, false, 10)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(queued) != 1 || queued[0].RecordID != tip.ID {
				t.Fatalf("after the supplement the queue holds %+v, want the tip's ingest job", queued)
			}
			if n := runJobs(t, svc); n != 1 {
				t.Fatalf("%d jobs ran after the supplement", n)
			}
			want := []int64{call.ID, esp.ID}
			if got := linkedTo(t, svc, tip.ID); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
				t.Fatalf("the tip is linked to %v, want %v", got, want)
			}
			if got := linkedTo(t, svc, call.ID); len(got) != 1 || got[0] != tip.ID {
				t.Errorf("the hotline report is linked to %v, want the tip", got)
			}

			// A second follow-up that repeats the number, and its job run
			// twice, add nothing.
			if err := svc.AddSupplement(ctx, public, haven.SupplementInput{Ref: rc.Ref, Code: rc.Code,
				Text: "Same number again: 202.555.0147."}); err != nil {
				t.Fatal(err)
			}
			runJobs(t, svc)
			done, err := svc.IngestReport(ctx, tip.ID)
			if err != nil {
				t.Fatal(err)
			}
			if err := svc.Store.Update(ctx, done); err != nil {
				t.Fatal(err)
			}
			got, err := svc.GetReport(ctx, sys, tip.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			var have []string
			for _, id := range got.Identifiers {
				have = append(have, string(id.Kind)+" "+id.Value+" "+id.Source)
			}
			wantIDs := []string{"email mimi.rivers@example.com supplements.0", "phone +12025550147 supplements.0"}
			sort.Strings(have)
			if strings.Join(have, "|") != strings.Join(wantIDs, "|") {
				t.Errorf("the tip's identifiers: %q, want %q", have, wantIDs)
			}
			links, err := svc.ReportLinks(ctx, sys, tip.ID)
			if err != nil {
				t.Fatal(err)
			}
			if links.Network == nil || links.Network.Size != 3 {
				t.Errorf("the tip's network: %+v, want the three reports", links.Network)
			}
			for _, l := range links.Links {
				if l.Key.ReportCount != 2 {
					t.Errorf("identifier %d counts %d reports, want 2", l.Key.ID, l.Key.ReportCount)
				}
			}
		})
	}
}
