package jobs_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

func setup(t *testing.T) (*haven.Service, *jobs.Runner, *time.Time) {
	t.Helper()
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { store.Close() })
	k, _, err := keys.LoadOrCreate(filepath.Join(t.TempDir(), "k"))
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := haven.NewService(store, k, k, log)
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return now }
	r := jobs.NewRunner(store, log)
	r.Now = svc.Now
	r.Handlers[haven.JobIngestReport] = jobs.Ingest(svc)
	return svc, r, &now
}

func report() *haven.Report {
	return &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
		Narrative: "A caller saw a girl of about 15 at a bus station with an older man who held her ID."}
}

// step records that it ran, and fails while fail is set.
type step struct {
	runs atomic.Int32
	fail atomic.Bool
}

func (s *step) Name() string { return "test step" }
func (s *step) Ingest(ctx context.Context, svc *haven.Service, r *haven.Report) error {
	s.runs.Add(1)
	if s.fail.Load() {
		return errors.New("linking index unavailable")
	}
	return nil
}

func TestAReportCommitsWithItsIngestJobAndTheJobRunsTheSteps(t *testing.T) {
	svc, r, _ := setup(t)
	ctx := context.Background()
	st := &step{}
	svc.Ingestions = []haven.Ingestion{st}
	rep := report()
	if err := svc.CreateReport(ctx, haven.System("test"), rep); err != nil {
		t.Fatal(err)
	}
	var pending []*haven.Job
	svc.Store.View(ctx, func(tx haven.Tx) (err error) {
		pending, err = tx.ListJobs(ctx, haven.JobIngestReport, false, 10)
		return err
	})
	if len(pending) != 1 || pending[0].RecordID != rep.ID {
		t.Fatalf("jobs after the report committed: %+v", pending)
	}
	if n, err := r.RunDue(ctx); n != 1 || err != nil {
		t.Fatalf("RunDue = %d, %v", n, err)
	}
	if st.runs.Load() != 1 {
		t.Fatalf("ingestion step ran %d times", st.runs.Load())
	}
	got, _ := svc.GetReport(ctx, haven.System("test"), rep.ID, "")
	if got.IngestedAt == nil {
		t.Fatal("the report was not marked ingested")
	}
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatalf("a finished job ran again (%d)", n)
	}
}

func TestARefusedReportLeavesNoJob(t *testing.T) {
	svc, r, _ := setup(t)
	bad := report()
	bad.Channel = "fax"
	if err := svc.CreateReport(context.Background(), haven.System("test"), bad); err == nil {
		t.Fatal("bad report accepted")
	}
	if n, _ := r.RunDue(context.Background()); n != 0 {
		t.Fatalf("%d jobs for a refused report", n)
	}
}

func TestAFailingJobIsRetriedWithBackoffThenKeptAsDead(t *testing.T) {
	svc, r, now := setup(t)
	ctx := context.Background()
	st := &step{}
	st.fail.Store(true)
	svc.Ingestions = []haven.Ingestion{st}
	if err := svc.CreateReport(ctx, haven.System("test"), report()); err != nil {
		t.Fatal(err)
	}
	if n, _ := r.RunDue(ctx); n != 1 {
		t.Fatal("job did not run")
	}
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatal("a failed job ran again before its backoff")
	}
	*now = now.Add(jobs.Backoff(1))
	if n, _ := r.RunDue(ctx); n != 1 {
		t.Fatal("a failed job did not run again after its backoff")
	}
	for i := 2; i < haven.MaxJobAttempts; i++ {
		*now = now.Add(jobs.Backoff(i))
		if n, _ := r.RunDue(ctx); n != 1 {
			t.Fatalf("attempt %d did not run", i+1)
		}
	}
	*now = now.Add(24 * time.Hour)
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatal("a dead job ran again")
	}
	var dead []*haven.Job
	svc.Store.View(ctx, func(tx haven.Tx) (err error) { dead, err = tx.ListJobs(ctx, "", true, 10); return err })
	if len(dead) != 1 || dead[0].LastError != "linking index unavailable" || dead[0].Attempts != haven.MaxJobAttempts {
		t.Fatalf("dead jobs: %+v", dead)
	}
	if int(st.runs.Load()) != haven.MaxJobAttempts {
		t.Fatalf("step ran %d times, want %d", st.runs.Load(), haven.MaxJobAttempts)
	}
}

