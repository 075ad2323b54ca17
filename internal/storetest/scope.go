package storetest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

var scopeTests = []test{
	{"the zero scope lists nothing", func(t *testing.T, s haven.Store) {
		w := newWorld(t, s, 10)
		view(t, s, func(tx haven.Tx) error {
			for _, zero := range []haven.Scope{{}, {Any: []haven.Conj{}}} {
				if err := w.check(t, tx, zero); err != nil {
					return err
				}
			}
			return nil
		})
	}},

	{"an officer's scope lists only their agency's reports in their jurisdiction", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		mine := mustAgency(t, s, "Reno PD", "NV")
		other := mustAgency(t, s, "LAPD", "CA")
		officer := mustUser(t, s, "officer", haven.RoleOfficer, mine.ID)
		hotline := mustUser(t, s, "hotline", haven.RoleHotline, 0)
		mk := func(ref string, agencyID, createdBy int64, state string) {
			r := newReport(ref, at(10, len(ref), 0, 0))
			r.AgencyID, r.CreatedBy, r.State = agencyID, createdBy, state
			mustReport(t, s, r)
		}
		mk("mine-NV", mine.ID, hotline.ID, "NV")
		mk("mine-CA", mine.ID, hotline.ID, "CA")        // outside the jurisdiction
		mk("mine-none", mine.ID, 0, "")                 // no state: not known to be in the jurisdiction
		mk("other-NV", other.ID, hotline.ID, "NV")      // another agency's
		mk("nobody-NV", 0, 0, "NV")                     // the clearinghouse's
		mk("entered-by-me", other.ID, officer.ID, "TX") // entered by the officer
		actor := haven.Actor{UserID: officer.ID, Role: haven.RoleOfficer, AgencyID: mine.ID, Jurisdiction: mine.Jurisdiction()}
		f := haven.ReportFilter{Scope: haven.ScopeFor(actor, haven.ActionView, haven.KindReport)}
		view(t, s, func(tx haven.Tx) error {
			rs, err := tx.ListReports(ctx, f)
			if err != nil {
				return err
			}
			var refs []string
			for _, r := range rs {
				refs = append(refs, r.Ref)
			}
			slices.Sort(refs)
			same(t, "the officer's reports", refs, []string{"entered-by-me", "mine-NV"})
			n, err := tx.CountReports(ctx, f)
			if err != nil {
				return err
			}
			if n != 2 {
				t.Errorf("CountReports = %d, want 2", n)
			}
			return nil
		})
	}},

	{"lists and counts agree with Scope.Match for reports, children and cases", func(t *testing.T, s haven.Store) {
		w := newWorld(t, s, 150)
		scopes := w.scopes()
		view(t, s, func(tx haven.Tx) error {
			for _, sc := range scopes {
				if err := w.check(t, tx, sc); err != nil {
					return err
				}
			}
			return nil
		})
		if len(scopes) < 20 {
			t.Errorf("only %d distinct scopes were checked", len(scopes))
		}
	}},
}

// world is a generated population of agencies, users and records whose
// ownership, assignment and states vary at random (with a fixed seed).
type world struct {
	agencies []*haven.Agency
	users    []*haven.User
	reports  []*haven.Report
	children []*haven.Child
	cases    []*haven.Case
}

var worldStates = []string{"", "CA", "NV", "TX", "OR"}

func newWorld(t *testing.T, s haven.Store, n int) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{
		agencies: []*haven.Agency{
			mustAgency(t, s, "Agency Nationwide", ""),
			mustAgency(t, s, "Agency West", "CA", "CA", "NV"),
			mustAgency(t, s, "Agency Texas", "TX"),
		},
	}
	for i, role := range []haven.Role{haven.RoleAnalyst, haven.RoleAnalyst, haven.RoleOfficer, haven.RoleChildWelfare, haven.RoleHotline} {
		w.users = append(w.users, mustUser(t, s, fmt.Sprintf("user%d", i), role, 0))
	}
	rng := rand.New(rand.NewPCG(20260314, uint64(n)))
	agency := func() int64 {
		if i := rng.IntN(len(w.agencies) + 1); i < len(w.agencies) {
			return w.agencies[i].ID
		}
		return 0
	}
	user := func() int64 {
		if i := rng.IntN(len(w.users) + 2); i < len(w.users) {
			return w.users[i].ID
		}
		return 0
	}
	state := func() string { return worldStates[rng.IntN(len(worldStates))] }
	update(t, s, func(tx haven.Tx) error {
		for i := 0; i < n; i++ {
			r := newReport(fmt.Sprintf("W-%04d", i), at(rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e6)))
			r.AgencyID, r.AssignedTo, r.CreatedBy, r.State = agency(), user(), user(), state()
			if err := tx.CreateReport(ctx, r); err != nil {
				return err
			}
			w.reports = append(w.reports, r)
		}
		for i := 0; i < n/2; i++ {
			c := &haven.Child{FirstName: fmt.Sprintf("Child%d", i), AgencyID: agency(), CreatedBy: user(), State: state()}
			if err := tx.CreateChild(ctx, c); err != nil {
				return err
			}
			w.children = append(w.children, c)
		}
		for i := 0; i < n/2; i++ {
			c := &haven.Case{ChildID: w.children[rng.IntN(len(w.children))].ID, Status: haven.CaseOpen,
				Determination: haven.DeterminationUndetermined, AgencyID: agency(), AssignedTo: user(),
				CreatedBy: user(), State: state()}
			if err := tx.CreateCase(ctx, c); err != nil {
				return err
			}
			w.cases = append(w.cases, c)
		}
		return nil
	})
	return w
}

