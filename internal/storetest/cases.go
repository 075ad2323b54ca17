package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var childAndCaseTests = []test{
	{"a child round-trips with every field", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Nevada DCFS", "NV")
		u := mustUser(t, s, "cw1", haven.RoleChildWelfare, a.ID)
		c := &haven.Child{FirstName: "Maya", LastName: "Reyes", Nicknames: []string{"Mimi", "M"},
			DateOfBirth: ptr(time.Date(2011, 2, 3, 0, 0, 0, 0, time.UTC)), Sex: haven.SexFemale,
			Description: "braids, scar on left hand", State: "NV", AgencyID: a.ID, InCare: true, CreatedBy: u.ID}
		update(t, s, func(tx haven.Tx) error { return tx.CreateChild(ctx, c) })
		if c.ID == 0 || c.CreatedAt.IsZero() || !c.UpdatedAt.Equal(c.CreatedAt) {
			t.Fatalf("CreateChild set ID %d, CreatedAt %v, UpdatedAt %v", c.ID, c.CreatedAt, c.UpdatedAt)
		}
		bare := mustChild(t, s, &haven.Child{Nicknames: []string{"Jay"}})
		view(t, s, func(tx haven.Tx) error {
			is(t, "ChildByID", c)(tx.ChildByID(ctx, c.ID))
			is(t, "ChildByID of a bare child", bare)(tx.ChildByID(ctx, bare.ID))
			return nil
		})
	}},

	{"a missing child is not found", func(t *testing.T, s haven.Store) {
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.ChildByID(context.Background(), 5) })
		wantCode(t, "ChildByID", err, haven.ENOTFOUND)
	}},

	{"ListChildren filters by state and care, newest first", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		var ids []int64
		update(t, s, func(tx haven.Tx) error {
			for _, c := range []*haven.Child{
				{FirstName: "A", State: "NV", InCare: true},
				{FirstName: "B", State: "CA"},
				{FirstName: "C", State: "NV"},
			} {
				if err := tx.CreateChild(ctx, c); err != nil {
					return err
				}
				ids = append(ids, c.ID)
			}
			return nil
		})
		all := haven.Scope{All: true}
		cases := []listCase[haven.ChildFilter, string]{
			{"all", haven.ChildFilter{Scope: all}, []string{"C", "B", "A"}},
			{"state", haven.ChildFilter{Scope: all, State: "NV"}, []string{"C", "A"}},
			{"in care", haven.ChildFilter{Scope: all, InCare: ptr(true)}, []string{"A"}},
			{"not in care", haven.ChildFilter{Scope: all, InCare: ptr(false)}, []string{"C", "B"}},
			{"page", haven.ChildFilter{Scope: all, Limit: 1, Offset: 1}, []string{"B"}},
			{"zero scope", haven.ChildFilter{}, nil},
		}
		checkLists(t, s, "ListChildren", cases, haven.Tx.ListChildren, haven.Tx.CountChildren, func(c *haven.Child) string { return c.FirstName })
	}},

	{"a case round-trips with its reports", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Reno PD", "NV")
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		r1 := mustReport(t, s, newReport("C-R1", at(1, 0, 0, 0)))
		r2 := mustReport(t, s, newReport("C-R2", at(2, 0, 0, 0)))
		c := &haven.Case{ChildID: ch.ID, Title: "Maya R. — missing from care", Status: haven.CaseActive,
			Determination: haven.DeterminationYes, AgencyID: a.ID, AssignedTo: an.ID, CreatedBy: an.ID,
			State: "NV", ReportIDs: []int64{r2.ID, r1.ID, r2.ID}, OpenedAt: time.Date(2020, 1, 2, 3, 0, 0, 5000, time.UTC),
			ClosedAt: ptr(at(4, 0, 0, 0))}
		update(t, s, func(tx haven.Tx) error { return tx.CreateCase(ctx, c) })
		if c.ID == 0 || c.UpdatedAt.IsZero() {
			t.Fatalf("CreateCase set ID %d, UpdatedAt %v", c.ID, c.UpdatedAt)
		}
		c.ReportIDs = []int64{r1.ID, r2.ID} // stored once each, in ascending order
		bare := mustCase(t, s, &haven.Case{ChildID: ch.ID, Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined})
		if bare.OpenedAt.IsZero() {
			t.Error("CreateCase did not set OpenedAt")
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "CaseByID", c)(tx.CaseByID(ctx, c.ID))
			is(t, "CaseByID of a bare case", bare)(tx.CaseByID(ctx, bare.ID))
			is(t, "ListCases (newest first)", []*haven.Case{bare, c})(tx.ListCases(ctx, haven.CaseFilter{Scope: haven.Scope{All: true}}))
			return nil
		})
	}},

	{"UpdateCase writes its fields and nothing else", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Reno PD", "NV")
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		r := mustReport(t, s, newReport("U-R1", at(1, 0, 0, 0)))
		c := mustCase(t, s, &haven.Case{ChildID: ch.ID, Title: "old", Status: haven.CaseOpen,
			Determination: haven.DeterminationUndetermined, CreatedBy: an.ID, ReportIDs: []int64{r.ID}})
		want := *c
		want.Title, want.Status, want.Determination = "new", haven.CaseClosed, haven.DeterminationNo
		want.AgencyID, want.AssignedTo, want.State, want.ClosedAt = a.ID, an.ID, "NV", ptr(at(9, 0, 0, 0))
		upd := want
		upd.ChildID, upd.CreatedBy, upd.ReportIDs, upd.OpenedAt = 999, 0, nil, at(0, 0, 0, 0) // not written
		update(t, s, func(tx haven.Tx) error { return tx.UpdateCase(ctx, &upd) })
		want.UpdatedAt = upd.UpdatedAt
		view(t, s, func(tx haven.Tx) error {
			is(t, "CaseByID after UpdateCase", &want)(tx.CaseByID(ctx, c.ID))
			return nil
		})
		// Clearing the optional fields stores them as zero again.
		want.AgencyID, want.AssignedTo, want.ClosedAt = 0, 0, nil
		update(t, s, func(tx haven.Tx) error { return tx.UpdateCase(ctx, &want) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "CaseByID after clearing", &want)(tx.CaseByID(ctx, c.ID))
			return nil
		})
	}},

	{"a missing case is not found and a case about a missing child is invalid", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.CaseByID(ctx, 8) })
		wantCode(t, "CaseByID", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error {
			return tx.UpdateCase(ctx, &haven.Case{ID: 8, Status: haven.CaseOpen, Determination: haven.DeterminationNo})
		})
		wantCode(t, "UpdateCase", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error {
			return tx.CreateCase(ctx, &haven.Case{ChildID: 404, Status: haven.CaseOpen, Determination: haven.DeterminationNo})
		})
		wantCode(t, "CreateCase about a missing child", err, haven.EINVALID)
	}},

	{"ListCases filters by status, determination, child and assignee", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		c1 := mustChild(t, s, &haven.Child{FirstName: "One"})
		c2 := mustChild(t, s, &haven.Child{FirstName: "Two"})
		update(t, s, func(tx haven.Tx) error {
			for i, c := range []*haven.Case{
				{Title: "K1", ChildID: c1.ID, Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined},
				{Title: "K2", ChildID: c1.ID, Status: haven.CaseClosed, Determination: haven.DeterminationYes, AssignedTo: an.ID},
				{Title: "K3", ChildID: c2.ID, Status: haven.CaseOpen, Determination: haven.DeterminationYes, AssignedTo: an.ID},
			} {
				c.OpenedAt = at(10+i, 0, 0, 0)
				if err := tx.CreateCase(ctx, c); err != nil {
					return err
				}
			}
			return nil
		})
		all := haven.Scope{All: true}
		cases := []listCase[haven.CaseFilter, string]{
			{"all, newest first", haven.CaseFilter{Scope: all}, []string{"K3", "K2", "K1"}},
			{"status", haven.CaseFilter{Scope: all, Status: haven.CaseOpen}, []string{"K3", "K1"}},
			{"determination", haven.CaseFilter{Scope: all, Determination: haven.DeterminationYes}, []string{"K3", "K2"}},
			{"child", haven.CaseFilter{Scope: all, ChildID: c1.ID}, []string{"K2", "K1"}},
			{"assignee", haven.CaseFilter{Scope: all, AssignedTo: an.ID}, []string{"K3", "K2"}},
			{"page", haven.CaseFilter{Scope: all, Limit: 1, Offset: 2}, []string{"K1"}},
			{"zero scope", haven.CaseFilter{}, nil},
		}
		checkLists(t, s, "ListCases", cases, haven.Tx.ListCases, haven.Tx.CountCases, func(c *haven.Case) string { return c.Title })
	}},
}
