// Package loadgen drives a running Haven server with a constant arrival
// rate of ESP reports (over the ESP reporting API, internal/espclient) and
// public tip-form submissions, and measures what a reporter or an ESP
// waits: latency percentiles per operation and per interval, failures by
// kind, and the server's memory from its /metrics page. It is the engine
// of `haven loadtest`; docs/benchmarks.md (section 8) describes the method.
//
// The load is open-loop: request i is due at start + i/rate whatever
// happened to the others, and its latency is measured from that scheduled
// start, so that a slow server cannot hide its slowness by slowing the
// generator down (no coordinated omission). At most MaxInflight requests
// are in flight; a request that waits for a slot waits on its own clock.
package loadgen

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/haven-oss/haven/internal/espclient"
)

// Config is one load run.
type Config struct {
	// BaseURL is the server's root, e.g. http://127.0.0.1:8080/.
	BaseURL string
	// ESPUser and ESPPassword are an ESP account's credentials (haven esp
	// add); required when ESPShare > 0.
	ESPUser, ESPPassword string
	// Rate is the arrival rate, requests per second (an ESP report or a
	// tip each).
	Rate float64
	// ESPShare is the share of requests that are ESP reports (0–1); the
	// rest are tip-form submissions.
	ESPShare float64
	// FileShare is the share of ESP reports that upload and describe a
	// small file (a PNG square or a text note).
	FileShare float64
	// Duration is how long requests are started for; Interval how often
	// a report line is produced (and memory sampled).
	Duration, Interval time.Duration
	// MaxInflight bounds the requests in flight (default 256).
	MaxInflight int
	// Timeout bounds each HTTP call (default 30s).
	Timeout time.Duration
	// HTTP is the client to use; nil means one made for the run.
	HTTP *http.Client
	// OnInterval, if set, receives each interval as it closes.
	OnInterval func(Interval)
}

// Interval is what completed during one interval, and the server's memory
// at its end.
type Interval struct {
	Index  int           `json:"index"`
	Start  time.Duration `json:"start_ns"` // from the run's start
	End    time.Duration `json:"end_ns"`
	Stats  Stats         `json:"stats"`
	Memory Memory        `json:"memory"`
}

// Result is a finished run.
type Result struct {
	Rate        float64    `json:"rate"`
	ESPShare    float64    `json:"esp_share"`
	FileShare   float64    `json:"file_share"`
	Duration    string     `json:"duration"`
	Interval    string     `json:"interval"`
	MaxInflight int        `json:"max_inflight"`
	Started     time.Time  `json:"started"`
	Elapsed     string     `json:"elapsed"`
	Scheduled   int        `json:"scheduled"`
	MemBefore   Memory     `json:"memory_before"`
	Intervals   []Interval `json:"intervals"`
	Total       Stats      `json:"total"`
	// Growth compares the first interval with the last, in percent.
	Growth Growth `json:"growth"`
	// Acknowledged counts the ESP reports finished (the server's receipt)
	// and the tips answered with a reference number.
	ESPReportsAcknowledged int `json:"esp_reports_acknowledged"`
	TipsAcknowledged       int `json:"tips_acknowledged"`
}

// Growth is the change of each measure from the first interval to the last,
// in percent (null when there was one interval or nothing to compare):
// latency percentiles, and the peaks of RSS and of the heap in use among
// each interval's memory samples.
type Growth struct {
	ReportP50 *float64 `json:"report_p50_pct"`
	ReportP99 *float64 `json:"report_p99_pct"`
	TipP50    *float64 `json:"tip_p50_pct"`
	TipP99    *float64 `json:"tip_p99_pct"`
	RSS       *float64 `json:"rss_pct"`
	Heap      *float64 `json:"heap_inuse_pct"`
}

func (c *Config) defaults() error {
	if c.Rate <= 0 || math.IsInf(c.Rate, 0) || math.IsNaN(c.Rate) {
		return fmt.Errorf("the rate must be a positive number of requests per second")
	}
	if c.ESPShare < 0 || c.ESPShare > 1 || c.FileShare < 0 || c.FileShare > 1 {
		return fmt.Errorf("shares are fractions from 0 to 1")
	}
	if c.ESPShare > 0 && (c.ESPUser == "" || c.ESPPassword == "") {
		return fmt.Errorf("ESP reports need an ESP account's credentials (haven esp add NAME)")
	}
	if c.Duration <= 0 {
		return fmt.Errorf("the duration must be positive")
	}
	if c.Interval <= 0 || c.Interval > c.Duration {
		c.Interval = c.Duration
	}
	if c.MaxInflight <= 0 {
		c.MaxInflight = 256
	}
	if c.Timeout <= 0 {
		c.Timeout = 30 * time.Second
	}
	if !strings.HasSuffix(c.BaseURL, "/") {
		c.BaseURL += "/"
	}
	if c.HTTP == nil {
		c.HTTP = NewHTTPClient(c.MaxInflight, c.Timeout)
	}
	return nil
}

