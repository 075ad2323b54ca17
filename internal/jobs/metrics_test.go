package jobs_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
)

func TestTheCollectorCountsWaitingAndDeadJobsByKind(t *testing.T) {
	ctx := context.Background()
	svc, r, _ := setup(t)
	c := jobs.NewCollector(svc.Store, haven.JobIngestReport, haven.JobEmailNotification)
	expect := func(what string, waiting, dead int) {
		t.Helper()
		want := `
# HELP haven_jobs Jobs in the queue, by kind and state (waiting: to run or running; dead: given up). A growing count of waiting report.ingest jobs means ingest (linking, triage) is falling behind the reports arriving.
# TYPE haven_jobs gauge
haven_jobs{kind="notification.email",state="dead"} 0
haven_jobs{kind="notification.email",state="waiting"} 0
haven_jobs{kind="report.ingest",state="dead"} ` + strconv.Itoa(dead) + `
haven_jobs{kind="report.ingest",state="waiting"} ` + strconv.Itoa(waiting) + `
# HELP haven_jobs_count_errors_total Scrapes at which the jobs could not be counted.
# TYPE haven_jobs_count_errors_total counter
haven_jobs_count_errors_total 0
`
		if err := testutil.CollectAndCompare(c, strings.NewReader(want), "haven_jobs", "haven_jobs_count_errors_total"); err != nil {
			t.Errorf("%s: %v", what, err)
		}
	}
	expect("an empty queue", 0, 0)
	for i := 0; i < 3; i++ {
		if err := svc.CreateReport(ctx, haven.System("test"), report()); err != nil {
			t.Fatal(err)
		}
	}
	expect("three reports committed", 3, 0)
	if _, err := r.RunDue(ctx); err != nil {
		t.Fatal(err)
	}
	expect("their ingest done", 0, 0)
	// A job given up is counted apart.
	if err := svc.CreateReport(ctx, haven.System("test"), report()); err != nil {
		t.Fatal(err)
	}
	err := svc.Store.Update(ctx, func(tx haven.Tx) error {
		js, err := tx.ListJobs(ctx, haven.JobIngestReport, false, 10)
		if err != nil || len(js) != 1 {
			t.Fatalf("the new report's job: %v, %v", js, err)
		}
		return tx.RetryJob(ctx, js[0].ID, svc.Now(), "gave up", true)
	})
	if err != nil {
		t.Fatal(err)
	}
	expect("one given up", 0, 1)
}
