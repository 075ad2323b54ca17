// Package triage decides a report's priority from explicit, explainable
// rules about urgency, and nothing else.
//
// The rule set is versioned data (data/v1.json, embedded): each rule has an
// id, a priority P1 to P4, the time its first action is due, a label in
// English and Spanish, and a condition written as data over named facts
// (all of some, any of others, or "otherwise" for the default). The facts
// are a small vocabulary computed here from the report and its context
// (haven.TriageContext); each one that holds says why in a sentence a
// person can read, and those sentences are the evidence shown with every
// rule that fired. There is no score of a child: indicators are prompts
// for questions and are not read by any rule.
//
// To change the rules, add a new version file (data/v2.json) and point
// Default at it; reports triaged under v1 keep saying so until they are
// evaluated again (docs/triage.md).
package triage

import (
	"bytes"
	"embed"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

//go:embed data/*.json
var files embed.FS

// DefaultVersion is the file the running rule set is loaded from.
const DefaultVersion = "v1"

// Default returns the embedded rule set in use. It panics if the embedded
// file is malformed, which the tests rule out.
func Default() *RuleSet {
	b, err := files.ReadFile("data/" + DefaultVersion + ".json")
	if err != nil {
		panic("triage: " + err.Error())
	}
	rs, err := Load(b)
	if err != nil {
		panic("triage: data/" + DefaultVersion + ".json: " + err.Error())
	}
	return rs
}

// RuleSet is one version of the triage rules. It implements haven.Triager.
type RuleSet struct {
	Version string  `json:"version"`
	Lexicon Lexicon `json:"lexicon"`
	Rules   []Rule  `json:"rules"`
}

// Lexicon holds the phrases the two text facts look for, as data so that
// changing them is a new version of the rules.
type Lexicon struct {
	// Meeting and Soon: a sentence with a meeting or travel phrase and a
	// phrase of time within 72 hours (meeting_within_72h).
	Meeting []string `json:"meeting"`
	Soon    []string `json:"soon"`
	// Now and WithSuspect: a sentence with a "now" word and a phrase of
	// being with a suspect, or "with" the name of a suspect in the report
	// (with_suspected_trafficker_now).
	Now         []string `json:"now"`
	WithSuspect []string `json:"with_suspect"`
}

// Rule is one row of the rule set.
type Rule struct {
	ID       string            `json:"id"`
	Priority string            `json:"priority"` // "P1" to "P4"
	Due      string            `json:"due"`      // a Go duration: "1h", "72h"
	Label    map[string]string `json:"label"`    // "en" and "es"
	When     Condition         `json:"when"`

	priority haven.Priority
	due      time.Duration
}

// Condition is when a rule fires: every fact in All holds and, if Any is
// given, at least one of Any; or, for the one Otherwise rule, when no other
// rule fired.
type Condition struct {
	All       []string `json:"all,omitempty"`
	Any       []string `json:"any,omitempty"`
	Otherwise bool     `json:"otherwise,omitempty"`
}

// Load parses and checks a rule set. The error says what is wrong and
// where.
func Load(b []byte) (*RuleSet, error) {
	var rs RuleSet
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&rs); err != nil {
		return nil, fmt.Errorf("the rule set is not valid JSON of the expected shape: %w", err)
	}
	if err := rs.check(); err != nil {
		return nil, err
	}
	return &rs, nil
}

