package haven_test

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

// referralWorld is two agencies (A and B), an officer of each, the
// clearinghouse's analyst and supervisor, and a report with a case.
type referralWorld struct {
	svc                 *haven.Service
	a, b, inactive      *haven.Agency
	officerA, officerB  haven.Actor
	analyst, supervisor haven.Actor
	report              *haven.Report
	caseID              int64
}

func newReferralWorld(t *testing.T, svc *haven.Service) *referralWorld {
	t.Helper()
	ctx := context.Background()
	w := &referralWorld{svc: svc}
	w.a = &haven.Agency{Name: "Reno Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "NV"}
	w.b = &haven.Agency{Name: "Tulsa Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0141", Level: haven.LevelLocal, State: "OK"}
	w.inactive = &haven.Agency{Name: "Closed Sheriff's Office", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0142", Level: haven.LevelLocal, State: "NV", Inactive: true}
	for _, ag := range []*haven.Agency{w.a, w.b, w.inactive} {
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
	}
	actor := func(name string, role haven.Role, agency int64) haven.Actor {
		u, _ := addUser(t, svc, name, role, agency)
		return haven.Actor{UserID: u.ID, Username: u.Username, Role: role, AgencyID: agency, Via: "web"}
	}
	w.officerA = actor("officer-a", haven.RoleOfficer, w.a.ID)
	w.officerB = actor("officer-b", haven.RoleOfficer, w.b.ID)
	w.analyst = actor("analyst", haven.RoleAnalyst, 0)
	w.supervisor = actor("supervisor", haven.RoleSupervisor, 0)
	w.report = &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
		Narrative:   "A caller saw a teenager at a bus station with an older man (synthetic).",
		Places:      []haven.Place{{Role: haven.PlaceIncident, Name: "Bus station", City: "Reno", State: "NV"}},
		People:      []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}},
		Identifiers: []haven.Identifier{phone("+12025550147")}}
	if err := svc.CreateReport(ctx, sys, w.report); err != nil {
		t.Fatal(err)
	}
	c, err := svc.OpenCaseFromReport(ctx, sys, haven.OpenCase{ReportID: w.report.ID, Mention: w.report.People[0].ID})
	if err != nil {
		t.Fatal(err)
	}
	w.caseID = c.ID
	return w
}

func (w *referralWorld) send(t *testing.T, agency *haven.Agency) *haven.Referral {
	t.Helper()
	rs, err := w.svc.CreateReferrals(context.Background(), w.analyst, w.report.ID, []int64{agency.ID}, "Please look into this.")
	if err != nil || len(rs) != 1 {
		t.Fatalf("send referral: %v (%d)", err, len(rs))
	}
	return rs[0]
}

