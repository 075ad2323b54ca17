package haven

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/password"
)

// NewUser is what an administrator gives to create an account.
type NewUser struct {
	Username    string
	DisplayName string
	Email       string
	Role        Role
	AgencyID    int64
	Password    string
}

// CreateUser creates an account and issues its TOTP secret, which it returns
// (base32) for the administrator to hand over; the user proves it at the
// first sign-in. Only administrators (and the CLI) may create accounts.
func (s *Service) CreateUser(ctx context.Context, a Actor, nu NewUser) (*User, string, error) {
	if !CanKind(a, ActionCreate, KindUser) {
		return nil, "", s.deny(ctx, a, "user.create", KindUser, 0, forbidden("create accounts"))
	}
	u := &User{Username: NormalizeUsername(nu.Username), DisplayName: strings.TrimSpace(nu.DisplayName),
		Email: strings.TrimSpace(nu.Email), Role: nu.Role, AgencyID: nu.AgencyID}
	if err := ValidateUsername(u.Username); err != nil {
		return nil, "", err
	}
	if !u.Role.Valid() {
		return nil, "", FieldError("role", "unknown role %q; use one of %v", nu.Role, Roles)
	}
	if u.Role.NeedsAgency() && u.AgencyID == 0 {
		return nil, "", FieldError("agency", "a %s belongs to an agency: give one", u.Role.Label())
	}
	if err := ValidatePassword(nu.Password); err != nil {
		return nil, "", err
	}
	if u.DisplayName == "" {
		u.DisplayName = u.Username
	}
	hash, err := password.Hash(nu.Password, password.OWASP)
	if err != nil {
		return nil, "", err
	}
	u.PasswordHash = hash
	var secret string
	err = s.Store.Update(ctx, func(tx Tx) error {
		if u.AgencyID != 0 {
			if _, err := tx.AgencyByID(ctx, u.AgencyID); ErrorCode(err) == ENOTFOUND {
				return FieldError("agency", "there is no agency with id %d", u.AgencyID)
			} else if err != nil {
				return err
			}
		}
		if err := tx.CreateUser(ctx, u); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return FieldError("username", "the username %q is taken", u.Username)
			}
			return err
		}
		if secret, err = s.issueTOTP(u); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "user.create", OutcomeOK, KindUser, u.ID, "", fmt.Sprintf("role %s", u.Role))
	})
	if err != nil {
		return nil, "", err
	}
	return u, secret, nil
}

// issueTOTP gives u a fresh TOTP secret (stored encrypted, not yet enrolled)
// and returns it in base32.
func (s *Service) issueTOTP(u *User) (string, error) {
	key, err := totp.Generate(totp.GenerateOpts{Issuer: s.Issuer, AccountName: u.Username})
	if err != nil {
		return "", fmt.Errorf("totp: %w", err)
	}
	ct, err := s.Secrets.Encrypt([]byte(key.Secret()), totpAD(u.ID))
	if err != nil {
		return "", fmt.Errorf("encrypt totp secret: %w", err)
	}
	u.TOTPSecret, u.TOTPEnrolled, u.TOTPLastStep = ct, false, 0
	return key.Secret(), nil
}

func totpAD(userID int64) []byte { return []byte("user:" + strconv.FormatInt(userID, 10) + ":totp") }

// TOTPSecret returns the user's TOTP secret (base32) and the otpauth:// URL
// an authenticator app reads from a QR code. It is available only while the
// user has not yet enrolled: afterwards the secret never leaves the server.
func (s *Service) TOTPSecret(ctx context.Context, u *User) (secret, url string, err error) {
	if u.TOTPEnrolled {
		return "", "", Errorf(ECONFLICT, "Two-step sign-in is already set up for this account.")
	}
	pt, err := s.Secrets.Decrypt(u.TOTPSecret, totpAD(u.ID))
	if err != nil {
		return "", "", fmt.Errorf("decrypt totp secret: %w", err)
	}
	key, err := otp.NewKeyFromURL(fmt.Sprintf("otpauth://totp/%s:%s?secret=%s&issuer=%s&algorithm=SHA1&digits=6&period=30",
		s.Issuer, u.Username, pt, s.Issuer))
	if err != nil {
		return "", "", fmt.Errorf("totp url: %w", err)
	}
	return string(pt), key.URL(), nil
}

