package haven

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Person matching. A person mentioned in a report as a child is compared
// with the children on file (internal/linking/people does it in the ingest
// job): candidates come from a blocking-key index of the children (each key
// a keyed MAC of a personmatch blocking key), and a candidate whose score
// reaches the model's threshold is stored as a suggested match with its
// field-by-field evidence. Haven never merges anything by itself: an analyst
// confirms a suggestion (the mention is then linked to the child,
// PersonMention.ChildID) or rejects it, with a reason; both are audited, and
// later runs never suggest a decided pair again.

// KindPersonMatch is a suggested match of a person in a report with a child
// on file, for the authorisation rules.
const KindPersonMatch Kind = "person_match"

// MatchState is where a person match stands.
type MatchState string

// Person match states.
const (
	MatchSuggested MatchState = "suggested"
	MatchConfirmed MatchState = "confirmed"
	MatchRejected  MatchState = "rejected"
)

var matchStateLabels = map[MatchState]string{
	MatchSuggested: "Suggested", MatchConfirmed: "Confirmed: the same child", MatchRejected: "Rejected: not the same child",
}

// Label is the state as people read it.
func (s MatchState) Label() string { return label(matchStateLabels, s) }

// MatchEvidence is one field's part in a match's score.
type MatchEvidence struct {
	Field  string  `json:"field"`
	Level  string  `json:"level"`
	Weight float64 `json:"weight"`
}

// PersonMatch is a suggested match of a person mentioned in a report with a
// child on file, and the analyst's decision.
type PersonMatch struct {
	ID             int64
	ReportPersonID int64
	ChildID        int64
	Weight         float64 // log2 likelihood ratio
	Probability    float64
	Evidence       []MatchEvidence
	State          MatchState
	DecidedBy      int64
	DecidedAt      *time.Time
	Reason         string
	CreatedAt      time.Time
	// ReportID and ReportPriority are the mention's report's (read only).
	ReportID       int64
	ReportPriority Priority
}

// Resource returns what the rules need to know about the match.
func (m *PersonMatch) Resource() Resource { return Resource{Kind: KindPersonMatch, ID: m.ID} }

// Strength is the match's strength as people read it.
func (m *PersonMatch) Strength() string {
	switch {
	case m.Probability >= 0.99:
		return "Very strong"
	case m.Probability >= 0.9:
		return "Strong"
	case m.Probability >= 0.5:
		return "Possible"
	}
	return "Weak"
}

// PersonMatchFilter selects person matches. Pending (state suggested) lists
// come strongest first, then by the report's priority; the others by the
// report's people and strength.
type PersonMatchFilter struct {
	ReportID int64
	ChildID  int64
	State    MatchState // "" = any
	Limit    int
}

// PersonMatchTx is the part of a transaction that keeps person matches.
type PersonMatchTx interface {
	// SetChildMatchKeys replaces the blocking keys a child is found by.
	SetChildMatchKeys(ctx context.Context, childID int64, keys [][]byte) error
	// ChildrenByMatchKeys returns the children filed under any of the keys
	// (each once, by id).
	ChildrenByMatchKeys(ctx context.Context, keys [][]byte, limit int) ([]*Child, error)
	// ChildrenWithoutMatchKeys returns children with no blocking key, by id.
	ChildrenWithoutMatchKeys(ctx context.Context, afterID int64, limit int) ([]*Child, error)
	// SuggestPersonMatch stores m as suggested unless the pair (person,
	// child) has a match already, which is left as it is; it reports
	// whether m was stored (and then sets ID and CreatedAt).
	SuggestPersonMatch(ctx context.Context, m *PersonMatch) (bool, error)
	PersonMatchByID(ctx context.Context, id int64) (*PersonMatch, error)
	// DecidePersonMatch records the decision on a match.
	DecidePersonMatch(ctx context.Context, id int64, state MatchState, reason string, by int64) (*PersonMatch, error)
	// SetPersonChild links a report's person to a child on file (0: none).
	SetPersonChild(ctx context.Context, personID, childID int64) error
	ListPersonMatches(ctx context.Context, f PersonMatchFilter) ([]*PersonMatch, error)
}

// ChildMatchKeys, when set on the Service, computes the blocking keys a
// child on file is filed under (internal/linking/people); the service files
// every child it creates. nil: children are not filed (the ingest step
// files those it finds unfiled).
type ChildMatchKeys func(c *Child) [][]byte

