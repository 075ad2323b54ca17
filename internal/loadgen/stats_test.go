package loadgen

import (
	"math"
	"strings"
	"testing"
	"time"
)

func msDur(xs ...int) []time.Duration {
	out := make([]time.Duration, len(xs))
	for i, x := range xs {
		out[i] = time.Duration(x) * time.Millisecond
	}
	return out
}

func TestPercentilesAreNearestRankOverEverySample(t *testing.T) {
	// 1..100 ms: the p-th percentile is p ms exactly.
	var xs []int
	for i := 100; i >= 1; i-- {
		xs = append(xs, i)
	}
	l := summarise(msDur(xs...), 3)
	if l.Count != 100 || l.Errors != 3 || l.P50ms != 50 || l.P90ms != 90 || l.P99ms != 99 || l.MaxMs != 100 || l.MeanMs != 50.5 {
		t.Errorf("1..100 ms: %+v", l)
	}
	for _, c := range []struct {
		samples []int
		p       float64
		want    int
	}{
		{[]int{7}, 50, 7}, {[]int{7}, 99, 7},
		{[]int{1, 2}, 50, 1}, {[]int{1, 2}, 51, 2},
		{[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 1000}, 90, 9}, {[]int{1, 2, 3, 4, 5, 6, 7, 8, 9, 1000}, 99, 1000},
	} {
		if got := percentile(msDur(c.samples...), c.p); got != time.Duration(c.want)*time.Millisecond {
			t.Errorf("p%g of %v = %v, want %d ms", c.p, c.samples, got, c.want)
		}
	}
	if percentile(nil, 99) != 0 || summarise(nil, 0) != (Latency{}) {
		t.Error("no samples must give zeros")
	}
}

func TestAWindowCountsWholeRequestsAndFailuresByKind(t *testing.T) {
	w := newWindow()
	w.ok(OpReport, 10*time.Millisecond)
	w.ok(OpESPSubmit, 4*time.Millisecond)
	w.ok(OpESPFinish, 5*time.Millisecond)
	// A report whose finish failed: counted once as a failed request,
	// with its kind under the call that failed.
	w.ok(OpESPSubmit, 3*time.Millisecond)
	w.fail(OpESPFinish, "HTTP 500 code 1000 (Server error)")
	w.errs[OpReport]++
	w.ok(OpTip, 20*time.Millisecond)
	w.ok(OpTipForm, 8*time.Millisecond)
	w.ok(OpTipPost, 9*time.Millisecond)
	w.unsent = 1

	s := w.stats()
	if s.Requests != 3 || s.Errors != 1 || s.Unsent != 1 {
		t.Errorf("requests %d errors %d unsent %d; want 3, 1, 1", s.Requests, s.Errors, s.Unsent)
	}
	if got := s.ErrorRate(); math.Abs(got-0.5) > 1e-9 {
		t.Errorf("error rate %v, want 0.5 (1 failed + 1 never sent of 4)", got)
	}
	if s.ErrorKinds["esp_finish: HTTP 500 code 1000 (Server error)"] != 1 || len(s.ErrorKinds) != 1 {
		t.Errorf("error kinds %v", s.ErrorKinds)
	}
	if s.Ops[OpESPSubmit].Count != 2 || s.Ops[OpESPFinish].Count != 1 || s.Ops[OpESPFinish].Errors != 1 {
		t.Errorf("calls: %+v", s.Ops)
	}
	want := []string{OpReport, OpESPSubmit, OpESPFinish, OpTip, OpTipForm, OpTipPost}
	if got := s.sortedOps(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("printing order %v, want %v", got, want)
	}

	// Merging intervals gives the run's totals.
	total := newWindow()
	total.merge(w)
	w2 := newWindow()
	w2.ok(OpReport, 30*time.Millisecond)
	total.merge(w2)
	if ts := total.stats(); ts.Requests != 4 || ts.Ops[OpReport].Count != 2 || ts.Ops[OpReport].MaxMs != 30 {
		t.Errorf("totals: %+v", ts)
	}
}

