package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(agencyDirectoryTests) }

// agencyDirectoryTests cover the directory's jurisdiction, contacts,
// updates and the routing look-up. The store does not validate: geography
// is the service's concern, so the codes here need not be real.
var agencyDirectoryTests = []test{
	{"an agency's counties, ZIPs and contacts round-trip, and an update replaces them all", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := &haven.Agency{Name: "Example County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal,
			State: "TX", Counties: []string{"48453", "48491"}, ZIPs: []string{"78701", "78702"},
			Phone24x7: "512-555-0140", Email: "dispatch@example.com", Address: "1 Example Way", City: "Austin",
			Contacts: []haven.AgencyContact{{Name: "Sam Rivera", Title: "Lieutenant", Phone: "512-555-0141"}, {Name: "Ana Cole", Email: "ana@example.com"}}}
		update(t, s, func(tx haven.Tx) error { return tx.CreateAgency(ctx, a) })
		if a.UpdatedAt.IsZero() || !a.UpdatedAt.Equal(a.CreatedAt) {
			t.Fatalf("CreateAgency set UpdatedAt %v, CreatedAt %v", a.UpdatedAt, a.CreatedAt)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "AgencyByID", a)(tx.AgencyByID(ctx, a.ID))
			is(t, "AgencyByName", a)(tx.AgencyByName(ctx, a.Name))
			return nil
		})
		b := *a
		b.Name, b.Counties, b.ZIPs, b.States = "Example County Sheriff's Office", []string{"48209"}, nil, []string{"TX"}
		b.Contacts, b.Inactive = []haven.AgencyContact{{Name: "Ana Cole", Title: "Sergeant", Email: "ana@example.com"}}, true
		update(t, s, func(tx haven.Tx) error { return tx.UpdateAgency(ctx, &b) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "AgencyByID after update", &b)(tx.AgencyByID(ctx, a.ID))
			_, err := tx.AgencyByName(ctx, "Example County Sheriff")
			wantCode(t, "the old name", err, haven.ENOTFOUND)
			return nil
		})
	}},

	{"updating a missing agency is not found, and to a taken name is a conflict the transaction survives", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		mustAgency(t, s, "First PD", "NV")
		second := mustAgency(t, s, "Second PD", "NV")
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.UpdateAgency(ctx, &haven.Agency{ID: 999, Name: "Ghost PD", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal})
		})
		wantCode(t, "UpdateAgency of a missing agency", err, haven.ENOTFOUND)
		update(t, s, func(tx haven.Tx) error {
			taken := *second
			taken.Name = "First PD"
			wantCode(t, "UpdateAgency to a taken name", tx.UpdateAgency(ctx, &taken), haven.ECONFLICT)
			renamed := *second
			renamed.Name = "Second Police Department"
			return tx.UpdateAgency(ctx, &renamed) // the transaction goes on
		})
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.AgencyByID(ctx, second.ID)
			if err != nil || got.Name != "Second Police Department" {
				t.Errorf("after the conflict and a rename: %v, %v", got, err)
			}
			return nil
		})
	}},

	{"AgenciesCovering finds agencies by ZIP, county, whole state and nationwide, most specific first, active only", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error {
			for _, a := range []*haven.Agency{
				{Name: "Zip Unit", Kind: haven.AgencyServiceProvider, Level: haven.LevelPrivate, State: "TX", ZIPs: []string{"78701"}, Counties: []string{"48453"}},
				{Name: "County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "TX", Counties: []string{"48453", "48491"}},
				{Name: "Other County Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "TX", Counties: []string{"48201"}},
				{Name: "State Police", Kind: haven.AgencyLawEnforcement, Level: haven.LevelState, State: "TX"},
				{Name: "Regional Task Force", Kind: haven.AgencyTaskForce, Level: haven.LevelState, State: "OK", States: []string{"OK", "TX"}},
				{Name: "Federal Bureau", Kind: haven.AgencyLawEnforcement, Level: haven.LevelFederal, State: "DC"},
				{Name: "Federal Field Office", Kind: haven.AgencyLawEnforcement, Level: haven.LevelFederal, State: "CA", States: []string{"CA"}},
				{Name: "Closed Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "TX", Counties: []string{"48453"}, Inactive: true},
				{Name: "Oklahoma Police", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "OK"},
			} {
				if err := tx.CreateAgency(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		type hit struct {
			Name  string
			Match haven.CoverageMatch
		}
		check := func(what string, q haven.CoverageQuery, want []hit) {
			t.Helper()
			view(t, s, func(tx haven.Tx) error {
				cov, err := tx.AgenciesCovering(ctx, q)
				if err != nil {
					return err
				}
				var got []hit
				for _, c := range cov {
					got = append(got, hit{c.Agency.Name, c.Match})
				}
				same(t, what, got, want)
				return nil
			})
		}
		check("a place in Travis County, ZIP 78701", haven.CoverageQuery{State: "TX", CountyFIPS: "48453", ZIP: "78701"}, []hit{
			{"Zip Unit", haven.CoverZIP}, {"County Sheriff", haven.CoverCounty},
			{"Regional Task Force", haven.CoverState}, {"State Police", haven.CoverState},
			{"Federal Bureau", haven.CoverNationwide}})
		check("law enforcement only", haven.CoverageQuery{State: "TX", CountyFIPS: "48453", ZIP: "78701", Kind: haven.AgencyLawEnforcement}, []hit{
			{"County Sheriff", haven.CoverCounty}, {"State Police", haven.CoverState}, {"Federal Bureau", haven.CoverNationwide}})
		check("a state alone", haven.CoverageQuery{State: "ok"}, []hit{
			{"Oklahoma Police", haven.CoverState}, {"Regional Task Force", haven.CoverState}, {"Federal Bureau", haven.CoverNationwide}})
		check("nothing known", haven.CoverageQuery{}, []hit{{"Federal Bureau", haven.CoverNationwide}})
	}},

	{"ListAgencies filters by level, county, name text, active flag and a county's state", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error {
			for _, a := range []*haven.Agency{
				{Name: "Travis Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "OK", Counties: []string{"48453"}},
				{Name: "Tribal Police", Kind: haven.AgencyLawEnforcement, Level: haven.LevelTribal, State: "AZ", Counties: []string{"04001", "35031"}},
				{Name: "Old 100% Office", Kind: haven.AgencyChildWelfare, Level: haven.LevelState, State: "NM", Inactive: true},
			} {
				if err := tx.CreateAgency(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		cases := []listCase[haven.AgencyFilter, string]{
			{"level", haven.AgencyFilter{Level: haven.LevelTribal}, []string{"Tribal Police"}},
			{"county", haven.AgencyFilter{County: "35031"}, []string{"Tribal Police"}},
			{"state of a listed county", haven.AgencyFilter{State: "NM"}, []string{"Old 100% Office", "Tribal Police"}},
			{"state of a county outside the home state", haven.AgencyFilter{State: "TX"}, []string{"Travis Sheriff"}},
			{"text, any case", haven.AgencyFilter{Text: "POLICE"}, []string{"Tribal Police"}},
			{"text with a literal percent", haven.AgencyFilter{Text: "100%"}, []string{"Old 100% Office"}},
			{"active", haven.AgencyFilter{Status: haven.AgencyActive}, []string{"Travis Sheriff", "Tribal Police"}},
			{"inactive", haven.AgencyFilter{Status: haven.AgencyInactive}, []string{"Old 100% Office"}},
			{"offset", haven.AgencyFilter{Offset: 1, Limit: 1}, []string{"Travis Sheriff"}},
		}
		checkLists(t, s, "ListAgencies", cases, haven.Tx.ListAgencies, haven.Tx.CountAgencies, func(a *haven.Agency) string { return a.Name })
	}},
}
