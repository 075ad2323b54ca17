package haven_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/triage"
)

// triagedReport stores a report through the service and triages it.
func triagedReport(t *testing.T, svc *haven.Service, r *haven.Report) *haven.Report {
	t.Helper()
	ctx := context.Background()
	if err := svc.CreateReport(ctx, sys, r); err != nil {
		t.Fatal(err)
	}
	if err := svc.Retriage(ctx, r.ID); err != nil {
		t.Fatal(err)
	}
	return reportDetail(t, svc, r.ID)
}

func reportDetail(t *testing.T, svc *haven.Service, id int64) *haven.Report {
	t.Helper()
	v, err := svc.ReportDetail(context.Background(), sys, id, "test")
	if err != nil {
		t.Fatal(err)
	}
	return v.Report
}

func TestOnlyASupervisorOverridesPriorityWithAWrittenReason(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		svc.Triager = triage.Default()
		r := triagedReport(t, svc, &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentOther,
			Narrative: "A neighbour worries about a teenager who comes and goes at night."})
		if r.Priority != haven.P4 || r.Triage == nil || r.Triage.Fired[0].Rule != "other" || r.Override != nil {
			t.Fatalf("before: priority %v, triage %+v, override %+v; want P4 by the default rule", r.Priority, r.Triage, r.Override)
		}
		ana, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		sup, _ := addUser(t, svc, "sam", haven.RoleSupervisor, 0)
		analyst := haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		supervisor := haven.Actor{UserID: sup.ID, Username: "sam", Role: haven.RoleSupervisor, Via: "web"}

		t.Run("an analyst is refused and the refusal is audited", func(t *testing.T) {
			_, err := svc.OverridePriority(ctx, analyst, r.ID, haven.P1, "I think it is urgent")
			if haven.ErrorCode(err) != haven.EFORBIDDEN {
				t.Fatalf("analyst override: %v, want forbidden", err)
			}
			denied, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Actor: "ana", Action: "report.priority", Outcome: haven.OutcomeDenied})
			if err != nil || len(denied) != 1 || denied[0].RecordID != r.ID {
				t.Fatalf("audited refusals %+v, %v; want one for report %d", denied, err, r.ID)
			}
			if got := reportDetail(t, svc, r.ID); got.Priority != haven.P4 || got.Override != nil {
				t.Errorf("after the refusal: priority %v, override %+v", got.Priority, got.Override)
			}
		})
		t.Run("a supervisor without a reason is told to give one and nothing changes", func(t *testing.T) {
			_, err := svc.OverridePriority(ctx, supervisor, r.ID, haven.P1, "   ")
			if haven.ErrorCode(err) != haven.EINVALID || !strings.Contains(haven.ErrorMessage(err), "say why") {
				t.Fatalf("override without a reason: %v, want a field error asking why", err)
			}
			if got := reportDetail(t, svc, r.ID); got.Priority != haven.P4 || got.Override != nil {
				t.Errorf("after the refused override: priority %v, override %+v", got.Priority, got.Override)
			}
		})
		t.Run("a supervisor's override with a reason is kept through a re-evaluation", func(t *testing.T) {
			c.Advance(10 * time.Minute)
			got, err := svc.OverridePriority(ctx, supervisor, r.ID, haven.P1, "The caller rang back: the meeting is tonight.")
			if err != nil {
				t.Fatal(err)
			}
			if got.Priority != haven.P1 || got.DueAt == nil || !got.DueAt.Equal(c.Now().Add(time.Hour)) {
				t.Errorf("override: priority %v due %v, want P1 due an hour from now (%v)", got.Priority, got.DueAt, c.Now().Add(time.Hour))
			}
			ok, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Actor: "sam", Action: "report.priority", Outcome: haven.OutcomeOK})
			if err != nil || len(ok) != 1 || ok[0].Reason != "The caller rang back: the meeting is tonight." || !strings.Contains(ok[0].Detail, "P4 → P1") {
				t.Fatalf("audited override %+v, %v", ok, err)
			}
			c.Advance(time.Hour)
			if err := svc.Retriage(ctx, r.ID); err != nil {
				t.Fatal(err)
			}
			after := reportDetail(t, svc, r.ID)
			if after.Priority != haven.P1 || after.Override == nil || after.Override.ByName != "sam" || after.Triage.Priority != haven.P4 {
				t.Errorf("after re-evaluation: priority %v, override %+v, rules %v; want the supervisor's P1 kept beside the rules' P4",
					after.Priority, after.Override, after.Triage.Priority)
			}
			listed, err := svc.ListReports(ctx, supervisor, haven.ReportFilter{Priority: haven.P1})
			if err != nil || len(listed) != 1 || listed[0].ID != r.ID {
				t.Errorf("P1 list %v, %v; want the overridden report", listed, err)
			}
		})
		t.Run("a priority outside P1 to P4 is refused", func(t *testing.T) {
			if _, err := svc.OverridePriority(ctx, supervisor, r.ID, 7, "because"); haven.ErrorCode(err) != haven.EINVALID {
				t.Errorf("P7: %v, want invalid", err)
			}
		})
	})
}