func TestGrowthComparesTheFirstIntervalWithTheLast(t *testing.T) {
	iv := func(p50, p99, rss, heap float64) Interval {
		return Interval{Stats: Stats{Ops: map[string]Latency{OpReport: {P50ms: p50, P99ms: p99}}},
			Memory: Memory{Samples: 3, RSSPeakBytes: rss, HeapPeakBytes: heap}}
	}
	g := growthOf([]Interval{iv(10, 100, 200, 50), iv(99, 999, 999, 999), iv(11, 90, 220, 50)})
	for name, c := range map[string]struct {
		got  *float64
		want float64
	}{"report p50": {g.ReportP50, 10}, "report p99": {g.ReportP99, -10}, "RSS": {g.RSS, 10}, "heap": {g.Heap, 0}} {
		if c.got == nil || *c.got != c.want {
			t.Errorf("%s growth %v, want %v", name, c.got, c.want)
		}
	}
	if g.TipP50 != nil {
		t.Errorf("tip growth without tips: %v", *g.TipP50)
	}
	if g := growthOf([]Interval{iv(1, 1, 1, 1)}); g.ReportP50 != nil || g.RSS != nil {
		t.Error("one interval has no growth")
	}
	r := &Result{Growth: growthOf([]Interval{iv(10, 100, 200, 50), iv(11, 90, 220, 50)})}
	if name, v, ok := MaxGrowth(r); !ok || v != 10 || (name != "report p50" && name != "RSS peak") {
		t.Errorf("MaxGrowth = %q %v %v", name, v, ok)
	}
}

func TestMemorySamplesKeepTheIntervalsPeakAndMean(t *testing.T) {
	var m memorySamples
	m.add(Memory{RSSBytes: 100, HeapBytes: 40})
	m.add(Memory{Err: "GET /metrics: HTTP 500"}) // ignored
	b := func(n float64) *float64 { return &n }
	m.add(Memory{RSSBytes: 120, HeapBytes: 80, Backlog: b(7)})
	got := m.over(Memory{RSSBytes: 110, HeapBytes: 30, Backlog: b(2)})
	if got.Samples != 3 || got.RSSBytes != 110 || got.RSSPeakBytes != 120 || got.HeapPeakBytes != 80 || got.HeapMeanBytes != 50 ||
		*got.Backlog != 2 || *got.BacklogPeak != 7 {
		t.Errorf("%+v", got)
	}
}

func TestVerdictSaysWhyARateDoesNotHold(t *testing.T) {
	ok := Stats{Requests: 100, Ops: map[string]Latency{OpReport: {Count: 80, P99ms: 120}, OpTip: {Count: 20, P99ms: 80}}}
	c := FindMaxConfig{SLO: 500 * time.Millisecond, MaxErrorRate: 0.01, MaxLag: 50 * time.Millisecond, MaxBacklog: 2 * time.Second}
	backlog := func(n float64) Memory { return Memory{Backlog: &n} }
	if held, why := verdict(ok, backlog(200), 100, c); !held {
		t.Errorf("a rate within the SLO did not hold: %s", why)
	}
	if held, why := verdict(ok, Memory{}, 100, c); !held {
		t.Errorf("a server that does not report its backlog did not hold: %s", why)
	}
	for name, tc := range map[string]struct {
		s    func(Stats) Stats
		m    Memory
		want string
	}{
		"slow reports": {func(s Stats) Stats { s.Ops = map[string]Latency{OpReport: {P99ms: 700}, OpTip: {}}; return s }, Memory{}, "ESP report p99 700 ms above 500 ms"},
		"slow tips":    {func(s Stats) Stats { s.Ops = map[string]Latency{OpReport: {}, OpTip: {P99ms: 501}}; return s }, Memory{}, "tip p99 501 ms above 500 ms"},
		"errors":       {func(s Stats) Stats { s.Errors = 2; return s }, Memory{}, "error rate 2.00% above 1.00%"},
		"unsent":       {func(s Stats) Stats { s.Unsent = 5; return s }, Memory{}, "5 requests never sent"},
		"generator":    {func(s Stats) Stats { s.GeneratorLagP99ms = 80; return s }, Memory{}, "the generator itself fell behind"},
		"backlog": {func(s Stats) Stats { return s }, backlog(201),
			"ingest fell behind: 201 reports waiting for linking and triage at the step's end, more than 2s of arrivals (200)"},
	} {
		held, why := verdict(tc.s(ok), tc.m, 100, c)
		if held || !strings.Contains(why, tc.want) {
			t.Errorf("%s: held %v, %q; want not held, %q", name, held, why, tc.want)
		}
	}
}
