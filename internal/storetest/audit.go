package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// appendEvents appends n events in one transaction and returns them.
func appendEvents(t *testing.T, s haven.Store, n int, edit func(i int, e *haven.AuditEvent)) []*haven.AuditEvent {
	t.Helper()
	var es []*haven.AuditEvent
	update(t, s, func(tx haven.Tx) error {
		for i := 0; i < n; i++ {
			e := &haven.AuditEvent{Actor: "analyst1", ActorID: 1, Role: haven.RoleAnalyst, Via: "web", IP: "192.0.2.7",
				Action: "report.view", Outcome: haven.OutcomeOK, Kind: haven.KindReport, RecordID: int64(i + 1)}
			if edit != nil {
				edit(i, e)
			}
			if err := tx.AppendAudit(context.Background(), e, testSealer); err != nil {
				return err
			}
			es = append(es, e)
		}
		return nil
	})
	return es
}

// errRolledBack is the error of an Update that changed its mind.
var errRolledBack = errors.New("changed my mind")

// verifyChain checks the whole stored chain against its head.
func verifyChain(s haven.Store) (count int64, err error) {
	err = s.View(context.Background(), func(tx haven.Tx) error {
		v := &haven.ChainVerifier{Sealer: testSealer}
		if err := tx.ScanAudit(context.Background(), v.Check); err != nil {
			return err
		}
		seq, hash, err := tx.AuditHead(context.Background())
		if err != nil {
			return err
		}
		count = v.Count
		return v.Finish(seq, hash)
	})
	return count, err
}

// wantBreak fails the test unless err is a *haven.ChainBreak at seq.
func wantBreak(t *testing.T, err error, seq int64) {
	t.Helper()
	var b *haven.ChainBreak
	if !errors.As(err, &b) {
		t.Fatalf("verification returned %v, want a chain break at %d", err, seq)
	}
	if b.Seq != seq {
		t.Errorf("chain break at %d (%s), want %d", b.Seq, b.Reason, seq)
	}
}

