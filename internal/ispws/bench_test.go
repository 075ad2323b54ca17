package ispws_test

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// BenchmarkESPSubmitFinish measures what an ESP sees: a submit and a finish
// of a report with five identifiers and no files, over real HTTP to a real
// server, from many concurrent clients (the SQLite store commits concurrent
// writers together), on SQLite and on PostgreSQL. Beside it, in the same
// process and on the same database, baseline_raw_insert is the floor the
// database's commits set: one plain INSERT of a report-wide row per
// transaction from as many goroutines, straight through database/sql.
// Each reports finished reports/s (or rows/s) and the p50/p99 latency of
// one submit+finish pair.
//
//	HAVEN_TEST_POSTGRES=postgres://postgres@127.0.0.1:5432/test?sslmode=disable \
//	  go test -run '^$' -bench ESPSubmitFinish -benchtime 5s ./internal/ispws/
func BenchmarkESPSubmitFinish(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) {
		espBench(b, func(b testing.TB, dir string) (haven.Store, *sql.DB) {
			store, err := sqlite.Open(context.Background(), filepath.Join(dir, "haven.db"))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { store.Close() })
			return store, store.SQL()
		})
	})
	b.Run("postgres", func(b *testing.B) {
		espBench(b, func(b testing.TB, dir string) (haven.Store, *sql.DB) {
			store, err := postgres.Open(context.Background(), pgtest.URL(b))
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { store.Close() })
			return store, store.SQL()
		})
	})
}

// benchParallelism × GOMAXPROCS clients run at once.
const benchParallelism = 16

func espBench(b *testing.B, open func(testing.TB, string) (haven.Store, *sql.DB)) {
	b.Run("baseline_raw_insert", func(b *testing.B) {
		_, db := open(b, b.TempDir())
		insert := rawTable(b, db)
		var seq atomic.Int64
		lat := &latencies{}
		b.SetParallelism(benchParallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				n := seq.Add(1)
				start := time.Now()
				tx, err := db.Begin()
				if err == nil {
					_, err = tx.Exec(insert, fmt.Sprintf("HV-RAW-%d", n), "esp", "online_enticement", time.Now().UTC(),
						"A report from an online service provider (synthetic benchmark data).", "trust.safety@example.com", 0, "new")
				}
				if err == nil {
					err = tx.Commit()
				}
				if err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(start))
			}
		})
		lat.report(b, "rows/s")
	})
	b.Run("submit_finish", func(b *testing.B) {
		store, _ := open(b, b.TempDir())
		s := startServer(b, store, b.TempDir())
		// The job runner runs beside the server, as in haven serve: each
		// finished report's ingest job is claimed and done while the
		// benchmark runs (the ingest steps themselves are later issues').
		s.svc.Committed = s.runner.Wake
		rctx, stop := context.WithCancel(context.Background())
		ran := make(chan struct{})
		go func() { s.runner.Run(rctx); close(ran) }()
		b.Cleanup(func() { stop(); <-ran })
		acct, pw, err := s.svc.CreateEspAccount(context.Background(), haven.System("bench"), "benchesp")
		if err != nil {
			b.Fatal(err)
		}
		hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, MaxConnsPerHost: 256}}
		// Warm up: the first request verifies the password (argon2id); later
		// ones find it in the cache, as an ESP's steady stream does.
		if _, err := benchCall(hc, s.url+"/submit", "text/xml; charset=utf-8", minimalReport("warm-up"), acct.Name, pw, "<reportId>"); err != nil {
			b.Fatal(err)
		}
		before := countESP(b, s.svc)
		var seq atomic.Int64
		lat := &latencies{}
		b.SetParallelism(benchParallelism)
		b.ResetTimer()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				// Each document differs: identical bytes would be a retry.
				doc := minimalReport(fmt.Sprintf("benchmark report %d (synthetic)", seq.Add(1)))
				start := time.Now()
				id, err := benchCall(hc, s.url+"/submit", "text/xml; charset=utf-8", doc, acct.Name, pw, "<reportId>")
				if err == nil {
					_, err = benchCall(hc, s.url+"/finish", "application/x-www-form-urlencoded", url.Values{"id": {id}}.Encode(), acct.Name, pw, "<reportDoneResponse>")
				}
				if err != nil {
					b.Error(err)
					return
				}
				lat.add(time.Since(start))
			}
		})
		lat.report(b, "reports/s")
		b.StopTimer()
		// Ingest jobs not yet done when the last finish was answered: a
		// runner that keeps up leaves a backlog of about one claim batch.
		var backlog []*haven.Job
		_ = s.svc.Store.View(context.Background(), func(tx haven.Tx) (err error) {
			backlog, err = tx.ListJobs(context.Background(), haven.JobIngestReport, false, 1_000_000)
			return err
		})
		b.ReportMetric(float64(len(backlog)), "ingest_backlog")
		if n := countESP(b, s.svc) - before; n != b.N {
			b.Fatalf("%d ESP reports stored after %d submit+finish", n, b.N)
		}
	})
}

