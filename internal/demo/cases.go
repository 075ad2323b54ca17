package demo

import (
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// cases opens one child-centred case for every child on file, joining the
// child's missing-child reports and the reports confirmed to be about them.
// Runaway children's determinations come from calibrate; the others are
// undetermined or "no".
func (g *gen) cases() {
	for _, k := range g.kid {
		c := k.child(g.d)
		first, last := g.d.Reports[k.reports[0]].ReceivedAt, g.d.Reports[k.reports[0]].ReceivedAt
		for _, ri := range k.reports {
			at := g.d.Reports[ri].ReceivedAt
			if at.Before(first) {
				first = at
			}
			if at.After(last) {
				last = at
			}
		}
		opened := first.Add(time.Duration(g.between(10, 6*60)) * time.Minute)
		if opened.After(g.base) {
			opened = g.base
		}
		cs := &haven.Case{
			Title:         c.FullName() + " — " + k.typ.Label(),
			Status:        haven.CaseActive,
			Determination: haven.DeterminationUndetermined,
			State:         c.State,
			OpenedAt:      opened,
		}
		switch {
		case k.yes:
			cs.Determination = haven.DeterminationYes
		case k.typ == haven.MissingEndangeredRunaway && g.chance(0.4):
			cs.Determination = haven.DeterminationNo
		case k.typ != haven.MissingEndangeredRunaway && g.chance(0.5):
			cs.Determination = haven.DeterminationNo
		}
		if !k.stillOut {
			cs.Status = haven.CaseLocated
			closed := last.Add(time.Duration(g.between(14, 60)) * 24 * time.Hour)
			if !closed.After(g.base) && g.chance(0.7) {
				cs.Status, cs.ClosedAt = haven.CaseClosed, &closed
			}
		} else if g.chance(0.2) {
			cs.Status = haven.CaseOpen
		}
		dc := &DemoCase{Case: cs, Child: k.idx, Reports: append([]int(nil), k.reports...), Agency: g.statePolice[k.jur], AssignedTo: -1}
		if k.inCare {
			dc.Agency = g.childWelfare[k.jur]
		}
		if cs.Status != haven.CaseOpen && g.chance(0.85) {
			dc.AssignedTo = g.analysts[g.r.IntN(len(g.analysts))]
		}
		g.d.Cases = append(g.d.Cases, dc)
	}
}
