package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Hotline calls, the intake rewrite of a call's report, and in-app
// notifications (see haven.HotlineTx and haven.NotificationsTx).

const callColumns = `id, specialist_id, report_id, started_at, ended_at, caller_type, language,
	disposition, imminent, imminent_at, details, updated_at`

var (
	qCreateCall = insertQuery(`INSERT INTO calls (specialist_id, report_id, started_at, ended_at,
	caller_type, language, disposition, imminent, imminent_at, details, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qCallByID   = query(`SELECT ` + callColumns + ` FROM calls WHERE id = ?`)
	qUpdateCall = query(`UPDATE calls SET report_id = ?, ended_at = ?, caller_type = ?, language = ?,
	disposition = ?, imminent = ?, imminent_at = ?, details = ?, updated_at = ? WHERE id = ?`)

	qUpdateReportIntake = query(`UPDATE reports SET incident_type = ?, incident_time_text = ?,
	narrative = ?, state = ?, reporter_anonymous = ?, reporter_name = ?, reporter_phone = ?,
	reporter_email = ?, reporter_organization = ?, reporter_relationship = ?, reporter_language = ?,
	indicators = ?, priority = ?, updated_at = ? WHERE id = ?`)
	qDeleteReportPlaces      = query(`DELETE FROM report_places WHERE report_id = ?`)
	qDeleteReportPeople      = query(`DELETE FROM report_people WHERE report_id = ?`)
	qDeleteReportIdentifiers = query(`DELETE FROM report_identifiers WHERE report_id = ?`)

	qCreateNotification = insertQuery(`INSERT INTO notifications (recipient_id, kind, report_id,
	call_id, message, created_at, read_at) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qNotificationByID  = query(`SELECT ` + notificationColumns + ` FROM notifications WHERE id = ?`)
	qListNotifications = query(`SELECT ` + notificationColumns + ` FROM notifications
	WHERE recipient_id = ? AND (read_at IS NULL OR ? = 0) ORDER BY created_at DESC, id DESC LIMIT ?`)
	qCountUnreadNotifications = query(`SELECT COUNT(*) FROM notifications WHERE recipient_id = ? AND read_at IS NULL`)
	qMarkNotificationRead     = query(`UPDATE notifications SET read_at = COALESCE(read_at, ?) WHERE id = ?`)
	qMarkNotificationEmailed  = query(`UPDATE notifications SET emailed_at = COALESCE(emailed_at, ?) WHERE id = ?`)
)

const notificationColumns = `id, recipient_id, kind, report_id, call_id, message, created_at, read_at, emailed_at`

const (
	noCall         = "no such call"
	noNotification = "no such notification"
)

// callScope: a call's specialist is its creator.
var callScope = scopeColumns{ID: "id", CreatedBy: "specialist_id"}

// detailsCol scans the JSON details of a call.
type detailsCol struct{ p *haven.CallDetails }

func (c detailsCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		return nil
	default:
		return fmt.Errorf("cannot scan %T into call details", src)
	}
	*c.p = haven.CallDetails{}
	return json.Unmarshal(b, c.p)
}

func detailsArg(d haven.CallDetails) (string, error) {
	b, err := json.Marshal(d)
	return string(b), err
}

