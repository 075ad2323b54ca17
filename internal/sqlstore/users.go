package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

const userColumns = `id, username, display_name, email, role, agency_id, password_hash,
	totp_secret, totp_enrolled, totp_last_step, disabled, failed_logins, locked_until,
	last_login_at, created_at, updated_at`

var (
	qCreateUser = insertQuery(`INSERT INTO users (username, display_name, email, role, agency_id,
	password_hash, totp_secret, totp_enrolled, totp_last_step, disabled, failed_logins,
	locked_until, last_login_at, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qUserByID       = query(`SELECT ` + userColumns + ` FROM users WHERE id = ?`)
	qUserByUsername = query(`SELECT ` + userColumns + ` FROM users WHERE username = ?`)
	qUpdateUser     = query(`UPDATE users SET username = ?, display_name = ?, email = ?, role = ?,
	agency_id = ?, password_hash = ?, totp_secret = ?, totp_enrolled = ?, totp_last_step = ?,
	disabled = ?, failed_logins = ?, locked_until = ?, last_login_at = ?, updated_at = ?
	WHERE id = ?`)
)

func scanUser(s scanner) (*haven.User, error) {
	var u haven.User
	err := s.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Email, &u.Role, idCol{&u.AgencyID},
		&u.PasswordHash, bytesCol{&u.TOTPSecret}, &u.TOTPEnrolled, &u.TOTPLastStep, &u.Disabled,
		&u.FailedLogins, timePtrCol{&u.LockedUntil}, timePtrCol{&u.LastLoginAt},
		timeCol{&u.CreatedAt}, timeCol{&u.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &u, nil
}

// userArgs are the mutable fields, in the order both qCreateUser and
// qUpdateUser take them.
func userArgs(u *haven.User) []any {
	var secret any
	if len(u.TOTPSecret) > 0 {
		secret = u.TOTPSecret
	}
	return []any{u.Username, u.DisplayName, u.Email, string(u.Role), idArg(u.AgencyID),
		u.PasswordHash, secret, u.TOTPEnrolled, u.TOTPLastStep, u.Disabled, u.FailedLogins,
		timePtrArg(u.LockedUntil), timePtrArg(u.LastLoginAt)}
}

const userTaken = "that username is taken"

func (tx *tx) CreateUser(ctx context.Context, u *haven.User) error {
	id, err := tx.insert(ctx, qCreateUser, append(userArgs(u), tx.now, tx.now)...)
	if err != nil {
		return tx.db.failure("create user", err, "", userTaken)
	}
	u.ID, u.CreatedAt, u.UpdatedAt = id, tx.now, tx.now
	return nil
}

func (tx *tx) UserByID(ctx context.Context, id int64) (*haven.User, error) {
	u, err := scanUser(tx.queryRow(ctx, qUserByID, id))
	return u, tx.db.failure("user by id", err, "no such user", "")
}

func (tx *tx) UserByUsername(ctx context.Context, username string) (*haven.User, error) {
	u, err := scanUser(tx.queryRow(ctx, qUserByUsername, username))
	return u, tx.db.failure("user by username", err, "no such user", "")
}

func (tx *tx) UpdateUser(ctx context.Context, u *haven.User) error {
	// A rename may clash with another user's name: the caller can go on.
	err := tx.guard(ctx, func() error {
		return tx.execOne(ctx, qUpdateUser, append(userArgs(u), tx.now, u.ID)...)
	})
	if err != nil {
		return tx.db.failure("update user", err, "no such user", userTaken)
	}
	u.UpdatedAt = tx.now
	return nil
}

func userWhere(f haven.UserFilter) *where {
	w := &where{}
	eq(w, "role", string(f.Role))
	eq(w, "agency_id", f.AgencyID)
	if f.Disabled != nil {
		w.add("disabled = ?", *f.Disabled)
	}
	return w
}

var userListing = listing[*haven.User]{"users", userColumns, "username", scanUser}

func (tx *tx) ListUsers(ctx context.Context, f haven.UserFilter) ([]*haven.User, error) {
	return list(ctx, tx, userListing, userWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountUsers(ctx context.Context, f haven.UserFilter) (int, error) {
	return tx.countWhere(ctx, "users", userWhere(f))
}
