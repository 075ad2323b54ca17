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

// BenchmarkFlagInALargeNetwork measures linking a report that takes an
// identifier past the threshold (haven.FlagThreshold) inside one large
// network, the case where an identifier stopping to link could cost as much
// as the network is large. The network holds N reports
// (HAVEN_BENCH_NETWORK, default 20,000) in groups of 25 that share a
// device id each, the groups chained by one report each sharing a second
// device id with the next group's. The report measured is the 26th
// carrying a group's device id: the id is flagged, 24 of the group's
// reports leave the network (they are linked to nothing else) and the rest
// of it stays whole. Baselines in the same process and database: one
// indexed primary-key SELECT, and one single-row UPDATE with its commit.
//
//	go test ./internal/linking -run '^$' -bench FlagInALargeNetwork -benchtime 200x
//
// (PostgreSQL too when HAVEN_TEST_POSTGRES is set.)
func BenchmarkFlagInALargeNetwork(b *testing.B) {
	n := latency.Size(b, "HAVEN_BENCH_NETWORK", 20_000, 500)
	const group = haven.FlagThreshold
	groups := n / group
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			ctx := context.Background()
			svc, _ := newService(b, dialect)
			svc.Ingestions = nil
			step := &linking.Step{Index: tailIndex{}}
			start := time.Now()
			// The network: report i of group g carries the group's device id
			// g; the first report of a group carries the chain ids g-1 and g.
			groupID := func(g int) haven.Identifier {
				return haven.Identifier{Kind: haven.IDDevice, Value: benchValue(g), Source: "bench"}
			}
			chainID := func(g int) haven.Identifier {
				return haven.Identifier{Kind: haven.IDDevice, Value: benchValue(groups + g), Source: "bench"}
			}
			var first []int64 // each group's first report
			for g0 := 0; g0 < groups; g0 += 40 {
				var rs []*haven.Report
				err := svc.Store.Update(ctx, func(tx haven.Tx) error {
					for g := g0; g < min(g0+40, groups); g++ {
						for i := 0; i < group; i++ {
							r := benchReport(fmt.Sprintf("HV-N%03d-%02d", g, i))
							r.ReceivedAt = r.ReceivedAt.Add(time.Duration(g*group+i) * time.Second)
							r.Identifiers = []haven.Identifier{groupID(g)}
							if i == 0 {
								r.Identifiers = append(r.Identifiers, chainID(g))
								if g > 0 {
									r.Identifiers = append(r.Identifiers, chainID(g-1))
								}
							}
							if err := tx.CreateReport(ctx, r); err != nil {
								return err
							}
							rs = append(rs, r)
						}
					}
					return nil
				})
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range rs {
					if err := step.Ingest(ctx, svc, r); err != nil {
						b.Fatal(err)
					}
				}
				for i := 0; i < len(rs); i += group {
					first = append(first, rs[i].ID)
				}
			}
			// Fresh statistics, as autovacuum (PostgreSQL) and the daily
			// PRAGMA optimize (SQLite) keep them.
			raw, ok := svc.Store.(interface{ SQL() *sql.DB })
			if !ok {
				b.Fatalf("the store (%T) gives no raw SQL", svc.Store)
			}
			if _, err := raw.SQL().ExecContext(ctx, "ANALYZE"); err != nil {
				b.Fatal(err)
			}
			size := func() int {
				var net *haven.Network
				if err := svc.Store.View(ctx, func(tx haven.Tx) (err error) { net, err = tx.NetworkOfReport(ctx, first[0]); return err }); err != nil {
					b.Fatal(err)
				}
				return net.Size
			}
			if got := size(); got != groups*group {
				b.Fatalf("the network holds %d reports, want %d", got, groups*group)
			}
			b.Logf("%s: a network of %d reports built in %v", dialect, groups*group, time.Since(start).Round(time.Millisecond))
			flagged := 0
			b.Run(fmt.Sprintf("flag-one-in-a-network-of-%d", groups*group), func(b *testing.B) {
				if flagged+b.N > groups {
					b.Skipf("only %d groups left to flag", groups-flagged)
				}
				rs := make([]*haven.Report, b.N)
				err := svc.Store.Update(ctx, func(tx haven.Tx) error {
					for i := range rs {
						g := flagged + i
						r := benchReport(fmt.Sprintf("HV-F%05d", g))
						r.ReceivedAt = r.ReceivedAt.Add(time.Duration(n+g) * time.Second)
						r.Identifiers = []haven.Identifier{groupID(g)}
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
				before := size()
				ds := make([]time.Duration, 0, b.N)
				b.ResetTimer()
				for _, r := range rs {
					t0 := time.Now()
					if err := step.Ingest(ctx, svc, r); err != nil {
						b.Fatal(err)
					}
					ds = append(ds, time.Since(t0))
				}
				b.StopTimer()
				flagged += b.N
				latency.Report(b, ds)
				// Each flag took 24 reports out of the network.
				if got := size(); got != before-b.N*(group-1) {
					b.Fatalf("after %d flags the network holds %d reports, want %d", b.N, got, before-b.N*(group-1))
				}
			})
			b.Run("baseline-pk-select", func(b *testing.B) {
				benchView(b, svc, func(ctx context.Context, tx haven.Tx, i int) error {
					_, err := tx.NetworkOfReport(ctx, first[i%len(first)])
					return err
				})
			})
			b.Run("baseline-one-row-update", func(b *testing.B) {
				benchOneRowUpdate(b, svc, func(i int) int64 { return first[i%len(first)] })
			})
		})
	}
}