func (rs *RuleSet) check() error {
	if strings.TrimSpace(rs.Version) == "" {
		return fmt.Errorf("the rule set has no version")
	}
	if len(rs.Rules) == 0 {
		return fmt.Errorf("rule set %s has no rules", rs.Version)
	}
	for name, l := range map[string][]string{"meeting": rs.Lexicon.Meeting, "soon": rs.Lexicon.Soon, "now": rs.Lexicon.Now, "with_suspect": rs.Lexicon.WithSuspect} {
		if len(l) == 0 {
			return fmt.Errorf("rule set %s: the lexicon's %q list is empty", rs.Version, name)
		}
	}
	seen := map[string]bool{}
	otherwise := 0
	for i := range rs.Rules {
		r := &rs.Rules[i]
		where := fmt.Sprintf("rule set %s, rule %d (%q)", rs.Version, i+1, r.ID)
		if r.ID == "" || seen[r.ID] {
			return fmt.Errorf("%s: the id is empty or used twice", where)
		}
		seen[r.ID] = true
		switch r.Priority {
		case "P1", "P2", "P3", "P4":
			r.priority = haven.Priority(r.Priority[1] - '0')
		default:
			return fmt.Errorf("%s: priority %q is not P1, P2, P3 or P4", where, r.Priority)
		}
		d, err := time.ParseDuration(r.Due)
		if err != nil || d <= 0 {
			return fmt.Errorf("%s: due %q is not a positive duration such as \"4h\"", where, r.Due)
		}
		r.due = d
		if strings.TrimSpace(r.Label["en"]) == "" || strings.TrimSpace(r.Label["es"]) == "" {
			return fmt.Errorf("%s: needs a label in English (en) and Spanish (es)", where)
		}
		c := r.When
		switch {
		case c.Otherwise && (len(c.All) > 0 || len(c.Any) > 0):
			return fmt.Errorf("%s: an \"otherwise\" rule names no facts", where)
		case c.Otherwise:
			otherwise++
		case len(c.All) == 0 && len(c.Any) == 0:
			return fmt.Errorf("%s: the condition names no facts (give \"all\" or \"any\")", where)
		}
		for _, f := range append(append([]string(nil), c.All...), c.Any...) {
			if _, ok := facts[f]; !ok {
				return fmt.Errorf("%s: unknown fact %q (known: %s)", where, f, strings.Join(FactNames(), ", "))
			}
		}
	}
	if otherwise != 1 {
		return fmt.Errorf("rule set %s needs exactly one \"otherwise\" rule (the default), not %d", rs.Version, otherwise)
	}
	return nil
}

// DueFor implements haven.Triager: the shortest due time of the rules of
// priority p, or the default rule's when none has it.
func (rs *RuleSet) DueFor(p haven.Priority) time.Duration {
	var best, dflt time.Duration
	for _, r := range rs.Rules {
		if r.When.Otherwise {
			dflt = r.due
		}
		if r.priority == p && (best == 0 || r.due < best) {
			best = r.due
		}
	}
	if best == 0 {
		return dflt
	}
	return best
}

// Evaluate implements haven.Triager: the priority is the most urgent rule
// that fired; every rule that fired is listed, most urgent first, with the
// evidence of the facts that made it fire.
func (rs *RuleSet) Evaluate(r *haven.Report, c *haven.TriageContext) *haven.Triage {
	if c == nil {
		c = &haven.TriageContext{}
	}
	in := &input{r: r, c: c, lex: &rs.Lexicon}
	memo := map[string][]string{}
	holds := func(f string) []string {
		if ev, ok := memo[f]; ok {
			return ev
		}
		ev := facts[f].eval(in)
		memo[f] = ev
		return ev
	}
	t := &haven.Triage{Version: rs.Version}
	var dflt *Rule
	for i := range rs.Rules {
		rule := &rs.Rules[i]
		if rule.When.Otherwise {
			dflt = rule
			continue
		}
		if ev, ok := rule.fires(holds); ok {
			t.Fired = append(t.Fired, fired(rule, ev))
		}
	}
	if len(t.Fired) == 0 && dflt != nil {
		t.Fired = append(t.Fired, fired(dflt, []string{"No rule of higher priority fired."}))
	}
	sort.SliceStable(t.Fired, func(i, j int) bool { return t.Fired[i].Priority < t.Fired[j].Priority })
	t.Priority = t.Fired[0].Priority
	return t
}

func (r *Rule) fires(holds func(string) []string) ([]string, bool) {
	var ev []string
	for _, f := range r.When.All {
		e := holds(f)
		if len(e) == 0 {
			return nil, false
		}
		ev = append(ev, e...)
	}
	if len(r.When.Any) > 0 {
		any := false
		for _, f := range r.When.Any {
			if e := holds(f); len(e) > 0 {
				any = true
				ev = append(ev, e...)
			}
		}
		if !any {
			return nil, false
		}
	}
	return ev, true
}

func fired(r *Rule, ev []string) haven.FiredRule {
	return haven.FiredRule{Rule: r.ID, Priority: r.priority, Due: r.due, LabelEN: r.Label["en"], LabelES: r.Label["es"], Evidence: ev}
}