// A referral's package holds the report's summary, its identifiers, its
// files' hashes (never bytes) and the case's shareable notes only; it is
// frozen when sent, so a note added later is not in it. Sending again to
// the same agency while the referral is open returns the same referral.
// The case's timeline shows the referral and the agency's officer is
// notified.
func TestAReferralPackageIsFrozenWhenSentAndHoldsOnlyWhatMayBeShared(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		k, _ := keys.New()
		blobs, err := attachments.New(filepath.Join(t.TempDir(), "att"), k)
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		w := newReferralWorld(t, svc)
		if err := svc.Store.Update(ctx, func(tx haven.Tx) error {
			_, _, err := svc.StoreAttachment(ctx, tx, sys, w.report.ID, "ad.txt", "text/plain", "hotline", strings.NewReader("Synthetic ad text."))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCaseNote(ctx, w.supervisor, w.caseID, "Shareable: the bus station has cameras.", true); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.AddCaseNote(ctx, w.supervisor, w.caseID, "Private: analyst's working theory.", false); err != nil {
			t.Fatal(err)
		}
		r := w.send(t, w.a)
		again := w.send(t, w.a)
		if again.ID != r.ID {
			t.Errorf("sending again made referral %d, want the open one %d", again.ID, r.ID)
		}
		if _, err := svc.AddCaseNote(ctx, w.supervisor, w.caseID, "Shareable, but written after sending.", true); err != nil {
			t.Fatal(err)
		}
		v, err := svc.GetReferral(ctx, w.officerA, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		p := v.Referral.Package
		if p.Report.Ref != w.report.Ref || !strings.Contains(p.Report.Narrative, "bus station") || len(p.Report.Places) != 1 {
			t.Errorf("summary: %+v", p.Report)
		}
		if len(p.Identifiers) != 1 || !strings.Contains(p.Identifiers[0], "555") {
			t.Errorf("identifiers: %v", p.Identifiers)
		}
		if len(p.Attachments) != 1 || len(p.Attachments[0].SHA256) != 64 || len(p.Attachments[0].MD5) != 32 || p.Attachments[0].FileName != "ad.txt" {
			t.Errorf("attachments: %+v", p.Attachments)
		}
		if len(p.Notes) != 1 || !strings.Contains(p.Notes[0].Body, "cameras") {
			t.Errorf("notes in the package: %+v, want only the shareable one written before sending", p.Notes)
		}
		if v.Referral.State != haven.ReferralReceived || v.Referral.ReceivedAt == nil {
			t.Errorf("opened by the agency's officer: state %s, received %v", v.Referral.State, v.Referral.ReceivedAt)
		}
		// Opening it as the analyst does not mark anything.
		cv, err := svc.CaseDetail(ctx, w.analyst, w.caseID, "test")
		if err != nil {
			t.Fatal(err)
		}
		var kinds []string
		for _, e := range cv.Timeline {
			if e.Kind == string(haven.CaseEventReferral) {
				kinds = append(kinds, e.Summary)
			}
		}
		if len(kinds) != 2 || !strings.Contains(kinds[0], "Referred to Reno Police Department") || !strings.Contains(kinds[1], "received") {
			t.Errorf("case timeline referral entries: %q", kinds)
		}
		ns, _, err := svc.ListNotifications(ctx, w.officerA, false, 100)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.ContainsFunc(ns, func(n *haven.Notification) bool { return n.Kind == haven.NotifyReferral }) {
			t.Errorf("officer A was not notified: %+v", ns)
		}
		if ns, _, _ := svc.ListNotifications(ctx, w.officerB, false, 100); len(ns) != 0 {
			t.Errorf("officer B was notified of A's referral: %+v", ns)
		}
		// Bad input changes nothing.
		for _, bad := range [][]int64{{}, {w.inactive.ID}, {w.b.ID + 999}} {
			if _, err := svc.CreateReferrals(ctx, w.analyst, w.report.ID, bad, ""); haven.ErrorField(err) != "agency_id" {
				t.Errorf("referral to %v: %v, want an agency_id field error", bad, err)
			}
		}
		if _, err := svc.CreateReferrals(ctx, w.officerA, w.report.ID, []int64{w.b.ID}, ""); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an officer sending a referral: %v, want forbidden", err)
		}
		if rs, total, _ := svc.ListReferrals(ctx, w.supervisor, haven.ReferralFilter{}); total != 1 || len(rs) != 1 {
			t.Errorf("%d referrals stored, want 1", total)
		}
	})
}

// A retry with the same Idempotency-Key sends nothing more.
func TestARetriedReferralDoesNotDuplicate(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newReferralWorld(t, svc)
		o := haven.Once{Key: "k-1", RequestHash: "h"}
		first, replayed, err := svc.CreateReferralsOnce(ctx, w.analyst, o, w.report.ID, []int64{w.a.ID, w.b.ID}, "")
		if err != nil || replayed || len(first) != 2 {
			t.Fatalf("first: %v %v %d", err, replayed, len(first))
		}
		// Close A's so that a plain resend would make a new one.
		if _, err := svc.AcknowledgeReferral(ctx, w.officerA, first[0].ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.RecordReferralOutcome(ctx, w.officerA, first[0].ID, haven.OutcomeUnfounded, ""); err != nil {
			t.Fatal(err)
		}
		again, replayed, err := svc.CreateReferralsOnce(ctx, w.analyst, o, w.report.ID, []int64{w.a.ID, w.b.ID}, "")
		if err != nil || !replayed || len(again) != 2 || again[0].ID != first[0].ID || again[1].ID != first[1].ID {
			t.Fatalf("retry: %v replayed %v, %d referrals", err, replayed, len(again))
		}
		if _, total, _ := svc.ListReferrals(ctx, w.supervisor, haven.ReferralFilter{}); total != 2 {
			t.Errorf("%d referrals after a retry, want 2", total)
		}
		if _, _, err := svc.CreateReferralsOnce(ctx, w.analyst, haven.Once{Key: "k-1", RequestHash: "other"}, w.report.ID, []int64{w.a.ID}, ""); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("the key reused for another request: %v, want conflict", err)
		}
	})
}

