package http

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The case page's actions (POST /cases/{id}/…): add a report, change the
// status, claim, assign or release, add a note or a task, mark a task done,
// record a determination and approve or return it, merge and split, and
// reveal a file. Each calls the same service method as the JSON API
// (api_cases.go), so the two are authorised alike. Bad input re-renders
// the page with the error next to the form (400); success redirects to the
// page (303) saying what was done.

// caseAction is a case page action: do reads the posted form and acts.
// form names the page's form for the error; done is what the page then
// says was done.
func (s *Server) caseAction(form, done string, do func(r *http.Request, a haven.Actor, id int64) error) userHandler {
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, ok := s.postedToRecord(w, r)
		if !ok {
			return
		}
		err := do(r, a, id)
		switch haven.ErrorCode(err) {
		case "":
			http.Redirect(w, r, fmt.Sprintf("/cases/%d?done=%s", id, done), http.StatusSeeOther)
		case haven.EINVALID, haven.ECONFLICT:
			d := caseData{ErrorForm: form, Form: r.PostForm}
			d.Error, d.ErrorField = s.fieldProblem(r, err)
			status := http.StatusBadRequest
			if haven.ErrorCode(err) == haven.ECONFLICT {
				status = http.StatusConflict
			}
			s.renderCase(w, r, a, status, d, 0, "")
		default:
			s.pageError(w, r, err)
		}
	}
}

// formID reads a positive id from a form field ("" is 0).
func formID(r *http.Request, field string) (int64, error) {
	v := strings.TrimSpace(r.PostForm.Get(field))
	if v == "" {
		return 0, nil
	}
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id < 1 {
		return 0, haven.FieldError(field, "choose from the list")
	}
	return id, nil
}

// pathInt reads a positive id from a path segment.
func pathInt(r *http.Request, name string) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	return id, err == nil && id > 0
}

func (s *Server) caseAddReport(r *http.Request, a haven.Actor, id int64) error {
	return s.svc.AddCaseReport(r.Context(), a, id, 0, r.PostForm.Get("report"))
}

func (s *Server) caseStatus(r *http.Request, a haven.Actor, id int64) error {
	_, err := s.svc.SetCaseStatus(r.Context(), a, id, haven.CaseStatus(r.PostForm.Get("status")), r.PostForm.Get("reason"))
	return err
}

func (s *Server) caseAssign(r *http.Request, a haven.Actor, id int64) error {
	var to int64
	switch r.PostForm.Get("action") {
	case "claim":
		to = a.UserID
	case "release":
	default:
		// Not chosen (or not a number from the list): the service says so
		// once it has checked that the actor may assign the case.
		if who, err := formID(r, "assignee"); err == nil && who > 0 {
			to = who
		} else {
			to = -1
		}
	}
	_, err := s.svc.AssignCase(r.Context(), a, id, to)
	return err
}

func (s *Server) caseNote(r *http.Request, a haven.Actor, id int64) error {
	_, _, err := s.svc.AddCaseNoteOnce(r.Context(), a, caseFormOnce(r), id, r.PostForm.Get("body"), r.PostForm.Get("shareable") == "1")
	return err
}

// caseFormOnce is the idempotency key of a case form carrying a one-time
// token (the zero Once without one): sent again, the form takes effect
// once; the token sent to another case's form is a conflict.
func caseFormOnce(r *http.Request) haven.Once {
	tok := submissionToken(r.PostForm.Get("submission"))
	if tok == "" {
		return haven.Once{}
	}
	return haven.Once{Key: "case-form:" + tok, RequestHash: "case-form:" + r.URL.Path}
}

func (s *Server) caseTask(r *http.Request, a haven.Actor, id int64) error {
	owner, err := formID(r, "owner")
	if err != nil {
		return err
	}
	var due *time.Time
	if v := strings.TrimSpace(r.PostForm.Get("due")); v != "" {
		d, err := time.Parse("2006-01-02", v)
		if err != nil {
			return haven.FieldError("due", "give the due date as year-month-day, such as 2026-12-01")
		}
		d = d.Add(24*time.Hour - time.Microsecond) // due by the end of that day (UTC)
		due = &d
	}
	_, _, err = s.svc.AddCaseTaskOnce(r.Context(), a, caseFormOnce(r), id, r.PostForm.Get("title"), owner, due)
	return err
}