func TestAChildMissingNowRaisesTheReportsAboutThemAndAlertsStaff(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		svc.Triager = triage.Default()
		ana, _ := addUser(t, svc, "ana", haven.RoleAnalyst, 0)
		received := c.Now()
		tip := triagedReport(t, svc, &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentOther,
			Narrative: "Jay has been posting about a new older friend.",
			People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Jay"}}})
		if tip.Priority != haven.P4 || tip.DueAt == nil || !tip.DueAt.Equal(received.Add(72*time.Hour)) {
			t.Fatalf("tip: %v due %v, want P4 due 72 hours after it was received", tip.Priority, tip.DueAt)
		}

		// Jay is reported missing (as a child already on file, matched to the
		// tip's person by an analyst).
		c.Advance(2 * time.Hour)
		jay := &haven.Child{FirstName: "Jay", LastName: "Doe"}
		if err := svc.Store.Update(ctx, func(tx haven.Tx) error {
			if err := tx.CreateChild(ctx, jay); err != nil {
				return err
			}
			return tx.SetPersonChild(ctx, tip.People[0].ID, jay.ID)
		}); err != nil {
			t.Fatal(err)
		}
		ep, err := svc.ReportMissing(ctx, sys, &haven.MissingReport{ChildID: jay.ID, Episode: haven.MissingEpisode{
			MissingType: haven.MissingEndangeredRunaway, LastSeenAt: c.Now().Add(-time.Hour),
			LastSeen:      haven.Place{Role: haven.PlaceLastSeen, City: "Reno", State: "NV"},
			Circumstances: "Did not come home from school."}})
		if err != nil {
			t.Fatal(err)
		}
		// Opening the episode enqueued the re-evaluation of the tip.
		var queued []*haven.Job
		if err := svc.Store.View(ctx, func(tx haven.Tx) (err error) {
			queued, err = tx.ListJobs(ctx, haven.JobTriageReport, false, 10)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, j := range queued {
			found = found || j.RecordID == tip.ID
		}
		if !found {
			t.Fatalf("triage jobs %+v; want one for the tip about the missing child", queued)
		}
		if err := svc.Retriage(ctx, tip.ID); err != nil {
			t.Fatal(err)
		}
		got := reportDetail(t, svc, tip.ID)
		if got.Priority != haven.P2 || got.Triage.Fired[0].Rule != "open_missing_episode" ||
			!strings.Contains(strings.Join(got.Triage.Fired[0].Evidence, " "), "missing episode") {
			t.Fatalf("tip after the episode opened: %v, fired %+v; want P2 naming the episode", got.Priority, got.Triage.Fired)
		}
		if want := c.Now().Add(4 * time.Hour); got.DueAt == nil || !got.DueAt.Equal(want) {
			t.Errorf("due %v, want 4 hours from the rise (%v)", got.DueAt, want)
		}
		ns, _, err := svc.ListNotifications(ctx, haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}, false, 10)
		if err != nil || len(ns) != 1 || ns[0].Kind != haven.NotifyPriorityRaised || ns[0].ReportID != tip.ID ||
			!strings.Contains(ns[0].Message, "P2") || strings.Contains(ns[0].Message, "Jay") {
			t.Fatalf("analyst's notifications %+v, %v; want one saying the tip rose to P2, without the child's name", ns, err)
		}

		// Jay is found: the tip falls back, and nobody is alerted for a fall.
		c.Advance(time.Hour)
		if err := svc.RecordRecovery(ctx, sys, ep.ID, &haven.Recovery{RecoveredAt: c.Now(), Screening: haven.ScreeningNotDone,
			Place: haven.Place{City: "Reno", State: "NV"}}); err != nil {
			t.Fatal(err)
		}
		if err := svc.Retriage(ctx, tip.ID); err != nil {
			t.Fatal(err)
		}
		if got := reportDetail(t, svc, tip.ID); got.Priority != haven.P4 {
			t.Errorf("after the recovery: %v, want P4", got.Priority)
		}
		if ns, _, _ := svc.ListNotifications(ctx, haven.Actor{UserID: ana.ID, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}, false, 10); len(ns) != 1 {
			t.Errorf("%d notifications after the fall, want still 1", len(ns))
		}
	})
}

