package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// The review queue, for analysts and supervisors (/review): the links Haven
// made by itself that want a person's eye, strongest first (the most urgent
// priority among the reports involved, then how many reports): the
// identifiers flagged for linking too many reports, and the identifiers
// that most recently linked reports. Each row leads to the identifier's
// page, where it is excluded or confirmed, and to the network. Person-match
// suggestions are to join the page as a third section, from the service's
// list of pending matches, once the store keeps them.

type reviewRow struct {
	Href, Value, Kind    string
	Reports              int
	Priority, Class      string
	LastSeen, LastSeenTS string
	NetworkHref          string
}

// reviewTable is one list of the queue.
type reviewTable struct {
	ID, Caption string
	Rows        []reviewRow
}

type reviewData struct {
	Flagged, Recent reviewTable
	Threshold       int
}

// review shows the review queue.
func (s *Server) review(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q, err := s.svc.ReviewQueue(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := reviewData{Threshold: haven.FlagThreshold,
		Flagged: reviewTable{ID: "review-flagged", Caption: "Identifiers flagged for review, strongest first"},
		Recent:  reviewTable{ID: "review-recent", Caption: "Identifiers that most recently linked reports, strongest first"}}
	row := func(it *haven.ReviewItem) reviewRow {
		k := it.Key
		rr := reviewRow{Href: "/identifiers/" + strconv.FormatInt(k.ID, 10), Value: identifierValue(it.Display), Kind: identifierKindLabel(k.Kind),
			Reports: k.ReportCount, Priority: priorityLabel(it.Top), Class: priorityClass(it.Top),
			LastSeen: showMinute(k.LastSeen), LastSeenTS: isoUTC(k.LastSeen)}
		if it.Display.Value == "" {
			rr.Value = "Identifier " + strconv.FormatInt(k.ID, 10)
		}
		if it.NetworkID != 0 {
			if h := "/networks/" + strconv.FormatInt(it.NetworkID, 10); s.routed(h) {
				rr.NetworkHref = h
			}
		}
		return rr
	}
	for _, it := range q.Flagged {
		d.Flagged.Rows = append(d.Flagged.Rows, row(it))
	}
	for _, it := range q.Recent {
		d.Recent.Rows = append(d.Recent.Rows, row(it))
	}
	s.render(w, r, http.StatusOK, "review", &a, d)
}
