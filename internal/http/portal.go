package http

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/productpdf"
)

// The law-enforcement portal (/portal): an agency's officers see their own
// agency's referrals, newest first (filter by state), open one with its
// frozen package and history, download it as a watermarked PDF
// (/portal/referrals/{id}.pdf), acknowledge it, ask the analyst for more
// information, transfer it to another agency and record its outcome; they
// see their agency's analytical products (/analysis, scoped there) and
// their agency's referral statistics (/portal/statistics). The service
// decides and audits everything: a referral of another agency answers 404,
// exactly like one that does not exist.

// portalUser reports whether the actor is an agency's staff member who
// receives referrals (the portal's users).
func portalUser(a haven.Actor) bool {
	return a.AgencyID != 0 && slices.Contains(haven.ReferralRoles, a.Role)
}

// portalHome lists the agency's referrals. The clearinghouse's staff are
// sent to their own list.
func (s *Server) portalHome(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !portalUser(a) && haven.CanKind(a, haven.ActionCreate, haven.KindReferral) {
		http.Redirect(w, r, "/referrals", http.StatusSeeOther)
		return
	}
	state := r.URL.Query().Get("state")
	rs, total, err := s.svc.ListReferrals(r.Context(), a, haven.ReferralFilter{State: haven.ReferralState(state), Limit: referralListLimit})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := referralsListData{Rows: referralRows(rs, "/portal/referrals/"), Total: total, States: referralStateOptions(state),
		Base: "/portal", Portal: true}
	s.render(w, r, http.StatusOK, "referrals", &a, d)
}

// referralPageData is what a referral's page shows.
type referralPageData struct {
	R                         *haven.Referral
	P                         haven.ReferralPackage
	Base, PDFHref, ReportHref string
	State, Outcome, Sent      string
	Received, Acknowledged    string
	OutcomeAt, Escalated      string
	TransferredTo             string
	TransferredFrom           string
	Events                    []referralEventRow
	Attachments               []packageAttachmentRow
	InfoPending               bool
	CanAct, CanAcknowledge    bool
	CanOutcome, CanAnswer     bool
	Outcomes, Agencies        []option
	Done, Problem             string
}

type referralEventRow struct {
	At, AtISO, Kind, Actor, Message string
}

type packageAttachmentRow struct {
	FileName, Type, Size, SHA256, MD5 string
}

var referralDone = map[string]string{
	"acknowledged": "The referral is acknowledged.",
	"outcome":      "The outcome is recorded.",
	"asked":        "Your question was sent to the analyst.",
	"answered":     "Your answer was sent to the agency.",
	"transferred":  "The referral was transferred; it is now with the other agency.",
}

// portalReferral serves /portal/referrals/{file} (and /referrals/{file}):
// the referral's page for {id}, its PDF for {id}.pdf.
func (s *Server) portalReferral(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, pdf, ok := fileID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if pdf {
		x, err := s.svc.ExportReferral(r.Context(), a, id)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		s.writeReferralPDF(w, r, x)
		return
	}
	q := r.URL.Query()
	s.renderReferral(w, r, a, id, http.StatusOK, referralDone[q.Get("done")], "")
}

// writeReferralPDF sends the watermarked PDF as a download.
func (s *Server) writeReferralPDF(w http.ResponseWriter, r *http.Request, x *haven.ReferralExport) {
	b, err := productpdf.RenderReferral(x, true)
	s.sendPDF(w, r, b, err, "referral-"+strconv.FormatInt(x.View.Referral.ID, 10)+".pdf")
}

