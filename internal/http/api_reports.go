package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// API list limits.
const (
	apiDefaultLimit = 50
	apiMaxLimit     = 200
)

// apiReport is a report in API lists: what identifies and routes it, never
// its narrative or the people in it (opening a report, which is audited,
// shows those).
type apiReport struct {
	ID              int64              `json:"id"`
	Ref             string             `json:"ref"`
	Channel         haven.Channel      `json:"channel"`
	IncidentType    haven.IncidentType `json:"incident_type"`
	MissingType     haven.MissingType  `json:"missing_type,omitempty"`
	MissingFromCare bool               `json:"missing_from_care"`
	Priority        haven.Priority     `json:"priority"`
	Status          haven.ReportStatus `json:"status"`
	State           string             `json:"state,omitempty"`
	AgencyID        *int64             `json:"agency_id"`
	AssignedTo      *int64             `json:"assigned_to"`
	ReceivedAt      time.Time          `json:"received_at"`
}

// apiReportsResponse is the body of GET /api/v1/reports.
type apiReportsResponse struct {
	Reports []apiReport `json:"reports"`
	Limit   int         `json:"limit"`
	Offset  int         `json:"offset"`
}

// apiReports lists the reports the token's user may see, newest first
// (?limit=, at most 200, and ?offset=). The service scopes the list.
func (s *Server) apiReports(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rs, err := s.svc.ListReports(r.Context(), a, haven.ReportFilter{Limit: limit, Offset: offset})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := apiReportsResponse{Reports: make([]apiReport, 0, len(rs)), Limit: limit, Offset: offset}
	for _, rep := range rs {
		resp.Reports = append(resp.Reports, summary(rep))
	}
	writeJSON(w, http.StatusOK, resp)
}

// pageParams reads ?limit= and ?offset= (EINVALID when malformed).
func pageParams(r *http.Request, def, max int) (limit, offset int, err error) {
	q := r.URL.Query()
	limit = def
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > max {
			return 0, 0, haven.FieldError("limit", "limit is a whole number from 1 to %d", max)
		}
		limit = n
	}
	if v := q.Get("offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return 0, 0, haven.FieldError("offset", "offset is a whole number from 0")
		}
		offset = n
	}
	return limit, offset, nil
}

// nonZero returns nil for 0 (JSON null: "none") and &id otherwise.
func nonZero(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}
