package haven

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// The case workbench's service methods: opening a case from a report,
// adding reports, status, assignment, notes and tasks. Determinations are in
// case_determination.go, merges in case_merge.go, the page's view and
// timeline in case_timeline.go. Every change writes a CaseEvent and an
// audit event in its own transaction; every refusal is audited.

// Case workbench actions beyond the common ones (authz.go holds the rules):
// merging and splitting cases, and approving or returning a determination.
const (
	ActionMerge   Action = "merge"
	ActionApprove Action = "approve"
)

// OpenCase is what opening a case from a report takes: the report, and the
// child the case is about: a child on file (ChildID), or a new child made
// from one of the report's people (Mention, the person mention's ID).
type OpenCase struct {
	ReportID int64
	ChildID  int64
	Mention  int64
	Title    string
}

// OpenCaseFromReport opens a case about a child for a report the actor may
// see. With Mention set and no ChildID, the child is first put on file from
// the person mention (audited as child.create); a mention already matched
// with a child on file opens the case about that child.
func (s *Service) OpenCaseFromReport(ctx context.Context, a Actor, in OpenCase) (*Case, error) {
	c, _, err := s.OpenCaseFromReportOnce(ctx, a, Once{}, in)
	return c, err
}

// OpenCaseFromReportOnce is OpenCaseFromReport for a request that may be
// retried: a retry with the same key returns the case the first one opened
// (replayed true, the case read again) instead of opening another.
func (s *Service) OpenCaseFromReportOnce(ctx context.Context, a Actor, o Once, in OpenCase) (c *Case, replayed bool, err error) {
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		c, err := s.openCaseFromReport(ctx, a, o, in)
		if err != nil {
			return 0, err
		}
		return c.ID, nil
	})
	if err != nil {
		return nil, false, err
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		c, err = tx.CaseByID(ctx, id)
		return err
	})
	return c, replayed, err
}

func (s *Service) openCaseFromReport(ctx context.Context, a Actor, o Once, in OpenCase) (*Case, error) {
	if !CanKind(a, ActionCreate, KindCase) {
		return nil, s.deny(ctx, a, "case.create", KindCase, 0, forbidden("open cases"))
	}
	var rep *Report
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		rep, err = tx.ReportByID(ctx, in.ReportID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, rep.Resource())) {
		return nil, s.deny(ctx, a, "case.create", KindReport, in.ReportID, hidden(KindReport))
	} else if err != nil {
		return nil, err
	}
	childID := in.ChildID
	if childID == 0 {
		var m *PersonMention
		for i := range rep.People {
			if rep.People[i].ID == in.Mention && in.Mention != 0 {
				m = &rep.People[i]
			}
		}
		if m == nil {
			return nil, FieldError("child_id", "choose the child the case is about: a child on file, or a person in the report")
		}
		if m.ChildID != 0 {
			childID = m.ChildID
		} else {
			c := &Child{FirstName: m.FirstName, LastName: m.LastName, Sex: m.Sex, Description: m.Description,
				DateOfBirth: m.DateOfBirth, State: m.State, AgencyID: rep.AgencyID}
			if m.Nickname != "" {
				c.Nicknames = []string{m.Nickname}
			}
			if c.State == "" {
				c.State = rep.State
			}
			if err := s.CreateChild(ctx, a, c); err != nil {
				return nil, err
			}
			childID = c.ID
		}
	}
	c := &Case{ChildID: childID, Title: strings.TrimSpace(in.Title), AgencyID: rep.AgencyID, State: rep.State, ReportIDs: []int64{rep.ID}}
	if err := s.createCase(ctx, a, o, c); err != nil {
		return nil, err
	}
	return c, nil
}

