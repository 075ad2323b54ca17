package http

import (
	"fmt"
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// The "Links to other reports" section of the staff report page: for each
// identifier of the report that other reports carry too, why they are
// linked ("Same phone +1 202-555-0147 in 2 other reports") and which,
// with the report's network. Only reports the viewer may open are listed
// or counted, and reports they may not open are mentioned only to those
// who may know of them (haven.CanKnowHidden). The service audits the view.

// linksView is the section's data.
type linksView struct {
	Rows []linkRow
	// Network describes the report's network ("" for none), with its page
	// when there is one to open.
	Network, NetworkHref string
}

type linkRow struct {
	KeyID    int64
	Sentence string // "Same phone +1 202-555-0147 in 2 other reports"
	Href     string // the identifier's page; "" when the viewer may not open it
	Linking  bool
	State    string // what its state means, when it does not link
	Reason   string // why an analyst decided so
	Reports  []linkedReportRow
	More     int // reports the viewer may open beyond those listed
	Hidden   int // reports the viewer may not open (only for those who may know)
}

type linkedReportRow struct {
	Href, Ref, Received, ReceivedISO, Where string
}

// reportLinks returns the links section of report id, or nil (logged) when
// they could not be read: the rest of the page still shows.
func (s *Server) reportLinks(r *http.Request, a haven.Actor, id int64) *linksView {
	links, err := s.svc.ReportLinks(r.Context(), a, id)
	if err != nil {
		s.logger(r).Error("report links", "report", id, "err", err)
		return nil
	}
	v := &linksView{}
	for _, l := range links.Links {
		row := linkRow{KeyID: l.Key.ID, Linking: l.Key.Links(), Reason: l.Key.Reason, Hidden: l.Hidden,
			More: l.Visible - len(l.Reports), Sentence: linkSentence(l)}
		if l.KeyVisible {
			row.Href = "/identifiers/" + strconv.FormatInt(l.Key.ID, 10)
		}
		switch l.Key.State {
		case haven.KeyFlagged:
			row.State = fmt.Sprintf("Flagged for review: it is in more than %d reports, so it links none of them until an analyst decides.", haven.FlagThreshold)
		case haven.KeyExcluded:
			row.State = "Excluded from linking by an analyst: it links none of these reports."
		}
		for _, rep := range l.Reports {
			row.Reports = append(row.Reports, linkedReportRow{Href: "/reports/" + strconv.FormatInt(rep.ID, 10), Ref: rep.Ref,
				Received: showMinute(rep.ReceivedAt), ReceivedISO: isoUTC(rep.ReceivedAt), Where: rep.State})
		}
		v.Rows = append(v.Rows, row)
	}
	if n := links.Network; n != nil {
		v.Network = fmt.Sprintf("Network %d: %d reports linked through shared identifiers, received %s to %s.", n.ID, n.Size,
			showMinute(n.FirstReportAt), showMinute(n.LastReportAt))
		if href := "/networks/" + strconv.FormatInt(n.ID, 10); s.routed(href) {
			v.NetworkHref = href
		}
	}
	return v
}

// linkSentence says why the report is linked through l: "Same phone
// +1 202-555-0147 in 2 other reports".
func linkSentence(l *haven.IdentifierLinks) string {
	value := l.Identifier.Display()
	if l.Identifier.Platform != "" {
		value += " on " + l.Identifier.Platform
	}
	n := l.Visible
	reports := "other reports"
	if n == 1 {
		reports = "other report"
	}
	s := fmt.Sprintf("Same %s %s in %d %s", identifierNoun(l.Identifier.Kind), value, n, reports)
	if l.Hidden > 0 {
		s += fmt.Sprintf(" you may open, and %d you cannot open", l.Hidden)
	}
	return s
}