// ListUsers lists the accounts the actor may see.
func (s *Service) ListUsers(ctx context.Context, a Actor, f UserFilter) (users []*User, err error) {
	if !CanKind(a, ActionView, KindUser) {
		return nil, s.deny(ctx, a, "user.list", KindUser, 0, forbidden("list accounts"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		all, err := tx.ListUsers(ctx, f)
		for _, u := range all {
			if Can(a, ActionView, u.Resource()) {
				users = append(users, u)
			}
		}
		return err
	})
	return users, err
}

// UserByUsername returns an account for an administrator (or the CLI).
func (s *Service) UserByUsername(ctx context.Context, a Actor, username string) (u *User, err error) {
	err = s.Store.View(ctx, func(tx Tx) error {
		u, err = tx.UserByUsername(ctx, NormalizeUsername(username))
		return err
	})
	if err != nil {
		if ErrorCode(err) == ENOTFOUND {
			return nil, Errorf(ENOTFOUND, "No account named %q.", username)
		}
		return nil, err
	}
	if !Can(a, ActionView, u.Resource()) {
		return nil, s.deny(ctx, a, "user.view", KindUser, u.ID, hidden(KindUser))
	}
	return u, nil
}

// SetUserDisabled disables or re-enables an account; disabling ends its
// sessions at once. Administrators cannot disable themselves, and the last
// active administrator account cannot be disabled (nobody could undo it
// from the web).
func (s *Service) SetUserDisabled(ctx context.Context, a Actor, userID int64, disabled bool) error {
	action := "user.enable"
	if disabled {
		action = "user.disable"
	}
	return s.adminUser(ctx, a, userID, action, func(tx Tx, u *User) error {
		if disabled && u.ID == a.UserID {
			return Errorf(EINVALID, "You cannot disable your own account; ask another administrator.")
		}
		if disabled && u.Role == RoleAdmin && !u.Disabled {
			active := false
			n, err := tx.CountUsers(ctx, UserFilter{Role: RoleAdmin, Disabled: &active})
			if err != nil {
				return err
			}
			if n <= 1 {
				return Errorf(EINVALID, "This is the last active administrator account; create or enable another before disabling it.")
			}
		}
		u.Disabled = disabled
		if disabled {
			return tx.DeleteUserSessions(ctx, u.ID)
		}
		u.FailedLogins, u.LockedUntil = 0, nil
		return nil
	})
}

// ResetMFA issues a new TOTP secret for a user who lost their device, ends
// their sessions, and returns the secret for the administrator to hand over.
func (s *Service) ResetMFA(ctx context.Context, a Actor, userID int64) (secret string, err error) {
	err = s.adminUser(ctx, a, userID, "user.reset_mfa", func(tx Tx, u *User) error {
		if secret, err = s.issueTOTP(u); err != nil {
			return err
		}
		return tx.DeleteUserSessions(ctx, u.ID)
	})
	return secret, err
}

func (s *Service) adminUser(ctx context.Context, a Actor, userID int64, action string, change func(Tx, *User) error) error {
	if !CanKind(a, ActionAdmin, KindUser) {
		return s.deny(ctx, a, action, KindUser, userID, forbidden("administer accounts"))
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if err := change(tx, u); err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindUser, u.ID, "", u.Username)
	})
}

// SignIn is the result of a sign-in step: a new session token for the
// cookie, and what the user must do next.
type SignIn struct {
	Token string // the new session token (rotated at every step)
	User  *User
	// NeedsEnrollment is true when the user must set up TOTP before the
	// session is complete; otherwise, after the password step, a TOTP code
	// is due.
	NeedsEnrollment bool
	Complete        bool // true once both factors are proved
}

