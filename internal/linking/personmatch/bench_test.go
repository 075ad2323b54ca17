package personmatch

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// BenchmarkMatchFEBRL deduplicates each FEBRL dataset, with and without the
// id number, beside two baselines: parsing the file (ReadFEBRL from memory)
// and the simplest matcher there is, an exact-key self-join on name and
// date of birth. Each iteration runs all three in turn, so that the ratios
// (median over iterations of match time / baseline time) hold on a machine
// whose load changes by the second. It reports the median times, the
// ratios and F1, so that the figures and the accuracy come from one run.
func BenchmarkMatchFEBRL(b *testing.B) {
	dir := febrlDir(b)
	for _, ds := range []string{"dataset1", "dataset2", "dataset3"} {
		data, err := os.ReadFile(filepath.Join(dir, ds+".csv"))
		if err != nil {
			b.Fatal(err)
		}
		for _, ignoreID := range []bool{false, true} {
			name := ds + "/with-id"
			if ignoreID {
				name = ds + "/without-id"
			}
			b.Run(name, func(b *testing.B) {
				var parse, join, match, toParse, toJoin []float64
				var res *Result
				var recs []Record
				for b.Loop() {
					t0 := time.Now()
					recs, err = ReadFEBRL(bytes.NewReader(data))
					if err != nil {
						b.Fatal(err)
					}
					t1 := time.Now()
					exactJoin(recs)
					t2 := time.Now()
					if res, err = Deduplicate(recs, Options{IgnoreID: ignoreID}); err != nil {
						b.Fatal(err)
					}
					t3 := time.Now()
					p, j, m := t1.Sub(t0).Seconds(), t2.Sub(t1).Seconds(), t3.Sub(t2).Seconds()
					parse, join, match = append(parse, p), append(join, j), append(match, m)
					toParse, toJoin = append(toParse, m/p), append(toJoin, m/j)
				}
				b.ReportMetric(median(parse)*1e3, "parse-ms")
				b.ReportMetric(median(join)*1e3, "join-ms")
				b.ReportMetric(median(match)*1e3, "match-ms")
				b.ReportMetric(median(toParse), "match/parse")
				b.ReportMetric(median(toJoin), "match/join")
				b.ReportMetric(scoreResult(recs, res).f1(), "F1")
			})
		}
	}
}

func median(v []float64) float64 {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v) == 0 {
		return 0
	}
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

// exactJoin pairs records whose given name, surname and date of birth are
// all present and equal: the baseline matcher.
func exactJoin(recs []Record) [][2]int {
	groups := map[string][]int{}
	for i, r := range recs {
		if r.FirstName == "" || r.LastName == "" || r.DOB.IsZero() {
			continue
		}
		k := strings.ToLower(r.FirstName) + "\x00" + strings.ToLower(r.LastName) + "\x00" + r.DOB.String()
		groups[k] = append(groups[k], i)
	}
	var out [][2]int
	for _, g := range groups {
		for x := 0; x < len(g); x++ {
			for y := x + 1; y < len(g); y++ {
				out = append(out, [2]int{g[x], g[y]})
			}
		}
	}
	return out
}

// BenchmarkDeduplicateSynthetic deduplicates a synthetic population built
// from the FEBRL files' names and places (synthPeople): 100,000 records,
// or $HAVEN_MATCH_SYNTH_N (e.g. 1000000 for the scale target). It reports
// F1 and the candidates per record, to see how blocking holds at scale;
// then it matches the first 20,000 of the same records (or
// $HAVEN_MATCH_PG_SAMPLE) with a pg_trgm join too (benchPgTrgmSample).
func BenchmarkDeduplicateSynthetic(b *testing.B) {
	n := 100_000
	if v := os.Getenv("HAVEN_MATCH_SYNTH_N"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatalf("HAVEN_MATCH_SYNTH_N=%q: %v", v, err)
		}
	}
	dir := febrlDir(b)
	vocab := append(loadFEBRL(b, dir, "dataset2.csv"), loadFEBRL(b, dir, "dataset3.csv")...)
	recs := synthPeople(n, vocab, 42)
	b.Run(fmt.Sprintf("n=%d", n), func(b *testing.B) {
		var res *Result
		var err error
		for b.Loop() {
			if res, err = Deduplicate(recs, Options{IgnoreID: true}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(scoreResult(recs, res).f1(), "F1")
		b.ReportMetric(float64(res.Candidates)/float64(n), "candidates/record")
	})
	// The same records, a sample of them, matched in the same run by a
	// PostgreSQL pg_trgm similarity join and by Deduplicate.
	sample := min(n, 20_000)
	if v := os.Getenv("HAVEN_MATCH_PG_SAMPLE"); v != "" {
		var err error
		if sample, err = strconv.Atoi(v); err != nil || sample < 2 || sample > n {
			b.Fatalf("HAVEN_MATCH_PG_SAMPLE=%q: want 2 to %d records", v, n)
		}
	}
	b.Run(fmt.Sprintf("pg_trgm-sample=%d", sample), func(b *testing.B) { benchPgTrgmSample(b, recs[:sample]) })
}
