package http

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The page of one case (/cases/{id}): the child, status, assignee, the
// case's reports, its determination with the history of determinations,
// tasks, notes, files and the timeline that joins them. Opening it is a
// view of the case, audited by the service (with ?reason=, if given); a
// case the actor may not see answers like one that does not exist. Files
// are never shown by default: each is a placeholder until the actor gives a
// reason to reveal it (case_actions.go), and the bytes come from
// /cases/{id}/attachments/{attID}?reason=…, audited with that reason.

// caseData is what the case page shows.
type caseData struct {
	C                                     *haven.Case
	Title, ChildName, ChildHref, Status   string
	Assignee, Determination, Opened       string
	Closed                                string
	CanUpdate, CanAssign, CanAssignOthers bool
	// NoteKey and TaskKey are the note and task forms' one-time tokens:
	// a form sent twice (a double click, a resend) adds once.
	NoteKey, TaskKey               string
	CanApprove, CanMerge, CanClaim bool
	AssignedToMe                   bool
	NextStatuses                   []option
	Reports                        []caseReportRow
	HiddenReports                  int
	Notes                          []caseNoteRow
	Tasks                          []caseTaskRow
	Determinations                 []caseDeterminationRow
	Pending                        bool
	Timeline                       []timelineRow
	Files                          []caseFileRow
	Users                          []option
	Indicators                     []option
	Merged                         []int64
	Error, ErrorField, ErrorForm   string
	Form                           url.Values
	Done                           string
}

type caseReportRow struct {
	ID                            int64
	Ref, Href, Received, Incident string
}

type caseNoteRow struct {
	Body, Author, At string
	Shareable        bool
}

type caseTaskRow struct {
	ID                        int64
	Title, Owner, Due, DoneAt string
	Done, Overdue             bool
}

type caseDeterminationRow struct {
	ID                              int64
	Label, Rationale, State, By, At string
	DecidedBy, DecidedAt, Reason    string
	Indicators                      []string
	Pending, CanDecide              bool
}

type timelineRow struct {
	At, ISO, Kind, Summary, Actor, Body, Href string
}

// caseFileRow is a file of one of the case's reports: described, and
// hidden until revealed with a reason.
type caseFileRow struct {
	ID                            int64
	Name, Type, Size, Report, Src string
	Revealed, Image               bool
}

// casePage shows a case the actor may see.
func (s *Server) casePage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	d := caseData{Done: r.URL.Query().Get("done")}
	s.renderCase(w, r, a, http.StatusOK, d, 0, "")
}

// renderCase renders case {id} with d's error and form; reveal, if not 0,
// is the file to show (with the reason given for it).
func (s *Server) renderCase(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d caseData, reveal int64, reason string) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	v, err := s.svc.CaseDetail(r.Context(), a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.fillCase(&d, r, a, v, reveal, reason)
	s.render(w, r, status, "case", &a, d)
}

