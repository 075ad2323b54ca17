package bench

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/bench/latency"
	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// BenchmarkRoutingSuggestions measures Service.RoutingSuggestions (read
// the report, ask the directory who covers each of its places, rank, audit
// the read) against a fictional directory the size of a national one: one
// sheriff per county or county equivalent (3,242), a state police per
// state, DC and territory, a child-welfare agency per state, and one
// federal unit: about 3,350 agencies, imported through the service. Each
// report has three places to route by: an incident ZIP code, the child's
// home county and a phone area code (and so three directory queries).
// Baselines in the same process: Service.GetReport (the audited view of
// the same report) and a primary-key select of the report.
func BenchmarkRoutingSuggestions(b *testing.B) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			w := newRoutingWorld(b, dialect)
			b.Run("routing-suggestions", func(b *testing.B) {
				w.time(b, func(ctx context.Context, id int64) error {
					rt, err := w.svc.RoutingSuggestions(ctx, benchActor, id)
					if err == nil && len(rt.Investigators) < 3 {
						err = fmt.Errorf("report %d: %d candidates", id, len(rt.Investigators))
					}
					return err
				})
			})
			b.Run("baseline-get-report", func(b *testing.B) {
				w.time(b, func(ctx context.Context, id int64) error {
					_, err := w.svc.GetReport(ctx, benchActor, id, "")
					return err
				})
			})
			b.Run("baseline-report-by-id", func(b *testing.B) {
				w.time(b, func(ctx context.Context, id int64) error {
					return w.svc.Store.View(ctx, func(tx haven.Tx) error {
						_, err := tx.ReportByID(ctx, id)
						return err
					})
				})
			})
		})
	}
}

var benchActor = haven.System("bench")

type routingWorld struct {
	svc     *haven.Service
	reports []int64
}

func newRoutingWorld(b *testing.B, dialect string) *routingWorld {
	ctx := context.Background()
	var store haven.Store
	switch dialect {
	case "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "haven.db"))
		if err != nil {
			b.Fatal(err)
		}
		store = st
	default:
		st, err := postgres.Open(ctx, pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		store = st
	}
	b.Cleanup(func() { store.Close() })
	k, _, err := keys.LoadOrCreate(filepath.Join(b.TempDir(), "haven.keys"))
	if err != nil {
		b.Fatal(err)
	}
	svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))

	var rows []haven.AgencyImportRow
	add := func(a *haven.Agency) {
		a.Phone24x7 = "202-555-0147"
		rows = append(rows, haven.AgencyImportRow{Line: len(rows) + 2, Agency: a})
	}
	var counties []geo.County
	for _, st := range geo.States {
		for _, c := range geo.Counties(st.Code) {
			counties = append(counties, c)
			add(&haven.Agency{Name: fmt.Sprintf("%s Sheriff %s (synthetic)", c.Name, c.FIPS), Kind: haven.AgencyLawEnforcement,
				Level: haven.LevelLocal, State: c.State, Counties: []string{c.FIPS}})
		}
		add(&haven.Agency{Name: st.Name + " State Police (synthetic)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelState, State: st.Code})
		add(&haven.Agency{Name: st.Name + " Child Welfare (synthetic)", Kind: haven.AgencyChildWelfare, Level: haven.LevelState, State: st.Code})
	}
	add(&haven.Agency{Name: "Federal Child Exploitation Unit (synthetic)", Kind: haven.AgencyLawEnforcement, Level: haven.LevelFederal})
	t0 := time.Now()
	if _, err := svc.ImportAgencies(ctx, benchActor, rows, false); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d agencies imported in %v", dialect, len(rows), time.Since(t0).Round(time.Millisecond))

	zips := []string{"78701", "77002", "90012", "10001", "60601", "33101", "98101", "30303", "02108", "85001", "64105", "80202",
		"97201", "96813", "99501", "89501", "20001", "00901", "86503", "87313"}
	areaCodes := []string{"512", "213", "917", "312", "305", "206", "702", "202", "787", "404"}
	w := &routingWorld{svc: svc}
	for i := range 200 {
		c := counties[i*16%len(counties)]
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic benchmark report.",
			Places:      []haven.Place{{Role: haven.PlaceIncident, ZIP: zips[i%len(zips)]}, {Role: haven.PlaceHome, County: c.Name, State: c.State}},
			Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+1" + areaCodes[i%len(areaCodes)] + "5550147"}}}
		if err := svc.CreateReport(ctx, benchActor, r); err != nil {
			b.Fatal(err)
		}
		w.reports = append(w.reports, r.ID)
	}
	return w
}

func (w *routingWorld) time(b *testing.B, op func(ctx context.Context, id int64) error) {
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := w.reports[i%len(w.reports)]
		t0 := time.Now()
		err := op(ctx, id)
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}
