package loadgen

import (
	"context"
	"fmt"
	"time"
)

// FindMaxConfig is a ramp that looks for the highest rate the server holds.
type FindMaxConfig struct {
	// Base is the run's configuration; its Rate is the first step's rate
	// and its Duration and Interval are ignored.
	Base Config
	// Step is how long each rate is held (default 20s).
	Step time.Duration
	// SLO is the 99th-percentile latency of a whole ESP report or tip
	// above which a rate does not hold (default 500ms).
	SLO time.Duration
	// MaxErrorRate is the share of failed requests above which a rate does
	// not hold (default 0.01).
	MaxErrorRate float64
	// MaxRate stops the ramp (0: no limit); Budget bounds the ramp's total
	// time (0: no limit), the rest of a step included.
	MaxRate float64
	Budget  time.Duration
	// Refine is how many bisection steps to take between the last rate that
	// held and the first that did not (default 2).
	Refine int
	// MaxLag is the generator's own delay (p99 between a request's
	// scheduled start and its sending, with a free slot at hand) above
	// which a step does not hold because the generator, not the server,
	// could not keep up (default 50ms).
	MaxLag time.Duration
	// MaxBacklog is how far the server's ingest (the linking and triage of
	// each report, in a background job) may be behind at a step's end: a
	// rate does not hold when more reports wait for it than arrive in
	// MaxBacklog (default 2s). Without it a ramp of short steps finds rates
	// the server acknowledges but cannot process: the backlog grows until
	// the acknowledgements slow too. Ignored when the server does not
	// report its backlog.
	MaxBacklog time.Duration
	// Drain bounds the wait, before each step, for the backlog the steps
	// before left to be processed (default 5m).
	Drain time.Duration
	// OnStep, if set, receives each step as it ends.
	OnStep func(Step)
}

// Step is one rate tried by the ramp.
type Step struct {
	Rate   float64 `json:"rate"`
	Held   bool    `json:"held"`
	Reason string  `json:"reason,omitempty"` // why it did not hold
	Stats  Stats   `json:"stats"`
	Memory Memory  `json:"memory"`
}

// FindMaxResult is the ramp's outcome.
type FindMaxResult struct {
	Steps []Step `json:"steps"`
	// MaxRate is the highest rate that held (0 if none did), and Limit why
	// the next one did not.
	MaxRate float64 `json:"max_rate"`
	Limit   string  `json:"limit"`
	SLOms   float64 `json:"slo_ms"`
	// MaxErrorRate is the share of failures a rate may have.
	MaxErrorRate float64 `json:"max_error_rate"`
}

// verdict says whether a step's measurements (s, and m the server's at its
// end) hold the rate, and if not why.
func verdict(s Stats, m Memory, rate float64, c FindMaxConfig) (bool, string) {
	sloMs := ms(c.SLO)
	switch {
	case s.Unsent > 0:
		return false, fmt.Sprintf("could not keep up: %d requests never sent (all --max-inflight slots busy)", s.Unsent)
	case s.ErrorRate() > c.MaxErrorRate:
		return false, fmt.Sprintf("error rate %.2f%% above %.2f%%", s.ErrorRate()*100, c.MaxErrorRate*100)
	case s.Ops[OpReport].P99ms > sloMs:
		return false, fmt.Sprintf("ESP report p99 %.0f ms above %.0f ms", s.Ops[OpReport].P99ms, sloMs)
	case s.Ops[OpTip].P99ms > sloMs:
		return false, fmt.Sprintf("tip p99 %.0f ms above %.0f ms", s.Ops[OpTip].P99ms, sloMs)
	case s.GeneratorLagP99ms > ms(c.MaxLag):
		return false, fmt.Sprintf("the generator itself fell behind (p99 %.0f ms late sending)", s.GeneratorLagP99ms)
	case s.Requests == 0:
		return false, "no request completed"
	case m.Backlog != nil && *m.Backlog > rate*c.MaxBacklog.Seconds():
		return false, fmt.Sprintf("ingest fell behind: %.0f reports waiting for linking and triage at the step's end, more than %s of arrivals (%.0f)",
			*m.Backlog, c.MaxBacklog, rate*c.MaxBacklog.Seconds())
	}
	return true, ""
}