func (s *Server) caseTaskDone(r *http.Request, a haven.Actor, id int64) error {
	taskID, ok := pathInt(r, "taskID")
	if !ok {
		return haven.Errorf(haven.ENOTFOUND, "No such task.")
	}
	_, err := s.svc.SetCaseTaskDone(r.Context(), a, id, taskID, r.PostForm.Get("done") == "1")
	return err
}

func (s *Server) caseDetermination(r *http.Request, a haven.Actor, id int64) error {
	p := r.PostForm
	_, err := s.svc.RecordDetermination(r.Context(), a, id, haven.Determination(p.Get("determination")), p.Get("rationale"), p["indicators"])
	return err
}

func (s *Server) caseDecide(approve bool) func(r *http.Request, a haven.Actor, id int64) error {
	return func(r *http.Request, a haven.Actor, id int64) error {
		detID, ok := pathInt(r, "detID")
		if !ok {
			return haven.Errorf(haven.ENOTFOUND, "No such determination.")
		}
		var err error
		if approve {
			_, err = s.svc.ApproveDetermination(r.Context(), a, id, detID)
		} else {
			_, err = s.svc.ReturnDetermination(r.Context(), a, id, detID, r.PostForm.Get("reason"))
		}
		return err
	}
}

func (s *Server) caseMerge(r *http.Request, a haven.Actor, id int64) error {
	other, err := strconv.ParseInt(strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(r.PostForm.Get("absorbed")), "#")), 10, 64)
	if err != nil || other < 1 {
		other = 0 // not given: the service says so once it has checked who may merge
	}
	_, err = s.svc.MergeCases(r.Context(), a, id, other, r.PostForm.Get("reason"))
	return err
}

func (s *Server) caseSplit(r *http.Request, a haven.Actor, id int64) error {
	_, err := s.svc.SplitCase(r.Context(), a, id, r.PostForm.Get("reason"))
	return err
}

// caseReveal shows one file of the case with the reason given: the page is
// rendered with the file in place, its bytes fetched from caseAttachment,
// which audits the reveal with the reason. No reason, no file.
func (s *Server) caseReveal(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	caseID, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	attID, ok := pathInt(r, "attID")
	if !ok {
		s.notFound(w, r)
		return
	}
	// Whether the actor may see the file at all comes before the reason:
	// a refused actor is refused whatever the form holds.
	if err := s.svc.MayRevealCaseAttachment(r.Context(), a, caseID, attID); err != nil {
		s.pageError(w, r, err)
		return
	}
	reason := strings.TrimSpace(r.PostForm.Get("reason"))
	if reason == "" {
		d := caseData{ErrorForm: "reveal-" + strconv.FormatInt(attID, 10), Error: "Say why you need to see this file.", ErrorField: "reason"}
		s.renderCase(w, r, a, http.StatusBadRequest, d, 0, "")
		return
	}
	if len(reason) > 500 {
		d := caseData{ErrorForm: "reveal-" + strconv.FormatInt(attID, 10), Error: "A reason has at most 500 characters.", ErrorField: "reason"}
		s.renderCase(w, r, a, http.StatusBadRequest, d, 0, "")
		return
	}
	s.renderCase(w, r, a, http.StatusOK, caseData{Done: "revealed"}, attID, reason)
}

// caseAttachment sends a file of one of the case's reports, with the
// reason (required) audited as attachment.reveal; it is served with the
// same safe download headers as every file.
func (s *Server) caseAttachment(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	caseID, ok := pathID(r)
	attID, ok2 := pathInt(r, "attID")
	if !ok || !ok2 {
		s.notFound(w, r)
		return
	}
	att, rc, err := s.svc.RevealCaseAttachment(r.Context(), a, caseID, attID, r.URL.Query().Get("reason"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	defer rc.Close()
	s.sendAttachment(w, r, att, rc)
}
