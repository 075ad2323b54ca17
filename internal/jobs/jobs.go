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

// Handler does one kind of job. It returns the write that records the
// job's outcome (nil if none), which the runner commits together with the
// job's completion, in one transaction with the other jobs of the batch. It
// must be safe to run twice for the same job: a runner that dies after the
// work but before that commit leaves the job to run again.
type Handler func(ctx context.Context, j *haven.Job) (Done, error)

// Done is the write that records a job's outcome.
type Done func(tx haven.Tx) error

// Runner claims due jobs and runs their handlers.
type Runner struct {
	Store    haven.Store
	Handlers map[string]Handler
	Log      *slog.Logger
	// Now is the clock (tests replace it).
	Now func() time.Time
	// Poll is how often the runner looks for due jobs when nobody wakes it.
	Poll time.Duration
	// Batch is how many jobs one claim takes, and Workers how many of them
	// run at once.
	Batch   int
	Workers int
	// Settle is how long the runner waits after a wake before it claims,
	// so that the jobs of the commits meanwhile are claimed, run and
	// recorded together rather than a few at a time.
	Settle time.Duration
	// Lease is how long a claim reserves a job (haven.JobLease); the runner
	// renews it every third of it, by the real clock, while the batch runs.
	Lease time.Duration

	wakeOnce sync.Once
	wakeCh   chan struct{}
	tasks    []*task
	tasksMu  sync.Mutex // one runTasks at a time
}

// task is work the runner does periodically (Every) rather than per job.
type task struct {
	name  string
	every time.Duration
	fn    func(ctx context.Context) error
	next  time.Time
}

// Every makes the runner call fn about every d (by its clock), for work
// that is a sweep rather than one job per record; a failure is logged and
// tried again d later. Call it before Run.
func (r *Runner) Every(name string, d time.Duration, fn func(ctx context.Context) error) {
	r.tasks = append(r.tasks, &task{name: name, every: d, fn: fn})
}

// NewRunner returns a runner with the real clock, a 1-second poll, batches
// of 50 run 4 at a time, a 20 ms settle and leases of haven.JobLease.
func NewRunner(store haven.Store, log *slog.Logger) *Runner {
	return &Runner{Store: store, Handlers: map[string]Handler{}, Log: log, Now: time.Now, Poll: time.Second, Batch: 50,
		Workers: 4, Settle: 20 * time.Millisecond, Lease: haven.JobLease}
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
	// Periodic tasks (a sweep, a model fit) may take a while: they run on
	// their own goroutine so that jobs never wait for them.
	tasksDone := make(chan struct{})
	go func() {
		defer close(tasksDone)
		t := time.NewTicker(r.Poll)
		defer t.Stop()
		for {
			r.runTasks(ctx)
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	defer func() { <-tasksDone }()
	t := time.NewTicker(r.Poll)
	defer t.Stop()
	for {
		for {
			n, err := r.runJobs(ctx)
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
			select {
			case <-ctx.Done():
				return
			case <-time.After(r.Settle):
			}
		}
	}
}

// RunDue runs the periodic tasks that are due, then claims one batch of
// due jobs and runs them; it returns how many tasks and jobs it ran. The
// jobs that succeeded are recorded as done together, in one write.
func (r *Runner) RunDue(ctx context.Context) (int, error) {
	n := r.runTasks(ctx)
	m, err := r.runJobs(ctx)
	return n + m, err
}

// runJobs claims one batch of due jobs, runs them and records the outcomes;
// it returns how many it ran.
func (r *Runner) runJobs(ctx context.Context) (int, error) {
	n := 0
	lease := r.Lease
	if lease <= 0 {
		lease = haven.JobLease
	}
	var js []*haven.Job
	err := r.Store.Update(ctx, func(tx haven.Tx) (err error) {
		js, err = tx.ClaimJobs(ctx, r.Now(), lease, r.Batch)
		return err
	})
	if err != nil {
		return n, err
	}
	if len(js) > 0 {
		stop := r.renewLeases(ctx, js, lease)
		defer stop()
	}
	// Handlers wait mostly on the database (and, later, on the linking
	// index): the batch runs on up to Workers goroutines.
	outcomes := make([]*finished, len(js))
	var wg sync.WaitGroup
	sem := make(chan struct{}, max(1, r.Workers))
	for i, j := range js {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if d, ok := r.runOne(ctx, j); ok {
				outcomes[i] = &finished{j, d}
			}
		}()
	}
	wg.Wait()
	var done []finished
	for _, f := range outcomes {
		if f != nil {
			done = append(done, *f)
		}
	}
	r.finish(ctx, done)
	return n + len(js), nil
}

// renewLeases renews the leases of js every third of lease until stop is
// called, so that no other runner claims them while they run however long
// they take; a runner that dies stops renewing, and its jobs are claimed
// again once the last lease ends.
func (r *Runner) renewLeases(ctx context.Context, js []*haven.Job, lease time.Duration) (stop func()) {
	ids := make([]int64, len(js))
	for i, j := range js {
		ids[i] = j.ID
	}
	done := make(chan struct{})
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(lease / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-ctx.Done():
				return
			case <-t.C:
			}
			err := r.Store.Update(ctx, func(tx haven.Tx) error {
				_, err := tx.RenewJobLeases(ctx, ids, r.Now().Add(lease))
				return err
			})
			if err != nil && ctx.Err() == nil {
				r.Log.Warn("jobs: renewing leases failed", "jobs", len(ids), "err", err)
			}
		}
	}()
	return func() { close(done); <-finished }
}

