package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Retention: the policy, legal holds, tombstones and the purge of a report
// (haven/retention.go, migration 00027).

const legalHoldColumns = `id, kind, target_id, reason, reference, placed_by, placed_at, released_by, released_at, release_reason`

// heldReport is true when an open legal hold covers report r.id: on the
// report, a case it is on, the ESP account that sent it, or a child it
// names or whose case it is on.
const heldReport = `EXISTS (SELECT 1 FROM legal_holds h WHERE h.released_at IS NULL AND (` + holdCovers + `))`

// purgeDue is the condition under which report r is due: closed, on the
// channel, last changed before the cutoff (and before the ESP cutoff if it
// came from an ESP finish), on no open case and under no open hold.
// Arguments: channel, closed before, ESP closed before.
const purgeDue = `r.status = 'closed' AND r.channel = ? AND r.updated_at < ?
	AND (r.updated_at < ? OR NOT EXISTS (SELECT 1 FROM esp_submissions es WHERE es.report_id = r.id))
	AND NOT EXISTS (SELECT 1 FROM case_reports cr JOIN cases c ON c.id = cr.case_id
		WHERE cr.report_id = r.id AND c.status <> 'closed')
	AND NOT ` + heldReport

var (
	qRetentionRules   = query(`SELECT channel, days, updated_by, updated_at FROM retention_rules ORDER BY channel`)
	qSetRetentionRule = query(`INSERT INTO retention_rules (channel, days, updated_by, updated_at) VALUES (?, ?, ?, ?)
	ON CONFLICT (channel) DO UPDATE SET days = excluded.days, updated_by = excluded.updated_by, updated_at = excluded.updated_at`)
	qCreateLegalHold = insertQuery(`INSERT INTO legal_holds (kind, target_id, reason, reference, placed_by, placed_at)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qLegalHoldByID      = query(`SELECT ` + legalHoldColumns + ` FROM legal_holds WHERE id = ?`)
	qReleaseLegalHold   = query(`UPDATE legal_holds SET released_by = ?, released_at = ?, release_reason = ? WHERE id = ? AND released_at IS NULL`)
	qReportLegalHolds   = query(`SELECT ` + legalHoldColumns + ` FROM legal_holds h WHERE h.id IN (SELECT h.id FROM reports r, legal_holds h WHERE r.id = ? AND h.released_at IS NULL AND (` + holdCovers + `)) ORDER BY h.placed_at, h.id`)
	qPurgeCandidates    = query(`SELECT r.id, r.ref, r.channel, r.received_at, r.updated_at FROM reports r WHERE ` + purgeDue + ` AND r.id > ? ORDER BY r.id LIMIT ?`)
	qSetReportStatus    = query(`UPDATE reports SET status = ?, updated_at = ? WHERE id = ?`)
	qCreateTombstone    = query(`INSERT INTO report_tombstones (report_id, ref, channel, received_at, closed_at, purged_at, rule) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qTombstoneByRef     = query(`SELECT report_id, ref, channel, received_at, closed_at, purged_at, rule FROM report_tombstones WHERE ref = ?`)
	qCountIdempotencyBy = query(`SELECT COUNT(*) FROM idempotency_keys WHERE created_at < ?`)
	qDeleteIdempotency  = query(`DELETE FROM idempotency_keys WHERE (actor_id, key) IN
	(SELECT actor_id, key FROM idempotency_keys WHERE created_at < ? ORDER BY created_at LIMIT ?)`)
	qPurgeBlobs = query(`SELECT blob_id FROM attachments WHERE report_id = ? UNION
	SELECT f.blob_id FROM esp_files f JOIN esp_submissions es ON es.id = f.submission_id WHERE es.report_id = ? AND f.blob_id <> ''`)
)

// holdCovers says that hold h covers report r.
const holdCovers = `(h.kind = 'report' AND h.target_id = r.id)
	OR (h.kind = 'case' AND h.target_id IN (SELECT cr.case_id FROM case_reports cr WHERE cr.report_id = r.id))
	OR (h.kind = 'esp_account' AND h.target_id IN (SELECT es.account_id FROM esp_submissions es WHERE es.report_id = r.id))
	OR (h.kind = 'child' AND (
		h.target_id IN (SELECT rp.child_id FROM report_people rp WHERE rp.report_id = r.id AND rp.child_id IS NOT NULL)
		OR h.target_id IN (SELECT c.child_id FROM case_reports cr JOIN cases c ON c.id = cr.case_id WHERE cr.report_id = r.id)))`

// purgeDeletes remove what belongs to a report, children before parents,
// each with the report's id as its only argument; deleting the report row
// then cascades to its places, people (and their person matches),
// identifiers (and their identifier links) and network membership.
var purgeDeletes = []string{
	query(`DELETE FROM report_supplement_attachments WHERE supplement_id IN (SELECT id FROM report_supplements WHERE report_id = ?)`),
	query(`DELETE FROM report_supplements WHERE report_id = ?`),
	query(`DELETE FROM tip_followups WHERE report_id = ?`),
	query(`DELETE FROM esp_files WHERE submission_id IN (SELECT id FROM esp_submissions WHERE report_id = ?)`),
	query(`DELETE FROM esp_submissions WHERE report_id = ?`),
	query(`DELETE FROM attachments WHERE report_id = ?`),
	query(`DELETE FROM notifications WHERE report_id = ?`),
	query(`DELETE FROM notifications WHERE call_id IN (SELECT id FROM calls WHERE report_id = ?)`),
	query(`DELETE FROM calls WHERE report_id = ?`),
	query(`DELETE FROM missing_episodes WHERE report_id = ?`),
	query(`UPDATE referrals SET transferred_to = NULL WHERE transferred_to IN (SELECT id FROM referrals WHERE report_id = ?)`),
	query(`UPDATE referrals SET transferred_from = NULL WHERE transferred_from IN (SELECT id FROM referrals WHERE report_id = ?)`),
	query(`DELETE FROM referral_events WHERE referral_id IN (SELECT id FROM referrals WHERE report_id = ?)`),
	query(`DELETE FROM referrals WHERE report_id = ?`),
	query(`DELETE FROM case_reports WHERE report_id = ?`),
}

var qDeleteReport = query(`DELETE FROM reports WHERE id = ?`)

func (tx *tx) SetReportStatus(ctx context.Context, id int64, status haven.ReportStatus, at time.Time) error {
	err := tx.execOne(ctx, qSetReportStatus, string(status), timeArg(at), id)
	return tx.db.failure("set report status", err, "no such report", "")
}

func (tx *tx) RetentionRules(ctx context.Context) ([]haven.RetentionRule, error) {
	rs, err := queryAll(ctx, tx, func(s scanner) (haven.RetentionRule, error) {
		var r haven.RetentionRule
		var ch string
		err := s.Scan(&ch, &r.Days, idCol{&r.UpdatedBy}, timeCol{&r.UpdatedAt})
		r.Channel = haven.Channel(ch)
		return r, err
	}, qRetentionRules)
	return rs, tx.db.failure("retention rules", err, "", "")
}

func (tx *tx) SetRetentionRule(ctx context.Context, r *haven.RetentionRule) error {
	_, err := tx.exec(ctx, qSetRetentionRule, string(r.Channel), r.Days, idArg(r.UpdatedBy), timeArg(r.UpdatedAt))
	return tx.db.failure("set retention rule", err, "", "")
}

func scanLegalHold(s scanner) (*haven.LegalHold, error) {
	var h haven.LegalHold
	var kind string
	if err := s.Scan(&h.ID, &kind, &h.TargetID, &h.Reason, &h.Reference, idCol{&h.PlacedBy}, timeCol{&h.PlacedAt},
		idCol{&h.ReleasedBy}, timePtrCol{&h.ReleasedAt}, &h.ReleaseReason); err != nil {
		return nil, err
	}
	h.Kind = haven.HoldKind(kind)
	return &h, nil
}

func (tx *tx) CreateLegalHold(ctx context.Context, h *haven.LegalHold) error {
	if h.Kind == haven.HoldReport && tx.postgres() {
		// Wait for (and then exclude) a purge of the report under way.
		var id int64
		if err := tx.queryRow(ctx, `SELECT id FROM reports WHERE id = ? FOR UPDATE`, h.TargetID).Scan(&id); err != nil {
			return tx.db.failure("lock held report", err, "no such report", "")
		}
	}
	id, err := tx.insert(ctx, qCreateLegalHold, string(h.Kind), h.TargetID, h.Reason, h.Reference, idArg(h.PlacedBy), timeArg(h.PlacedAt))
	if err != nil {
		return tx.db.failure("create legal hold", err, "", "")
	}
	h.ID = id
	return nil
}

func (tx *tx) LegalHoldByID(ctx context.Context, id int64) (*haven.LegalHold, error) {
	h, err := scanLegalHold(tx.queryRow(ctx, qLegalHoldByID, id))
	return h, tx.db.failure("legal hold", err, "no such legal hold", "")
}

func (tx *tx) ReleaseLegalHold(ctx context.Context, h *haven.LegalHold) error {
	err := tx.execOne(ctx, qReleaseLegalHold, idArg(h.ReleasedBy), timePtrArg(h.ReleasedAt), h.ReleaseReason, h.ID)
	if errors.Is(err, sql.ErrNoRows) {
		return tx.db.failure("release legal hold", haven.Errorf(haven.ECONFLICT, "That hold is released already."), "", "")
	}
	return tx.db.failure("release legal hold", err, "", "")
}

func (tx *tx) ListLegalHolds(ctx context.Context, f haven.LegalHoldFilter) ([]*haven.LegalHold, error) {
	q := `SELECT ` + legalHoldColumns + ` FROM legal_holds WHERE 1 = 1`
	var args []any
	if f.OpenOnly {
		q += ` AND released_at IS NULL`
	}
	if f.Kind != "" {
		q += ` AND kind = ?`
		args = append(args, string(f.Kind))
	}
	if f.TargetID != 0 {
		q += ` AND target_id = ?`
		args = append(args, f.TargetID)
	}
	limit := f.Limit
	if limit <= 0 || limit > 1000 {
		limit = 1000
	}
	q += ` ORDER BY placed_at DESC, id DESC LIMIT ?`
	args = append(args, limit)
	hs, err := queryAll(ctx, tx, scanLegalHold, q, args...)
	return hs, tx.db.failure("list legal holds", err, "", "")
}

func (tx *tx) ReportLegalHolds(ctx context.Context, reportID int64) ([]*haven.LegalHold, error) {
	hs, err := queryAll(ctx, tx, scanLegalHold, qReportLegalHolds, reportID)
	return hs, tx.db.failure("report legal holds", err, "", "")
}

func (tx *tx) PurgeCandidates(ctx context.Context, q haven.PurgeQuery) ([]haven.PurgeCandidate, error) {
	cs, err := queryAll(ctx, tx, func(s scanner) (haven.PurgeCandidate, error) {
		var c haven.PurgeCandidate
		var ch string
		err := s.Scan(&c.ReportID, &c.Ref, &ch, timeCol{&c.ReceivedAt}, timeCol{&c.ClosedAt})
		c.Channel = haven.Channel(ch)
		return c, err
	}, qPurgeCandidates, string(q.Channel), timeArg(q.ClosedBefore), timeArg(q.EspClosedBefore), q.AfterID, q.Limit)
	return cs, tx.db.failure("purge candidates", err, "", "")
}

func (tx *tx) PurgeReport(ctx context.Context, c haven.PurgeCandidate, q haven.PurgeQuery, t *haven.Tombstone) (blobs []string, err error) {
	defer func() { err = tx.db.failure("purge report", err, "the report is no longer due", "") }()
	// Re-check, under a lock of the row on PostgreSQL (SQLite has one
	// writer): a second node purging the same report waits here, then
	// finds it gone.
	check := `SELECT r.id FROM reports r WHERE r.id = ? AND ` + purgeDue
	if tx.postgres() {
		check += ` FOR UPDATE OF r`
	}
	var id int64
	if err := tx.queryRow(ctx, check, c.ReportID, string(q.Channel), timeArg(q.ClosedBefore), timeArg(q.EspClosedBefore)).Scan(&id); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, qPurgeBlobs, c.ReportID, c.ReportID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var b string
		if err := rows.Scan(&b); err != nil {
			rows.Close()
			return nil, err
		}
		if b != "" {
			blobs = append(blobs, b)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, d := range purgeDeletes {
		if _, err := tx.exec(ctx, d, c.ReportID); err != nil {
			return nil, err
		}
	}
	if !tx.postgres() {
		// PostgreSQL's search document is a column of the report row.
		if _, err := tx.exec(ctx, qUnindexReport, c.ReportID); err != nil {
			return nil, err
		}
	}
	if err := tx.execOne(ctx, qDeleteReport, c.ReportID); err != nil {
		return nil, err
	}
	if err := tx.execOne(ctx, qCreateTombstone, t.ReportID, t.Ref, string(t.Channel), timeArg(t.ReceivedAt),
		timeArg(t.ClosedAt), timeArg(t.PurgedAt), t.Rule); err != nil {
		return nil, err
	}
	return blobs, nil
}

func (tx *tx) TombstoneByRef(ctx context.Context, ref string) (*haven.Tombstone, error) {
	var t haven.Tombstone
	var ch string
	err := tx.queryRow(ctx, qTombstoneByRef, ref).Scan(&t.ReportID, &t.Ref, &ch, timeCol{&t.ReceivedAt},
		timeCol{&t.ClosedAt}, timeCol{&t.PurgedAt}, &t.Rule)
	if err != nil {
		return nil, tx.db.failure("tombstone", err, "no purged report has that reference", "")
	}
	t.Channel = haven.Channel(ch)
	return &t, nil
}

func (tx *tx) ExpiredIdempotencyKeys(ctx context.Context, before time.Time) (int, error) {
	var n int
	err := tx.queryRow(ctx, qCountIdempotencyBy, timeArg(before)).Scan(&n)
	return n, tx.db.failure("count expired idempotency keys", err, "", "")
}

func (tx *tx) DeleteIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error) {
	res, err := tx.exec(ctx, qDeleteIdempotency, timeArg(before), limit)
	if err != nil {
		return 0, tx.db.failure("delete idempotency keys", err, "", "")
	}
	n, err := res.RowsAffected()
	return int(n), tx.db.failure("delete idempotency keys", err, "", "")
}