// NewHTTPClient returns a client that keeps up to maxConns connections
// open to the server, each call bounded by timeout.
func NewHTTPClient(maxConns int, timeout time.Duration) *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConns = maxConns
	tr.MaxIdleConnsPerHost = maxConns
	return &http.Client{Transport: tr, Timeout: timeout}
}

// Check makes sure the server is ready and, when ESP reports are part of
// the mix, that the ESP credentials work, before any load is sent.
func Check(ctx context.Context, c Config) error {
	if err := c.defaults(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+"readyz", nil)
	if err != nil {
		return err
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("the server at %s does not answer: %w", c.BaseURL, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("the server at %s is not ready: GET /readyz answered HTTP %d", c.BaseURL, resp.StatusCode)
	}
	if c.ESPShare > 0 {
		esp := espclient.Client{BaseURL: c.BaseURL + "ispws", User: c.ESPUser, Password: c.ESPPassword, HTTP: c.HTTP}
		if _, err := esp.Status(ctx); err != nil {
			return fmt.Errorf("the ESP account %q is refused (%v): create one with `haven esp add NAME` and pass its username and password", c.ESPUser, err)
		}
	}
	return nil
}

// recorder is the run's bookkeeping, safe for concurrent use: the current
// interval's window, swapped out as each interval closes.
type recorder struct {
	mu  sync.Mutex
	cur *window
	mem memorySamples // the current interval's memory samples
	// acknowledged ESP reports and tips
	espOK, tipOK int
}

func (r *recorder) with(f func(w *window)) {
	r.mu.Lock()
	f(r.cur)
	r.mu.Unlock()
}

func (r *recorder) swap() (*window, memorySamples) {
	r.mu.Lock()
	defer r.mu.Unlock()
	w, m := r.cur, r.mem
	r.cur, r.mem = newWindow(), memorySamples{}
	return w, m
}

// runner holds one run's clients.
type runner struct {
	id    string // tags the run's content
	cfg   Config
	sched schedule
	esp   *espclient.Client
	rec   *recorder
}

// Run sends load as c describes until c.Duration has passed (or ctx ends),
// waits for the requests in flight, and returns what it measured. The
// error is for a run that could not be made; failed requests are counted
// in the Result.
func Run(ctx context.Context, c Config) (*Result, error) {
	if err := c.defaults(); err != nil {
		return nil, err
	}
	r := &runner{id: runID(), cfg: c, rec: &recorder{cur: newWindow()},
		esp: &espclient.Client{BaseURL: c.BaseURL + "ispws", User: c.ESPUser, Password: c.ESPPassword, HTTP: c.HTTP}}
	res := &Result{Rate: c.Rate, ESPShare: c.ESPShare, FileShare: c.FileShare, Duration: c.Duration.String(),
		Interval: c.Interval.String(), MaxInflight: c.MaxInflight}
	res.MemBefore = sampleMemory(ctx, c.HTTP, c.BaseURL)

	start := time.Now().Add(10 * time.Millisecond)
	res.Started = start
	r.sched = schedule{start: start, rate: c.Rate, espShare: c.ESPShare, fileShare: c.FileShare}
	end := start.Add(c.Duration)
	n := r.sched.count(c.Duration)
	res.Scheduled = n

	// Intervals close on the clock, except the last, which closes once
	// the requests in flight have finished.
	total := newWindow()
	closeInterval := func(idx int, from time.Time) {
		last := sampleMemory(context.WithoutCancel(ctx), c.HTTP, c.BaseURL)
		w, mem := r.rec.swap()
		iv := Interval{Index: idx, Start: from.Sub(start), End: time.Since(start), Stats: w.stats(), Memory: mem.over(last)}
		total.merge(w)
		res.Intervals = append(res.Intervals, iv)
		if c.OnInterval != nil {
			c.OnInterval(iv)
		}
	}
	tickDone := make(chan struct{})
	stopTicks := make(chan struct{})
	var lastFrom time.Time
	go func() {
		defer close(tickDone)
		from := start
		for k := 1; ; k++ {
			next := start.Add(time.Duration(k) * c.Interval)
			if !next.Before(end) {
				lastFrom = from
				return
			}
			t := time.NewTimer(time.Until(next))
			select {
			case <-t.C:
			case <-stopTicks:
				t.Stop()
				lastFrom = from
				return
			}
			closeInterval(k-1, from)
			from = next
		}
	}()

	// The server's memory, sampled through each interval.
	memDone := make(chan struct{})
	stopMem := make(chan struct{})
	go func() {
		defer close(memDone)
		t := time.NewTicker(memoryEvery(c.Interval))
		defer t.Stop()
		for {
			select {
			case <-t.C:
				m := sampleMemory(context.WithoutCancel(ctx), c.HTTP, c.BaseURL)
				r.rec.mu.Lock()
				r.rec.mem.add(m)
				r.rec.mu.Unlock()
			case <-stopMem:
				return
			}
		}
	}()

	sem := make(chan struct{}, c.MaxInflight)
	var wg sync.WaitGroup
	endTimer := time.NewTimer(time.Until(end))
	defer endTimer.Stop()
	sent := 0
dispatch:
	for i := 0; i < n; i++ {
		due := r.sched.at(i)
		if d := time.Until(due); d > 0 {
			t := time.NewTimer(d)
			select {
			case <-t.C:
			case <-ctx.Done():
				t.Stop()
				break dispatch
			}
		}
		lag := time.Since(due)
		select {
		case sem <- struct{}{}: // a free slot: never count it as unsent
		default:
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				break dispatch
			case <-endTimer.C:
				break dispatch // still no free slot when the run ends
			}
		}
		sent++
		r.rec.with(func(w *window) { w.lag = append(w.lag, lag); w.starts++ })
		wg.Add(1)
		go func(i int, due time.Time) {
			defer func() { <-sem; wg.Done() }()
			r.do(context.WithoutCancel(ctx), i, due)
		}(i, due)
	}
	if unsent := n - sent; unsent > 0 && ctx.Err() == nil {
		r.rec.with(func(w *window) { w.unsent += unsent })
	}
	wg.Wait()
	close(stopMem)
	<-memDone
	close(stopTicks)
	<-tickDone
	closeInterval(len(res.Intervals), lastFrom)
	res.Elapsed = time.Since(start).Round(time.Millisecond).String()
	res.Total = total.stats()
	res.ESPReportsAcknowledged, res.TipsAcknowledged = r.rec.espOK, r.rec.tipOK
	res.Growth = growthOf(res.Intervals)
	if ctx.Err() != nil {
		return res, fmt.Errorf("interrupted: %w", ctx.Err())
	}
	return res, nil
}

