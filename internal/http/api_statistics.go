package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The figures of the portal's statistics page and of the supervisor's map,
// in the JSON API: GET /api/v1/referral-statistics (the referrals the
// token's user may see, an agency's staff their agency's) and GET
// /api/v1/report-statistics/states (reports received in the last ?days=
// days, 30 by default, by state).

type apiReferralStats struct {
	Total                    int            `json:"total"`
	Acknowledged             int            `json:"acknowledged"`
	MedianAcknowledgeSeconds int64          `json:"median_acknowledge_seconds"`
	ByState                  map[string]int `json:"by_state"`
	ByOutcome                map[string]int `json:"by_outcome"`
}

func (s *Server) apiReferralStatistics(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var agency int64
	if v := r.URL.Query().Get("agency_id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			s.apiError(w, r, haven.FieldError("agency_id", "agency_id is an agency's id"))
			return
		}
		agency = n
	}
	st, err := s.svc.ReferralStatistics(r.Context(), a, agency)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiReferralStats{Total: st.Total, Acknowledged: st.Acknowledged, MedianAcknowledgeSeconds: int64(st.MedianAcknowledge / time.Second),
		ByState: map[string]int{}, ByOutcome: map[string]int{}}
	for _, state := range haven.ReferralStates {
		out.ByState[string(state)] = st.ByState[state]
	}
	for _, o := range haven.ReferralOutcomeKinds {
		out.ByOutcome[string(o)] = st.ByOutcome[o]
	}
	writeJSON(w, http.StatusOK, out)
}

type apiStateCounts struct {
	Since  time.Time      `json:"since"`
	States map[string]int `json:"states"`
}

// maxStatDays bounds ?days= of the report statistics.
const maxStatDays = 3660

func (s *Server) apiReportsByState(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	days := mapDays
	if v := r.URL.Query().Get("days"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxStatDays {
			s.apiError(w, r, haven.FieldError("days", "days is a number of days from 1 to %d", maxStatDays))
			return
		}
		days = n
	}
	since := s.svc.Now().AddDate(0, 0, -days).UTC()
	n, err := s.svc.ReportsByState(r.Context(), a, since)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if n == nil {
		n = map[string]int{}
	}
	writeJSON(w, http.StatusOK, apiStateCounts{Since: since, States: n})
}
