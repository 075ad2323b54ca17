package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Cases through the JSON API, mirroring /cases: the list, one case with its
// notes, tasks, determinations, files (described) and timeline, and every
// action of the case page. Each handler calls the same service method as
// the page, so the API is authorised exactly as the screens are. Every
// action answers with the case as it is then (an audited view).

type apiCase struct {
	ID                    int64               `json:"id"`
	ChildID               int64               `json:"child_id"`
	Title                 string              `json:"title"`
	Status                haven.CaseStatus    `json:"status"`
	Determination         haven.Determination `json:"determination"`
	DeterminationApproved bool                `json:"determination_approved"`
	AssignedTo            int64               `json:"assigned_to"`
	AgencyID              int64               `json:"agency_id"`
	State                 string              `json:"state"`
	ReportIDs             []int64             `json:"report_ids"`
	OpenedAt              time.Time           `json:"opened_at"`
	ClosedAt              *time.Time          `json:"closed_at"`
	MergedInto            int64               `json:"merged_into"`
}

type apiCaseList struct {
	Cases  []apiCase `json:"cases"`
	Limit  int       `json:"limit"`
	Offset int       `json:"offset"`
}

type apiCaseDetail struct {
	apiCase
	HiddenReports  int                `json:"hidden_reports"`
	Notes          []apiCaseNote      `json:"notes"`
	Tasks          []apiCaseTask      `json:"tasks"`
	Determinations []apiDetermination `json:"determinations"`
	Attachments    []apiAttachment    `json:"attachments"`
	Timeline       []apiTimelineEntry `json:"timeline"`
	Merged         []int64            `json:"merged"`
}

