package main

import (
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
	// Person matching scores with personmatch's built-in prior weights;
	// fitting them by EM to the children on file is left for later.
	pm := &people.Step{Index: k}
	if !have[pm.Name()] {
		svc.Ingestions = append(svc.Ingestions, pm)
	}
	svc.MatchKeys = people.ChildKeys(k)
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
