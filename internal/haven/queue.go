package haven

// The analyst queue: the open reports an analyst may take, most urgent
// first (priority, then the time the first action is due); claiming,
// assigning and releasing them; and the supervisor's view of the deadlines
// that are breached or about to be.
//
// A report's deadline is for its first action: someone takes it (claims it,
// or a supervisor assigns it). The first time that happens is kept
// (reports.first_action_at); a report nobody has taken by its due time is
// breached until someone does.

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// KindDeadlines is the supervisor's view of breached and nearly breached
// deadlines (a view, not a record).
const KindDeadlines Kind = "deadlines"

// DueSoonWindow is how close to its due time an untaken report counts as
// nearly breached.
const DueSoonWindow = time.Hour

// QueueView picks the part of the queue to show.
type QueueView string

// Queue views.
const (
	QueueUnassigned QueueView = "unassigned" // nobody has them: the default
	QueueMine       QueueView = "mine"       // assigned to the actor
	QueueAll        QueueView = "all"        // every open report
)

// QueueViews lists the views in the order pages show them.
var QueueViews = []QueueView{QueueUnassigned, QueueMine, QueueAll}

// ReportOrder is the order of a list of reports.
type ReportOrder string

// Report orders.
const (
	// OrderReceived is the newest first (the default).
	OrderReceived ReportOrder = ""
	// OrderUrgency is the queue's: priority (reports not yet triaged
	// first, then P1 … P4), then due time, then arrival.
	OrderUrgency ReportOrder = "urgency"
)

// QueueCountMax is where the queue stops counting: a total of QueueCountMax
// means that many or more.
const QueueCountMax = 10_000

// QueueFilter selects part of the queue.
type QueueFilter struct {
	View     QueueView
	Priority Priority
	State    string
	Channel  Channel
	Limit    int
	Offset   int
}

// MayWorkQueue reports whether the actor works the analyst queue (claims
// reports or assigns them).
func MayWorkQueue(a Actor) bool { return CanKind(a, ActionAssign, KindReport) }

// Queue lists the open reports (new or in review) of the view that the
// actor may see, most urgent first, with their total up to QueueCountMax.
func (s *Service) Queue(ctx context.Context, a Actor, f QueueFilter) (rs []*Report, total int, err error) {
	if !MayWorkQueue(a) {
		return nil, 0, s.deny(ctx, a, "queue.view", KindReport, 0, forbidden("work the analyst queue"))
	}
	rf := ReportFilter{Scope: ScopeFor(a, ActionView, KindReport), Open: true, Order: OrderUrgency,
		Priority: f.Priority, State: f.State, Channel: f.Channel, Limit: f.Limit, Offset: f.Offset}
	switch f.View {
	case QueueUnassigned, "":
		rf.Unassigned = true
	case QueueMine:
		rf.AssignedTo = a.UserID
		if a.UserID == 0 {
			return nil, 0, nil
		}
	case QueueAll:
	default:
		return nil, 0, FieldError("view", "the queue's views are unassigned, mine and all, not %q", f.View)
	}
	if f.Priority < PriorityNone || f.Priority > P4 {
		return nil, 0, FieldError("priority", "a priority is 1 to 4")
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		if rs, err = tx.ListReports(ctx, rf); err != nil {
			return err
		}
		total, err = tx.CountReportsUpTo(ctx, rf, QueueCountMax)
		return err
	})
	return rs, total, err
}

// ClaimReport gives an unassigned report to the actor. A report someone
// else has is a conflict that names who has it; claiming one's own is a
// no-op.
func (s *Service) ClaimReport(ctx context.Context, a Actor, id int64) (*Report, error) {
	return s.assign(ctx, a, id, "report.claim", func(tx Tx, r *Report) (int64, error) {
		if a.UserID == 0 {
			return 0, forbidden("claim reports without an account")
		}
		return a.UserID, nil
	})
}

// ReleaseReport puts a report back in the unassigned queue.
func (s *Service) ReleaseReport(ctx context.Context, a Actor, id int64) (*Report, error) {
	return s.assign(ctx, a, id, "report.release", func(tx Tx, r *Report) (int64, error) { return 0, nil })
}

// AssignReport gives a report to an enabled analyst or supervisor (0
// releases it), and tells them in the app (and by email when it is set up).
// A negative userID is an assignee not chosen (a form left blank or not a
// number): EINVALID on assignee, but only once the actor is known to may
// change who has the report, so that a refused actor is refused whatever
// the form holds.
func (s *Service) AssignReport(ctx context.Context, a Actor, id, userID int64) (*Report, error) {
	return s.assign(ctx, a, id, "report.assign", func(tx Tx, r *Report) (int64, error) {
		if userID < 0 {
			return 0, FieldError("assignee", "choose whom to give the report to")
		}
		if userID == 0 {
			return 0, nil
		}
		if userID != a.UserID && !Can(a, ActionDelegate, r.Resource()) {
			return 0, Errorf(EFORBIDDEN, "You may take report %s yourself, but not give it to someone else.", r.Ref)
		}
		u, err := tx.UserByID(ctx, userID)
		if ErrorCode(err) == ENOTFOUND {
			return 0, FieldError("assignee", "there is no user %d", userID)
		} else if err != nil {
			return 0, err
		}
		if u.Disabled || !MayWorkQueue(Actor{UserID: u.ID, Role: u.Role, AgencyID: u.AgencyID}) ||
			!Can(Actor{UserID: u.ID, Role: u.Role, AgencyID: u.AgencyID}, ActionView, r.Resource()) {
			return 0, FieldError("assignee", "%s cannot take reports: choose an active analyst or supervisor", u.Username)
		}
		return u.ID, nil
	})
}

