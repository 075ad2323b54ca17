package storetest

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// writeEverything creates one record of each kind and an audit event.
func writeEverything(ctx context.Context, tx haven.Tx) error {
	a := &haven.Agency{Name: "Doomed PD", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal}
	if err := tx.CreateAgency(ctx, a); err != nil {
		return err
	}
	u := &haven.User{Username: "doomed", Role: haven.RoleAnalyst, AgencyID: a.ID}
	if err := tx.CreateUser(ctx, u); err != nil {
		return err
	}
	if err := tx.CreateSession(ctx, &haven.Session{TokenHash: []byte("doomed"), UserID: u.ID}); err != nil {
		return err
	}
	r := fullReport("HV-DOOM-0001", u.ID, a.ID, u.ID)
	if err := tx.CreateReport(ctx, r); err != nil {
		return err
	}
	c := &haven.Child{FirstName: "Doomed"}
	if err := tx.CreateChild(ctx, c); err != nil {
		return err
	}
	k := &haven.Case{ChildID: c.ID, Status: haven.CaseOpen, Determination: haven.DeterminationNo, ReportIDs: []int64{r.ID}}
	if err := tx.CreateCase(ctx, k); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, &haven.AuditEvent{Action: "report.create", Kind: haven.KindReport, RecordID: r.ID}, testSealer)
}

// wantNothingStored fails the test if anything writeEverything writes is in s.
func wantNothingStored(t *testing.T, s haven.Store) {
	t.Helper()
	ctx := context.Background()
	view(t, s, func(tx haven.Tx) error {
		_, err := tx.AgencyByName(ctx, "Doomed PD")
		wantCode(t, "AgencyByName", err, haven.ENOTFOUND)
		_, err = tx.UserByUsername(ctx, "doomed")
		wantCode(t, "UserByUsername", err, haven.ENOTFOUND)
		_, err = tx.SessionByTokenHash(ctx, []byte("doomed"))
		wantCode(t, "SessionByTokenHash", err, haven.ENOTFOUND)
		_, err = tx.ReportByRef(ctx, "HV-DOOM-0001")
		wantCode(t, "ReportByRef", err, haven.ENOTFOUND)
		all := haven.Scope{All: true}
		nc, err := tx.CountChildren(ctx, haven.ChildFilter{Scope: all})
		if err != nil {
			return err
		}
		nk, err := tx.CountCases(ctx, haven.CaseFilter{Scope: all})
		if err != nil {
			return err
		}
		na, err := tx.CountAudit(ctx, haven.AuditFilter{})
		if err != nil {
			return err
		}
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if nc != 0 || nk != 0 || na != 0 || seq != 0 || hash != nil {
			t.Errorf("left behind: %d children, %d cases, %d audit events, audit head %d %x", nc, nk, na, seq, hash)
		}
		return nil
	})
}

