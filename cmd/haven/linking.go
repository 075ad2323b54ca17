package main

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/linking"
	"github.com/haven-oss/haven/internal/linking/extract"
	"github.com/haven-oss/haven/internal/linking/people"
)

// addLinking adds the linking step and, after it, the person-matching step
// to the service's ingestion steps, once each, and has the service file
// every child it creates under the person-matching blocking keys.
func addLinking(svc *haven.Service, k *keys.Keys) {
	have := map[string]bool{}
	for _, st := range svc.Ingestions {
		have[st.Name()] = true
	}
	if !have["linking"] {
		svc.Ingestions = append(svc.Ingestions, linkingStep(k))
	}
	// Person matching scores with the newest model fitted by EM to the
	// people on file (personModelTask), or with personmatch's built-in
	// prior weights until there is one.
	pm := &people.Step{Index: k}
	if !have[pm.Name()] {
		svc.Ingestions = append(svc.Ingestions, pm)
	}
	svc.MatchKeys = people.ChildKeys(k)
}

// personModelCheckEvery is how often personModelTask runs.
const personModelCheckEvery = people.RefitCheckEvery

// personModelTask is the periodic job that refits the person-matching
// model to the children on file and the children mentioned in reports
// (people.Fitter: at least people.MinFitRecords of them, at most daily
// unless they grew by a tenth); the step of every node picks up the newest
// stored model.
func personModelTask(svc *haven.Service) func(ctx context.Context) error {
	f := &people.Fitter{}
	return func(ctx context.Context) error {
		_, err := f.Refit(ctx, svc)
		return err
	}
}

// linkingStep is the ingest step that links every report to the others
// through the identifiers they share: those given in its fields and those
// internal/linking/extract finds in its text, normalised by extract and
// looked up through the key file's blind-index key.
func linkingStep(k *keys.Keys) *linking.Step {
	return &linking.Step{Index: k, Extract: extractIdentifiers, Normalize: extract.Normalize}
}

// extractIdentifiers adapts extract.Text to linking.Step.Extract; the step
// records which field each identifier was found in.
func extractIdentifiers(text string) []haven.Identifier {
	found := extract.Text(text)
	out := make([]haven.Identifier, len(found))
	for i, f := range found {
		out[i] = f.Identifier("")
	}
	return out
}
