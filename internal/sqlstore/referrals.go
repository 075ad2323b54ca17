package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Referrals and their history (see haven.ReferralTx). Reads join the
// report's reference, the agency's name and the sender's name.

const referralColumns = `f.id, f.report_id, f.case_id, f.agency_id, f.state, f.outcome, f.outcome_note, f.note,
	f.sent_by, f.sent_at, f.received_at, f.acknowledged_at, f.acknowledged_by, f.outcome_at, f.outcome_by,
	f.escalated_at, f.transferred_to, f.transferred_from, f.package,
	COALESCE(rp.ref, ''), COALESCE(ag.name, ''), COALESCE(su.display_name, su.username, '')`

const referralFrom = `referrals f
	LEFT JOIN reports rp ON rp.id = f.report_id
	LEFT JOIN agencies ag ON ag.id = f.agency_id
	LEFT JOIN users su ON su.id = f.sent_by`

var (
	qCreateReferral = insertQuery(`INSERT INTO referrals (report_id, case_id, agency_id, state, outcome, outcome_note,
	note, sent_by, sent_at, received_at, acknowledged_at, acknowledged_by, outcome_at, outcome_by, escalated_at,
	transferred_to, transferred_from, package)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qReferralByID   = query(`SELECT ` + referralColumns + ` FROM ` + referralFrom + ` WHERE f.id = ?`)
	qOpenReferral   = query(`SELECT ` + referralColumns + ` FROM ` + referralFrom + ` WHERE f.report_id = ? AND f.agency_id = ? AND f.state IN ('sent', 'received', 'acknowledged')`)
	qUpdateReferral = query(`UPDATE referrals SET state = ?, outcome = ?, outcome_note = ?, received_at = ?,
	acknowledged_at = ?, acknowledged_by = ?, outcome_at = ?, outcome_by = ?, escalated_at = ?, transferred_to = ? WHERE id = ?`)
	qMarkReferralEscalated = query(`UPDATE referrals SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL`)
	qAddReferralEvent      = insertQuery(`INSERT INTO referral_events (referral_id, kind, at, actor_id, actor, message)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qListReferralEvents = query(`SELECT id, referral_id, kind, at, actor_id, actor, message FROM referral_events
	WHERE referral_id = ? ORDER BY id`)
)

const noReferral = "no such referral"

// A referral's sender is its creator.
var referralScope = scopeColumns{ID: "f.id", AgencyID: "f.agency_id", CreatedBy: "f.sent_by", State: "f.state"}

func scanReferral(s scanner) (*haven.Referral, error) {
	var r haven.Referral
	err := s.Scan(&r.ID, &r.ReportID, idCol{&r.CaseID}, &r.AgencyID, &r.State, &r.Outcome, &r.OutcomeNote, &r.Note,
		idCol{&r.SentBy}, timeCol{&r.SentAt}, timePtrCol{&r.ReceivedAt}, timePtrCol{&r.AcknowledgedAt}, idCol{&r.AcknowledgedBy},
		timePtrCol{&r.OutcomeAt}, idCol{&r.OutcomeBy}, timePtrCol{&r.EscalatedAt}, idCol{&r.TransferredTo}, idCol{&r.TransferredFrom},
		analysisJSONCol{&r.Package}, &r.ReportRef, &r.AgencyName, &r.SentByName)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (tx *tx) CreateReferral(ctx context.Context, r *haven.Referral) error {
	r.SentAt = stamp(r.SentAt, tx.now)
	pkg, err := json.Marshal(r.Package)
	if err != nil {
		return fmt.Errorf("sqlstore: create referral: %w", err)
	}
	id, err := tx.insert(ctx, qCreateReferral, r.ReportID, idArg(r.CaseID), r.AgencyID, string(r.State), string(r.Outcome),
		r.OutcomeNote, r.Note, idArg(r.SentBy), timeArg(r.SentAt), timePtrArg(r.ReceivedAt), timePtrArg(r.AcknowledgedAt),
		idArg(r.AcknowledgedBy), timePtrArg(r.OutcomeAt), idArg(r.OutcomeBy), timePtrArg(r.EscalatedAt), idArg(r.TransferredTo),
		idArg(r.TransferredFrom), string(pkg))
	if err != nil {
		return tx.db.failure("create referral", err, "", "this report already has an open referral to this agency")
	}
	r.ID = id
	return nil
}

func (tx *tx) ReferralByID(ctx context.Context, id int64) (*haven.Referral, error) {
	r, err := scanReferral(tx.queryRow(ctx, qReferralByID, id))
	if err != nil {
		return nil, tx.db.failure("referral by id", err, noReferral, "")
	}
	return r, nil
}

func (tx *tx) OpenReferral(ctx context.Context, reportID, agencyID int64) (*haven.Referral, error) {
	r, err := scanReferral(tx.queryRow(ctx, qOpenReferral, reportID, agencyID))
	if err != nil {
		return nil, tx.db.failure("open referral", err, noReferral, "")
	}
	return r, nil
}

func (tx *tx) UpdateReferral(ctx context.Context, r *haven.Referral) error {
	err := tx.execOne(ctx, qUpdateReferral, string(r.State), string(r.Outcome), r.OutcomeNote, timePtrArg(r.ReceivedAt),
		timePtrArg(r.AcknowledgedAt), idArg(r.AcknowledgedBy), timePtrArg(r.OutcomeAt), idArg(r.OutcomeBy),
		timePtrArg(r.EscalatedAt), idArg(r.TransferredTo), r.ID)
	return tx.db.failure("update referral", err, noReferral, "this report already has an open referral to this agency")
}

var referralListing = listing[*haven.Referral]{referralFrom, referralColumns, "f.sent_at DESC, f.id DESC", scanReferral}

func referralWhere(f haven.ReferralFilter) *where {
	w := &where{}
	w.scope(f.Scope, referralScope)
	eq(w, "f.state", string(f.State))
	eq(w, "f.agency_id", f.AgencyID)
	eq(w, "f.report_id", f.ReportID)
	if len(f.States) > 0 {
		qs, args := "", []any{}
		for i, st := range f.States {
			if i > 0 {
				qs += ", "
			}
			qs += "?"
			args = append(args, string(st))
		}
		w.add("f.state IN ("+qs+")", args...)
	}
	if f.SentBefore != nil {
		w.add("f.sent_at < ?", timeArg(*f.SentBefore))
	}
	if f.NotEscalated {
		w.add("f.escalated_at IS NULL")
	}
	if f.Escalated {
		w.add("f.escalated_at IS NOT NULL")
	}
	return w
}

func (tx *tx) ListReferrals(ctx context.Context, f haven.ReferralFilter) ([]*haven.Referral, error) {
	return list(ctx, tx, referralListing, referralWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountReferrals(ctx context.Context, f haven.ReferralFilter) (int, error) {
	return tx.countWhere(ctx, "referrals f", referralWhere(f))
}

func (tx *tx) MarkReferralEscalated(ctx context.Context, id int64, at time.Time) (bool, error) {
	res, err := tx.exec(ctx, qMarkReferralEscalated, timeArg(at), id)
	if err != nil {
		return false, tx.db.failure("mark referral escalated", err, "", "")
	}
	n, err := res.RowsAffected()
	return n == 1, tx.db.failure("mark referral escalated", err, "", "")
}

func (tx *tx) AddReferralEvent(ctx context.Context, e *haven.ReferralEvent) error {
	e.At = stamp(e.At, tx.now)
	id, err := tx.insert(ctx, qAddReferralEvent, e.ReferralID, string(e.Kind), timeArg(e.At), idArg(e.ActorID), e.Actor, e.Message)
	if err != nil {
		return tx.db.failure("add referral event", err, "", "")
	}
	e.ID = id
	return nil
}

func (tx *tx) ListReferralEvents(ctx context.Context, referralID int64) ([]*haven.ReferralEvent, error) {
	es, err := queryAll(ctx, tx, func(s scanner) (*haven.ReferralEvent, error) {
		var e haven.ReferralEvent
		if err := s.Scan(&e.ID, &e.ReferralID, &e.Kind, timeCol{&e.At}, idCol{&e.ActorID}, &e.Actor, &e.Message); err != nil {
			return nil, err
		}
		return &e, nil
	}, qListReferralEvents, referralID)
	return es, tx.db.failure("list referral events", err, "", "")
}
