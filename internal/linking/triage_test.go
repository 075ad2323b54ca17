package linking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/linking/extract"
	"github.com/haven-oss/haven/internal/triage"
)

// TestATipLinkedToAChildMissingNowRisesToP2NamingTheMissingReport runs the
// ingest and triage jobs as haven serve does (real extraction, linking,
// then triage): a tip that gives an obfuscated phone number is P4 on its
// own; once a missing-child report with the same number arrives and is
// linked, the tip is triaged again, rises to P2 with evidence naming the
// missing report, and the analysts are alerted.
func TestATipLinkedToAChildMissingNowRisesToP2NamingTheMissingReport(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			svc, step := newService(t, dialect)
			step.Extract = func(text string) []haven.Identifier {
				var out []haven.Identifier
				for _, f := range extract.Text(text) {
					out = append(out, f.Identifier(""))
				}
				return out
			}
			step.Normalize = extract.Normalize
			svc.Ingestions = append(svc.Ingestions, haven.TriageIngestion{})
			svc.Triager = triage.Default()
			ana, _, err := svc.CreateUser(ctx, sys, haven.NewUser{Username: "ana", Role: haven.RoleAnalyst, Password: "a long enough passphrase"})
			if err != nil {
				t.Fatal(err)
			}
			runner := jobs.NewRunner(svc.Store, svc.Log)
			runner.Handlers[haven.JobIngestReport] = jobs.Ingest(svc)
			runner.Handlers[haven.JobTriageReport] = func(ctx context.Context, j *haven.Job) (jobs.Done, error) {
				return nil, svc.Retriage(ctx, j.RecordID)
			}
			runner.Now = func() time.Time { return time.Now().Add(time.Hour) }
			runAll := func() {
				t.Helper()
				for {
					n, err := runner.RunDue(ctx)
					if err != nil {
						t.Fatal(err)
					}
					if n == 0 {
						break
					}
				}
				var dead []*haven.Job
				svc.Store.View(ctx, func(tx haven.Tx) (err error) { dead, err = tx.ListJobs(ctx, "", true, 10); return err })
				if len(dead) > 0 {
					t.Fatalf("jobs failed: %+v", dead[0])
				}
			}
			priorityOf := func(id int64) *haven.Report {
				t.Helper()
				r, err := svc.GetReport(ctx, sys, id, "test")
				if err != nil {
					t.Fatal(err)
				}
				return r
			}

			tip := &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentOther, Status: haven.ReportNew,
				Narrative: "An online ad says to text 2O2-555-Ol47 about a girl who looks about 15 (synthetic test data)."}
			if err := svc.CreateReport(ctx, sys, tip); err != nil {
				t.Fatal(err)
			}
			runAll()
			if got := priorityOf(tip.ID); got.Priority != haven.P4 {
				t.Fatalf("the tip alone: %v, want P4", got.Priority)
			}

			ep, err := svc.ReportMissing(ctx, sys, &haven.MissingReport{
				Child: &haven.Child{FirstName: "Mia", LastName: "Example"},
				Episode: haven.MissingEpisode{MissingType: haven.MissingEndangeredRunaway, LastSeenAt: time.Now().Add(-6 * time.Hour),
					LastSeen:      haven.Place{Role: haven.PlaceLastSeen, City: "Arlington", State: "VA"},
					Circumstances: "She left a note and texts from (202) 555-0147."},
				Reporter: haven.Contact{Name: "Rosa Example", Phone: "703-555-0110", Relationship: "parent_guardian"}})
			if err != nil {
				t.Fatal(err)
			}
			runAll()
			missing := priorityOf(ep.ReportID)
			if missing.Priority != haven.P2 {
				t.Errorf("the missing-child report: %v, want P2", missing.Priority)
			}
			got := priorityOf(tip.ID)
			if got.Priority != haven.P2 || got.Triage == nil || got.Triage.Fired[0].Rule != "open_missing_episode" {
				t.Fatalf("the tip after linking: %v, triage %+v; want P2 by open_missing_episode", got.Priority, got.Triage)
			}
			if ev := strings.Join(got.Triage.Fired[0].Evidence, " "); !strings.Contains(ev, missing.Ref) {
				t.Errorf("the evidence %q does not name the missing-child report %s", ev, missing.Ref)
			}
			ns, _, err := svc.ListNotifications(ctx, haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}, false, 10)
			if err != nil || len(ns) != 1 || ns[0].ReportID != tip.ID || ns[0].Kind != haven.NotifyPriorityRaised {
				t.Errorf("the analyst's notifications %+v, %v; want one about the tip's rise", ns, err)
			}
		})
	}
}
