package storetest

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(analysisTests) }

// analysisRequest stores a request of the agency by the officer.
func analysisRequest(t *testing.T, s haven.Store, officer, agency, analyst int64, status haven.RequestStatus, caseNumber string) *haven.AnalysisRequest {
	t.Helper()
	r := &haven.AnalysisRequest{OfficerID: officer, AgencyID: agency, CaseNumber: caseNumber, Question: "Who else uses this number?",
		Urgency: haven.UrgencyPriority, ReportIDs: []int64{}, Status: status, AnalystID: analyst}
	update(t, s, func(tx haven.Tx) error { return tx.CreateAnalysisRequest(context.Background(), r) })
	return r
}

var analysisTests = []test{
	{"an analysis request round-trips with its officer, agency and analyst names, and its changes are kept", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Reno Police Department", "NV")
		off := mustUser(t, s, "officer", haven.RoleOfficer, ag.ID)
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		r := &haven.AnalysisRequest{OfficerID: off.ID, AgencyID: ag.ID, CaseNumber: "RPD-2026-0147", Question: "Map the network.",
			Urgency: haven.UrgencyImmediate, ReportIDs: []int64{3, 5}, Status: haven.RequestOpen}
		update(t, s, func(tx haven.Tx) error { return tx.CreateAnalysisRequest(ctx, r) })
		if r.ID == 0 || r.CreatedAt.IsZero() {
			t.Fatalf("CreateAnalysisRequest set no id or time: %+v", r)
		}
		var got *haven.AnalysisRequest
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.AnalysisRequestByID(ctx, r.ID); return err })
		same(t, "report ids", got.ReportIDs, []int64{3, 5})
		if got.CaseNumber != "RPD-2026-0147" || got.AgencyName != "Reno Police Department" || got.OfficerName == "" ||
			got.Status != haven.RequestOpen || got.AnalystID != 0 || got.Urgency != haven.UrgencyImmediate {
			t.Errorf("read back %+v", got)
		}
		answered := at(5, 0, 0, 0)
		got.Status, got.AnalystID, got.AnsweredAt = haven.RequestAnswered, an.ID, &answered
		update(t, s, func(tx haven.Tx) error { return tx.UpdateAnalysisRequest(ctx, got) })
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.AnalysisRequestByID(ctx, r.ID); return err })
		if got.Status != haven.RequestAnswered || got.AnalystID != an.ID || got.AnalystName == "" || got.AnsweredAt == nil || !got.AnsweredAt.Equal(answered) {
			t.Errorf("after update %+v", got)
		}
		wantCode(t, "a missing request", viewErr(s, func(tx haven.Tx) error { _, err := tx.AnalysisRequestByID(ctx, r.ID+100); return err }), haven.ENOTFOUND)
		wantCode(t, "updating a missing request", updateErr(s, func(tx haven.Tx) error {
			return tx.UpdateAnalysisRequest(ctx, &haven.AnalysisRequest{ID: r.ID + 100, Status: haven.RequestClosed})
		}), haven.ENOTFOUND)
	}},

	{"products are versioned per request and kind and keep their frozen snapshot", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Reno Police Department", "NV")
		off := mustUser(t, s, "officer", haven.RoleOfficer, ag.ID)
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		r := analysisRequest(t, s, off.ID, ag.ID, an.ID, haven.RequestInProgress, "RPD-1")
		other := analysisRequest(t, s, off.ID, ag.ID, an.ID, haven.RequestInProgress, "RPD-2")
		snap := haven.ProductSnapshot{Nodes: []haven.SnapshotNode{{Ref: "HV-AAAA-0001", ReceivedAt: at(1, 0, 0, 0), State: "NV"}},
			Links: []haven.SnapshotLink{{From: "HV-AAAA-0001", To: "HV-AAAA-0002", Identifiers: []string{"202-555-0147"}}}}
		mk := func(req *haven.AnalysisRequest, kind haven.ProductKind) *haven.AnalyticalProduct {
			p := &haven.AnalyticalProduct{RequestID: req.ID, AgencyID: ag.ID, Kind: kind, Title: "T", Body: "B", NetworkID: 9,
				ReportIDs: []int64{1}, Snapshot: snap, AuthorID: an.ID}
			update(t, s, func(tx haven.Tx) error { return tx.CreateProduct(ctx, p) })
			return p
		}
		versions := []int{mk(r, haven.ProductLinkChart).Version, mk(r, haven.ProductLinkChart).Version,
			mk(r, haven.ProductNarrative).Version, mk(other, haven.ProductLinkChart).Version}
		same(t, "versions", versions, []int{1, 2, 1, 1})
		var ps []*haven.AnalyticalProduct
		view(t, s, func(tx haven.Tx) (err error) {
			ps, err = tx.ListProducts(ctx, haven.ProductFilter{Scope: haven.Scope{All: true}, RequestID: r.ID})
			return err
		})
		if len(ps) != 3 {
			t.Fatalf("request's products: %d, want 3", len(ps))
		}
		p := ps[0]
		same(t, "snapshot", p.Snapshot, snap)
		if p.NetworkID != 9 || p.AuthorName == "" || p.Kind != haven.ProductLinkChart || !slices.Equal(p.ReportIDs, []int64{1}) {
			t.Errorf("read back %+v", p)
		}
		var byID *haven.AnalyticalProduct
		view(t, s, func(tx haven.Tx) (err error) { byID, err = tx.ProductByID(ctx, p.ID); return err })
		same(t, "product by id", byID, p)
		wantCode(t, "a missing product", viewErr(s, func(tx haven.Tx) error { _, err := tx.ProductByID(ctx, 999); return err }), haven.ENOTFOUND)
	}},

	{"request and product lists and counts agree with Scope.Match", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a1 := mustAgency(t, s, "Reno Police Department", "NV")
		a2 := mustAgency(t, s, "Tulsa Police Department", "OK")
		o1 := mustUser(t, s, "o1", haven.RoleOfficer, a1.ID)
		o2 := mustUser(t, s, "o2", haven.RoleOfficer, a2.ID)
		an1 := mustUser(t, s, "an1", haven.RoleAnalyst, 0)
		an2 := mustUser(t, s, "an2", haven.RoleAnalyst, 0)
		var reqs []*haven.AnalysisRequest
		var prods []*haven.AnalyticalProduct
		for i := range 12 {
			off, ag := o1, a1
			if i%3 == 0 {
				off, ag = o2, a2
			}
			analyst := []int64{0, an1.ID, an2.ID}[i%3]
			status := []haven.RequestStatus{haven.RequestOpen, haven.RequestInProgress, haven.RequestAnswered, haven.RequestClosed}[i%4]
			r := analysisRequest(t, s, off.ID, ag.ID, analyst, status, fmt.Sprintf("C-%d", i))
			reqs = append(reqs, r)
			if i%2 == 0 {
				p := &haven.AnalyticalProduct{RequestID: r.ID, AgencyID: ag.ID, Kind: haven.ProductNarrative, Title: "N", Body: "B", AuthorID: an1.ID}
				update(t, s, func(tx haven.Tx) error { return tx.CreateProduct(ctx, p) })
				prods = append(prods, p)
			}
		}
		actors := []haven.Actor{
			{UserID: o1.ID, Role: haven.RoleOfficer, AgencyID: a1.ID},
			{UserID: o2.ID, Role: haven.RoleOfficer, AgencyID: a2.ID},
			{UserID: an1.ID, Role: haven.RoleAnalyst},
			{UserID: 99, Role: haven.RoleHotline, AgencyID: a1.ID},
			{UserID: 98, Role: haven.RoleOfficer}, // an officer without an agency
		}
		scopes := []haven.Scope{{}, {All: true}, {Any: []haven.Conj{{AssignedTo: an1.ID}, {Unassigned: true, AgencyID: a2.ID}}},
			{Any: []haven.Conj{{CreatedBy: o1.ID}}}}
		for _, a := range actors {
			scopes = append(scopes, haven.ScopeFor(a, haven.ActionView, haven.KindAnalysisRequest), haven.ScopeFor(a, haven.ActionAssign, haven.KindAnalysisRequest))
		}
		view(t, s, func(tx haven.Tx) error {
			for i, sc := range scopes {
				for _, st := range []haven.RequestStatus{"", haven.RequestOpen, haven.RequestClosed} {
					f := haven.AnalysisRequestFilter{Scope: sc, Status: st}
					got, err := tx.ListAnalysisRequests(ctx, f)
					if err != nil {
						return err
					}
					n, err := tx.CountAnalysisRequests(ctx, f)
					if err != nil {
						return err
					}
					var want, ids []int64
					for _, r := range reqs {
						if sc.Match(r.Resource()) && (st == "" || r.Status == st) {
							want = append(want, r.ID)
						}
					}
					for _, r := range got {
						ids = append(ids, r.ID)
					}
					slices.Sort(ids)
					if !slices.Equal(ids, want) || n != len(want) {
						t.Errorf("scope %d status %q: listed %v (count %d), want %v", i, st, ids, n, want)
					}
				}
				ps, err := tx.ListProducts(ctx, haven.ProductFilter{Scope: sc})
				if err != nil {
					return err
				}
				var want, ids []int64
				for _, p := range prods {
					if sc.Match(p.Resource()) {
						want = append(want, p.ID)
					}
				}
				for _, p := range ps {
					ids = append(ids, p.ID)
				}
				slices.Sort(ids)
				if !slices.Equal(ids, want) {
					t.Errorf("scope %d: products %v, want %v", i, ids, want)
				}
			}
			return nil
		})
	}},
}