// runID returns a short random tag for a run's content.
func runID() string {
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func growthOf(ivs []Interval) Growth {
	var g Growth
	if len(ivs) < 2 {
		return g
	}
	first, last := ivs[0], ivs[len(ivs)-1]
	pct := func(a, b float64) *float64 {
		v := growth(a, b)
		if math.IsNaN(v) {
			return nil
		}
		v = math.Round(v*10) / 10
		return &v
	}
	g.ReportP50 = pct(first.Stats.Ops[OpReport].P50ms, last.Stats.Ops[OpReport].P50ms)
	g.ReportP99 = pct(first.Stats.Ops[OpReport].P99ms, last.Stats.Ops[OpReport].P99ms)
	g.TipP50 = pct(first.Stats.Ops[OpTip].P50ms, last.Stats.Ops[OpTip].P50ms)
	g.TipP99 = pct(first.Stats.Ops[OpTip].P99ms, last.Stats.Ops[OpTip].P99ms)
	if first.Memory.Samples > 0 && last.Memory.Samples > 0 {
		g.RSS = pct(first.Memory.RSSPeakBytes, last.Memory.RSSPeakBytes)
		g.Heap = pct(first.Memory.HeapPeakBytes, last.Memory.HeapPeakBytes)
	}
	return g
}

// do runs request i, due at due.
func (r *runner) do(ctx context.Context, i int, due time.Time) {
	j := r.sched.job(i)
	if j.esp {
		r.espReport(ctx, j, due)
	} else {
		r.tip(ctx, j, due)
	}
}

// call times one call and records it under op.
func (r *runner) call(op string, f func() error) error {
	t0 := time.Now()
	err := f()
	d := time.Since(t0)
	r.rec.with(func(w *window) {
		if err != nil {
			w.fail(op, errorKind(err))
		} else {
			w.ok(op, d)
		}
	})
	return err
}

func (r *runner) espReport(ctx context.Context, j job, due time.Time) {
	err := func() error {
		var id string
		if err := r.call(OpESPSubmit, func() (err error) {
			id, err = r.esp.Submit(ctx, espReport(r.id, j.n, due.Add(-48*time.Hour)))
			return err
		}); err != nil {
			return err
		}
		if j.file {
			name, data := espFile(j.n)
			var fileID string
			if err := r.call(OpESPUpload, func() error {
				a, err := r.esp.Upload(ctx, id, name, data)
				if err == nil {
					fileID = a.FileID
				}
				return err
			}); err != nil {
				return err
			}
			if err := r.call(OpESPFileInfo, func() error {
				return r.esp.FileInfo(ctx, fileDetails(id, fileID, name, data))
			}); err != nil {
				return err
			}
		}
		return r.call(OpESPFinish, func() error {
			d, err := r.esp.Finish(ctx, id)
			if err == nil && d.ReportID != id {
				return errKind("finish answered for another report")
			}
			if err == nil && j.file && len(d.FileIDs) != 1 {
				return errKind("finish does not list the file uploaded")
			}
			return err
		})
	}()
	r.finishRequest(OpReport, due, err, func() { r.rec.espOK++ })
}

// finishRequest records a whole request, timed from its scheduled start.
func (r *runner) finishRequest(op string, due time.Time, err error, acknowledged func()) {
	d := time.Since(due)
	r.rec.with(func(w *window) {
		if err != nil {
			w.errs[op]++ // its kind is counted under the call that failed
		} else {
			w.ok(op, d)
			acknowledged()
		}
	})
}

var tokenRE = regexp.MustCompile(`name="submission" value="([0-9a-f]{32})"`)

func (r *runner) tip(ctx context.Context, j job, due time.Time) {
	lang := "en"
	if j.n%4 == 3 {
		lang = "es" // a quarter of the tips in Spanish
	}
	err := func() error {
		var token string
		if err := r.call(OpTipForm, func() error {
			body, err := r.page(ctx, http.MethodGet, "tip?lang="+lang, "", nil)
			if err != nil {
				return err
			}
			m := tokenRE.FindSubmatch(body)
			if m == nil {
				return errKind("the form has no one-time submission token")
			}
			token = string(m[1])
			return nil
		}); err != nil {
			return err
		}
		return r.call(OpTipPost, func() error {
			var b bytes.Buffer
			ct, err := tipForm(&b, r.id, j.n, token, lang, due.Add(-24*time.Hour))
			if err != nil {
				return err
			}
			body, err := r.page(ctx, http.MethodPost, "tip", ct, b.Bytes())
			if err != nil {
				return err
			}
			if !bytes.Contains(body, []byte(`id="tip-code"`)) {
				return errKind("the answer has no reference and follow-up code")
			}
			return nil
		})
	}()
	r.finishRequest(OpTip, due, err, func() { r.rec.tipOK++ })
}

// page fetches a public page; a status other than 200 is an *httpError.
func (r *runner) page(ctx context.Context, method, path, ct string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, r.cfg.BaseURL+path, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if ct != "" {
		req.Header.Set("Content-Type", ct)
	}
	resp, err := r.cfg.HTTP.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &httpError{status: resp.StatusCode}
	}
	return b, nil
}

type httpError struct{ status int }

func (e *httpError) Error() string { return fmt.Sprintf("HTTP %d", e.status) }

// errKind is a failure already named as its kind.
type errKind string

func (e errKind) Error() string { return string(e) }

// errorKind names a failure in a few words, the same for every failure of
// its kind, so that failures can be counted by kind.
func errorKind(err error) string {
	var ne net.Error
	var he *httpError
	var k errKind
	switch e := espclient.AsError(err); {
	case e != nil && e.Code != 0:
		return fmt.Sprintf("HTTP %d code %d (%s)", e.Status, e.Code, firstWords(e.Description))
	case e != nil:
		return fmt.Sprintf("HTTP %d, not a protocol answer", e.Status)
	case errors.As(err, &he) && he.status == http.StatusTooManyRequests:
		return "HTTP 429: the tip form's limit per address (raise haven serve --tip-rate and --tip-burst)"
	case errors.As(err, &he):
		return he.Error()
	case errors.As(err, &k):
		return string(k)
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	case errors.Is(err, context.Canceled):
		return "cancelled"
	case errors.As(err, &ne):
		return "network error"
	}
	return "other: " + firstWords(err.Error())
}

// firstWords keeps a description short enough to count by.
func firstWords(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return s
}
