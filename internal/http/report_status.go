package http

import (
	"context"
	"fmt"
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// A report's status on its page: who may change the report (the analyst
// who has it, a supervisor) closes it with a reason, or reopens a closed
// one (POST /reports/{id}/close and /reopen; the same under /api/v1). The
// service checks and audits both (internal/haven/report_status.go).

// reportStatusView is the page's close or reopen form.
type reportStatusView struct {
	ReportID      int64
	Closed        bool
	Done          string // "closed" or "reopened" just now
	Reason, Error string // a refused form's reason and problem
}

// newReportStatusView is the form for rep, or nil for those who may not
// change it.
func newReportStatusView(a haven.Actor, rep *haven.Report, done string) *reportStatusView {
	if !haven.Can(a, haven.ActionUpdate, rep.Resource()) {
		return nil
	}
	if done != "closed" && done != "reopened" {
		done = ""
	}
	return &reportStatusView{ReportID: rep.ID, Closed: rep.Status == haven.ReportClosed, Done: done}
}

func (s *Server) reportClose(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.reportStatusChange(w, r, a, "closed", s.svc.CloseReport)
}

func (s *Server) reportReopen(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.reportStatusChange(w, r, a, "reopened", s.svc.ReopenReport)
}

// reportStatusChange runs a close or a reopen and goes back to the page;
// bad input shows the page again with the problem on the form.
func (s *Server) reportStatusChange(w http.ResponseWriter, r *http.Request, a haven.Actor, done string, change func(ctx context.Context, a haven.Actor, id int64, reason string) error) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	reason := r.PostForm.Get("reason")
	err := change(r.Context(), a, id, reason)
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/reports/%d?status=%s#report-status-form", id, done), http.StatusSeeOther)
	case haven.EINVALID, haven.ECONFLICT:
		msg, _ := s.fieldProblem(r, err)
		s.renderReportPageStatus(w, r, a, id, statusOf(err), &reportStatusView{ReportID: id, Closed: done == "reopened", Reason: reason, Error: msg})
	default:
		s.pageError(w, r, err)
	}
}

// apiReportStatusBody is the body of POST /api/v1/reports/{id}/close and
// /reopen.
type apiReportStatusBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiReportClose(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiReportStatus(w, r, a, s.svc.CloseReport)
}

func (s *Server) apiReportReopen(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiReportStatus(w, r, a, s.svc.ReopenReport)
}

func (s *Server) apiReportStatus(w http.ResponseWriter, r *http.Request, a haven.Actor, change func(ctx context.Context, a haven.Actor, id int64, reason string) error) {
	var body apiReportStatusBody
	if _, ok := s.readJSON(w, r, &body, "a reason", false); !ok {
		return
	}
	s.apiQueueAction(w, r, func(id int64) (*haven.Report, error) {
		if err := change(r.Context(), a, id, body.Reason); err != nil {
			return nil, err
		}
		return s.svc.GetReport(r.Context(), a, id, "")
	})
}
