package haven

import (
	"strings"
	"time"
	"unicode"
)

// User is a staff account. Passwords are stored only as argon2id PHC
// strings; the TOTP secret only encrypted (see SecretBox).
type User struct {
	ID           int64
	Username     string // unique, lower case
	DisplayName  string
	Email        string
	Role         Role
	AgencyID     int64 // 0 when the user belongs to no agency (clearinghouse staff)
	PasswordHash string
	TOTPSecret   []byte // AEAD ciphertext of the base32 secret; nil before a secret is issued
	TOTPEnrolled bool   // true once the user has proved a code from the secret
	TOTPLastStep int64  // the last accepted TOTP time step; codes at or before it are refused (no replay)
	Disabled     bool
	FailedLogins int        // consecutive failed sign-in steps
	LockedUntil  *time.Time // sign-in refused until then
	LastLoginAt  *time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Lockout policy: LockoutThreshold consecutive failures lock the account for
// LockoutDuration.
const (
	LockoutThreshold = 5
	LockoutDuration  = 15 * time.Minute
)

// Locked reports whether the user is locked out at now.
func (u *User) Locked(now time.Time) bool {
	return u.LockedUntil != nil && now.Before(*u.LockedUntil)
}

// UserFilter selects users in ListUsers and CountUsers. Zero fields do not filter.
type UserFilter struct {
	Role     Role
	AgencyID int64
	Disabled *bool
	Limit    int
	Offset   int
}

// NormalizeUsername lowercases and trims a username.
func NormalizeUsername(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ValidateUsername returns an EINVALID error unless name is 3–64 characters of
// letters, digits, '.', '-' and '_'.
func ValidateUsername(name string) error {
	if n := len(name); n < 3 || n > 64 {
		return FieldError("username", "a username has 3 to 64 characters")
	}
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '.' || r == '-' || r == '_') {
			return FieldError("username", "a username has only letters, digits, '.', '-' and '_'")
		}
	}
	return nil
}

// Password policy (NIST SP 800-63B): length, not composition rules.
const (
	MinPasswordLength = 12
	MaxPasswordLength = 256
)

// ValidatePassword returns an EINVALID error for a password outside the policy.
func ValidatePassword(pw string) error {
	n := len([]rune(pw))
	if n < MinPasswordLength {
		return FieldError("password", "a password needs at least %d characters", MinPasswordLength)
	}
	if n > MaxPasswordLength {
		return FieldError("password", "a password has at most %d characters", MaxPasswordLength)
	}
	return nil
}

// Session is a signed-in browser. The cookie carries a random token; only its
// SHA-256 is stored.
type Session struct {
	ID          int64
	TokenHash   []byte
	UserID      int64
	MFAVerified bool // false between the password step and the TOTP step
	CreatedAt   time.Time
	LastSeenAt  time.Time
	IP          string
	UserAgent   string
}

// Session lifetimes: a session ends after SessionIdleTimeout without a
// request, and SessionAbsoluteTimeout after it began, whichever comes first.
// A half-signed-in session (password done, TOTP not yet) lasts PendingMFATimeout.
const (
	SessionIdleTimeout     = 30 * time.Minute
	SessionAbsoluteTimeout = 12 * time.Hour
	PendingMFATimeout      = 10 * time.Minute
)

// Expired reports whether the session has ended at now.
func (s *Session) Expired(now time.Time) bool {
	if !s.MFAVerified && now.Sub(s.CreatedAt) > PendingMFATimeout {
		return true
	}
	return now.Sub(s.LastSeenAt) > SessionIdleTimeout || now.Sub(s.CreatedAt) > SessionAbsoluteTimeout
}

// APIToken lets a program call the JSON API as a user, with exactly that
// user's permissions. Only the token's SHA-256 is stored.
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	TokenHash  []byte
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}