func TestAJobLeftByADeadRunnerRunsAgainAfterItsLease(t *testing.T) {
	svc, r, now := setup(t)
	ctx := context.Background()
	if err := svc.CreateReport(ctx, haven.System("test"), report()); err != nil {
		t.Fatal(err)
	}
	// A runner claims the job and dies before finishing it.
	svc.Store.Update(ctx, func(tx haven.Tx) error { _, err := tx.ClaimJobs(ctx, *now, haven.JobLease, 10); return err })
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatal("a leased job was claimed twice")
	}
	*now = now.Add(haven.JobLease + time.Second)
	if n, _ := r.RunDue(ctx); n != 1 {
		t.Fatal("the job of a dead runner never ran")
	}
}

// A server starting on SQLite releases the leases a killed one left
// (cmd/haven's releaseDeadLeases): the job runs at once, not after the lease.
func TestAReleasedLeaseRunsAtOnce(t *testing.T) {
	svc, r, now := setup(t)
	ctx := context.Background()
	if err := svc.CreateReport(ctx, haven.System("test"), report()); err != nil {
		t.Fatal(err)
	}
	svc.Store.Update(ctx, func(tx haven.Tx) error { _, err := tx.ClaimJobs(ctx, *now, haven.JobLease, 10); return err })
	var n int
	if err := svc.Store.Update(ctx, func(tx haven.Tx) (err error) { n, err = tx.ReleaseJobLeases(ctx); return err }); err != nil || n != 1 {
		t.Fatalf("released %d leases (%v), want 1", n, err)
	}
	if ran, _ := r.RunDue(ctx); ran != 1 {
		t.Fatalf("%d jobs ran after the release, want the dead runner's one at once", ran)
	}
}

func TestRunWakesOnCommitAndStopsWithItsContext(t *testing.T) {
	svc, r, _ := setup(t)
	r.Now = time.Now
	svc.Now = time.Now
	r.Poll = time.Hour // only a wake can start it
	svc.Committed = r.Wake
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	rep := report()
	if err := svc.CreateReport(ctx, haven.System("test"), rep); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := svc.GetReport(ctx, haven.System("test"), rep.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.IngestedAt != nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the committed report was never ingested")
		}
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Run did not stop")
	}
}

func TestInABatchTheJobsThatSucceedAreDoneAndTheOthersRetried(t *testing.T) {
	svc, r, now := setup(t)
	ctx := context.Background()
	failing := map[int64]bool{}
	r.Handlers[haven.JobIngestReport] = func(ctx context.Context, j *haven.Job) (jobs.Done, error) {
		if failing[j.RecordID] {
			return nil, errors.New("linking index unavailable")
		}
		return nil, nil
	}
	for i := 0; i < 6; i++ {
		rep := report()
		if err := svc.CreateReport(ctx, haven.System("test"), rep); err != nil {
			t.Fatal(err)
		}
		failing[rep.ID] = i%3 == 0
	}
	if n, err := r.RunDue(ctx); n != 6 || err != nil {
		t.Fatalf("RunDue = %d, %v; want 6 jobs run", n, err)
	}
	var left []*haven.Job
	svc.Store.View(ctx, func(tx haven.Tx) (err error) { left, err = tx.ListJobs(ctx, "", false, 10); return err })
	if len(left) != 2 {
		t.Fatalf("%d jobs left after the batch, want the 2 that failed", len(left))
	}
	for _, j := range left {
		if !failing[j.RecordID] || j.LastError != "linking index unavailable" {
			t.Errorf("left: %+v", j)
		}
	}
	clear(failing)
	*now = now.Add(jobs.Backoff(1))
	if n, _ := r.RunDue(ctx); n != 2 {
		t.Fatalf("the failed jobs did not run again after their backoff (%d)", n)
	}
	if n, _ := r.RunDue(ctx); n != 0 {
		t.Fatalf("%d jobs ran again after succeeding", n)
	}
}

func TestPeriodicTasksRunWhenDueByTheRunnersClock(t *testing.T) {
	_, r, now := setup(t)
	ctx := context.Background()
	var runs atomic.Int32
	r.Every("sweep", time.Minute, func(ctx context.Context) error {
		if runs.Add(1) == 2 {
			return errors.New("database busy")
		}
		return nil
	})
	if n, _ := r.RunDue(ctx); n != 1 || runs.Load() != 1 {
		t.Fatalf("first RunDue ran %d (task runs %d), want the task once", n, runs.Load())
	}
	if n, _ := r.RunDue(ctx); n != 0 || runs.Load() != 1 {
		t.Fatalf("the task ran again before its minute (%d)", runs.Load())
	}
	*now = now.Add(time.Minute)
	r.RunDue(ctx) // fails: logged, tried again a minute later
	*now = now.Add(30 * time.Second)
	if r.RunDue(ctx); runs.Load() != 2 {
		t.Fatalf("the failed task ran again before its minute (%d)", runs.Load())
	}
	*now = now.Add(30 * time.Second)
	if r.RunDue(ctx); runs.Load() != 3 {
		t.Fatalf("the task did not run again after it failed (%d runs)", runs.Load())
	}
}

