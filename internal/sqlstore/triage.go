package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"

	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Triage: the rules' decision and the supervisor's override are columns of
// reports (migrations 00017_triage.sql); reports.priority is the effective
// priority, written together with them.

var (
	// qLockReportTriage takes the report's row lock (PostgreSQL; SQLite
	// runs one write transaction at a time anyway).
	qLockReportTriage = query(`UPDATE reports SET triaged_at = triaged_at WHERE id = ?`)
	qReportExists     = query(`SELECT id FROM reports WHERE id = ?`)
	qTriageImminent   = query(`SELECT imminent_at FROM calls WHERE report_id = ? AND imminent = ?`)
	qTriagePhotos     = query(`SELECT COUNT(*) FROM attachments WHERE report_id = ? AND content_type LIKE 'image/%'`)

	// The missing episodes a report concerns: those it opened (open or
	// not), those of the children its people are matched to, and those
	// opened by the other reports of its network (open ones only).
	qTriageEpisodes = query(`SELECT e.id, e.child_id, e.report_id, r.ref, CAST(? AS TEXT), e.recovered_at IS NULL,
	e.from_care, e.le_told_at IS NOT NULL
	FROM missing_episodes e JOIN reports r ON r.id = e.report_id WHERE e.report_id = ?
	UNION ALL
	SELECT e.id, e.child_id, e.report_id, r.ref, CAST(? AS TEXT), e.recovered_at IS NULL, e.from_care, e.le_told_at IS NOT NULL
	FROM missing_episodes e JOIN reports r ON r.id = e.report_id
	WHERE e.recovered_at IS NULL AND e.report_id <> ? AND e.child_id IN (
		SELECT p.child_id FROM report_people p WHERE p.report_id = ? AND p.child_id IS NOT NULL
		UNION SELECT m.child_id FROM person_matches m JOIN report_people p ON p.id = m.report_person_id
		WHERE p.report_id = ? AND m.state = 'confirmed')
	UNION ALL
	SELECT e.id, e.child_id, e.report_id, r.ref, CAST(? AS TEXT), e.recovered_at IS NULL, e.from_care, e.le_told_at IS NOT NULL
	FROM report_network rn1 JOIN report_network rn2 ON rn2.network_id = rn1.network_id AND rn2.report_id <> rn1.report_id
	JOIN missing_episodes e ON e.report_id = rn2.report_id JOIN reports r ON r.id = e.report_id
	WHERE rn1.report_id = ? AND e.recovered_at IS NULL
	ORDER BY 1`)

	qReportTriage = query(`SELECT r.rules_priority, r.triage_rules, r.triage_version, r.triaged_at,
	r.override_priority, r.override_reason, r.override_by, r.override_at, COALESCE(u.username, '')
	FROM reports r LEFT JOIN users u ON u.id = r.override_by WHERE r.id = ?`)
	qSetReportTriage = query(`UPDATE reports SET rules_priority = ?, triage_rules = ?, triage_version = ?,
	triaged_at = ?, priority = ?, due_at = ? WHERE id = ?`)
	qSetPriorityOverride = query(`UPDATE reports SET override_priority = ?, override_reason = ?, override_by = ?,
	override_at = ?, priority = ?, due_at = ? WHERE id = ?`)

	qNetworkPeers = query(`SELECT rn2.report_id FROM report_network rn1
	JOIN report_network rn2 ON rn2.network_id = rn1.network_id
	WHERE rn1.report_id = ? AND rn2.report_id <> ? ORDER BY rn2.report_id LIMIT ?`)
	qReportsNotTriagedUnder = query(`SELECT id FROM reports
	WHERE id > ? AND ingested_at IS NOT NULL AND triage_version <> ? ORDER BY id LIMIT ?`)
	qReportsConcerningChild = query(`SELECT id FROM (
		SELECT report_id AS id FROM report_people WHERE child_id = ?
		UNION SELECT report_id FROM missing_episodes WHERE child_id = ?
		UNION SELECT rn2.report_id FROM missing_episodes e
		JOIN report_network rn1 ON rn1.report_id = e.report_id
		JOIN report_network rn2 ON rn2.network_id = rn1.network_id
		WHERE e.child_id = ?) x ORDER BY id LIMIT ?`)
)

func (tx *tx) TriageContext(ctx context.Context, reportID int64) (*haven.TriageContext, error) {
	c, err := tx.triageContext(ctx, reportID)
	return c, tx.db.failure("triage context", err, noReport, "")
}

