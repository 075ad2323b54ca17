package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The analyst queue through the JSON API, with the authorisation of the
// pages (the same service methods): GET /api/v1/queue, GET
// /api/v1/deadlines, and POST /api/v1/reports/{id}/claim, /release and
// /assign. Claim, release and assign are idempotent by nature (claiming a
// report one has, or assigning it to whoever has it, changes nothing), so a
// retried request never does anything twice.

// apiQueueItem is a report in the queue: its summary and when its first
// action is due.
type apiQueueItem struct {
	apiReport
	DueAt *time.Time `json:"due_at"`
}

// apiQueueResponse is the body of GET /api/v1/queue.
type apiQueueResponse struct {
	View    haven.QueueView `json:"view"`
	Reports []apiQueueItem  `json:"reports"`
	Total   int             `json:"total"`
	Limit   int             `json:"limit"`
	Offset  int             `json:"offset"`
}

func queueItem(rep *haven.Report) apiQueueItem {
	it := apiQueueItem{apiReport: summary(rep)}
	if rep.DueAt != nil {
		d := rep.DueAt.UTC()
		it.DueAt = &d
	}
	return it
}

func queueItems(rs []*haven.Report) []apiQueueItem {
	out := make([]apiQueueItem, 0, len(rs))
	for _, rep := range rs {
		out = append(out, queueItem(rep))
	}
	return out
}

// apiQueue lists a view of the queue (?view=unassigned|mine|all,
// ?priority=1…4, ?limit=, ?offset=), most urgent first.
func (s *Server) apiQueue(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := haven.QueueFilter{View: haven.QueueView(q.Get("view")), Limit: limit, Offset: offset}
	if f.View == "" {
		f.View = haven.QueueUnassigned
	}
	if v := q.Get("priority"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < int(haven.P1) || n > int(haven.P4) {
			s.apiError(w, r, haven.FieldError("priority", "priority is 1, 2, 3 or 4"))
			return
		}
		f.Priority = haven.Priority(n)
	}
	rs, total, err := s.svc.Queue(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiQueueResponse{View: f.View, Reports: queueItems(rs), Total: total, Limit: limit, Offset: offset})
}

// apiOverdueEpisode is a missing-from-care episode past its clock.
type apiOverdueEpisode struct {
	ID                   int64             `json:"id"`
	ChildID              int64             `json:"child_id"`
	MissingType          haven.MissingType `json:"missing_type"`
	LawEnforcementDueAt  *time.Time        `json:"law_enforcement_due_at"`
	ClearinghouseDueAt   *time.Time        `json:"clearinghouse_due_at"`
	LawEnforcementOverBy string            `json:"law_enforcement_clock"`
}

// apiDeadlinesResponse is the body of GET /api/v1/deadlines.
type apiDeadlinesResponse struct {
	Now             time.Time           `json:"now"`
	Breached        []apiQueueItem      `json:"breached"`
	DueSoon         []apiQueueItem      `json:"due_soon"`
	OverdueFromCare []apiOverdueEpisode `json:"overdue_from_care"`
}

// apiDeadlines is the supervisor's deadline view.
func (s *Server) apiDeadlines(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	d, err := s.svc.Deadlines(r.Context(), a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := apiDeadlinesResponse{Now: d.Now.UTC(), Breached: queueItems(d.Breached), DueSoon: queueItems(d.DueSoon),
		OverdueFromCare: []apiOverdueEpisode{}}
	for _, e := range d.OverdueFromCare {
		ep := apiOverdueEpisode{ID: e.ID, ChildID: e.ChildID, MissingType: e.MissingType}
		if c := e.LawEnforcementClock(d.Now); c != nil {
			due := c.Due.UTC()
			ep.LawEnforcementDueAt, ep.LawEnforcementOverBy = &due, c.Text()
		}
		if c := e.ClearinghouseClock(d.Now); c != nil {
			due := c.Due.UTC()
			ep.ClearinghouseDueAt = &due
		}
		resp.OverdueFromCare = append(resp.OverdueFromCare, ep)
	}
	writeJSON(w, http.StatusOK, resp)
}

// apiAssignBody is the body of POST /api/v1/reports/{id}/assign.
type apiAssignBody struct {
	// AssigneeID is the user to give the report to; null releases it.
	AssigneeID *int64 `json:"assignee_id"`
}

func (s *Server) apiReportClaim(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiQueueAction(w, r, func(id int64) (*haven.Report, error) { return s.svc.ClaimReport(r.Context(), a, id) })
}

func (s *Server) apiReportRelease(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiQueueAction(w, r, func(id int64) (*haven.Report, error) { return s.svc.ReleaseReport(r.Context(), a, id) })
}

func (s *Server) apiReportAssign(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiAssignBody
	if _, ok := s.readJSON(w, r, &body, "an assignment", false); !ok {
		return
	}
	s.apiQueueAction(w, r, func(id int64) (*haven.Report, error) {
		to := int64(0)
		if body.AssigneeID != nil {
			if *body.AssigneeID <= 0 {
				return nil, haven.FieldError("assignee_id", "assignee_id is a user's id, or null to release the report")
			}
			to = *body.AssigneeID
		}
		return s.svc.AssignReport(r.Context(), a, id, to)
	})
}

func (s *Server) apiQueueAction(w http.ResponseWriter, r *http.Request, do func(id int64) (*haven.Report, error)) {
	id, ok := pathID(r)
	if !ok {
		s.apiError(w, r, haven.Errorf(haven.ENOTFOUND, "No such report, or it is not yours to see."))
		return
	}
	rep, err := do(id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, queueItem(rep))
}
