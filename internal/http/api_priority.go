package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// A report's triage in the JSON API: part of GET /api/v1/reports/{id}, and
// POST /api/v1/reports/{id}/priority for a supervisor's override (the same
// service method, rules and audit as the report page's form).

// apiTriage is a report's triage as the API shows it.
type apiTriage struct {
	// Priority is the effective priority: the override's when set, else
	// the rules'.
	Priority      haven.Priority  `json:"priority"`
	RulesPriority *haven.Priority `json:"rules_priority"` // null before the first triage
	Version       string          `json:"version"`
	TriagedAt     *time.Time      `json:"triaged_at"`
	DueAt         *time.Time      `json:"due_at"`
	Overdue       bool            `json:"overdue"`
	Rules         []apiFiredRule  `json:"rules"`
	Override      *apiOverride    `json:"override"`
}

type apiFiredRule struct {
	Rule       string         `json:"rule"`
	Priority   haven.Priority `json:"priority"`
	DueSeconds int64          `json:"due_seconds"`
	Label      string         `json:"label"`
	LabelES    string         `json:"label_es"`
	Evidence   []string       `json:"evidence"`
}

type apiOverride struct {
	Priority   haven.Priority `json:"priority"`
	Reason     string         `json:"reason"`
	By         *int64         `json:"by"`
	ByUsername string         `json:"by_username"`
	At         time.Time      `json:"at"`
}

// apiPriorityInput is the body of POST /api/v1/reports/{id}/priority.
type apiPriorityInput struct {
	Priority int    `json:"priority"`
	Reason   string `json:"reason"`
}

func triageOf(rep *haven.Report, now time.Time) *apiTriage {
	out := &apiTriage{Priority: rep.Priority, DueAt: rep.DueAt, Overdue: rep.Overdue(now), Rules: []apiFiredRule{}}
	if t := rep.Triage; t != nil {
		p, at := t.Priority, t.At.UTC()
		out.RulesPriority, out.Version, out.TriagedAt = &p, t.Version, &at
		for _, f := range t.Fired {
			ev := f.Evidence
			if ev == nil {
				ev = []string{}
			}
			out.Rules = append(out.Rules, apiFiredRule{Rule: f.Rule, Priority: f.Priority, DueSeconds: int64(f.Due / time.Second),
				Label: f.LabelEN, LabelES: f.LabelES, Evidence: ev})
		}
	}
	if o := rep.Override; o != nil {
		out.Override = &apiOverride{Priority: o.Priority, Reason: o.Reason, By: nonZero(o.By), ByUsername: o.ByName, At: o.At.UTC()}
	}
	return out
}

// apiReportPriority records a supervisor's override of a report's priority
// and answers with the report's triage.
func (s *Server) apiReportPriority(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id < 1 {
		s.apiError(w, r, haven.FieldError("id", "a report id is a positive whole number"))
		return
	}
	var in apiPriorityInput
	if _, ok := s.readJSON(w, r, &in, "a priority and a reason", false); !ok {
		return
	}
	rep, err := s.svc.OverridePriority(r.Context(), a, id, haven.Priority(in.Priority), in.Reason)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, triageOf(rep, s.serviceNow()))
}
