package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qCreateSession = insertQuery(`INSERT INTO sessions (token_hash, user_id, mfa_verified, created_at,
	last_seen_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qSessionByTokenHash = query(`SELECT id, token_hash, user_id, mfa_verified, created_at,
	last_seen_at, ip, user_agent FROM sessions WHERE token_hash = ?`)
	qUpdateSession      = query(`UPDATE sessions SET token_hash = ?, mfa_verified = ?, last_seen_at = ? WHERE id = ?`)
	qDeleteSession      = query(`DELETE FROM sessions WHERE id = ?`)
	qDeleteUserSessions = query(`DELETE FROM sessions WHERE user_id = ?`)
)

const (
	noSession    = "no such session"
	sessionTaken = "that session token is already in use"
)

func (tx *tx) CreateSession(ctx context.Context, s *haven.Session) error {
	s.CreatedAt = stamp(s.CreatedAt, tx.now)
	s.LastSeenAt = stamp(s.LastSeenAt, tx.now)
	id, err := tx.insert(ctx, qCreateSession, bytesArg(s.TokenHash), s.UserID, s.MFAVerified,
		s.CreatedAt, s.LastSeenAt, s.IP, s.UserAgent)
	if err != nil {
		return tx.db.failure("create session", err, "", sessionTaken)
	}
	s.ID = id
	return nil
}

func (tx *tx) SessionByTokenHash(ctx context.Context, hash []byte) (*haven.Session, error) {
	var s haven.Session
	err := tx.queryRow(ctx, qSessionByTokenHash, bytesArg(hash)).Scan(&s.ID, bytesCol{&s.TokenHash},
		&s.UserID, &s.MFAVerified, timeCol{&s.CreatedAt}, timeCol{&s.LastSeenAt}, &s.IP, &s.UserAgent)
	if err != nil {
		return nil, tx.db.failure("session by token", err, noSession, "")
	}
	return &s, nil
}

func (tx *tx) UpdateSession(ctx context.Context, s *haven.Session) error {
	s.LastSeenAt = timeArg(s.LastSeenAt)
	err := tx.execOne(ctx, qUpdateSession, bytesArg(s.TokenHash), s.MFAVerified, s.LastSeenAt, s.ID)
	return tx.db.failure("update session", err, noSession, sessionTaken)
}

func (tx *tx) DeleteSession(ctx context.Context, id int64) error {
	return tx.db.failure("delete session", tx.execOne(ctx, qDeleteSession, id), noSession, "")
}

func (tx *tx) DeleteUserSessions(ctx context.Context, userID int64) error {
	_, err := tx.exec(ctx, qDeleteUserSessions, userID)
	return tx.db.failure("delete user sessions", err, "", "")
}
