package sqlstore

import (
	"context"
	"errors"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

const auditColumns = `seq, at, actor_id, actor, role, via, ip, action, outcome, kind,
	record_id, reason, detail, prev_hash, hash`

var (
	// qTakeAuditSeq moves the head to the next seq and returns it with the
	// previous hash. The UPDATE locks the head row until the transaction
	// ends, so concurrent appends on PostgreSQL queue here (and re-read the
	// head once the one before them commits); SQLite runs one writer at a
	// time anyway. A rolled-back append rolls the head back with it, so seq
	// has no gaps.
	qTakeAuditSeq = query(`UPDATE audit_head SET seq = seq + 1 WHERE id = 1 RETURNING seq, hash`)
	qSetAuditHash = query(`UPDATE audit_head SET hash = ? WHERE id = 1`)
	qAuditHead    = query(`SELECT seq, hash FROM audit_head WHERE id = 1`)
	qInsertAudit  = query(`INSERT INTO audit_events (` + auditColumns + `)
	VALUES (` + placeholders(15) + `)`)
	qScanAudit = query(`SELECT ` + auditColumns + ` FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ?`)
)

// scanAuditBatch is how many events ScanAudit reads per query. Reading in
// batches keeps no result set open while fn runs, so fn may use the
// transaction.
const scanAuditBatch = 500

func scanAudit(s scanner) (*haven.AuditEvent, error) {
	var e haven.AuditEvent
	err := s.Scan(&e.Seq, timeCol{&e.At}, &e.ActorID, &e.Actor, &e.Role, &e.Via, &e.IP, &e.Action,
		&e.Outcome, &e.Kind, &e.RecordID, &e.Reason, &e.Detail, bytesCol{&e.PrevHash}, bytesCol{&e.Hash})
	if err != nil {
		return nil, err
	}
	return &e, nil
}

// AppendAudit stamps e.At with the transaction's time when it is zero.
func (tx *tx) AppendAudit(ctx context.Context, e *haven.AuditEvent, sealer haven.Sealer) error {
	if err := tx.appendAudit(ctx, e, sealer); err != nil {
		return tx.db.failure("append audit", err, "", "")
	}
	return nil
}

func (tx *tx) appendAudit(ctx context.Context, e *haven.AuditEvent, sealer haven.Sealer) error {
	if sealer == nil {
		return errors.New("no sealer")
	}
	var prev []byte
	if err := tx.queryRow(ctx, qTakeAuditSeq).Scan(&e.Seq, bytesCol{&prev}); err != nil {
		return err
	}
	e.PrevHash = prev
	e.At = stamp(e.At, tx.now)
	mac, err := sealer.Seal(e.Canonical())
	if err != nil {
		return err
	}
	e.Hash = mac
	_, err = tx.exec(ctx, qInsertAudit, e.Seq, e.At, e.ActorID, e.Actor, string(e.Role), e.Via, e.IP,
		e.Action, e.Outcome, string(e.Kind), e.RecordID, e.Reason, e.Detail, bytesArg(e.PrevHash), bytesArg(e.Hash))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, qSetAuditHash, bytesArg(e.Hash))
	return err
}

func (tx *tx) AuditHead(ctx context.Context) (int64, []byte, error) {
	var (
		seq  int64
		hash []byte
	)
	err := tx.queryRow(ctx, qAuditHead).Scan(&seq, bytesCol{&hash})
	if err != nil {
		return 0, nil, tx.db.failure("audit head", err, "", "")
	}
	return seq, hash, nil
}

func (tx *tx) auditWhere(f haven.AuditFilter) *where {
	w := &where{}
	eq(w, "actor", f.Actor)
	if prefix, ok := strings.CutSuffix(f.Action, "."); ok {
		cond, arg := tx.db.d.PrefixMatch("action", prefix+".")
		w.add(cond, arg)
	} else {
		eq(w, "action", f.Action)
	}
	eq(w, "outcome", f.Outcome)
	eq(w, "kind", string(f.Kind))
	eq(w, "record_id", f.RecordID)
	w.between("at", f.From, f.To)
	return w
}

var auditListing = listing[*haven.AuditEvent]{"audit_events", auditColumns, "seq DESC", scanAudit}

func (tx *tx) ListAudit(ctx context.Context, f haven.AuditFilter) ([]*haven.AuditEvent, error) {
	return list(ctx, tx, auditListing, tx.auditWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountAudit(ctx context.Context, f haven.AuditFilter) (int, error) {
	return tx.countWhere(ctx, "audit_events", tx.auditWhere(f))
}

// ScanAudit calls fn for every event in seq order and returns fn's first
// error unchanged.
func (tx *tx) ScanAudit(ctx context.Context, fn func(*haven.AuditEvent) error) error {
	var after int64
	for {
		es, err := queryAll(ctx, tx, scanAudit, qScanAudit, after, scanAuditBatch)
		if err != nil {
			return tx.db.failure("scan audit", err, "", "")
		}
		for _, e := range es {
			if err := fn(e); err != nil {
				return err
			}
			after = e.Seq
		}
		if len(es) < scanAuditBatch {
			return nil
		}
	}
}
