// Package latency is for benchmarks that time their operations one by one:
// it reports the median and the 99th percentile as benchmark metrics
// (ms-p50, ms-p99), and reads the size a benchmark runs at from the
// environment. Benchmarks only: it imports testing.
package latency

import (
	"os"
	"slices"
	"strconv"
	"testing"
	"time"
)

// Report sorts ds and reports its median and 99th percentile in
// milliseconds.
func Report(b *testing.B, ds []time.Duration) {
	if len(ds) == 0 {
		return
	}
	slices.Sort(ds)
	q := func(p float64) float64 {
		return float64(ds[min(len(ds)-1, int(p*float64(len(ds))))].Nanoseconds()) / 1e6
	}
	b.ReportMetric(q(0.50), "ms-p50")
	b.ReportMetric(q(0.99), "ms-p99")
}

// Size returns the whole number in the environment variable name (def when
// it is unset), failing the benchmark when it is not a number of at least
// least.
func Size(b *testing.B, name string, def, least int) int {
	v := os.Getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < least {
		b.Fatalf("%s=%q: give a whole number, at least %d", name, v, least)
	}
	return n
}
