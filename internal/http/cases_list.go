package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// The list of cases the actor may see (/cases), newest first, filtered by
// status (?status=open…) and assignee (?assignee=me, or a user's id). The
// list is compiled from the same authorisation table as opening a case.

// casesListLimit is the most cases one page lists.
const casesListLimit = 200

// caseRow is one case in a list.
type caseRow struct {
	ID                                             int64
	Title, Status, Determination, Assignee, Opened string
	Reports                                        int
}

// casesListData is what the list page shows.
type casesListData struct {
	Rows           []caseRow
	Statuses       []option
	Status         string
	Mine           bool
	FilterAssignee string
	// Assignees are the other accounts to filter by, for those who may
	// list accounts (supervisors).
	Assignees []option
}

func (s *Server) casesList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindCase, "see cases"); err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	f, err := caseFilterOf(a, q.Get("status"), q.Get("assignee"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	f.Limit = casesListLimit
	cs, err := s.svc.ListCases(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := casesListData{Status: string(f.Status), Mine: f.AssignedTo != 0 && f.AssignedTo == a.UserID, FilterAssignee: q.Get("assignee")}
	d.Statuses = append(d.Statuses, option{Value: "", Label: "Any status", Selected: f.Status == ""})
	for _, st := range haven.CaseStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: st.Label(), Selected: st == f.Status})
	}
	if haven.CanListAccounts(a) {
		for _, o := range s.caseWorkers(r, a)[1:] {
			o.Selected = o.Value == d.FilterAssignee
			d.Assignees = append(d.Assignees, o)
		}
	}
	names := s.caseUserNames(r, a)
	for _, c := range cs {
		d.Rows = append(d.Rows, caseRow{ID: c.ID, Title: c.Title, Status: c.Status.Label(), Determination: determinationText(c),
			Assignee: names.name(c.AssignedTo), Opened: showMinute(c.OpenedAt), Reports: len(c.ReportIDs)})
	}
	s.render(w, r, http.StatusOK, "cases", &a, d)
}

// caseFilterOf reads the list's filters; a bad one is a field error.
func caseFilterOf(a haven.Actor, status, assignee string) (haven.CaseFilter, error) {
	f := haven.CaseFilter{Status: haven.CaseStatus(status)}
	if status != "" && !oneOfStatus(f.Status) {
		return f, haven.FieldError("status", "unknown case status %q; use open, active, located or closed", status)
	}
	switch assignee {
	case "":
	case "me":
		f.AssignedTo = a.UserID
	default:
		id, err := strconv.ParseInt(assignee, 10, 64)
		if err != nil || id < 1 {
			return f, haven.FieldError("assignee", "give the assignee as “me” or a user's number")
		}
		f.AssignedTo = id
	}
	return f, nil
}

func oneOfStatus(st haven.CaseStatus) bool {
	for _, s := range haven.CaseStatuses {
		if s == st {
			return true
		}
	}
	return false
}

// determinationText is a case's approved determination for a list.
func determinationText(c *haven.Case) string {
	if c.DeterminationID == 0 {
		return "None approved yet"
	}
	return c.Determination.Label()
}

// userNameMap names user ids for a page.
type userNameMap map[int64]string

func (m userNameMap) name(id int64) string {
	if id == 0 {
		return "Nobody"
	}
	if n, ok := m[id]; ok {
		return n
	}
	return "User " + strconv.FormatInt(id, 10)
}

// caseUserNames names the accounts the actor may see (supervisors and
// administrators see all; everyone else sees themselves).
func (s *Server) caseUserNames(r *http.Request, a haven.Actor) userNameMap {
	m := userNameMap{a.UserID: a.Username}
	if !haven.CanListAccounts(a) {
		return m
	}
	us, err := s.svc.ListUsers(r.Context(), a, haven.UserFilter{})
	if err != nil {
		return m
	}
	for _, u := range us {
		m[u.ID] = u.Username
	}
	return m
}