func TestAJobWhoseOutcomeCannotBeRecordedDoesNotHoldBackTheOthers(t *testing.T) {
	svc, r, _ := setup(t)
	ctx := context.Background()
	var ids []int64
	for i := 0; i < 3; i++ {
		rep := report()
		if err := svc.CreateReport(ctx, haven.System("test"), rep); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, rep.ID)
	}
	ingest := jobs.Ingest(svc)
	r.Handlers[haven.JobIngestReport] = func(ctx context.Context, j *haven.Job) (jobs.Done, error) {
		if j.RecordID == ids[1] {
			return func(haven.Tx) error { return errors.New("disk full") }, nil
		}
		return ingest(ctx, j)
	}
	if n, err := r.RunDue(ctx); n != 3 || err != nil {
		t.Fatalf("RunDue = %d, %v", n, err)
	}
	for i, id := range ids {
		got, err := svc.GetReport(ctx, haven.System("test"), id, "")
		if err != nil {
			t.Fatal(err)
		}
		if ingested := got.IngestedAt != nil; ingested != (i != 1) {
			t.Errorf("report %d ingested = %v", i, ingested)
		}
	}
	var left []*haven.Job
	svc.Store.View(ctx, func(tx haven.Tx) (err error) { left, err = tx.ListJobs(ctx, "", false, 10); return err })
	if len(left) != 1 || left[0].RecordID != ids[1] || left[0].LastError != "recording the outcome: disk full" {
		t.Fatalf("jobs left: %+v", left)
	}
}

func TestJobsDoNotWaitForASlowPeriodicTask(t *testing.T) {
	svc, r, _ := setup(t)
	r.Now = time.Now
	svc.Now = time.Now
	svc.Committed = r.Wake
	started, release := make(chan struct{}), make(chan struct{})
	r.Every("slow fit", time.Hour, func(ctx context.Context) error {
		close(started)
		select { // a model fit on a large population
		case <-release:
		case <-ctx.Done():
		}
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { r.Run(ctx); close(done) }()
	defer func() { close(release); cancel(); <-done }()
	<-started
	rep := report()
	if err := svc.CreateReport(ctx, haven.System("test"), rep); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		got, err := svc.GetReport(ctx, haven.System("test"), rep.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if got.IngestedAt != nil {
			return // ingested while the task is still running
		}
		if time.Now().After(deadline) {
			t.Fatal("the report waited for the periodic task")
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// A job that runs longer than its lease keeps it (the runner renews it
// every third of the lease), so another runner never runs it at the same
// time; once its runner stops renewing (it died), another claims the job
// after the lease.
func TestALongJobKeepsItsLeaseUntilItsRunnerStops(t *testing.T) {
	svc, a, _ := setup(t)
	svc.Now, a.Now = time.Now, time.Now
	const lease = 1500 * time.Millisecond
	a.Lease = lease
	b := jobs.NewRunner(svc.Store, a.Log)
	b.Lease = lease
	var runs atomic.Int32
	release := make(chan struct{})
	hang := func(ctx context.Context, j *haven.Job) (jobs.Done, error) {
		if runs.Add(1) == 1 { // the first run hangs; any other returns
			<-release
		}
		return nil, errors.New("stopped")
	}
	a.Handlers[haven.JobIngestReport] = hang
	b.Handlers[haven.JobIngestReport] = hang
	if err := svc.CreateReport(context.Background(), haven.System("test"), report()); err != nil {
		t.Fatal(err)
	}
	actx, stopA := context.WithCancel(context.Background())
	aDone := make(chan struct{})
	go func() { a.RunDue(actx); close(aDone) }()
	for runs.Load() == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	// For two and a half leases, b finds nothing to claim.
	for end := time.Now().Add(lease * 5 / 2); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if n, err := b.RunDue(context.Background()); err != nil || n != 0 {
			t.Fatalf("another runner claimed a job whose runner renews its lease: %d, %v", n, err)
		}
	}
	// a dies: it stops renewing (its handler never returns).
	stopA()
	deadline := time.Now().Add(10 * lease)
	go func() {
		for runs.Load() < 2 && time.Now().Before(deadline) {
			b.RunDue(context.Background())
			time.Sleep(100 * time.Millisecond)
		}
	}()
	for runs.Load() < 2 && time.Now().Before(deadline) {
		time.Sleep(50 * time.Millisecond)
	}
	close(release)
	<-aDone
	if runs.Load() != 2 {
		t.Fatalf("the job ran %d times; want once by each runner, the second after the first stopped renewing", runs.Load())
	}
}
