package extract

import (
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"
)

// BenchmarkExtract runs Text over every line of the corpus, one call per
// line as for one report field. The baselines do the least any extractor
// must do over the same lines in the same process: one precompiled regexp
// scan for digit runs, and strings.Fields. Compare the ratios, not the
// absolute rates (see docs/benchmarks.md).
func BenchmarkExtract(b *testing.B) {
	var lines []string
	size := 0
	for _, c := range readCorpus(b, "testdata/corpus.tsv") {
		lines = append(lines, c.text)
		size += len(c.text)
	}
	digitRuns := regexp.MustCompile(`[0-9]+`)
	run := func(name string, fn func(string) int) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(size))
			n := 0
			for b.Loop() {
				for _, l := range lines {
					n += fn(l)
				}
			}
			b.ReportMetric(float64(b.N*len(lines))/b.Elapsed().Seconds(), "lines/s")
			if n < 0 {
				b.Fatal(n)
			}
		})
	}
	extract := func(s string) int { return len(Text(s)) }
	regexpDigits := func(s string) int { return len(digitRuns.FindAllStringIndex(s, -1)) }
	fields := func(s string) int { return len(strings.Fields(s)) }
	run("extract", extract)
	run("baseline-regexp-digits", regexpDigits)
	run("baseline-fields", fields)
	// In turns: each iteration times one pass of each over all the lines, so
	// that a change in the machine's load falls on all three alike. The
	// ratios reported here are the figures to compare.
	b.Run("turns", func(b *testing.B) {
		var spent [3]time.Duration
		n := 0
		for b.Loop() {
			for k, fn := range []func(string) int{extract, regexpDigits, fields} {
				runtime.GC() // each pass pays for its own garbage only
				t0 := time.Now()
				for _, l := range lines {
					n += fn(l)
				}
				spent[k] += time.Since(t0)
			}
		}
		if n < 0 {
			b.Fatal(n)
		}
		perPass := func(k int) float64 { return spent[k].Seconds() / float64(b.N) }
		b.ReportMetric(float64(size)/perPass(0)/1e6, "extract-MB/s")
		b.ReportMetric(float64(len(lines))/perPass(0), "extract-lines/s")
		b.ReportMetric(perPass(0)/perPass(1), "x-regexp-digits")
		b.ReportMetric(perPass(0)/perPass(2), "x-fields")
	})
}
