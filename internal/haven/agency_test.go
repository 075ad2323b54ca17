package haven_test

import (
	"context"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// travis is a valid county-level agency the validation cases change one
// thing of.
func travis() *haven.Agency {
	return &haven.Agency{Name: "Example County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal,
		State: "TX", Counties: []string{"48453"}, ZIPs: []string{"78701"}, Phone24x7: "512-555-0140"}
}

func TestAgencyValidationNamesTheFieldAndTheValue(t *testing.T) {
	cases := []struct {
		name        string
		change      func(a *haven.Agency)
		field, want string // want is part of the message; field "" means valid
	}{
		{"a county agency with a 24/7 line is valid", func(a *haven.Agency) {}, "", ""},
		{"a county given as state and name is resolved", func(a *haven.Agency) { a.Counties = []string{"TX:Travis"} }, "", ""},
		{"a county given as name, state is resolved", func(a *haven.Agency) { a.Counties = []string{"Travis County, TX"} }, "", ""},
		{"a ZIP+4 is cut to five digits", func(a *haven.Agency) { a.ZIPs = []string{"78701-1234"} }, "", ""},
		{"an unknown county FIPS is named", func(a *haven.Agency) { a.Counties = []string{"99999"} }, "counties", `"99999"`},
		{"an unknown county name is named", func(a *haven.Agency) { a.Counties = []string{"TX:Atlantis"} }, "counties", `"TX:Atlantis"`},
		{"an unknown ZIP is named", func(a *haven.Agency) { a.ZIPs = []string{"00000"} }, "zips", `"00000"`},
		{"a ZIP that is not one is named", func(a *haven.Agency) { a.ZIPs = []string{"7870"} }, "zips", `"7870"`},
		{"an unknown state is named", func(a *haven.Agency) { a.States = []string{"XX"} }, "states", `"XX"`},
		{"law enforcement needs a 24/7 line", func(a *haven.Agency) { a.Phone24x7, a.Email = "", "desk@example.com" }, "phone_24x7", "24/7"},
		{"child welfare needs a 24/7 line", func(a *haven.Agency) { a.Kind, a.Phone24x7, a.Email = haven.AgencyChildWelfare, "", "cps@example.com" }, "phone_24x7", "24/7"},
		{"a deactivated agency needs no 24/7 line", func(a *haven.Agency) { a.Phone24x7, a.Email, a.Inactive = "", "desk@example.com", true }, "", ""},
		{"a task force may do without a 24/7 line", func(a *haven.Agency) { a.Kind, a.Phone24x7, a.Email = haven.AgencyTaskForce, "", "icac@example.com" }, "", ""},
		{"every agency needs a way to reach it", func(a *haven.Agency) { a.Kind, a.Phone24x7 = haven.AgencyServiceProvider, "" }, "email", "way to reach"},
		{"a contact is a way to reach it", func(a *haven.Agency) {
			a.Kind, a.Phone24x7 = haven.AgencyServiceProvider, ""
			a.Contacts = []haven.AgencyContact{{Name: "Ana Cole", Email: "ana@example.com"}}
		}, "", ""},
		{"a contact needs a name", func(a *haven.Agency) { a.Contacts = []haven.AgencyContact{{Phone: "512-555-0142"}} }, "contacts", "name"},
		{"a contact needs a phone or email", func(a *haven.Agency) { a.Contacts = []haven.AgencyContact{{Name: "Ana Cole", Title: "Sergeant"}} }, "contacts", "Ana Cole"},
		{"a bad contact email is named", func(a *haven.Agency) { a.Contacts = []haven.AgencyContact{{Name: "Ana Cole", Email: "ana at example"}} }, "contacts", `"ana at example"`},
		{"a 24/7 line that is no phone number is named", func(a *haven.Agency) { a.Phone24x7 = "call us" }, "phone_24x7", `"call us"`},
		{"an unknown kind is named", func(a *haven.Agency) { a.Kind = "militia" }, "kind", `"militia"`},
		{"a tribal agency may cover counties in two states", func(a *haven.Agency) {
			a.Level, a.State, a.Counties = haven.LevelTribal, "AZ", []string{"04001", "35031"}
		}, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			a := travis()
			c.change(a)
			a.Normalize()
			err := a.Validate()
			if c.field == "" {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				return
			}
			if haven.ErrorField(err) != c.field || !strings.Contains(haven.ErrorMessage(err), c.want) {
				t.Fatalf("error %v (field %q), want field %q mentioning %s", err, haven.ErrorField(err), c.field, c.want)
			}
		})
	}
}

