package personmatch

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/haven-oss/haven/internal/postgres/pgtest"
)

// benchPgTrgmSample matches recs (a sample of a benchmark's population)
// twice in the same run: with Deduplicate (no id number), and with a
// hand-weighted PostgreSQL pg_trgm similarity join of the kind the FEBRL
// data's README describes (candidates from name trigram similarity and
// from equal dates of birth; a score from name and address similarity,
// date of birth and ZIP). It reports both times, their ratio and both F1
// scores. The PostgreSQL time is the query's alone: the rows are loaded and
// indexed beforehand. Without HAVEN_TEST_POSTGRES it skips, loudly.
func benchPgTrgmSample(b *testing.B, recs []Record) {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.URL(b))
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(context.Background())
	loadTrgm(b, conn, recs)

	var goTimes, pgTimes []float64
	var goRes *Result
	var pgPairs [][2]string
	for b.Loop() {
		t0 := time.Now()
		if goRes, err = Deduplicate(recs, Options{IgnoreID: true}); err != nil {
			b.Fatal(err)
		}
		t1 := time.Now()
		pgPairs = trgmJoin(b, conn, recs)
		t2 := time.Now()
		goTimes, pgTimes = append(goTimes, t1.Sub(t0).Seconds()), append(pgTimes, t2.Sub(t1).Seconds())
	}
	g, p := median(goTimes), median(pgTimes)
	b.ReportMetric(g, "deduplicate-s")
	b.ReportMetric(p, "pg_trgm-s")
	b.ReportMetric(p/g, "pg_trgm/deduplicate")
	b.ReportMetric(scoreResult(recs, goRes).f1(), "deduplicate-F1")
	b.ReportMetric(scoreIDPairs(recs, pgPairs).f1(), "pg_trgm-F1")
}

// loadTrgm puts the records in a table with the trigram and date indexes
// the join uses.
func loadTrgm(b *testing.B, conn *pgx.Conn, recs []Record) {
	ctx := context.Background()
	var schema string
	if err := conn.QueryRow(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		"CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public",
		"SET search_path TO " + pgx.Identifier{schema}.Sanitize() + ", public",
		"CREATE TABLE people (i int PRIMARY KEY, name text NOT NULL, addr text NOT NULL, dob text NOT NULL, zip text NOT NULL)",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
	rows := make([][]any, len(recs))
	for i, r := range recs {
		name := strings.ToLower(strings.TrimSpace(r.FirstName + " " + r.LastName))
		addr := strings.ToLower(strings.TrimSpace(strings.Join([]string{r.StreetNumber, r.Street, r.Street2, r.City}, " ")))
		rows[i] = []any{i, name, addr, r.DOB.String(), r.ZIP}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{"people"}, []string{"i", "name", "addr", "dob", "zip"}, pgx.CopyFromRows(rows)); err != nil {
		b.Fatal(err)
	}
	for _, q := range []string{
		"CREATE INDEX people_name_trgm ON people USING gist (name gist_trgm_ops)",
		"CREATE INDEX people_dob ON people (dob) WHERE dob <> ''",
		"ANALYZE people",
		"SET pg_trgm.similarity_threshold = 0.5",
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			b.Fatalf("%s: %v", q, err)
		}
	}
}

// trgmJoin runs the hand-weighted similarity join and returns the pairs of
// record ids it keeps.
func trgmJoin(b *testing.B, conn *pgx.Conn, recs []Record) [][2]string {
	const q = `WITH c AS (
		SELECT a.i AS ai, c.i AS ci FROM people a JOIN people c ON a.i < c.i AND a.name % c.name
		UNION
		SELECT a.i, c.i FROM people a JOIN people c ON a.i < c.i AND a.dob = c.dob AND a.dob <> ''
	)
	SELECT ai, ci FROM c JOIN people a ON a.i = c.ai JOIN people d ON d.i = c.ci
	WHERE 2 * similarity(a.name, d.name) + similarity(a.addr, d.addr)
		+ CASE WHEN a.dob = d.dob AND a.dob <> '' THEN 1.5 ELSE 0 END
		+ CASE WHEN a.zip = d.zip AND a.zip <> '' THEN 0.5 ELSE 0 END >= 2.6`
	rows, err := conn.Query(context.Background(), q)
	if err != nil {
		b.Fatal(err)
	}
	defer rows.Close()
	var out [][2]string
	for rows.Next() {
		var x, y int
		if err := rows.Scan(&x, &y); err != nil {
			b.Fatal(err)
		}
		out = append(out, [2]string{recs[x].ID, recs[y].ID})
	}
	if err := rows.Err(); err != nil {
		b.Fatal(fmt.Errorf("pg_trgm join: %w", err))
	}
	return out
}
