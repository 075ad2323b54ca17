package haven

import (
	"context"
	"time"
)

// Stat is one figure on a home page, with the list it summarises.
type Stat struct {
	Label string
	Value int
	Link  string // where the figure's list lives ("" when there is none yet)
}

// HomeStats returns the figures a user's home page shows, counted from the
// store within what the user may see.
func (s *Service) HomeStats(ctx context.Context, a Actor) ([]Stat, error) {
	now := s.now()
	dayAgo := now.Add(-24 * time.Hour)
	reports := func(f ReportFilter) ReportFilter {
		f.Scope = ScopeFor(a, ActionView, KindReport)
		return f
	}
	cases := func(f CaseFilter) CaseFilter {
		f.Scope = ScopeFor(a, ActionView, KindCase)
		return f
	}
	type q struct {
		label, link string
		count       func(Tx) (int, error)
	}
	rq := func(label, link string, f ReportFilter) q {
		return q{label, link, func(tx Tx) (int, error) { return tx.CountReports(ctx, reports(f)) }}
	}
	cq := func(label, link string, f CaseFilter) q {
		return q{label, link, func(tx Tx) (int, error) { return tx.CountCases(ctx, cases(f)) }}
	}
	var qs []q
	switch a.Role {
	case RoleAnalyst:
		qs = []q{
			rq("Reports assigned to me", "/reports?assigned=me", ReportFilter{AssignedTo: a.UserID, Status: ReportInReview}),
			rq("New reports nobody has claimed", "/reports?status=new&unassigned=1", ReportFilter{Status: ReportNew, Unassigned: true}),
			rq("New P1 reports (imminent danger)", "/reports?status=new&priority=1", ReportFilter{Status: ReportNew, Priority: P1}),
			cq("Open cases assigned to me", "/cases?assigned=me", CaseFilter{AssignedTo: a.UserID, Status: CaseOpen}),
		}
	case RoleSupervisor:
		qs = []q{
			rq("New reports nobody has claimed", "/reports?status=new&unassigned=1", ReportFilter{Status: ReportNew, Unassigned: true}),
			rq("New P1 reports (imminent danger)", "/reports?status=new&priority=1", ReportFilter{Status: ReportNew, Priority: P1}),
			rq("New P2 reports (child missing now)", "/reports?status=new&priority=2", ReportFilter{Status: ReportNew, Priority: P2}),
			rq("Reports received in the last 24 hours", "/reports", ReportFilter{ReceivedFrom: &dayAgo}),
			cq("Open cases", "/cases?status=open", CaseFilter{Status: CaseOpen}),
			cq("Cases with a likely-victim determination", "/cases?determination=yes", CaseFilter{Determination: DeterminationYes}),
		}
	case RoleHotline:
		qs = []q{
			rq("Reports I took in the last 24 hours", "/reports", ReportFilter{ReceivedFrom: &dayAgo}),
			rq("Reports I have taken", "/reports", ReportFilter{}),
		}
	case RoleOfficer:
		qs = []q{
			rq("Reports held by my agency", "/reports", ReportFilter{}),
			rq("New reports for my agency", "/reports?status=new", ReportFilter{Status: ReportNew}),
			cq("Cases shared with my agency", "/cases", CaseFilter{}),
		}
	case RoleChildWelfare, RoleFosterParent:
		qs = []q{
			rq("Missing-child reports I can see", "/reports?channel=missing_child", ReportFilter{Channel: ChannelMissingChild}),
			rq("Reports received in the last 24 hours", "/reports", ReportFilter{ReceivedFrom: &dayAgo}),
		}
	case RoleAdmin:
		qs = []q{
			{"Active accounts", "/admin/users", func(tx Tx) (int, error) { f := false; return tx.CountUsers(ctx, UserFilter{Disabled: &f}) }},
			{"Disabled accounts", "/admin/users", func(tx Tx) (int, error) { t := true; return tx.CountUsers(ctx, UserFilter{Disabled: &t}) }},
			{"Agencies in the directory", "/agencies", func(tx Tx) (int, error) { return tx.CountAgencies(ctx, AgencyFilter{}) }},
			{"Audit entries in the last 24 hours", "/admin/audit", func(tx Tx) (int, error) { return tx.CountAudit(ctx, AuditFilter{From: &dayAgo}) }},
		}
	default:
		qs = []q{{"Agencies in the directory", "/agencies", func(tx Tx) (int, error) { return tx.CountAgencies(ctx, AgencyFilter{}) }}}
	}
	out := make([]Stat, len(qs))
	err := s.Store.View(ctx, func(tx Tx) error {
		for i, q := range qs {
			n, err := q.count(tx)
			if err != nil {
				return err
			}
			out[i] = Stat{Label: q.label, Value: n, Link: q.link}
		}
		return nil
	})
	return out, err
}

// ReportsByState counts, by state (postal code), the reports received since
// the given time that the actor may see: the supervisor dashboard's map.
// Reports with no state are counted under "".
func (s *Service) ReportsByState(ctx context.Context, a Actor, since time.Time) (n map[string]int, err error) {
	if !CanKind(a, ActionView, KindReport) {
		return nil, s.deny(ctx, a, "report.statistics", KindReport, 0, forbidden("see report statistics"))
	}
	f := ReportFilter{Scope: ScopeFor(a, ActionView, KindReport), ReceivedFrom: &since}
	err = s.Store.View(ctx, func(tx Tx) error {
		n, err = tx.CountReportsBy(ctx, f, "state")
		return err
	})
	return n, err
}