func TestAnAgencysJurisdictionAsAuthorisationAndRoutingSeeIt(t *testing.T) {
	cases := []struct {
		name       string
		a          haven.Agency
		statewide  []string
		authz      []string // nil: nationwide
		nationwide bool
	}{
		{"a local agency with nothing listed covers its home state", haven.Agency{Level: haven.LevelLocal, State: "VA"}, []string{"VA"}, []string{"VA"}, false},
		{"a federal agency with nothing listed is nationwide", haven.Agency{Level: haven.LevelFederal, State: "DC"}, nil, nil, true},
		{"a federal field office listing states covers them", haven.Agency{Level: haven.LevelFederal, State: "CA", States: []string{"CA", "NV"}}, []string{"CA", "NV"}, []string{"CA", "NV"}, false},
		{"a county agency covers no state whole, and sees its counties' states", haven.Agency{Level: haven.LevelLocal, State: "TX", Counties: []string{"48453"}}, nil, []string{"TX"}, false},
		{"a tribal agency sees every state its counties lie in", haven.Agency{Level: haven.LevelTribal, State: "AZ", Counties: []string{"35031", "04001"}}, nil, []string{"AZ", "NM"}, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.a.StateWide(); strings.Join(got, ",") != strings.Join(c.statewide, ",") {
				t.Errorf("StateWide = %v, want %v", got, c.statewide)
			}
			if got := c.a.Jurisdiction(); strings.Join(got, ",") != strings.Join(c.authz, ",") || (got == nil) != (c.authz == nil) {
				t.Errorf("Jurisdiction = %v, want %v", got, c.authz)
			}
			if c.a.Nationwide() != c.nationwide {
				t.Errorf("Nationwide = %v", c.a.Nationwide())
			}
		})
	}
}

func TestOnlyAdministratorsChangeTheDirectoryAndEveryChangeIsAudited(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		adminUser, _ := addUser(t, svc, "ada", haven.RoleAdmin, 0)
		analystUser, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		admin := haven.Actor{UserID: adminUser.ID, Username: "ada", Role: haven.RoleAdmin, Via: "web"}
		analyst := haven.Actor{UserID: analystUser.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}

		ag := travis()
		if err := svc.CreateAgency(ctx, analyst, ag); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("an analyst created an agency: %v", err)
		}
		if err := svc.CreateAgency(ctx, admin, ag); err != nil {
			t.Fatal(err)
		}
		// Every staff role reads it, jurisdiction included.
		got, err := svc.Agency(ctx, analyst, ag.ID)
		if err != nil || strings.Join(got.Counties, ",") != "48453" || strings.Join(got.ZIPs, ",") != "78701" {
			t.Fatalf("the analyst reads %+v, %v", got, err)
		}
		change := *got
		change.Phone24x7 = "512-555-0149"
		if err := svc.UpdateAgency(ctx, analyst, &change); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("an analyst changed an agency: %v", err)
		}
		if _, err := svc.SetAgencyActive(ctx, analyst, ag.ID, false); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Fatalf("an analyst deactivated an agency: %v", err)
		}
		if err := svc.UpdateAgency(ctx, admin, &change); err != nil {
			t.Fatal(err)
		}
		same := change
		same.Counties = []string{"TX:Travis County"} // the same county, as typed
		if err := svc.UpdateAgency(ctx, admin, &same); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SetAgencyActive(ctx, admin, ag.ID, false); err != nil {
			t.Fatal(err)
		}
		cov, err := svc.AgenciesCovering(ctx, analyst, haven.CoverageQuery{State: "TX", CountyFIPS: "48453"})
		if err != nil || len(cov) != 0 {
			t.Fatalf("a deactivated agency is still suggested: %v, %v", cov, err)
		}
		if got, err := svc.Agency(ctx, analyst, ag.ID); err != nil || !got.Inactive {
			t.Fatalf("the deactivated agency reads %+v, %v", got, err)
		}

		events, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Kind: haven.KindAgency})
		if err != nil {
			t.Fatal(err)
		}
		var log []string
		for _, e := range events {
			log = append(log, e.Actor+" "+e.Action+" "+e.Outcome+" "+e.Detail)
		}
		text := strings.Join(log, "\n")
		for _, want := range []string{
			"ana agency.create denied", "ada agency.create ok Example County Sheriff",
			"ana agency.update denied", "ana agency.deactivate denied",
			"ada agency.update ok Example County Sheriff: phone_24x7",
			"ada agency.deactivate ok Example County Sheriff: active",
		} {
			if !strings.Contains(text, want) {
				t.Errorf("the audit log lacks %q:\n%s", want, text)
			}
		}
		if n := strings.Count(text, "ada agency.update ok"); n != 1 {
			t.Errorf("saving the agency unchanged was audited as a change (%d updates):\n%s", n, text)
		}
	})
}

func TestReactivatingAnAgencyAsksForWhatItLacks(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		// An agency from before the directory required a 24/7 line.
		old := &haven.Agency{Name: "Old Town Police", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "VA", Email: "desk@example.com", Inactive: true}
		if err := svc.Store.Update(ctx, func(tx haven.Tx) error { return tx.CreateAgency(ctx, old) }); err != nil {
			t.Fatal(err)
		}
		_, err := svc.SetAgencyActive(ctx, sys, old.ID, true)
		if haven.ErrorField(err) != "phone_24x7" {
			t.Fatalf("reactivated without a 24/7 line: %v", err)
		}
		if got, _ := svc.Agency(ctx, sys, old.ID); !got.Inactive {
			t.Fatal("the refused reactivation changed the agency")
		}
	})
}
