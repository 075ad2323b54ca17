package bench

import (
	"context"
	"flag"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

var seedReports = flag.Int("seed-reports", 10000, "how many reports BenchmarkSQLiteSeed loads per operation")

// BenchmarkSQLiteSeed measures what `haven seed --reports N` does on SQLite:
// demo.Load of a generated data set (agencies, users, children, reports in
// batches, cases) into a fresh database, next to the raw-insert baseline
// measured on a database of its own in the same process. Use -benchtime 1x:
// one operation loads -seed-reports reports.
func BenchmarkSQLiteSeed(b *testing.B) {
	ctx := context.Background()
	base := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	n := *seedReports
	d := demo.Generate(1, n, base) // for the counts; each operation loads a fresh copy
	rates := map[string]float64{}

	b.Run("baseline_raw_insert", func(b *testing.B) {
		store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "haven.db"))
		if err != nil {
			b.Fatal(err)
		}
		defer store.Close()
		raw := rawInserter(b, store.SQL(), store.Dialect())
		sample := sampleReports(100)
		const rows = 1000 // per operation, so that -benchtime 1x still measures a steady rate
		b.ResetTimer()
		for b.Loop() {
			for i := 0; i < rows; i++ {
				raw(sample[i%len(sample)])
			}
		}
		rates["baseline"] = float64(b.N*rows) / b.Elapsed().Seconds()
		b.ReportMetric(rates["baseline"], "rows/s")
	})
	b.Run("demo_load", func(b *testing.B) {
		for b.Loop() {
			b.StopTimer()
			store, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "haven.db"))
			if err != nil {
				b.Fatal(err)
			}
			k, err := keys.New()
			if err != nil {
				b.Fatal(err)
			}
			svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
			fresh := demo.Generate(1, n, base)
			b.StartTimer()
			if _, err := demo.Load(ctx, svc, fresh); err != nil {
				b.Fatal(err)
			}
			b.StopTimer()
			store.Close()
			b.StartTimer()
		}
		rates["load"] = float64(b.N*n) / b.Elapsed().Seconds()
		b.ReportMetric(rates["load"], "reports/s")
		b.ReportMetric(float64(len(d.Children)+len(d.Cases)), "children+cases/op")
	})
	if rates["baseline"] > 0 {
		b.Logf("sqlite seed of %d reports: demo_load reports/s over the baseline's rows/s = %.3f", n, rates["load"]/rates["baseline"])
	}
}