// FindMax doubles the rate each step, from c.Base.Rate, until a step does
// not hold (99th percentile over the SLO, too many errors, or requests
// that could not be sent), then bisects Refine times between the last rate
// that held and the first that did not. Each step starts with no request
// in flight from the one before.
func FindMax(ctx context.Context, c FindMaxConfig) (*FindMaxResult, error) {
	if c.Step <= 0 {
		c.Step = 20 * time.Second
	}
	if c.SLO <= 0 {
		c.SLO = 500 * time.Millisecond
	}
	if c.MaxErrorRate <= 0 {
		c.MaxErrorRate = 0.01
	}
	if c.MaxLag <= 0 {
		c.MaxLag = 50 * time.Millisecond
	}
	if c.Refine < 0 {
		c.Refine = 0
	}
	if c.MaxBacklog <= 0 {
		c.MaxBacklog = 2 * time.Second
	}
	if c.Drain <= 0 {
		c.Drain = 5 * time.Minute
	}
	res := &FindMaxResult{SLOms: ms(c.SLO), MaxErrorRate: c.MaxErrorRate}
	began := time.Now()
	try := func(rate float64) (bool, error) {
		cfg := c.Base
		cfg.Rate, cfg.Duration, cfg.Interval, cfg.OnInterval = rate, c.Step, c.Step, nil
		if err := drain(ctx, cfg, c.Drain); err != nil {
			return false, err
		}
		r, err := Run(ctx, cfg)
		if err != nil {
			return false, err
		}
		st := Step{Rate: rate, Stats: r.Total}
		if n := len(r.Intervals); n > 0 {
			st.Memory = r.Intervals[n-1].Memory
		}
		st.Held, st.Reason = verdict(r.Total, st.Memory, rate, c)
		res.Steps = append(res.Steps, st)
		if c.OnStep != nil {
			c.OnStep(st)
		}
		return st.Held, nil
	}
	outOfTime := func() bool { return c.Budget > 0 && time.Since(began)+c.Step > c.Budget }
	rate := c.Base.Rate
	var failed float64
	for {
		held, err := try(rate)
		if err != nil {
			return res, err
		}
		if !held {
			failed = rate
			res.Limit = res.Steps[len(res.Steps)-1].Reason
			break
		}
		res.MaxRate = rate
		if c.MaxRate > 0 && rate*2 > c.MaxRate {
			res.Limit = fmt.Sprintf("stopped at --max-rate %g/s", c.MaxRate)
			return res, nil
		}
		if outOfTime() {
			res.Limit = "stopped: out of time before a rate failed"
			return res, nil
		}
		rate *= 2
	}
	lo, hi := res.MaxRate, failed
	for k := 0; k < c.Refine && lo > 0 && !outOfTime(); k++ {
		mid := (lo + hi) / 2
		held, err := try(mid)
		if err != nil {
			return res, err
		}
		if held {
			lo = mid
		} else {
			hi = mid
			res.Limit = res.Steps[len(res.Steps)-1].Reason
		}
	}
	res.MaxRate = lo
	return res, nil
}

// drain waits, up to limit, until no report waits for its ingest job (or
// the server does not say), so that a step does not pay for the backlog of
// the steps before it.
func drain(ctx context.Context, c Config, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		m := sampleMemory(ctx, c.HTTP, c.BaseURL)
		if m.Backlog == nil || *m.Backlog == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the server's ingest backlog (%.0f reports) did not drain within %s after a step", *m.Backlog, limit)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(500 * time.Millisecond):
		}
	}
}
