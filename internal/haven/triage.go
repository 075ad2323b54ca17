package haven

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Triage. Every report gets a priority (P1 to P4) from explicit rules about
// urgency, kept as versioned data by internal/triage: the rules that fired,
// each with the evidence a person can read, and a due time for the first
// action. Triage runs in each report's ingest job after linking, and again
// whenever something it reads changes: a supplement or a call update (which
// re-ingest the report), a link to a report of a missing child, a missing
// episode opening or closing, a person match confirmed. A supervisor may
// override the priority with a written reason; a later evaluation keeps the
// override and records what the rules say beside it. There is no numeric
// score of a child anywhere.
//
// reports.priority always holds the effective priority (the override when
// set, else the rules'), so that every list, filter and queue uses it.

// JobTriageReport re-evaluates one report's triage (Service.Retriage): the
// lightweight job enqueued for the reports whose facts changed because of
// something outside them (a link, an episode, a match).
const JobTriageReport = "report.triage"

// NotifyPriorityRaised tells analysts and supervisors that a report's
// priority rose on re-evaluation.
const NotifyPriorityRaised = "priority_raised"

// ActionPrioritize is overriding a report's priority (a supervisor's
// decision, with a written reason).
const ActionPrioritize Action = "prioritize"

// MaxOverrideReason is the longest reason a supervisor may give.
const MaxOverrideReason = 2000

// MaxRetriageFanOut is the most other reports one change re-triages at once
// (a network or a child's reports); beyond it the rest keep their triage
// until their own next evaluation. Networks that large are flagged for
// review long before (FlagThreshold).
const MaxRetriageFanOut = 500

// FiredRule is one triage rule that fired for a report, with its evidence.
type FiredRule struct {
	Rule     string        `json:"rule"`     // the rule's id in the rule set
	Priority Priority      `json:"priority"` // the priority the rule gives
	Due      time.Duration `json:"due"`      // first action due this long after the report (or the rise)
	LabelEN  string        `json:"label_en"`
	LabelES  string        `json:"label_es"`
	// Evidence is one sentence a person can read per fact that made the
	// rule fire.
	Evidence []string `json:"evidence"`
}

// Triage is what the rules decided about a report.
type Triage struct {
	Priority Priority    // the most urgent rule that fired
	Fired    []FiredRule // every rule that fired, most urgent first
	Version  string      // the rule set's version
	At       time.Time   // when they were evaluated
}

// PriorityOverride is a supervisor's decision on a report's priority.
type PriorityOverride struct {
	Priority Priority
	Reason   string
	By       int64
	ByName   string // the supervisor's username (read only)
	At       time.Time
}

// TriageEpisode is a missing episode a report concerns, and how.
type TriageEpisode struct {
	EpisodeID int64
	ChildID   int64
	ReportID  int64  // the missing-child report that opened it
	ReportRef string // its reference number
	// Via is how the report concerns the child: "this report" (it opened
	// the episode), "person" (a person in the report is the child on file,
	// by an analyst's match) or "network" (the report is linked to the
	// missing-child report through shared identifiers).
	Via                string
	Open               bool
	FromCare           bool
	LawEnforcementTold bool
}

// Ways a report concerns a missing episode (TriageEpisode.Via).
const (
	ViaThisReport = "this report"
	ViaPerson     = "person"
	ViaNetwork    = "network"
)

// TriageContext is what triage reads about a report beyond its own fields.
type TriageContext struct {
	// ImminentAt is when a hotline specialist flagged the report's call as
	// imminent danger (nil: not flagged).
	ImminentAt *time.Time
	// Photos is how many image files are attached to the report.
	Photos int
	// Episodes are the missing episodes the report concerns.
	Episodes []TriageEpisode
}

// Triager evaluates the triage rules (internal/triage implements it).
type Triager interface {
	// Evaluate returns the rules' decision on r (At is left for the caller).
	Evaluate(r *Report, c *TriageContext) *Triage
	// DueFor is the first-action time the rule set gives a priority (that
	// of its fastest rule of that priority).
	DueFor(p Priority) time.Duration
}