var txTests = []test{
	{"a failed Update rolls back everything", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		boom := errors.New("boom")
		err := s.Update(ctx, func(tx haven.Tx) error {
			if err := writeEverything(ctx, tx); err != nil {
				t.Errorf("writeEverything: %v", err)
			}
			return boom
		})
		if err != boom {
			t.Errorf("Update returned %v, want fn's error unchanged", err)
		}
		wantNothingStored(t, s)
	}},

	{"a panic in Update rolls back and leaves the store usable", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		func() {
			defer func() {
				if recover() == nil {
					t.Error("the panic did not propagate")
				}
			}()
			_ = s.Update(ctx, func(tx haven.Tx) error {
				if err := writeEverything(ctx, tx); err != nil {
					t.Errorf("writeEverything: %v", err)
				}
				panic("bug")
			})
		}()
		wantNothingStored(t, s)
		update(t, s, func(tx haven.Tx) error { return writeEverything(ctx, tx) })
	}},

	{"a successful Update commits everything", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error { return writeEverything(ctx, tx) })
		view(t, s, func(tx haven.Tx) error {
			if _, err := tx.ReportByRef(ctx, "HV-DOOM-0001"); err != nil {
				return err
			}
			if _, err := tx.UserByUsername(ctx, "doomed"); err != nil {
				return err
			}
			seq, _, err := tx.AuditHead(ctx)
			if err != nil {
				return err
			}
			if seq != 1 {
				t.Errorf("AuditHead seq = %d, want 1", seq)
			}
			return nil
		})
	}},

	{"a conflict inside Update can be caught and the transaction goes on", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		mustUser(t, s, "taken", haven.RoleAnalyst, 0)
		mustAgency(t, s, "Taken PD", "")
		mustReport(t, s, newReport("HV-TAKEN", at(1, 0, 0, 0)))
		other := mustUser(t, s, "other", haven.RoleAnalyst, 0)
		update(t, s, func(tx haven.Tx) error {
			err := tx.CreateUser(ctx, &haven.User{Username: "taken", Role: haven.RoleAnalyst})
			wantCode(t, "CreateUser", err, haven.ECONFLICT)
			err = tx.CreateAgency(ctx, &haven.Agency{Name: "Taken PD", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal})
			wantCode(t, "CreateAgency", err, haven.ECONFLICT)
			err = tx.CreateReport(ctx, newReport("HV-TAKEN", at(2, 0, 0, 0)))
			wantCode(t, "CreateReport", err, haven.ECONFLICT)
			renamed := *other
			renamed.Username = "taken"
			err = tx.UpdateUser(ctx, &renamed)
			wantCode(t, "UpdateUser", err, haven.ECONFLICT)
			return tx.CreateUser(ctx, &haven.User{Username: "taken2", Role: haven.RoleAnalyst})
		})
		view(t, s, func(tx haven.Tx) error {
			_, err := tx.UserByUsername(ctx, "taken2")
			return err
		})
	}},

	{"concurrent Updates commit or roll back each on its own", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		const n = 60
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := 0; i < n; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() {
					if p := recover(); p != nil {
						errs[i] = fmt.Errorf("panic: %v", p)
					}
				}()
				errs[i] = s.Update(ctx, func(tx haven.Tx) error {
					r := newReport(fmt.Sprintf("CONC-%02d", i), at(1, 0, i, 0))
					if err := tx.CreateReport(ctx, r); err != nil {
						return err
					}
					if err := tx.AppendAudit(ctx, &haven.AuditEvent{Action: "report.create", RecordID: r.ID}, testSealer); err != nil {
						return err
					}
					switch i % 3 {
					case 1:
						return fmt.Errorf("fn %d fails", i)
					case 2:
						if i%2 == 0 {
							panic(fmt.Sprintf("fn %d panics", i))
						}
					}
					return nil
				})
			}()
		}
		wg.Wait()
		want := 0
		for i, err := range errs {
			switch {
			case i%3 == 1 && (err == nil || err.Error() != fmt.Sprintf("fn %d fails", i)):
				t.Errorf("Update %d returned %v, want fn's error", i, err)
			case i%3 == 2 && i%2 == 0 && (err == nil || err.Error() != fmt.Sprintf("panic: fn %d panics", i)):
				t.Errorf("Update %d returned %v, want fn's panic", i, err)
			case (i%3 == 0 || i%3 == 2 && i%2 == 1) && err != nil:
				t.Errorf("Update %d: %v", i, err)
			}
			if i%3 == 0 || i%3 == 2 && i%2 == 1 {
				want++
			}
		}
		view(t, s, func(tx haven.Tx) error {
			for i := 0; i < n; i++ {
				_, err := tx.ReportByRef(ctx, fmt.Sprintf("CONC-%02d", i))
				committed := i%3 == 0 || i%3 == 2 && i%2 == 1
				if committed && err != nil || !committed && haven.ErrorCode(err) != haven.ENOTFOUND {
					t.Errorf("report %d: %v (committed: %v)", i, err, committed)
				}
			}
			return nil
		})
		if got, err := verifyChain(s); err != nil || got != int64(want) {
			t.Errorf("the audit chain has %d events (%v), want %d", got, err, want)
		}
	}},

	{"runtime.Goexit in Update (t.FailNow) rolls back and leaves the store usable", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		exited := make(chan bool)
		go func() {
			returned := false
			defer func() { exited <- returned }()
			_ = s.Update(ctx, func(tx haven.Tx) error {
				if err := writeEverything(ctx, tx); err != nil {
					return err
				}
				runtime.Goexit()
				return nil
			})
			returned = true
		}()
		if <-exited {
			t.Error("Update returned after fn called runtime.Goexit")
		}
		wantNothingStored(t, s)
		update(t, s, func(tx haven.Tx) error { return writeEverything(ctx, tx) })
	}},

	{"View refuses to write", func(t *testing.T, s haven.Store) {
		err := s.View(context.Background(), func(tx haven.Tx) error {
			return tx.CreateAgency(context.Background(), &haven.Agency{Name: "Sneaky", Kind: haven.AgencyLawEnforcement, Level: haven.LevelLocal})
		})
		if err == nil {
			t.Error("CreateAgency inside View succeeded")
		}
		view(t, s, func(tx haven.Tx) error {
			_, err := tx.AgencyByName(context.Background(), "Sneaky")
			wantCode(t, "AgencyByName", err, haven.ENOTFOUND)
			return nil
		})
	}},

	{"the store answers Ping and names its dialect", func(t *testing.T, s haven.Store) {
		if err := s.Ping(context.Background()); err != nil {
			t.Errorf("Ping: %v", err)
		}
		if d := s.Dialect(); d != "sqlite" && d != "postgres" {
			t.Errorf("Dialect() = %q", d)
		}
	}},
}
