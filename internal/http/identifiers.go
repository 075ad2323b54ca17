package http

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The identifier index, for analysts and supervisors: the identifiers that
// link reports, with the review queue of those flagged for linking more
// reports than haven.FlagThreshold (/identifiers, ?state=flagged by
// default); one identifier with the reports it links and the decision on
// it (/identifiers/{id}): exclude it from linking with a reason (a
// platform's support address, a hotline's own number), which splits the
// networks it held together, or confirm it, which lets it link again. Both
// decisions are plain POST forms, audited by the service. The value shown
// for an identifier comes from a report the viewer may open: the index
// itself holds none.

// identifiersPageSize is how many identifiers the list shows at a time.
const identifiersPageSize = 50

// identifierListRow is one identifier in the list.
type identifierListRow struct {
	ID                                         int64
	Kind, Platform, Value, State               string
	Reports                                    int
	FirstSeen, LastSeen, FirstSeenISO, LastISO string
}

type identifiersData struct {
	State            string
	States           []option
	Rows             []identifierListRow
	Total            int
	First, Last      int
	PrevURL, NextURL string
	Threshold        int
	Error            string
}

// identifierStates are the list's state filter: "" (the default) is the
// review queue.
var identifierStates = []struct{ value, label string }{
	{"flagged", "Flagged for review"}, {"excluded", "Excluded"}, {"active", "Linking"}, {"all", "Any state"},
}

// identifiers lists identifiers in the index, the review queue first.
func (s *Server) identifiers(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindIdentifier, "see the identifier index"); err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := identifiersData{State: q.Get("state"), Threshold: haven.FlagThreshold}
	if d.State == "" {
		d.State = "flagged"
	}
	known := false
	for _, st := range identifierStates {
		d.States = append(d.States, option{Value: st.value, Label: st.label, Selected: st.value == d.State})
		known = known || st.value == d.State
	}
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			d.Error = "A page number is a whole number from 1."
		}
		page = n
	}
	if !known {
		d.Error = "Choose a state from the list."
	}
	if d.Error != "" {
		s.render(w, r, http.StatusBadRequest, "identifiers", &a, d)
		return
	}
	f := haven.IdentifierKeyFilter{State: haven.KeyState(d.State), Limit: identifiersPageSize + 1, Offset: (page - 1) * identifiersPageSize}
	if d.State == "all" {
		f.State = ""
	}
	list, total, err := s.svc.ListIdentifiers(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Total = total
	pageURL := func(n int) string {
		return "/identifiers?" + url.Values{"state": {d.State}, "page": {strconv.Itoa(n)}}.Encode()
	}
	if len(list) > identifiersPageSize {
		list = list[:identifiersPageSize]
		d.NextURL = pageURL(page + 1)
	}
	if page > 1 {
		d.PrevURL = pageURL(page - 1)
	}
	for _, it := range list {
		k := it.Key
		row := identifierListRow{ID: k.ID, Kind: identifierKindLabel(k.Kind), Platform: k.Platform, Value: it.Display.Display(),
			State: k.State.Label(), Reports: k.ReportCount, FirstSeen: showMinute(k.FirstSeen), LastSeen: showMinute(k.LastSeen),
			FirstSeenISO: isoUTC(k.FirstSeen), LastISO: isoUTC(k.LastSeen)}
		d.Rows = append(d.Rows, row)
	}
	if len(d.Rows) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(d.Rows)
	}
	s.render(w, r, http.StatusOK, "identifiers", &a, d)
}

func isoUTC(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// identifierReportRow is one report linked through the identifier.
type identifierReportRow struct {
	Href, Ref, Received, ReceivedISO, Channel, Incident, State, Written string
}

type identifierData struct {
	K                          *haven.IdentifierKey
	Kind, Value, Platform      string
	State, Noun                string
	FirstSeen, LastSeen        string
	DecidedAt, DecidedBy       string
	Rows                       []identifierReportRow
	Visible, Hidden            int
	First, Last                int
	PrevURL, NextURL           string
	CanDecide, Linking         bool
	CanExclude, CanConfirm     bool
	Done                       string
	Reason, Error, ErrorAction string // the exclude form as sent, and its problem
	Threshold                  int
}

// identifierPage shows one identifier with the reports it links.
func (s *Server) identifierPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	page := 1
	if p := r.URL.Query().Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], "A page number is a whole number from 1.")
			return
		}
		page = n
	}
	d := identifierData{}
	switch r.URL.Query().Get("done") {
	case "excluded":
		d.Done = "The identifier is excluded from linking. The networks it held together were recomputed without it."
	case "confirmed":
		d.Done = "The identifier is confirmed: it links its reports, and will not be flagged again."
	}
	s.renderIdentifier(w, r, a, http.StatusOK, id, page, d)
}