// changeCase runs fn in a transaction on a case the actor may do act to.
// A case the actor may not see answers ENOTFOUND, one they may see but not
// change EFORBIDDEN (saying they may not do what); both refusals are
// audited under action. A case merged into another is ECONFLICT.
func (s *Service) changeCase(ctx context.Context, a Actor, id int64, act Action, action, what string, fn func(tx Tx, c *Case) error) (*Case, error) {
	var c *Case
	var refusal *Error
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		c, err = tx.CaseByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, c.Resource())) {
			refusal = hidden(KindCase)
			return refusal
		} else if err != nil {
			return err
		}
		if !Can(a, act, c.Resource()) {
			refusal = forbidden(what)
			return refusal
		}
		if c.MergedInto != 0 {
			return Errorf(ECONFLICT, "Case %d was merged into case %d: work on that case, or split them first.", c.ID, c.MergedInto)
		}
		return fn(tx, c)
	})
	if refusal != nil && errors.Is(err, refusal) {
		return nil, s.deny(ctx, a, action, KindCase, id, refusal)
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// caseEvent writes an event on the case's timeline inside tx.
func (s *Service) caseEvent(ctx context.Context, tx Tx, a Actor, caseID int64, kind CaseEventKind, summary, recordKind string, recordID int64) error {
	return tx.AddCaseEvent(ctx, &CaseEvent{CaseID: caseID, Kind: kind, At: s.now(), ActorID: a.UserID, Actor: actorName(a),
		Summary: summary, RecordKind: recordKind, RecordID: recordID})
}

// AddCaseReport adds a report the actor may see to a case they may change.
// The report is given by its id, or (id 0) by its reference number.
func (s *Service) AddCaseReport(ctx context.Context, a Actor, caseID, reportID int64, ref string) error {
	const action = "case.report_add"
	ref = strings.ToUpper(strings.TrimSpace(ref))
	_, err := s.changeCase(ctx, a, caseID, ActionUpdate, action, "add reports to this case", func(tx Tx, c *Case) error {
		var r *Report
		var err error
		if reportID != 0 {
			r, err = tx.ReportByID(ctx, reportID)
		} else if ref != "" {
			r, err = tx.ReportByRef(ctx, ref)
		} else {
			return FieldError("report", "give the report's reference number, such as HV-7K3Q-9D2M")
		}
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
			return FieldError("report", "there is no report %s that you may see", cmpOr(ref, fmt.Sprint(reportID)))
		} else if err != nil {
			return err
		}
		if oneOf(r.ID, c.ReportIDs) {
			return FieldError("report", "report %s is on this case already", r.Ref)
		}
		if err := tx.AddCaseReports(ctx, c.ID, []int64{r.ID}); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventReportAdded, "Report "+r.Ref+" added to the case", "report", r.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("report %d", r.ID))
	})
	return err
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// ReportCases returns the cases (not merged away) holding a report that
// the actor may see; it reads nothing the report's page has not audited.
func (s *Service) ReportCases(ctx context.Context, a Actor, reportID int64) (cs []*Case, err error) {
	if !CanKind(a, ActionView, KindCase) {
		return nil, nil
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		ids, err := tx.CasesOfReport(ctx, reportID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			c, err := tx.CaseByID(ctx, id)
			if err != nil {
				return err
			}
			if Can(a, ActionView, c.Resource()) {
				cs = append(cs, c)
			}
		}
		return nil
	})
	return cs, err
}

// SetCaseStatus moves a case to another status: open → active → located →
// closed, and closed → active (reopen). Any other move is EINVALID, saying
// which moves there are.
func (s *Service) SetCaseStatus(ctx context.Context, a Actor, caseID int64, to CaseStatus, reason string) (*Case, error) {
	const action = "case.status"
	reason = strings.TrimSpace(reason)
	return s.changeCase(ctx, a, caseID, ActionUpdate, action, "change this case's status", func(tx Tx, c *Case) error {
		if !oneOf(to, CaseStatuses) {
			return FieldError("status", "unknown case status %q; use open, active, located or closed", to)
		}
		from := c.Status
		if !from.CanMoveTo(to) {
			var next []string
			for _, n := range from.Next() {
				next = append(next, string(n))
			}
			return FieldError("status", "a case that is %s cannot become %s; it can become %s", from, to, strings.Join(next, " or "))
		}
		if len(reason) > 1000 {
			return FieldError("reason", "a reason has at most 1000 characters")
		}
		c.Status = to
		if to == CaseClosed {
			now := s.now()
			c.ClosedAt = &now
		} else {
			c.ClosedAt = nil
		}
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		summary := fmt.Sprintf("Status: %s → %s", from.Label(), to.Label())
		if from == CaseClosed {
			summary = "Case reopened: " + summary
		}
		if reason != "" {
			summary += ". " + reason
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventStatus, summary, "case", c.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, reason, string(from)+" → "+string(to))
	})
}

