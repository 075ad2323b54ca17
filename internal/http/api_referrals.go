package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Referrals through the JSON API, with exactly the authorisation of the
// pages (the same service methods): POST /api/v1/reports/{id}/referrals,
// GET /api/v1/referrals (scoped: an agency's officers see their agency's),
// GET /api/v1/referrals/{id} (the frozen package and the history; the
// first open by the agency marks it received), GET
// /api/v1/referrals/{id}/pdf, and the actions acknowledge, outcome,
// info-requests, info-answers and transfer. A referral the caller may not
// open is 404, like one that does not exist. Writes that may be retried
// take an Idempotency-Key.

// apiReferralCreateInput is the body of POST /api/v1/reports/{id}/referrals.
type apiReferralCreateInput struct {
	AgencyIDs []int64 `json:"agency_ids"`
	Note      string  `json:"note"`
}

// apiReferral is a referral as the API returns it.
type apiReferral struct {
	ID              int64                     `json:"id"`
	ReportID        int64                     `json:"report_id"`
	ReportRef       string                    `json:"report_ref"`
	CaseID          int64                     `json:"case_id"`
	AgencyID        int64                     `json:"agency_id"`
	AgencyName      string                    `json:"agency_name"`
	State           haven.ReferralState       `json:"state"`
	Outcome         haven.ReferralOutcomeKind `json:"outcome"`
	OutcomeNote     string                    `json:"outcome_note"`
	Note            string                    `json:"note"`
	SentBy          int64                     `json:"sent_by"`
	SentByName      string                    `json:"sent_by_name"`
	SentAt          time.Time                 `json:"sent_at"`
	ReceivedAt      *time.Time                `json:"received_at"`
	AcknowledgedAt  *time.Time                `json:"acknowledged_at"`
	OutcomeAt       *time.Time                `json:"outcome_at"`
	EscalatedAt     *time.Time                `json:"escalated_at"`
	TransferredTo   int64                     `json:"transferred_to"`
	TransferredFrom int64                     `json:"transferred_from"`
	PDF             string                    `json:"pdf"`
	// Package and History come with one referral, not in lists.
	Package     *haven.ReferralPackage `json:"package,omitempty"`
	History     []apiReferralEvent     `json:"history,omitempty"`
	InfoPending *bool                  `json:"info_pending,omitempty"`
}

// apiReferralEvent is one entry of a referral's history.
type apiReferralEvent struct {
	Kind    haven.ReferralEventKind `json:"kind"`
	At      time.Time               `json:"at"`
	Actor   string                  `json:"actor"`
	Message string                  `json:"message"`
}

func apiReferralOf(r *haven.Referral) apiReferral {
	return apiReferral{ID: r.ID, ReportID: r.ReportID, ReportRef: r.ReportRef, CaseID: r.CaseID, AgencyID: r.AgencyID,
		AgencyName: r.AgencyName, State: r.State, Outcome: r.Outcome, OutcomeNote: r.OutcomeNote, Note: r.Note,
		SentBy: r.SentBy, SentByName: r.SentByName, SentAt: r.SentAt.UTC(), ReceivedAt: r.ReceivedAt,
		AcknowledgedAt: r.AcknowledgedAt, OutcomeAt: r.OutcomeAt, EscalatedAt: r.EscalatedAt,
		TransferredTo: r.TransferredTo, TransferredFrom: r.TransferredFrom,
		PDF: "/api/v1/referrals/" + strconv.FormatInt(r.ID, 10) + "/pdf"}
}

func apiReferralViewOf(v *haven.ReferralView) apiReferral {
	out := apiReferralOf(v.Referral)
	p := v.Referral.Package
	if p.Identifiers == nil {
		p.Identifiers = []string{}
	}
	if p.Report.Places == nil {
		p.Report.Places = []string{}
	}
	if p.Linked == nil {
		p.Linked = []haven.PackageLink{}
	}
	for i := range p.Linked {
		if p.Linked[i].Identifiers == nil {
			p.Linked[i].Identifiers = []string{}
		}
	}
	if p.Attachments == nil {
		p.Attachments = []haven.PackageAttachment{}
	}
	if p.Notes == nil {
		p.Notes = []haven.PackageNote{}
	}
	out.Package = &p
	out.History = []apiReferralEvent{}
	for _, e := range v.Events {
		out.History = append(out.History, apiReferralEvent{Kind: e.Kind, At: e.At.UTC(), Actor: e.Actor, Message: e.Message})
	}
	pending := v.InfoPending
	out.InfoPending = &pending
	return out
}

// apiReferralsResponse is the body of GET /api/v1/referrals.
type apiReferralsResponse struct {
	Referrals []apiReferral `json:"referrals"`
	Total     int           `json:"total"`
	Limit     int           `json:"limit"`
	Offset    int           `json:"offset"`
}

