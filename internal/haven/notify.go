package haven

// Notifications reach staff in the app, and by email when the organisation
// has set up an SMTP server (Service.Mailer). An email says only what the
// in-app notification says — one line, no personal details of a child — and
// links to the record, which the recipient opens after signing in.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Notification kinds besides NotifyImminent.
const (
	// NotifyAssigned tells a user that someone gave them a report.
	NotifyAssigned = "assigned"
)

// notifySubjects are the email subjects of the notification kinds.
var notifySubjects = map[string]string{
	NotifyImminent:       "Imminent danger: act on a report now",
	NotifyAssigned:       "A report was assigned to you",
	NotifyPriorityRaised: "A report's priority rose",
}

// JobEmailNotification emails one notification to its recipient.
const JobEmailNotification = "notification.email"

// Mailer sends one plain-text email (internal/mail over SMTP).
type Mailer interface {
	Send(ctx context.Context, to, subject, body string) error
}

// Notify stores a notification in tx and, when email is set up, enqueues
// its email in the same transaction: it goes out once the write commits.
func (s *Service) Notify(ctx context.Context, tx Tx, n *Notification) error {
	if n.CreatedAt.IsZero() {
		n.CreatedAt = s.now()
	}
	if err := tx.CreateNotification(ctx, n); err != nil {
		return err
	}
	if s.Mailer == nil {
		return nil
	}
	return tx.EnqueueJob(ctx, &Job{Kind: JobEmailNotification, RecordID: n.ID, RunAt: n.CreatedAt})
}

// notifyStaff sends the notification n (its recipient aside) to every
// enabled analyst and supervisor (NotifiedRoles), each through Notify.
func (s *Service) notifyStaff(ctx context.Context, tx Tx, n Notification) error {
	users, err := enabledUsers(ctx, tx, NotifiedRoles, 0)
	if err != nil {
		return err
	}
	for _, u := range users {
		each := n
		each.RecipientID, each.CreatedAt = u.ID, s.now()
		if err := s.Notify(ctx, tx, &each); err != nil {
			return err
		}
	}
	return nil
}

// enabledUsers lists the enabled accounts of the roles, role by role, at
// most limit of each (0: no limit).
func enabledUsers(ctx context.Context, tx Tx, roles []Role, limit int) ([]*User, error) {
	enabled := false
	var out []*User
	for _, role := range roles {
		users, err := tx.ListUsers(ctx, UserFilter{Role: role, Disabled: &enabled, Limit: limit})
		if err != nil {
			return nil, err
		}
		out = append(out, users...)
	}
	return out, nil
}

// EmailNotification sends the email of notification id (the handler of
// JobEmailNotification) and returns the write that records it as sent. It
// sends nothing, and succeeds, when the recipient has no email address or is
// disabled, when the notification was read in the app meanwhile, or when it
// was emailed before (a job run again after a crash).
func (s *Service) EmailNotification(ctx context.Context, id int64) (func(Tx) error, error) {
	if s.Mailer == nil {
		return nil, nil
	}
	var (
		n *Notification
		u *User
	)
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if n, err = tx.NotificationByID(ctx, id); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, n.RecipientID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil
	} else if err != nil {
		return nil, err
	}
	if n.EmailedAt != nil || n.ReadAt != nil || u.Disabled || u.Email == "" {
		return nil, nil
	}
	subject := notifySubjects[n.Kind]
	if subject == "" {
		subject = "Something needs your attention"
	}
	if err := s.Mailer.Send(ctx, u.Email, "Haven: "+subject, s.emailBody(n)); err != nil {
		return nil, fmt.Errorf("emailing notification %d: %w", n.ID, err)
	}
	at := s.now()
	return func(tx Tx) error { return tx.MarkNotificationEmailed(ctx, n.ID, at) }, nil
}

// emailBody is the notification's line, where to act on it, and why the
// recipient gets it.
func (s *Service) emailBody(n *Notification) string {
	var b strings.Builder
	b.WriteString(n.Message)
	b.WriteString("\n\n")
	if n.ReportID != 0 {
		fmt.Fprintf(&b, "Open it in Haven: %s\n\n", s.link(fmt.Sprintf("/reports/%d", n.ReportID)))
	}
	fmt.Fprintf(&b, "Sent %s UTC. You get this email because you have an account in Haven; the same notice is in the app (%s).\n",
		n.CreatedAt.UTC().Format(time.DateTime), s.link("/notifications"))
	return b.String()
}

// link makes an absolute address of a path when PublicURL is set.
func (s *Service) link(path string) string {
	return strings.TrimRight(s.PublicURL, "/") + path
}
