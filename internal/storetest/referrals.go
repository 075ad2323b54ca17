package storetest

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(referralTests) }

var referralTests = []test{
	{"a referral round-trips with its frozen package and names; one open referral per report and agency; events in order", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Reno Police Department", "NV")
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		rep := mustReport(t, s, newReport("HV-REF1-0001", at(9, 0, 0, 0)))
		pkg := haven.ReferralPackage{Report: haven.PackageReport{Ref: rep.Ref, Narrative: "Synthetic."}, Identifiers: []string{"202-555-0147"},
			Attachments: []haven.PackageAttachment{{FileName: "ad.txt", Size: 3, SHA256: "ab", MD5: "cd"}}, Agency: ag.Name}
		r := &haven.Referral{ReportID: rep.ID, AgencyID: ag.ID, State: haven.ReferralSent, Note: "Please look.", SentBy: an.ID, SentAt: at(10, 0, 0, 1), Package: pkg}
		update(t, s, func(tx haven.Tx) error { return tx.CreateReferral(ctx, r) })
		if r.ID == 0 {
			t.Fatal("CreateReferral set no id")
		}
		var got *haven.Referral
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.ReferralByID(ctx, r.ID); return err })
		if got.ReportRef != rep.Ref || got.AgencyName != ag.Name || got.SentByName == "" || !got.SentAt.Equal(r.SentAt) ||
			got.State != haven.ReferralSent || got.CaseID != 0 || got.ReceivedAt != nil {
			t.Errorf("read back %+v", got)
		}
		same(t, "package", got.Package, pkg)
		dup := &haven.Referral{ReportID: rep.ID, AgencyID: ag.ID, State: haven.ReferralSent, SentAt: at(11, 0, 0, 0)}
		wantCode(t, "a second open referral", updateErr(s, func(tx haven.Tx) error { return tx.CreateReferral(ctx, dup) }), haven.ECONFLICT)
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.OpenReferral(ctx, rep.ID, ag.ID); return err })
		if got.ID != r.ID {
			t.Errorf("OpenReferral: %d, want %d", got.ID, r.ID)
		}
		// Once closed, the report may be referred to the agency again.
		ack := at(12, 0, 0, 0)
		got.State, got.Outcome, got.OutcomeNote, got.AcknowledgedAt, got.AcknowledgedBy, got.OutcomeAt = haven.ReferralOutcome, haven.OutcomeArrest, "Synthetic.", &ack, an.ID, &ack
		update(t, s, func(tx haven.Tx) error { return tx.UpdateReferral(ctx, got) })
		wantCode(t, "no open referral", viewErr(s, func(tx haven.Tx) error { _, err := tx.OpenReferral(ctx, rep.ID, ag.ID); return err }), haven.ENOTFOUND)
		update(t, s, func(tx haven.Tx) error { return tx.CreateReferral(ctx, dup) })
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.ReferralByID(ctx, r.ID); return err })
		if got.Outcome != haven.OutcomeArrest || got.AcknowledgedAt == nil || !got.AcknowledgedAt.Equal(ack) {
			t.Errorf("after update %+v", got)
		}
		wantCode(t, "a missing referral", viewErr(s, func(tx haven.Tx) error { _, err := tx.ReferralByID(ctx, r.ID+100); return err }), haven.ENOTFOUND)
		for i, k := range []haven.ReferralEventKind{haven.RefEventSent, haven.RefEventAcknowledged, haven.RefEventOutcome} {
			e := &haven.ReferralEvent{ReferralID: r.ID, Kind: k, At: at(10+i, 0, 0, 0), ActorID: an.ID, Actor: "analyst", Message: string(k)}
			update(t, s, func(tx haven.Tx) error { return tx.AddReferralEvent(ctx, e) })
		}
		var es []*haven.ReferralEvent
		view(t, s, func(tx haven.Tx) (err error) { es, err = tx.ListReferralEvents(ctx, r.ID); return err })
		if len(es) != 3 || es[0].Kind != haven.RefEventSent || es[2].Message != "outcome" || es[1].ActorID != an.ID {
			t.Errorf("events %+v", es)
		}
	}},

	{"referral lists and counts agree with the scope and the filters; escalation marks a referral once", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := mustAgency(t, s, "Reno Police Department", "NV")
		b := mustAgency(t, s, "Tulsa Police Department", "OK")
		var all []*haven.Referral
		for i := 0; i < 6; i++ {
			rep := mustReport(t, s, newReport("HV-REF2-000"+string(rune('0'+i)), at(8, i, 0, 0)))
			ag := a
			if i%2 == 1 {
				ag = b
			}
			st := haven.ReferralStates[i%3]
			r := &haven.Referral{ReportID: rep.ID, AgencyID: ag.ID, State: st, SentAt: at(9, i, 0, 0)}
			update(t, s, func(tx haven.Tx) error { return tx.CreateReferral(ctx, r) })
			all = append(all, r)
		}
		scopes := map[string]haven.Scope{
			"all":      {All: true},
			"none":     {},
			"agency a": {Any: []haven.Conj{{AgencyID: a.ID}}},
			"agency b": {Any: []haven.Conj{{AgencyID: b.ID}}},
		}
		for name, sc := range scopes {
			for _, f := range []haven.ReferralFilter{{}, {State: haven.ReferralSent}, {AgencyID: a.ID}, {ReportID: all[3].ReportID},
				{States: []haven.ReferralState{haven.ReferralSent, haven.ReferralReceived}, SentBefore: ptr(at(9, 3, 0, 0))}} {
				f.Scope = sc
				var rs []*haven.Referral
				var n int
				view(t, s, func(tx haven.Tx) (err error) {
					if rs, err = tx.ListReferrals(ctx, f); err != nil {
						return err
					}
					n, err = tx.CountReferrals(ctx, f)
					return err
				})
				var want []int64
				for i := len(all) - 1; i >= 0; i-- { // newest first
					r := all[i]
					if sc.Match(r.Resource()) && (f.State == "" || r.State == f.State) && (f.AgencyID == 0 || r.AgencyID == f.AgencyID) &&
						(f.ReportID == 0 || r.ReportID == f.ReportID) && (len(f.States) == 0 || slices.Contains(f.States, r.State)) &&
						(f.SentBefore == nil || r.SentAt.Before(*f.SentBefore)) {
						want = append(want, r.ID)
					}
				}
				var got []int64
				for _, r := range rs {
					got = append(got, r.ID)
				}
				if !slices.Equal(got, want) || n != len(want) {
					t.Errorf("scope %s, filter %+v: %v (count %d), want %v", name, f, got, n, want)
				}
			}
		}
		now := at(20, 0, 0, 0)
		var first, second bool
		update(t, s, func(tx haven.Tx) (err error) {
			if first, err = tx.MarkReferralEscalated(ctx, all[0].ID, now); err != nil {
				return err
			}
			second, err = tx.MarkReferralEscalated(ctx, all[0].ID, now.Add(time.Hour))
			return err
		})
		if !first || second {
			t.Errorf("marking escalated: first %v, second %v; want true, false", first, second)
		}
		var rs []*haven.Referral
		view(t, s, func(tx haven.Tx) (err error) {
			rs, err = tx.ListReferrals(ctx, haven.ReferralFilter{Scope: haven.Scope{All: true}, Escalated: true})
			return err
		})
		if len(rs) != 1 || rs[0].ID != all[0].ID || rs[0].EscalatedAt == nil || !rs[0].EscalatedAt.Equal(now) {
			t.Errorf("escalated list: %d", len(rs))
		}
	}},
}
