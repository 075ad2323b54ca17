package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// BenchmarkSQLiteReportInsert measures storing reports on SQLite (a file in
// a temporary directory, with the settings sqlite.Open uses in production).
func BenchmarkSQLiteReportInsert(b *testing.B) {
	reportInsert(b, func(b testing.TB) (haven.Store, *sql.DB) {
		store, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "haven.db"))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		return store, store.SQL()
	})
}

// BenchmarkPostgresReportInsert measures the same on PostgreSQL, in a fresh
// schema of the database named by HAVEN_TEST_POSTGRES.
func BenchmarkPostgresReportInsert(b *testing.B) {
	reportInsert(b, func(b testing.TB) (haven.Store, *sql.DB) {
		store, err := postgres.Open(context.Background(), pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { store.Close() })
		return store, store.SQL()
	})
}

// reportInsert runs the report-insert sub-benchmarks, each on a fresh,
// empty store from open (so that no figure pays for rows another left):
//
//   - baseline_raw_insert: one plain INSERT of a row as wide as a report's
//     main row into a scratch table with no index but its key, one row per
//     transaction, straight through the store's *sql.DB — the floor that the
//     database's commit costs set;
//   - create_report: Service.CreateReport of a generated report with five
//     identifiers, two people and one place, one per transaction, with its
//     audit append;
//   - create_report_16_writers: the same from 16 goroutines at once (what
//     many clients do; the store may commit concurrent writes together);
//   - import_batch_1000: Service.ImportReports of 1,000 such reports in one
//     transaction, each with its own audit event;
//   - paired_create_report and paired_import_batch_1000: the baseline and
//     the operation measured in turns within each iteration, so that both
//     see the same load on a shared machine; they report the ratio itself
//     (reports/s over raw rows/s) as "ratio".
//
// The unpaired ones report reports/s; at the end their rates are logged as
// ratios to the baseline measured a moment before in the same process.
func reportInsert(b *testing.B, open func(testing.TB) (haven.Store, *sql.DB)) {
	ctx := context.Background()
	k, err := keys.New()
	if err != nil {
		b.Fatal(err)
	}
	newService := func(store haven.Store) *haven.Service {
		return haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	}
	sample := sampleReports(2000)
	a := haven.System("bench")
	rates := map[string]float64{}
	rate := func(b *testing.B, name string, perOp int) {
		r := float64(b.N*perOp) / b.Elapsed().Seconds()
		b.ReportMetric(r, "reports/s")
		rates[name] = r // the last (longest) run wins
	}
	batch := func(i int) []*haven.Report {
		rs := make([]*haven.Report, 1000)
		for j := range rs {
			rs[j] = clone(sample[(i*1000+j)%len(sample)])
		}
		return rs
	}

	b.Run("baseline_raw_insert", func(b *testing.B) {
		store, db := open(b)
		raw := rawInserter(b, db, store.Dialect())
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			raw(sample[i%len(sample)])
		}
		rate(b, "baseline_raw_insert", 1)
	})
	b.Run("create_report", func(b *testing.B) {
		store, _ := open(b)
		svc := newService(store)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			if err := svc.CreateReport(ctx, a, clone(sample[i%len(sample)])); err != nil {
				b.Fatal(err)
			}
		}
		rate(b, "create_report", 1)
	})
	b.Run("create_report_16_writers", func(b *testing.B) {
		store, _ := open(b)
		svc := newService(store)
		var next atomic.Int64
		b.SetParallelism(8) // 8 × GOMAXPROCS goroutines
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(next.Add(1))
				if err := svc.CreateReport(ctx, a, clone(sample[i%len(sample)])); err != nil {
					b.Error(err)
					return
				}
			}
		})
		rate(b, "create_report_16_writers", 1)
	})
	b.Run("import_batch_1000", func(b *testing.B) {
		store, _ := open(b)
		svc := newService(store)
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			rs := batch(i)
			b.StartTimer()
			if err := svc.ImportReports(ctx, a, rs); err != nil {
				b.Fatal(err)
			}
		}
		rate(b, "import_batch_1000", 1000)
	})
	b.Run("paired_create_report", func(b *testing.B) {
		store, db := open(b)
		svc := newService(store)
		raw := rawInserter(b, db, store.Dialect())
		var rawTime, opTime time.Duration
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			r := clone(sample[i%len(sample)])
			rawTime += timed(func() { raw(r) })
			opTime += timed(func() {
				if err := svc.CreateReport(ctx, a, r); err != nil {
					b.Fatal(err)
				}
			})
		}
		pairedMetrics(b, b.N, rawTime, b.N, opTime)
	})
	b.Run("paired_import_batch_1000", func(b *testing.B) {
		store, db := open(b)
		svc := newService(store)
		raw := rawInserter(b, db, store.Dialect())
		var rawTime, opTime time.Duration
		b.ResetTimer()
		for i := 0; b.Loop(); i++ {
			b.StopTimer()
			rs := batch(i)
			b.StartTimer()
			rawTime += timed(func() {
				for _, r := range rs {
					raw(r)
				}
			})
			opTime += timed(func() {
				if err := svc.ImportReports(ctx, a, rs); err != nil {
					b.Fatal(err)
				}
			})
		}
		pairedMetrics(b, b.N*1000, rawTime, b.N*1000, opTime)
	})
	if base := rates["baseline_raw_insert"]; base > 0 {
		b.Logf("reports/s over the baseline's rows/s: create_report %.3f, create_report_16_writers %.3f, import_batch_1000 %.3f",
			rates["create_report"]/base, rates["create_report_16_writers"]/base, rates["import_batch_1000"]/base)
	}
}