// The state machine: each action from each state, allowed or ECONFLICT
// with a plain message; a refused transition changes nothing and is
// audited.
func TestReferralStateMachine(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newReferralWorld(t, svc)
		// reach puts a fresh referral in a state.
		reach := func(st haven.ReferralState) *haven.Referral {
			t.Helper()
			if err := svc.Store.Update(ctx, func(tx haven.Tx) error {
				rs, err := tx.ListReferrals(ctx, haven.ReferralFilter{Scope: haven.Scope{All: true}, States: haven.OpenReferralStates})
				for _, r := range rs {
					r.State = haven.ReferralOutcome
					if err := tx.UpdateReferral(ctx, r); err != nil {
						return err
					}
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			r := w.send(t, w.a)
			var err error
			switch st {
			case haven.ReferralReceived:
				_, err = svc.GetReferral(ctx, w.officerA, r.ID)
			case haven.ReferralAcknowledged:
				_, err = svc.AcknowledgeReferral(ctx, w.officerA, r.ID)
			case haven.ReferralOutcome:
				if _, err = svc.AcknowledgeReferral(ctx, w.officerA, r.ID); err == nil {
					_, err = svc.RecordReferralOutcome(ctx, w.officerA, r.ID, haven.OutcomeArrest, "Synthetic note.")
				}
			case haven.ReferralTransferred:
				_, err = svc.TransferReferral(ctx, w.officerA, r.ID, w.b.ID, "Their jurisdiction.")
				if err == nil { // close B's so later sends to B are free
					err = svc.Store.Update(ctx, func(tx haven.Tx) error {
						nr, err := tx.OpenReferral(ctx, w.report.ID, w.b.ID)
						if err != nil {
							return err
						}
						nr.State = haven.ReferralOutcome
						return tx.UpdateReferral(ctx, nr)
					})
				}
			}
			if err != nil {
				t.Fatalf("reach %s: %v", st, err)
			}
			return r
		}
		actions := map[string]func(id int64) (*haven.Referral, error){
			"acknowledge": func(id int64) (*haven.Referral, error) { return svc.AcknowledgeReferral(ctx, w.officerA, id) },
			"outcome": func(id int64) (*haven.Referral, error) {
				return svc.RecordReferralOutcome(ctx, w.officerA, id, haven.OutcomeChildLocated, "Found safe (synthetic).")
			},
			"info": func(id int64) (*haven.Referral, error) {
				return svc.RequestReferralInfo(ctx, w.officerA, id, "Is there a photo of the vehicle?")
			},
			"transfer": func(id int64) (*haven.Referral, error) { return svc.TransferReferral(ctx, w.officerA, id, w.b.ID, "") },
		}
		table := []struct {
			from   haven.ReferralState
			action string
			ok     bool
			to     haven.ReferralState
		}{
			{haven.ReferralSent, "acknowledge", true, haven.ReferralAcknowledged},
			{haven.ReferralReceived, "acknowledge", true, haven.ReferralAcknowledged},
			{haven.ReferralAcknowledged, "acknowledge", false, haven.ReferralAcknowledged},
			{haven.ReferralOutcome, "acknowledge", false, haven.ReferralOutcome},
			{haven.ReferralTransferred, "acknowledge", false, haven.ReferralTransferred},
			{haven.ReferralSent, "outcome", false, haven.ReferralSent},
			{haven.ReferralReceived, "outcome", false, haven.ReferralReceived},
			{haven.ReferralAcknowledged, "outcome", true, haven.ReferralOutcome},
			{haven.ReferralOutcome, "outcome", false, haven.ReferralOutcome},
			{haven.ReferralTransferred, "outcome", false, haven.ReferralTransferred},
			{haven.ReferralReceived, "info", true, haven.ReferralReceived},
			{haven.ReferralAcknowledged, "info", true, haven.ReferralAcknowledged},
			{haven.ReferralOutcome, "info", false, haven.ReferralOutcome},
			{haven.ReferralSent, "transfer", true, haven.ReferralTransferred},
			{haven.ReferralAcknowledged, "transfer", true, haven.ReferralTransferred},
			{haven.ReferralOutcome, "transfer", false, haven.ReferralOutcome},
			{haven.ReferralTransferred, "transfer", false, haven.ReferralTransferred},
		}
		for _, tc := range table {
			name := fmt.Sprintf("%s from %s", tc.action, tc.from)
			r := reach(tc.from)
			before := deniedCount(t, svc, w.officerA)
			_, err := actions[tc.action](r.ID)
			if tc.ok && err != nil {
				t.Errorf("%s: %v", name, err)
			}
			if !tc.ok {
				if haven.ErrorCode(err) != haven.ECONFLICT || strings.Contains(haven.ErrorMessage(err), "sql") {
					t.Errorf("%s: %v, want a plain conflict", name, err)
				}
				if after := deniedCount(t, svc, w.officerA); after != before+1 {
					t.Errorf("%s: %d refusals audited, want 1", name, after-before)
				}
			}
			var got *haven.Referral
			_ = svc.Store.View(ctx, func(tx haven.Tx) (err error) { got, err = tx.ReferralByID(ctx, r.ID); return err })
			if got.State != tc.to {
				t.Errorf("%s: state %s, want %s", name, got.State, tc.to)
			}
			if tc.ok && tc.action == "transfer" {
				if got.Outcome != haven.OutcomeTransferred || got.TransferredTo == 0 {
					t.Errorf("%s: outcome %q, transferred to %d", name, got.Outcome, got.TransferredTo)
				}
				nr, err := svc.GetReferral(ctx, w.officerB, got.TransferredTo)
				if err != nil || nr.Referral.AgencyID != w.b.ID || nr.Referral.Package.Report.Ref != w.report.Ref {
					t.Errorf("%s: the new referral for B: %v", name, err)
				}
			}
		}
		// The analyst answers a question; the history shows both.
		r := reach(haven.ReferralAcknowledged)
		if _, err := svc.AnswerReferralInfo(ctx, w.analyst, r.ID, "Nothing to add."); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("an answer without a question: %v, want conflict", err)
		}
		if _, err := svc.RequestReferralInfo(ctx, w.officerA, r.ID, "Which bus line?"); err != nil {
			t.Fatal(err)
		}
		if ns, _, _ := svc.ListNotifications(ctx, w.analyst, true, 100); !slices.ContainsFunc(ns, func(n *haven.Notification) bool { return n.Kind == haven.NotifyReferralInfo }) {
			t.Errorf("the sending analyst was not told of the question")
		}
		if _, err := svc.AnswerReferralInfo(ctx, w.officerA, r.ID, "Answering myself."); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an officer answering: %v, want forbidden", err)
		}
		if _, err := svc.AnswerReferralInfo(ctx, w.analyst, r.ID, "The route 7 bus (synthetic)."); err != nil {
			t.Fatal(err)
		}
		v, err := svc.GetReferral(ctx, w.officerA, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		var kinds []haven.ReferralEventKind
		for _, e := range v.Events {
			kinds = append(kinds, e.Kind)
		}
		want := []haven.ReferralEventKind{haven.RefEventSent, haven.RefEventAcknowledged, haven.RefEventInfoRequested, haven.RefEventInfoAnswered}
		if !slices.Equal(kinds, want) || v.InfoPending {
			t.Errorf("history %v (pending %v), want %v", kinds, v.InfoPending, want)
		}
		if _, err := svc.RecordReferralOutcome(ctx, w.officerA, r.ID, haven.OutcomeTransferred, ""); haven.ErrorField(err) != "outcome" {
			t.Errorf("recording 'transferred' by hand: %v, want an outcome field error", err)
		}
	})
}

