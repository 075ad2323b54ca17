package loadgen

import (
	"math"
	"slices"
	"sort"
	"time"
)

// The operations a run measures. The composite ones (OpReport, OpTip) are
// timed from the request's scheduled start, so that time spent waiting for
// the generator or for a free slot counts (no coordinated omission); the
// single calls are timed from when each was sent.
const (
	OpReport      = "report"       // ESP submit → (upload → fileinfo) → finish, from the scheduled start
	OpESPSubmit   = "esp_submit"   // POST /ispws/submit
	OpESPUpload   = "esp_upload"   // POST /ispws/upload
	OpESPFileInfo = "esp_fileinfo" // POST /ispws/fileinfo
	OpESPFinish   = "esp_finish"   // POST /ispws/finish
	OpTip         = "tip"          // GET /tip → POST /tip, from the scheduled start
	OpTipForm     = "tip_form"     // GET /tip
	OpTipPost     = "tip_post"     // POST /tip
)

// opOrder is the order operations are printed in.
var opOrder = []string{OpReport, OpESPSubmit, OpESPUpload, OpESPFileInfo, OpESPFinish, OpTip, OpTipForm, OpTipPost}

// Latency summarises one operation's latencies: exact nearest-rank
// percentiles over every sample (a run keeps them all: a few bytes each).
type Latency struct {
	Count  int     `json:"count"`
	Errors int     `json:"errors"`
	P50ms  float64 `json:"p50_ms"`
	P90ms  float64 `json:"p90_ms"`
	P99ms  float64 `json:"p99_ms"`
	MaxMs  float64 `json:"max_ms"`
	MeanMs float64 `json:"mean_ms"`
}

// percentile returns the nearest-rank p-th percentile (0 < p ≤ 100) of
// sorted, or 0 when it is empty: the smallest sample with at least p% of
// the samples at or below it.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	rank := int(math.Ceil(p / 100 * float64(len(sorted))))
	rank = min(max(rank, 1), len(sorted))
	return sorted[rank-1]
}

func ms(d time.Duration) float64 { return math.Round(float64(d)/float64(time.Microsecond)) / 1000 }

// summarise computes a Latency from samples (sorted in place).
func summarise(samples []time.Duration, errors int) Latency {
	slices.Sort(samples)
	l := Latency{Count: len(samples), Errors: errors}
	if len(samples) == 0 {
		return l
	}
	var sum time.Duration
	for _, s := range samples {
		sum += s
	}
	l.P50ms, l.P90ms, l.P99ms = ms(percentile(samples, 50)), ms(percentile(samples, 90)), ms(percentile(samples, 99))
	l.MaxMs = ms(samples[len(samples)-1])
	l.MeanMs = ms(sum / time.Duration(len(samples)))
	return l
}

// window collects what completed during one interval: the latencies of
// successful operations, and failures by operation and kind. It is not
// safe for concurrent use; recorder guards it.
type window struct {
	lat    map[string][]time.Duration
	errs   map[string]int  // op → failures
	kinds  map[string]int  // "op: kind" → failures
	lag    []time.Duration // generator's own lag: schedule → send, slot wait excluded
	starts int             // requests sent
	unsent int             // scheduled but never sent (no free slot before the end)
}

func newWindow() *window {
	return &window{lat: map[string][]time.Duration{}, errs: map[string]int{}, kinds: map[string]int{}}
}

func (w *window) ok(op string, d time.Duration) { w.lat[op] = append(w.lat[op], d) }

func (w *window) fail(op, kind string) {
	w.errs[op]++
	w.kinds[op+": "+kind]++
}

// merge adds o's records to w.
func (w *window) merge(o *window) {
	for op, s := range o.lat {
		w.lat[op] = append(w.lat[op], s...)
	}
	for op, n := range o.errs {
		w.errs[op] += n
	}
	for k, n := range o.kinds {
		w.kinds[k] += n
	}
	w.lag = append(w.lag, o.lag...)
	w.starts += o.starts
	w.unsent += o.unsent
}

// Stats is the summary of a window: an interval or a whole run.
type Stats struct {
	// Requests is how many scheduled requests (ESP reports and tips)
	// completed, successfully or not; Errors how many of them failed.
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	// Unsent counts requests that were due but could not be sent before
	// the end because --max-inflight requests were already waiting.
	Unsent int `json:"unsent,omitempty"`
	// ErrorKinds counts failures by "operation: kind".
	ErrorKinds map[string]int `json:"error_kinds,omitempty"`
	// Ops summarises each operation's latency.
	Ops map[string]Latency `json:"ops"`
	// GeneratorLagP99ms is the 99th percentile of the generator's own
	// delay between a request's scheduled start and its sending, not
	// counting waits for a free slot: above a few milliseconds, the
	// generator itself is short of CPU.
	GeneratorLagP99ms float64 `json:"generator_lag_p99_ms"`
}

// ErrorRate is the share of requests that failed or were never sent.
func (s Stats) ErrorRate() float64 {
	n := s.Requests + s.Unsent
	if n == 0 {
		return 0
	}
	return float64(s.Errors+s.Unsent) / float64(n)
}

// stats summarises w. It sorts w's samples in place.
func (w *window) stats() Stats {
	s := Stats{Ops: map[string]Latency{}, Unsent: w.unsent}
	ops := map[string]bool{}
	for op := range w.lat {
		ops[op] = true
	}
	for op := range w.errs {
		ops[op] = true
	}
	for op := range ops {
		l := summarise(w.lat[op], w.errs[op])
		s.Ops[op] = l
		if op == OpReport || op == OpTip {
			s.Requests += l.Count + l.Errors
			s.Errors += l.Errors
		}
	}
	if len(w.kinds) > 0 {
		s.ErrorKinds = map[string]int{}
		for k, n := range w.kinds {
			s.ErrorKinds[k] = n
		}
	}
	slices.Sort(w.lag)
	s.GeneratorLagP99ms = ms(percentile(w.lag, 99))
	return s
}

// sortedOps returns the operations of s in printing order.
func (s Stats) sortedOps() []string {
	var out []string
	for _, op := range opOrder {
		if _, ok := s.Ops[op]; ok {
			out = append(out, op)
		}
	}
	var rest []string
	for op := range s.Ops {
		if !slices.Contains(opOrder, op) {
			rest = append(rest, op)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}

// growth returns the change from first to last in percent (NaN when first
// is 0).
func growth(first, last float64) float64 {
	if first == 0 {
		return math.NaN()
	}
	return (last - first) / first * 100
}