// assign runs one change of a report's assignee: choose returns the new
// assignee (0 for none) or why not.
func (s *Service) assign(ctx context.Context, a Actor, id int64, action string, choose func(Tx, *Report) (int64, error)) (*Report, error) {
	var out *Report
	refused := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
			refused = true
			return hidden(KindReport)
		} else if err != nil {
			return err
		}
		if action == "report.claim" && r.AssignedTo != 0 && r.AssignedTo != a.UserID && MayWorkQueue(a) {
			// Someone who works the queue is told who has it, rather
			// than refused.
			return Errorf(ECONFLICT, "%s already has report %s.", s.userName(ctx, tx, r.AssignedTo), r.Ref)
		}
		if !Can(a, ActionAssign, r.Resource()) {
			refused = true
			return Errorf(EFORBIDDEN, "You may not change who has report %s.", r.Ref)
		}
		to, err := choose(tx, r)
		if err != nil {
			if ErrorCode(err) == EFORBIDDEN {
				refused = true
			}
			return err
		}
		if to == r.AssignedTo {
			out = r
			return nil
		}
		now := s.now()
		if err := tx.SetReportAssignee(ctx, r.ID, r.AssignedTo, to, now); err != nil {
			return err
		}
		detail := "released"
		if to != 0 {
			detail = fmt.Sprintf("to user %d", to)
			if r.Status == ReportNew {
				r.Status = ReportInReview
			}
		}
		r.AssignedTo, r.UpdatedAt = to, now
		out = r
		if to != 0 && to != a.UserID {
			n := &Notification{RecipientID: to, Kind: NotifyAssigned, ReportID: r.ID, CreatedAt: now,
				Message: fmt.Sprintf("%s gave you report %s (%s).", actorName(a), r.Ref, r.Priority.Label())}
			if err := s.Notify(ctx, tx, n); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, r.ID, "", detail)
	})
	if refused {
		var e *Error
		if !errors.As(err, &e) {
			e = hidden(KindReport)
		}
		return nil, s.deny(ctx, a, action, KindReport, id, e)
	}
	return out, err
}

// userName names a user for a message, or says "someone" if that fails.
func (s *Service) userName(ctx context.Context, tx Tx, id int64) string {
	u, err := tx.UserByID(ctx, id)
	if err != nil {
		return "Someone"
	}
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Deadlines is the supervisor's view at one moment.
type Deadlines struct {
	Now time.Time
	// Breached are the open reports nobody has taken by their due time,
	// most urgent first; DueSoon those due within DueSoonWindow, soonest
	// first.
	Breached, DueSoon []*Report
	// OverdueFromCare are the missing-from-care episodes past their
	// 24-hour statutory clock.
	OverdueFromCare []*MissingEpisode
}

// MaxDeadlineRows bounds each list of the deadline view.
const MaxDeadlineRows = 200

// Deadlines returns the breached and nearly breached deadlines the actor
// (a supervisor) may see.
func (s *Service) Deadlines(ctx context.Context, a Actor) (*Deadlines, error) {
	if !CanKind(a, ActionView, KindDeadlines) {
		return nil, s.deny(ctx, a, "deadlines.view", KindDeadlines, 0, forbidden("see the deadlines"))
	}
	now := s.now()
	soon := now.Add(DueSoonWindow)
	d := &Deadlines{Now: now}
	scope := ScopeFor(a, ActionView, KindReport)
	// One query per priority, each a range of the index of reports
	// awaiting their first action (priority, due time): the cost stays
	// that of the rows shown, however many reports wait.
	err := s.Store.View(ctx, func(tx Tx) error {
		for p := P1; p <= P4; p++ {
			f := ReportFilter{Scope: scope, Open: true, AwaitingAction: true, Priority: p, Order: OrderUrgency}
			if room := MaxDeadlineRows - len(d.Breached); room > 0 {
				breached := f
				breached.DueBefore, breached.Limit = &now, room
				rs, err := tx.ListReports(ctx, breached)
				if err != nil {
					return err
				}
				d.Breached = append(d.Breached, rs...)
			}
			dueSoon := f
			dueSoon.DueFrom, dueSoon.DueBefore, dueSoon.Limit = &now, &soon, MaxDeadlineRows
			rs, err := tx.ListReports(ctx, dueSoon)
			if err != nil {
				return err
			}
			d.DueSoon = append(d.DueSoon, rs...)
		}
		return nil
	})
	sort.SliceStable(d.DueSoon, func(i, j int) bool { return d.DueSoon[i].DueAt.Before(*d.DueSoon[j].DueAt) })
	d.DueSoon = d.DueSoon[:min(len(d.DueSoon), MaxDeadlineRows)]
	if err != nil {
		return nil, err
	}
	if d.OverdueFromCare, err = s.OverdueFromCare(ctx, a, now); err != nil {
		return nil, err
	}
	return d, nil
}

// Assignee is a user who can take reports, as the queue names them.
type Assignee struct {
	ID                    int64
	Username, DisplayName string
	Role                  Role
}

// Assignees lists the enabled analysts and supervisors, for those who work
// the queue: whom to assign a report to, and who has one. It gives names
// only, whatever the actor may see of accounts.
func (s *Service) Assignees(ctx context.Context, a Actor) ([]Assignee, error) {
	if !MayWorkQueue(a) {
		return nil, forbidden("see who works the queue")
	}
	var out []Assignee
	err := s.Store.View(ctx, func(tx Tx) error {
		users, err := enabledUsers(ctx, tx, []Role{RoleAnalyst, RoleSupervisor}, 1000)
		for _, u := range users {
			out = append(out, Assignee{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role})
		}
		return err
	})
	return out, err
}
