package haven_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// clock is a settable test clock.
type clock struct{ t time.Time }

func (c *clock) Now() time.Time          { return c.t }
func (c *clock) Advance(d time.Duration) { c.t = c.t.Add(d) }

// eachStore runs body once on a fresh SQLite database and once on a fresh
// PostgreSQL schema (skipped loudly without HAVEN_TEST_POSTGRES), each with
// a real key file and a settable clock: the services behave the same on both.
func eachStore(t *testing.T, body func(t *testing.T, svc *haven.Service, c *clock)) {
	t.Helper()
	open := map[string]func(t *testing.T) haven.Store{
		"sqlite": func(t *testing.T) haven.Store {
			st, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "haven.db"))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
		"postgres": func(t *testing.T) haven.Store {
			st, err := postgres.Open(context.Background(), pgtest.URL(t))
			if err != nil {
				t.Fatal(err)
			}
			return st
		},
	}
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			store := open[name](t)
			t.Cleanup(func() { store.Close() })
			k, _, err := keys.LoadOrCreate(filepath.Join(t.TempDir(), "haven.keys"))
			if err != nil {
				t.Fatal(err)
			}
			svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
			c := &clock{t: time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)}
			svc.Now = c.Now
			body(t, svc, c)
		})
	}
}

var sys = haven.System("test")

const pw = "a long enough passphrase"

func addUser(t *testing.T, svc *haven.Service, name string, role haven.Role, agency int64) (*haven.User, string) {
	t.Helper()
	u, secret, err := svc.CreateUser(context.Background(), sys, haven.NewUser{Username: name, Role: role, AgencyID: agency, Password: pw})
	if err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	return u, secret
}

// signIn goes through both steps and returns the session token.
func signIn(t *testing.T, svc *haven.Service, c *clock, name, secret string) string {
	t.Helper()
	ctx := context.Background()
	si, err := svc.SignInPassword(ctx, name, pw, "192.0.2.1", "test")
	if err != nil {
		t.Fatalf("password step: %v", err)
	}
	c.Advance(30 * time.Second) // a fresh TOTP step, so no code is reused across sign-ins
	code, _ := totp.GenerateCode(secret, c.Now())
	done, err := svc.SignInTOTP(ctx, si.Token, code, "192.0.2.1")
	if err != nil {
		t.Fatalf("totp step: %v", err)
	}
	return done.Token
}

func TestFiveFailedSignInsLockTheAccountForFifteenMinutes(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		for i := 0; i < 5; i++ {
			if _, err := svc.SignInPassword(ctx, "ana", "wrong password!!", "192.0.2.1", ""); haven.ErrorCode(err) == "" {
				t.Fatalf("attempt %d: wrong password accepted", i+1)
			}
		}
		_, err := svc.SignInPassword(ctx, "ana", pw, "192.0.2.1", "")
		if haven.ErrorCode(err) != haven.ELOCKED {
			t.Fatalf("right password during lockout: %v, want locked", err)
		}
		c.Advance(14 * time.Minute)
		if _, err := svc.SignInPassword(ctx, "ana", pw, "192.0.2.1", ""); haven.ErrorCode(err) != haven.ELOCKED {
			t.Fatalf("after 14 minutes: %v, want still locked", err)
		}
		c.Advance(2 * time.Minute)
		if _, err := svc.SignInPassword(ctx, "ana", pw, "192.0.2.1", ""); err != nil {
			t.Fatalf("after 16 minutes: %v, want the lock lifted", err)
		}
	})
}

func TestUnknownUserAndWrongPasswordAnswerAlike(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		_, e1 := svc.SignInPassword(ctx, "nobody", pw, "", "")
		_, e2 := svc.SignInPassword(ctx, "ana", "wrong password!!", "", "")
		if haven.ErrorMessage(e1) != haven.ErrorMessage(e2) || haven.ErrorCode(e1) != haven.EUNAUTHORIZED {
			t.Fatalf("unknown user: %v; wrong password: %v", e1, e2)
		}
	})
}

