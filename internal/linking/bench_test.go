package linking_test

import (
	"context"
	"database/sql"
	"fmt"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/bench/latency"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking"
)

// BenchmarkLinkReport measures linking one new report with 5 identifiers
// (its ingest step: normalising, computing the index entries, and the one
// transaction that enters them in the index, links the report and updates
// the networks) against an index already holding N identifiers
// (HAVEN_BENCH_KEYS, default 1,000,000), each linked to one of 1,000
// reports. One of the 5 identifiers is one of those N, so every link also
// puts the new report in a network with an old one; the other 4 are new.
// It reports the median and the 99th percentile of one link, and, as a
// baseline in the same process on the same database, of one indexed
// primary-key SELECT (a read transaction) and of one single-row UPDATE (a
// write transaction, with its commit).
//
//	go test ./internal/linking -run '^$' -bench LinkReport -benchtime 2000x
//
// (PostgreSQL too when HAVEN_TEST_POSTGRES is set.) The index entries are
// the identifiers' values themselves rather than HMACs, so that SQL can
// fill the index; an HMAC costs about a microsecond per identifier.
func BenchmarkLinkReport(b *testing.B) {
	n := latency.Size(b, "HAVEN_BENCH_KEYS", 1_000_000, 1000)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			w := newBenchWorld(b, dialect, n)
			b.Run(fmt.Sprintf("link-5-identifiers-into-%d", n), w.benchLink)
			b.Run("baseline-pk-select", w.benchSelect)
			b.Run("baseline-one-row-update", w.benchUpdate)
		})
	}
}

// benchReports is how many reports the prefilled identifiers belong to.
const benchReports = 1000

type benchWorld struct {
	svc      *haven.Service
	step     *linking.Step
	n        int   // identifiers in the index before the benchmark
	firstRep int64 // the first prefilled report
	next     int   // the next fresh identifier number
	linked   int   // reports linked so far
}

// tailIndex stands in for the key file's index key: the MAC of an
// identifier is its 32-byte value (the tail of haven.IndexInput).
type tailIndex struct{}

func (tailIndex) BlindIndex(data []byte) []byte { return append([]byte(nil), data[len(data)-32:]...) }

// benchValue is the i-th identifier's 32-character value, written the same
// way by the SQL that fills the index.
func benchValue(i int) string {
	return fmt.Sprintf("%016x%016x", (uint64(i)*2654435761)%4294967296, uint64(i))
}

