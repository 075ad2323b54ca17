package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(missingTests) }

// newEpisode returns a small valid episode of child, opened by report.
func newEpisode(childID, reportID int64, lastSeen time.Time) *haven.MissingEpisode {
	return &haven.MissingEpisode{ChildID: childID, ReportID: reportID, MissingType: haven.MissingEndangeredRunaway,
		LastSeenAt: lastSeen, LastSeen: haven.Place{Role: haven.PlaceLastSeen, City: "Reno", State: "NV"}, State: "NV"}
}

func mustEpisode(t *testing.T, s haven.Store, e *haven.MissingEpisode) *haven.MissingEpisode {
	t.Helper()
	update(t, s, func(tx haven.Tx) error { return tx.CreateEpisode(context.Background(), e) })
	return e
}

// fromCare returns missing-from-care details of agency, found missing at found.
func fromCare(agencyID int64, found time.Time) *haven.FromCare {
	return &haven.FromCare{AgencyID: agencyID, PlacementType: haven.PlacementGroupHome, PlacementName: "Elm Street group home",
		CaseworkerName: "Casey Worker", CaseworkerPhone: "775-555-0101", CaseworkerEmail: "casey@example.com", FoundMissingAt: found}
}

var missingTests = []test{
	{"a missing episode round-trips with guardians, care details and a recovery", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Washoe County Social Services", "NV")
		u := mustUser(t, s, "cw.worker", haven.RoleChildWelfare, ag.ID)
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		r := mustReport(t, s, newReport("HV-MISS-0001", at(8, 0, 0, 0)))
		e := newEpisode(ch.ID, r.ID, at(6, 30, 0, 7))
		e.MissingType = haven.MissingNonfamilyAbduction
		e.LawEnforcement = haven.LawEnforcementReport{AgencyName: "Reno PD", CaseNumber: "26-001234", NCIC: "M123456789"}
		e.LastSeen = haven.Place{Role: haven.PlaceLastSeen, Name: "Bus station", Address: "1 Main St", City: "Reno", State: "NV", ZIP: "89501"}
		e.LastSeenWith, e.Circumstances = "an adult she met online", "Did not come back from school."
		e.Guardians = []haven.Guardian{{Name: "Rosa Reyes", Relationship: "mother", Phone: "775-555-0102", Email: "rosa@example.com"}, {Name: "Tío Luis"}}
		e.FromCare = fromCare(ag.ID, at(7, 0, 0, 0))
		e.FromCare.LawEnforcementToldAt = ptr(at(7, 30, 0, 0))
		e.AgencyID, e.CreatedBy, e.SubmissionKey = ag.ID, u.ID, "form-key-1"
		mustEpisode(t, s, e)
		if e.ID == 0 || e.CreatedAt.IsZero() || !e.UpdatedAt.Equal(e.CreatedAt) {
			t.Fatalf("CreateEpisode set ID %d, CreatedAt %v, UpdatedAt %v", e.ID, e.CreatedAt, e.UpdatedAt)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "EpisodeByID", e)(tx.EpisodeByID(ctx, e.ID))
			is(t, "EpisodeBySubmission", e)(tx.EpisodeBySubmission(ctx, u.ID, "form-key-1"))
			_, err := tx.EpisodeBySubmission(ctx, u.ID, "another key")
			wantCode(t, "unknown submission key", err, haven.ENOTFOUND)
			_, err = tx.EpisodeByID(ctx, e.ID+100)
			wantCode(t, "missing episode", err, haven.ENOTFOUND)
			return nil
		})

		rec := &haven.Recovery{RecoveredAt: at(20, 0, 0, 0), Place: haven.Place{Role: haven.PlaceRecovered, Name: "Motel", City: "Sparks", State: "NV", ZIP: "89431"},
			RecoveredBy: "Sparks PD", Factors: []string{"pressured", "other"}, FactorsOther: "wanted to see her brother",
			Experiences: "Stayed with an adult she met online.", Screening: haven.ScreeningPositive,
			TraffickingReportedAt: ptr(at(21, 0, 0, 0)), FollowUp: "Forensic interview", FollowUpDue: ptr(time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC)),
			RecordedBy: u.ID, RecordedAt: at(20, 30, 0, 0)}
		update(t, s, func(tx haven.Tx) error { return tx.RecordRecovery(ctx, e.ID, rec) })
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.EpisodeByID(ctx, e.ID)
			if err != nil {
				return err
			}
			same(t, "recovery", got.Recovery, rec)
			if !got.UpdatedAt.After(got.CreatedAt) && !got.UpdatedAt.Equal(got.CreatedAt) {
				t.Errorf("UpdatedAt %v before CreatedAt %v", got.UpdatedAt, got.CreatedAt)
			}
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error { return tx.RecordRecovery(ctx, e.ID, rec) })
		wantCode(t, "a second recovery", err, haven.ECONFLICT)
		err = updateErr(s, func(tx haven.Tx) error { return tx.RecordRecovery(ctx, e.ID+100, rec) })
		wantCode(t, "recovery of a missing episode", err, haven.ENOTFOUND)
	}},

	{"notification times are set once each", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ag := mustAgency(t, s, "Clark County DFS", "NV")
		ch := mustChild(t, s, &haven.Child{FirstName: "Jay"})
		r := mustReport(t, s, newReport("HV-MISS-0005", at(8, 0, 0, 0)))
		e := newEpisode(ch.ID, r.ID, at(7, 0, 0, 0))
		e.FromCare = fromCare(ag.ID, at(7, 0, 0, 0))
		e.FromCare.ClearinghouseToldAt = ptr(at(7, 10, 0, 0))
		mustEpisode(t, s, e)
		update(t, s, func(tx haven.Tx) error {
			return tx.SetEpisodeNotifications(ctx, e.ID, ptr(at(9, 0, 0, 3)), ptr(at(9, 30, 0, 0)))
		})
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.EpisodeByID(ctx, e.ID)
			if err != nil {
				return err
			}
			same(t, "law enforcement told", got.FromCare.LawEnforcementToldAt, ptr(at(9, 0, 0, 3)))
			same(t, "clearinghouse told (kept)", got.FromCare.ClearinghouseToldAt, ptr(at(7, 10, 0, 0)))
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error { return tx.SetEpisodeNotifications(ctx, e.ID+100, ptr(at(9, 0, 0, 0)), nil) })
		wantCode(t, "notifications of a missing episode", err, haven.ENOTFOUND)
	}},

	{"a submission key is one user's once", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		u1 := mustUser(t, s, "u1", haven.RoleHotline, 0)
		u2 := mustUser(t, s, "u2", haven.RoleHotline, 0)
		ch := mustChild(t, s, &haven.Child{FirstName: "Jay"})
		r := mustReport(t, s, newReport("HV-MISS-0002", at(8, 0, 0, 0)))
		e1 := newEpisode(ch.ID, r.ID, at(7, 0, 0, 0))
		e1.CreatedBy, e1.SubmissionKey = u1.ID, "k"
		mustEpisode(t, s, e1)
		e2 := newEpisode(ch.ID, r.ID, at(7, 0, 0, 0))
		e2.CreatedBy, e2.SubmissionKey = u2.ID, "k"
		mustEpisode(t, s, e2)
		// Episodes without a key never clash.
		mustEpisode(t, s, newEpisode(ch.ID, r.ID, at(7, 0, 0, 0)))
		mustEpisode(t, s, newEpisode(ch.ID, r.ID, at(7, 0, 0, 0)))
		err := updateErr(s, func(tx haven.Tx) error {
			again := newEpisode(ch.ID, r.ID, at(7, 0, 0, 0))
			again.CreatedBy, again.SubmissionKey = u1.ID, "k"
			return tx.CreateEpisode(ctx, again)
		})
		wantCode(t, "the same key from the same user", err, haven.ECONFLICT)
	}},

	{"ListEpisodes lists a child's episodes in order, open ones, and overdue notifications", func(t *testing.T, s haven.Store) {
		ag := mustAgency(t, s, "Clark County DFS", "NV")
		maya := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		jay := mustChild(t, s, &haven.Child{FirstName: "Jay"})
		r := mustReport(t, s, newReport("HV-MISS-0003", at(8, 0, 0, 0)))
		now := at(12, 0, 0, 0)
		mk := func(name string, child int64, lastSeen time.Time, fc *haven.FromCare, rec *haven.Recovery) string {
			e := newEpisode(child, r.ID, lastSeen)
			e.Circumstances, e.FromCare = name, fc
			mustEpisode(t, s, e)
			if rec != nil {
				update(t, s, func(tx haven.Tx) error { return tx.RecordRecovery(context.Background(), e.ID, rec) })
			}
			return name
		}
		recovered := func(at time.Time) *haven.Recovery {
			return &haven.Recovery{RecoveredAt: at, Screening: haven.ScreeningNegative, RecordedAt: at}
		}
		day := 24 * time.Hour
		// Maya's episodes, entered out of order.
		mk("maya-2", maya.ID, now.Add(-30*time.Hour), fromCare(ag.ID, now.Add(-30*time.Hour)), nil) // overdue: nobody told
		mk("maya-1", maya.ID, now.Add(-10*day), nil, recovered(now.Add(-9*day)))
		// Jay's: the edge cases of the 24-hour clock.
		atDue := fromCare(ag.ID, now.Add(-day)) // due exactly now: not yet overdue
		mk("jay-due-now", jay.ID, now.Add(-day), atDue, nil)
		justPast := fromCare(ag.ID, now.Add(-day-time.Microsecond)) // a microsecond past due
		mk("jay-just-past", jay.ID, now.Add(-day), justPast, nil)
		told := fromCare(ag.ID, now.Add(-2*day))
		told.LawEnforcementToldAt, told.ClearinghouseToldAt = ptr(now.Add(-47*time.Hour)), ptr(now.Add(-46*time.Hour))
		mk("jay-told", jay.ID, now.Add(-2*day), told, nil)
		halfTold := fromCare(ag.ID, now.Add(-2*day))
		halfTold.LawEnforcementToldAt = ptr(now.Add(-47 * time.Hour))
		mk("jay-half-told", jay.ID, now.Add(-2*day), halfTold, nil)
		mk("jay-back-in-time", jay.ID, now.Add(-3*day), fromCare(ag.ID, now.Add(-3*day)), recovered(now.Add(-3*day+2*time.Hour)))
		mk("jay-back-late", jay.ID, now.Add(-4*day), fromCare(ag.ID, now.Add(-4*day)), recovered(now.Add(-2*day)))
		mk("jay-not-from-care", jay.ID, now.Add(-5*day), nil, nil)

		all := haven.Scope{All: true}
		byAgency := haven.Scope{Any: []haven.Conj{{AgencyID: ag.ID}}}
		cases := []listCase[haven.EpisodeFilter, string]{
			{"a child's, in order", haven.EpisodeFilter{Scope: all, ChildID: maya.ID}, []string{"maya-1", "maya-2"}},
			{"open", haven.EpisodeFilter{Scope: all, ChildID: maya.ID, Open: ptr(true)}, []string{"maya-2"}},
			{"recovered", haven.EpisodeFilter{Scope: all, ChildID: maya.ID, Open: ptr(false)}, []string{"maya-1"}},
			{"not from care", haven.EpisodeFilter{Scope: all, FromCare: ptr(false)}, []string{"jay-not-from-care", "maya-1"}},
			{"overdue, longest first", haven.EpisodeFilter{Scope: all, OverdueAt: &now},
				[]string{"jay-back-late", "jay-half-told", "maya-2", "jay-just-past"}},
			{"overdue a microsecond earlier", haven.EpisodeFilter{Scope: all, OverdueAt: ptr(now.Add(-time.Microsecond))},
				[]string{"jay-back-late", "jay-half-told", "maya-2"}},
			{"zero scope", haven.EpisodeFilter{ChildID: maya.ID}, nil},
			{"scope no episode matches", haven.EpisodeFilter{Scope: byAgency}, nil},
			{"page", haven.EpisodeFilter{Scope: all, ChildID: jay.ID, Limit: 2, Offset: 1}, []string{"jay-back-late", "jay-back-in-time"}},
		}
		checkLists(t, s, "ListEpisodes", cases, haven.Tx.ListEpisodes, haven.Tx.CountEpisodes, func(e *haven.MissingEpisode) string { return e.Circumstances })

		// The SQL agrees with MissingEpisode.Overdue on every episode.
		view(t, s, func(tx haven.Tx) error {
			es, err := tx.ListEpisodes(context.Background(), haven.EpisodeFilter{Scope: all})
			if err != nil {
				return err
			}
			over, err := tx.ListEpisodes(context.Background(), haven.EpisodeFilter{Scope: all, OverdueAt: &now})
			if err != nil {
				return err
			}
			listed := map[int64]bool{}
			for _, e := range over {
				listed[e.ID] = true
			}
			for _, e := range es {
				if e.Overdue(now) != listed[e.ID] {
					t.Errorf("%s: Overdue says %v, the overdue list %v", e.Circumstances, e.Overdue(now), listed[e.ID])
				}
			}
			return nil
		})
	}},

	{"ListEpisodes agrees with the episode scope", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		nv := mustAgency(t, s, "Reno PD", "NV")
		ca := mustAgency(t, s, "Oakland PD", "CA")
		officer := mustUser(t, s, "officer", haven.RoleOfficer, nv.ID)
		other := mustUser(t, s, "other", haven.RoleChildWelfare, ca.ID)
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		r := mustReport(t, s, newReport("HV-MISS-0004", at(8, 0, 0, 0)))
		var es []*haven.MissingEpisode
		for i, v := range []struct {
			agency, by int64
			state      string
		}{{nv.ID, 0, "NV"}, {nv.ID, 0, "CA"}, {ca.ID, officer.ID, "CA"}, {ca.ID, other.ID, "CA"}, {0, 0, "NV"}} {
			e := newEpisode(ch.ID, r.ID, at(7, i, 0, 0))
			e.AgencyID, e.CreatedBy, e.State = v.agency, v.by, v.state
			es = append(es, mustEpisode(t, s, e))
		}
		for _, u := range []*haven.User{officer, other} {
			a := haven.Actor{UserID: u.ID, Role: u.Role, AgencyID: u.AgencyID}
			if u.AgencyID == nv.ID {
				a.Jurisdiction = []string{"NV"}
			} else {
				a.Jurisdiction = []string{"CA"}
			}
			scope := haven.ScopeFor(a, haven.ActionView, haven.KindEpisode)
			var want []int64
			for i := len(es) - 1; i >= 0; i-- { // newest first
				if scope.Match(es[i].Resource()) {
					want = append(want, es[i].ID)
				}
			}
			view(t, s, func(tx haven.Tx) error {
				got, err := tx.ListEpisodes(ctx, haven.EpisodeFilter{Scope: scope})
				if err != nil {
					return err
				}
				var ids []int64
				for _, e := range got {
					ids = append(ids, e.ID)
				}
				same(t, fmt.Sprintf("episodes %s sees", u.Username), ids, want)
				return nil
			})
			if len(want) == 0 {
				t.Errorf("test setup: %s sees no episode", u.Username)
			}
		}
	}},
}