// fileChild files a new child under its blocking keys.
func (s *Service) fileChild(ctx context.Context, tx Tx, c *Child) error {
	if s.MatchKeys == nil {
		return nil
	}
	return tx.SetChildMatchKeys(ctx, c.ID, s.MatchKeys(c))
}

// PersonMatchView is a match as a page shows it.
type PersonMatchView struct {
	Match  *PersonMatch
	Person PersonMention
	Child  *Child
	// ReportRef is the report's reference.
	ReportRef string
	// DecidedBy is the username of whoever decided ("" for nobody).
	DecidedBy string
	// CanDecide says whether the actor may confirm or reject it.
	CanDecide bool
}

// PersonMatches returns the matches of the people mentioned in a report
// with children on file (suggested and decided), for whoever may see both
// the report and person matches, and audits the view.
func (s *Service) PersonMatches(ctx context.Context, a Actor, reportID int64) ([]*PersonMatchView, error) {
	return s.listMatches(ctx, a, "report.person_matches", KindReport, reportID, PersonMatchFilter{ReportID: reportID, Limit: 500})
}

// ChildMatches returns the matches of people mentioned in reports with a
// child on file, and audits the view.
func (s *Service) ChildMatches(ctx context.Context, a Actor, childID int64) ([]*PersonMatchView, error) {
	return s.listMatches(ctx, a, "child.person_matches", KindChild, childID, PersonMatchFilter{ChildID: childID, Limit: 500})
}

// PendingPersonMatches returns the suggested matches not yet decided,
// strongest first and then by the priority of their report (P1 first),
// at most limit (1 to 500; 0 means 100), for the review queue. Audited.
func (s *Service) PendingPersonMatches(ctx context.Context, a Actor, limit int) ([]*PersonMatchView, error) {
	if limit <= 0 {
		limit = 100
	}
	limit = min(limit, 500)
	return s.listMatches(ctx, a, "person_match.list", KindPersonMatch, 0, PersonMatchFilter{State: MatchSuggested, Limit: limit})
}

