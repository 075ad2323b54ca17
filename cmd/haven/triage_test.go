package main

import (
	"path/filepath"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/keys"
)

func TestServeTriagesEveryReportAfterLinkingOnce(t *testing.T) {
	k, _, err := keys.LoadOrCreate(filepath.Join(t.TempDir(), "haven.keys"))
	if err != nil {
		t.Fatal(err)
	}
	svc := haven.NewService(nil, k, k, nil)
	runner := jobs.NewRunner(nil, nil)
	addLinking(svc, k)
	addTriage(svc, runner)
	addTriage(svc, runner) // wiring twice adds nothing
	var names []string
	for _, st := range svc.Ingestions {
		names = append(names, st.Name())
	}
	if len(names) < 2 || names[0] != "linking" || names[len(names)-1] != "triage" {
		t.Errorf("ingest steps %v: want linking first and triage last", names)
	}
	n := 0
	for _, name := range names {
		if name == "triage" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("the triage step is wired %d times, want once", n)
	}
	if svc.Triager == nil || runner.Handlers[haven.JobTriageReport] == nil {
		t.Error("the service has no rules or the runner no handler for the re-evaluation job")
	}
}