func newBenchWorld(b *testing.B, dialect string, n int) *benchWorld {
	ctx := context.Background()
	svc, _ := newService(b, dialect)
	step := &linking.Step{Index: tailIndex{}}
	svc.Ingestions = nil
	w := &benchWorld{svc: svc, step: step, n: n, next: n}
	start := time.Now()

	// The reports the index's identifiers belong to.
	var ids []int64
	err := svc.Store.Update(ctx, func(tx haven.Tx) error {
		for i := 0; i < benchReports; i++ {
			r := benchReport(fmt.Sprintf("HV-BNCH-%04d", i))
			if err := tx.CreateReport(ctx, r); err != nil {
				return err
			}
			ids = append(ids, r.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if ids[len(ids)-1]-ids[0] != benchReports-1 {
		b.Fatalf("the benchmark's reports got ids %d … %d, not consecutive", ids[0], ids[len(ids)-1])
	}
	w.firstRep = ids[0]

	raw, ok := svc.Store.(interface{ SQL() *sql.DB })
	if !ok {
		b.Fatalf("the store (%T) gives no raw SQL", svc.Store)
	}
	var stmts []string
	switch dialect {
	case "sqlite":
		const at = `'2026-01-01 00:00:00+00:00'`
		stmts = []string{
			fmt.Sprintf(`INSERT INTO report_identifiers (report_id, pos, kind, value, platform, raw, source)
				WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %d)
				SELECT %d + i %% %d, i / %d, 'device', printf('%%016x%%016x', (i * 2654435761) %% 4294967296, i), '', '', 'bench' FROM n`,
				n-1, ids[0], benchReports, benchReports),
			`INSERT INTO identifier_keys (kind, platform, mac, report_count, first_seen, last_seen, state, reason)
				SELECT 'device', '', CAST(value AS BLOB), 1, ` + at + `, ` + at + `, 'active', '' FROM report_identifiers WHERE source = 'bench' ORDER BY id`,
			`INSERT INTO identifier_links (key_id, report_id, identifier_id, linked_at)
				SELECT k.id, ri.report_id, ri.id, ` + at + ` FROM report_identifiers ri
				JOIN identifier_keys k ON k.kind = 'device' AND k.mac = CAST(ri.value AS BLOB) WHERE ri.source = 'bench'`,
			`ANALYZE`,
		}
	case "postgres":
		const at = `'2026-01-01T00:00:00Z'::timestamptz`
		stmts = []string{
			fmt.Sprintf(`INSERT INTO report_identifiers (report_id, pos, kind, value, platform, raw, source)
				SELECT %d + i %% %d, i / %d, 'device', lpad(to_hex((i * 2654435761) %% 4294967296), 16, '0') || lpad(to_hex(i), 16, '0'), '', '', 'bench'
				FROM generate_series(0::bigint, %d) AS i`, ids[0], benchReports, benchReports, n-1),
			`INSERT INTO identifier_keys (kind, platform, mac, report_count, first_seen, last_seen, state, reason)
				SELECT 'device', '', convert_to(value, 'UTF8'), 1, ` + at + `, ` + at + `, 'active', '' FROM report_identifiers WHERE source = 'bench' ORDER BY id`,
			`INSERT INTO identifier_links (key_id, report_id, identifier_id, linked_at)
				SELECT k.id, ri.report_id, ri.id, ` + at + ` FROM report_identifiers ri
				JOIN identifier_keys k ON k.kind = 'device' AND k.mac = convert_to(ri.value, 'UTF8') WHERE ri.source = 'bench'`,
			`VACUUM ANALYZE`,
		}
	}
	for _, q := range stmts {
		if _, err := raw.SQL().ExecContext(ctx, q); err != nil {
			b.Fatalf("filling the index: %v\n%s", err, q)
		}
	}
	var keys, links int
	svc.Store.View(ctx, func(tx haven.Tx) error {
		keys, _ = tx.CountIdentifierKeys(ctx, haven.IdentifierKeyFilter{})
		return nil
	})
	raw.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM identifier_links`).Scan(&links)
	if keys != n || links != n {
		b.Fatalf("the index holds %d identifiers and %d links, want %d", keys, links, n)
	}
	// The prefilled identifiers must be found by the MAC the step computes.
	var k *haven.IdentifierKey
	svc.Store.View(ctx, func(tx haven.Tx) (err error) {
		k, err = tx.IdentifierKeyByMAC(ctx, haven.IDDevice, []byte(benchValue(n/2)))
		return err
	})
	if k == nil || k.ReportCount != 1 {
		b.Fatalf("identifier %d is not in the index as the step would look it up", n/2)
	}
	b.Logf("%s: filled the index with %d identifiers in %v", dialect, n, time.Since(start).Round(time.Millisecond))
	return w
}

func benchReport(ref string) *haven.Report {
	return &haven.Report{Ref: ref, Channel: haven.ChannelImport, IncidentType: haven.IncidentOther, Status: haven.ReportNew,
		ReceivedAt: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC), Narrative: "A synthetic benchmark report."}
}

func (w *benchWorld) benchLink(b *testing.B) {
	ctx := context.Background()
	// The new reports, stored before the clock starts: 4 new identifiers
	// and one already in the index each.
	rs := make([]*haven.Report, b.N)
	for start := 0; start < b.N; start += 500 {
		err := w.svc.Store.Update(ctx, func(tx haven.Tx) error {
			for i := start; i < min(start+500, b.N); i++ {
				r := benchReport(fmt.Sprintf("HV-L%07d", w.linked+i))
				r.ReceivedAt = r.ReceivedAt.Add(time.Duration(w.linked+i) * time.Second)
				for j := 0; j < 4; j++ {
					r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IDDevice, Value: benchValue(w.next), Source: "bench"})
					w.next++
				}
				old := (w.linked + i) * 7919 % w.n // spread over the index
				r.Identifiers = append(r.Identifiers, haven.Identifier{Kind: haven.IDDevice, Value: benchValue(old), Source: "bench"})
				if err := tx.CreateReport(ctx, r); err != nil {
					return err
				}
				rs[i] = r
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for _, r := range rs {
		t0 := time.Now()
		if err := w.step.Ingest(ctx, w.svc, r); err != nil {
			b.Fatal(err)
		}
		ds = append(ds, time.Since(t0))
	}
	b.StopTimer()
	w.linked += b.N
	latency.Report(b, ds)
	// Every new report is in a network with the old report it shares an
	// identifier with.
	last := rs[len(rs)-1]
	var n *haven.Network
	w.svc.Store.View(ctx, func(tx haven.Tx) (err error) { n, err = tx.NetworkOfReport(ctx, last.ID); return err })
	if n == nil || n.Size < 2 {
		b.Fatalf("the last report linked is in network %+v", n)
	}
}

func (w *benchWorld) benchSelect(b *testing.B) {
	benchView(b, w.svc, func(ctx context.Context, tx haven.Tx, i int) error {
		_, err := tx.IdentifierKeyByID(ctx, int64(i*7919%w.n+1))
		return err
	})
}

func (w *benchWorld) benchUpdate(b *testing.B) {
	benchOneRowUpdate(b, w.svc, func(i int) int64 { return w.firstRep + int64(i%benchReports) })
}

// benchView times b.N read transactions, the i-th doing read(i): the
// baseline of an indexed primary-key read.
func benchView(b *testing.B, svc *haven.Service, read func(ctx context.Context, tx haven.Tx, i int) error) {
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		err := svc.Store.View(ctx, func(tx haven.Tx) error { return read(ctx, tx, i) })
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}

// benchOneRowUpdate times b.N write transactions, each updating one row of
// the report report(i) and committing: the baseline of a write.
func benchOneRowUpdate(b *testing.B, svc *haven.Service, report func(i int) int64) {
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	at := time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		id := report(i)
		t0 := time.Now()
		err := svc.Store.Update(ctx, func(tx haven.Tx) error { return tx.MarkReportIngested(ctx, id, at) })
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}
