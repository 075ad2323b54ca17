package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// auditPageSize is how many entries one page of the audit viewer shows.
const auditPageSize = 50

// auditForm is the viewer's filter form as the user typed it.
type auditForm struct {
	Actor, Action, Outcome, Kind, RecordID, From, To string
}

// auditData is what the audit viewer shows.
type auditData struct {
	Form              auditForm
	Error, ErrorField string
	Outcomes          []string
	Kinds             []haven.Kind
	Events            []*haven.AuditEvent
	Total             int
	First, Last       int // 1-based positions of the entries shown
	PrevURL, NextURL  string
}

var auditKinds = []haven.Kind{haven.KindReport, haven.KindCase, haven.KindChild, haven.KindUser,
	haven.KindAgency, haven.KindAudit, haven.KindToken, haven.KindESP}

// auditViewer lists audit entries, newest first, filtered by actor, action
// (or action prefix ending in "."), outcome, kind, record id and dates. Only
// administrators may see it: the service refuses anyone else (a 403 page)
// and records the refusal in the audit log itself.
func (s *Server) auditViewer(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	d := auditData{
		Form: auditForm{
			Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")),
			Outcome: q.Get("outcome"), Kind: q.Get("kind"), RecordID: strings.TrimSpace(q.Get("record")),
			From: q.Get("from"), To: q.Get("to"),
		},
		Outcomes: []string{haven.OutcomeOK, haven.OutcomeDenied, haven.OutcomeFailed},
		Kinds:    auditKinds,
	}
	f, pageNo, ferr := parseAuditFilter(d.Form, q.Get("page"))
	if ferr != nil {
		// The rest of the filters still apply; the page says what to fix.
		d.Error, d.ErrorField = haven.ErrorMessage(ferr), haven.ErrorField(ferr)
	}
	es, total, err := s.svc.ListAudit(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Events, d.Total = es, total
	if len(es) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(es)
	}
	if pageNo > 1 {
		d.PrevURL = auditURL(d.Form, pageNo-1)
	}
	if f.Offset+len(es) < total {
		d.NextURL = auditURL(d.Form, pageNo+1)
	}
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusBadRequest // htmx swaps a 400 in too (layout.html's htmx-config)
	}
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && r.Header.Get("HX-Target") == "audit-results" {
		w.Header().Set("HX-Push-Url", auditURL(d.Form, pageNo)) // without the empty fields
		s.renderFragment(w, r, status, "audit", "audit-fragment", d)
		return
	}
	s.render(w, r, status, "audit", &a, d)
}

// parseAuditFilter turns the form into a filter. On a bad field it returns
// the filter without that field and an EINVALID error naming it.
func parseAuditFilter(form auditForm, page string) (haven.AuditFilter, int, error) {
	f := haven.AuditFilter{Actor: haven.NormalizeUsername(form.Actor), Action: form.Action, Limit: auditPageSize}
	var bad error
	fail := func(field, format string, args ...any) {
		if bad == nil {
			bad = haven.FieldError(field, format, args...)
		}
	}
	switch form.Outcome {
	case "", haven.OutcomeOK, haven.OutcomeDenied, haven.OutcomeFailed:
		f.Outcome = form.Outcome
	default:
		fail("outcome", "Choose an outcome from the list.")
	}
	if form.Kind != "" {
		ok := false
		for _, k := range auditKinds {
			ok = ok || string(k) == form.Kind
		}
		if ok {
			f.Kind = haven.Kind(form.Kind)
		} else {
			fail("kind", "Choose a kind of record from the list.")
		}
	}
	if form.RecordID != "" {
		if id, err := strconv.ParseInt(form.RecordID, 10, 64); err == nil && id > 0 {
			f.RecordID = id
		} else {
			fail("record", "A record id is a whole number, such as 42.")
		}
	}
	if form.From != "" {
		if t, err := time.Parse(time.DateOnly, form.From); err == nil {
			f.From = &t
		} else {
			fail("from", "Enter the start date as YYYY-MM-DD.")
		}
	}
	if form.To != "" {
		if t, err := time.Parse(time.DateOnly, form.To); err == nil {
			end := t.AddDate(0, 0, 1) // the store's To is exclusive: up to the end of that day
			f.To = &end
		} else {
			fail("to", "Enter the end date as YYYY-MM-DD.")
		}
	}
	if f.From != nil && f.To != nil && !f.To.After(*f.From) {
		fail("to", "The end date is before the start date.")
		f.To = nil
	}
	pageNo := 1
	if page != "" {
		if n, err := strconv.Atoi(page); err == nil && n >= 1 && n <= 1_000_000 {
			pageNo = n
		} else {
			fail("page", "A page number is a whole number from 1.")
		}
	}
	f.Offset = (pageNo - 1) * auditPageSize
	return f, pageNo, bad
}

// auditURL is the viewer's address for the given filters and page.
func auditURL(form auditForm, page int) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("actor", form.Actor)
	set("action", form.Action)
	set("outcome", form.Outcome)
	set("kind", form.Kind)
	set("record", form.RecordID)
	set("from", form.From)
	set("to", form.To)
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/admin/audit"
	}
	return "/admin/audit?" + v.Encode()
}