// timed returns how long f took.
func timed(f func()) time.Duration {
	t := time.Now()
	f()
	return time.Since(t)
}

// pairedMetrics reports a paired sub-benchmark's two rates and their ratio.
func pairedMetrics(b *testing.B, rawRows int, rawTime time.Duration, reports int, opTime time.Duration) {
	rawRate := float64(rawRows) / rawTime.Seconds()
	opRate := float64(reports) / opTime.Seconds()
	b.ReportMetric(rawRate, "raw_rows/s")
	b.ReportMetric(opRate, "reports/s")
	b.ReportMetric(opRate/rawRate, "ratio")
}

// rawInserter creates the baseline's scratch table in db and returns a
// function that inserts one report's main row into it in a transaction of
// its own.
func rawInserter(b *testing.B, db *sql.DB, dialect string) func(*haven.Report) {
	ctx := context.Background()
	insert := createScratch(b, db, dialect)
	return func(r *haven.Report) {
		tx, err := db.BeginTx(ctx, nil)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := tx.ExecContext(ctx, insert, scratchRow(r)...); err != nil {
			b.Fatal(err)
		}
		if err := tx.Commit(); err != nil {
			b.Fatal(err)
		}
	}
}

// sampleReports returns n generated reports shaped alike: five identifiers,
// two people (the child and a suspect) and one place — an ESP report.
func sampleReports(n int) []*haven.Report {
	d := demo.Generate(1, 4*n, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	var out []*haven.Report
	for len(out) < n {
		for _, r := range d.Reports {
			if r.Channel != haven.ChannelESP || len(out) == n {
				continue
			}
			c := clone(r)
			c.Identifiers = c.Identifiers[:5]
			c.People = append(c.People[:1], haven.PersonMention{Role: haven.PersonSuspect, Nickname: "Demo", Sex: haven.SexMale,
				Description: "Adult, about 30; drives a grey pickup truck."})
			c.Places = c.Places[:1]
			out = append(out, c)
		}
	}
	return out
}

// clone copies a report deeply enough for the store to fill in fresh IDs.
func clone(r *haven.Report) *haven.Report {
	c := *r
	c.ID, c.Ref = 0, ""
	c.Places = append([]haven.Place(nil), r.Places...)
	c.People = append([]haven.PersonMention(nil), r.People...)
	c.Identifiers = append([]haven.Identifier(nil), r.Identifiers...)
	c.Indicators = append([]string(nil), r.Indicators...)
	for i := range c.People {
		c.People[i].ID, c.People[i].ReportID = 0, 0
	}
	for i := range c.Identifiers {
		c.Identifiers[i].ID, c.Identifiers[i].ReportID = 0, 0
	}
	return &c
}

// scratchColumns mirror the reports table's own columns (everything but
// places, people, identifiers and the audit event, which live elsewhere).
var scratchColumns = []string{
	"ref", "channel", "incident_type", "missing_type", "received_at", "narrative", "state",
	"reporter_name", "reporter_phone", "reporter_email", "reporter_organization", "reporter_relationship",
	"indicators", "priority", "status", "created_at", "updated_at",
}

// createScratch creates the baseline's scratch table and returns its INSERT.
func createScratch(b *testing.B, db *sql.DB, dialect string) string {
	b.Helper()
	id, ts, param := "id INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP", func(int) string { return "?" }
	if dialect == "postgres" {
		id, ts, param = "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ", func(i int) string { return fmt.Sprintf("$%d", i) }
	}
	cols, params := []string{id}, []string{}
	for i, c := range scratchColumns {
		typ := "TEXT"
		switch c {
		case "received_at", "created_at", "updated_at":
			typ = ts
		case "priority":
			typ = "INTEGER"
		}
		cols = append(cols, c+" "+typ+" NOT NULL")
		params = append(params, param(i+1))
	}
	for _, stmt := range []string{
		"DROP TABLE IF EXISTS bench_raw_reports",
		"CREATE TABLE bench_raw_reports (" + strings.Join(cols, ", ") + ")",
	} {
		if _, err := db.Exec(stmt); err != nil {
			b.Fatal(err)
		}
	}
	return "INSERT INTO bench_raw_reports (" + strings.Join(scratchColumns, ", ") + ") VALUES (" + strings.Join(params, ", ") + ")"
}

var seq int

// scratchRow is r's main row for the scratch table.
func scratchRow(r *haven.Report) []any {
	seq++
	now := time.Now().UTC()
	return []any{
		fmt.Sprintf("HV-BENCH-%d", seq), string(r.Channel), string(r.IncidentType), string(r.MissingType), r.ReceivedAt, r.Narrative, "TX",
		r.Reporter.Name, r.Reporter.Phone, r.Reporter.Email, r.Reporter.Organization, r.Reporter.Relationship,
		`["online_ads"]`, int(r.Priority), string(r.Status), now, now,
	}
}