// check checks that every list and count of reports, children and cases
// in scope sc selects exactly the records for which sc.Match holds.
func (w *world) check(t *testing.T, tx haven.Tx, sc haven.Scope) error {
	t.Helper()
	ctx := context.Background()
	name := fmt.Sprintf(" in scope %+v", sc)
	rf, cf, kf := haven.ReportFilter{Scope: sc}, haven.ChildFilter{Scope: sc}, haven.CaseFilter{Scope: sc}
	err := checkScope(t, "reports"+name, sc, w.reports,
		func() ([]*haven.Report, error) { return tx.ListReports(ctx, rf) },
		func() (int, error) { return tx.CountReports(ctx, rf) },
		func() (int, error) { by, err := tx.CountReportsBy(ctx, rf, "state"); return sum(by), err })
	if err == nil {
		err = checkScope(t, "children"+name, sc, w.children,
			func() ([]*haven.Child, error) { return tx.ListChildren(ctx, cf) },
			func() (int, error) { return tx.CountChildren(ctx, cf) })
	}
	if err == nil {
		err = checkScope(t, "cases"+name, sc, w.cases,
			func() ([]*haven.Case, error) { return tx.ListCases(ctx, kf) },
			func() (int, error) { return tx.CountCases(ctx, kf) })
	}
	return err
}

// scopes returns distinct scopes: those the rules compile for every role,
// action and kind, for actors with and without an agency, a user id and a
// jurisdiction, and hand-made edge cases.
func (w *world) scopes() []haven.Scope {
	a0, a1 := w.agencies[0], w.agencies[1]
	u0, u2 := w.users[0].ID, w.users[2].ID
	actors := []haven.Actor{}
	for _, role := range append(slices.Clone(haven.Roles), haven.RoleSystem, "") {
		for _, uid := range []int64{0, u0, u2} {
			for _, ag := range []struct {
				id    int64
				juris []string
			}{{0, nil}, {a0.ID, nil}, {a1.ID, a1.Jurisdiction()}, {a1.ID, []string{}}, {a1.ID, []string{"TX", ""}}} {
				actors = append(actors, haven.Actor{UserID: uid, Role: role, AgencyID: ag.id, Jurisdiction: ag.juris})
			}
		}
	}
	var out []haven.Scope
	seen := map[string]bool{}
	add := func(s haven.Scope) {
		if k := fmt.Sprintf("%#v", s); !seen[k] {
			seen[k] = true
			out = append(out, s)
		}
	}
	for _, a := range actors {
		for _, action := range []haven.Action{haven.ActionView, haven.ActionUpdate, haven.ActionAssign} {
			for _, kind := range []haven.Kind{haven.KindReport, haven.KindCase, haven.KindChild} {
				add(haven.ScopeFor(a, action, kind))
			}
		}
	}
	r0 := w.reports[0]
	for _, s := range []haven.Scope{
		{All: true},
		{Any: []haven.Conj{{}}}, // no conditions: every record
		{Any: []haven.Conj{{HasStates: true}}},
		{Any: []haven.Conj{{HasStates: true, States: []string{""}}}},
		{Any: []haven.Conj{{HasStates: true, States: []string{"CA", "", "TX"}}}},
		{Any: []haven.Conj{{ID: r0.ID}}},
		{Any: []haven.Conj{{ID: w.cases[0].ID}, {ID: w.children[1].ID}}},
		{Any: []haven.Conj{{Unassigned: true}}},
		{Any: []haven.Conj{{AssignedTo: u0, Unassigned: true}}},
		{Any: []haven.Conj{{AssignedTo: u0}, {Unassigned: true}}},
		{Any: []haven.Conj{{AgencyID: a1.ID, Unassigned: true}}},
		{Any: []haven.Conj{{AgencyID: 987654}}},
		{Any: []haven.Conj{{AgencyID: a1.ID, HasStates: true, States: []string{"NV"}}, {CreatedBy: u2}}},
		{Any: []haven.Conj{{AgencyID: a0.ID, CreatedBy: u0, AssignedTo: u2, HasStates: true, States: []string{"CA", "NV", "TX", "OR", ""}}}},
		{Any: []haven.Conj{{HasStates: true}, {CreatedBy: u0}}},
		{Any: []haven.Conj{{CreatedBy: u0}, {}}},
	} {
		add(s)
	}
	return out
}

// resourcer is a record the authorisation rules know about.
type resourcer interface{ Resource() haven.Resource }

// checkScope fails the test unless list returns exactly the records of all
// that sc.Match selects, and each of counts counts as many.
func checkScope[T resourcer](t *testing.T, what string, sc haven.Scope, all []T, list func() ([]T, error), counts ...func() (int, error)) error {
	t.Helper()
	var want, got []int64
	for _, r := range all {
		if res := r.Resource(); sc.Match(res) {
			want = append(want, res.ID)
		}
	}
	listed, err := list()
	if err != nil {
		return fmt.Errorf("listing %s: %w", what, err)
	}
	for _, r := range listed {
		got = append(got, r.Resource().ID)
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		var extra, missing []int64
		for _, id := range got {
			if _, ok := slices.BinarySearch(want, id); !ok {
				extra = append(extra, id)
			}
		}
		for _, id := range want {
			if _, ok := slices.BinarySearch(got, id); !ok {
				missing = append(missing, id)
			}
		}
		t.Errorf("%s: listed %d, Match says %d; extra %v, missing %v", what, len(got), len(want), extra, missing)
	}
	for _, count := range counts {
		n, err := count()
		if err != nil {
			return fmt.Errorf("counting %s: %w", what, err)
		}
		if n != len(want) {
			t.Errorf("%s: counted %d, Match says %d", what, n, len(want))
		}
	}
	return nil
}

func sum(m map[string]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}
