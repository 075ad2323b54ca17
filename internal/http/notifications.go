package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// notificationRow is one notification in the list, with where it leads.
type notificationRow struct {
	*haven.Notification
	ReportHref string // "" when the report page does not exist (yet)
}

// notificationsData is what the notifications page shows.
type notificationsData struct {
	Notifications []notificationRow
	Unread        int
	Marked        bool
}

// notifications lists the actor's own notifications, newest first, each
// unread one with a "Mark as read" button.
func (s *Server) notifications(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	ns, unread, err := s.svc.ListNotifications(r.Context(), a, false, 100)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := notificationsData{Unread: unread, Marked: r.URL.Query().Get("marked") != ""}
	for _, n := range ns {
		row := notificationRow{Notification: n}
		if n.ReportID != 0 {
			if href := "/reports/" + strconv.FormatInt(n.ReportID, 10); s.routed(href) {
				row.ReportHref = href
			}
		}
		d.Notifications = append(d.Notifications, row)
	}
	s.render(w, r, http.StatusOK, "notifications", &a, d)
}

// notificationRead marks one of the actor's notifications read.
func (s *Server) notificationRead(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if err := s.svc.MarkNotificationRead(r.Context(), a, id); err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/notifications?marked=1", http.StatusSeeOther)
}

// alertBadge is the header's count of unread notifications.
type alertBadge struct{ Unread int }

// badge returns the header's notification badge for actors who are
// alerted (analysts and supervisors), or nil. A failure to count is logged
// and shows no badge rather than failing the page.
func (s *Server) badge(r *http.Request, a haven.Actor) *alertBadge {
	alerted := false
	for _, role := range haven.NotifiedRoles {
		alerted = alerted || a.Role == role
	}
	// An agency's officers are told of new referrals (portal.go).
	alerted = alerted || portalUser(a)
	if !alerted {
		return nil
	}
	n, err := s.svc.UnreadNotifications(r.Context(), a)
	if err != nil {
		s.logger(r).Warn("count unread notifications", "err", err)
		return nil
	}
	return &alertBadge{Unread: n}
}