func (s *Server) fillCase(d *caseData, r *http.Request, a haven.Actor, v *haven.CaseView, reveal int64, reason string) {
	c := v.Case
	now := s.serviceNow()
	d.NoteKey, d.TaskKey = newSubmissionKey(), newSubmissionKey()
	name := func(id int64) string { return userNameMap(v.Users).name(id) }
	res := c.Resource()
	d.C, d.Title, d.Status, d.Opened = c, c.Title, c.Status.Label(), showMinute(c.OpenedAt)
	if c.ClosedAt != nil {
		d.Closed = showMinute(*c.ClosedAt)
	}
	d.Assignee, d.Determination, d.Merged = name(c.AssignedTo), determinationText(c), v.Merged
	d.ChildName = "Child " + strconv.FormatInt(c.ChildID, 10)
	if v.Child != nil {
		d.ChildName, d.ChildHref = childLabel(v.Child), "/children/"+strconv.FormatInt(c.ChildID, 10)
	}
	open := c.MergedInto == 0
	d.CanUpdate = open && haven.Can(a, haven.ActionUpdate, res)
	d.CanAssign = open && haven.Can(a, haven.ActionAssign, res)
	d.CanAssignOthers = d.CanAssign && haven.ScopeFor(a, haven.ActionAssign, haven.KindCase).All
	d.AssignedToMe = c.AssignedTo != 0 && c.AssignedTo == a.UserID
	d.CanClaim = d.CanAssign && !d.AssignedToMe
	d.CanApprove = open && haven.Can(a, haven.ActionApprove, res)
	d.CanMerge = haven.Can(a, haven.ActionMerge, res)
	for _, st := range c.Status.Next() {
		d.NextStatuses = append(d.NextStatuses, option{Value: string(st), Label: st.Label()})
	}
	for _, rep := range v.Reports {
		d.Reports = append(d.Reports, caseReportRow{ID: rep.ID, Ref: rep.Ref, Href: "/reports/" + strconv.FormatInt(rep.ID, 10),
			Received: showMinute(rep.ReceivedAt), Incident: rep.IncidentType.Label()})
	}
	d.HiddenReports = len(c.ReportIDs) - len(v.Reports)
	for _, n := range v.Notes {
		d.Notes = append(d.Notes, caseNoteRow{Body: n.Body, Author: name(n.CreatedBy), At: showMinute(n.CreatedAt), Shareable: n.Shareable})
	}
	for _, t := range v.Tasks {
		row := caseTaskRow{ID: t.ID, Title: t.Title, Owner: name(t.OwnerID), Done: t.DoneAt != nil, Overdue: t.Overdue(now)}
		if t.DueAt != nil {
			row.Due = showMinute(*t.DueAt)
		}
		if t.DoneAt != nil {
			row.DoneAt = showMinute(*t.DoneAt)
		}
		d.Tasks = append(d.Tasks, row)
	}
	tax := haven.Taxonomy()
	for i := len(v.Determinations) - 1; i >= 0; i-- { // newest first
		det := v.Determinations[i]
		row := caseDeterminationRow{ID: det.ID, Label: det.Determination.Label(), Rationale: det.Rationale, State: determinationState(det.State),
			By: name(det.RecordedBy), At: showMinute(det.RecordedAt), Reason: det.DecisionReason, Pending: det.State == haven.DeterminationPending}
		if det.DecidedAt != nil {
			row.DecidedBy, row.DecidedAt = name(det.DecidedBy), showMinute(*det.DecidedAt)
		}
		for _, id := range det.Indicators {
			if ind := tax.Indicator(id); ind != nil {
				row.Indicators = append(row.Indicators, ind.EN)
			} else {
				row.Indicators = append(row.Indicators, id)
			}
		}
		row.CanDecide = row.Pending && d.CanApprove && det.RecordedBy != a.UserID
		d.Pending = d.Pending || row.Pending
		d.Determinations = append(d.Determinations, row)
	}
	for _, e := range v.Timeline {
		row := timelineRow{At: showMinute(e.At), ISO: e.At.UTC().Format(time.RFC3339), Kind: e.Kind, Summary: e.Summary, Actor: e.Actor, Body: e.Body}
		switch e.RecordKind {
		case "report":
			row.Href = "/reports/" + strconv.FormatInt(e.RecordID, 10)
		case "episode":
			row.Href = "/missing/" + strconv.FormatInt(e.RecordID, 10)
		}
		d.Timeline = append(d.Timeline, row)
	}
	refs := map[int64]string{}
	for _, rep := range v.Reports {
		refs[rep.ID] = rep.Ref
	}
	for _, att := range v.Attachments {
		row := caseFileRow{ID: att.ID, Name: att.FileName, Type: att.ContentType, Size: byteSize(att.Size), Report: refs[att.ReportID],
			Image: strings.HasPrefix(downloadType(att.ContentType), "image/")}
		if att.ID == reveal {
			row.Revealed = true
			row.Src = "/cases/" + strconv.FormatInt(c.ID, 10) + "/attachments/" + strconv.FormatInt(att.ID, 10) + "?reason=" + url.QueryEscape(reason)
		}
		d.Files = append(d.Files, row)
	}
	if reveal != 0 && d.Done == "revealed" && !slices.ContainsFunc(d.Files, func(f caseFileRow) bool { return f.Revealed }) {
		d.Done = "" // no such file on the case: nothing was revealed
	}
	if d.CanUpdate || d.CanAssignOthers {
		d.Users = s.caseWorkers(r, a)
	}
	if d.CanUpdate {
		for _, ind := range tax.Indicators {
			d.Indicators = append(d.Indicators, option{Value: ind.ID, Label: ind.EN, Selected: d.Form != nil && slices.Contains(d.Form["indicators"], ind.ID)})
		}
	}
}

// determinationState is a determination's state as the page says it.
func determinationState(st haven.DeterminationState) string {
	switch st {
	case haven.DeterminationPending:
		return "Awaiting a supervisor's approval"
	case haven.DeterminationApproved:
		return "Approved"
	case haven.DeterminationReturned:
		return "Returned to the analyst"
	}
	return string(st)
}

// caseWorkers are the accounts a task or the case may be given to: the
// actor, and for those who may list accounts, every active analyst and
// supervisor.
func (s *Server) caseWorkers(r *http.Request, a haven.Actor) []option {
	opts := []option{{Value: strconv.FormatInt(a.UserID, 10), Label: a.Username + " (me)"}}
	if !haven.CanListAccounts(a) {
		return opts
	}
	no := false
	for _, role := range []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor} {
		us, err := s.svc.ListUsers(r.Context(), a, haven.UserFilter{Role: role, Disabled: &no})
		if err != nil {
			continue
		}
		for _, u := range us {
			if u.ID != a.UserID {
				opts = append(opts, option{Value: strconv.FormatInt(u.ID, 10), Label: u.Username})
			}
		}
	}
	return opts
}