// disarm removes the database's append-only guard on the audit log, as an
// attacker with full access to the database could.
func disarm(t *testing.T, s haven.Store) {
	t.Helper()
	switch s.Dialect() {
	case "sqlite":
		rawExec(t, s, "DROP TRIGGER audit_events_no_update")
		rawExec(t, s, "DROP TRIGGER audit_events_no_delete")
	case "postgres":
		rawExec(t, s, "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
	default:
		t.Fatalf("no way to disarm the audit guard on %s", s.Dialect())
	}
}

// tamperTest appends five events, disarms the append-only guard, runs stmt
// on the database behind the store's back and expects verification to
// break at entry seq.
func tamperTest(name, stmt string, seq int64) test {
	return test{name, func(t *testing.T, s haven.Store) {
		appendEvents(t, s, 5, nil)
		disarm(t, s)
		rawExec(t, s, stmt)
		_, err := verifyChain(s)
		wantBreak(t, err, seq)
	}}
}

var auditTests = []test{
	tamperTest("editing an audit row breaks the chain", "UPDATE audit_events SET detail = 'nothing to see' WHERE seq = 3", 3),
	tamperTest("re-pointing an audit row at another record breaks the chain", "UPDATE audit_events SET record_id = 99 WHERE seq = 4", 4),
	tamperTest("deleting a middle audit row breaks the chain", "DELETE FROM audit_events WHERE seq = 3", 3),
	tamperTest("deleting the first audit row breaks the chain", "DELETE FROM audit_events WHERE seq = 1", 1),
	tamperTest("swapping two rows' contents breaks the chain",
		"UPDATE audit_events SET actor = CASE seq WHEN 2 THEN 'mallory' ELSE actor END, ip = CASE seq WHEN 2 THEN '203.0.113.9' ELSE ip END WHERE seq = 2", 2),

	{"audit events round-trip and chain from the head", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		view(t, s, func(tx haven.Tx) error {
			seq, hash, err := tx.AuditHead(ctx)
			if seq != 0 || hash != nil || err != nil {
				t.Errorf("empty AuditHead = %d, %x, %v; want 0, nil, nil", seq, hash, err)
			}
			return nil
		})
		es := appendEvents(t, s, 3, func(i int, e *haven.AuditEvent) {
			if i == 1 {
				e.At = at(9, 30, 0, 123456)
				e.Reason, e.Detail, e.Outcome = "court order 24-118", "viewed narrative", haven.OutcomeDenied
				e.ActorID, e.Role, e.Kind, e.RecordID = 0, "", "", 0
			}
		})
		for i, e := range es {
			if e.Seq != int64(i+1) || e.At.IsZero() || len(e.Hash) == 0 {
				t.Errorf("event %d: Seq %d, At %v, Hash %x", i, e.Seq, e.At, e.Hash)
			}
		}
		if es[0].PrevHash != nil || string(es[1].PrevHash) != string(es[0].Hash) || string(es[2].PrevHash) != string(es[1].Hash) {
			t.Error("PrevHash does not chain to the previous event's Hash")
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "ListAudit (newest first)", []*haven.AuditEvent{es[2], es[1], es[0]})(tx.ListAudit(ctx, haven.AuditFilter{}))
			seq, hash, err := tx.AuditHead(ctx)
			if err != nil {
				return err
			}
			if seq != 3 || string(hash) != string(es[2].Hash) {
				t.Errorf("AuditHead = %d, %x; want 3, %x", seq, hash, es[2].Hash)
			}
			return nil
		})
		if n, err := verifyChain(s); err != nil || n != 3 {
			t.Errorf("verifying the chain: %d events, %v", n, err)
		}
	}},

	{"audit appends chain without gaps under concurrent writers", func(t *testing.T, s haven.Store) {
		const writers, each = 8, 15
		var wg sync.WaitGroup
		errs := make(chan error, writers*each)
		for w := 0; w < writers; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < each; i++ {
					err := s.Update(context.Background(), func(tx haven.Tx) error {
						return tx.AppendAudit(context.Background(), &haven.AuditEvent{
							Actor: fmt.Sprintf("writer%d", w), Action: "report.create", Outcome: haven.OutcomeOK, Detail: fmt.Sprint(i),
						}, testSealer)
					})
					if err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Errorf("AppendAudit: %v", err)
		}
		n, err := verifyChain(s)
		if err != nil {
			t.Fatalf("verifying the chain: %v", err)
		}
		if n != writers*each {
			t.Errorf("the chain has %d events, want %d", n, writers*each)
		}
	}},

	{"a rolled-back append leaves no gap", func(t *testing.T, s haven.Store) {
		appendEvents(t, s, 2, nil)
		err := updateErr(s, func(tx haven.Tx) error {
			if err := tx.AppendAudit(context.Background(), &haven.AuditEvent{Action: "x.y"}, testSealer); err != nil {
				return err
			}
			return errors.New("changed my mind")
		})
		if err == nil {
			t.Fatal("Update did not return fn's error")
		}
		es := appendEvents(t, s, 1, nil)
		if es[0].Seq != 3 {
			t.Errorf("the append after a rollback got Seq %d, want 3", es[0].Seq)
		}
		if n, err := verifyChain(s); err != nil || n != 3 {
			t.Errorf("verifying the chain: %d events, %v", n, err)
		}
	}},

	{"appends seen and then rolled back leave no gap, among concurrent writers", func(t *testing.T, s haven.Store) {
		// Each Update appends, reads the head (which chains the append at
		// once) and then half of them fail: the survivors must still form
		// one chain without gaps, whatever batches they shared.
		const n = 40
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs[i] = s.Update(context.Background(), func(tx haven.Tx) error {
					e := &haven.AuditEvent{Action: "report.create", Detail: fmt.Sprint(i)}
					if err := tx.AppendAudit(context.Background(), e, testSealer); err != nil {
						return err
					}
					seq, hash, err := tx.AuditHead(context.Background())
					if err != nil {
						return err
					}
					if seq != e.Seq || !bytes.Equal(hash, e.Hash) {
						return fmt.Errorf("head %d after appending %d", seq, e.Seq)
					}
					if i%2 == 1 {
						return errRolledBack
					}
					return nil
				})
			}()
		}
		wg.Wait()
		for i, err := range errs {
			if want := error(nil); i%2 == 1 {
				want = errRolledBack
				if !errors.Is(err, want) {
					t.Errorf("Update %d: %v, want %v", i, err, want)
				}
			} else if err != nil {
				t.Errorf("Update %d: %v", i, err)
			}
		}
		if got, err := verifyChain(s); err != nil || got != n/2 {
			t.Errorf("verifying the chain: %d events, %v; want %d", got, err, n/2)
		}
	}},

	{"the database refuses to change or delete an audit row", func(t *testing.T, s haven.Store) {
		appendEvents(t, s, 3, nil)
		raw := s.(RawSQL).SQL()
		for _, stmt := range []string{"UPDATE audit_events SET detail = 'x' WHERE seq = 2", "DELETE FROM audit_events WHERE seq = 3", "DELETE FROM audit_events"} {
			if _, err := raw.ExecContext(context.Background(), stmt); err == nil || !strings.Contains(err.Error(), "append-only") {
				t.Errorf("%s: %v, want refused as append-only", stmt, err)
			}
		}
		if n, err := verifyChain(s); err != nil || n != 3 {
			t.Errorf("after the refused changes: %d events, %v", n, err)
		}
	}},

	{"deleting the newest audit row is caught by the head", func(t *testing.T, s haven.Store) {
		appendEvents(t, s, 5, nil)
		disarm(t, s)
		rawExec(t, s, "DELETE FROM audit_events WHERE seq = 5")
		n, err := verifyChain(s)
		wantBreak(t, err, 5)
		if n != 4 {
			t.Errorf("%d events verified before the end, want 4", n)
		}
	}},

	{"ScanAudit visits every event in order, across batches", func(t *testing.T, s haven.Store) {
		const n = 1234
		appendEvents(t, s, n, nil)
		var seqs []int64
		view(t, s, func(tx haven.Tx) error {
			return tx.ScanAudit(context.Background(), func(e *haven.AuditEvent) error {
				seqs = append(seqs, e.Seq)
				return nil
			})
		})
		if len(seqs) != n {
			t.Fatalf("ScanAudit visited %d events, want %d", len(seqs), n)
		}
		for i, seq := range seqs {
			if seq != int64(i+1) {
				t.Fatalf("event %d has Seq %d", i, seq)
			}
		}
		stop := errors.New("stop")
		visited := 0
		err := viewErr(s, func(tx haven.Tx) error {
			return tx.ScanAudit(context.Background(), func(*haven.AuditEvent) error {
				if visited++; visited == 10 {
					return stop
				}
				return nil
			})
		})
		if !errors.Is(err, stop) || visited != 10 {
			t.Errorf("ScanAudit returned %v after %d events, want fn's error after 10", err, visited)
		}
	}},

	{"ListAudit filters by actor, action prefix, outcome, kind, record, dates", func(t *testing.T, s haven.Store) {
		type ev struct {
			actor, action, outcome string
			kind                   haven.Kind
			record                 int64
			hour                   int
		}
		evs := []ev{
			{"amy", "report.view", "ok", haven.KindReport, 1, 8},
			{"amy", "report.create", "ok", haven.KindReport, 2, 9},
			{"bob", "reports.export", "ok", "", 0, 10},
			{"bob", "report.view", "denied", haven.KindReport, 1, 11},
			{"cat", "esp_account.create", "ok", haven.KindESP, 1, 12},
			{"cat", "espXaccount.create", "ok", haven.KindESP, 2, 13},
			{"amy", "Report.view", "failed", haven.KindReport, 3, 14},
			{"dan", "case.view", "ok", haven.KindCase, 1, 15},
		}
		appendEvents(t, s, len(evs), func(i int, e *haven.AuditEvent) {
			v := evs[i]
			e.Actor, e.Action, e.Outcome, e.Kind, e.RecordID, e.At = v.actor, v.action, v.outcome, v.kind, v.record, at(v.hour, 0, 0, 0)
		})
		cases := []listCase[haven.AuditFilter, int64]{ // seqs, newest first
			{"all", haven.AuditFilter{}, []int64{8, 7, 6, 5, 4, 3, 2, 1}},
			{"actor", haven.AuditFilter{Actor: "amy"}, []int64{7, 2, 1}},
			{"exact action", haven.AuditFilter{Action: "report.view"}, []int64{4, 1}},
			{"action prefix", haven.AuditFilter{Action: "report."}, []int64{4, 2, 1}},
			{"action prefix with an underscore", haven.AuditFilter{Action: "esp_account."}, []int64{5}},
			{"outcome", haven.AuditFilter{Outcome: haven.OutcomeDenied}, []int64{4}},
			{"kind", haven.AuditFilter{Kind: haven.KindESP}, []int64{6, 5}},
			{"kind and record", haven.AuditFilter{Kind: haven.KindReport, RecordID: 1}, []int64{4, 1}},
			{"from (inclusive)", haven.AuditFilter{From: ptr(at(13, 0, 0, 0))}, []int64{8, 7, 6}},
			{"to (exclusive)", haven.AuditFilter{To: ptr(at(10, 0, 0, 0))}, []int64{2, 1}},
			{"between", haven.AuditFilter{From: ptr(at(9, 0, 0, 0)), To: ptr(at(12, 0, 0, 1))}, []int64{5, 4, 3, 2}},
			{"combined", haven.AuditFilter{Actor: "amy", Action: "report.", From: ptr(at(9, 0, 0, 0))}, []int64{2}},
			{"limit", haven.AuditFilter{Limit: 3}, []int64{8, 7, 6}},
			{"limit and offset", haven.AuditFilter{Limit: 3, Offset: 6}, []int64{2, 1}},
			{"offset alone", haven.AuditFilter{Offset: 7}, []int64{1}},
		}
		checkLists(t, s, "ListAudit", cases, haven.Tx.ListAudit, haven.Tx.CountAudit, func(e *haven.AuditEvent) int64 { return e.Seq })
	}},
}