func (s *Server) renderReferral(w http.ResponseWriter, r *http.Request, a haven.Actor, id int64, status int, done, problem string) {
	v, err := s.svc.GetReferral(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ref := v.Referral
	base := referralBase(a)
	sid := strconv.FormatInt(ref.ID, 10)
	d := referralPageData{R: ref, P: ref.Package, Base: base, PDFHref: base + sid + ".pdf", State: ref.State.Label(),
		Outcome: ref.Outcome.Label(), Sent: showMinute(ref.SentAt), InfoPending: v.InfoPending, Done: done, Problem: problem}
	if haven.CanKind(a, haven.ActionCreate, haven.KindReferral) {
		d.ReportHref = "/reports/" + strconv.FormatInt(ref.ReportID, 10)
	}
	at := func(t *time.Time) string {
		if t == nil {
			return ""
		}
		return showMinute(*t)
	}
	d.Received, d.Acknowledged, d.OutcomeAt, d.Escalated = at(ref.ReceivedAt), at(ref.AcknowledgedAt), at(ref.OutcomeAt), at(ref.EscalatedAt)
	if ref.TransferredTo != 0 {
		d.TransferredTo = base + strconv.FormatInt(ref.TransferredTo, 10)
	}
	if ref.TransferredFrom != 0 && !portalUser(a) {
		d.TransferredFrom = base + strconv.FormatInt(ref.TransferredFrom, 10)
	}
	for _, e := range v.Events {
		d.Events = append(d.Events, referralEventRow{At: showMinute(e.At), AtISO: e.At.UTC().Format(time.RFC3339), Kind: e.Kind.Label(),
			Actor: e.Actor, Message: e.Message})
	}
	for _, f := range ref.Package.Attachments {
		d.Attachments = append(d.Attachments, packageAttachmentRow{FileName: f.FileName, Type: f.ContentType, Size: byteSize(f.Size), SHA256: f.SHA256, MD5: f.MD5})
	}
	res := ref.Resource()
	open := ref.State.Open()
	d.CanAct = open && haven.Can(a, haven.ActionUpdate, res)
	d.CanAcknowledge = d.CanAct && ref.State != haven.ReferralAcknowledged
	d.CanOutcome = d.CanAct && ref.State == haven.ReferralAcknowledged
	d.CanAnswer = v.InfoPending && haven.Can(a, haven.ActionAnswer, res)
	if d.CanOutcome {
		for _, o := range haven.ReferralOutcomes {
			d.Outcomes = append(d.Outcomes, option{Value: string(o), Label: o.Label()})
		}
	}
	if d.CanAct {
		if ags, err := s.svc.ListAgencies(r.Context(), a, haven.AgencyFilter{Status: haven.AgencyActive}); err == nil {
			for _, ag := range ags {
				if ag.ID != ref.AgencyID {
					d.Agencies = append(d.Agencies, option{Value: strconv.FormatInt(ag.ID, 10), Label: ag.Name})
				}
			}
		}
	}
	s.render(w, r, status, "referral", &a, d)
}

// portalAcknowledge acknowledges the referral.
func (s *Server) portalAcknowledge(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.referralAction(w, r, a, "acknowledged", func(id int64) error {
		_, err := s.svc.AcknowledgeReferral(r.Context(), a, id)
		return err
	})
}

// portalOutcome records the referral's outcome.
func (s *Server) portalOutcome(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.referralAction(w, r, a, "outcome", func(id int64) error {
		_, err := s.svc.RecordReferralOutcome(r.Context(), a, id, haven.ReferralOutcomeKind(r.PostForm.Get("outcome")), r.PostForm.Get("outcome_note"))
		return err
	})
}

// portalInfoRequest asks the analyst for more information.
func (s *Server) portalInfoRequest(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.referralAction(w, r, a, "asked", func(id int64) error {
		_, err := s.svc.RequestReferralInfo(r.Context(), a, id, r.PostForm.Get("message"))
		return err
	})
}

// portalTransfer transfers the referral to another agency.
func (s *Server) portalTransfer(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.referralAction(w, r, a, "transferred", func(id int64) error {
		to, err := strconv.ParseInt(strings.TrimSpace(r.PostForm.Get("agency_id")), 10, 64)
		if err != nil || to <= 0 {
			to = 0 // not chosen: the service says so once it has checked who may transfer
		}
		_, err = s.svc.TransferReferral(r.Context(), a, id, to, r.PostForm.Get("note"))
		return err
	})
}

// portalStatsData is the statistics page.
type portalStatsData struct {
	Total, Acknowledged int
	Median              string
	States, Outcomes    []statRow
}

type statRow struct {
	Label string
	Count int
}

// portalStatistics shows the agency's referral counts by state and outcome
// and the median time to acknowledge.
func (s *Server) portalStatistics(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	st, err := s.svc.ReferralStatistics(r.Context(), a, 0)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := portalStatsData{Total: st.Total, Acknowledged: st.Acknowledged, Median: durationText(st.MedianAcknowledge)}
	for _, state := range haven.ReferralStates {
		d.States = append(d.States, statRow{Label: state.Label(), Count: st.ByState[state]})
	}
	for _, o := range haven.ReferralOutcomeKinds {
		d.Outcomes = append(d.Outcomes, statRow{Label: o.Label(), Count: st.ByOutcome[o]})
	}
	s.render(w, r, http.StatusOK, "portal_statistics", &a, d)
}

// durationText writes a duration in hours and minutes ("—" for none).
func durationText(d time.Duration) string {
	if d <= 0 {
		return "—"
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", h, m)
}
