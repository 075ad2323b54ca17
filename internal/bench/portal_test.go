package bench

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/bench/latency"
	"github.com/haven-oss/haven/internal/haven"
)

// BenchmarkPortal measures the pages of issue 6 that grow with the number
// of referrals and reports, over the queue benchmark's N reports
// (HAVEN_BENCH_REPORTS, default 100,000) of which every referred one (about
// 28%) was referred to one of 50 agencies: an officer's portal (their
// agency's referrals, newest first, one page, with the count) and their
// agency's statistics; the clearinghouse's list of all referrals; the
// supervisor's home page (its figures and the map of the last 30 days'
// reports by state) and the map's count alone (Service.ReportsByState). Server time in process, median and 99th percentile, on SQLite and
// (with HAVEN_TEST_POSTGRES) PostgreSQL, with the queue benchmark's
// primary-key read as the baseline.
//
//	HAVEN_BENCH_REPORTS=1000000 go test ./internal/bench -run '^$' -bench Portal -benchtime 200x -timeout 2h
func BenchmarkPortal(b *testing.B) {
	n := latency.Size(b, "HAVEN_BENCH_REPORTS", 100_000, 1000)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			w := newQueueWorld(b, dialect, n)
			officer := w.fillReferrals(b, 50)
			for _, p := range []struct{ name, cookie, path string }{
				{"officer-portal", officer, "/portal"},
				{"officer-statistics", officer, "/portal/statistics"},
				{"staff-referrals", w.cookie, "/referrals"},
				{"supervisor-home", w.cookie, "/"},
			} {
				b.Run(p.name, func(b *testing.B) { w.pageAs(b, p.cookie, p.path) })
			}
			b.Run("map-reports-by-state", w.stateMap)
			b.Run("baseline-report-by-id", w.byID)
		})
	}
}

// fillReferrals adds agencies agencies and refers every referred report to
// one of them (by SQL), in every referral state, and returns the session
// of an officer of the first agency.
func (w *queueWorld) fillReferrals(b *testing.B, agencies int) string {
	ctx := context.Background()
	sys := haven.System("bench")
	var first int64
	for i := 0; i < agencies; i++ {
		a := &haven.Agency{Name: fmt.Sprintf("Bench Police Department %02d", i), Kind: haven.AgencyLawEnforcement,
			Level: haven.LevelLocal, State: "TX", Phone24x7: "512-555-0100"}
		if err := w.svc.CreateAgency(ctx, sys, a); err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			first = a.ID
		}
	}
	u, secret, err := w.svc.CreateUser(ctx, sys, haven.NewUser{Username: "officer", Role: haven.RoleOfficer, AgencyID: first, Password: benchPassword})
	if err != nil {
		b.Fatal(err)
	}
	state := `CASE r.id % 5 WHEN 0 THEN 'sent' WHEN 1 THEN 'received' WHEN 2 THEN 'acknowledged' ELSE 'outcome_recorded' END`
	outcome := `CASE WHEN r.id % 5 >= 3 THEN (CASE r.id % 3 WHEN 0 THEN 'investigation_opened' WHEN 1 THEN 'child_located' ELSE 'unfounded' END) ELSE '' END`
	ack := `CASE WHEN r.id % 5 >= 2 THEN r.received_at ELSE NULL END`
	q := `INSERT INTO referrals (report_id, agency_id, state, outcome, sent_at, received_at, acknowledged_at, outcome_at, package)
	SELECT r.id, ` + strconv.FormatInt(first, 10) + ` + r.id % ` + strconv.Itoa(agencies) + `, ` + state + `, ` + outcome + `,
		r.received_at, CASE WHEN r.id % 5 >= 1 THEN r.received_at ELSE NULL END, ` + ack + `,
		CASE WHEN r.id % 5 >= 3 THEN r.received_at ELSE NULL END, '{}'
	FROM reports r WHERE r.status = 'referred'`
	after := "ANALYZE"
	if w.dialect != "sqlite" {
		after = "VACUUM ANALYZE"
	}
	for _, stmt := range []string{q, after} {
		if _, err := w.raw.Exec(stmt); err != nil {
			b.Fatalf("filling the referrals: %v\n%s", err, stmt)
		}
	}
	var n int
	if err := w.raw.QueryRow(`SELECT COUNT(*) FROM referrals`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	b.Logf("%s: %d referrals to %d agencies", w.dialect, n, agencies)
	cookie := w.signIn(b, u.Username, secret)
	// The portal works, and lists the officer's agency's referrals only.
	rec := w.getAs(cookie, "/portal")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `id="referrals"`) {
		b.Fatalf("GET /portal: %d\n%.2000s", rec.Code, rec.Body.String())
	}
	return cookie
}

// stateMap times the supervisor map's count: the reports of the last 30
// days by state.
func (w *queueWorld) stateMap(b *testing.B) {
	ctx := context.Background()
	sup, err := w.svc.UserByUsername(ctx, haven.System("bench"), "supervisor")
	if err != nil {
		b.Fatal(err)
	}
	a := haven.Actor{UserID: sup.ID, Username: sup.Username, Role: haven.RoleSupervisor}
	since := time.Now().AddDate(0, 0, -30)
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		_, err := w.svc.ReportsByState(ctx, a, since)
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}