type apiCaseNote struct {
	ID        int64     `json:"id"`
	Body      string    `json:"body"`
	Shareable bool      `json:"shareable"`
	CreatedBy int64     `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

type apiCaseTask struct {
	ID        int64      `json:"id"`
	Title     string     `json:"title"`
	OwnerID   int64      `json:"owner_id"`
	DueAt     *time.Time `json:"due_at"`
	DoneAt    *time.Time `json:"done_at"`
	Overdue   bool       `json:"overdue"`
	CreatedBy int64      `json:"created_by"`
	CreatedAt time.Time  `json:"created_at"`
}

type apiDetermination struct {
	ID             int64                    `json:"id"`
	Determination  haven.Determination      `json:"determination"`
	Rationale      string                   `json:"rationale"`
	Indicators     []string                 `json:"indicators"`
	State          haven.DeterminationState `json:"state"`
	RecordedBy     int64                    `json:"recorded_by"`
	RecordedAt     time.Time                `json:"recorded_at"`
	DecidedBy      int64                    `json:"decided_by"`
	DecidedAt      *time.Time               `json:"decided_at"`
	DecisionReason string                   `json:"decision_reason"`
}

type apiTimelineEntry struct {
	At         time.Time `json:"at"`
	Kind       string    `json:"kind"`
	Summary    string    `json:"summary"`
	Actor      string    `json:"actor"`
	RecordKind string    `json:"record_kind"`
	RecordID   int64     `json:"record_id"`
	Body       string    `json:"body,omitempty"`
}

// Bodies of the POSTs.
type (
	apiCaseInput struct {
		ReportID  int64  `json:"report_id"`
		ChildID   int64  `json:"child_id"`
		MentionID int64  `json:"mention_id"`
		Title     string `json:"title"`
	}
	apiCaseReportInput struct {
		ReportID int64  `json:"report_id"`
		Ref      string `json:"ref"`
	}
	apiCaseStatusInput struct {
		Status haven.CaseStatus `json:"status"`
		Reason string           `json:"reason"`
	}
	apiCaseAssigneeInput struct {
		UserID int64 `json:"user_id"`
	}
	apiCaseNoteInput struct {
		Body      string `json:"body"`
		Shareable bool   `json:"shareable"`
	}
	apiCaseTaskInput struct {
		Title   string `json:"title"`
		OwnerID int64  `json:"owner_id"`
		DueAt   string `json:"due_at"`
	}
	apiCaseTaskDoneInput struct {
		Done bool `json:"done"`
	}
	apiDeterminationInput struct {
		Determination haven.Determination `json:"determination"`
		Rationale     string              `json:"rationale"`
		Indicators    []string            `json:"indicators"`
	}
	apiReasonInput struct {
		Reason string `json:"reason"`
	}
	apiMergeInput struct {
		AbsorbedID int64  `json:"absorbed_id"`
		Reason     string `json:"reason"`
	}
)

type apiDeterminationCounts struct {
	Yes          int `json:"yes"`
	No           int `json:"no"`
	Undetermined int `json:"undetermined"`
}

func caseOut(c *haven.Case) apiCase {
	out := apiCase{ID: c.ID, ChildID: c.ChildID, Title: c.Title, Status: c.Status, Determination: c.Determination,
		DeterminationApproved: c.DeterminationID != 0, AssignedTo: c.AssignedTo, AgencyID: c.AgencyID, State: c.State,
		ReportIDs: c.ReportIDs, OpenedAt: c.OpenedAt.UTC(), ClosedAt: c.ClosedAt, MergedInto: c.MergedInto}
	if out.ReportIDs == nil {
		out.ReportIDs = []int64{}
	}
	return out
}

func caseDetailOut(v *haven.CaseView, now time.Time) apiCaseDetail {
	out := apiCaseDetail{apiCase: caseOut(v.Case), HiddenReports: v.HiddenReports, Notes: []apiCaseNote{}, Tasks: []apiCaseTask{},
		Determinations: []apiDetermination{}, Attachments: []apiAttachment{}, Timeline: []apiTimelineEntry{}, Merged: v.Merged}
	if out.Merged == nil {
		out.Merged = []int64{}
	}
	for _, n := range v.Notes {
		out.Notes = append(out.Notes, apiCaseNote{ID: n.ID, Body: n.Body, Shareable: n.Shareable, CreatedBy: n.CreatedBy, CreatedAt: n.CreatedAt.UTC()})
	}
	for _, t := range v.Tasks {
		out.Tasks = append(out.Tasks, apiCaseTask{ID: t.ID, Title: t.Title, OwnerID: t.OwnerID, DueAt: t.DueAt, DoneAt: t.DoneAt,
			Overdue: t.Overdue(now), CreatedBy: t.CreatedBy, CreatedAt: t.CreatedAt.UTC()})
	}
	for _, d := range v.Determinations {
		ind := d.Indicators
		if ind == nil {
			ind = []string{}
		}
		out.Determinations = append(out.Determinations, apiDetermination{ID: d.ID, Determination: d.Determination, Rationale: d.Rationale,
			Indicators: ind, State: d.State, RecordedBy: d.RecordedBy, RecordedAt: d.RecordedAt.UTC(), DecidedBy: d.DecidedBy,
			DecidedAt: d.DecidedAt, DecisionReason: d.DecisionReason})
	}
	for _, a := range v.Attachments {
		out.Attachments = append(out.Attachments, attachmentOf(a))
	}
	for _, e := range v.Timeline {
		out.Timeline = append(out.Timeline, apiTimelineEntry{At: e.At.UTC(), Kind: e.Kind, Summary: e.Summary, Actor: e.Actor,
			RecordKind: e.RecordKind, RecordID: e.RecordID, Body: e.Body})
	}
	return out
}

// apiCases lists the cases the token's user may see (?status=, ?assignee=).
func (s *Server) apiCases(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	f, err := caseFilterOf(a, r.URL.Query().Get("status"), r.URL.Query().Get("assignee"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindCase, "see cases"); err != nil {
		s.apiError(w, r, err)
		return
	}
	f.Limit, f.Offset = limit, offset
	cs, err := s.svc.ListCases(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiCaseList{Cases: make([]apiCase, 0, len(cs)), Limit: limit, Offset: offset}
	for _, c := range cs {
		out.Cases = append(out.Cases, caseOut(c))
	}
	writeJSON(w, http.StatusOK, out)
}

// answerCase answers with the case as it is now (an audited view).
func (s *Server) answerCase(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, reason string) {
	v, err := s.svc.CaseDetail(r.Context(), a, id, reason)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if status == http.StatusCreated {
		w.Header().Set("Location", "/api/v1/cases/"+strconv.FormatInt(id, 10))
	}
	writeJSON(w, status, caseDetailOut(v, s.serviceNow()))
}

// apiCaseGet returns one case; the view is audited with ?reason=.
func (s *Server) apiCaseGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a case")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.answerCase(w, r, a, id, http.StatusOK, r.URL.Query().Get("reason"))
}

// apiCaseCreate opens a case from a report.
func (s *Server) apiCaseCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var body apiCaseInput
	raw, ok := s.readJSON(w, r, &body, "a case", false)
	if !ok {
		return
	}
	c, replayed, err := s.svc.OpenCaseFromReportOnce(r.Context(), a, requestOnce(r, raw),
		haven.OpenCase{ReportID: body.ReportID, ChildID: body.ChildID, Mention: body.MentionID, Title: body.Title})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.answerCase(w, r, a, c.ID, createdStatus(replayed), "case opened")
}

// apiCaseDo is a case action through the API: read the body into v, act,
// answer with the case.
func apiCaseDo[T any](s *Server, what string, do func(r *http.Request, a haven.Actor, o haven.Once, id int64, body *T) error) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, err := apiPathID(r, "a case")
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		var body T
		raw, ok := s.readJSON(w, r, &body, what, false)
		if !ok {
			return
		}
		if err := do(r, a, requestOnce(r, raw), id, &body); err != nil {
			s.apiError(w, r, err)
			return
		}
		s.answerCase(w, r, a, id, http.StatusOK, "after "+what)
	}
}

// apiPathInt reads a further id of the path.
func apiPathInt(r *http.Request, name, what string) (int64, error) {
	id, ok := pathInt(r, name)
	if !ok {
		return 0, haven.Errorf(haven.ENOTFOUND, "No such %s.", what)
	}
	return id, nil
}

func (s *Server) apiCaseRoutes() map[string]apiHandler {
	return map[string]apiHandler{
		"POST /api/v1/cases/{id}/reports": apiCaseDo(s, "a report to add", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseReportInput) error {
			return s.svc.AddCaseReport(r.Context(), a, id, b.ReportID, b.Ref)
		}),
		"POST /api/v1/cases/{id}/status": apiCaseDo(s, "a status", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseStatusInput) error {
			_, err := s.svc.SetCaseStatus(r.Context(), a, id, b.Status, b.Reason)
			return err
		}),
		"POST /api/v1/cases/{id}/assignee": apiCaseDo(s, "an assignee", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseAssigneeInput) error {
			_, err := s.svc.AssignCase(r.Context(), a, id, b.UserID)
			return err
		}),
		"POST /api/v1/cases/{id}/notes": apiCaseDo(s, "a note", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseNoteInput) error {
			_, _, err := s.svc.AddCaseNoteOnce(r.Context(), a, o, id, b.Body, b.Shareable)
			return err
		}),
		"POST /api/v1/cases/{id}/tasks": apiCaseDo(s, "a task", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseTaskInput) error {
			due, err := apiTime("due_at", b.DueAt)
			if err != nil {
				return err
			}
			_, _, err = s.svc.AddCaseTaskOnce(r.Context(), a, o, id, b.Title, b.OwnerID, due)
			return renameField(err, fieldMap(map[string]string{"owner": "owner_id"}))
		}),
		"POST /api/v1/cases/{id}/tasks/{taskID}": apiCaseDo(s, "a task's state", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiCaseTaskDoneInput) error {
			taskID, err := apiPathInt(r, "taskID", "task")
			if err == nil {
				_, err = s.svc.SetCaseTaskDone(r.Context(), a, id, taskID, b.Done)
			}
			return err
		}),
		"POST /api/v1/cases/{id}/determinations": apiCaseDo(s, "a determination", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiDeterminationInput) error {
			_, err := s.svc.RecordDetermination(r.Context(), a, id, b.Determination, b.Rationale, b.Indicators)
			return err
		}),
		"POST /api/v1/cases/{id}/determinations/{detID}/approve": apiCaseDo(s, "an approval", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *struct{}) error {
			detID, err := apiPathInt(r, "detID", "determination")
			if err == nil {
				_, err = s.svc.ApproveDetermination(r.Context(), a, id, detID)
			}
			return err
		}),
		"POST /api/v1/cases/{id}/determinations/{detID}/return": apiCaseDo(s, "a return", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiReasonInput) error {
			detID, err := apiPathInt(r, "detID", "determination")
			if err == nil {
				_, err = s.svc.ReturnDetermination(r.Context(), a, id, detID, b.Reason)
			}
			return err
		}),
		"POST /api/v1/cases/{id}/merge": apiCaseDo(s, "a merge", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiMergeInput) error {
			_, err := s.svc.MergeCases(r.Context(), a, id, b.AbsorbedID, b.Reason)
			return err
		}),
		"POST /api/v1/cases/{id}/split": apiCaseDo(s, "a split", func(r *http.Request, a haven.Actor, o haven.Once, id int64, b *apiReasonInput) error {
			_, err := s.svc.SplitCase(r.Context(), a, id, b.Reason)
			return err
		}),
	}
}

// apiCaseAttachment sends a file of one of the case's reports; ?reason= is
// required and audited (attachment.reveal).
func (s *Server) apiCaseAttachment(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a case")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	attID, err := apiPathInt(r, "attID", "file")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	att, rc, err := s.svc.RevealCaseAttachment(r.Context(), a, id, attID, r.URL.Query().Get("reason"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	defer rc.Close()
	s.sendAttachment(w, r, att, rc)
}

// apiDeterminationStats counts the approved determinations of the cases
// the token's user may see (?state=, ?child_sex=); pending and returned
// ones never count.
func (s *Server) apiDeterminationStats(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	f := haven.DeterminationCountFilter{State: q.Get("state"), ChildSex: haven.Sex(q.Get("child_sex"))}
	n, err := s.svc.CountDeterminations(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiDeterminationCounts{Yes: n[haven.DeterminationYes], No: n[haven.DeterminationNo], Undetermined: n[haven.DeterminationUndetermined]})
}
