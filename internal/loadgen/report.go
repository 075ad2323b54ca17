package loadgen

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"
	"time"
)

func mib(b float64) string { return fmt.Sprintf("%.1f MiB", b/(1<<20)) }

func memLine(m Memory) string {
	if m.Err != "" {
		return "server memory: unknown (" + m.Err + ")"
	}
	var line string
	if m.Samples > 1 {
		line = fmt.Sprintf("server memory: RSS %s (peak %s), heap in use %s (peak %s, mean %s; %d samples)",
			mib(m.RSSBytes), mib(m.RSSPeakBytes), mib(m.HeapBytes), mib(m.HeapPeakBytes), mib(m.HeapMeanBytes), m.Samples)
	} else {
		line = fmt.Sprintf("server memory: RSS %s, heap in use %s", mib(m.RSSBytes), mib(m.HeapBytes))
	}
	if m.Backlog != nil {
		line += fmt.Sprintf("; ingest backlog %.0f", *m.Backlog)
		if m.BacklogPeak != nil && m.Samples > 1 {
			line += fmt.Sprintf(" (peak %.0f)", *m.BacklogPeak)
		}
	}
	return line
}

// writeStats prints a table of s's operations and its failures by kind.
func writeStats(w io.Writer, s Stats, seconds float64) {
	fmt.Fprintf(w, "  requests %d", s.Requests)
	if seconds > 0 {
		fmt.Fprintf(w, " (%.1f/s completed)", float64(s.Requests)/seconds)
	}
	fmt.Fprintf(w, ", errors %d (%.2f%%)", s.Errors, s.ErrorRate()*100)
	if s.Unsent > 0 {
		fmt.Fprintf(w, ", never sent %d", s.Unsent)
	}
	fmt.Fprintf(w, ", generator lag p99 %.1f ms\n", s.GeneratorLagP99ms)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "  operation\tok\terrors\tp50 ms\tp90 ms\tp99 ms\tmax ms\t")
	for _, op := range s.sortedOps() {
		l := s.Ops[op]
		fmt.Fprintf(tw, "  %s\t%d\t%d\t%.1f\t%.1f\t%.1f\t%.1f\t\n", op, l.Count, l.Errors, l.P50ms, l.P90ms, l.P99ms, l.MaxMs)
	}
	tw.Flush()
	var kinds []string
	for k := range s.ErrorKinds {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		fmt.Fprintf(w, "  error %s: %d\n", k, s.ErrorKinds[k])
	}
}

// WriteInterval prints one interval.
func WriteInterval(w io.Writer, iv Interval) {
	fmt.Fprintf(w, "interval %d (%s–%s)  %s\n", iv.Index+1, iv.Start.Round(time.Second), iv.End.Round(time.Second), memLine(iv.Memory))
	writeStats(w, iv.Stats, (iv.End - iv.Start).Seconds())
}

func pct(p *float64) string {
	if p == nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.1f%%", *p)
}

// WriteSummary prints the whole run: totals and the growth from the first
// interval to the last.
func WriteSummary(w io.Writer, r *Result) {
	el, _ := time.ParseDuration(r.Elapsed)
	fmt.Fprintf(w, "summary: %g requests/s for %s (%.0f%% ESP reports, %.0f%% of them with a file; max in flight %d), %d scheduled, elapsed %s\n",
		r.Rate, r.Duration, r.ESPShare*100, r.FileShare*100, r.MaxInflight, r.Scheduled, r.Elapsed)
	fmt.Fprintf(w, "  acknowledged: %d ESP reports finished, %d tips answered with a reference\n", r.ESPReportsAcknowledged, r.TipsAcknowledged)
	writeStats(w, r.Total, el.Seconds())
	fmt.Fprintf(w, "  before: %s\n", memLine(r.MemBefore))
	if n := len(r.Intervals); n > 0 {
		fmt.Fprintf(w, "  first interval: %s\n  last interval:  %s\n", memLine(r.Intervals[0].Memory), memLine(r.Intervals[n-1].Memory))
	}
	g := r.Growth
	fmt.Fprintf(w, "  growth first→last interval: report p50 %s, p99 %s; tip p50 %s, p99 %s; RSS peak %s; heap in use peak %s\n",
		pct(g.ReportP50), pct(g.ReportP99), pct(g.TipP50), pct(g.TipP99), pct(g.RSS), pct(g.Heap))
	if n := len(r.Intervals); n > 0 && r.Intervals[n-1].Memory.Backlog != nil {
		fmt.Fprintf(w, "  ingest backlog (reports waiting for linking and triage) at each interval's end:")
		for _, iv := range r.Intervals {
			if iv.Memory.Backlog != nil {
				fmt.Fprintf(w, " %.0f", *iv.Memory.Backlog)
			}
		}
		fmt.Fprintln(w)
	}
}

// BacklogAtEnd returns the ingest backlog at the end of r's last interval;
// ok is false when the server did not report it.
func BacklogAtEnd(r *Result) (backlog float64, ok bool) {
	if n := len(r.Intervals); n > 0 && r.Intervals[n-1].Memory.Backlog != nil {
		return *r.Intervals[n-1].Memory.Backlog, true
	}
	return 0, false
}

// MaxGrowth returns the largest growth of r's p50, p99 and memory measures
// (in percent) and its name; ok is false when nothing could be compared.
func MaxGrowth(r *Result) (name string, value float64, ok bool) {
	g := r.Growth
	for _, m := range []struct {
		name string
		v    *float64
	}{{"report p50", g.ReportP50}, {"report p99", g.ReportP99}, {"tip p50", g.TipP50}, {"tip p99", g.TipP99}, {"RSS peak", g.RSS}, {"heap in use peak", g.Heap}} {
		if m.v != nil && (!ok || *m.v > value) {
			name, value, ok = m.name, *m.v, true
		}
	}
	return name, value, ok
}

// WriteStep prints one step of a ramp.
func WriteStep(w io.Writer, s Step) {
	verdict := "held"
	if !s.Held {
		verdict = "did not hold: " + s.Reason
	}
	fmt.Fprintf(w, "rate %g/s: %s  %s\n", s.Rate, verdict, memLine(s.Memory))
	writeStats(w, s.Stats, 0)
}

// WriteFindMax prints a ramp's outcome.
func WriteFindMax(w io.Writer, r *FindMaxResult) {
	var b strings.Builder
	fmt.Fprintf(&b, "maximum: %g requests/s held (p99 of a whole ESP report and of a tip within %.0f ms, errors ≤ %g%%, every request sent)", r.MaxRate, r.SLOms, r.MaxErrorRate*100)
	if r.Limit != "" {
		fmt.Fprintf(&b, "; limit: %s", r.Limit)
	}
	fmt.Fprintln(w, b.String())
	if r.MaxRate > 0 {
		fmt.Fprintf(w, "steady-run rate (half the maximum): %g/s\n", r.MaxRate/2)
	}
}
