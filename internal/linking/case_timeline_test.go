package linking_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// TestACaseTimelineJoinsTheChildsEpisodesRecoveryAndLinkedReports: a case
// opened from a missing-child report shows, in order, the report, the
// child going missing, the link (through a shared phone number) to a tip
// received later, and the recovery.
func TestACaseTimelineJoinsTheChildsEpisodesRecoveryAndLinkedReports(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t, dialect)
			now := time.Date(2026, 11, 20, 9, 0, 0, 0, time.UTC)
			svc.Now = func() time.Time { return now }
			ep, err := svc.ReportMissing(ctx, sys, &haven.MissingReport{
				Child: &haven.Child{FirstName: "Mia", LastName: "Example"},
				Episode: haven.MissingEpisode{MissingType: haven.MissingEndangeredRunaway, LastSeenAt: now.Add(-6 * time.Hour),
					LastSeen:      haven.Place{Role: haven.PlaceLastSeen, City: "Arlington", State: "VA"},
					Circumstances: "She left a note and texts from 202-555-0147 (synthetic)."},
				Reporter: haven.Contact{Name: "Rosa Example", Phone: "703-555-0110", Relationship: "parent_guardian"}})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(24 * time.Hour)
			tip := &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
				Narrative: "An online ad says to text 202-555-0147 about a girl who looks about 15 (synthetic test data)."}
			if err := svc.CreateReport(ctx, sys, tip); err != nil {
				t.Fatal(err)
			}
			for _, id := range []int64{ep.ReportID, tip.ID} {
				done, err := svc.IngestReport(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if err := svc.Store.Update(ctx, done); err != nil {
					t.Fatal(err)
				}
			}
			now = now.Add(time.Hour)
			k, err := svc.OpenCaseFromReport(ctx, sys, haven.OpenCase{ReportID: ep.ReportID, ChildID: ep.ChildID})
			if err != nil {
				t.Fatal(err)
			}
			now = now.Add(time.Hour)
			if err := svc.RecordRecovery(ctx, sys, ep.ID, &haven.Recovery{RecoveredAt: now.Add(-30 * time.Minute), RecoveredBy: "Arlington County Police",
				Place: haven.Place{Role: haven.PlaceRecovered, City: "Arlington", State: "VA"}, Screening: haven.ScreeningNegative}); err != nil {
				t.Fatal(err)
			}
			v, err := svc.CaseDetail(ctx, sys, k.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			var kinds []string
			for _, e := range v.Timeline {
				kinds = append(kinds, e.Kind)
				if e.Kind == "link" && !strings.Contains(e.Summary, tip.Ref) {
					t.Errorf("link entry %q does not name the tip %s", e.Summary, tip.Ref)
				}
			}
			if got, want := strings.Join(kinds, " "), "missing report link opened recovery"; got != want {
				t.Errorf("timeline %q, want %q", got, want)
			}
		})
	}
}
