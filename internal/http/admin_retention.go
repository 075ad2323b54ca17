package http

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// The retention settings page (administrators) and the legal holds page
// (administrators and supervisors); docs/retention.md says what they do.

// retentionData is what the retention page shows.
type retentionData struct {
	Rules             []haven.RetentionRule
	Channel, Days     string // the form as sent, kept on error
	Error, ErrorField string
	Saved             bool
	EspMinimum        int
	IdempotencyHours  int
}

// adminRetention shows the days each channel's closed reports are kept,
// with a form to change one.
func (s *Server) adminRetention(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.renderRetention(w, r, a, http.StatusOK, retentionData{Saved: r.URL.Query().Get("saved") != ""})
}

func (s *Server) renderRetention(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d retentionData) {
	rules, err := s.svc.RetentionPolicy(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Rules, d.EspMinimum, d.IdempotencyHours = rules, haven.EspMinimumRetentionDays, int(haven.IdempotencyWindow.Hours())
	s.render(w, r, status, "admin_retention", &a, d)
}

// adminRetentionSave sets one channel's days; a refused number is shown
// next to the field and nothing changes.
func (s *Server) adminRetentionSave(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	ch, daysText := r.PostForm.Get("channel"), strings.TrimSpace(r.PostForm.Get("days"))
	days, err := strconv.Atoi(daysText)
	if err != nil {
		err = haven.FieldError("days", "Days is a whole number, such as 2557 for seven years.")
	} else {
		err = s.svc.SetRetentionDays(r.Context(), a, haven.Channel(ch), days)
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		d := retentionData{Channel: ch, Days: daysText}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderRetention(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/retention?saved=1", http.StatusSeeOther)
}

// legalHoldsData is what the legal holds page shows.
type legalHoldsData struct {
	Holds             []*haven.LegalHold
	Kinds             []haven.HoldKind
	Form              haven.HoldInput // kept on error
	TargetText        string
	Error, ErrorField string
	ReleaseError      string
	ReleaseID         int64
}

// adminLegalHolds lists the holds, open ones first, with the form to place
// one and, on each open hold, a form to release it.
func (s *Server) adminLegalHolds(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.renderLegalHolds(w, r, a, http.StatusOK, legalHoldsData{})
}

func (s *Server) renderLegalHolds(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d legalHoldsData) {
	hs, err := s.svc.LegalHolds(r.Context(), a, haven.LegalHoldFilter{})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	open, released := []*haven.LegalHold{}, []*haven.LegalHold{}
	for _, h := range hs {
		if h.Open() {
			open = append(open, h)
		} else {
			released = append(released, h)
		}
	}
	d.Holds, d.Kinds = append(open, released...), haven.HoldKinds
	s.render(w, r, status, "admin_legal_holds", &a, d)
}

// adminLegalHoldPlace places a hold from the form.
func (s *Server) adminLegalHoldPlace(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	in := haven.HoldInput{Kind: haven.HoldKind(r.PostForm.Get("kind")), Reason: r.PostForm.Get("reason"), Reference: r.PostForm.Get("reference")}
	target := strings.TrimSpace(r.PostForm.Get("target_id"))
	var err error
	if in.TargetID, err = strconv.ParseInt(target, 10, 64); err != nil || in.TargetID <= 0 {
		err = haven.FieldError("target_id", "The record's number is a whole number, as on its page (for example 42).")
	} else {
		_, err = s.svc.PlaceLegalHold(r.Context(), a, in)
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		d := legalHoldsData{Form: in, TargetText: target}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderLegalHolds(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/legal-holds", http.StatusSeeOther)
}

// adminLegalHoldRelease releases a hold, with a reason.
func (s *Server) adminLegalHoldRelease(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.pageError(w, r, haven.Errorf(haven.ENOTFOUND, "No such legal hold."))
		return
	}
	if !s.readForm(w, r) {
		return
	}
	err := s.svc.ReleaseLegalHold(r.Context(), a, id, r.PostForm.Get("reason"))
	if c := haven.ErrorCode(err); c == haven.EINVALID || c == haven.ECONFLICT {
		d := legalHoldsData{ReleaseID: id}
		d.ReleaseError, _ = s.fieldProblem(r, err)
		s.renderLegalHolds(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/admin/legal-holds", http.StatusSeeOther)
}
