package http

import (
	"net/http"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The supervisor's deadline view (/queue/deadlines): open reports nobody
// has taken by the time their first action was due, those due within the
// hour, and the children missing from care whose 24-hour statutory clock
// has run out.

// deadlineEpisode is one overdue missing-from-care episode.
type deadlineEpisode struct {
	ID                                   int64
	Child, Type, LastSeen, Clock, DueISO string
}

// deadlineTable is one list of reports on the page.
type deadlineTable struct {
	ID, Heading, Caption string
	Rows                 []queueRow
}

// deadlinesData is what the page shows.
type deadlinesData struct {
	Now, NowISO string
	Tables      []deadlineTable // breached, then due soon
	FromCare    []deadlineEpisode
	// Referrals are the referrals escalated because nobody at the agency
	// acknowledged them in time (referral_service.go), oldest first.
	Referrals     []referralRow
	Max           int
	Done, Problem string
}

func (s *Server) deadlines(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	dl, err := s.svc.Deadlines(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := deadlinesData{Now: showMinute(dl.Now), NowISO: dl.Now.UTC().Format(time.RFC3339), Max: haven.MaxDeadlineRows,
		Done: doneMessages[q.Get("done")], Problem: problemMessages[q.Get("problem")]}
	names := s.userNames(r, a)
	breached := deadlineTable{ID: "breached", Heading: "Breached: nobody has taken them",
		Caption: "Reports past their first action's due time, most urgent first"}
	soon := deadlineTable{ID: "due-soon", Heading: "Due within the hour", Caption: "Reports due within the hour, most urgent first"}
	for _, rep := range dl.Breached {
		breached.Rows = append(breached.Rows, s.queueRow(rep, a, dl.Now, names))
	}
	for _, rep := range dl.DueSoon {
		soon.Rows = append(soon.Rows, s.queueRow(rep, a, dl.Now, names))
	}
	d.Tables = []deadlineTable{breached, soon}
	for _, e := range dl.OverdueFromCare {
		ep := deadlineEpisode{ID: e.ID, Child: childLabel(e.Child), Type: e.MissingType.Label(), LastSeen: placeText(e.LastSeen)}
		if c := e.LawEnforcementClock(dl.Now); c != nil {
			ep.Clock, ep.DueISO = "Law enforcement: "+c.Text(), c.Due.UTC().Format(time.RFC3339)
		}
		d.FromCare = append(d.FromCare, ep)
	}
	refs, err := s.svc.UnacknowledgedReferrals(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Referrals = referralRows(refs, "/referrals/")
	s.render(w, r, http.StatusOK, "deadlines", &a, d)
}
