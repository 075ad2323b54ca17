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
	// qTakeAuditSeqs moves the head on by the number of events being
	// appended and returns the new seq with the hash it had. The UPDATE
	// locks the head row until the transaction ends, so concurrent appends
	// on PostgreSQL queue here (and re-read the head once the one before
	// them commits). That is why appends are queued and flushed as late as
	// possible, just before the commit: the lock is held for the INSERTs
	// and the commit only. A rolled-back append rolls the head back with
	// it, so seq has no gaps.
	qTakeAuditSeqs = query(`UPDATE audit_head SET seq = seq + ? WHERE id = 1 RETURNING seq, hash`)
	qSetAuditHash  = query(`UPDATE audit_head SET hash = ? WHERE id = 1`)
	qSetAuditHead  = query(`UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1`)
	qAuditHead     = query(`SELECT seq, hash FROM audit_head WHERE id = 1`)
	qInsertAudit   = query(`INSERT INTO audit_events (` + auditColumns + `)
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

// pendingAudit is an event queued by AppendAudit with the sealer to seal it.
type pendingAudit struct {
	e      *haven.AuditEvent
	sealer haven.Sealer
}

// auditHead is the chain head as a group-commit batch has moved it: the
// batch is one transaction on the only writer, so the head is read once,
// kept here, and written back once before the batch commits.
type auditHead struct {
	loaded, moved bool
	seq           int64
	hash          []byte
}

// AppendAudit stamps e.At with the transaction's time when it is zero and
// queues e; flushAudit chains and inserts the queue before the transaction
// commits (or before an audit read in the same transaction), which is when
// e.Seq, e.PrevHash and e.Hash are set.
func (tx *tx) AppendAudit(ctx context.Context, e *haven.AuditEvent, sealer haven.Sealer) error {
	if sealer == nil {
		return tx.db.failure("append audit", errors.New("no sealer"), "", "")
	}
	e.At = stamp(e.At, tx.now)
	tx.auditQueue = append(tx.auditQueue, pendingAudit{e, sealer})
	return nil
}

// flushAudit appends the queued events to the chain.
func (tx *tx) flushAudit(ctx context.Context) error {
	if len(tx.auditQueue) == 0 {
		return nil
	}
	if err := tx.appendAudit(ctx); err != nil {
		return tx.db.failure("append audit", err, "", "")
	}
	tx.auditQueue = tx.auditQueue[:0]
	return nil
}

func (tx *tx) appendAudit(ctx context.Context) error {
	n := int64(len(tx.auditQueue))
	var (
		seq  int64 // the seq before the first queued event
		prev []byte
	)
	switch h := tx.head; {
	case h == nil:
		var last int64
		if err := tx.queryRow(ctx, qTakeAuditSeqs, n).Scan(&last, bytesCol{&prev}); err != nil {
			return err
		}
		seq = last - n
	case !h.loaded:
		if err := tx.queryRow(ctx, qAuditHead).Scan(&seq, bytesCol{&prev}); err != nil {
			return err
		}
	default:
		seq, prev = h.seq, h.hash
	}
	for _, p := range tx.auditQueue {
		e := p.e
		seq++
		e.Seq, e.PrevHash = seq, prev
		mac, err := p.sealer.Seal(e.Canonical())
		if err != nil {
			return err
		}
		e.Hash, prev = mac, mac
		_, err = tx.exec(ctx, qInsertAudit, e.Seq, e.At, e.ActorID, e.Actor, string(e.Role), e.Via, e.IP,
			e.Action, e.Outcome, string(e.Kind), e.RecordID, e.Reason, e.Detail, bytesArg(e.PrevHash), bytesArg(e.Hash))
		if err != nil {
			return err
		}
	}
	if h := tx.head; h != nil {
		*h = auditHead{loaded: true, moved: true, seq: seq, hash: prev}
		return nil
	}
	_, err := tx.exec(ctx, qSetAuditHash, bytesArg(prev))
	return err
}

// writeAuditHead writes a batch's head back to the database.
func (tx *tx) writeAuditHead(ctx context.Context) error {
	if h := tx.head; h != nil && h.moved {
		if _, err := tx.exec(ctx, qSetAuditHead, h.seq, bytesArg(h.hash)); err != nil {
			return tx.db.failure("append audit", err, "", "")
		}
	}
	return nil
}

func (tx *tx) AuditHead(ctx context.Context) (int64, []byte, error) {
	if err := tx.flushAudit(ctx); err != nil {
		return 0, nil, err
	}
	if h := tx.head; h != nil && h.loaded {
		return h.seq, h.hash, nil // a group-commit batch writes it back at the end
	}
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
	if err := tx.flushAudit(ctx); err != nil {
		return nil, err
	}
	return list(ctx, tx, auditListing, tx.auditWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountAudit(ctx context.Context, f haven.AuditFilter) (int, error) {
	if err := tx.flushAudit(ctx); err != nil {
		return 0, err
	}
	return tx.countWhere(ctx, "audit_events", tx.auditWhere(f))
}

// ScanAudit calls fn for every event in seq order and returns fn's first
// error unchanged.
func (tx *tx) ScanAudit(ctx context.Context, fn func(*haven.AuditEvent) error) error {
	if err := tx.flushAudit(ctx); err != nil {
		return err
	}
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
