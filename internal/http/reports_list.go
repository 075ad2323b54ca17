package http

import (
	"net/http"
	"net/url"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// The list of reports the actor may see (/reports), newest first, a page at
// a time, filtered by channel, status, priority and who has the report
// (?channel=, ?status=, ?priority=, ?assigned=me, ?unassigned=1: the home
// page's figures link here with them). The service scopes the list to what
// the actor may open; the list shows no narrative and no people, so it is
// not a view of any report.

// reportsPageSize is how many reports one page lists.
const reportsPageSize = 50

// reportsForm is the filter form as sent.
type reportsForm struct {
	Channel, Status, Priority, Who string
}

// reportRow is one report in the list.
type reportRow struct {
	ID                                            int64
	Ref, Received, ReceivedISO, Channel, Incident string
	Priority, Status, State                       string
	Urgent                                        bool // P1
}

// reportsData is what the list page shows.
type reportsData struct {
	Form                                 reportsForm
	Channels, Statuses, Priorities, Whos []option
	Rows                                 []reportRow
	First, Last                          int
	PrevURL, NextURL                     string
	Error, ErrorField                    string
}

// reports lists the reports the actor may see.
func (s *Server) reports(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindReport, "see reports"); err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	form := reportsForm{Channel: q.Get("channel"), Status: q.Get("status"), Priority: q.Get("priority")}
	form.Who = q.Get("who")
	switch {
	case form.Who != "":
	case q.Get("assigned") == "me":
		form.Who = "me"
	case q.Get("unassigned") == "1":
		form.Who = "nobody"
	}
	d := reportsData{Form: form}
	f, page, field, msg := reportFilter(a, form, q.Get("page"))
	d.options(form)
	if field != "" {
		d.Error, d.ErrorField = msg, field
		s.render(w, r, http.StatusBadRequest, "reports", &a, d)
		return
	}
	f.Limit = reportsPageSize + 1 // one more tells whether there is a next page
	f.Offset = (page - 1) * reportsPageSize
	rs, err := s.svc.ListReports(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(rs) > reportsPageSize {
		rs = rs[:reportsPageSize]
		d.NextURL = reportsURL(form, page+1)
	}
	if page > 1 {
		d.PrevURL = reportsURL(form, page-1)
	}
	for _, rep := range rs {
		d.Rows = append(d.Rows, reportRow{ID: rep.ID, Ref: rep.Ref, Received: showMinute(rep.ReceivedAt),
			ReceivedISO: rep.ReceivedAt.UTC().Format("2006-01-02T15:04:05Z"), Channel: rep.Channel.Label(),
			Incident: rep.IncidentType.Label(), Priority: rep.Priority.Label(), Status: statusLabel(rep.Status), State: rep.State,
			Urgent: rep.Priority == haven.P1})
	}
	if len(d.Rows) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(d.Rows)
	}
	s.render(w, r, http.StatusOK, "reports", &a, d)
}

// reportFilter turns the form into a filter, or names the field at fault.
func reportFilter(a haven.Actor, form reportsForm, page string) (f haven.ReportFilter, pageNo int, field, msg string) {
	pageNo = 1
	if form.Channel != "" {
		f.Channel = haven.Channel(form.Channel)
		if !contains(haven.Channels, f.Channel) {
			return f, 0, "f-channel", "Choose a channel from the list."
		}
	}
	if form.Status != "" {
		f.Status = haven.ReportStatus(form.Status)
		if !contains(reportStatuses, f.Status) {
			return f, 0, "f-status", "Choose a status from the list."
		}
	}
	if form.Priority != "" {
		n, err := strconv.Atoi(form.Priority)
		if err != nil || n < int(haven.P1) || n > int(haven.P4) {
			return f, 0, "f-priority", "Choose a priority from the list."
		}
		f.Priority = haven.Priority(n)
	}
	switch form.Who {
	case "":
	case "me":
		f.AssignedTo = a.UserID
	case "nobody":
		f.Unassigned = true
	default:
		return f, 0, "f-who", "Choose who has the reports from the list."
	}
	if page != "" {
		n, err := strconv.Atoi(page)
		if err != nil || n < 1 || n > 1_000_000 {
			return f, 0, "page", "A page number is a whole number from 1."
		}
		pageNo = n
	}
	return f, pageNo, "", ""
}

func contains[T comparable](set []T, v T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

// options fills the filter form's choices.
func (d *reportsData) options(form reportsForm) {
	for _, c := range haven.Channels {
		d.Channels = append(d.Channels, option{Value: string(c), Label: c.Label(), Selected: string(c) == form.Channel})
	}
	for _, st := range reportStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: statusLabel(st), Selected: string(st) == form.Status})
	}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		v := strconv.Itoa(int(p))
		d.Priorities = append(d.Priorities, option{Value: v, Label: p.Label(), Selected: v == form.Priority})
	}
	d.Whos = []option{{Value: "me", Label: "Assigned to me", Selected: form.Who == "me"},
		{Value: "nobody", Label: "Nobody (unclaimed)", Selected: form.Who == "nobody"}}
}

// reportsURL is the list's address for the filters and page.
func reportsURL(form reportsForm, page int) string {
	v := url.Values{}
	set := func(k, val string) {
		if val != "" {
			v.Set(k, val)
		}
	}
	set("channel", form.Channel)
	set("status", form.Status)
	set("priority", form.Priority)
	switch form.Who {
	case "me":
		v.Set("assigned", "me")
	case "nobody":
		v.Set("unassigned", "1")
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	if len(v) == 0 {
		return "/reports"
	}
	return "/reports?" + v.Encode()
}
