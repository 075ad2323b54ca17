package http

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Cases on a report's page: the cases holding the report, and the form to
// open a case about a child from it (a child the report's person matching
// linked to a child on file, a new child made from a person the report
// mentions, or a child on file by number) or to add the report to a case
// (POST /reports/{id}/cases).

// reportCasesView is the report page's cases section; nil for those who
// may not see cases.
type reportCasesView struct {
	Cases   []caseLink
	CanOpen bool
	Choices []option
	Error   string
}

type caseLink struct {
	ID                  int64
	Title, Href, Status string
}

// reportCases builds the report page's cases section.
func (s *Server) reportCases(r *http.Request, a haven.Actor, rep *haven.Report) *reportCasesView {
	if !haven.CanKind(a, haven.ActionView, haven.KindCase) {
		return nil
	}
	v := &reportCasesView{CanOpen: haven.CanKind(a, haven.ActionCreate, haven.KindCase), Error: casesError(r)}
	cs, err := s.svc.ReportCases(r.Context(), a, rep.ID)
	if err != nil {
		s.logger(r).Error("cases of report", "report", rep.ID, "err", err)
	}
	for _, c := range cs {
		v.Cases = append(v.Cases, caseLink{ID: c.ID, Title: c.Title, Href: "/cases/" + strconv.FormatInt(c.ID, 10), Status: c.Status.Label()})
	}
	for _, p := range rep.People {
		if p.Role != haven.PersonChild {
			continue
		}
		name := strings.TrimSpace(p.FirstName + " " + p.LastName)
		if name == "" {
			name = p.Nickname
		}
		if name == "" {
			name = "the unnamed child"
		}
		if p.ChildID != 0 {
			v.Choices = append(v.Choices, option{Value: "child:" + strconv.FormatInt(p.ChildID, 10), Label: name + " (the child on file matched with this report)"})
		} else {
			v.Choices = append(v.Choices, option{Value: "mention:" + strconv.FormatInt(p.ID, 10), Label: name + " (put a new child on file from this report)"})
		}
	}
	return v
}

// reportOpenCase opens a case from a report, or adds the report to a case.
func (s *Server) reportOpenCase(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	p := r.PostForm
	var caseID int64
	var err error
	if v := strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(p.Get("case_id")), "#")); v != "" {
		if caseID, err = strconv.ParseInt(v, 10, 64); err != nil || caseID < 1 {
			err = haven.FieldError("case_id", "give the case's number")
		} else {
			err = s.svc.AddCaseReport(r.Context(), a, caseID, id, "")
		}
	} else {
		in := haven.OpenCase{ReportID: id, Title: p.Get("title")}
		kind, num, _ := strings.Cut(p.Get("child"), ":")
		n, _ := strconv.ParseInt(num, 10, 64)
		switch {
		case kind == "child" && n > 0:
			in.ChildID = n
		case kind == "mention" && n > 0:
			in.Mention = n
		case strings.TrimSpace(p.Get("child_id")) != "":
			if in.ChildID, err = strconv.ParseInt(strings.TrimSpace(p.Get("child_id")), 10, 64); err != nil || in.ChildID < 1 {
				err = haven.FieldError("child_id", "give the number of a child on file")
			}
		}
		if err == nil {
			var c *haven.Case
			if c, err = s.svc.OpenCaseFromReport(r.Context(), a, in); err == nil {
				caseID = c.ID
			}
		}
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=report", caseID), http.StatusSeeOther)
	case haven.EINVALID, haven.ECONFLICT:
		msg, _ := s.fieldProblem(r, err)
		s.renderReportCasesError(w, r, a, id, msg)
	default:
		s.pageError(w, r, err)
	}
}

// renderReportCasesError shows the report page with the cases form's error.
func (s *Server) renderReportCasesError(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, msg string) {
	r = r.WithContext(withCasesError(r.Context(), msg))
	s.renderReportPage(w, r, a, id, http.StatusBadRequest, nil)
}

type casesErrorKey struct{}

// withCasesError carries the cases form's error to the report page's
// rendering (renderReportPage takes no form of its own for it).
func withCasesError(ctx context.Context, msg string) context.Context {
	return context.WithValue(ctx, casesErrorKey{}, msg)
}

// casesError is the cases form's error carried by withCasesError ("" for none).
func casesError(r *http.Request) string {
	msg, _ := r.Context().Value(casesErrorKey{}).(string)
	return msg
}
