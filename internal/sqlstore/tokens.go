package sqlstore

import (
	"context"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qCreateToken = insertQuery(`INSERT INTO api_tokens (user_id, name, token_hash, created_at,
	last_used_at, revoked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qTokenByHash = query(`SELECT id, user_id, name, token_hash, created_at, last_used_at,
	revoked_at FROM api_tokens WHERE token_hash = ?`)
	qTouchToken = query(`UPDATE api_tokens SET last_used_at = ? WHERE id = ?`)
)

const noToken = "no such API token"

func (tx *tx) CreateToken(ctx context.Context, t *haven.APIToken) error {
	t.CreatedAt = stamp(t.CreatedAt, tx.now)
	id, err := tx.insert(ctx, qCreateToken, t.UserID, t.Name, bytesArg(t.TokenHash), t.CreatedAt,
		timePtrArg(t.LastUsedAt), timePtrArg(t.RevokedAt))
	if err != nil {
		return tx.db.failure("create token", err, "", "that token is already in use")
	}
	t.ID = id
	return nil
}

func (tx *tx) TokenByHash(ctx context.Context, hash []byte) (*haven.APIToken, error) {
	var t haven.APIToken
	err := tx.queryRow(ctx, qTokenByHash, bytesArg(hash)).Scan(&t.ID, &t.UserID, &t.Name,
		bytesCol{&t.TokenHash}, timeCol{&t.CreatedAt}, timePtrCol{&t.LastUsedAt}, timePtrCol{&t.RevokedAt})
	if err != nil {
		return nil, tx.db.failure("token by hash", err, noToken, "")
	}
	return &t, nil
}

func (tx *tx) TouchToken(ctx context.Context, id int64, at time.Time) error {
	return tx.db.failure("touch token", tx.execOne(ctx, qTouchToken, timeArg(at), id), noToken, "")
}
