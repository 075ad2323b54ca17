package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(caseWorkbenchTests) }

// workbenchCase is a case with two reports about one child.
func workbenchCase(t *testing.T, s haven.Store, title string, ch *haven.Child, reports ...*haven.Report) *haven.Case {
	t.Helper()
	var ids []int64
	for _, r := range reports {
		ids = append(ids, r.ID)
	}
	return mustCase(t, s, &haven.Case{ChildID: ch.ID, Title: title, Status: haven.CaseOpen,
		Determination: haven.DeterminationUndetermined, ReportIDs: ids})
}

var caseWorkbenchTests = []test{
	{"case events, notes, tasks and determinations round-trip in order", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		c := workbenchCase(t, s, "K", ch, mustReport(t, s, newReport("W-R1", at(1, 0, 0, 0))))
		e1 := &haven.CaseEvent{CaseID: c.ID, Kind: haven.CaseEventNote, At: at(2, 0, 0, 0), ActorID: an.ID, Actor: "analyst",
			Summary: "Note added", RecordKind: "note", RecordID: 7}
		e0 := &haven.CaseEvent{CaseID: c.ID, Kind: haven.CaseEventOpened, At: at(1, 0, 0, 0)}
		n := &haven.CaseNote{CaseID: c.ID, Body: "Spoke with the caseworker.", Shareable: true, CreatedBy: an.ID, CreatedAt: at(3, 0, 0, 0)}
		due := at(9, 0, 0, 0)
		task := &haven.CaseTask{CaseID: c.ID, Title: "Call the placement", OwnerID: an.ID, DueAt: &due, CreatedBy: an.ID, CreatedAt: at(3, 0, 0, 1)}
		d := &haven.CaseDetermination{CaseID: c.ID, Determination: haven.DeterminationYes, Rationale: "r",
			Indicators: []string{"a", "b"}, State: haven.DeterminationPending, RecordedBy: an.ID, RecordedAt: at(4, 0, 0, 0)}
		update(t, s, func(tx haven.Tx) error {
			for _, f := range []func() error{
				func() error { return tx.AddCaseEvent(ctx, e1) },
				func() error { return tx.AddCaseEvent(ctx, e0) },
				func() error { return tx.CreateCaseNote(ctx, n) },
				func() error { return tx.CreateCaseTask(ctx, task) },
				func() error { return tx.CreateDetermination(ctx, d) },
			} {
				if err := f(); err != nil {
					return err
				}
			}
			return nil
		})
		view(t, s, func(tx haven.Tx) error {
			is(t, "ListCaseEvents (oldest first)", []*haven.CaseEvent{e0, e1})(tx.ListCaseEvents(ctx, c.ID))
			is(t, "ListCaseNotes", []*haven.CaseNote{n})(tx.ListCaseNotes(ctx, c.ID))
			is(t, "ListCaseTasks", []*haven.CaseTask{task})(tx.ListCaseTasks(ctx, c.ID))
			is(t, "CaseTaskByID", task)(tx.CaseTaskByID(ctx, task.ID))
			is(t, "DeterminationByID", d)(tx.DeterminationByID(ctx, d.ID))
			return nil
		})
		done := at(5, 0, 0, 0)
		task.DoneAt, task.DoneBy = &done, an.ID
		d.State, d.DecidedBy, d.DecidedAt, d.DecisionReason = haven.DeterminationReturned, an.ID, &done, "say more"
		update(t, s, func(tx haven.Tx) error {
			if err := tx.UpdateCaseTask(ctx, task); err != nil {
				return err
			}
			return tx.DecideDetermination(ctx, d)
		})
		view(t, s, func(tx haven.Tx) error {
			is(t, "task after UpdateCaseTask", task)(tx.CaseTaskByID(ctx, task.ID))
			is(t, "ListDeterminations after a decision", []*haven.CaseDetermination{d})(tx.ListDeterminations(ctx, c.ID))
			return nil
		})
		_, err := viewAndGet(s, func(tx haven.Tx) (any, error) { return tx.CaseTaskByID(ctx, 999) })
		wantCode(t, "CaseTaskByID of a missing task", err, haven.ENOTFOUND)
	}},

	{"only approved determinations count, by the case's state and the child's sex", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		girl := mustChild(t, s, &haven.Child{FirstName: "A", Sex: haven.SexFemale})
		boy := mustChild(t, s, &haven.Child{FirstName: "B", Sex: haven.SexMale})
		k1 := mustCase(t, s, &haven.Case{ChildID: girl.ID, Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined, State: "NV"})
		k2 := mustCase(t, s, &haven.Case{ChildID: boy.ID, Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined, State: "CA"})
		mustCase(t, s, &haven.Case{ChildID: boy.ID, Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined, State: "CA"})
		all := haven.Scope{All: true}
		count := func(f haven.DeterminationCountFilter) map[haven.Determination]int {
			var n map[haven.Determination]int
			view(t, s, func(tx haven.Tx) (err error) { n, err = tx.CountDeterminations(ctx, f); return err })
			return n
		}
		if n := count(haven.DeterminationCountFilter{Scope: all}); len(n) != 0 {
			t.Errorf("before any approval: %v, want no counts (undetermined cases without an approved determination do not count)", n)
		}
		update(t, s, func(tx haven.Tx) error {
			if err := tx.SetCaseDetermination(ctx, k1.ID, haven.DeterminationYes, 11); err != nil {
				return err
			}
			return tx.SetCaseDetermination(ctx, k2.ID, haven.DeterminationNo, 12)
		})
		for _, tc := range []struct {
			name string
			f    haven.DeterminationCountFilter
			want map[haven.Determination]int
		}{
			{"all", haven.DeterminationCountFilter{Scope: all}, map[haven.Determination]int{haven.DeterminationYes: 1, haven.DeterminationNo: 1}},
			{"state", haven.DeterminationCountFilter{Scope: all, State: "NV"}, map[haven.Determination]int{haven.DeterminationYes: 1}},
			{"child's sex", haven.DeterminationCountFilter{Scope: all, ChildSex: haven.SexMale}, map[haven.Determination]int{haven.DeterminationNo: 1}},
			{"zero scope", haven.DeterminationCountFilter{}, map[haven.Determination]int{}},
		} {
			same(t, "CountDeterminations "+tc.name, count(tc.f), tc.want)
		}
		view(t, s, func(tx haven.Tx) error {
			c, err := tx.CaseByID(ctx, k1.ID)
			if err == nil && (c.Determination != haven.DeterminationYes || c.DeterminationID != 11) {
				t.Errorf("case after SetCaseDetermination: %s, id %d", c.Determination, c.DeterminationID)
			}
			return err
		})
	}},

	{"a split restores the absorbed case exactly", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		shared := mustReport(t, s, newReport("M-SH", at(1, 0, 0, 0)))
		r1 := mustReport(t, s, newReport("M-R1", at(1, 0, 0, 1)))
		r2 := mustReport(t, s, newReport("M-R2", at(1, 0, 0, 2)))
		sur := workbenchCase(t, s, "surviving", ch, r1, shared)
		abs := workbenchCase(t, s, "absorbed", ch, r2, shared)
		an := &haven.CaseNote{CaseID: abs.ID, Body: "absorbed note", CreatedAt: at(2, 0, 0, 0)}
		sn := &haven.CaseNote{CaseID: sur.ID, Body: "surviving note", CreatedAt: at(2, 0, 0, 1)}
		at1 := &haven.CaseTask{CaseID: abs.ID, Title: "absorbed task", CreatedAt: at(2, 0, 0, 2)}
		ae := &haven.CaseEvent{CaseID: abs.ID, Kind: haven.CaseEventOpened, At: at(2, 0, 0, 3)}
		ad := &haven.CaseDetermination{CaseID: abs.ID, Determination: haven.DeterminationNo, Rationale: "r", State: haven.DeterminationPending, RecordedAt: at(2, 0, 0, 4)}
		update(t, s, func(tx haven.Tx) error {
			for _, err := range []error{tx.CreateCaseNote(ctx, an), tx.CreateCaseNote(ctx, sn), tx.CreateCaseTask(ctx, at1),
				tx.AddCaseEvent(ctx, ae), tx.CreateDetermination(ctx, ad)} {
				if err != nil {
					return err
				}
			}
			return nil
		})
		var before *haven.Case
		view(t, s, func(tx haven.Tx) (err error) { before, err = tx.CaseByID(ctx, abs.ID); return err })

		m := &haven.CaseMerge{SurvivingID: sur.ID, AbsorbedID: abs.ID, Reason: "same child", MergedAt: at(3, 0, 0, 0)}
		update(t, s, func(tx haven.Tx) error { return tx.MergeCases(ctx, m) })
		same(t, "reports moved", m.ReportIDs, []int64{r2.ID})
		same(t, "notes moved", m.NoteIDs, []int64{an.ID})
		view(t, s, func(tx haven.Tx) error {
			c, err := tx.CaseByID(ctx, sur.ID)
			if err != nil {
				return err
			}
			same(t, "surviving reports", c.ReportIDs, []int64{shared.ID, r1.ID, r2.ID})
			ns, _ := tx.ListCaseNotes(ctx, sur.ID)
			ts, _ := tx.ListCaseTasks(ctx, sur.ID)
			es, _ := tx.ListCaseEvents(ctx, sur.ID)
			ds, _ := tx.ListDeterminations(ctx, sur.ID)
			if len(ns) != 2 || len(ts) != 1 || len(es) != 1 || len(ds) != 1 {
				t.Errorf("surviving case holds %d notes, %d tasks, %d events, %d determinations; want 2, 1, 1, 1", len(ns), len(ts), len(es), len(ds))
			}
			a, _ := tx.CaseByID(ctx, abs.ID)
			if a.MergedInto != sur.ID {
				t.Errorf("absorbed case MergedInto = %d, want %d", a.MergedInto, sur.ID)
			}
			is(t, "cases listed after the merge", []*haven.Case{c})(tx.ListCases(ctx, haven.CaseFilter{Scope: haven.Scope{All: true}, ChildID: ch.ID}))
			is(t, "MergeOf", m)(tx.MergeOf(ctx, abs.ID))
			ids, err := tx.CasesOfReport(ctx, r2.ID)
			same(t, "CasesOfReport after the merge", ids, []int64{sur.ID})
			return err
		})

		m.SplitBy = 0
		update(t, s, func(tx haven.Tx) error { return tx.SplitCase(ctx, m) })
		view(t, s, func(tx haven.Tx) error {
			a, err := tx.CaseByID(ctx, abs.ID)
			if err != nil {
				return err
			}
			before.UpdatedAt = a.UpdatedAt
			same(t, "absorbed case after the split", a, before)
			is(t, "absorbed notes back", []*haven.CaseNote{an})(tx.ListCaseNotes(ctx, abs.ID))
			is(t, "absorbed tasks back", []*haven.CaseTask{at1})(tx.ListCaseTasks(ctx, abs.ID))
			is(t, "absorbed events back", []*haven.CaseEvent{ae})(tx.ListCaseEvents(ctx, abs.ID))
			is(t, "absorbed determinations back", []*haven.CaseDetermination{ad})(tx.ListDeterminations(ctx, abs.ID))
			is(t, "surviving notes", []*haven.CaseNote{sn})(tx.ListCaseNotes(ctx, sur.ID))
			c, err := tx.CaseByID(ctx, sur.ID)
			same(t, "surviving reports after the split", c.ReportIDs, []int64{shared.ID, r1.ID})
			return err
		})
		err := updateErr(s, func(tx haven.Tx) error { _, err := tx.MergeOf(ctx, abs.ID); return err })
		wantCode(t, "MergeOf after the split", err, haven.ENOTFOUND)
	}},

	{"AddCaseReports leaves a report already on the case", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		ch := mustChild(t, s, &haven.Child{FirstName: "Maya"})
		r1 := mustReport(t, s, newReport("A-R1", at(1, 0, 0, 0)))
		r2 := mustReport(t, s, newReport("A-R2", at(1, 0, 0, 1)))
		c := workbenchCase(t, s, "K", ch, r1)
		update(t, s, func(tx haven.Tx) error { return tx.AddCaseReports(ctx, c.ID, []int64{r2.ID, r1.ID, r2.ID}) })
		view(t, s, func(tx haven.Tx) error {
			got, err := tx.CaseByID(ctx, c.ID)
			same(t, "ReportIDs", got.ReportIDs, []int64{r1.ID, r2.ID})
			return err
		})
	}},
}
