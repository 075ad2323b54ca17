package haven_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking/people"
)

// withPersonMatching makes the service file the children it creates and
// match the children every report it ingests mentions.
func withPersonMatching(t *testing.T, svc *haven.Service) {
	t.Helper()
	idx, ok := svc.Secrets.(haven.BlindIndexer)
	if !ok {
		t.Fatalf("the key file (%T) has no blind index", svc.Secrets)
	}
	svc.Ingestions = []haven.Ingestion{&people.Step{Index: idx}}
	svc.MatchKeys = people.ChildKeys(idx)
}

func dob(y int, m time.Month, d int) *time.Time {
	t := time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
	return &t
}

// mentionReport creates and ingests a report mentioning the given people.
func mentionReport(t *testing.T, svc *haven.Service, a haven.Actor, ps ...haven.PersonMention) *haven.Report {
	t.Helper()
	r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
		Narrative: "A caller saw a boy of about 15 with an older man at a bus station.", Status: haven.ReportNew, People: ps}
	if err := svc.CreateReport(context.Background(), a, r); err != nil {
		t.Fatalf("create report: %v", err)
	}
	ingest(t, svc, r)
	return r
}

func evidenceOf(m *haven.PersonMatch) map[string]string {
	out := map[string]string{}
	for _, e := range m.Evidence {
		out[e.Field] = e.Level
	}
	return out
}

func TestAChildNamedInAReportIsSuggestedAsAMatchWithEvidenceAndDecisionsHold(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withPersonMatching(t, svc)
		u, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		an := haven.Actor{UserID: u.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}

		jaylen := &haven.Child{FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: dob(2011, 3, 14), Sex: haven.SexMale, State: "TX"}
		other := &haven.Child{FirstName: "Priya", LastName: "Castellanos", DateOfBirth: dob(2009, 8, 2), Sex: haven.SexFemale, State: "WA"}
		for _, ch := range []*haven.Child{jaylen, other} {
			if err := svc.CreateChild(ctx, an, ch); err != nil {
				t.Fatal(err)
			}
		}
		r := mentionReport(t, svc, an,
			haven.PersonMention{Role: haven.PersonSuspect, FirstName: "Jaylen", LastName: "Brooks", Age: age(45)},
			haven.PersonMention{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: age(15), Sex: haven.SexMale, State: "TX"},
			haven.PersonMention{Role: haven.PersonChild, FirstName: "Devontae", LastName: "Whitfield", Age: age(12)})

		ms, err := svc.PersonMatches(ctx, an, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(ms) != 1 {
			t.Fatalf("matches: %d, want one (Jaylen the child, not the suspect of the same name, not Priya)", len(ms))
		}
		m := ms[0]
		if m.Child.ID != jaylen.ID || m.Person.ID != r.People[1].ID || m.Match.State != haven.MatchSuggested || !m.CanDecide {
			t.Fatalf("match: %+v", m)
		}
		ev := evidenceOf(m.Match)
		for field, level := range map[string]string{"first name": "exact", "last name": "exact", "date of birth": "age agrees", "sex": "same", "state": "same"} {
			if ev[field] != level {
				t.Errorf("evidence %s = %q, want %q (all: %v)", field, ev[field], level, ev)
			}
		}
		if m.Match.Probability < 0.9 || m.Match.Weight <= 0 {
			t.Errorf("strength: %+v", m.Match)
		}
		if cm, err := svc.ChildMatches(ctx, an, other.ID); err != nil || len(cm) != 0 {
			t.Errorf("the different child has matches: %v %v", cm, err)
		}
		if cm, err := svc.ChildMatches(ctx, an, jaylen.ID); err != nil || len(cm) != 1 || cm[0].ReportRef != r.Ref {
			t.Errorf("Jaylen's matches: %v %v", cm, err)
		}
		pending, err := svc.PendingPersonMatches(ctx, an, 10)
		if err != nil || len(pending) != 1 || pending[0].Match.ID != m.Match.ID {
			t.Errorf("pending: %v %v", pending, err)
		}

		// A reason is required; nothing changes without one.
		if _, err := svc.RejectPersonMatch(ctx, an, m.Match.ID, "  "); haven.ErrorField(err) != "reason" {
			t.Errorf("reject without a reason: %v", err)
		}
		if _, err := svc.RejectPersonMatch(ctx, an, m.Match.ID, "Born in Ohio, different family"); err != nil {
			t.Fatal(err)
		}
		// The job runs again: the rejected pair is not suggested again.
		ingest(t, svc, r)
		ms, _ = svc.PersonMatches(ctx, an, r.ID)
		if len(ms) != 1 || ms[0].Match.State != haven.MatchRejected || ms[0].Match.Reason != "Born in Ohio, different family" || ms[0].DecidedBy != "ana" {
			t.Errorf("after reject and a re-run: %+v", ms)
		}
		if pending, _ := svc.PendingPersonMatches(ctx, an, 10); len(pending) != 0 {
			t.Errorf("pending after reject: %d", len(pending))
		}

		// Another report on Jaylen: confirming links the mention to him.
		c.Advance(time.Hour)
		r2 := mentionReport(t, svc, an, haven.PersonMention{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: dob(2011, 3, 14)})
		ms, _ = svc.PersonMatches(ctx, an, r2.ID)
		if len(ms) != 1 || ms[0].Child.ID != jaylen.ID {
			t.Fatalf("second report's matches: %+v", ms)
		}
		if _, err := svc.ConfirmPersonMatch(ctx, an, ms[0].Match.ID, "Same school and date of birth"); err != nil {
			t.Fatal(err)
		}
		got, err := svc.GetReport(ctx, an, r2.ID, "")
		if err != nil || got.People[0].ChildID != jaylen.ID {
			t.Fatalf("child id after confirm: %+v %v", got.People, err)
		}
		// Confirmed stays confirmed through a re-run, and nothing new is suggested
		// for a person already linked.
		ingest(t, svc, r2)
		ms, _ = svc.PersonMatches(ctx, an, r2.ID)
		if len(ms) != 1 || ms[0].Match.State != haven.MatchConfirmed {
			t.Errorf("after confirm and a re-run: %+v", ms)
		}

		// Every view and decision is audited.
		for action, n := range map[string]int{"person_match.reject": 1, "person_match.confirm": 1, "report.person_matches": 4,
			"child.person_matches": 2, "person_match.list": 2} {
			es, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: action})
			if err != nil || len(es) != n {
				t.Errorf("audit %s: %d events, want %d (%v)", action, len(es), n, err)
			}
		}
		es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "person_match.reject"})
		if len(es) == 1 && (es[0].Reason != "Born in Ohio, different family" || es[0].Actor != "ana") {
			t.Errorf("reject audit: %+v", es[0])
		}
	})
}

