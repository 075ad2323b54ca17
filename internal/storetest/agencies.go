package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

var agencyTests = []test{
	{"an agency round-trips by id and by name", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := &haven.Agency{Name: "Nevada ICAC Task Force", Kind: haven.AgencyTaskForce, Level: haven.LevelState,
			State: "NV", States: []string{"NV", "CA"}, Phone24x7: "+17025550100", Email: "icac@example.gov"}
		update(t, s, func(tx haven.Tx) error { return tx.CreateAgency(ctx, a) })
		if a.ID == 0 || a.CreatedAt.IsZero() {
			t.Fatalf("CreateAgency set ID %d, CreatedAt %v", a.ID, a.CreatedAt)
		}
		fed := &haven.Agency{Name: "FBI", Kind: haven.AgencyLawEnforcement, Level: haven.LevelFederal}
		update(t, s, func(tx haven.Tx) error { return tx.CreateAgency(ctx, fed) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "AgencyByID", a)(tx.AgencyByID(ctx, a.ID))
			is(t, "AgencyByName", a)(tx.AgencyByName(ctx, "Nevada ICAC Task Force"))
			is(t, "AgencyByID of an agency without states", fed)(tx.AgencyByID(ctx, fed.ID))
			return nil
		})
	}},

	{"creating an agency with a taken name is a conflict", func(t *testing.T, s haven.Store) {
		mustAgency(t, s, "Metro PD", "NV")
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateAgency(context.Background(), &haven.Agency{Name: "Metro PD", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal})
		})
		wantCode(t, "CreateAgency", err, haven.ECONFLICT)
	}},

	{"a missing agency is not found", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.AgencyByID(ctx, 77) })
		wantCode(t, "AgencyByID", err, haven.ENOTFOUND)
		_, err = viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.AgencyByName(ctx, "Nowhere PD") })
		wantCode(t, "AgencyByName", err, haven.ENOTFOUND)
	}},

	{"ListAgencies filters by kind and by home or jurisdiction state, by name", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error {
			for _, a := range []*haven.Agency{
				{Name: "D Sheriff", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "NV"},
				{Name: "A Task Force", Kind: haven.AgencyTaskForce, Level: haven.LevelState, State: "CA", States: []string{"CA", "NV"}},
				{Name: "C CPS", Kind: haven.AgencyChildWelfare, Level: haven.LevelState, State: "OR"},
				{Name: "B Police", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal, State: "CA"},
				{Name: "E_Wild%card", Kind: haven.AgencyServiceProvider, Level: haven.LevelPrivate, States: []string{"N_"}},
			} {
				if err := tx.CreateAgency(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		cases := []listCase[haven.AgencyFilter, string]{
			{"all", haven.AgencyFilter{}, []string{"A Task Force", "B Police", "C CPS", "D Sheriff", "E_Wild%card"}},
			{"kind", haven.AgencyFilter{Kind: haven.AgencyLawEnforcement}, []string{"B Police", "D Sheriff"}},
			{"home state", haven.AgencyFilter{State: "CA"}, []string{"A Task Force", "B Police"}},
			{"jurisdiction", haven.AgencyFilter{State: "NV"}, []string{"A Task Force", "D Sheriff"}},
			{"lower-case state", haven.AgencyFilter{State: "nv"}, []string{"A Task Force", "D Sheriff"}},
			{"percent is literal", haven.AgencyFilter{State: "N%"}, nil},
			{"underscore is literal", haven.AgencyFilter{State: "N_"}, []string{"E_Wild%card"}},
			{"kind and state", haven.AgencyFilter{Kind: haven.AgencyLawEnforcement, State: "NV"}, []string{"D Sheriff"}},
			{"limit", haven.AgencyFilter{Limit: 2}, []string{"A Task Force", "B Police"}},
		}
		checkLists(t, s, "ListAgencies", cases, haven.Tx.ListAgencies, haven.Tx.CountAgencies, func(a *haven.Agency) string { return a.Name })
	}},
}