// finished is a job that succeeded, with the write that records it.
type finished struct {
	job  *haven.Job
	done Done
}

// finish commits the outcomes of the jobs that succeeded and removes them,
// all in one write. Should that fail, it commits each on its own, so that
// one job whose write fails (kept for a retry) cannot hold back the rest.
// A runner that dies before this leaves the jobs to run again once their
// lease ends: handlers are safe to run twice.
func (r *Runner) finish(ctx context.Context, done []finished) {
	record := func(tx haven.Tx, f finished) error {
		if f.done != nil {
			if err := f.done(tx); err != nil {
				return err
			}
		}
		// Gone already: another runner finished it after our lease.
		if err := tx.FinishJob(ctx, f.job.ID); err != nil && haven.ErrorCode(err) != haven.ENOTFOUND {
			return err
		}
		return nil
	}
	switch len(done) {
	case 0:
		return
	case 1:
	default:
		err := r.Store.Update(ctx, func(tx haven.Tx) error {
			for _, f := range done {
				if err := record(tx, f); err != nil {
					return err
				}
			}
			return nil
		})
		if err == nil {
			return
		}
	}
	for _, f := range done {
		if err := r.Store.Update(ctx, func(tx haven.Tx) error { return record(tx, f) }); err != nil {
			r.failed(ctx, f.job, fmt.Errorf("recording the outcome: %w", err))
		}
	}
}

// runTasks runs the periodic tasks that are due and returns how many ran.
func (r *Runner) runTasks(ctx context.Context) int {
	r.tasksMu.Lock()
	defer r.tasksMu.Unlock()
	n := 0
	for _, t := range r.tasks {
		now := r.Now()
		if now.Before(t.next) {
			continue
		}
		t.next = now.Add(t.every)
		n++
		if _, err := safely(ctx, func(ctx context.Context, _ *haven.Job) (Done, error) { return nil, t.fn(ctx) }, nil); err != nil {
			r.Log.Error("jobs: periodic task failed", "task", t.name, "err", err)
		}
	}
	return n
}

// runOne runs j's handler and returns its outcome's write and whether it
// succeeded; a failure is recorded at once, with the job's next try or as
// dead.
func (r *Runner) runOne(ctx context.Context, j *haven.Job) (Done, bool) {
	h := r.Handlers[j.Kind]
	var (
		d   Done
		err error
	)
	if h == nil {
		err = fmt.Errorf("no handler for job kind %q", j.Kind)
	} else {
		d, err = safely(ctx, h, j)
	}
	if err == nil {
		return d, true
	}
	r.failed(ctx, j, err)
	return nil, false
}

// failed records a failed try of j: it runs again after its backoff, or is
// kept as dead after its last attempt.
func (r *Runner) failed(ctx context.Context, j *haven.Job, err error) {
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
func safely(ctx context.Context, h Handler, j *haven.Job) (d Done, err error) {
	defer func() {
		if p := recover(); p != nil {
			d, err = nil, fmt.Errorf("panic: %v", p)
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

// EmailNotification returns the handler of haven.JobEmailNotification.
func EmailNotification(svc *haven.Service) Handler {
	return func(ctx context.Context, j *haven.Job) (Done, error) {
		done, err := svc.EmailNotification(ctx, j.RecordID)
		return Done(done), err
	}
}

// Ingest returns the handler of haven.JobIngestReport.
func Ingest(svc *haven.Service) Handler {
	return func(ctx context.Context, j *haven.Job) (Done, error) {
		done, err := svc.IngestReport(ctx, j.RecordID)
		return Done(done), err
	}
}