func TestTOTPEnrollsOnFirstSignInRotatesTheSessionAndRefusesReplay(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		_, secret := addUser(t, svc, "sam", haven.RoleSupervisor, 0)
		si, err := svc.SignInPassword(ctx, "sam", pw, "", "")
		if err != nil || !si.NeedsEnrollment {
			t.Fatalf("first sign-in: %+v, %v; want enrollment needed", si, err)
		}
		// A half-signed-in session is not a signed-in session for pages.
		if _, sess, err := svc.Authenticate(ctx, si.Token, ""); err != nil || sess.MFAVerified {
			t.Fatalf("half session: %+v %v", sess, err)
		}
		if _, err := svc.SignInTOTP(ctx, si.Token, "000000", ""); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("wrong code: %v", err)
		}
		code, _ := totp.GenerateCode(secret, c.Now())
		done, err := svc.SignInTOTP(ctx, si.Token, code, "")
		if err != nil || !done.Complete {
			t.Fatalf("right code: %v", err)
		}
		if done.Token == si.Token {
			t.Fatal("the session token did not rotate at sign-in")
		}
		if _, _, err := svc.Authenticate(ctx, si.Token, ""); err == nil {
			t.Fatal("the pre-sign-in token still works")
		}
		a, sess, err := svc.Authenticate(ctx, done.Token, "")
		if err != nil || !sess.MFAVerified || a.Role != haven.RoleSupervisor {
			t.Fatalf("signed-in session: %+v %+v %v", a, sess, err)
		}
		// The same code, seconds later, on a new sign-in: refused.
		si2, err := svc.SignInPassword(ctx, "sam", pw, "", "")
		if err != nil || si2.NeedsEnrollment {
			t.Fatalf("second sign-in: %+v %v", si2, err)
		}
		c.Advance(5 * time.Second)
		if _, err := svc.SignInTOTP(ctx, si2.Token, code, ""); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("replayed code: %v, want refused", err)
		}
	})
}

func TestSessionsEndAfterThirtyIdleMinutesAndTwelveHours(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		_, secret := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		tok := signIn(t, svc, c, "ana", secret)
		c.Advance(29 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, tok, ""); err != nil {
			t.Fatalf("after 29 idle minutes: %v", err)
		}
		c.Advance(31 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, tok, ""); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("after 31 idle minutes: %v, want ended", err)
		}

		tok = signIn(t, svc, c, "ana", secret)
		for elapsed := time.Duration(0); elapsed < 12*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
			c.Advance(20 * time.Minute)
			if _, _, err := svc.Authenticate(ctx, tok, ""); err != nil {
				t.Fatalf("active session ended after %v: %v", elapsed+20*time.Minute, err)
			}
		}
		c.Advance(25 * time.Minute)
		if _, _, err := svc.Authenticate(ctx, tok, ""); haven.ErrorCode(err) != haven.EUNAUTHORIZED {
			t.Fatalf("active session past 12 hours: %v, want ended", err)
		}
	})
}

func TestDisablingAnAccountEndsItsSessionsAndTokens(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		u, secret := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		tok := signIn(t, svc, c, "ana", secret)
		api, err := svc.CreateToken(ctx, sys, u.ID, "integration")
		if err != nil {
			t.Fatal(err)
		}
		if a, err := svc.AuthenticateToken(ctx, api, ""); err != nil || a.Role != haven.RoleAnalyst || a.UserID != u.ID {
			t.Fatalf("token: %+v %v", a, err)
		}
		if err := svc.SetUserDisabled(ctx, sys, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.Authenticate(ctx, tok, ""); err == nil {
			t.Fatal("a disabled user's session still works")
		}
		if _, err := svc.AuthenticateToken(ctx, api, ""); err == nil {
			t.Fatal("a disabled user's API token still works")
		}
		if _, err := svc.SignInPassword(ctx, "ana", pw, "", ""); err == nil {
			t.Fatal("a disabled user signed in")
		}
	})
}

func TestCreateUserRefusesBadInputAndChangesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		cases := []struct {
			name  string
			nu    haven.NewUser
			field string
		}{
			{"short password", haven.NewUser{Username: "bob", Role: haven.RoleAnalyst, Password: "short"}, "password"},
			{"unknown role", haven.NewUser{Username: "bob", Role: "boss", Password: pw}, "role"},
			{"officer without agency", haven.NewUser{Username: "bob", Role: haven.RoleOfficer, Password: pw}, "agency"},
			{"missing agency", haven.NewUser{Username: "bob", Role: haven.RoleOfficer, AgencyID: 99, Password: pw}, "agency"},
			{"taken username", haven.NewUser{Username: "ANA", Role: haven.RoleAnalyst, Password: pw}, "username"},
			{"bad username", haven.NewUser{Username: "b b", Role: haven.RoleAnalyst, Password: pw}, "username"},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				_, _, err := svc.CreateUser(ctx, sys, tc.nu)
				if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != tc.field {
					t.Fatalf("got %v, want invalid %s", err, tc.field)
				}
			})
		}
		users, err := svc.ListUsers(ctx, sys, haven.UserFilter{})
		if err != nil || len(users) != 1 {
			t.Fatalf("after bad input: %d users, %v; want only ana", len(users), err)
		}
	})
}

func TestRefusalsAreAuditedAndHiddenRecordsAnswerLikeMissingOnes(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		tx := &haven.Agency{Name: "Texas Department of Public Safety", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelState, State: "TX"}
		ok := &haven.Agency{Name: "Oklahoma State Bureau of Investigation", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelState, State: "OK"}
		for _, ag := range []*haven.Agency{tx, ok} {
			if err := svc.CreateAgency(ctx, sys, ag); err != nil {
				t.Fatal(err)
			}
		}
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, AgencyID: ok.ID,
			Narrative: "A caller saw a girl of about 15 at a truck stop with an older man who spoke for her.",
			Places:    []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}}}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		officer, _ := addUser(t, svc, "tex", haven.RoleOfficer, tx.ID)
		a := haven.Actor{UserID: officer.ID, Username: "tex", Role: haven.RoleOfficer, AgencyID: tx.ID, Jurisdiction: []string{"TX"}, Via: "web"}

		_, errHidden := svc.GetReport(ctx, a, r.ID, "")
		_, errMissing := svc.GetReport(ctx, a, r.ID+1000, "")
		if haven.ErrorCode(errHidden) != haven.ENOTFOUND || haven.ErrorMessage(errHidden) != haven.ErrorMessage(errMissing) {
			t.Fatalf("hidden: %v; missing: %v — they must answer alike", errHidden, errMissing)
		}
		if _, _, err := svc.ListAudit(ctx, a, haven.AuditFilter{}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("officer opening the audit log: %v, want forbidden", err)
		}
		denied, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Actor: "tex", Outcome: haven.OutcomeDenied})
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int{}
		for _, e := range denied {
			got[e.Action]++
		}
		if got["report.view"] != 2 || got["audit.view"] != 1 {
			t.Fatalf("denials in the audit log: %v; want 2 report.view and 1 audit.view", got)
		}
		// An analyst may read it, and the read is audited with the reason.
		_, secret := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		_ = secret
		an := haven.Actor{UserID: 99999, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		if _, err := svc.GetReport(ctx, an, r.ID, "triage"); err != nil {
			t.Fatal(err)
		}
		views, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.view", Outcome: haven.OutcomeOK, RecordID: r.ID})
		if len(views) != 1 || views[0].Reason != "triage" || views[0].Actor != "ana" {
			t.Fatalf("audited views: %+v", views)
		}
		if n, err := svc.VerifyAudit(ctx); err != nil || n < 8 {
			t.Fatalf("audit chain: %d entries, %v", n, err)
		}
	})
}

func TestTheLastAdministratorAndOnesOwnAccountCannotBeDisabled(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		first, _ := addUser(t, svc, "ada", haven.RoleAdmin, 0)
		if err := svc.SetUserDisabled(ctx, sys, first.ID, true); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("disabling the only administrator: %v", err)
		}
		second, _ := addUser(t, svc, "bob", haven.RoleAdmin, 0)
		bob := haven.Actor{UserID: second.ID, Username: "bob", Role: haven.RoleAdmin, Via: "web"}
		if err := svc.SetUserDisabled(ctx, bob, second.ID, true); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("an administrator disabling themselves: %v", err)
		}
		if err := svc.SetUserDisabled(ctx, bob, first.ID, true); err != nil {
			t.Fatalf("disabling one of two administrators: %v", err)
		}
		if err := svc.SetUserDisabled(ctx, sys, second.ID, true); haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("disabling the last active administrator: %v", err)
		}
	})
}