// AssignCase gives a case to a user (0 releases it). Who may is the
// authorisation table's ActionAssign on the case; only those who may assign
// every case (supervisors) give one to someone other than themselves. The
// assignee must be an active account that may work on cases.
//
// A negative to is an assignee not chosen (a form left blank): EINVALID on
// assignee, but only once the actor is known to may assign the case, so
// that a refused actor is refused whatever the form holds.
func (s *Service) AssignCase(ctx context.Context, a Actor, caseID, to int64) (*Case, error) {
	const action = "case.assign"
	if to > 0 && to != a.UserID && !ScopeFor(a, ActionAssign, KindCase).All {
		if !CanKind(a, ActionAssign, KindCase) {
			return nil, s.deny(ctx, a, action, KindCase, caseID, forbidden("assign cases"))
		}
		return nil, s.deny(ctx, a, action, KindCase, caseID, forbidden("assign cases to someone else"))
	}
	return s.changeCase(ctx, a, caseID, ActionAssign, action, "claim, assign or release this case", func(tx Tx, c *Case) error {
		if to < 0 {
			return FieldError("assignee", "choose whom to assign the case to")
		}
		from := c.AssignedTo
		summary := "Released: assigned to nobody"
		if to != 0 {
			u, err := tx.UserByID(ctx, to)
			if ErrorCode(err) == ENOTFOUND {
				return FieldError("assignee", "there is no user %d", to)
			} else if err != nil {
				return err
			}
			if u.Disabled || !CanKind(Actor{UserID: u.ID, Role: u.Role}, ActionUpdate, KindCase) {
				return FieldError("assignee", "%s may not work on cases", u.Username)
			}
			summary = "Assigned to " + u.Username
			if to == a.UserID {
				summary = "Claimed by " + u.Username
			}
		}
		c.AssignedTo = to
		if err := tx.UpdateCase(ctx, c); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventAssigned, summary, "case", c.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("from user %d to user %d", from, to))
	})
}

// AddCaseNote adds a note to a case the actor may change. A shareable note
// may go into a referral package later (issue 6).
func (s *Service) AddCaseNote(ctx context.Context, a Actor, caseID int64, body string, shareable bool) (*CaseNote, error) {
	return s.addCaseNote(ctx, a, Once{}, caseID, body, shareable)
}

// AddCaseNoteOnce is AddCaseNote for a request that may be retried: a
// retry with the same key adds nothing and returns the first note's id with
// replayed true.
func (s *Service) AddCaseNoteOnce(ctx context.Context, a Actor, o Once, caseID int64, body string, shareable bool) (noteID int64, replayed bool, err error) {
	return s.once(ctx, a, o, func() (int64, error) {
		n, err := s.addCaseNote(ctx, a, o, caseID, body, shareable)
		if err != nil {
			return 0, err
		}
		return n.ID, nil
	})
}

func (s *Service) addCaseNote(ctx context.Context, a Actor, o Once, caseID int64, body string, shareable bool) (*CaseNote, error) {
	const action = "case.note"
	body = strings.TrimSpace(body)
	n := &CaseNote{CaseID: caseID, Body: body, Shareable: shareable, CreatedBy: a.UserID}
	_, err := s.changeCase(ctx, a, caseID, ActionUpdate, action, "add notes to this case", func(tx Tx, c *Case) error {
		switch {
		case body == "":
			return FieldError("body", "write the note")
		case len(body) > MaxNoteLength:
			return FieldError("body", "a note has at most %d characters", MaxNoteLength)
		}
		n.CreatedAt = s.now()
		if err := tx.CreateCaseNote(ctx, n); err != nil {
			return err
		}
		summary := "Note added"
		if shareable {
			summary = "Note added (shareable in referrals)"
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventNote, summary, "note", n.ID); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, n.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("note %d", n.ID))
	})
	if err != nil {
		return nil, err
	}
	return n, nil
}