// TriageTx is the part of a transaction that keeps reports' triage.
type TriageTx interface {
	// TriageContext gathers what triage reads about a report beyond its
	// fields; ENOTFOUND for a missing report.
	TriageContext(ctx context.Context, reportID int64) (*TriageContext, error)
	// ReportTriage returns the report's triage and override (nil when none).
	ReportTriage(ctx context.Context, reportID int64) (*Triage, *PriorityOverride, error)
	// LockReportTriage holds the report's row until the transaction ends,
	// so that evaluations of one report run one after the other (each
	// sees the one before: a rise is noticed, and announced, once).
	LockReportTriage(ctx context.Context, reportID int64) error
	// SetReportTriage records the rules' decision with the report's
	// effective priority and due time.
	SetReportTriage(ctx context.Context, reportID int64, t *Triage, effective Priority, dueAt *time.Time) error
	// SetPriorityOverride records a supervisor's override (the effective
	// priority becomes o.Priority) and the due time.
	SetPriorityOverride(ctx context.Context, reportID int64, o *PriorityOverride, dueAt *time.Time) error
	// NetworkPeers returns the other members of the report's network (whose
	// triage may change with it), at most limit, by id.
	NetworkPeers(ctx context.Context, reportID int64, limit int) ([]int64, error)
	// ReportsConcerningChild returns the reports that concern a child: those
	// with a person matched to the child, those that opened the child's
	// missing episodes, and the members of those reports' networks, at most
	// limit, by id.
	ReportsConcerningChild(ctx context.Context, childID int64, limit int) ([]int64, error)
	// ReportsNotTriagedUnder returns ingested reports with an id above
	// afterID whose triage is not of the given rule-set version (never
	// triaged, or under another), at most limit, by id.
	ReportsNotTriagedUnder(ctx context.Context, version string, afterID int64, limit int) ([]int64, error)
}

// EffectivePriority is the override's priority when there is one, else
// the rules'.
func EffectivePriority(t *Triage, o *PriorityOverride) Priority {
	if o != nil && o.Priority != PriorityNone {
		return o.Priority
	}
	if t != nil {
		return t.Priority
	}
	return PriorityNone
}

// Overdue reports whether the report's first action is overdue at now (an
// open report past its due time).
func (r *Report) Overdue(now time.Time) bool {
	return r.DueAt != nil && now.After(*r.DueAt) && r.Status != ReportClosed && r.Status != ReportReferred
}

// rank orders priorities: lower is more urgent, untriaged last.
func rank(p Priority) int {
	if p <= PriorityNone {
		return 99
	}
	return int(p)
}

// nextDue decides the due time when a report's effective priority becomes
// to. The first evaluation counts from when the report was received. A
// priority that rises counts from now (the new information arrived now),
// but never later than the due time it had. One that stays keeps its due
// time (re-evaluating does not move a deadline). One that falls counts
// from when the report was received, but never earlier than the due time
// it had.
func nextDue(received time.Time, from Priority, prev *time.Time, to Priority, due time.Duration, now time.Time) *time.Time {
	var at time.Time
	switch {
	case prev == nil || from == PriorityNone:
		at = received.Add(due)
	case to == from:
		at = *prev
	case rank(to) < rank(from):
		at = now.Add(due)
		if prev.Before(at) {
			at = *prev
		}
	default:
		at = received.Add(due)
		if at.Before(*prev) {
			at = *prev
		}
	}
	at = at.UTC().Truncate(time.Microsecond)
	return &at
}

// Retriage evaluates the triage rules on a report again and records the
// result (the handler of JobTriageReport, and the ingest step "triage").
// The effective priority stays the supervisor's when overridden; a
// priority that rises notifies analysts and supervisors in the app. A
// service without a Triager does nothing.
func (s *Service) Retriage(ctx context.Context, reportID int64) error {
	if s.Triager == nil {
		return nil
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		_, err := s.triageTx(ctx, tx, reportID)
		return err
	})
	if err == nil {
		s.wake()
	}
	return err
}