func TestOnlyAnalystsAndSupervisorsSeeAndDecidePersonMatches(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withPersonMatching(t, svc)
		u, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		an := haven.Actor{UserID: u.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		h, _ := addUser(t, svc, "hal", haven.RoleHotline, 0)
		hot := haven.Actor{UserID: h.ID, Username: "hal", Role: haven.RoleHotline, Via: "web"}
		ch := &haven.Child{FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: dob(2011, 3, 14)}
		if err := svc.CreateChild(ctx, an, ch); err != nil {
			t.Fatal(err)
		}
		r := mentionReport(t, svc, hot, haven.PersonMention{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: age(15)})
		ms, err := svc.PersonMatches(ctx, an, r.ID)
		if err != nil || len(ms) != 1 {
			t.Fatalf("analyst: %v %v", ms, err)
		}
		if _, err := svc.PersonMatches(ctx, hot, r.ID); err == nil {
			t.Error("the hotline worker who took the report sees person matches")
		}
		if _, err := svc.PendingPersonMatches(ctx, hot, 10); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("hotline pending: %v", err)
		}
		if _, err := svc.ConfirmPersonMatch(ctx, hot, ms[0].Match.ID, "looks like him"); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("hotline confirm: %v", err)
		}
		if got, _ := svc.GetReport(ctx, an, r.ID, ""); got.People[0].ChildID != 0 {
			t.Error("a refused confirmation linked the child")
		}
		es, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Actor: "hal", Outcome: haven.OutcomeDenied})
		if len(es) != 3 {
			var acts []string
			for _, e := range es {
				acts = append(acts, e.Action)
			}
			t.Errorf("denials audited: %s", strings.Join(acts, ", "))
		}
	})
}

func age(n int) *int { return &n }