// AddCaseTask adds a task with an owner (0 for none yet) and a due time
// (nil for none) to a case the actor may change.
func (s *Service) AddCaseTask(ctx context.Context, a Actor, caseID int64, title string, ownerID int64, due *time.Time) (*CaseTask, error) {
	return s.addCaseTask(ctx, a, Once{}, caseID, title, ownerID, due)
}

// AddCaseTaskOnce is AddCaseTask for a request that may be retried: a
// retry with the same key adds nothing and returns the first task's id with
// replayed true.
func (s *Service) AddCaseTaskOnce(ctx context.Context, a Actor, o Once, caseID int64, title string, ownerID int64, due *time.Time) (taskID int64, replayed bool, err error) {
	return s.once(ctx, a, o, func() (int64, error) {
		t, err := s.addCaseTask(ctx, a, o, caseID, title, ownerID, due)
		if err != nil {
			return 0, err
		}
		return t.ID, nil
	})
}

func (s *Service) addCaseTask(ctx context.Context, a Actor, o Once, caseID int64, title string, ownerID int64, due *time.Time) (*CaseTask, error) {
	const action = "case.task_add"
	title = strings.TrimSpace(title)
	t := &CaseTask{CaseID: caseID, Title: title, OwnerID: ownerID, DueAt: due, CreatedBy: a.UserID}
	_, err := s.changeCase(ctx, a, caseID, ActionUpdate, action, "add tasks to this case", func(tx Tx, c *Case) error {
		switch {
		case title == "":
			return FieldError("title", "say what is to be done")
		case len(title) > 200:
			return FieldError("title", "a task's title has at most 200 characters")
		}
		summary := "Task added: " + title
		if ownerID != 0 {
			u, err := tx.UserByID(ctx, ownerID)
			if ErrorCode(err) == ENOTFOUND || (err == nil && u.Disabled) {
				return FieldError("owner", "there is no active user %d", ownerID)
			} else if err != nil {
				return err
			}
			if !CanKind(Actor{UserID: u.ID, Role: u.Role}, ActionUpdate, KindCase) {
				return FieldError("owner", "%s may not work on cases", u.Username)
			}
			summary += " (owner " + u.Username + ")"
		}
		if due != nil {
			d := due.UTC().Truncate(time.Microsecond)
			t.DueAt = &d
			summary += ", due " + d.Format("2006-01-02 15:04") + " UTC"
		}
		t.CreatedAt = s.now()
		if err := tx.CreateCaseTask(ctx, t); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventTaskAdded, summary, "task", t.ID); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, t.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("task %d", t.ID))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// SetCaseTaskDone marks a task of the case done (or not done again).
func (s *Service) SetCaseTaskDone(ctx context.Context, a Actor, caseID, taskID int64, done bool) (*CaseTask, error) {
	const action = "case.task_done"
	var t *CaseTask
	_, err := s.changeCase(ctx, a, caseID, ActionUpdate, action, "change this case's tasks", func(tx Tx, c *Case) (err error) {
		t, err = tx.CaseTaskByID(ctx, taskID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && t.CaseID != c.ID) {
			return Errorf(ENOTFOUND, "No such task on case %d.", c.ID)
		} else if err != nil {
			return err
		}
		if (t.DoneAt != nil) == done {
			return nil // already so: nothing to record
		}
		kind, summary := CaseEventTaskUndone, "Task not done after all: "+t.Title
		if done {
			now := s.now()
			t.DoneAt, t.DoneBy = &now, a.UserID
			kind, summary = CaseEventTaskDone, "Task done: "+t.Title
		} else {
			t.DoneAt, t.DoneBy = nil, 0
		}
		if err := tx.UpdateCaseTask(ctx, t); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, kind, summary, "task", t.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("task %d done=%t", t.ID, done))
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

// caseOpenedSummary is the timeline's line for a case opened with n reports.
func caseOpenedSummary(n int) string {
	switch n {
	case 0:
		return "Case opened"
	case 1:
		return "Case opened with 1 report"
	}
	return fmt.Sprintf("Case opened with %d reports", n)
}