// A referral nobody acknowledges within the time set is escalated to the
// supervisors once, and listed for them until it is acknowledged.
func TestUnacknowledgedReferralsEscalateToSupervisorsOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newReferralWorld(t, svc)
		r := w.send(t, w.a)
		c.Advance(3 * time.Hour)
		if n, err := svc.EscalateReferrals(ctx, 4*time.Hour); err != nil || n != 0 {
			t.Fatalf("after 3 hours: %d escalated (%v), want 0", n, err)
		}
		c.Advance(2 * time.Hour)
		if n, err := svc.EscalateReferrals(ctx, 4*time.Hour); err != nil || n != 1 {
			t.Fatalf("after 5 hours: %d escalated (%v), want 1", n, err)
		}
		if n, _ := svc.EscalateReferrals(ctx, 4*time.Hour); n != 0 {
			t.Errorf("escalated again: %d", n)
		}
		ns, _, _ := svc.ListNotifications(ctx, w.supervisor, true, 100)
		count := 0
		for _, n := range ns {
			if n.Kind == haven.NotifyReferralEscalated {
				count++
			}
		}
		if count != 1 {
			t.Errorf("supervisor has %d escalation notices, want 1", count)
		}
		list, err := svc.UnacknowledgedReferrals(ctx, w.supervisor)
		if err != nil || len(list) != 1 || list[0].ID != r.ID {
			t.Errorf("unacknowledged list: %d (%v)", len(list), err)
		}
		if _, err := svc.UnacknowledgedReferrals(ctx, w.analyst); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst reading the deadline list: %v, want forbidden", err)
		}
		if _, err := svc.AcknowledgeReferral(ctx, w.officerA, r.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := svc.UnacknowledgedReferrals(ctx, w.supervisor); len(list) != 0 {
			t.Errorf("an acknowledged referral is still listed")
		}
		st, err := svc.ReferralStatistics(ctx, w.officerA, 0)
		if err != nil || st.Total != 1 || st.ByState[haven.ReferralAcknowledged] != 1 || st.MedianAcknowledge != 5*time.Hour {
			t.Errorf("statistics: %+v (%v)", st, err)
		}
		if st, _ := svc.ReferralStatistics(ctx, w.officerB, 0); st.Total != 0 {
			t.Errorf("officer B's statistics count A's referral: %+v", st)
		}
	})
}

