package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(triageTests) }

// triageContext reads a report's triage context, failing the test on error.
func triageContext(t *testing.T, s haven.Store, reportID int64) *haven.TriageContext {
	t.Helper()
	var c *haven.TriageContext
	view(t, s, func(tx haven.Tx) (err error) {
		c, err = tx.TriageContext(context.Background(), reportID)
		return err
	})
	return c
}

var triageTests = []test{
	{"triage and a supervisor override round-trip and reports.priority is the effective one", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		sup := mustUser(t, s, "sam.supervisor", haven.RoleSupervisor, 0)
		r := newReport("HV-TRIA-0001", at(9, 0, 0, 0))
		r.Escalation = "A meeting is planned tonight."
		mustReport(t, s, r)
		other := mustReport(t, s, newReport("HV-TRIA-0002", at(9, 1, 0, 0)))
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.ReportByID(ctx, r.ID)
			if err != nil {
				return err
			}
			same(t, "escalation", got.Escalation, r.Escalation)
			same(t, "due before triage", got.DueAt, (*time.Time)(nil))
			tr, o, err := tx.ReportTriage(ctx, r.ID)
			if tr != nil || o != nil || err != nil {
				t.Errorf("an untriaged report has triage %+v, override %+v, %v", tr, o, err)
			}
			return nil
		})

		tri := &haven.Triage{Priority: haven.P1, Version: "v1", At: at(9, 0, 5, 3), Fired: []haven.FiredRule{
			{Rule: "esp_escalate", Priority: haven.P1, Due: time.Hour, LabelEN: "Escalated", LabelES: "Escalado",
				Evidence: []string{"The provider asked for escalation (escalateToHighPriority)"}}}}
		due := at(10, 0, 0, 0)
		update(t, s, func(tx haven.Tx) error { return tx.SetReportTriage(ctx, r.ID, tri, haven.P1, &due) })
		view(t, s, func(tx haven.Tx) error {
			got, o, err := tx.ReportTriage(ctx, r.ID)
			if err != nil {
				return err
			}
			same(t, "triage", got, tri)
			same(t, "override", o, (*haven.PriorityOverride)(nil))
			rep, err := tx.ReportByID(ctx, r.ID)
			if err != nil {
				return err
			}
			same(t, "priority", rep.Priority, haven.P1)
			same(t, "due", rep.DueAt, &due)
			return nil
		})

		o := &haven.PriorityOverride{Priority: haven.P3, Reason: "The meeting was cancelled; police confirmed.", By: sup.ID, At: at(9, 30, 0, 0)}
		due2 := at(11, 0, 0, 0)
		update(t, s, func(tx haven.Tx) error { return tx.SetPriorityOverride(ctx, r.ID, o, &due2) })
		// The rules run again: the override stays, the effective priority is
		// what the service says it is.
		update(t, s, func(tx haven.Tx) error { return tx.SetReportTriage(ctx, r.ID, tri, haven.P3, &due2) })
		view(t, s, func(tx haven.Tx) error {
			gotT, gotO, err := tx.ReportTriage(ctx, r.ID)
			if err != nil {
				return err
			}
			same(t, "triage after override", gotT, tri)
			want := *o
			want.ByName = "sam.supervisor"
			same(t, "override", gotO, &want)
			// Lists and filters see the effective priority.
			rs, err := tx.ListReports(ctx, haven.ReportFilter{Scope: haven.Scope{All: true}, Priority: haven.P3})
			if err != nil {
				return err
			}
			if len(rs) != 1 || rs[0].ID != r.ID || rs[0].DueAt == nil || !rs[0].DueAt.Equal(due2) {
				t.Errorf("P3 reports %v, want only %s due %v", rs, r.Ref, due2)
			}
			return nil
		})

		// Catching up: ingested reports not triaged under v2, after an id.
		mustReport(t, s, newReport("HV-TRIA-0003", at(9, 2, 0, 0)))
		update(t, s, func(tx haven.Tx) error {
			for _, id := range []int64{r.ID, other.ID} {
				if err := tx.MarkReportIngested(ctx, id, at(9, 5, 0, 0)); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx haven.Tx) error {
			for _, c := range []struct {
				what    string
				version string
				after   int64
				want    []int64
			}{
				{"under v2: both ingested reports (the third is not ingested yet)", "v2", 0, []int64{r.ID, other.ID}},
				{"under v1: only the never-triaged one", "v1", 0, []int64{other.ID}},
				{"after the first id", "v2", r.ID, []int64{other.ID}},
			} {
				ids, err := tx.ReportsNotTriagedUnder(ctx, c.version, c.after, 10)
				if err != nil {
					return err
				}
				same(t, c.what, ids, c.want)
			}
			return nil
		})

		err := updateErr(s, func(tx haven.Tx) error { return tx.SetReportTriage(ctx, other.ID+100, tri, haven.P1, nil) })
		wantCode(t, "triage of a missing report", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error { return tx.SetPriorityOverride(ctx, other.ID+100, o, nil) })
		wantCode(t, "override of a missing report", err, haven.ENOTFOUND)
		err = s.View(ctx, func(tx haven.Tx) error { _, _, err := tx.ReportTriage(ctx, other.ID+100); return err })
		wantCode(t, "triage of a missing report", err, haven.ENOTFOUND)
		err = s.View(ctx, func(tx haven.Tx) error { _, err := tx.TriageContext(ctx, other.ID+100); return err })
		wantCode(t, "triage context of a missing report", err, haven.ENOTFOUND)
	}},

	{"the triage context finds imminent danger, photos and the missing episodes a report concerns", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Clark County DFS", "NV")
		spec := mustUser(t, s, "sam.hotline", haven.RoleHotline, 0)
		maya := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		jay := mustChild(t, s, &haven.Child{FirstName: "Jay"})
		w := newLinkWorld(t, s)
		missing := w.report("missing", 8, "phone:+12025550147")
		tip := w.report("tip", 9, "phone:+12025550147")
		lone := w.report("lone", 10)
		// A report whose person an analyst matched to Jay.
		named := newReport("HV-TRIA-0010", at(11, 0, 0, 0))
		named.People = []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Jay"}}
		mustReport(t, s, named)

		// Maya's episode is open and from care, nobody told yet; Jay's was
		// opened by another report and is open.
		em := newEpisode(maya.ID, missing.ID, at(7, 0, 0, 0))
		em.FromCare = fromCare(ag.ID, at(7, 0, 0, 0))
		mustEpisode(t, s, em)
		jr := mustReport(t, s, newReport("HV-TRIA-0011", at(6, 0, 0, 0)))
		ej := mustEpisode(t, s, newEpisode(jay.ID, jr.ID, at(5, 0, 0, 0)))
		update(t, s, func(tx haven.Tx) error { return tx.SetPersonChild(ctx, named.People[0].ID, jay.ID) })

		// Before linking, the tip concerns no episode.
		if c := triageContext(t, s, tip.ID); len(c.Episodes) != 0 || c.ImminentAt != nil || c.Photos != 0 {
			t.Errorf("unlinked tip: context %+v, want empty", c)
		}
		w.link("missing", 0)
		w.link("tip", 0)

		view(t, s, func(tx haven.Tx) error {
			peers, err := tx.NetworkPeers(ctx, tip.ID, 10)
			same(t, "network peers of the tip", peers, []int64{missing.ID})
			return err
		})
		same(t, "the tip's episodes", triageContext(t, s, tip.ID).Episodes, []haven.TriageEpisode{
			{EpisodeID: em.ID, ChildID: maya.ID, ReportID: missing.ID, ReportRef: missing.Ref, Via: haven.ViaNetwork, Open: true, FromCare: true}})
		same(t, "the missing report's own episode", triageContext(t, s, missing.ID).Episodes, []haven.TriageEpisode{
			{EpisodeID: em.ID, ChildID: maya.ID, ReportID: missing.ID, ReportRef: missing.Ref, Via: haven.ViaThisReport, Open: true, FromCare: true}})
		same(t, "the named report's episode", triageContext(t, s, named.ID).Episodes, []haven.TriageEpisode{
			{EpisodeID: ej.ID, ChildID: jay.ID, ReportID: jr.ID, ReportRef: jr.Ref, Via: haven.ViaPerson, Open: true}})
		if c := triageContext(t, s, lone.ID); len(c.Episodes) != 0 {
			t.Errorf("a report linked to nothing concerns episodes %+v", c.Episodes)
		}
		view(t, s, func(tx haven.Tx) error {
			ids, err := tx.ReportsConcerningChild(ctx, jay.ID, 10)
			same(t, "reports concerning Jay (by id)", ids, []int64{named.ID, jr.ID})
			if err != nil {
				return err
			}
			ids, err = tx.ReportsConcerningChild(ctx, maya.ID, 10)
			same(t, "reports concerning Maya (her report and its network)", ids, []int64{missing.ID, tip.ID})
			return err
		})

		// Law enforcement told, then the child recovered: the network no
		// longer carries the episode; the report that opened it still does,
		// closed.
		update(t, s, func(tx haven.Tx) error { return tx.SetEpisodeNotifications(ctx, em.ID, ptr(at(9, 0, 0, 0)), nil) })
		update(t, s, func(tx haven.Tx) error {
			return tx.RecordRecovery(ctx, em.ID, &haven.Recovery{RecoveredAt: at(12, 0, 0, 0), Screening: haven.ScreeningNotDone, RecordedAt: at(12, 0, 0, 0)})
		})
		if c := triageContext(t, s, tip.ID); len(c.Episodes) != 0 {
			t.Errorf("after the recovery the tip concerns episodes %+v", c.Episodes)
		}
		same(t, "the closed episode of the missing report", triageContext(t, s, missing.ID).Episodes, []haven.TriageEpisode{
			{EpisodeID: em.ID, ChildID: maya.ID, ReportID: missing.ID, ReportRef: missing.Ref, Via: haven.ViaThisReport, FromCare: true, LawEnforcementTold: true}})

		// A hotline call flagged imminent danger, and a photo.
		flagged := at(13, 0, 0, 9)
		call := &haven.Call{SpecialistID: spec.ID, ReportID: lone.ID, StartedAt: at(12, 55, 0, 0), Language: "en", Imminent: true, ImminentAt: &flagged}
		update(t, s, func(tx haven.Tx) error {
			if err := tx.CreateCall(ctx, call); err != nil {
				return err
			}
			if err := tx.UpdateCall(ctx, call); err != nil {
				return err
			}
			for i, ct := range []string{"image/jpeg", "application/pdf"} {
				a := &haven.Attachment{ReportID: lone.ID, BlobID: string(rune('a'+i)) + "0123456789abcdef0123456789abcde", FileName: "f",
					ContentType: ct, Size: 1, SHA256: "aa", MD5: "bb", Source: "hotline", CreatedAt: at(13, 1, 0, 0)}
				if err := tx.CreateAttachment(ctx, a); err != nil {
					return err
				}
			}
			return nil
		})
		c := triageContext(t, s, lone.ID)
		same(t, "imminent at", c.ImminentAt, &flagged)
		same(t, "photos", c.Photos, 1)
	}},
}
