// Package linking links a report to other reports through the identifiers
// they share; that is its one job. Its Step runs on every report after it
// commits (a haven.Ingestion in the report's ingest job), and again after
// each supplement a tip's follow-up adds: it takes the report's structured
// identifiers and those found in its free text and its supplements (by an
// injected extractor, internal/linking/extract in Haven), normalises each,
// computes its blind-index MAC with the key file's index key, and in one
// transaction enters them in the identifier index, links the report to
// them and updates the networks of linked reports (haven.IndexTx).
//
// The identifier index, the networks and the review of noisy identifiers
// are described in internal/haven/linking.go; this package computes what
// the store needs and hands it over.
package linking

import (
	"context"
	"fmt"

	"github.com/haven-oss/haven/internal/haven"
)

// Step is the linking step of the ingest job.
type Step struct {
	// Index computes blind-index MACs (the key file's index key).
	Index haven.BlindIndexer
	// Extract finds identifiers in free text; their Kind, Platform and
	// Value are normalised by Normalize again. nil: only the structured
	// identifiers are linked.
	Extract func(text string) []haven.Identifier
	// Normalize returns an identifier's platform and value in the form the
	// index compares, or an error for a value that is not of its kind
	// (which is then not linked). nil: Basic.
	Normalize func(kind haven.IdentifierKind, platform, value string) (string, string, error)
	// Threshold is the number of reports above which an identifier is
	// flagged for review (0: haven.FlagThreshold).
	Threshold int
}

// Name names the step in logs.
func (st *Step) Name() string { return "linking" }

// source is a free-text field of a report with its name, or the
// identifiers a supplement gave in its form (ids, with text "").
type source struct {
	name, text string
	ids        []haven.Identifier
}

// texts returns the report's free text: its narrative (with what a
// channel kept there: an ESP's additional information, the hotline's
// notes) and the descriptions of the people it mentions; then, for each of
// its supplements (oldest first), the identifiers given in the follow-up
// form and the text ("supplements.0" is the first).
func texts(r *haven.Report, sups []*haven.Supplement) []source {
	out := []source{{name: "narrative", text: r.Narrative}}
	for i, p := range r.People {
		if p.Description != "" {
			out = append(out, source{name: fmt.Sprintf("people.%d.description", i), text: p.Description})
		}
	}
	for i, sup := range sups {
		name := fmt.Sprintf("supplements.%d", i)
		if len(sup.Identifiers) > 0 {
			ids := make([]haven.Identifier, len(sup.Identifiers))
			for j, id := range sup.Identifiers {
				id.Source = "" // named after the supplement
				ids[j] = id
			}
			out = append(out, source{name: name, ids: ids})
		}
		if sup.Text != "" {
			out = append(out, source{name: name, text: sup.Text})
		}
	}
	return out
}

// supplements returns what the report's follow-ups added to it. Only tips
// have a follow-up code (Service.SubmitTip), so only they are looked up.
func supplements(ctx context.Context, s *haven.Service, r *haven.Report) ([]*haven.Supplement, error) {
	if r.Channel != haven.ChannelPublicTip {
		return nil, nil
	}
	var sups []*haven.Supplement
	err := s.Store.View(ctx, func(tx haven.Tx) (err error) {
		sups, err = tx.ListSupplements(ctx, r.ID)
		return err
	})
	return sups, err
}

// Ingest links the report, through its identifiers and those found in its
// text and its supplements (a tip's follow-ups, which enqueue the report's
// ingest job again). Running it again for the same report changes nothing
// but what a new supplement adds: identifiers found before are among its
// own identifiers then, and the store links a report to an identifier once.
func (st *Step) Ingest(ctx context.Context, s *haven.Service, r *haven.Report) error {
	sups, err := supplements(ctx, s, r)
	if err != nil {
		return fmt.Errorf("linking report %d: supplements: %w", r.ID, err)
	}
	l, found := st.prepare(r, sups)
	if len(l.Entries) == 0 {
		return nil
	}
	var out *haven.LinkOutcome
	err = s.Store.Update(ctx, func(tx haven.Tx) error {
		if len(found) > 0 {
			ids := make([]haven.Identifier, len(found))
			for i, f := range found {
				ids[i] = f.id
			}
			if err := tx.AddReportIdentifiers(ctx, r.ID, ids); err != nil {
				return err
			}
			for i, f := range found {
				l.Entries[f.entry].IdentifierID = ids[i].ID
			}
		}
		var err error
		out, err = tx.LinkReport(ctx, l)
		return err
	})
	if err != nil {
		return fmt.Errorf("linking report %d: %w", r.ID, err)
	}
	if len(out.Flagged) > 0 {
		s.Log.Info("linking: identifiers linked to more reports than the threshold are flagged for review",
			"report", r.ID, "identifiers", out.Flagged, "threshold", l.Threshold)
	}
	if out.NewLinks > 0 {
		s.Log.Debug("linking: report linked", "report", r.ID, "links", out.NewLinks, "reports", len(out.Linked), "network", out.NetworkID)
	}
	return nil
}

// foundIdentifier is an identifier found in the report's text that it does
// not carry yet, with the index of its entry in the Linking.
type foundIdentifier struct {
	id    haven.Identifier
	entry int
}

// prepare returns what the store needs to link r, and the identifiers found
// in its text and supplements that r does not carry yet (their entries'
// IdentifierID is set once they are stored).
func (st *Step) prepare(r *haven.Report, sups []*haven.Supplement) (*haven.Linking, []foundIdentifier) {
	threshold := st.Threshold
	if threshold <= 0 {
		threshold = haven.FlagThreshold
	}
	normalize := st.Normalize
	if normalize == nil {
		normalize = Basic
	}
	l := &haven.Linking{ReportID: r.ID, ReceivedAt: r.ReceivedAt, Threshold: threshold}
	seen := map[string]bool{}
	add := func(kind haven.IdentifierKind, platform, value string, rowID int64) bool {
		key := string(haven.IndexInput(kind, platform, value))
		if seen[key] {
			return false
		}
		seen[key] = true
		l.Entries = append(l.Entries, haven.IndexEntry{Kind: kind, Platform: platform,
			MAC: st.Index.BlindIndex(haven.IndexInput(kind, platform, value)), IdentifierID: rowID})
		return true
	}
	for _, id := range r.Identifiers {
		if p, v, err := normalize(id.Kind, id.Platform, id.Value); err == nil {
			add(id.Kind, p, v, id.ID)
		}
	}
	var found []foundIdentifier
	room := haven.MaxIdentifiers - len(r.Identifiers)
	for _, src := range texts(r, sups) {
		ids := src.ids
		if src.text != "" {
			if st.Extract == nil {
				continue
			}
			ids = st.Extract(src.text)
		}
		for _, id := range ids {
			if len(found) >= room {
				return l, found
			}
			p, v, err := normalize(id.Kind, id.Platform, id.Value)
			if err != nil {
				continue
			}
			id.Platform, id.Value, id.ID, id.ReportID = p, v, 0, 0
			if id.Raw == "" {
				id.Raw = v
			}
			if id.Source == "" {
				id.Source = src.name
			}
			if id.Validate() != nil || !add(id.Kind, p, v, 0) {
				continue
			}
			found = append(found, foundIdentifier{id: id, entry: len(l.Entries) - 1})
		}
	}
	return l, found
}
