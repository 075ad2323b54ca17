package linking_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"regexp"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/linking"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// phones stands in for internal/linking/extract: North American numbers
// written with separators.
var phones = regexp.MustCompile(`\(?\b(\d{3})\)?[ .-]?(\d{3})[ .-](\d{4})\b`)

func findPhones(text string) []haven.Identifier {
	var out []haven.Identifier
	for _, m := range phones.FindAllStringSubmatch(text, -1) {
		out = append(out, haven.Identifier{Kind: haven.IDPhone, Value: m[1] + m[2] + m[3], Raw: m[0]})
	}
	return out
}

// openStore opens a fresh store of the dialect ("sqlite" or "postgres",
// which skips loudly without HAVEN_TEST_POSTGRES), closed when tb ends.
func openStore(tb testing.TB, dialect string) haven.Store {
	tb.Helper()
	var (
		st  haven.Store
		err error
	)
	if dialect == "postgres" {
		st, err = postgres.Open(context.Background(), pgtest.URL(tb))
	} else {
		st, err = sqlite.Open(context.Background(), filepath.Join(tb.TempDir(), "haven.db"))
	}
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// newService returns a service on a fresh store with a real key file, that
// links every report it ingests.
func newService(tb testing.TB, dialect string) (*haven.Service, *linking.Step) {
	tb.Helper()
	k, _, err := keys.LoadOrCreate(filepath.Join(tb.TempDir(), "haven.keys"))
	if err != nil {
		tb.Fatal(err)
	}
	svc := haven.NewService(openStore(tb, dialect), k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	step := &linking.Step{Index: k, Extract: findPhones}
	svc.Ingestions = []haven.Ingestion{step}
	return svc, step
}

var sys = haven.System("test")

func TestTheStepLinksStructuredAndFoundIdentifiersOnce(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t, dialect)
			a := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
				Narrative: "Ad text: call or text 202-555-0147, ask for Mimi.",
				People:    []haven.PersonMention{{Role: haven.PersonSuspect, Description: "drives a grey sedan, phone (202) 555-0188"}}}
			b := &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
				Narrative:   "A tip about a number.",
				Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+1 (202) 555-0188", Raw: "+1 (202) 555-0188", Source: "online"}}}
			for _, r := range []*haven.Report{a, b} {
				if err := svc.CreateReport(ctx, sys, r); err != nil {
					t.Fatal(err)
				}
			}
			for try := 0; try < 2; try++ { // the job may run twice
				for _, r := range []*haven.Report{a, b} {
					done, err := svc.IngestReport(ctx, r.ID)
					if err != nil {
						t.Fatal(err)
					}
					if err := svc.Store.Update(ctx, done); err != nil {
						t.Fatal(err)
					}
				}
			}
			got, err := svc.GetReport(ctx, sys, a.ID, "")
			if err != nil {
				t.Fatal(err)
			}
			want := []string{"+12025550147 narrative 202-555-0147", "+12025550188 people.0.description (202) 555-0188"}
			var have []string
			for _, id := range got.Identifiers {
				have = append(have, id.Value+" "+id.Source+" "+id.Raw)
			}
			if fmt.Sprint(have) != fmt.Sprint(want) {
				t.Errorf("A's identifiers after two ingests: %q, want %q", have, want)
			}
			links, err := svc.ReportLinks(ctx, sys, b.ID)
			if err != nil {
				t.Fatal(err)
			}
			if len(links.Links) != 1 || len(links.Links[0].Reports) != 1 || links.Links[0].Reports[0].ID != a.ID ||
				links.Links[0].Key.ReportCount != 2 || links.Network == nil || links.Network.Size != 2 {
				t.Errorf("B's links: %+v", links)
			}
		})
	}
}

func TestConcurrentIngestJobsLinkEveryReport(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			svc, _ := newService(t, dialect)
			// 40 reports: report i mentions phone i%8 in its narrative, and
			// every fifth also gives phone (i+1)%8 in a form, so that the
			// runner's 4 workers link reports that share numbers at once.
			var rs []*haven.Report
			for i := 0; i < 40; i++ {
				r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Status: haven.ReportNew,
					Narrative: fmt.Sprintf("Caller gives 202-555-01%02d as the number in the ad.", i%8)}
				if i%5 == 0 {
					r.Identifiers = []haven.Identifier{{Kind: haven.IDPhone, Value: fmt.Sprintf("+120255501%02d", (i+1)%8)}}
				}
				if err := svc.CreateReport(ctx, sys, r); err != nil {
					t.Fatal(err)
				}
				rs = append(rs, r)
			}
			runner := jobs.NewRunner(svc.Store, svc.Log)
			runner.Handlers[haven.JobIngestReport] = jobs.Ingest(svc)
			runner.Batch, runner.Workers = 40, 4
			runner.Now = func() time.Time { return time.Now().Add(time.Hour) }
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
				t.Fatalf("ingest jobs failed: %+v", dead[0])
			}
			// Reports 0, 5, 10 … chain phones 0→1, 5→6, 2→3, 7→0, 4→5,
			// 1→2, 6→7, 3→4: all eight phones, so every report is in one
			// network.
			want := int64(0)
			for _, r := range rs {
				links, err := svc.ReportLinks(ctx, sys, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				if links.Network == nil || links.Network.Size != 40 {
					t.Fatalf("report %d: network %+v, want all 40 reports", r.ID, links.Network)
				}
				if want == 0 {
					want = links.Network.ID
				} else if links.Network.ID != want {
					t.Errorf("report %d is in network %d, want %d", r.ID, links.Network.ID, want)
				}
			}
		})
	}
}
