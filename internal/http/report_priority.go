package http

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// A report's triage on its page: the effective priority, what the rules
// say (every rule that fired, with its evidence, and the rule set's
// version), the due time of the first action (and whether it is overdue),
// and a supervisor's override with its reason. Supervisors get a small
// form to override (POST /reports/{id}/priority, a reason required); the
// service decides who may and audits both the change and a refusal.

// triageView is the report page's triage section.
type triageView struct {
	ReportID      int64
	Effective     string
	RulesSay      string // the rules' priority ("" before the first triage)
	Fired         []firedRow
	Version       string
	TriagedAt     string
	Due, DueISO   string
	Overdue       bool
	Override      *overrideRow
	CanOverride   bool
	Options       []priorityOption
	Reason, Error string // the refused form's reason and problem
	Done          bool   // an override was just recorded
}

type firedRow struct {
	Priority, Label string
	Evidence        []string
}

type overrideRow struct {
	Priority, Reason, By, At string
}

type priorityOption struct {
	Value    int
	Label    string
	Selected bool
}

// priorityFormError is an override refused for bad input.
type priorityFormError struct {
	Priority        haven.Priority
	Reason, Message string
}

// newTriageView builds the section for rep (loaded by ReportDetail).
func newTriageView(a haven.Actor, rep *haven.Report, now time.Time, fe *priorityFormError, done bool) *triageView {
	v := &triageView{ReportID: rep.ID, Effective: rep.Priority.Label(), Done: done && fe == nil,
		CanOverride: haven.Can(a, haven.ActionPrioritize, rep.Resource())}
	if t := rep.Triage; t != nil {
		v.RulesSay, v.Version, v.TriagedAt = t.Priority.Label(), t.Version, showMinute(t.At)
		for _, f := range t.Fired {
			v.Fired = append(v.Fired, firedRow{Priority: fmt.Sprintf("P%d", int(f.Priority)), Label: f.LabelEN, Evidence: f.Evidence})
		}
	}
	if rep.DueAt != nil {
		v.Due, v.DueISO, v.Overdue = showMinute(*rep.DueAt), rep.DueAt.UTC().Format(time.RFC3339), rep.Overdue(now)
	}
	if o := rep.Override; o != nil {
		by := o.ByName
		if by == "" {
			by = fmt.Sprintf("user %d", o.By)
		}
		v.Override = &overrideRow{Priority: o.Priority.Label(), Reason: o.Reason, By: by, At: showMinute(o.At)}
	}
	selected := rep.Priority
	if fe != nil {
		selected, v.Reason, v.Error = fe.Priority, fe.Reason, fe.Message
	}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		v.Options = append(v.Options, priorityOption{Value: int(p), Label: p.Label(), Selected: p == selected})
	}
	return v
}

// reportPriority records a supervisor's override and goes back to the
// report's triage section; bad input shows the page again with the problem
// on the form.
func (s *Server) reportPriority(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	reason := r.PostForm.Get("reason")
	n, perr := strconv.Atoi(r.PostForm.Get("priority"))
	if perr != nil {
		n = 0 // the service says which priorities there are
	}
	_, err := s.svc.OverridePriority(r.Context(), a, id, haven.Priority(n), reason)
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/reports/%d?priority=set#triage", id), http.StatusSeeOther)
	case haven.EINVALID:
		msg, _ := s.fieldProblem(r, err)
		s.renderReportPageWith(w, r, a, id, http.StatusBadRequest, nil, &priorityFormError{Priority: haven.Priority(n), Reason: reason, Message: msg})
	default:
		s.pageError(w, r, err)
	}
}