var errBadLogin = Errorf(EUNAUTHORIZED, "Wrong username or password.")

// SignInPassword checks a username and password. On success it opens a
// half-signed-in session that only the TOTP step can complete. Failures count
// towards the lockout; an unknown username costs the same time as a wrong
// password and answers alike.
func (s *Service) SignInPassword(ctx context.Context, username, pw, ip, userAgent string) (*SignIn, error) {
	now := s.now()
	a := Actor{Username: NormalizeUsername(username), IP: ip, Via: "web"}
	var u *User
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		u, err = tx.UserByUsername(ctx, a.Username)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		password.VerifyDummy(pw)
		return nil, s.failSignIn(ctx, a, nil, "auth.password", "unknown username")
	} else if err != nil {
		return nil, err
	}
	a.UserID, a.Role = u.ID, u.Role
	if u.Locked(now) {
		password.VerifyDummy(pw)
		return nil, s.deny(ctx, a, "auth.password", KindUser, u.ID, lockedError(u, now))
	}
	ok, err := password.Verify(u.PasswordHash, pw)
	if err != nil {
		return nil, fmt.Errorf("verify password: %w", err)
	}
	if !ok || u.Disabled {
		why := "wrong password"
		if u.Disabled {
			why = "account disabled"
		}
		return nil, s.failSignIn(ctx, a, u, "auth.password", why)
	}
	token := randomToken(32)
	sess := &Session{TokenHash: hashToken(token), UserID: u.ID, CreatedAt: now, LastSeenAt: now, IP: ip, UserAgent: truncate(userAgent, 300)}
	err = s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateSession(ctx, sess); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "auth.password", OutcomeOK, KindUser, u.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return &SignIn{Token: encodeToken(token), User: u, NeedsEnrollment: !u.TOTPEnrolled}, nil
}

func lockedError(u *User, now time.Time) *Error {
	mins := int(u.LockedUntil.Sub(now).Minutes()) + 1
	return Errorf(ELOCKED, "Too many failed sign-ins. This account is locked; try again in %d minutes or ask an administrator.", mins)
}

// failSignIn counts a failed sign-in step against u (locking the account at
// the threshold), audits it, and returns the error to show.
func (s *Service) failSignIn(ctx context.Context, a Actor, u *User, action, why string) error {
	now := s.now()
	var result error = errBadLogin
	if action == "auth.totp" {
		result = Errorf(EUNAUTHORIZED, "That code is not right, or it was already used. Enter the current code from your authenticator app.")
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		var id int64
		if u != nil {
			fresh, err := tx.UserByID(ctx, u.ID)
			if err != nil {
				return err
			}
			fresh.FailedLogins++
			if fresh.FailedLogins >= LockoutThreshold {
				until := now.Add(LockoutDuration)
				fresh.LockedUntil, fresh.FailedLogins = &until, 0
				why += "; account locked for 15 minutes"
				result = lockedError(fresh, now)
				if err := tx.DeleteUserSessions(ctx, fresh.ID); err != nil {
					return err
				}
			}
			if err := tx.UpdateUser(ctx, fresh); err != nil {
				return err
			}
			id = fresh.ID
		}
		return s.audit(ctx, tx, a, action, OutcomeFailed, KindUser, id, "", why)
	})
	if err != nil {
		return err
	}
	return result
}

