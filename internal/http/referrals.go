package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Referrals, the clearinghouse's side: an analyst refers a report to
// agencies from the report's page (POST /reports/{id}/referrals, agency_id
// repeated, note; the routing panel posts here too), sees the report's
// referrals on its page and every referral at /referrals (filters: state,
// agency, report), opens one at /referrals/{id} (the same page as the
// portal's) and answers an agency's question there (POST
// /referrals/{id}/answers). The agency's side is portal.go.

// referralListLimit is the most referrals one page lists.
const referralListLimit = 200

// referralRow is one referral in a list.
type referralRow struct {
	ID                                      int64
	Href, ReportRef, Agency, State, Outcome string
	Sent, SentISO, SentBy, Acknowledged     string
	Escalated, Open                         bool
}

func newReferralRow(r *haven.Referral, base string) referralRow {
	row := referralRow{ID: r.ID, Href: base + strconv.FormatInt(r.ID, 10), ReportRef: r.ReportRef, Agency: r.AgencyName,
		State: r.State.Label(), Outcome: r.Outcome.Label(), Sent: showMinute(r.SentAt), SentISO: r.SentAt.UTC().Format(time.RFC3339),
		SentBy: r.SentByName, Escalated: r.EscalatedAt != nil && r.State.Open(), Open: r.State.Open()}
	if r.AcknowledgedAt != nil {
		row.Acknowledged = showMinute(*r.AcknowledgedAt)
	}
	return row
}

func referralRows(rs []*haven.Referral, base string) []referralRow {
	var out []referralRow
	for _, r := range rs {
		out = append(out, newReferralRow(r, base))
	}
	return out
}

// referralStateOptions are the state filter's options.
func referralStateOptions(selected string) []option {
	opts := []option{{Value: "", Label: "Any state", Selected: selected == ""}}
	for _, st := range haven.ReferralStates {
		opts = append(opts, option{Value: string(st), Label: st.Label(), Selected: selected == string(st)})
	}
	return opts
}

// reportReferralCreate refers the report to the agencies chosen.
func (s *Server) reportReferralCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	var agencies []int64
	for _, v := range r.PostForm["agency_id"] {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n <= 0 {
			s.pageError(w, r, haven.FieldError("agency_id", "%q is not an agency number", v))
			return
		}
		agencies = append(agencies, n)
	}
	rs, err := s.svc.CreateReferrals(r.Context(), a, id, agencies, r.PostForm.Get("note"))
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	back := "/reports/" + strconv.FormatInt(id, 10) + "?referred=" + strconv.Itoa(len(rs)) + "#referrals"
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// reportReferralsView is the referrals section of a report's page.
type reportReferralsView struct {
	Rows     []referralRow
	Referred string // how many were just sent
}

// reportReferrals reads the report's referrals for its page; nil for those
// who may not see referrals.
func (s *Server) reportReferrals(r *http.Request, a haven.Actor, rep *haven.Report) *reportReferralsView {
	if !haven.CanKind(a, haven.ActionView, haven.KindReferral) || !slices.Contains([]haven.Role{haven.RoleAnalyst, haven.RoleSupervisor}, a.Role) {
		return nil
	}
	rs, _, err := s.svc.ListReferrals(r.Context(), a, haven.ReferralFilter{ReportID: rep.ID, Limit: referralListLimit})
	if err != nil {
		s.logger(r).Error("report referrals", "report", rep.ID, "err", err)
		return nil
	}
	return &reportReferralsView{Rows: referralRows(rs, "/referrals/"), Referred: r.URL.Query().Get("referred")}
}

type referralsListData struct {
	Rows           []referralRow
	Total          int
	States         []option
	Agencies       []option
	ReportID, Base string
	Portal         bool
	Error          string
}

// referralsList lists every referral the actor may see, with filters.
func (s *Server) referralsList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	f := haven.ReferralFilter{State: haven.ReferralState(q.Get("state")), Limit: referralListLimit}
	d := referralsListData{States: referralStateOptions(q.Get("state")), ReportID: q.Get("report_id"), Base: "/referrals"}
	var err error
	if v := q.Get("agency_id"); v != "" {
		if f.AgencyID, err = strconv.ParseInt(v, 10, 64); err != nil || f.AgencyID <= 0 {
			s.pageError(w, r, haven.FieldError("agency_id", "the agency filter is an agency number"))
			return
		}
	}
	if v := q.Get("report_id"); v != "" {
		if f.ReportID, err = strconv.ParseInt(v, 10, 64); err != nil || f.ReportID <= 0 {
			s.pageError(w, r, haven.FieldError("report_id", "the report filter is a report number"))
			return
		}
	}
	rs, total, err := s.svc.ListReferrals(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Rows, d.Total = referralRows(rs, "/referrals/"), total
	d.Agencies = []option{{Value: "", Label: "Any agency", Selected: f.AgencyID == 0}}
	if ags, err := s.svc.ListAgencies(r.Context(), a, haven.AgencyFilter{}); err == nil {
		for _, ag := range ags {
			d.Agencies = append(d.Agencies, option{Value: strconv.FormatInt(ag.ID, 10), Label: ag.Name, Selected: ag.ID == f.AgencyID})
		}
	}
	s.render(w, r, http.StatusOK, "referrals", &a, d)
}

// referralAnswer answers the agency's question on a referral.
func (s *Server) referralAnswer(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.referralAction(w, r, a, "answered", func(id int64) error {
		_, err := s.svc.AnswerReferralInfo(r.Context(), a, id, r.PostForm.Get("message"))
		return err
	})
}

// referralAction runs a change on the referral {id} and goes back to its
// page; a change the referral's state refuses, or bad input, is shown on
// the page with its message; a referral the actor may not open is 404.
func (s *Server) referralAction(w http.ResponseWriter, r *http.Request, a haven.Actor, done string, do func(int64) error) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	back := referralBase(a) + strconv.FormatInt(id, 10)
	switch err := do(id); haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	case haven.ECONFLICT, haven.EINVALID:
		s.renderReferral(w, r, a, id, statusOf(err), "", sentence(s.messageOf(r, err)))
	default:
		s.pageError(w, r, err)
	}
}

// referralBase is where the actor's referral pages are: the portal's for
// an agency's officers, the clearinghouse's for everyone else.
func referralBase(a haven.Actor) string {
	if portalUser(a) {
		return "/portal/referrals/"
	}
	return "/referrals/"
}
