package haven

import (
	"context"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// This file holds what the administration screens need beyond the account
// and agency services: the account list with agency names and states, one
// account for a screen, the issued TOTP secret for the administrator's QR
// code, the agency directory with its total, and a check for pages that
// offer an action before any record exists (a blank form).

// AccountState is an account's state as the account screens show it.
type AccountState string

// Account states. A disabled account is disabled whether or not it is also
// locked; a locked account is one locked out after failed sign-ins (until
// LockedUntil, or until an administrator enables it).
const (
	AccountActive   AccountState = "active"
	AccountDisabled AccountState = "disabled"
	AccountLocked   AccountState = "locked"
)

// AccountStates lists the states in the order screens show them.
var AccountStates = []AccountState{AccountActive, AccountDisabled, AccountLocked}

// Valid reports whether st is one of AccountStates.
func (st AccountState) Valid() bool {
	for _, x := range AccountStates {
		if x == st {
			return true
		}
	}
	return false
}

// StateAt returns the account's state at now.
func (u *User) StateAt(now time.Time) AccountState {
	switch {
	case u.Disabled:
		return AccountDisabled
	case u.Locked(now):
		return AccountLocked
	}
	return AccountActive
}

// Account is a user account as the account screens show it: the user, the
// name of their agency ("" when they belong to none) and their state now.
type Account struct {
	*User
	AgencyName string
	State      AccountState
}

// AccountFilter selects accounts in ListAccounts. Zero fields do not filter.
type AccountFilter struct {
	Role   Role
	State  AccountState
	Limit  int // at most this many accounts (0: all)
	Offset int // skip this many matching accounts first
}

// CanListAccounts reports whether the rules let the actor see accounts
// other than their own, which is what a list of accounts is for. Every
// staff member may view their own account (the Self rule), so
// CanKind(a, ActionView, KindUser) alone would admit everyone. The
// navigation and ListAccounts both ask this.
func CanListAccounts(a Actor) bool {
	sc := ScopeFor(a, ActionView, KindUser)
	if sc.All {
		return true
	}
	for _, c := range sc.Any {
		if c.ID == 0 { // a rule not limited to the actor's own account
			return true
		}
	}
	return false
}

// ListAccounts returns one page of the accounts the actor may see that match
// f, by username, with the number that match in all. An actor who may see
// no account but their own is refused (EFORBIDDEN), and the refusal is
// audited. An unknown role or state in f is EINVALID naming the field.
func (s *Service) ListAccounts(ctx context.Context, a Actor, f AccountFilter) (accounts []*Account, total int, err error) {
	if !CanListAccounts(a) {
		return nil, 0, s.deny(ctx, a, "user.list", KindUser, 0, forbidden("see the list of accounts"))
	}
	if f.Role != "" && !f.Role.Valid() {
		return nil, 0, FieldError("role", "unknown role %q; use one of %v", f.Role, Roles)
	}
	if f.State != "" && !f.State.Valid() {
		return nil, 0, FieldError("state", "unknown account state %q; use one of %v", f.State, AccountStates)
	}
	uf := UserFilter{Role: f.Role}
	switch f.State {
	case AccountDisabled:
		yes := true
		uf.Disabled = &yes
	case AccountActive, AccountLocked:
		no := false
		uf.Disabled = &no
	}
	now := s.now()
	err = s.Store.View(ctx, func(tx Tx) error {
		// Locked is a matter of time, not a column, so the store filters on
		// role and disabled and the page is cut here. Accounts number in the
		// hundreds or low thousands: reading them all is cheap.
		users, err := tx.ListUsers(ctx, uf)
		if err != nil {
			return err
		}
		names := map[int64]string{}
		for _, u := range users {
			st := u.StateAt(now)
			if !Can(a, ActionView, u.Resource()) || (f.State != "" && st != f.State) {
				continue
			}
			total++
			if total <= f.Offset || (f.Limit > 0 && len(accounts) >= f.Limit) {
				continue
			}
			acc := &Account{User: u, State: st}
			if acc.AgencyName, err = agencyName(ctx, tx, names, u.AgencyID); err != nil {
				return err
			}
			accounts = append(accounts, acc)
		}
		return nil
	})
	return accounts, total, err
}

// agencyName returns the name of agency id (memoised in names), "" for 0.
func agencyName(ctx context.Context, tx Tx, names map[int64]string, id int64) (string, error) {
	if id == 0 {
		return "", nil
	}
	if n, ok := names[id]; ok {
		return n, nil
	}
	ag, err := tx.AgencyByID(ctx, id)
	if err != nil {
		return "", fmt.Errorf("agency %d of an account: %w", id, err)
	}
	names[id] = ag.Name
	return ag.Name, nil
}

// Account returns one account for a screen that will do action to it:
// ActionView to show it, ActionAdmin to confirm a change to it. An actor
// whom no rule allows action on any account is refused (EFORBIDDEN); an
// account that does not exist, or that the rules do not let the actor act
// on, is ENOTFOUND. Refusals are audited as "user.<action>".
func (s *Service) Account(ctx context.Context, a Actor, id int64, action Action) (*Account, error) {
	auditAction := "user." + string(action)
	if !CanKind(a, action, KindUser) {
		what := "see this account"
		if action == ActionAdmin {
			what = "administer accounts"
		}
		return nil, s.deny(ctx, a, auditAction, KindUser, id, forbidden(what))
	}
	acc := &Account{}
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if acc.User, err = tx.UserByID(ctx, id); err != nil {
			return err
		}
		acc.AgencyName, err = agencyName(ctx, tx, map[int64]string{}, acc.AgencyID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, auditAction, KindUser, id, hidden(KindUser))
	} else if err != nil {
		return nil, err
	}
	if !Can(a, action, acc.Resource()) {
		return nil, s.deny(ctx, a, auditAction, KindUser, id, hidden(KindUser))
	}
	acc.State = acc.StateAt(s.now())
	return acc, nil
}

