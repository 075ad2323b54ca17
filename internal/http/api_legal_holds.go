package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Legal holds over the JSON API (administrators' and supervisors' tokens):
// list, place (idempotent with an Idempotency-Key) and release.

// apiLegalHold is a hold as the API returns it.
type apiLegalHold struct {
	ID            int64          `json:"id"`
	Kind          haven.HoldKind `json:"kind"`
	TargetID      int64          `json:"target_id"`
	Reason        string         `json:"reason"`
	Reference     string         `json:"reference"`
	PlacedBy      int64          `json:"placed_by"`
	PlacedAt      time.Time      `json:"placed_at"`
	Open          bool           `json:"open"`
	ReleasedBy    int64          `json:"released_by,omitempty"`
	ReleasedAt    *time.Time     `json:"released_at,omitempty"`
	ReleaseReason string         `json:"release_reason,omitempty"`
}

func apiLegalHoldOf(h *haven.LegalHold) apiLegalHold {
	return apiLegalHold{ID: h.ID, Kind: h.Kind, TargetID: h.TargetID, Reason: h.Reason, Reference: h.Reference,
		PlacedBy: h.PlacedBy, PlacedAt: h.PlacedAt, Open: h.Open(), ReleasedBy: h.ReleasedBy, ReleasedAt: h.ReleasedAt,
		ReleaseReason: h.ReleaseReason}
}

// apiLegalHolds lists holds, newest first; ?open=true leaves released ones
// out, ?kind= and ?target_id= name a record.
func (s *Server) apiLegalHolds(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	f := haven.LegalHoldFilter{OpenOnly: q.Get("open") == "true", Kind: haven.HoldKind(q.Get("kind"))}
	if t := q.Get("target_id"); t != "" {
		id, err := strconv.ParseInt(t, 10, 64)
		if f.TargetID = id; err != nil || id <= 0 {
			s.apiError(w, r, haven.FieldError("target_id", "target_id is a record's number, a whole number above 0"))
			return
		}
	}
	hs, err := s.svc.LegalHolds(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := struct {
		Holds []apiLegalHold `json:"holds"`
	}{Holds: []apiLegalHold{}}
	for _, h := range hs {
		out.Holds = append(out.Holds, apiLegalHoldOf(h))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiLegalHoldCreate places a hold: 201 with the hold, or 200 with the
// first one for a retry with the same Idempotency-Key.
func (s *Server) apiLegalHoldCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var in struct {
		Kind      haven.HoldKind `json:"kind"`
		TargetID  int64          `json:"target_id"`
		Reason    string         `json:"reason"`
		Reference string         `json:"reference"`
	}
	raw, ok := s.readJSON(w, r, &in, "a legal hold", false)
	if !ok {
		return
	}
	h, replayed, err := s.svc.PlaceLegalHoldOnce(r.Context(), a, requestOnce(r, raw),
		haven.HoldInput{Kind: in.Kind, TargetID: in.TargetID, Reason: in.Reason, Reference: in.Reference})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	status := http.StatusCreated
	if replayed {
		status = http.StatusOK
	}
	writeJSON(w, status, apiLegalHoldOf(h))
}

// apiLegalHoldRelease releases a hold with a reason; a hold released
// already is 409.
func (s *Server) apiLegalHoldRelease(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.apiError(w, r, haven.Errorf(haven.ENOTFOUND, "No such legal hold."))
		return
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if _, ok := s.readJSON(w, r, &in, "a release", false); !ok {
		return
	}
	if err := s.svc.ReleaseLegalHold(r.Context(), a, id, in.Reason); err != nil {
		s.apiError(w, r, err)
		return
	}
	h, err := s.svc.LegalHold(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiLegalHoldOf(h))
}