// referralMatrix is who may do what to a referral, by hand: action → role
// → relations (own: the actor's agency's referral; other: another
// agency's). The clearinghouse's roles have no agency relation: they are
// allowed on both or neither.
var referralMatrix = map[string]map[haven.Role][]relation{
	"referral.create":       {haven.RoleAnalyst: {relOwn, relOther}, haven.RoleSupervisor: {relOwn, relOther}},
	"referral.view":         {haven.RoleAnalyst: {relOwn, relOther}, haven.RoleSupervisor: {relOwn, relOther}, haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.export":       {haven.RoleAnalyst: {relOwn, relOther}, haven.RoleSupervisor: {relOwn, relOther}, haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.list":         {haven.RoleAnalyst: {relOwn, relOther}, haven.RoleSupervisor: {relOwn, relOther}, haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.acknowledge":  {haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.outcome":      {haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.info_request": {haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.transfer":     {haven.RoleOfficer: {relOwn}, haven.RoleChildWelfare: {relOwn}},
	"referral.info_answer":  {haven.RoleAnalyst: {relOwn, relOther}, haven.RoleSupervisor: {relOwn, relOther}},
}

// TestReferralAuthorisationMatrix tries every referral action as every role
// (and the public) on a referral of the actor's agency and one of another
// agency; it asserts allow or deny against the matrix, that a referral the
// actor may not see answers "not found", and that every refusal is
// audited.
func TestReferralAuthorisationMatrix(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newReferralWorld(t, svc)
		third := &haven.Agency{Name: "Elko County Sheriff", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0143", Level: haven.LevelLocal, State: "NV"}
		if err := svc.CreateAgency(ctx, sys, third); err != nil {
			t.Fatal(err)
		}
		actors := map[haven.Role]haven.Actor{"": {Via: "public"}}
		for _, role := range haven.Roles {
			u, _ := addUser(t, svc, "m-"+strings.ReplaceAll(string(role), "_", "-"), role, w.a.ID)
			actors[role] = haven.Actor{UserID: u.ID, Username: u.Username, Role: role, AgencyID: w.a.ID, Via: "web"}
		}
		// fresh makes an open referral (acknowledged, with an open
		// question) of a new report to the agency of rel.
		fresh := func(rel relation) *haven.Referral {
			t.Helper()
			rep := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic report."}
			if err := svc.CreateReport(ctx, sys, rep); err != nil {
				t.Fatal(err)
			}
			ag, off := w.a, actors[haven.RoleOfficer]
			if rel == relOther {
				ag, off = w.b, w.officerB
			}
			rs, err := svc.CreateReferrals(ctx, w.analyst, rep.ID, []int64{ag.ID}, "")
			if err != nil {
				t.Fatal(err)
			}
			if _, err := svc.AcknowledgeReferral(ctx, off, rs[0].ID); err != nil {
				t.Fatal(err)
			}
			if _, err := svc.RequestReferralInfo(ctx, off, rs[0].ID, "More, please."); err != nil {
				t.Fatal(err)
			}
			return rs[0]
		}
		do := func(a haven.Actor, action string, rel relation) (bool, error) {
			if action == "referral.create" {
				rep := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "Synthetic report."}
				if err := svc.CreateReport(ctx, sys, rep); err != nil {
					t.Fatal(err)
				}
				ag := w.a
				if rel == relOther {
					ag = w.b
				}
				_, err := svc.CreateReferrals(ctx, a, rep.ID, []int64{ag.ID}, "")
				return err == nil, err
			}
			r := fresh(rel)
			var err error
			switch action {
			case "referral.view":
				_, err = svc.GetReferral(ctx, a, r.ID)
			case "referral.export":
				_, err = svc.ExportReferral(ctx, a, r.ID)
			case "referral.list":
				var rs []*haven.Referral
				rs, _, err = svc.ListReferrals(ctx, a, haven.ReferralFilter{})
				return slices.ContainsFunc(rs, func(x *haven.Referral) bool { return x.ID == r.ID }), err
			case "referral.acknowledge":
				// Acknowledged already: undo that to test the right alone.
				_ = svc.Store.Update(ctx, func(tx haven.Tx) error {
					r.State = haven.ReferralReceived
					return tx.UpdateReferral(ctx, r)
				})
				_, err = svc.AcknowledgeReferral(ctx, a, r.ID)
			case "referral.outcome":
				_, err = svc.RecordReferralOutcome(ctx, a, r.ID, haven.OutcomeInvestigation, "")
			case "referral.info_request":
				_, err = svc.RequestReferralInfo(ctx, a, r.ID, "Anything else?")
			case "referral.transfer":
				_, err = svc.TransferReferral(ctx, a, r.ID, third.ID, "")
			case "referral.info_answer":
				_, err = svc.AnswerReferralInfo(ctx, a, r.ID, "Here it is.")
			default:
				t.Fatalf("unknown action %s", action)
			}
			return err == nil, err
		}
		roles := append([]haven.Role{""}, haven.Roles...)
		actions := make([]string, 0, len(referralMatrix))
		for action := range referralMatrix {
			actions = append(actions, action)
		}
		slices.Sort(actions)
		for _, action := range actions {
			for _, role := range roles {
				a := actors[role]
				for _, rel := range []relation{relOwn, relOther} {
					want := slices.Contains(referralMatrix[action][role], rel)
					name := fmt.Sprintf("%s as %q on %s", action, role, rel)
					before := deniedCount(t, svc, a)
					got, err := do(a, action, rel)
					if got != want {
						t.Errorf("%s: allowed %v (err %v), want %v", name, got, err, want)
						continue
					}
					if want {
						continue
					}
					listing := action == "referral.list"
					if listing && len(referralMatrix[action][role]) > 0 {
						continue // a list simply leaves it out
					}
					if code := haven.ErrorCode(err); code != haven.ENOTFOUND && code != haven.EFORBIDDEN {
						t.Errorf("%s: error %v, want not found or forbidden", name, err)
					}
					seen := slices.Contains(referralMatrix["referral.view"][role], rel)
					if !seen && len(referralMatrix[action][role]) > 0 && action != "referral.create" && haven.ErrorCode(err) != haven.ENOTFOUND {
						t.Errorf("%s: %v on a referral the actor may not see, want not found", name, err)
					}
					if after := deniedCount(t, svc, a); after != before+1 {
						t.Errorf("%s: %d refusals audited, want 1", name, after-before)
					}
				}
			}
		}
	})
}

// The package lists the reports linked to the referred one through the
// identifiers they share (those in its network), with those identifiers.
func TestAReferralPackageListsTheLinkedReports(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 0)
		w := newReferralWorld(t, svc)
		first := linkReport(t, svc, w.analyst, "NV", "An ad lists 202-555-0199 (synthetic).")
		c.Advance(time.Minute)
		other := linkReport(t, svc, w.analyst, "NV", "A caller gave a different number: 202-555-0188 (synthetic).")
		c.Advance(time.Minute)
		second := linkReport(t, svc, w.analyst, "NV", "Another caller gave the same number.", phone("+12025550199"))
		rs, err := svc.CreateReferrals(ctx, w.analyst, second.ID, []int64{w.a.ID}, "")
		if err != nil {
			t.Fatal(err)
		}
		l := rs[0].Package.Linked
		if len(l) != 1 || l[0].Ref != first.Ref || len(l[0].Identifiers) != 1 || !strings.Contains(l[0].Identifiers[0], "555-0199") {
			t.Errorf("linked reports: %+v, want %s sharing 202-555-0199 (and not %s)", l, first.Ref, other.Ref)
		}
	})
}