func (s *Service) listMatches(ctx context.Context, a Actor, action string, kind Kind, id int64, f PersonMatchFilter) ([]*PersonMatchView, error) {
	if !CanKind(a, ActionView, KindPersonMatch) {
		if kind == KindPersonMatch {
			return nil, s.deny(ctx, a, action, kind, id, forbidden("see person matches"))
		}
		return nil, s.deny(ctx, a, action, kind, id, hidden(kind))
	}
	var out []*PersonMatchView
	allowed := true
	err := s.Store.View(ctx, func(tx Tx) error {
		switch kind {
		case KindReport:
			r, err := tx.ReportByID(ctx, id)
			if err != nil {
				return err
			}
			allowed = Can(a, ActionView, r.Resource())
		case KindChild:
			c, err := tx.ChildByID(ctx, id)
			if err != nil {
				return err
			}
			allowed = Can(a, ActionView, c.Resource())
		}
		if !allowed {
			return nil
		}
		ms, err := tx.ListPersonMatches(ctx, f)
		if err != nil {
			return err
		}
		out, err = s.matchViews(ctx, tx, a, ms)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !allowed) {
		return nil, s.deny(ctx, a, action, kind, id, hidden(kind))
	} else if err != nil {
		return nil, err
	}
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, kind, id, "", fmt.Sprintf("%d person matches", len(out)))
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// matchViews loads the person, child and report of each match the actor
// may see both ends of.
func (s *Service) matchViews(ctx context.Context, tx Tx, a Actor, ms []*PersonMatch) ([]*PersonMatchView, error) {
	reports := map[int64]*Report{}
	children := map[int64]*Child{}
	users := map[int64]string{}
	var out []*PersonMatchView
	for _, m := range ms {
		r, ok := reports[m.ReportID]
		if !ok {
			var err error
			if r, err = tx.ReportByID(ctx, m.ReportID); err != nil {
				return nil, err
			}
			reports[m.ReportID] = r
		}
		c, ok := children[m.ChildID]
		if !ok {
			var err error
			if c, err = tx.ChildByID(ctx, m.ChildID); err != nil {
				return nil, err
			}
			children[m.ChildID] = c
		}
		if !Can(a, ActionView, r.Resource()) || !Can(a, ActionView, c.Resource()) {
			continue
		}
		v := &PersonMatchView{Match: m, Child: c, ReportRef: r.Ref, CanDecide: Can(a, ActionUpdate, m.Resource())}
		for _, p := range r.People {
			if p.ID == m.ReportPersonID {
				v.Person = p
			}
		}
		if m.DecidedBy != 0 {
			name, ok := users[m.DecidedBy]
			if !ok {
				if u, err := tx.UserByID(ctx, m.DecidedBy); err == nil {
					name = u.Username
				} else if ErrorCode(err) != ENOTFOUND {
					return nil, err
				}
				users[m.DecidedBy] = name
			}
			v.DecidedBy = name
		}
		out = append(out, v)
	}
	return out, nil
}

// ConfirmPersonMatch confirms that the person in the report is the child on
// file: the mention is linked to the child (PersonMention.ChildID). Nothing
// is merged; a mention already linked to another child is refused. The
// reason is required. Audited.
func (s *Service) ConfirmPersonMatch(ctx context.Context, a Actor, id int64, reason string) (*PersonMatch, error) {
	return s.decidePersonMatch(ctx, a, id, MatchConfirmed, reason, "person_match.confirm")
}

// RejectPersonMatch records that the person in the report is not the child
// on file; the pair is never suggested again (and a confirmed link is
// undone). The reason is required. Audited.
func (s *Service) RejectPersonMatch(ctx context.Context, a Actor, id int64, reason string) (*PersonMatch, error) {
	return s.decidePersonMatch(ctx, a, id, MatchRejected, reason, "person_match.reject")
}

func (s *Service) decidePersonMatch(ctx context.Context, a Actor, id int64, state MatchState, reason, action string) (*PersonMatch, error) {
	reason = strings.TrimSpace(reason)
	// The reason is checked only once the actor is known to may decide
	// this match: a refused actor is refused whatever the form holds.
	if !CanKind(a, ActionUpdate, KindPersonMatch) {
		return nil, s.deny(ctx, a, action, KindPersonMatch, id, forbidden("decide person matches"))
	}
	var m *PersonMatch
	err := s.Store.Update(ctx, func(tx Tx) error {
		before, err := tx.PersonMatchByID(ctx, id)
		if err != nil {
			return err
		}
		r, err := tx.ReportByID(ctx, before.ReportID)
		if err != nil {
			return err
		}
		c, err := tx.ChildByID(ctx, before.ChildID)
		if err != nil {
			return err
		}
		if !Can(a, ActionView, r.Resource()) || !Can(a, ActionView, c.Resource()) {
			return hidden(KindPersonMatch)
		}
		var person *PersonMention
		for i := range r.People {
			if r.People[i].ID == before.ReportPersonID {
				person = &r.People[i]
			}
		}
		if person == nil {
			return hidden(KindPersonMatch)
		}
		switch {
		case reason == "":
			return FieldError("reason", "say why: what shows this is (or is not) the same child")
		case len(reason) > MaxDecisionReason:
			return FieldError("reason", "the reason has at most %d characters", MaxDecisionReason)
		}
		switch {
		case state == MatchConfirmed && person.ChildID != 0 && person.ChildID != c.ID:
			return Errorf(ECONFLICT, "This person in report %s is already linked to another child on file (%d); reject that match first. Haven never merges children.", r.Ref, person.ChildID)
		case state == MatchConfirmed && person.ChildID == 0:
			err = tx.SetPersonChild(ctx, person.ID, c.ID)
		case state == MatchRejected && person.ChildID == c.ID:
			err = tx.SetPersonChild(ctx, person.ID, 0)
		}
		if err != nil {
			return err
		}
		if m, err = tx.DecidePersonMatch(ctx, id, state, reason, a.UserID); err != nil {
			return err
		}
		m.ReportID, m.ReportPriority = before.ReportID, before.ReportPriority
		// The report now concerns (or no longer concerns) the child on file:
		// its triage reads the child's missing episodes (triage.go).
		if err := s.enqueueTriage(ctx, tx, []int64{r.ID}, 0); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindPersonMatch, id, reason,
			fmt.Sprintf("person %d of report %s and child %d: %s, was %s", person.ID, r.Ref, c.ID, state, before.State))
	})
	var herr *Error
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindPersonMatch, id, hidden(KindPersonMatch))
	} else if ErrorCode(err) == EFORBIDDEN && errors.As(err, &herr) {
		return nil, s.deny(ctx, a, action, KindPersonMatch, id, herr)
	}
	return m, err
}
