// Package jobs runs Haven's background jobs: work enqueued in the same
// transaction as the write that caused it (haven.Job), run after that write
// commits, retried with backoff when it fails, and kept as dead after
// haven.MaxJobAttempts for an operator to see. Any number of runners may
// share one database: a claimed job is leased to one runner at a time.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Handler does one kind of job. It must be safe to run twice for the same
// job: a runner that dies after the work but before recording it leaves the
// job to run again.
type Handler func(ctx context.Context, j *haven.Job) error

// Runner claims due jobs and runs their handlers.
type Runner struct {
	Store    haven.Store
	Handlers map[string]Handler
	Log      *slog.Logger
	// Now is the clock (tests replace it).
	Now func() time.Time
	// Poll is how often the runner looks for due jobs when nobody wakes it.
	Poll time.Duration
	// Batch is how many jobs one claim takes.
	Batch int

	wakeOnce sync.Once
	wakeCh   chan struct{}
}

// NewRunner returns a runner with the real clock, a 1-second poll and
// batches of 50.
func NewRunner(store haven.Store, log *slog.Logger) *Runner {
	return &Runner{Store: store, Handlers: map[string]Handler{}, Log: log, Now: time.Now, Poll: time.Second, Batch: 50}
}

func (r *Runner) ch() chan struct{} {
	r.wakeOnce.Do(func() { r.wakeCh = make(chan struct{}, 1) })
	return r.wakeCh
}

// Wake makes the runner look for jobs now (haven.Service.Committed).
func (r *Runner) Wake() {
	select {
	case r.ch() <- struct{}{}:
	default:
	}
}

// Run runs jobs until ctx ends.
func (r *Runner) Run(ctx context.Context) {
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		for {
			n, err := r.RunDue(ctx)
			if err != nil && ctx.Err() == nil {
				r.Log.Error("jobs: claim failed", "err", err)
			}
			if n == 0 || err != nil {
				break
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		case <-r.ch():
		}
	}
}

// RunDue claims one batch of due jobs and runs them; it returns how many it
// ran.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	var js []*haven.Job
	err := r.Store.Update(ctx, func(tx haven.Tx) (err error) {
		js, err = tx.ClaimJobs(ctx, r.Now(), haven.JobLease, r.Batch)
		return err
	})
	if err != nil {
		return 0, err
	}
	for _, j := range js {
		r.runOne(ctx, j)
	}
	return len(js), nil
}

func (r *Runner) runOne(ctx context.Context, j *haven.Job) {
	h := r.Handlers[j.Kind]
	var err error
	if h == nil {
		err = fmt.Errorf("no handler for job kind %q", j.Kind)
	} else {
		err = safely(ctx, h, j)
	}
	if err == nil {
		if ferr := r.Store.Update(ctx, func(tx haven.Tx) error { return tx.FinishJob(ctx, j.ID) }); ferr != nil {
			r.Log.Error("jobs: finish failed", "job", j.ID, "kind", j.Kind, "err", ferr)
		}
		return
	}
	dead := j.Attempts >= haven.MaxJobAttempts
	runAt := r.Now().Add(Backoff(j.Attempts))
	level := slog.LevelWarn
	if dead {
		level = slog.LevelError
	}
	r.Log.Log(ctx, level, "jobs: job failed", "job", j.ID, "kind", j.Kind, "record", j.RecordID, "attempt", j.Attempts, "dead", dead, "err", err)
	if rerr := r.Store.Update(ctx, func(tx haven.Tx) error {
		return tx.RetryJob(ctx, j.ID, runAt, truncate(err.Error(), 1000), dead)
	}); rerr != nil {
		r.Log.Error("jobs: retry failed", "job", j.ID, "err", rerr)
	}
}

// safely runs h, turning a panic into an error so one bad job cannot stop
// the runner.
func safely(ctx context.Context, h Handler, j *haven.Job) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h(ctx, j)
}

// Backoff is the wait before the next try after attempt n: 10 s, 40 s,
// 90 s, … (n² × 10 s), at most an hour.
func Backoff(n int) time.Duration {
	d := time.Duration(n*n) * 10 * time.Second
	if d > time.Hour {
		d = time.Hour
	}
	return d
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Ingest returns the handler of haven.JobIngestReport.
func Ingest(svc *haven.Service) Handler {
	return func(ctx context.Context, j *haven.Job) error { return svc.IngestReport(ctx, j.RecordID) }
}
