package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Memory is the server's memory, and its ingest backlog, as its /metrics
// page reports them: at one moment, or over an interval (the last sample,
// and the peak and mean of the samples taken during it).
type Memory struct {
	At        time.Time `json:"at"`
	RSSBytes  float64   `json:"rss_bytes"`        // process_resident_memory_bytes
	HeapBytes float64   `json:"heap_inuse_bytes"` // go_memstats_heap_inuse_bytes
	// Backlog is how many reports wait for their ingest job (linking and
	// triage): haven_jobs{kind="report.ingest",state="waiting"}; nil when
	// the server does not report it.
	Backlog     *float64 `json:"ingest_backlog,omitempty"`
	BacklogPeak *float64 `json:"ingest_backlog_peak,omitempty"`
	Err         string   `json:"error,omitempty"` // why it could not be read
	// Over an interval: the peak and mean of the samples.
	Samples       int     `json:"samples,omitempty"`
	RSSPeakBytes  float64 `json:"rss_peak_bytes,omitempty"`
	HeapPeakBytes float64 `json:"heap_inuse_peak_bytes,omitempty"`
	HeapMeanBytes float64 `json:"heap_inuse_mean_bytes,omitempty"`
}

// memorySamples gathers an interval's samples; it is not safe for
// concurrent use.
type memorySamples struct {
	n                 int
	rssPeak, heapPeak float64
	heapSum           float64
	backlogPeak       *float64
}

func (m *memorySamples) add(s Memory) {
	if s.Err != "" {
		return
	}
	m.n++
	m.rssPeak = max(m.rssPeak, s.RSSBytes)
	m.heapPeak = max(m.heapPeak, s.HeapBytes)
	m.heapSum += s.HeapBytes
	if s.Backlog != nil && (m.backlogPeak == nil || *s.Backlog > *m.backlogPeak) {
		v := *s.Backlog
		m.backlogPeak = &v
	}
}

// over returns last (the interval's closing sample) with the interval's
// peaks and mean, last included.
func (m memorySamples) over(last Memory) Memory {
	m.add(last)
	if m.n == 0 {
		return last
	}
	last.Samples = m.n
	last.RSSPeakBytes, last.HeapPeakBytes = m.rssPeak, m.heapPeak
	last.HeapMeanBytes = m.heapSum / float64(m.n)
	last.BacklogPeak = m.backlogPeak
	return last
}

// memoryEvery is how often the server's memory is sampled within an
// interval: a tenth of it, between 100 ms and 5 s. The heap in use follows
// the garbage collector's saw-tooth (the server runs with GOGC=400), so
// one sample per interval would compare a peak with a trough.
func memoryEvery(interval time.Duration) time.Duration {
	return min(max(interval/10, 100*time.Millisecond), 5*time.Second)
}

// sampleMemory reads the server's /metrics page.
func sampleMemory(ctx context.Context, hc *http.Client, base string) Memory {
	m := Memory{At: time.Now()}
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"metrics", nil)
	if err != nil {
		m.Err = err.Error()
		return m
	}
	resp, err := hc.Do(req)
	if err != nil {
		m.Err = err.Error()
		return m
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		m.Err = fmt.Sprintf("GET /metrics: HTTP %d", resp.StatusCode)
		return m
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(resp.Body)
	if err != nil {
		m.Err = "GET /metrics: " + err.Error()
		return m
	}
	gauge := func(name string) (float64, bool) {
		f, ok := fams[name]
		if !ok || len(f.GetMetric()) == 0 {
			return 0, false
		}
		return f.GetMetric()[0].GetGauge().GetValue(), true
	}
	var missing []string
	var ok bool
	if m.RSSBytes, ok = gauge("process_resident_memory_bytes"); !ok {
		missing = append(missing, "process_resident_memory_bytes")
	}
	if m.HeapBytes, ok = gauge("go_memstats_heap_inuse_bytes"); !ok {
		missing = append(missing, "go_memstats_heap_inuse_bytes")
	}
	if len(missing) > 0 {
		m.Err = "GET /metrics has no " + strings.Join(missing, ", ")
	}
	m.Backlog = ingestBacklog(fams)
	return m
}

// ingestBacklog returns the reports waiting for their ingest job, nil when
// the page does not say.
func ingestBacklog(fams map[string]*dto.MetricFamily) *float64 {
	f, ok := fams["haven_jobs"]
	if !ok {
		return nil
	}
	for _, m := range f.GetMetric() {
		labels := map[string]string{}
		for _, l := range m.GetLabel() {
			labels[l.GetName()] = l.GetValue()
		}
		if labels["kind"] == "report.ingest" && labels["state"] == "waiting" {
			v := m.GetGauge().GetValue()
			return &v
		}
	}
	return nil
}
