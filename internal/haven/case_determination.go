package haven

import (
	"context"
	"fmt"
	"strings"
)

// Determinations: "likely child sex trafficking victim?" An analyst who may
// change the case records yes, no or undetermined with a rationale and the
// taxonomy indicators relied on; it is pending until a supervisor (the
// authorisation table's ActionApprove on cases) approves it or returns it
// with a reason. Only an approved determination becomes the case's
// (Case.Determination) and counts in statistics. It is a person's
// judgement, never a score.

// MaxRationaleLength is the longest rationale, in bytes.
const MaxRationaleLength = 10000

// RecordDetermination records an analyst's determination on a case, pending
// a supervisor's approval. A case with a determination pending already is
// ECONFLICT.
func (s *Service) RecordDetermination(ctx context.Context, a Actor, caseID int64, d Determination, rationale string, indicators []string) (*CaseDetermination, error) {
	const action = "case.determination_record"
	rationale = strings.TrimSpace(rationale)
	det := &CaseDetermination{CaseID: caseID, Determination: d, Rationale: rationale, Indicators: indicators,
		State: DeterminationPending, RecordedBy: a.UserID}
	_, err := s.changeCase(ctx, a, caseID, ActionUpdate, action, "record a determination on this case", func(tx Tx, c *Case) error {
		if err := det.validate(); err != nil {
			return err
		}
		ds, err := tx.ListDeterminations(ctx, c.ID)
		if err != nil {
			return err
		}
		for _, o := range ds {
			if o.State == DeterminationPending {
				return Errorf(ECONFLICT, "A determination recorded on %s awaits a supervisor's approval: it must be approved or returned first.",
					o.RecordedAt.UTC().Format("2006-01-02 15:04 UTC"))
			}
		}
		det.RecordedAt = s.now()
		if err := tx.CreateDetermination(ctx, det); err != nil {
			return err
		}
		summary := fmt.Sprintf("Determination recorded, awaiting approval: %s", d.Label())
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventDeterminationRecorded, summary, "determination", det.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("determination %d: %s", det.ID, d))
	})
	if err != nil {
		return nil, err
	}
	return det, nil
}

// validate checks a recorded determination: a known answer, a rationale,
// known indicators, and at least one indicator for a "yes".
func (d *CaseDetermination) validate() error {
	switch d.Determination {
	case DeterminationYes, DeterminationNo, DeterminationUndetermined:
	default:
		return FieldError("determination", "a determination is yes, no or undetermined")
	}
	switch {
	case d.Rationale == "":
		return FieldError("rationale", "give the rationale: why this determination")
	case len(d.Rationale) > MaxRationaleLength:
		return FieldError("rationale", "a rationale has at most %d characters", MaxRationaleLength)
	}
	seen := map[string]bool{}
	var ids []string
	for _, id := range d.Indicators {
		if id = strings.TrimSpace(id); id != "" && !seen[id] {
			seen[id] = true
			ids = append(ids, id)
		}
	}
	d.Indicators = ids
	if err := Taxonomy().ValidateIndicators(ids); err != nil {
		return FieldError("indicators", "%v", err)
	}
	if d.Determination == DeterminationYes && len(ids) == 0 {
		return FieldError("indicators", "a yes names the indicators relied on")
	}
	return nil
}

// ApproveDetermination approves a pending determination: it becomes the
// case's. The supervisor who approves cannot be the one who recorded it.
func (s *Service) ApproveDetermination(ctx context.Context, a Actor, caseID, detID int64) (*CaseDetermination, error) {
	return s.decideDetermination(ctx, a, caseID, detID, DeterminationApproved, "")
}

// ReturnDetermination returns a pending determination to the analyst with
// a reason (required); the case's determination stays as it was.
func (s *Service) ReturnDetermination(ctx context.Context, a Actor, caseID, detID int64, reason string) (*CaseDetermination, error) {
	return s.decideDetermination(ctx, a, caseID, detID, DeterminationReturned, reason)
}

func (s *Service) decideDetermination(ctx context.Context, a Actor, caseID, detID int64, to DeterminationState, reason string) (*CaseDetermination, error) {
	action, what := "case.determination_approve", "approve determinations"
	if to == DeterminationReturned {
		action, what = "case.determination_return", "return determinations"
	}
	reason = strings.TrimSpace(reason)
	var det *CaseDetermination
	var own bool
	_, err := s.changeCase(ctx, a, caseID, ActionApprove, action, what, func(tx Tx, c *Case) (err error) {
		det, err = tx.DeterminationByID(ctx, detID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && det.CaseID != c.ID) {
			return Errorf(ENOTFOUND, "No such determination on case %d.", c.ID)
		} else if err != nil {
			return err
		}
		if det.State != DeterminationPending {
			return Errorf(ECONFLICT, "This determination was %s already.", det.State)
		}
		if det.RecordedBy != 0 && det.RecordedBy == a.UserID {
			own = true
			return forbidden("decide on a determination you recorded yourself: another supervisor must")
		}
		switch {
		case to == DeterminationReturned && reason == "":
			return FieldError("reason", "say why the determination is returned")
		case len(reason) > 2000:
			return FieldError("reason", "a reason has at most 2000 characters")
		}
		now := s.now()
		det.State, det.DecidedBy, det.DecidedAt, det.DecisionReason = to, a.UserID, &now, reason
		if err := tx.DecideDetermination(ctx, det); err != nil {
			return err
		}
		kind, summary := CaseEventDeterminationApproved, "Determination approved: "+det.Determination.Label()
		if to == DeterminationReturned {
			kind, summary = CaseEventDeterminationReturned, "Determination returned to the analyst: "+reason
		} else if err := tx.SetCaseDetermination(ctx, c.ID, det.Determination, det.ID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, kind, summary, "determination", det.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, reason, fmt.Sprintf("determination %d: %s", det.ID, det.Determination))
	})
	if own {
		return nil, s.deny(ctx, a, action, KindCase, caseID, forbidden("decide on a determination you recorded yourself: another supervisor must"))
	}
	if err != nil {
		return nil, err
	}
	return det, nil
}

// CountDeterminations counts the approved determinations of the cases the
// actor may see that f selects, by determination (f.Scope is set here).
// Pending and returned determinations never count.
func (s *Service) CountDeterminations(ctx context.Context, a Actor, f DeterminationCountFilter) (n map[Determination]int, err error) {
	if !CanKind(a, ActionView, KindCase) {
		return nil, s.deny(ctx, a, "case.statistics", KindCase, 0, forbidden("see case statistics"))
	}
	f.Scope = ScopeFor(a, ActionView, KindCase)
	err = s.Store.View(ctx, func(tx Tx) error {
		n, err = tx.CountDeterminations(ctx, f)
		return err
	})
	return n, err
}

// importedDetermination records, for a case the operator creates with a
// determination already made (imports, the demo), that determination as
// approved, so that Case.Determination always comes from an approved one.
func (s *Service) importedDetermination(ctx context.Context, tx Tx, a Actor, c *Case) error {
	if c.Determination == DeterminationUndetermined {
		return nil
	}
	now := s.now()
	det := &CaseDetermination{CaseID: c.ID, Determination: c.Determination, Rationale: "Recorded with the case when it was imported.",
		State: DeterminationApproved, RecordedAt: c.OpenedAt, DecidedAt: &now, DecisionReason: "imported by " + actorName(a)}
	if err := tx.CreateDetermination(ctx, det); err != nil {
		return err
	}
	c.DeterminationID = det.ID
	return tx.SetCaseDetermination(ctx, c.ID, c.Determination, det.ID)
}
