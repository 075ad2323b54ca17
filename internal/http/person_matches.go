package http

import (
	"fmt"
	"math"
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// Person matches on the staff report page ("Possible matches with children
// on file": for each person the report mentions, the children on file the
// ingest job found may be the same child, how strongly, and the field-by-
// field evidence, with Confirm and Reject forms), on the child's page (the
// reports whose people were matched with the child), and the decisions
// (POST /person-matches/{id}/confirm and /reject, a reason required). Only
// those who may see person matches (analysts and supervisors) see either
// section; the service audits every view and decision. Nothing is merged:
// confirming links the report's mention to the child.

// matchesView is the report page's section.
type matchesView struct {
	People []matchPerson
}

type matchPerson struct {
	Name    string // the person as the report names them
	Matches []matchRow
}

type matchRow struct {
	ID                   int64
	ChildHref, ChildName string
	ChildDetails         string // born …, sex, state
	Strength             string // "Strong (97%)"
	Weight               string
	State                string // its state as people read it
	Suggested, Confirmed bool
	Reason, DecidedBy    string
	Evidence             []evidenceRow
	CanDecide            bool
	// Actions are the decisions the forms offer: confirm or reject a
	// suggestion, reject a confirmed match, confirm a rejected one.
	Actions []string
	// Error is the problem with the last decision posted on it, and
	// ErrorAction "confirm" or "reject"; Reason then holds what was typed.
	Error, ErrorAction string
	ReportHref         string // the child page: the report
	ReportRef          string
}

type evidenceRow struct {
	Field, Level, Weight string
}

// matchFormError is a decision refused for bad input, shown on its match.
type matchFormError struct {
	MatchID        int64
	Action, Reason string
	Message        string
}

// reportMatches returns the person-match section of report id, or nil
// when the actor may not see person matches or they could not be read
// (logged): the rest of the page still shows.
func (s *Server) reportMatches(r *http.Request, a haven.Actor, id int64, fe *matchFormError) *matchesView {
	if !haven.CanKind(a, haven.ActionView, haven.KindPersonMatch) {
		return nil
	}
	ms, err := s.svc.PersonMatches(r.Context(), a, id)
	if err != nil {
		s.logger(r).Error("person matches", "report", id, "err", err)
		return nil
	}
	v := &matchesView{}
	idx := map[int64]int{}
	for _, m := range ms {
		i, ok := idx[m.Person.ID]
		if !ok {
			name := m.Person.FullName()
			if name == "" {
				name = "A child with no name given"
			}
			if m.Person.Nickname != "" {
				name += " (“" + m.Person.Nickname + "”)"
			}
			v.People = append(v.People, matchPerson{Name: name})
			i = len(v.People) - 1
			idx[m.Person.ID] = i
		}
		v.People[i].Matches = append(v.People[i].Matches, newMatchRow(m, fe))
	}
	return v
}

func newMatchRow(m *haven.PersonMatchView, fe *matchFormError) matchRow {
	c := m.Child
	row := matchRow{ID: m.Match.ID, ChildHref: "/children/" + strconv.FormatInt(c.ID, 10), ChildName: c.FullName(),
		Strength: fmt.Sprintf("%s (%.0f%%)", m.Match.Strength(), 100*m.Match.Probability), Weight: fmt.Sprintf("%+.1f", m.Match.Weight),
		State: m.Match.State.Label(), Suggested: m.Match.State == haven.MatchSuggested, Confirmed: m.Match.State == haven.MatchConfirmed,
		Reason: m.Match.Reason, DecidedBy: m.DecidedBy, CanDecide: m.CanDecide,
		ReportHref: "/reports/" + strconv.FormatInt(m.Match.ReportID, 10), ReportRef: m.ReportRef}
	if row.ChildName == "" {
		row.ChildName = childLabel(c)
	}
	var details []string
	if c.DateOfBirth != nil {
		details = append(details, "born "+c.DateOfBirth.Format("2006-01-02"))
	}
	if sx := map[haven.Sex]string{haven.SexFemale: "female", haven.SexMale: "male", haven.SexOther: "other"}[c.Sex]; sx != "" {
		details = append(details, sx)
	}
	if c.State != "" {
		details = append(details, c.State)
	}
	for i, d := range details {
		if i > 0 {
			row.ChildDetails += ", "
		}
		row.ChildDetails += d
	}
	for _, e := range m.Match.Evidence {
		w := "0"
		if e.Level != "missing" && math.Abs(e.Weight) >= 0.05 {
			w = fmt.Sprintf("%+.1f", e.Weight)
		}
		row.Evidence = append(row.Evidence, evidenceRow{Field: e.Field, Level: e.Level, Weight: w})
	}
	if m.CanDecide {
		switch m.Match.State {
		case haven.MatchSuggested:
			row.Actions = []string{"confirm", "reject"}
		case haven.MatchConfirmed:
			row.Actions = []string{"reject"}
		case haven.MatchRejected:
			row.Actions = []string{"confirm"}
		}
	}
	if fe != nil && fe.MatchID == m.Match.ID {
		row.Error, row.ErrorAction, row.Reason = fe.Message, fe.Action, fe.Reason
	}
	return row
}

// childMatches returns the reports whose people were matched with child id
// (suggested or decided), or nil when the actor may not see person matches.
func (s *Server) childMatches(r *http.Request, a haven.Actor, id int64) []matchRow {
	if !haven.CanKind(a, haven.ActionView, haven.KindPersonMatch) {
		return nil
	}
	ms, err := s.svc.ChildMatches(r.Context(), a, id)
	if err != nil {
		s.logger(r).Error("child person matches", "child", id, "err", err)
		return nil
	}
	var rows []matchRow
	for _, m := range ms {
		row := newMatchRow(m, nil)
		row.ChildName = m.Person.FullName()
		rows = append(rows, row)
	}
	return rows
}

func (s *Server) personMatchConfirm(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.personMatchDecide(w, r, a, "confirm")
}

func (s *Server) personMatchReject(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.personMatchDecide(w, r, a, "reject")
}

// personMatchDecide records a decision and goes back to the report's
// section; bad input shows the report page again with the problem on the
// match's form.
func (s *Server) personMatchDecide(w http.ResponseWriter, r *http.Request, a haven.Actor, action string) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	reason := r.PostForm.Get("reason")
	var m *haven.PersonMatch
	var err error
	if action == "confirm" {
		m, err = s.svc.ConfirmPersonMatch(r.Context(), a, id, reason)
	} else {
		m, err = s.svc.RejectPersonMatch(r.Context(), a, id, reason)
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/reports/%d?match=%sed#person-matches", m.ReportID, action), http.StatusSeeOther)
	case haven.EINVALID, haven.ECONFLICT:
		reportID, perr := strconv.ParseInt(r.PostForm.Get("report_id"), 10, 64)
		if perr != nil || reportID < 1 {
			s.pageError(w, r, err)
			return
		}
		msg := haven.ErrorMessage(err)
		if haven.ErrorCode(err) == haven.EINVALID {
			msg, _ = s.fieldProblem(r, err)
		}
		s.renderReportPage(w, r, a, reportID, http.StatusBadRequest, &matchFormError{MatchID: id, Action: action, Reason: reason, Message: msg})
	default:
		s.pageError(w, r, err)
	}
}
