// Package taxonomy is Haven's reference vocabulary as versioned data: the
// forms of child sex trafficking, the risk factors, the indicators with the
// follow-up questions they prompt (English and Spanish), the hotline's caller
// types and call dispositions, and the triage rule table. The data is an
// embedded JSON file (data/v1.json) that an editor changes without touching
// code; Load parses and checks it.
//
// Indicators are prompts, not scores: nothing here weighs or counts them.
package taxonomy

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"fmt"
	"sync"
	"time"
)

//go:embed data/v1.json
var v1 []byte

// Text is a label or question in English and Spanish.
type Text struct {
	EN string `json:"en"`
	ES string `json:"es"`
}

// In returns the text in lang ("es" for Spanish; anything else is English).
func (t Text) In(lang string) string {
	if lang == "es" && t.ES != "" {
		return t.ES
	}
	return t.EN
}

// Term is one entry of a vocabulary: an id that never changes once
// published, and its labels.
type Term struct {
	ID string `json:"id"`
	Text
	Description string `json:"description,omitempty"`
}

// RiskFactorGroup is one of the three groups of risk factors.
type RiskFactorGroup struct {
	ID string `json:"id"`
	Text
	Factors []Term `json:"factors"`
}

// Indicator is an observation that should prompt more questions, with the
// questions it prompts.
type Indicator struct {
	ID string `json:"id"`
	Text
	Questions []Text `json:"questions"`
}

// TriageRule is one row of the triage rule table: when it fires, the
// priority (1 = most urgent) and how soon the first action is due.
type TriageRule struct {
	ID       string `json:"id"`
	Priority int    `json:"priority"`
	Due      string `json:"due"` // a Go duration, e.g. "1h"
	Label    string `json:"label"`
	When     string `json:"when"`
}

// DueIn returns the rule's deadline as a duration.
func (r TriageRule) DueIn() time.Duration {
	d, _ := time.ParseDuration(r.Due) // checked by Load
	return d
}

// Change is one entry of the taxonomy's changelog.
type Change struct {
	Version string `json:"version"`
	Date    string `json:"date"`
	Note    string `json:"note"`
}

// Taxonomy is one version of the reference vocabulary. Treat it as read-only:
// Load returns a shared value.
type Taxonomy struct {
	Version          string            `json:"version"`
	Changelog        []Change          `json:"changelog"`
	Notice           Text              `json:"notice"`
	Forms            []Term            `json:"forms"`
	RiskFactorGroups []RiskFactorGroup `json:"risk_factor_groups"`
	Indicators       []Indicator       `json:"indicators"`
	CallerTypes      []Term            `json:"caller_types"`
	Dispositions     []Term            `json:"dispositions"`
	Triage           struct {
		Version string       `json:"version"`
		Rules   []TriageRule `json:"rules"`
	} `json:"triage"`

	indicators map[string]*Indicator
}

var load = sync.OnceValues(func() (*Taxonomy, error) { return Parse(v1) })

// Load returns the embedded taxonomy, parsed and checked once.
func Load() (*Taxonomy, error) { return load() }

// Parse reads and checks a taxonomy file: every field known, ids unique
// within each vocabulary, every label and question in both languages, every
// indicator with two to four follow-up questions, every triage rule with a
// priority from 1 to 4 and a duration.
func Parse(data []byte) (*Taxonomy, error) {
	var t Taxonomy
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&t); err != nil {
		return nil, fmt.Errorf("taxonomy: parse: %w", err)
	}
	if err := t.check(); err != nil {
		return nil, fmt.Errorf("taxonomy %s: %w", t.Version, err)
	}
	t.indicators = make(map[string]*Indicator, len(t.Indicators))
	for i := range t.Indicators {
		t.indicators[t.Indicators[i].ID] = &t.Indicators[i]
	}
	return &t, nil
}