// SignInTOTP completes a half-signed-in session with a TOTP code. For a user
// who has not enrolled, the first good code enrolls them. A code is accepted
// once: a replayed code (or an older one) is refused. The session token is
// rotated; the caller must set the new one.
func (s *Service) SignInTOTP(ctx context.Context, token, code, ip string) (*SignIn, error) {
	now := s.now()
	sess, u, err := s.session(ctx, token)
	if err != nil {
		return nil, err
	}
	if sess.MFAVerified {
		return nil, Errorf(ECONFLICT, "You are already signed in.")
	}
	a := Actor{UserID: u.ID, Username: u.Username, Role: u.Role, IP: ip, Via: "web"}
	if u.Locked(now) {
		return nil, s.deny(ctx, a, "auth.totp", KindUser, u.ID, lockedError(u, now))
	}
	secret, err := s.Secrets.Decrypt(u.TOTPSecret, totpAD(u.ID))
	if err != nil {
		return nil, fmt.Errorf("decrypt totp secret: %w", err)
	}
	step, ok := matchTOTP(string(secret), strings.TrimSpace(code), now)
	if !ok || step <= u.TOTPLastStep {
		why := "wrong code"
		if ok {
			why = "replayed code"
		}
		return nil, s.failSignIn(ctx, a, u, "auth.totp", why)
	}
	fresh := randomToken(32)
	action := "auth.signin"
	if !u.TOTPEnrolled {
		action = "auth.enroll"
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		cur, err := tx.UserByID(ctx, u.ID)
		if err != nil {
			return err
		}
		if step <= cur.TOTPLastStep { // a concurrent request used the code first
			return Errorf(EUNAUTHORIZED, "That code was already used. Enter the next code.")
		}
		cur.TOTPEnrolled, cur.TOTPLastStep, cur.FailedLogins, cur.LockedUntil, cur.LastLoginAt = true, step, 0, nil, &now
		if err := tx.UpdateUser(ctx, cur); err != nil {
			return err
		}
		u = cur
		sess.TokenHash, sess.MFAVerified, sess.LastSeenAt = hashToken(fresh), true, now
		if err := tx.UpdateSession(ctx, sess); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindUser, u.ID, "", "")
	})
	if err != nil {
		return nil, err
	}
	return &SignIn{Token: encodeToken(fresh), User: u, Complete: true}, nil
}

// matchTOTP checks code against the time steps around now (±1 step of 30 s
// for clock drift) and returns the matching step.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	if len(code) != 6 {
		return 0, false
	}
	opts := totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}
	for _, d := range []int64{0, -1, 1} {
		t := now.Add(time.Duration(d) * 30 * time.Second)
		want, err := totp.GenerateCodeCustom(secret, t, opts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return t.Unix() / 30, true
		}
	}
	return 0, false
}

// Authenticate returns the actor and session behind a session token. An
// expired, unknown or disabled user's session is EUNAUTHORIZED. A
// half-signed-in session (Session.MFAVerified false) is returned too: the
// caller lets it reach only the TOTP step.
func (s *Service) Authenticate(ctx context.Context, token, ip string) (Actor, *Session, error) {
	sess, u, err := s.session(ctx, token)
	if err != nil {
		return Actor{}, nil, err
	}
	now := s.now()
	if now.Sub(sess.LastSeenAt) > time.Minute { // touch at most once a minute: fewer writes, same idle timeout to the minute
		sess.LastSeenAt = now
		if err := s.Store.Update(ctx, func(tx Tx) error { return tx.UpdateSession(ctx, sess) }); err != nil {
			return Actor{}, nil, err
		}
	}
	a, err := s.actorFor(ctx, u, ip, "web")
	return a, sess, err
}