func (tx *tx) triageContext(ctx context.Context, reportID int64) (*haven.TriageContext, error) {
	var id int64
	if err := tx.queryRow(ctx, qReportExists, reportID).Scan(&id); err != nil {
		return nil, err
	}
	c := &haven.TriageContext{}
	err := tx.queryRow(ctx, qTriageImminent, reportID, true).Scan(timePtrCol{&c.ImminentAt})
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	if c.ImminentAt == nil && err == nil {
		t := time.Time{} // flagged without a time (older rows): still flagged
		c.ImminentAt = &t
	}
	if err := tx.queryRow(ctx, qTriagePhotos, reportID).Scan(&c.Photos); err != nil {
		return nil, err
	}
	c.Episodes, err = queryAll(ctx, tx, func(s scanner) (haven.TriageEpisode, error) {
		var e haven.TriageEpisode
		err := s.Scan(&e.EpisodeID, &e.ChildID, &e.ReportID, &e.ReportRef, &e.Via, &e.Open, &e.FromCare, &e.LawEnforcementTold)
		return e, err
	}, qTriageEpisodes, haven.ViaThisReport, reportID, haven.ViaPerson, reportID, reportID, reportID, haven.ViaNetwork, reportID)
	if err != nil {
		return nil, err
	}
	return c, nil
}

func (tx *tx) LockReportTriage(ctx context.Context, reportID int64) error {
	return tx.db.failure("lock report", tx.execOne(ctx, qLockReportTriage, reportID), noReport, "")
}

func (tx *tx) ReportTriage(ctx context.Context, reportID int64) (*haven.Triage, *haven.PriorityOverride, error) {
	var (
		t       haven.Triage
		o       haven.PriorityOverride
		rules   string
		at, oAt *time.Time
	)
	err := tx.queryRow(ctx, qReportTriage, reportID).Scan(&t.Priority, &rules, &t.Version, timePtrCol{&at},
		&o.Priority, &o.Reason, idCol{&o.By}, timePtrCol{&oAt}, &o.ByName)
	if err != nil {
		return nil, nil, tx.db.failure("report triage", err, noReport, "")
	}
	var tp *haven.Triage
	if at != nil {
		t.At = *at
		if err := json.Unmarshal([]byte(rules), &t.Fired); err != nil {
			return nil, nil, tx.db.failure("report triage", err, "", "")
		}
		tp = &t
	}
	var op *haven.PriorityOverride
	if o.Priority != haven.PriorityNone && oAt != nil {
		o.At = *oAt
		op = &o
	}
	return tp, op, nil
}

func (tx *tx) SetReportTriage(ctx context.Context, reportID int64, t *haven.Triage, effective haven.Priority, dueAt *time.Time) error {
	fired := t.Fired
	if fired == nil {
		fired = []haven.FiredRule{}
	}
	b, err := json.Marshal(fired)
	if err == nil {
		err = tx.execOne(ctx, qSetReportTriage, int64(t.Priority), string(b), t.Version, timeArg(t.At),
			int64(effective), timePtrArg(dueAt), reportID)
	}
	return tx.db.failure("set report triage", err, noReport, "")
}

func (tx *tx) SetPriorityOverride(ctx context.Context, reportID int64, o *haven.PriorityOverride, dueAt *time.Time) error {
	err := tx.execOne(ctx, qSetPriorityOverride, int64(o.Priority), o.Reason, idArg(o.By), timeArg(o.At),
		int64(o.Priority), timePtrArg(dueAt), reportID)
	return tx.db.failure("set priority override", err, noReport, "")
}

func scanID(s scanner) (int64, error) {
	var id int64
	err := s.Scan(&id)
	return id, err
}

func (tx *tx) NetworkPeers(ctx context.Context, reportID int64, limit int) ([]int64, error) {
	ids, err := queryAll(ctx, tx, scanID, qNetworkPeers, reportID, reportID, limit)
	return ids, tx.db.failure("network peers", err, "", "")
}

func (tx *tx) ReportsConcerningChild(ctx context.Context, childID int64, limit int) ([]int64, error) {
	ids, err := queryAll(ctx, tx, scanID, qReportsConcerningChild, childID, childID, childID, limit)
	return ids, tx.db.failure("reports concerning child", err, "", "")
}

func (tx *tx) ReportsNotTriagedUnder(ctx context.Context, version string, afterID int64, limit int) ([]int64, error) {
	ids, err := queryAll(ctx, tx, scanID, qReportsNotTriagedUnder, afterID, version, limit)
	return ids, tx.db.failure("reports not triaged under", err, "", "")
}