func TestReportsFromBeforeTriageAreCaughtUpUnderTheCurrentRules(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		// Reports stored and ingested by a Haven that did not triage.
		var ids []int64
		for i := 0; i < 3; i++ {
			r := &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentEnticement, Escalation: "Meeting planned",
				Narrative: "A provider's report (synthetic test data)."}
			if err := svc.CreateReport(ctx, sys, r); err != nil {
				t.Fatal(err)
			}
			done, err := svc.IngestReport(ctx, r.ID)
			if err == nil {
				err = svc.Store.Update(ctx, done)
			}
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, r.ID)
		}
		svc.Triager = triage.Default()
		last, n, err := svc.CatchUpTriage(ctx, "v1", 0, 2)
		if err != nil || n != 2 || last != ids[1] {
			t.Fatalf("first step: last %d, %d evaluated, %v; want 2 up to report %d", last, n, err, ids[1])
		}
		if _, n, err = svc.CatchUpTriage(ctx, "v1", last, 2); err != nil || n != 1 {
			t.Fatalf("second step: %d evaluated, %v; want the last one", n, err)
		}
		if _, n, _ = svc.CatchUpTriage(ctx, "v1", 0, 2); n != 0 {
			t.Errorf("a third pass evaluated %d reports, want none (all under v1)", n)
		}
		for _, id := range ids {
			if r := reportDetail(t, svc, id); r.Priority != haven.P1 || r.Triage == nil || r.Triage.Version != "v1" {
				t.Errorf("report %d: %v, triage %+v; want P1 by the provider's escalation, under v1", id, r.Priority, r.Triage)
			}
		}
	})
}

func TestAHotlineFlagOfImminentDangerIsTriagedP1AtOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		svc.Triager = triage.Default()
		spec, _ := addUser(t, svc, "hana", haven.RoleHotline, 0)
		a := haven.Actor{UserID: spec.ID, Username: "hana", Role: haven.RoleHotline, Via: "web"}
		call, err := svc.StartCall(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		c.Advance(3 * time.Minute)
		flagged, err := svc.MarkImminent(ctx, a, call.ID, haven.CallUpdate{Details: &haven.CallDetails{
			WhatHappened: "The caller's niece is at a motel with an older man (synthetic test data)."}})
		if err != nil {
			t.Fatal(err)
		}
		// No job has run: triage decided in the flag's own transaction.
		r := reportDetail(t, svc, flagged.ReportID)
		if r.Priority != haven.P1 || r.Triage == nil || r.Triage.Fired[0].Rule != "hotline_imminent" ||
			!strings.Contains(r.Triage.Fired[0].Evidence[0], "Hotline specialist flagged imminent danger") {
			t.Fatalf("the flagged call's report: %v, triage %+v; want P1 by hotline_imminent", r.Priority, r.Triage)
		}
		if want := call.StartedAt.Add(time.Hour); r.DueAt == nil || !r.DueAt.Equal(want) {
			t.Errorf("due %v, want an hour after the call started (%v)", r.DueAt, want)
		}
	})
}
