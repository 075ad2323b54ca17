package bench

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/bench/latency"
	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// BenchmarkQueuePage measures the analyst queue page over a store of N
// reports (100,000 by default; HAVEN_BENCH_REPORTS=1000000 for the figure
// in docs/benchmarks.md) on both stores: the server time of GET /queue (the
// unassigned view, most urgent first), GET /queue?view=all&priority=2 and
// GET /queue/deadlines, from the request entering the handler to its last
// byte written (in process, no network), with the sign-in, CSRF and
// security-header middleware of production. Baseline in the same process:
// GET /healthz through the same handler, and a primary-key select of one
// report through the store.
//
// The reports are written by SQL (a recursive CTE on SQLite,
// generate_series on PostgreSQL): a seventh of them open (new or in review),
// half of those taken by one of 20 analysts; priorities P1 2%, P2 10%, P3
// 40%, P4 48%, due 1, 4, 24 and 72 hours after arrival, over two years.
func BenchmarkQueuePage(b *testing.B) {
	n := latency.Size(b, "HAVEN_BENCH_REPORTS", 100_000, 1000)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			w := newQueueWorld(b, dialect, n)
			for _, path := range []string{"/queue", "/queue?view=all&priority=2", "/queue/deadlines", "/healthz"} {
				name := strings.NewReplacer("/", "", "?", "-", "&", "-", "=", "-").Replace(path)
				b.Run(name, func(b *testing.B) { w.page(b, path) })
			}
			b.Run("baseline-report-by-id", w.byID)
		})
	}
}

type queueWorld struct {
	svc     *haven.Service
	store   haven.Store
	raw     *sql.DB
	dialect string
	handler http.Handler
	cookie  string // the supervisor's session
	n       int
}

// benchPassword is every bench account's password.
const benchPassword = "a long enough passphrase"

// signIn signs a user in as a browser would and returns the session.
func (w *queueWorld) signIn(b *testing.B, username, secret string) string {
	ctx := context.Background()
	si, err := w.svc.SignInPassword(ctx, username, benchPassword, "192.0.2.1", "bench")
	if err != nil {
		b.Fatal(err)
	}
	code, _ := totp.GenerateCode(secret, time.Now())
	done, err := w.svc.SignInTOTP(ctx, si.Token, code, "192.0.2.1")
	if err != nil {
		b.Fatal(err)
	}
	return done.Token
}

