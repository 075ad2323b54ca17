package haven_test

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func TestOnlyAdministratorsAndSupervisorsMayListAccounts(t *testing.T) {
	for _, r := range haven.Roles {
		a := haven.Actor{UserID: 7, Username: "someone", Role: r, AgencyID: 3}
		want := r == haven.RoleAdmin || r == haven.RoleSupervisor
		if got := haven.CanListAccounts(a); got != want {
			t.Errorf("%s: CanListAccounts = %v, want %v", r, got, want)
		}
	}
	if !haven.CanListAccounts(sys) {
		t.Error("the operator may not list accounts")
	}
}

func TestAccountListFiltersByStateAndPages(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		ag := &haven.Agency{Name: "Fairview Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "VA"}
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
		admin, _ := addUser(t, svc, "ada", haven.RoleAdmin, 0)
		addUser(t, svc, "olive", haven.RoleOfficer, ag.ID)
		dan, _ := addUser(t, svc, "dan", haven.RoleAnalyst, 0)
		addUser(t, svc, "lou", haven.RoleHotline, 0)
		for range haven.LockoutThreshold {
			svc.SignInPassword(ctx, "lou", "wrong password!!", "", "")
		}
		if err := svc.SetUserDisabled(ctx, sys, dan.ID, true); err != nil {
			t.Fatal(err)
		}
		a := haven.Actor{UserID: admin.ID, Username: "ada", Role: haven.RoleAdmin}
		names := func(f haven.AccountFilter) (out []string, total int) {
			t.Helper()
			accs, total, err := svc.ListAccounts(ctx, a, f)
			if err != nil {
				t.Fatal(err)
			}
			for _, acc := range accs {
				out = append(out, acc.Username+":"+string(acc.State)+":"+acc.AgencyName)
			}
			return out, total
		}
		cases := []struct {
			f     haven.AccountFilter
			want  []string
			total int
		}{
			{haven.AccountFilter{}, []string{"ada:active:", "dan:disabled:", "lou:locked:", "olive:active:Fairview Police Department"}, 4},
			{haven.AccountFilter{State: haven.AccountLocked}, []string{"lou:locked:"}, 1},
			{haven.AccountFilter{State: haven.AccountActive}, []string{"ada:active:", "olive:active:Fairview Police Department"}, 2},
			{haven.AccountFilter{State: haven.AccountDisabled}, []string{"dan:disabled:"}, 1},
			{haven.AccountFilter{Role: haven.RoleOfficer}, []string{"olive:active:Fairview Police Department"}, 1},
			{haven.AccountFilter{Limit: 2, Offset: 1}, []string{"dan:disabled:", "lou:locked:"}, 4},
		}
		for _, tc := range cases {
			got, total := names(tc.f)
			if len(got) != len(tc.want) || total != tc.total {
				t.Errorf("%+v: %v (of %d), want %v (of %d)", tc.f, got, total, tc.want, tc.total)
				continue
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("%+v: %v, want %v", tc.f, got, tc.want)
					break
				}
			}
		}
		// The lockout ends with time: the account is active again.
		c.Advance(haven.LockoutDuration + time.Minute)
		if got, _ := names(haven.AccountFilter{State: haven.AccountLocked}); len(got) != 0 {
			t.Errorf("locked after the lockout ended: %v", got)
		}
		if _, _, err := svc.ListAccounts(ctx, a, haven.AccountFilter{State: "asleep"}); haven.ErrorField(err) != "state" {
			t.Errorf("unknown state: %v", err)
		}
		analyst := haven.Actor{UserID: dan.ID, Username: "dan", Role: haven.RoleAnalyst}
		if _, _, err := svc.ListAccounts(ctx, analyst, haven.AccountFilter{}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("analyst listing accounts: %v, want forbidden", err)
		}
	})
}

func TestIssuedTOTPIsForTheIssuingAdministratorUntilEnrolment(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		ada, _ := addUser(t, svc, "ada", haven.RoleAdmin, 0)
		abe, _ := addUser(t, svc, "abe", haven.RoleAdmin, 0)
		adaA := haven.Actor{UserID: ada.ID, Username: "ada", Role: haven.RoleAdmin}
		abeA := haven.Actor{UserID: abe.ID, Username: "abe", Role: haven.RoleAdmin}
		u, secret, err := svc.CreateUser(ctx, adaA, haven.NewUser{Username: "nia", Role: haven.RoleAnalyst, Password: pw})
		if err != nil {
			t.Fatal(err)
		}
		if got, _, err := svc.IssuedTOTP(ctx, adaA, u.ID); err != nil || got != secret {
			t.Fatalf("issuing administrator: %q, %v", got, err)
		}
		if _, _, err := svc.IssuedTOTP(ctx, abeA, u.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("another administrator: %v, want not found", err)
		}
		if _, _, err := svc.IssuedTOTP(ctx, haven.Actor{UserID: u.ID, Username: "nia", Role: haven.RoleAnalyst}, u.ID); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("the user themself: %v, want forbidden", err)
		}
		// A reset by the other administrator makes the key theirs.
		secret2, err := svc.ResetMFA(ctx, abeA, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := svc.IssuedTOTP(ctx, adaA, u.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("the first administrator after another's reset: %v, want not found", err)
		}
		if got, _, err := svc.IssuedTOTP(ctx, abeA, u.ID); err != nil || got != secret2 {
			t.Errorf("the resetting administrator: %q, %v", got, err)
		}
		signIn(t, svc, c, "nia", secret2)
		if _, _, err := svc.IssuedTOTP(ctx, abeA, u.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("after enrolment: %v, want not found", err)
		}
		denied, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "user.totp_secret", Outcome: haven.OutcomeDenied})
		if err != nil || len(denied) != 4 {
			t.Errorf("%d audited refusals, want 4 (%v)", len(denied), err)
		}
	})
}