func (t *Taxonomy) check() error {
	if t.Version == "" {
		return fmt.Errorf("no version")
	}
	if len(t.Changelog) == 0 || t.Changelog[len(t.Changelog)-1].Version != t.Version {
		return fmt.Errorf("the changelog's last entry must describe version %s", t.Version)
	}
	if err := checkTerms("forms", t.Forms); err != nil {
		return err
	}
	var factors []Term
	groups := make([]Term, len(t.RiskFactorGroups))
	for i, g := range t.RiskFactorGroups {
		groups[i] = Term{ID: g.ID, Text: g.Text}
		factors = append(factors, g.Factors...)
	}
	if len(groups) != 3 {
		return fmt.Errorf("risk factors come in three groups, found %d", len(groups))
	}
	if err := checkTerms("risk factor groups", groups); err != nil {
		return err
	}
	if err := checkTerms("risk factors", factors); err != nil {
		return err
	}
	inds := make([]Term, len(t.Indicators))
	for i, ind := range t.Indicators {
		inds[i] = Term{ID: ind.ID, Text: ind.Text}
		if n := len(ind.Questions); n < 2 || n > 4 {
			return fmt.Errorf("indicator %q has %d follow-up questions, want 2 to 4", ind.ID, n)
		}
		for j, q := range ind.Questions {
			if q.EN == "" || q.ES == "" {
				return fmt.Errorf("indicator %q: question %d lacks its English or Spanish text", ind.ID, j+1)
			}
		}
	}
	if err := checkTerms("indicators", inds); err != nil {
		return err
	}
	if err := checkTerms("caller types", t.CallerTypes); err != nil {
		return err
	}
	if err := checkTerms("dispositions", t.Dispositions); err != nil {
		return err
	}
	if t.Triage.Version == "" || len(t.Triage.Rules) == 0 {
		return fmt.Errorf("the triage rule table needs a version and rules")
	}
	seen := map[string]bool{}
	for _, r := range t.Triage.Rules {
		if r.ID == "" || seen[r.ID] {
			return fmt.Errorf("triage rule id %q is empty or used twice", r.ID)
		}
		seen[r.ID] = true
		if r.Priority < 1 || r.Priority > 4 {
			return fmt.Errorf("triage rule %q: priority %d is not 1 to 4", r.ID, r.Priority)
		}
		if d, err := time.ParseDuration(r.Due); err != nil || d <= 0 {
			return fmt.Errorf("triage rule %q: due %q is not a positive duration", r.ID, r.Due)
		}
	}
	return nil
}

func checkTerms(what string, terms []Term) error {
	if len(terms) == 0 {
		return fmt.Errorf("no %s", what)
	}
	seen := make(map[string]bool, len(terms))
	for _, x := range terms {
		if x.ID == "" || seen[x.ID] {
			return fmt.Errorf("%s: id %q is empty or used twice", what, x.ID)
		}
		seen[x.ID] = true
		if x.EN == "" || x.ES == "" {
			return fmt.Errorf("%s: %q lacks its English or Spanish label", what, x.ID)
		}
	}
	return nil
}

// Indicator returns the indicator with the id, or nil.
func (t *Taxonomy) Indicator(id string) *Indicator { return t.indicators[id] }

// CallerType returns the caller type with the id, or nil.
func (t *Taxonomy) CallerType(id string) *Term { return find(t.CallerTypes, id) }

// Disposition returns the call disposition with the id, or nil.
func (t *Taxonomy) Disposition(id string) *Term { return find(t.Dispositions, id) }

// Form returns the form of child sex trafficking with the id, or nil.
func (t *Taxonomy) Form(id string) *Term { return find(t.Forms, id) }

// RiskFactor returns the risk factor with the id, or nil.
func (t *Taxonomy) RiskFactor(id string) *Term {
	for i := range t.RiskFactorGroups {
		if f := find(t.RiskFactorGroups[i].Factors, id); f != nil {
			return f
		}
	}
	return nil
}

func find(terms []Term, id string) *Term {
	for i := range terms {
		if terms[i].ID == id {
			return &terms[i]
		}
	}
	return nil
}

// UnknownIndicators returns the ids in ids that are not indicators of this
// taxonomy, in order (nil when all are known).
func (t *Taxonomy) UnknownIndicators(ids []string) []string {
	var bad []string
	for _, id := range ids {
		if t.indicators[id] == nil {
			bad = append(bad, id)
		}
	}
	return bad
}

// ValidateIndicators returns an error naming the first id in ids that is not
// an indicator of this taxonomy, or nil.
func (t *Taxonomy) ValidateIndicators(ids []string) error {
	if bad := t.UnknownIndicators(ids); len(bad) > 0 {
		return fmt.Errorf("%q is not an indicator of taxonomy version %s", bad[0], t.Version)
	}
	return nil
}
