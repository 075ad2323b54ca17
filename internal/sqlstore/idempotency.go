package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qIdempotentResult = query(`SELECT request_hash, record_id, result FROM idempotency_keys WHERE actor_id = ? AND key = ?`)
	qRecordIdempotent = query(`INSERT INTO idempotency_keys (actor_id, key, request_hash, record_id, result, created_at)
	VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
)

func (tx *tx) IdempotentResult(ctx context.Context, actorID int64, key string) (string, int64, []byte, bool, error) {
	var hash string
	var id int64
	var result []byte
	err := tx.queryRow(ctx, qIdempotentResult, actorID, key).Scan(&hash, &id, &result)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, nil, false, nil
	} else if err != nil {
		return "", 0, nil, false, tx.db.failure("idempotent result", err, "", "")
	}
	return hash, id, result, true, nil
}

func (tx *tx) RecordIdempotent(ctx context.Context, actorID int64, key, requestHash string, recordID int64, result []byte, at time.Time) error {
	var res any
	if len(result) > 0 {
		res = result
	}
	r, err := tx.exec(ctx, qRecordIdempotent, actorID, key, requestHash, recordID, res, timeArg(at))
	if err != nil {
		return tx.db.failure("record idempotency key", err, "", "")
	}
	if n, err := r.RowsAffected(); err != nil {
		return tx.db.failure("record idempotency key", err, "", "")
	} else if n == 0 {
		return haven.Errorf(haven.ECONFLICT, "That idempotency key is recorded already.")
	}
	return nil
}
