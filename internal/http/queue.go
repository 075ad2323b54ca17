package http

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The analyst queue (/queue): open reports, most urgent first, with when
// their first action is due; tabs for the unassigned ones (the default),
// the actor's own and all; a claim or release button on each row. Claim,
// release and assign are POSTs to /reports/{id}/… (queue_actions.go).

// queuePageSize is how many reports one page of the queue lists.
const queuePageSize = 50

// queueRow is one report in the queue.
type queueRow struct {
	ID                              int64
	Ref, Channel, Incident, State   string
	Priority, PriorityClass         string
	Due, DueISO, DueText, DueClass  string
	Received, ReceivedISO, Assignee string
	Mine, Taken, Urgent             bool
}

// queueTab is one of the queue's views.
type queueTab struct {
	Label, Href string
	Current     bool
}

// queueData is what the queue page shows.
type queueData struct {
	View              haven.QueueView
	Tabs              []queueTab
	Priorities        []option
	Priority          string
	Rows              []queueRow
	Total             string
	First, Last       int
	PrevURL, NextURL  string
	Supervisor        bool
	Done, Problem     string
	Error             string
	ErrorField        string
	Now, NowISO, Back string
}

var queueViewLabels = map[haven.QueueView]string{
	haven.QueueUnassigned: "Unassigned",
	haven.QueueMine:       "Mine",
	haven.QueueAll:        "All open",
}

// queue shows the analyst queue.
func (s *Server) queue(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	d := queueData{View: haven.QueueView(q.Get("view")), Priority: q.Get("priority"), Done: doneMessages[q.Get("done")], Problem: problemMessages[q.Get("problem")],
		Supervisor: haven.CanKind(a, haven.ActionView, haven.KindDeadlines)}
	if d.View == "" {
		d.View = haven.QueueUnassigned
	}
	f := haven.QueueFilter{View: d.View, Limit: queuePageSize + 1}
	status := http.StatusOK
	page := 1
	if p := q.Get("page"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n < 1 || n > 1_000_000 {
			d.Error, d.ErrorField = "A page number is a whole number from 1.", "page"
		}
		page = n
	}
	if d.Priority != "" {
		n, err := strconv.Atoi(d.Priority)
		if err != nil || n < int(haven.P1) || n > int(haven.P4) {
			d.Error, d.ErrorField = "Choose a priority from the list.", "q-priority"
		}
		f.Priority = haven.Priority(n)
	}
	if !contains(haven.QueueViews, d.View) {
		d.Error, d.ErrorField, d.View = "Choose one of the queue's tabs.", "view", haven.QueueUnassigned
	}
	for _, v := range haven.QueueViews {
		d.Tabs = append(d.Tabs, queueTab{Label: queueViewLabels[v], Href: queueURL(v, d.Priority, 1), Current: v == d.View})
	}
	for p := haven.P1; p <= haven.P4; p++ {
		v := strconv.Itoa(int(p))
		d.Priorities = append(d.Priorities, option{Value: v, Label: p.Label(), Selected: v == d.Priority})
	}
	if d.Error != "" {
		s.render(w, r, http.StatusBadRequest, "queue", &a, d)
		return
	}
	f.Offset = (page - 1) * queuePageSize
	rs, total, err := s.svc.Queue(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(rs) > queuePageSize {
		rs = rs[:queuePageSize]
		d.NextURL = queueURL(d.View, d.Priority, page+1)
	}
	if page > 1 {
		d.PrevURL = queueURL(d.View, d.Priority, page-1)
	}
	now := s.svc.Now()
	d.Now, d.NowISO = showMinute(now), now.UTC().Format(time.RFC3339)
	d.Back = queueURL(d.View, d.Priority, page)
	names := s.userNames(r, a)
	for _, rep := range rs {
		d.Rows = append(d.Rows, s.queueRow(rep, a, now, names))
	}
	d.Total = fmt.Sprint(total)
	if total >= haven.QueueCountMax {
		d.Total = fmt.Sprintf("%d or more", haven.QueueCountMax)
	}
	if len(d.Rows) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(d.Rows)
	}
	s.render(w, r, status, "queue", &a, d)
}

// queueRow renders one report of the queue or of the deadline view.
func (s *Server) queueRow(rep *haven.Report, a haven.Actor, now time.Time, names map[int64]string) queueRow {
	row := queueRow{ID: rep.ID, Ref: rep.Ref, Channel: rep.Channel.Label(), Incident: rep.IncidentType.Label(), State: rep.State,
		Priority: priorityLabel(rep.Priority), PriorityClass: priorityClass(rep.Priority), Urgent: rep.Priority == haven.P1,
		Received: showMinute(rep.ReceivedAt), ReceivedISO: rep.ReceivedAt.UTC().Format(time.RFC3339),
		Mine: rep.AssignedTo != 0 && rep.AssignedTo == a.UserID, Taken: rep.AssignedTo != 0}
	if rep.AssignedTo != 0 {
		row.Assignee = names[rep.AssignedTo]
		if row.Assignee == "" {
			row.Assignee = fmt.Sprintf("user %d", rep.AssignedTo)
		}
	}
	row.DueText, row.DueClass = "Not triaged yet", "due--none"
	if rep.DueAt != nil {
		row.Due, row.DueISO = showMinute(*rep.DueAt), rep.DueAt.UTC().Format(time.RFC3339)
		switch left := rep.DueAt.Sub(now); {
		case left < 0:
			row.DueText, row.DueClass = "Overdue by "+haven.Span(-left), "due--breached"
		case left <= haven.DueSoonWindow:
			row.DueText, row.DueClass = "Due in "+haven.Span(left), "due--soon"
		default:
			row.DueText, row.DueClass = "Due in "+haven.Span(left), "due--later"
		}
	}
	return row
}

// userNames maps the ids of the users the actor may list to their names,
// for "who has it"; empty for actors who may not list accounts.
func (s *Server) userNames(r *http.Request, a haven.Actor) map[int64]string {
	names := map[int64]string{}
	if a.UserID != 0 {
		names[a.UserID] = "You"
	}
	users, err := s.svc.Assignees(r.Context(), a)
	if err != nil {
		return names
	}
	for _, u := range users {
		if u.ID == a.UserID {
			continue
		}
		names[u.ID] = u.Username
		if u.DisplayName != "" {
			names[u.ID] = u.DisplayName
		}
	}
	return names
}

func queueURL(v haven.QueueView, priority string, page int) string {
	q := url.Values{}
	if v != haven.QueueUnassigned {
		q.Set("view", string(v))
	}
	if priority != "" {
		q.Set("priority", priority)
	}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	if len(q) == 0 {
		return "/queue"
	}
	return "/queue?" + q.Encode()
}

// problemMessages explain why a queue action did nothing (?problem=).
var problemMessages = map[string]string{
	"taken":    "Someone else has that report: see who in the list.",
	"assignee": "Choose an active analyst or supervisor to give the report to.",
}

// doneMessages confirm a queue action after its redirect (?done=).
var doneMessages = map[string]string{
	"claimed":  "The report is yours now.",
	"released": "The report is back in the unassigned queue.",
	"assigned": "The report is assigned; they have been told.",
}
