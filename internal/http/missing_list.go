package http

import (
	"net/http"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The list of missing episodes the actor may see (/missing), with the filter
// for children missing from care whose statutory notifications are overdue
// (/missing?overdue=1) and for open episodes (/missing?open=1).

// missingListLimit is the most episodes one page lists.
const missingListLimit = 200

// episodeRow is one episode in a list.
type episodeRow struct {
	ID                                int64
	Child, Type, LastSeen, LastSeenAt string
	FromCare, Open, Overdue           bool
	Status                            string
}

// missingListData is what the list page shows.
type missingListData struct {
	Rows              []episodeRow
	Overdue, OnlyOpen bool
	CanReport         bool
}

// missingList lists the episodes the actor may see, newest first, or the
// overdue ones, longest overdue first.
func (s *Server) missingList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionView, haven.KindEpisode, "see missing-child reports"); err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	d := missingListData{Overdue: q.Get("overdue") == "1", OnlyOpen: q.Get("open") == "1",
		CanReport: haven.CanKind(a, haven.ActionCreate, haven.KindEpisode)}
	now := s.serviceNow()
	var (
		es  []*haven.MissingEpisode
		err error
	)
	if d.Overdue {
		es, err = s.svc.OverdueFromCare(r.Context(), a, now)
	} else {
		f := haven.EpisodeFilter{Limit: missingListLimit}
		if d.OnlyOpen {
			open := true
			f.Open = &open
		}
		es, err = s.svc.ListEpisodes(r.Context(), a, f)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Rows = episodeRows(es, now)
	s.render(w, r, http.StatusOK, "missing_list", &a, d)
}

// episodeRows describes episodes for a table.
func episodeRows(es []*haven.MissingEpisode, now time.Time) []episodeRow {
	rows := make([]episodeRow, 0, len(es))
	for _, e := range es {
		row := episodeRow{ID: e.ID, Child: childLabel(e.Child), Type: e.MissingType.Label(), LastSeen: placeText(e.LastSeen),
			LastSeenAt: showMinute(e.LastSeenAt), FromCare: e.FromCare != nil, Open: e.Open(), Overdue: e.Overdue(now)}
		row.Status = "Missing"
		if !e.Open() {
			row.Status = "Recovered " + showMinute(e.Recovery.RecoveredAt)
		}
		rows = append(rows, row)
	}
	return rows
}

// serviceNow is the service's clock, in the precision it stores times, so
// that a clock read on a page agrees with times the service just wrote.
func (s *Server) serviceNow() time.Time { return s.svc.Now().UTC().Truncate(time.Microsecond) }
