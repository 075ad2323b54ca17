package main

import (
	"context"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/triage"
)

// addTriage has the service triage every report with the embedded rule set
// (internal/triage): the ingest step "triage", added once after the steps
// already there (so after linking: a report's links count), and the
// handler of the lightweight re-evaluation job that links, missing
// episodes and person matches enqueue for the other reports they concern,
// and the task that triages the reports left from before (or from another
// version of the rules).
func addTriage(svc *haven.Service, runner *jobs.Runner) {
	if svc.Triager == nil {
		svc.Triager = triage.Default()
	}
	have := false
	for _, st := range svc.Ingestions {
		have = have || st.Name() == (haven.TriageIngestion{}).Name()
	}
	if !have {
		svc.Ingestions = append(svc.Ingestions, haven.TriageIngestion{})
	}
	if runner != nil {
		runner.Handlers[haven.JobTriageReport] = retriageJob(svc)
		if rs, ok := svc.Triager.(*triage.RuleSet); ok {
			runner.Every("triage.catch_up", triageCatchUpEvery, triageCatchUpTask(svc, rs.Version))
		}
	}
}

// retriageJob is the handler of haven.JobTriageReport: the evaluation
// commits in its own transaction, so the job records nothing more.
func retriageJob(svc *haven.Service) jobs.Handler {
	return func(ctx context.Context, j *haven.Job) (jobs.Done, error) {
		return nil, svc.Retriage(ctx, j.RecordID)
	}
}

// triageCatchUpEvery is how often triageCatchUpTask runs until it has
// caught up.
const triageCatchUpEvery = time.Minute

// triageCatchUpTask is the periodic task that evaluates, under the running
// rule set, the ingested reports triaged under none or another version
// (those from before triage existed, or all of them after a new version
// ships), oldest first, 200 a transaction-sized step, until none is left
// or the server stops; then it stops looking until the next start (the
// version only changes with the binary). Periodic tasks run on their own
// goroutine, so ingest never waits for it.
func triageCatchUpTask(svc *haven.Service, version string) func(ctx context.Context) error {
	var after int64
	done := false
	return func(ctx context.Context) error {
		for !done && ctx.Err() == nil {
			last, n, err := svc.CatchUpTriage(ctx, version, after, 200)
			after = last
			if err != nil {
				return err
			}
			done = n < 200
		}
		return nil
	}
}
