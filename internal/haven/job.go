package haven

import (
	"context"
	"time"
)

// Job is background work that a write caused: it is enqueued in the same
// transaction as the write, so it exists exactly when the write committed,
// and it runs after the commit (internal/jobs runs it). A job that fails is
// retried with backoff; after MaxJobAttempts it is kept as dead, with its
// last error, for an operator to see.
type Job struct {
	ID        int64
	Kind      string // what to do, e.g. JobIngestReport
	RecordID  int64  // the record it concerns
	RunAt     time.Time
	Attempts  int // how many times it was claimed
	LastError string
	Dead      bool
	CreatedAt time.Time
}

// Job kinds.
const (
	// JobIngestReport runs after a report commits: extraction, linking and
	// triage hang off it (see Service.IngestReport).
	JobIngestReport = "report.ingest"
)

// MaxJobAttempts is how many times a job is tried before it is kept as dead.
const MaxJobAttempts = 8

// JobLease is how long a claimed job is reserved for the runner that claimed
// it. The runner renews the lease every third of it while the job runs
// (internal/jobs), so a job may run as long as it needs, and one left by a
// runner that died (a node of a PostgreSQL deployment killed mid-job) is
// claimed again by another within a minute.
const JobLease = time.Minute

// JobsTx is the part of a transaction that handles the job queue.
type JobsTx interface {
	// EnqueueJob adds a job; RunAt defaults to the transaction's time.
	EnqueueJob(ctx context.Context, j *Job) error
	// ClaimJobs reserves up to limit jobs due at now that are neither dead
	// nor reserved (their lease expired), oldest first: it sets their lease
	// to now+lease, increments Attempts and returns them.
	ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*Job, error)
	// ReleaseJobLeases ends every lease, and returns how many it ended: for
	// a server starting on a database only it runs jobs on (SQLite), whose
	// leases can only be those of a process that died.
	ReleaseJobLeases(ctx context.Context) (int, error)
	// RenewJobLeases extends to until the leases of the jobs ids that are
	// still leased (a job released meanwhile stays released), and returns
	// how many it extended.
	RenewJobLeases(ctx context.Context, ids []int64, until time.Time) (int, error)
	// FinishJob removes a job that succeeded.
	FinishJob(ctx context.Context, id int64) error
	// RetryJob releases a failed job to run again at runAt, recording its
	// error; dead marks it as given up.
	RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string, dead bool) error
	// ListJobs lists jobs of a kind ("" = all), dead ones only if dead.
	ListJobs(ctx context.Context, kind string, dead bool, limit int) ([]*Job, error)
	// CountJobs counts the jobs in the queue by kind, waiting (due or not,
	// claimed or not) and dead apart, ordered by kind then dead.
	CountJobs(ctx context.Context) ([]JobCount, error)
}

// JobCount is how many jobs of a kind are waiting, or dead.
type JobCount struct {
	Kind  string
	Dead  bool
	Count int
}

// Ingestion is one step run on every report after it commits (extraction,
// linking, triage). Steps run in order; an error makes the job retry, so a
// step must be safe to run twice.
type Ingestion interface {
	Name() string
	Ingest(ctx context.Context, s *Service, r *Report) error
}

// IngestReport runs the ingestion steps on a stored report (the handler of
// JobIngestReport) and returns the write that records it as ingested, which
// the job runner commits together with the job's completion.
func (s *Service) IngestReport(ctx context.Context, reportID int64) (func(Tx) error, error) {
	var r *Report
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		r, err = tx.ReportByID(ctx, reportID)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, step := range s.Ingestions {
		if err := step.Ingest(ctx, s, r); err != nil {
			return nil, err
		}
	}
	at := s.now()
	return func(tx Tx) error { return tx.MarkReportIngested(ctx, reportID, at) }, nil
}