// benchCall POSTs body and returns the text of the element after mark
// (the reportId), or an error for any answer but HTTP 200.
func benchCall(hc *http.Client, u, ctype, body, user, pw, mark string) (string, error) {
	req, err := http.NewRequest("POST", u, strings.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", ctype)
	req.SetBasicAuth(user, pw)
	resp, err := hc.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return "", err
	}
	if resp.StatusCode != 200 {
		return "", fmt.Errorf("%s: HTTP %d %s", u, resp.StatusCode, b)
	}
	_, after, ok := strings.Cut(string(b), mark)
	if !ok {
		return "", fmt.Errorf("%s: no %s in %s", u, mark, b)
	}
	v, _, _ := strings.Cut(after, "<")
	return v, nil
}

func countESP(b *testing.B, svc *haven.Service) int {
	var n int
	err := svc.Store.View(context.Background(), func(tx haven.Tx) (err error) {
		n, err = tx.CountReports(context.Background(), haven.ReportFilter{Scope: haven.Scope{All: true}, Channel: haven.ChannelESP})
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	return n
}

// rawTable creates the baseline's scratch table (no index but its key) and
// returns its INSERT in the database's placeholder syntax.
func rawTable(b *testing.B, db *sql.DB) string {
	b.Helper()
	id, ts, ph := "id INTEGER PRIMARY KEY AUTOINCREMENT", "TIMESTAMP", []string{"?", "?", "?", "?", "?", "?", "?", "?"}
	if _, err := db.Exec("SELECT 1::int"); err == nil { // PostgreSQL
		id, ts = "id BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY", "TIMESTAMPTZ"
		for i := range ph {
			ph[i] = fmt.Sprintf("$%d", i+1)
		}
	}
	for _, q := range []string{"DROP TABLE IF EXISTS bench_raw_esp",
		"CREATE TABLE bench_raw_esp (" + id + ", ref TEXT NOT NULL, channel TEXT NOT NULL, incident_type TEXT NOT NULL, received_at " + ts +
			" NOT NULL, narrative TEXT NOT NULL, reporter_email TEXT NOT NULL, priority INTEGER NOT NULL, status TEXT NOT NULL)"} {
		if _, err := db.Exec(q); err != nil {
			b.Fatal(err)
		}
	}
	return "INSERT INTO bench_raw_esp (ref, channel, incident_type, received_at, narrative, reporter_email, priority, status) VALUES (" +
		strings.Join(ph, ", ") + ")"
}

// latencies collects the duration of each operation.
type latencies struct {
	mu sync.Mutex
	d  []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.d = append(l.d, d)
	l.mu.Unlock()
}

// report reports the rate (per second of the benchmark's elapsed time) and
// the p50 and p99 latencies in milliseconds.
func (l *latencies) report(b *testing.B, unit string) {
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), unit)
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.d) == 0 {
		return
	}
	slices.Sort(l.d)
	q := func(p float64) float64 { return float64(l.d[int(p*float64(len(l.d)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50_ms")
	b.ReportMetric(q(0.99), "p99_ms")
}
