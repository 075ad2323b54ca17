package haven

import (
	"context"
	"fmt"
	"strings"
)

// Merging two cases about the same child (the authorisation table's
// ActionMerge on cases: supervisors): the absorbed case's reports, notes,
// tasks, events and determinations move to the surviving case, and the
// absorbed case leaves the lists. The merge records what moved, so that a
// split restores the absorbed case exactly. Both are audited on both cases
// and shown on both timelines.

// MergeCases merges the absorbed case into the surviving one, with a reason
// (required). An absorbedID below 1 is a case not given (a form left blank
// or not a number): EINVALID, once the actor is known to may merge.
func (s *Service) MergeCases(ctx context.Context, a Actor, survivingID, absorbedID int64, reason string) (*CaseMerge, error) {
	const action = "case.merge"
	reason = strings.TrimSpace(reason)
	if !CanKind(a, ActionMerge, KindCase) {
		return nil, s.deny(ctx, a, action, KindCase, survivingID, forbidden("merge cases"))
	}
	m := &CaseMerge{SurvivingID: survivingID, AbsorbedID: absorbedID, MergedBy: a.UserID, Reason: reason}
	_, err := s.changeCase(ctx, a, survivingID, ActionMerge, action, "merge cases", func(tx Tx, sur *Case) error {
		if absorbedID < 1 {
			return FieldError("absorbed_id", "give the number of the case to merge into this one")
		}
		if absorbedID == survivingID {
			return FieldError("absorbed_id", "a case cannot be merged into itself")
		}
		abs, err := tx.CaseByID(ctx, absorbedID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionMerge, abs.Resource())) {
			return FieldError("absorbed_id", "there is no case %d that you may merge", absorbedID)
		} else if err != nil {
			return err
		}
		switch {
		case abs.MergedInto != 0:
			return FieldError("absorbed_id", "case %d was merged into case %d already", abs.ID, abs.MergedInto)
		case abs.ChildID != sur.ChildID:
			return FieldError("absorbed_id", "case %d is about another child: only cases about the same child are merged", abs.ID)
		case reason == "":
			return FieldError("reason", "say why the two cases are one")
		case len(reason) > 2000:
			return FieldError("reason", "a reason has at most 2000 characters")
		}
		// A pending determination would be decided on the surviving case
		// and then split back without it: it is decided first.
		ds, err := tx.ListDeterminations(ctx, abs.ID)
		if err != nil {
			return err
		}
		for _, d := range ds {
			if d.State == DeterminationPending {
				return FieldError("absorbed_id", "case %d has a determination awaiting approval: approve or return it first", abs.ID)
			}
		}
		m.MergedAt = s.now()
		if err := tx.MergeCases(ctx, m); err != nil {
			return err
		}
		if err := s.settleDetermination(ctx, tx, sur.ID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, sur.ID, CaseEventMerged, fmt.Sprintf("Case %d merged into this case: %s", abs.ID, reason), "merge", m.ID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, abs.ID, CaseEventMerged, fmt.Sprintf("Merged into case %d: %s", sur.ID, reason), "merge", m.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("case %d into case %d: %d reports, %d notes, %d tasks moved", abs.ID, sur.ID, len(m.ReportIDs), len(m.NoteIDs), len(m.TaskIDs))
		if err := s.audit(ctx, tx, a, action, OutcomeOK, KindCase, sur.ID, reason, detail); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, abs.ID, reason, detail)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// SplitCase undoes the merge that absorbed a case: exactly what moved goes
// back, and the case is listed again. Who may merge the surviving case may
// split it; a reason is required.
func (s *Service) SplitCase(ctx context.Context, a Actor, absorbedID int64, reason string) (*CaseMerge, error) {
	const action = "case.split"
	reason = strings.TrimSpace(reason)
	if !CanKind(a, ActionMerge, KindCase) {
		return nil, s.deny(ctx, a, action, KindCase, absorbedID, forbidden("split cases"))
	}
	var m *CaseMerge
	var survivingID int64
	err := s.Store.View(ctx, func(tx Tx) error {
		abs, err := tx.CaseByID(ctx, absorbedID)
		if err != nil {
			return err
		}
		if !Can(a, ActionView, abs.Resource()) {
			return hidden(KindCase)
		}
		survivingID = abs.MergedInto
		return nil
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindCase, absorbedID, hidden(KindCase))
	} else if err != nil {
		return nil, err
	}
	if survivingID == 0 {
		return nil, FieldError("case_id", "case %d is not merged into another case", absorbedID)
	}
	_, err = s.changeCase(ctx, a, survivingID, ActionMerge, action, "split cases", func(tx Tx, sur *Case) (err error) {
		switch {
		case reason == "":
			return FieldError("reason", "say why the cases are split again")
		case len(reason) > 2000:
			return FieldError("reason", "a reason has at most 2000 characters")
		}
		if m, err = tx.MergeOf(ctx, absorbedID); err != nil {
			return err
		}
		m.SplitBy = a.UserID
		if err := tx.SplitCase(ctx, m); err != nil {
			return err
		}
		for _, id := range []int64{sur.ID, absorbedID} {
			if err := s.settleDetermination(ctx, tx, id); err != nil {
				return err
			}
		}
		if err := s.caseEvent(ctx, tx, a, sur.ID, CaseEventSplit, fmt.Sprintf("Case %d split off again: %s", absorbedID, reason), "merge", m.ID); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, absorbedID, CaseEventSplit, fmt.Sprintf("Split off case %d again: %s", sur.ID, reason), "merge", m.ID); err != nil {
			return err
		}
		detail := fmt.Sprintf("case %d from case %d", absorbedID, sur.ID)
		if err := s.audit(ctx, tx, a, action, OutcomeOK, KindCase, sur.ID, reason, detail); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, absorbedID, reason, detail)
	})
	if err != nil {
		return nil, err
	}
	return m, nil
}

// settleDetermination makes a case's determination the most recently
// approved of the determinations in its history, after a merge brought in
// the absorbed case's or a split took them back: a child found likely to be
// a victim on either case stays counted once, on the case that is listed.
// With none approved the case is undetermined.
func (s *Service) settleDetermination(ctx context.Context, tx Tx, caseID int64) error {
	ds, err := tx.ListDeterminations(ctx, caseID)
	if err != nil {
		return err
	}
	var latest *CaseDetermination
	for _, d := range ds {
		if d.State == DeterminationApproved && d.DecidedAt != nil && (latest == nil || !d.DecidedAt.Before(*latest.DecidedAt)) {
			latest = d
		}
	}
	if latest == nil {
		return tx.SetCaseDetermination(ctx, caseID, DeterminationUndetermined, 0)
	}
	return tx.SetCaseDetermination(ctx, caseID, latest.Determination, latest.ID)
}