// CatchUpTriage evaluates, under the current rules, up to limit ingested
// reports after afterID that were never triaged or were triaged under
// another rule-set version (reports from before triage existed, or after
// a new version of the rules ships). It returns the last id it looked at
// and how many it looked at; fewer than limit means it is caught up. A
// report it cannot evaluate is logged and passed over.
func (s *Service) CatchUpTriage(ctx context.Context, version string, afterID int64, limit int) (last int64, n int, err error) {
	if s.Triager == nil {
		return afterID, 0, nil
	}
	var ids []int64
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		ids, err = tx.ReportsNotTriagedUnder(ctx, version, afterID, limit)
		return err
	}); err != nil {
		return afterID, 0, err
	}
	last = afterID
	for _, id := range ids {
		if err := ctx.Err(); err != nil {
			return last, n, err
		}
		// A report that cannot be evaluated is logged and passed over, so
		// that it never holds up the reports after it; its own ingest job
		// evaluates it again when it next runs.
		if err := s.Retriage(ctx, id); err != nil {
			s.Log.Error("triage catch-up: a report could not be evaluated; going on with the next", "report", id, "err", err)
		}
		last, n = id, n+1
	}
	return last, n, nil
}

// TriageIngestion is the ingest step "triage": it runs after linking, so
// that the links of the report count, and enqueues the re-evaluation of the
// other reports of its network when the network holds a report of a child
// missing now (their "linked to a missing child" fact may have changed).
type TriageIngestion struct{}

// Name implements Ingestion.
func (TriageIngestion) Name() string { return "triage" }