func newQueueWorld(b *testing.B, dialect string, n int) *queueWorld {
	ctx := context.Background()
	var (
		store haven.Store
		raw   *sql.DB
	)
	switch dialect {
	case "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "haven.db"))
		if err != nil {
			b.Fatal(err)
		}
		store, raw = st, st.SQL()
	default:
		st, err := postgres.Open(ctx, pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		store, raw = st, st.SQL()
	}
	b.Cleanup(func() { store.Close() })
	k, err := keys.New()
	if err != nil {
		b.Fatal(err)
	}
	svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	sys := haven.System("bench")
	const pw = benchPassword
	var analysts []int64
	for i := 0; i < 20; i++ {
		u, _, err := svc.CreateUser(ctx, sys, haven.NewUser{Username: fmt.Sprintf("analyst%02d", i), Role: haven.RoleAnalyst, Password: pw})
		if err != nil {
			b.Fatal(err)
		}
		analysts = append(analysts, u.ID)
	}
	sup, secret, err := svc.CreateUser(ctx, sys, haven.NewUser{Username: "supervisor", Role: haven.RoleSupervisor, Password: pw})
	if err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	fillQueue(b, raw, dialect, n, analysts[0])
	b.Logf("%s: wrote %d reports in %v", dialect, n, time.Since(start).Round(time.Millisecond))

	srv := havenhttp.New(havenhttp.Options{Service: svc, Store: store, Log: svc.Log, Registry: prometheus.NewRegistry(), Version: "bench"})
	w := &queueWorld{svc: svc, store: store, raw: raw, dialect: dialect, handler: srv.Handler(), n: n}
	w.cookie = w.signIn(b, sup.Username, secret)
	// The page works, and shows the queue.
	rec := w.get("/queue")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="queue-table"`) {
		b.Fatalf("GET /queue: %d\n%.2000s", rec.Code, rec.Body.String())
	}
	return w
}

// fillQueue writes n reports by SQL; analysts are the 20 consecutive user
// ids from first.
func fillQueue(b *testing.B, raw *sql.DB, dialect string, n int, first int64) {
	// Shared expressions over i (0 … n-1); the SQL of each dialect names
	// its times.
	const (
		open     = `(i % 7 = 0)`
		priority = `(CASE WHEN i % 50 = 0 THEN 1 WHEN i % 10 = 1 THEN 2 WHEN i % 10 IN (2, 3, 4, 5) THEN 3 ELSE 4 END)`
		hours    = `(CASE WHEN i % 50 = 0 THEN 1 WHEN i % 10 = 1 THEN 4 WHEN i % 10 IN (2, 3, 4, 5) THEN 24 ELSE 72 END)`
		channel  = `(CASE i % 4 WHEN 0 THEN 'public_tip' WHEN 1 THEN 'hotline' WHEN 2 THEN 'esp' ELSE 'missing_child' END)`
	)
	status := `CASE WHEN ` + open + ` AND i % 2 = 0 THEN 'new' WHEN ` + open + ` THEN 'in_review' WHEN i % 3 = 0 THEN 'referred' ELSE 'closed' END`
	taken := `(` + open + ` AND i % 10 = 5) OR NOT ` + open
	assignee := fmt.Sprintf(`CASE WHEN %s THEN %d + (i %% 20) ELSE NULL END`, taken, first)
	cols := `ref, channel, incident_type, received_at, narrative, state, priority, status, assigned_to, created_at, updated_at, due_at, first_action_at`
	var q string
	switch dialect {
	case "sqlite":
		at := func(offset string) string {
			return `strftime('%Y-%m-%d %H:%M:%S', '2025-01-01', '+' || (` + offset + `) || ' seconds') || '+00:00'`
		}
		recv := `(i * 63072000 / ` + strconv.Itoa(n) + `)`
		q = `INSERT INTO reports (` + cols + `)
		WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < ` + strconv.Itoa(n-1) + `)
		SELECT 'HV-Q' || printf('%08d', i), ` + channel + `, 'child_sex_trafficking', ` + at(recv) + `,
			'A synthetic report for the queue benchmark.', 'TX', ` + priority + `, ` + status + `, ` + assignee + `,
			` + at(recv) + `, ` + at(recv) + `, ` + at(recv+` + 3600 * `+hours) + `,
			CASE WHEN ` + taken + ` THEN ` + at(recv+` + 600`) + ` ELSE NULL END
		FROM s`
	default:
		recv := `(timestamptz '2025-01-01 00:00:00+00' + (i::bigint * 63072000 / ` + strconv.Itoa(n) + `) * interval '1 second')`
		q = `INSERT INTO reports (` + cols + `)
		SELECT 'HV-Q' || lpad(i::text, 8, '0'), ` + channel + `, 'child_sex_trafficking', ` + recv + `,
			'A synthetic report for the queue benchmark.', 'TX', ` + priority + `, ` + status + `, ` + assignee + `,
			` + recv + `, ` + recv + `, ` + recv + ` + ` + hours + ` * interval '1 hour',
			CASE WHEN ` + taken + ` THEN ` + recv + ` + interval '10 minutes' ELSE NULL END
		FROM generate_series(0, ` + strconv.Itoa(n-1) + `) AS s(i)`
	}
	// Statistics, and on PostgreSQL the visibility map that autovacuum
	// keeps on a table in steady use (index-only scans need it).
	after := "ANALYZE"
	if dialect != "sqlite" {
		after = "VACUUM ANALYZE"
	}
	for _, stmt := range []string{q, after} {
		if _, err := raw.Exec(stmt); err != nil {
			b.Fatalf("filling the reports: %v\n%s", err, stmt)
		}
	}
}

func (w *queueWorld) get(path string) *httptest.ResponseRecorder {
	return w.getAs(w.cookie, path)
}

func (w *queueWorld) getAs(cookie, path string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = "192.0.2.1:4000"
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: cookie})
	rec := httptest.NewRecorder()
	w.handler.ServeHTTP(rec, req)
	return rec
}

func (w *queueWorld) page(b *testing.B, path string) { w.pageAs(b, w.cookie, path) }

func (w *queueWorld) pageAs(b *testing.B, cookie, path string) {
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		rec := w.getAs(cookie, path)
		ds = append(ds, time.Since(t0))
		if rec.Code != http.StatusOK {
			b.Fatalf("GET %s: %d\n%.1000s", path, rec.Code, rec.Body.String())
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}

func (w *queueWorld) byID(b *testing.B) {
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := int64(i*7919%w.n + 1)
		t0 := time.Now()
		err := w.svc.Store.View(ctx, func(tx haven.Tx) error {
			_, err := tx.ReportByID(ctx, id)
			return err
		})
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}