// apiReferralCreate refers a report to agencies (201; a retry with the
// same Idempotency-Key answers 200 with the same referrals).
func (s *Server) apiReferralCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a report's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiReferralCreateInput
	raw, ok := s.readJSON(w, r, &in, "a referral", false)
	if !ok {
		return
	}
	rs, replayed, err := s.svc.CreateReferralsOnce(r.Context(), a, requestOnce(r, raw), id, in.AgencyIDs, in.Note)
	if err != nil {
		s.apiError(w, r, renameField(err, fieldMap(map[string]string{"agency_id": "agency_ids"})))
		return
	}
	out := apiReferralsResponse{Referrals: []apiReferral{}, Total: len(rs)}
	for _, ref := range rs {
		out.Referrals = append(out.Referrals, apiReferralOf(ref))
	}
	writeCreated(w, "/api/v1/referrals?report_id="+strconv.FormatInt(id, 10), replayed, out)
}

// apiReferrals lists the referrals the caller may see (?state=,
// ?agency_id=, ?report_id=, ?limit=, ?offset=).
func (s *Server) apiReferrals(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := haven.ReferralFilter{State: haven.ReferralState(q.Get("state")), Limit: limit, Offset: offset}
	for name, p := range map[string]*int64{"agency_id": &f.AgencyID, "report_id": &f.ReportID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				s.apiError(w, r, haven.FieldError(name, "%s is a positive whole number", name))
				return
			}
			*p = n
		}
	}
	rs, total, err := s.svc.ListReferrals(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiReferralsResponse{Referrals: []apiReferral{}, Total: total, Limit: limit, Offset: offset}
	for _, ref := range rs {
		out.Referrals = append(out.Referrals, apiReferralOf(ref))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiReferralGet opens a referral with its package and history (audited).
func (s *Server) apiReferralGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	v, err := s.svc.GetReferral(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiReferralViewOf(v))
}

// apiReferralPDF downloads the package as a PDF watermarked for the
// token's user (audited as an export).
func (s *Server) apiReferralPDF(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	x, err := s.svc.ExportReferral(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeReferralPDF(w, r, x)
}

// apiReferralAcknowledge acknowledges the referral.
func (s *Server) apiReferralAcknowledge(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ref, _, err := s.svc.AcknowledgeReferralOnce(r.Context(), a, requestOnce(r, nil), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiReferralOf(ref))
}

// apiReferralOutcomeInput is the body of POST /api/v1/referrals/{id}/outcome.
type apiReferralOutcomeInput struct {
	Outcome haven.ReferralOutcomeKind `json:"outcome"`
	Note    string                    `json:"note"`
}

// apiReferralOutcome records the referral's outcome.
func (s *Server) apiReferralOutcome(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiReferralOutcomeInput
	raw, ok := s.readJSON(w, r, &in, "an outcome", false)
	if !ok {
		return
	}
	ref, _, err := s.svc.RecordReferralOutcomeOnce(r.Context(), a, requestOnce(r, raw), id, in.Outcome, in.Note)
	if err != nil {
		s.apiError(w, r, renameField(err, fieldMap(map[string]string{"outcome_note": "note"})))
		return
	}
	writeJSON(w, http.StatusOK, apiReferralOf(ref))
}

// apiReferralMessageInput is the body of the info-requests and
// info-answers actions.
type apiReferralMessageInput struct {
	Message string `json:"message"`
}

// apiReferralInfoRequest asks the sending analyst for more information.
func (s *Server) apiReferralInfoRequest(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiReferralMessage(w, r, a, s.svc.RequestReferralInfoOnce)
}

// apiReferralInfoAnswer answers the agency's open question.
func (s *Server) apiReferralInfoAnswer(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiReferralMessage(w, r, a, s.svc.AnswerReferralInfoOnce)
}

func (s *Server) apiReferralMessage(w http.ResponseWriter, r *http.Request, a haven.Actor,
	do func(ctx context.Context, a haven.Actor, o haven.Once, id int64, message string) (*haven.Referral, bool, error)) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiReferralMessageInput
	raw, ok := s.readJSON(w, r, &in, "a message", false)
	if !ok {
		return
	}
	ref, replayed, err := do(r.Context(), a, requestOnce(r, raw), id, in.Message)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/referrals/"+strconv.FormatInt(ref.ID, 10), replayed, apiReferralOf(ref))
}

// apiReferralTransferInput is the body of POST /api/v1/referrals/{id}/transfer.
type apiReferralTransferInput struct {
	AgencyID int64  `json:"agency_id"`
	Note     string `json:"note"`
}

// apiReferralTransfer transfers the referral to another agency and returns
// the new referral (201).
func (s *Server) apiReferralTransfer(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a referral's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiReferralTransferInput
	raw, ok := s.readJSON(w, r, &in, "a transfer", false)
	if !ok {
		return
	}
	ref, replayed, err := s.svc.TransferReferralOnce(r.Context(), a, requestOnce(r, raw), id, in.AgencyID, in.Note)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/referrals/"+strconv.FormatInt(ref.ID, 10), replayed, apiReferralOf(ref))
}