// renderIdentifier fills d from the service and renders the page.
func (s *Server) renderIdentifier(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, id int64, page int, d identifierData) {
	v, err := s.svc.Identifier(r.Context(), a, id, page)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	k := v.Key
	d.K, d.Kind, d.Platform, d.Value = k, identifierKindLabel(k.Kind), k.Platform, v.Display.Display()
	d.State, d.Noun = k.State.Label(), identifierNoun(k.Kind)
	d.FirstSeen, d.LastSeen = showMinute(k.FirstSeen), showMinute(k.LastSeen)
	if k.DecidedAt != nil {
		d.DecidedAt = showMinute(*k.DecidedAt)
		d.DecidedBy = v.DecidedBy
	}
	d.Visible, d.Hidden, d.Threshold = v.Visible, v.Hidden, haven.FlagThreshold
	d.CanDecide, d.Linking = v.CanDecide, k.Links()
	d.CanExclude = v.CanDecide && k.State != haven.KeyExcluded
	d.CanConfirm = v.CanDecide && (k.State != haven.KeyActive || k.DecidedAt == nil)
	for _, lr := range v.Reports {
		rep := lr.Report
		row := identifierReportRow{Href: "/reports/" + strconv.FormatInt(rep.ID, 10), Ref: rep.Ref, Received: showMinute(rep.ReceivedAt),
			ReceivedISO: isoUTC(rep.ReceivedAt), Channel: rep.Channel.Label(), Incident: rep.IncidentType.Label(), State: rep.State}
		if lr.Identifier.Raw != "" && lr.Identifier.Raw != lr.Identifier.Value {
			row.Written = lr.Identifier.Raw
		}
		d.Rows = append(d.Rows, row)
	}
	offset := (page - 1) * haven.IdentifierPageSize
	if len(d.Rows) > 0 {
		d.First, d.Last = offset+1, offset+len(d.Rows)
	}
	base := "/identifiers/" + strconv.FormatInt(id, 10) + "?page="
	if offset+len(d.Rows) < v.Visible {
		d.NextURL = base + strconv.Itoa(page+1)
	}
	if page > 1 {
		d.PrevURL = base + strconv.Itoa(page-1)
	}
	s.render(w, r, status, "identifier", &a, d)
}

// identifierExclude excludes the identifier from linking, with the reason
// the form gives (required).
func (s *Server) identifierExclude(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.identifierDecide(w, r, a, "exclude")
}

// identifierConfirm confirms the identifier as one that links its reports.
func (s *Server) identifierConfirm(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.identifierDecide(w, r, a, "confirm")
}

func (s *Server) identifierDecide(w http.ResponseWriter, r *http.Request, a haven.Actor, action string) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	reason := r.PostForm.Get("reason")
	var err error
	done := "excluded"
	if action == "exclude" {
		_, err = s.svc.ExcludeIdentifier(r.Context(), a, id, reason)
	} else {
		done = "confirmed"
		_, err = s.svc.ConfirmIdentifier(r.Context(), a, id, reason)
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, fmt.Sprintf("/identifiers/%d?done=%s", id, done), http.StatusSeeOther)
	case haven.EINVALID:
		d := identifierData{Reason: reason, ErrorAction: action}
		d.Error, _ = s.fieldProblem(r, err)
		s.renderIdentifier(w, r, a, http.StatusBadRequest, id, 1, d)
	default:
		s.pageError(w, r, err)
	}
}

// identifierNoun is how a sentence names an identifier of the kind: "same
// phone +1 202-555-0147".
func identifierNoun(k haven.IdentifierKind) string {
	return labelOr(identifierNouns, k)
}

var identifierNouns = map[haven.IdentifierKind]string{haven.IDPhone: "phone", haven.IDEmail: "email", haven.IDURL: "link",
	haven.IDHandle: "account", haven.IDPayment: "payment handle", haven.IDIP: "IP address", haven.IDDevice: "device",
	haven.IDPlate: "plate", haven.IDFileHash: "file", haven.IDESPAccount: "provider account", haven.IDGroup: "group",
	haven.IDPriorReport: "CyberTipline report number"}