func scanCall(s scanner) (*haven.Call, error) {
	var c haven.Call
	err := s.Scan(&c.ID, &c.SpecialistID, idCol{&c.ReportID}, timeCol{&c.StartedAt}, timePtrCol{&c.EndedAt},
		&c.CallerType, &c.Language, &c.Disposition, &c.Imminent, timePtrCol{&c.ImminentAt},
		detailsCol{&c.Details}, timeCol{&c.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (tx *tx) CreateCall(ctx context.Context, c *haven.Call) error {
	c.StartedAt = stamp(c.StartedAt, tx.now)
	c.UpdatedAt = tx.now
	details, err := detailsArg(c.Details)
	if err != nil {
		return fmt.Errorf("sqlstore: create call: %w", err)
	}
	id, err := tx.insert(ctx, qCreateCall, c.SpecialistID, idArg(c.ReportID), c.StartedAt, timePtrArg(c.EndedAt),
		c.CallerType, c.Language, c.Disposition, c.Imminent, timePtrArg(c.ImminentAt), details, c.UpdatedAt)
	if err != nil {
		return tx.db.failure("create call", err, "", "that report already has a call")
	}
	c.ID = id
	return nil
}

func (tx *tx) CallByID(ctx context.Context, id int64) (*haven.Call, error) {
	c, err := scanCall(tx.queryRow(ctx, qCallByID, id))
	if err != nil {
		return nil, tx.db.failure("call by id", err, noCall, "")
	}
	return c, nil
}

func (tx *tx) UpdateCall(ctx context.Context, c *haven.Call) error {
	details, err := detailsArg(c.Details)
	if err != nil {
		return fmt.Errorf("sqlstore: update call: %w", err)
	}
	c.UpdatedAt = tx.now
	err = tx.execOne(ctx, qUpdateCall, idArg(c.ReportID), timePtrArg(c.EndedAt), c.CallerType, c.Language,
		c.Disposition, c.Imminent, timePtrArg(c.ImminentAt), details, c.UpdatedAt, c.ID)
	return tx.db.failure("update call", err, noCall, "that report already has a call")
}

var callListing = listing[*haven.Call]{"calls", callColumns, "started_at DESC, id DESC", scanCall}

func (tx *tx) ListCalls(ctx context.Context, f haven.CallFilter) ([]*haven.Call, error) {
	w := &where{}
	w.scope(f.Scope, callScope)
	if f.Open {
		w.add("ended_at IS NULL")
	}
	return list(ctx, tx, callListing, w, f.Limit, f.Offset)
}

func (tx *tx) UpdateReportIntake(ctx context.Context, r *haven.Report) error {
	r.UpdatedAt = tx.now
	c := &r.Reporter
	err := tx.execOne(ctx, qUpdateReportIntake, string(r.IncidentType), r.IncidentTimeText, r.Narrative, r.State,
		c.Anonymous, c.Name, c.Phone, c.Email, c.Organization, c.Relationship, c.Language,
		listArg(r.Indicators), int64(r.Priority), r.UpdatedAt, r.ID)
	if err != nil {
		return tx.db.failure("update report intake", err, noReport, "")
	}
	for _, q := range []string{qDeleteReportPlaces, qDeleteReportPeople, qDeleteReportIdentifiers} {
		if _, err := tx.exec(ctx, q, r.ID); err != nil {
			return tx.db.failure("update report intake", err, "", "")
		}
	}
	err = tx.insertReportParts(ctx, r)
	if err == nil {
		err = tx.indexReport(ctx, r.ID)
	}
	return tx.db.failure("update report intake", err, "", "")
}

func scanNotification(s scanner) (*haven.Notification, error) {
	var n haven.Notification
	err := s.Scan(&n.ID, &n.RecipientID, &n.Kind, idCol{&n.ReportID}, idCol{&n.CallID}, &n.Message,
		timeCol{&n.CreatedAt}, timePtrCol{&n.ReadAt}, timePtrCol{&n.EmailedAt})
	if err != nil {
		return nil, err
	}
	return &n, nil
}

func (tx *tx) CreateNotification(ctx context.Context, n *haven.Notification) error {
	n.CreatedAt = stamp(n.CreatedAt, tx.now)
	id, err := tx.insert(ctx, qCreateNotification, n.RecipientID, n.Kind, idArg(n.ReportID), idArg(n.CallID),
		n.Message, n.CreatedAt, timePtrArg(n.ReadAt))
	if err != nil {
		return tx.db.failure("create notification", err, "", "")
	}
	n.ID = id
	return nil
}

func (tx *tx) NotificationByID(ctx context.Context, id int64) (*haven.Notification, error) {
	n, err := scanNotification(tx.queryRow(ctx, qNotificationByID, id))
	if err != nil {
		return nil, tx.db.failure("notification by id", err, noNotification, "")
	}
	return n, nil
}

func (tx *tx) ListNotifications(ctx context.Context, f haven.NotificationFilter) ([]*haven.Notification, error) {
	limit := f.Limit
	if limit <= 0 {
		limit = 100
	}
	unread := 0
	if f.Unread {
		unread = 1
	}
	ns, err := queryAll(ctx, tx, scanNotification, qListNotifications, f.RecipientID, unread, limit)
	return ns, tx.db.failure("list notifications", err, "", "")
}

func (tx *tx) CountUnreadNotifications(ctx context.Context, recipientID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, qCountUnreadNotifications, recipientID).Scan(&n)
	return n, tx.db.failure("count unread notifications", err, "", "")
}

func (tx *tx) MarkNotificationEmailed(ctx context.Context, id int64, at time.Time) error {
	return tx.db.failure("mark notification emailed", tx.execOne(ctx, qMarkNotificationEmailed, timeArg(at), id), noNotification, "")
}

func (tx *tx) MarkNotificationRead(ctx context.Context, id int64, at time.Time) error {
	return tx.db.failure("mark notification read", tx.execOne(ctx, qMarkNotificationRead, timeArg(at), id), noNotification, "")
}