// IssuedTOTPWindow is how long after creating an account or resetting its
// two-step sign-in the administrator who did it may still fetch the new
// secret (for the QR code on their result page).
const IssuedTOTPWindow = time.Hour

// IssuedTOTP returns the TOTP secret (base32) and otpauth:// URL of an
// account that has not enrolled yet, only to the administrator who issued
// that secret (created the account, or last reset its two-step sign-in, as
// the audit log records) and only within IssuedTOTPWindow: so that their
// result page can show it as a QR code without the secret ever appearing in
// a URL. A non-administrator is refused (EFORBIDDEN); anyone else, later, or
// once the user has enrolled gets ENOTFOUND. Every answer is audited as
// "user.totp_secret".
func (s *Service) IssuedTOTP(ctx context.Context, a Actor, userID int64) (secret, url string, err error) {
	const action = "user.totp_secret"
	if !CanKind(a, ActionAdmin, KindUser) {
		return "", "", s.deny(ctx, a, action, KindUser, userID, forbidden("see two-step sign-in keys"))
	}
	gone := Errorf(ENOTFOUND, "This setup key is no longer available. To give the person a new one, reset their two-step sign-in.")
	var u *User
	var issued *AuditEvent
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		if u, err = tx.UserByID(ctx, userID); err != nil {
			return err
		}
		for _, act := range []string{"user.create", "user.reset_mfa"} {
			es, err := tx.ListAudit(ctx, AuditFilter{Action: act, Outcome: OutcomeOK, Kind: KindUser, RecordID: userID, Limit: 1})
			if err != nil {
				return err
			}
			if len(es) == 1 && (issued == nil || es[0].Seq > issued.Seq) {
				issued = es[0]
			}
		}
		return nil
	})
	if ErrorCode(err) == ENOTFOUND {
		return "", "", s.deny(ctx, a, action, KindUser, userID, hidden(KindUser))
	} else if err != nil {
		return "", "", err
	}
	switch {
	case !Can(a, ActionAdmin, u.Resource()):
		return "", "", s.deny(ctx, a, action, KindUser, userID, hidden(KindUser))
	case u.TOTPEnrolled:
		return "", "", s.deny(ctx, a, action, KindUser, userID, gone)
	case issued == nil || issued.ActorID != a.UserID || issued.Actor != actorName(a):
		return "", "", s.deny(ctx, a, action, KindUser, userID, gone)
	case s.now().Sub(issued.At) > IssuedTOTPWindow:
		return "", "", s.deny(ctx, a, action, KindUser, userID, gone)
	}
	if secret, url, err = s.TOTPSecret(ctx, u); err != nil {
		return "", "", err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindUser, userID, "", "shown to the issuing administrator")
	})
	if err != nil {
		return "", "", err
	}
	return secret, url, nil
}

// AgencyDirectory returns up to f.Limit agencies matching f, by name, with
// the number that match in all. An actor who may not see the directory is
// refused (EFORBIDDEN), and the refusal is audited.
func (s *Service) AgencyDirectory(ctx context.Context, a Actor, f AgencyFilter) (agencies []*Agency, total int, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, 0, s.deny(ctx, a, "agency.list", KindAgency, 0, forbidden("see the agency directory"))
	}
	// A NUL byte ends SQLite's LIKE pattern (matching every agency) and
	// PostgreSQL refuses it: no agency's name or code holds one.
	for name, v := range map[string]string{"q": f.Text, "state": f.State, "county": f.County, "kind": string(f.Kind), "level": string(f.Level), "status": string(f.Status)} {
		if strings.ContainsRune(v, 0) || !utf8.ValidString(v) {
			return nil, 0, FieldError(name, "%s is not valid text: it has a NUL byte or is not UTF-8", name)
		}
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		if agencies, err = tx.ListAgencies(ctx, f); err != nil {
			return err
		}
		total, err = tx.CountAgencies(ctx, f)
		return err
	})
	return agencies, total, err
}

// RequireKind returns nil when some rule lets the actor do action to records
// of kind, and otherwise EFORBIDDEN ("You are not allowed to <what>."),
// auditing the refusal as "<kind>.<action>", as the refusal of the action
// itself is. Pages that offer an action before any record exists (a blank
// "new account" form) ask it, so that the refusal is the service's and is
// recorded.
func (s *Service) RequireKind(ctx context.Context, a Actor, action Action, kind Kind, what string) error {
	if CanKind(a, action, kind) {
		return nil
	}
	return s.deny(ctx, a, string(kind)+"."+string(action), kind, 0, forbidden(what))
}
