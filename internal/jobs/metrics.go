package jobs

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
)

// metricsTimeout bounds the count a scrape of /metrics makes.
const metricsTimeout = 2 * time.Second

var jobsDesc = prometheus.NewDesc("haven_jobs",
	"Jobs in the queue, by kind and state (waiting: to run or running; dead: given up). "+
		"A growing count of waiting report.ingest jobs means ingest (linking, triage) is falling behind the reports arriving.",
	[]string{"kind", "state"}, nil)

// Collector reports the job queue's size to Prometheus, counted in the
// store at each scrape. Every kind the runner handles is reported, 0 when
// none is queued, so that a series does not vanish when its queue empties.
type Collector struct {
	Store haven.Store
	Kinds []string
	errs  prometheus.Counter
}

// NewCollector returns a collector of store's job counts for kinds (and any
// other kind found queued).
func NewCollector(store haven.Store, kinds ...string) *Collector {
	return &Collector{Store: store, Kinds: kinds, errs: prometheus.NewCounter(prometheus.CounterOpts{
		Name: "haven_jobs_count_errors_total", Help: "Scrapes at which the jobs could not be counted."})}
}

func (c *Collector) Describe(ch chan<- *prometheus.Desc) {
	ch <- jobsDesc
	c.errs.Describe(ch)
}

func (c *Collector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), metricsTimeout)
	defer cancel()
	var counts []haven.JobCount
	err := c.Store.View(ctx, func(tx haven.Tx) (err error) {
		counts, err = tx.CountJobs(ctx)
		return err
	})
	if err != nil {
		c.errs.Inc()
		ch <- c.errs
		return
	}
	ch <- c.errs
	type key struct {
		kind  string
		state string
	}
	n := map[key]int{}
	for _, k := range c.Kinds {
		n[key{k, "waiting"}], n[key{k, "dead"}] = 0, 0
	}
	for _, jc := range counts {
		state := "waiting"
		if jc.Dead {
			state = "dead"
		}
		n[key{jc.Kind, state}] += jc.Count
	}
	for k, v := range n {
		ch <- prometheus.MustNewConstMetric(jobsDesc, prometheus.GaugeValue, float64(v), k.kind, k.state)
	}
}
