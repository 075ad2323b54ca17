package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var accountTests = []test{
	{"a user round-trips with every field", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Reno PD", "NV")
		u := &haven.User{
			Username: "jdoe", DisplayName: "Jane Doe", Email: "jdoe@example.org", Role: haven.RoleOfficer,
			AgencyID: a.ID, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
			TOTPSecret: []byte{1, 2, 3, 0, 255}, TOTPEnrolled: true, TOTPLastStep: 59_000_001,
			Disabled: true, FailedLogins: 3, LockedUntil: ptr(at(10, 15, 0, 1)), LastLoginAt: ptr(at(9, 0, 0, 999_999)),
		}
		before := time.Now().Add(-time.Second)
		update(t, s, func(tx haven.Tx) error { return tx.CreateUser(ctx, u) })
		if u.ID == 0 || u.CreatedAt.Before(before) || !u.UpdatedAt.Equal(u.CreatedAt) {
			t.Fatalf("CreateUser set ID %d, CreatedAt %v, UpdatedAt %v", u.ID, u.CreatedAt, u.UpdatedAt)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "UserByID", u)(tx.UserByID(ctx, u.ID))
			is(t, "UserByUsername", u)(tx.UserByUsername(ctx, "jdoe"))
			return nil
		})
	}},

	{"a user without agency, secret or times keeps them zero", func(t *testing.T, s haven.Store) {
		u := mustUser(t, s, "analyst1", haven.RoleAnalyst, 0)
		view(t, s, func(tx haven.Tx) error {
			is(t, "UserByID", u)(tx.UserByID(context.Background(), u.ID))
			return nil
		})
	}},

	{"creating a user with a taken username is a conflict", func(t *testing.T, s haven.Store) {
		mustUser(t, s, "taken", haven.RoleAnalyst, 0)
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateUser(context.Background(), &haven.User{Username: "taken", Role: haven.RoleHotline})
		})
		wantCode(t, "CreateUser", err, haven.ECONFLICT)
	}},

	{"a missing user is not found", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.UserByID(ctx, 4242) })
		wantCode(t, "UserByID", err, haven.ENOTFOUND)
		_, err = viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.UserByUsername(ctx, "nobody") })
		wantCode(t, "UserByUsername", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error {
			return tx.UpdateUser(ctx, &haven.User{ID: 4242, Username: "nobody", Role: haven.RoleAnalyst})
		})
		wantCode(t, "UpdateUser", err, haven.ENOTFOUND)
	}},

	{"updating a user writes every mutable field", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "CPS Clark County", "NV")
		u := mustUser(t, s, "worker", haven.RoleHotline, 0)
		created := u.CreatedAt
		u.Username, u.DisplayName, u.Email, u.Role, u.AgencyID = "worker2", "W. Orker", "w@example.org", haven.RoleChildWelfare, a.ID
		u.PasswordHash, u.TOTPSecret, u.TOTPEnrolled, u.TOTPLastStep = "$argon2id$new", []byte("sealed"), true, 77
		u.Disabled, u.FailedLogins, u.LockedUntil, u.LastLoginAt = true, 5, ptr(at(11, 0, 0, 0)), ptr(at(10, 0, 0, 0))
		update(t, s, func(tx haven.Tx) error { return tx.UpdateUser(ctx, u) })
		if !u.CreatedAt.Equal(created) || u.UpdatedAt.Before(created) {
			t.Errorf("UpdateUser: CreatedAt %v (was %v), UpdatedAt %v", u.CreatedAt, created, u.UpdatedAt)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "UserByID after UpdateUser", u)(tx.UserByID(ctx, u.ID))
			return nil
		})
		// And back to zero values.
		u.AgencyID, u.TOTPSecret, u.LockedUntil, u.LastLoginAt, u.Disabled = 0, nil, nil, nil, false
		update(t, s, func(tx haven.Tx) error { return tx.UpdateUser(ctx, u) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "UserByID after clearing", u)(tx.UserByID(ctx, u.ID))
			return nil
		})
	}},

	{"renaming a user to a taken username is a conflict", func(t *testing.T, s haven.Store) {
		mustUser(t, s, "first", haven.RoleAnalyst, 0)
		u := mustUser(t, s, "second", haven.RoleAnalyst, 0)
		u.Username = "first"
		err := updateErr(s, func(tx haven.Tx) error { return tx.UpdateUser(context.Background(), u) })
		wantCode(t, "UpdateUser", err, haven.ECONFLICT)
	}},

	{"ListUsers filters by role, agency and disabled, by username, in pages", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Agency A", "CA")
		b := mustAgency(t, s, "Agency B", "OR")
		all := []*haven.User{
			mustUser(t, s, "eve", haven.RoleOfficer, a.ID),
			mustUser(t, s, "bob", haven.RoleAnalyst, 0),
			mustUser(t, s, "dan", haven.RoleOfficer, b.ID),
			mustUser(t, s, "amy", haven.RoleOfficer, a.ID),
			mustUser(t, s, "cat", haven.RoleAdmin, 0),
		}
		all[3].Disabled = true
		update(t, s, func(tx haven.Tx) error { return tx.UpdateUser(ctx, all[3]) })
		cases := []listCase[haven.UserFilter, string]{
			{"no filter", haven.UserFilter{}, []string{"amy", "bob", "cat", "dan", "eve"}},
			{"role", haven.UserFilter{Role: haven.RoleOfficer}, []string{"amy", "dan", "eve"}},
			{"agency", haven.UserFilter{AgencyID: a.ID}, []string{"amy", "eve"}},
			{"disabled", haven.UserFilter{Disabled: ptr(true)}, []string{"amy"}},
			{"enabled officers", haven.UserFilter{Role: haven.RoleOfficer, Disabled: ptr(false)}, []string{"dan", "eve"}},
			{"first page", haven.UserFilter{Limit: 2}, []string{"amy", "bob"}},
			{"second page", haven.UserFilter{Limit: 2, Offset: 2}, []string{"cat", "dan"}},
			{"offset alone", haven.UserFilter{Offset: 3}, []string{"dan", "eve"}},
		}
		checkLists(t, s, "ListUsers", cases, haven.Tx.ListUsers, haven.Tx.CountUsers, func(u *haven.User) string { return u.Username })
	}},

	{"a session round-trips by token hash and updates", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "sess", haven.RoleAnalyst, 0)
		se := &haven.Session{TokenHash: []byte("hash-1"), UserID: u.ID, CreatedAt: at(8, 0, 0, 1), LastSeenAt: at(8, 0, 0, 1), IP: "192.0.2.1", UserAgent: "Firefox"}
		update(t, s, func(tx haven.Tx) error { return tx.CreateSession(ctx, se) })
		if se.ID == 0 {
			t.Fatal("CreateSession did not set ID")
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "SessionByTokenHash", se)(tx.SessionByTokenHash(ctx, []byte("hash-1")))
			return nil
		})
		se.TokenHash, se.MFAVerified, se.LastSeenAt = []byte("hash-2"), true, at(8, 5, 0, 0)
		se.IP = "ignored" // UpdateSession writes only the token, MFA and last-seen time
		update(t, s, func(tx haven.Tx) error { return tx.UpdateSession(ctx, se) })
		se.IP = "192.0.2.1"
		view(t, s, func(tx haven.Tx) error {
			if _, err := tx.SessionByTokenHash(ctx, []byte("hash-1")); haven.ErrorCode(err) != haven.ENOTFOUND {
				t.Errorf("the old token still finds the session (%v)", err)
			}
			is(t, "SessionByTokenHash after UpdateSession", se)(tx.SessionByTokenHash(ctx, []byte("hash-2")))
			return nil
		})
	}},

	{"a session without times gets the transaction's time", func(t *testing.T, s haven.Store) {
		u := mustUser(t, s, "sess", haven.RoleAnalyst, 0)
		se := &haven.Session{TokenHash: []byte("h"), UserID: u.ID}
		update(t, s, func(tx haven.Tx) error { return tx.CreateSession(context.Background(), se) })
		if se.CreatedAt.IsZero() || !se.LastSeenAt.Equal(se.CreatedAt) {
			t.Errorf("CreatedAt %v, LastSeenAt %v", se.CreatedAt, se.LastSeenAt)
		}
	}},

	{"sessions are deleted one by one or all of a user's", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u1 := mustUser(t, s, "one", haven.RoleAnalyst, 0)
		u2 := mustUser(t, s, "two", haven.RoleAnalyst, 0)
		var ss []*haven.Session
		update(t, s, func(tx haven.Tx) error {
			for i, uid := range []int64{u1.ID, u1.ID, u1.ID, u2.ID} {
				se := &haven.Session{TokenHash: []byte{byte(i)}, UserID: uid}
				if err := tx.CreateSession(ctx, se); err != nil {
					return err
				}
				ss = append(ss, se)
			}
			return nil
		})
		update(t, s, func(tx haven.Tx) error { return tx.DeleteSession(ctx, ss[0].ID) })
		update(t, s, func(tx haven.Tx) error { return tx.DeleteUserSessions(ctx, u1.ID) })
		update(t, s, func(tx haven.Tx) error { return tx.DeleteUserSessions(ctx, u1.ID) }) // none left: not an error
		view(t, s, func(tx haven.Tx) error {
			for i, se := range ss {
				_, err := tx.SessionByTokenHash(ctx, se.TokenHash)
				if i < 3 {
					wantCode(t, "SessionByTokenHash of a deleted session", err, haven.ENOTFOUND)
				} else if err != nil {
					t.Errorf("another user's session was deleted: %v", err)
				}
			}
			return nil
		})
	}},

	{"a missing session is not found and a reused token is a conflict", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "sess", haven.RoleAnalyst, 0)
		update(t, s, func(tx haven.Tx) error {
			return tx.CreateSession(ctx, &haven.Session{TokenHash: []byte("dup"), UserID: u.ID})
		})
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateSession(ctx, &haven.Session{TokenHash: []byte("dup"), UserID: u.ID})
		})
		wantCode(t, "CreateSession with a used token", err, haven.ECONFLICT)
		_, err = viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.SessionByTokenHash(ctx, []byte("nope")) })
		wantCode(t, "SessionByTokenHash", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error { return tx.UpdateSession(ctx, &haven.Session{ID: 999, TokenHash: []byte("x")}) })
		wantCode(t, "UpdateSession", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error { return tx.DeleteSession(ctx, 999) })
		wantCode(t, "DeleteSession", err, haven.ENOTFOUND)
	}},

	{"an API token round-trips by hash and records its last use", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "bot", haven.RoleAnalyst, 0)
		tok := &haven.APIToken{UserID: u.ID, Name: "nightly import", TokenHash: []byte("tok-hash")}
		update(t, s, func(tx haven.Tx) error { return tx.CreateToken(ctx, tok) })
		if tok.ID == 0 || tok.CreatedAt.IsZero() {
			t.Fatalf("CreateToken set ID %d, CreatedAt %v", tok.ID, tok.CreatedAt)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "TokenByHash", tok)(tx.TokenByHash(ctx, []byte("tok-hash")))
			return nil
		})
		used := at(12, 30, 0, 250)
		update(t, s, func(tx haven.Tx) error { return tx.TouchToken(ctx, tok.ID, used) })
		tok.LastUsedAt = &used
		view(t, s, func(tx haven.Tx) error {
			is(t, "TokenByHash after TouchToken", tok)(tx.TokenByHash(ctx, []byte("tok-hash")))
			return nil
		})
	}},

	{"a missing API token is not found and a reused hash is a conflict", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u := mustUser(t, s, "bot", haven.RoleAnalyst, 0)
		revoked := at(1, 0, 0, 0)
		update(t, s, func(tx haven.Tx) error {
			return tx.CreateToken(ctx, &haven.APIToken{UserID: u.ID, TokenHash: []byte("same"), RevokedAt: &revoked})
		})
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateToken(ctx, &haven.APIToken{UserID: u.ID, TokenHash: []byte("same")})
		})
		wantCode(t, "CreateToken with a used hash", err, haven.ECONFLICT)
		_, err = viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.TokenByHash(ctx, []byte("other")) })
		wantCode(t, "TokenByHash", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error { return tx.TouchToken(ctx, 31337, time.Now()) })
		wantCode(t, "TouchToken", err, haven.ENOTFOUND)
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.TokenByHash(ctx, []byte("same"))
			if err != nil {
				return err
			}
			if got.RevokedAt == nil || !got.RevokedAt.Equal(revoked) {
				t.Errorf("RevokedAt = %v, want %v", got.RevokedAt, revoked)
			}
			return nil
		})
	}},
}

// viewAndGet runs get in a read-only transaction and returns its result.
func viewAndGet(s haven.Store, get func(tx haven.Tx) (any, error)) (any, error) {
	var v any
	err := s.View(context.Background(), func(tx haven.Tx) error {
		var err error
		v, err = get(tx)
		return err
	})
	return v, err
}
