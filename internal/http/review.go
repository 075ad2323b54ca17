package http

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// The review queue, for analysts and supervisors (/review): the links Haven
// made by itself that want a person's eye, strongest first (the most urgent
// priority among the reports involved, then how many reports): the
// identifiers flagged for linking too many reports, and the identifiers
// that most recently linked reports. Each row leads to the identifier's
// page, where it is excluded or confirmed, and to the network. A third
// section lists the person matches no one has decided yet (the service's
// PendingPersonMatches: strongest first, then by the priority of the
// report), each leading to the report's "Possible matches" section, where
// it is confirmed or rejected.

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

// reviewMatch is one pending person match of the queue.
type reviewMatch struct {
	ID                   int64
	Person               string // as the report names them
	ChildHref, ChildName string
	Strength             string // "Strong (97%)": the probability as a percentage
	ReportHref           string
	ReportRef            string
	Priority, Class      string
}

type reviewData struct {
	Flagged, Recent reviewTable
	Threshold       int
	// ShowMatches says whether the actor may see person matches; Matches
	// are the pending ones, in the service's order.
	ShowMatches bool
	Matches     []reviewMatch
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
	if haven.CanKind(a, haven.ActionView, haven.KindPersonMatch) {
		ms, err := s.svc.PendingPersonMatches(r.Context(), a, haven.ReviewQueueSize)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d.ShowMatches = true
		for _, m := range ms {
			d.Matches = append(d.Matches, newReviewMatch(m))
		}
	}
	s.render(w, r, http.StatusOK, "review", &a, d)
}

// newReviewMatch is a pending person match as the queue shows it.
func newReviewMatch(m *haven.PersonMatchView) reviewMatch {
	p := m.Person
	person := p.FullName()
	if person == "" {
		person = "A child with no name given"
	}
	if p.Nickname != "" {
		person += " (“" + p.Nickname + "”)"
	}
	c := m.Child
	child := c.FullName()
	if child == "" {
		child = childLabel(c)
	}
	return reviewMatch{ID: m.Match.ID, Person: person,
		ChildHref: "/children/" + strconv.FormatInt(c.ID, 10), ChildName: child,
		Strength:   fmt.Sprintf("%s (%.0f%%)", m.Match.Strength(), 100*m.Match.Probability),
		ReportHref: "/reports/" + strconv.FormatInt(m.Match.ReportID, 10) + "#person-matches", ReportRef: m.ReportRef,
		Priority: priorityLabel(m.Match.ReportPriority), Class: priorityClass(m.Match.ReportPriority)}
}
