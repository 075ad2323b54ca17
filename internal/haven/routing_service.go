package haven

import (
	"context"
	"fmt"
)

// RoutingSuggestions returns the agencies report reportID should be
// referred to (routing.go): the active agencies whose jurisdiction covers
// each place of the report, merged and ranked, with the international and
// conflict marks. It only suggests: the analyst confirms recipients, and
// the referral is made by CreateReferrals.
//
// Whoever may open the report sees its suggestions, and nobody else: a
// report the actor may not see answers like one that does not exist
// (ENOTFOUND), and the refusal is audited. Each answer is audited as
// "report.routing", as a read of the report.
func (s *Service) RoutingSuggestions(ctx context.Context, a Actor, reportID int64) (*Routing, error) {
	const action = "report.routing"
	var out *Routing
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, reportID)
		if err != nil {
			return err
		}
		if !Can(a, ActionView, r.Resource()) {
			return nil
		}
		out, err = s.routeReport(ctx, tx, r)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && out == nil) {
		return nil, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	}
	if err != nil {
		return nil, fmt.Errorf("routing suggestions for report %d: %w", reportID, err)
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, reportID, "",
			fmt.Sprintf("%d candidate(s)", len(out.Investigators)+len(out.ChildWelfare)))
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// routeReport asks the directory who covers each place of r and ranks the
// answers.
func (s *Service) routeReport(ctx context.Context, tx Tx, r *Report) (*Routing, error) {
	out := &Routing{ReportID: r.ID, Basis: RouteBasisOf(r)}
	places := out.Basis.Places
	if len(places) == 0 {
		// No US place: only nationwide agencies can take it (and pass it
		// abroad when it is international).
		places = []RoutePlace{{Source: SourceOther, Where: "No US place in the report", Reason: "No US place in the report"}}
	}
	covering := make([][]AgencyCoverage, len(places))
	for i, p := range places {
		cov, err := tx.AgenciesCovering(ctx, p.Query())
		if err != nil {
			return nil, err
		}
		covering[i] = cov
	}
	inCare, why, err := childInCare(ctx, tx, r)
	if err != nil {
		return nil, err
	}
	out.ChildInCare, out.ChildInCareReason = inCare, why
	for _, c := range RankCandidates(places, covering) {
		switch c.Group {
		case GroupInvestigators:
			out.Investigators = append(out.Investigators, c)
		case GroupChildWelfare:
			if inCare {
				out.ChildWelfare = append(out.ChildWelfare, c)
			}
		}
	}
	return out, nil
}

// childInCare reports whether the report concerns a child in the care of
// child welfare: the child is missing from care, or a child named in it is
// a child on file who is in care.
func childInCare(ctx context.Context, tx Tx, r *Report) (bool, string, error) {
	if r.MissingFromCare {
		return true, "The child is missing from care.", nil
	}
	for _, m := range r.People {
		if m.Role != PersonChild || m.ChildID == 0 {
			continue
		}
		c, err := tx.ChildByID(ctx, m.ChildID)
		if ErrorCode(err) == ENOTFOUND {
			continue
		} else if err != nil {
			return false, "", err
		}
		if c.InCare {
			return true, "The child on file is in the care of child welfare.", nil
		}
	}
	return false, "", nil
}
