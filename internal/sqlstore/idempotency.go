package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qIdempotentResult = query(`SELECT request_hash, record_id FROM idempotency_keys WHERE actor_id = ? AND key = ?`)
	qRecordIdempotent = query(`INSERT INTO idempotency_keys (actor_id, key, request_hash, record_id, created_at)
	VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
)

func (tx *tx) IdempotentResult(ctx context.Context, actorID int64, key string) (string, int64, bool, error) {
	var hash string
	var id int64
	err := tx.queryRow(ctx, qIdempotentResult, actorID, key).Scan(&hash, &id)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, false, nil
	} else if err != nil {
		return "", 0, false, tx.db.failure("idempotent result", err, "", "")
	}
	return hash, id, true, nil
}

func (tx *tx) RecordIdempotent(ctx context.Context, actorID int64, key, requestHash string, recordID int64, at time.Time) error {
	res, err := tx.exec(ctx, qRecordIdempotent, actorID, key, requestHash, recordID, timeArg(at))
	if err != nil {
		return tx.db.failure("record idempotency key", err, "", "")
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.db.failure("record idempotency key", err, "", "")
	} else if n == 0 {
		return haven.Errorf(haven.ECONFLICT, "That idempotency key is recorded already.")
	}
	return nil
}