// Ingest implements Ingestion.
func (TriageIngestion) Ingest(ctx context.Context, s *Service, r *Report) error {
	if s.Triager == nil {
		return nil
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		c, err := s.triageTx(ctx, tx, r.ID)
		if err != nil {
			return err
		}
		missing := false
		for _, e := range c.Episodes {
			if e.Open && (e.Via == ViaThisReport || e.Via == ViaNetwork) {
				missing = true
			}
		}
		if !missing {
			return nil
		}
		peers, err := tx.NetworkPeers(ctx, r.ID, MaxRetriageFanOut)
		if err != nil {
			return err
		}
		return s.enqueueTriage(ctx, tx, peers, r.ID)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// enqueueTriage enqueues JobTriageReport for each report but skip.
func (s *Service) enqueueTriage(ctx context.Context, tx Tx, ids []int64, skip int64) error {
	for _, id := range ids {
		if id == skip {
			continue
		}
		if err := tx.EnqueueJob(ctx, &Job{Kind: JobTriageReport, RecordID: id, RunAt: s.now()}); err != nil {
			return err
		}
	}
	return nil
}

// retriageChild enqueues the re-evaluation of every report concerning a
// child (a missing episode opened or closed, a match confirmed or undone).
func (s *Service) retriageChild(ctx context.Context, tx Tx, childID int64) error {
	if s.Triager == nil || childID == 0 {
		return nil
	}
	ids, err := tx.ReportsConcerningChild(ctx, childID, MaxRetriageFanOut)
	if err != nil {
		return err
	}
	return s.enqueueTriage(ctx, tx, ids, 0)
}

// triageTx evaluates and records one report's triage inside tx and returns
// the context it read.
func (s *Service) triageTx(ctx context.Context, tx Tx, reportID int64) (*TriageContext, error) {
	if err := tx.LockReportTriage(ctx, reportID); err != nil {
		return nil, err
	}
	r, err := tx.ReportByID(ctx, reportID)
	if err != nil {
		return nil, err
	}
	prevT, ov, err := tx.ReportTriage(ctx, reportID)
	if err != nil {
		return nil, err
	}
	c, err := tx.TriageContext(ctx, reportID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	t := s.Triager.Evaluate(r, c)
	t.At = now
	from := r.Priority
	if prevT == nil && ov == nil {
		from = PriorityNone // a priority set at intake is not a triage
	}
	to := EffectivePriority(t, ov)
	due := nextDue(r.ReceivedAt, from, r.DueAt, to, s.Triager.DueFor(to), now)
	if err := tx.SetReportTriage(ctx, reportID, t, to, due); err != nil {
		return nil, err
	}
	if prevT != nil && sameTriage(prevT, t) && from == to {
		return c, nil // nothing changed: no audit event, no alert
	}
	detail := fmt.Sprintf("%s → %s (rules %s: %s)", shortPriority(from), shortPriority(to), t.Version, firedIDs(t))
	if ov != nil {
		detail += fmt.Sprintf("; supervisor override %s kept", shortPriority(ov.Priority))
	}
	if err := s.audit(ctx, tx, System("triage"), "report.triage", OutcomeOK, KindReport, reportID, "", detail); err != nil {
		return nil, err
	}
	if prevT != nil && rank(to) < rank(from) {
		msg := fmt.Sprintf("Priority rose to %s on report %s: %s", to.Label(), r.Ref, firedLabels(t, to))
		if err := s.notifyStaff(ctx, tx, Notification{Kind: NotifyPriorityRaised, ReportID: reportID, Message: msg}); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func sameTriage(a, b *Triage) bool {
	if a.Priority != b.Priority || a.Version != b.Version || len(a.Fired) != len(b.Fired) {
		return false
	}
	for i := range a.Fired {
		x, y := a.Fired[i], b.Fired[i]
		if x.Rule != y.Rule || strings.Join(x.Evidence, "\n") != strings.Join(y.Evidence, "\n") {
			return false
		}
	}
	return true
}

func firedIDs(t *Triage) string {
	var ids []string
	for _, f := range t.Fired {
		ids = append(ids, f.Rule)
	}
	return strings.Join(ids, ", ")
}

// firedLabels names the rules of priority p that fired, for a notification
// (no personal details of the child: rule labels only).
func firedLabels(t *Triage, p Priority) string {
	var ls []string
	for _, f := range t.Fired {
		if f.Priority == p {
			ls = append(ls, f.LabelEN)
		}
	}
	if len(ls) == 0 {
		return "a supervisor set it"
	}
	return strings.Join(ls, "; ")
}

func shortPriority(p Priority) string {
	if p == PriorityNone {
		return "untriaged"
	}
	return fmt.Sprintf("P%d", int(p))
}

// OverridePriority records a supervisor's decision on a report's priority,
// with the reason they give (required). The rules keep being evaluated and
// shown beside it; the report's effective priority is the supervisor's from
// now on. Refusals are audited.
func (s *Service) OverridePriority(ctx context.Context, a Actor, reportID int64, p Priority, reason string) (*Report, error) {
	const action = "report.priority"
	reason = strings.TrimSpace(reason)
	if !CanKind(a, ActionPrioritize, KindReport) {
		return nil, s.deny(ctx, a, action, KindReport, reportID, forbidden("change a report's priority (only supervisors may)"))
	}
	if p < P1 || p > P4 {
		return nil, FieldError("priority", "choose a priority from P1 to P4")
	}
	if reason == "" {
		return nil, FieldError("reason", "say why you set this priority: the reason is kept with the report and in the audit log")
	}
	if utf8.RuneCountInString(reason) > MaxOverrideReason {
		return nil, FieldError("reason", "the reason has at most %d characters", MaxOverrideReason)
	}
	var r *Report
	refused := false
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		if r, err = tx.ReportByID(ctx, reportID); err != nil {
			return err
		}
		if !Can(a, ActionView, r.Resource()) || !Can(a, ActionPrioritize, r.Resource()) {
			refused = true
			return hidden(KindReport)
		}
		t, _, err := tx.ReportTriage(ctx, reportID)
		if err != nil {
			return err
		}
		now := s.now()
		from := r.Priority
		var due time.Duration
		if s.Triager != nil {
			due = s.Triager.DueFor(p)
		} else {
			due = defaultDue(p)
		}
		dueAt := nextDue(r.ReceivedAt, from, r.DueAt, p, due, now)
		o := &PriorityOverride{Priority: p, Reason: reason, By: a.UserID, ByName: a.Username, At: now}
		if err := tx.SetPriorityOverride(ctx, reportID, o, dueAt); err != nil {
			return err
		}
		rules := "not yet triaged"
		if t != nil {
			rules = "rules say " + shortPriority(t.Priority)
		}
		r.Priority, r.DueAt, r.Triage, r.Override = p, dueAt, t, o
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, reportID, reason,
			fmt.Sprintf("%s → %s (%s)", shortPriority(from), shortPriority(p), rules))
	})
	if refused || ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	}
	return r, err
}

// defaultDue is the starting rule set's first-action time per priority,
// for a service without a Triager.
func defaultDue(p Priority) time.Duration {
	switch p {
	case P1:
		return time.Hour
	case P2:
		return 4 * time.Hour
	case P3:
		return 24 * time.Hour
	}
	return 72 * time.Hour
}