// session finds a live session and its user.
func (s *Service) session(ctx context.Context, token string) (*Session, *User, error) {
	raw, err := decodeToken(token)
	if err != nil {
		return nil, nil, Errorf(EUNAUTHORIZED, "Please sign in.")
	}
	var sess *Session
	var u *User
	err = s.Store.View(ctx, func(tx Tx) error {
		if sess, err = tx.SessionByTokenHash(ctx, hashToken(raw)); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, sess.UserID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, nil, Errorf(EUNAUTHORIZED, "Please sign in.")
	} else if err != nil {
		return nil, nil, err
	}
	if sess.Expired(s.now()) || u.Disabled {
		_ = s.Store.Update(ctx, func(tx Tx) error { return tx.DeleteSession(ctx, sess.ID) })
		return nil, nil, Errorf(EUNAUTHORIZED, "Your session has ended. Please sign in again.")
	}
	return sess, u, nil
}

// actorFor builds the actor for a signed-in user, with their agency's
// jurisdiction.
func (s *Service) actorFor(ctx context.Context, u *User, ip, via string) (Actor, error) {
	a := Actor{UserID: u.ID, Username: u.Username, Role: u.Role, AgencyID: u.AgencyID, IP: ip, Via: via}
	if u.AgencyID != 0 {
		err := s.Store.View(ctx, func(tx Tx) error {
			ag, err := tx.AgencyByID(ctx, u.AgencyID)
			if err == nil {
				a.Jurisdiction = ag.Jurisdiction()
			}
			return err
		})
		if err != nil {
			return Actor{}, err
		}
	}
	return a, nil
}

// SignOut ends the session behind token (no error if there is none).
func (s *Service) SignOut(ctx context.Context, token, ip string) error {
	sess, u, err := s.session(ctx, token)
	if err != nil {
		return nil
	}
	a := Actor{UserID: u.ID, Username: u.Username, Role: u.Role, IP: ip, Via: "web"}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.DeleteSession(ctx, sess.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "auth.signout", OutcomeOK, KindUser, u.ID, "", "")
	})
}

// CreateToken issues an API token for the user: it carries exactly that
// user's permissions, now and as they change. The token is returned once;
// only its hash is kept.
func (s *Service) CreateToken(ctx context.Context, a Actor, userID int64, name string) (string, error) {
	if !Can(a, ActionCreate, Resource{Kind: KindToken, ID: userID}) {
		return "", s.deny(ctx, a, "token.create", KindUser, userID, forbidden("issue API tokens"))
	}
	raw := randomToken(32)
	t := &APIToken{UserID: userID, Name: truncate(strings.TrimSpace(name), 100), TokenHash: hashToken(raw), CreatedAt: s.now()}
	err := s.Store.Update(ctx, func(tx Tx) error {
		u, err := tx.UserByID(ctx, userID)
		if err != nil {
			return err
		}
		if u.Disabled {
			return Errorf(EINVALID, "The account %q is disabled.", u.Username)
		}
		if err := tx.CreateToken(ctx, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "token.create", OutcomeOK, KindUser, userID, "", t.Name)
	})
	if err != nil {
		return "", err
	}
	return "hvn_" + encodeToken(raw), nil
}

// AuthenticateToken returns the actor behind an API token.
func (s *Service) AuthenticateToken(ctx context.Context, token, ip string) (Actor, error) {
	raw, err := decodeToken(strings.TrimPrefix(token, "hvn_"))
	if err != nil || !strings.HasPrefix(token, "hvn_") {
		return Actor{}, Errorf(EUNAUTHORIZED, "Invalid API token.")
	}
	var t *APIToken
	var u *User
	err = s.Store.View(ctx, func(tx Tx) error {
		if t, err = tx.TokenByHash(ctx, hashToken(raw)); err != nil {
			return err
		}
		u, err = tx.UserByID(ctx, t.UserID)
		return err
	})
	if err != nil || t.RevokedAt != nil || u.Disabled {
		if err != nil && ErrorCode(err) != ENOTFOUND {
			return Actor{}, err
		}
		return Actor{}, Errorf(EUNAUTHORIZED, "Invalid API token.")
	}
	if now := s.now(); t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute { // record use, at most once a minute
		if err := s.Store.Update(ctx, func(tx Tx) error { return tx.TouchToken(ctx, t.ID, now) }); err != nil {
			return Actor{}, err
		}
	}
	return s.actorFor(ctx, u, ip, "api")
}

func hashToken(raw []byte) []byte {
	h := sha256.Sum256(raw)
	return h[:]
}

func encodeToken(raw []byte) string { return base64.RawURLEncoding.EncodeToString(raw) }

func decodeToken(s string) ([]byte, error) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || len(b) != 32 {
		return nil, errors.New("malformed token")
	}
	return b, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}
