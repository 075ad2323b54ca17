package storetest

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var jobTests = []test{
	{"jobs are claimed oldest first, leased, retried and finished", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		t0 := at(10, 0, 0, 0)
		update(t, s, func(tx haven.Tx) error {
			for i, d := range []time.Duration{2 * time.Second, 0, time.Second, time.Hour} {
				if err := tx.EnqueueJob(ctx, &haven.Job{Kind: "k", RecordID: int64(i + 1), RunAt: t0.Add(d)}); err != nil {
					return err
				}
			}
			return nil
		})
		var got []*haven.Job
		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.ClaimJobs(ctx, t0.Add(5*time.Second), time.Minute, 2)
			return err
		})
		if len(got) != 2 || got[0].RecordID != 2 || got[1].RecordID != 3 || got[0].Attempts != 1 {
			t.Fatalf("first claim: %+v", got)
		}
		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.ClaimJobs(ctx, t0.Add(5*time.Second), time.Minute, 10)
			return err
		})
		if len(got) != 1 || got[0].RecordID != 1 {
			t.Fatalf("second claim (leased and not yet due jobs must stay out): %+v", got)
		}
		first := got[0]
		update(t, s, func(tx haven.Tx) error { return tx.RetryJob(ctx, first.ID, t0.Add(time.Minute), "boom", false) })
		update(t, s, func(tx haven.Tx) error { return tx.FinishJob(ctx, first.ID) })
		update(t, s, func(tx haven.Tx) error {
			if err := tx.FinishJob(ctx, first.ID); haven.ErrorCode(err) != haven.ENOTFOUND {
				t.Errorf("finishing a finished job: %v", err)
			}
			return nil
		})
		// After the lease, the two claimed but unfinished jobs come back.
		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.ClaimJobs(ctx, t0.Add(2*time.Minute), time.Minute, 10)
			return err
		})
		if len(got) != 2 || got[0].Attempts != 2 {
			t.Fatalf("claim after the lease: %+v", got)
		}
		update(t, s, func(tx haven.Tx) error { return tx.RetryJob(ctx, got[0].ID, t0, "gave up", true) })
		var dead, live []*haven.Job
		view(t, s, func(tx haven.Tx) (err error) {
			if dead, err = tx.ListJobs(ctx, "", true, 10); err != nil {
				return err
			}
			live, err = tx.ListJobs(ctx, "k", false, 10)
			return err
		})
		if len(dead) != 1 || dead[0].LastError != "gave up" || !dead[0].Dead || len(live) != 2 {
			t.Fatalf("dead %+v, live %+v", dead, live)
		}
		// Counted by kind, waiting (due, not yet due, or leased) and dead apart.
		update(t, s, func(tx haven.Tx) error { return tx.EnqueueJob(ctx, &haven.Job{Kind: "a", RunAt: t0}) })
		var counts []haven.JobCount
		view(t, s, func(tx haven.Tx) (err error) {
			counts, err = tx.CountJobs(ctx)
			return err
		})
		want := []haven.JobCount{{Kind: "a", Count: 1}, {Kind: "k", Count: 2}, {Kind: "k", Dead: true, Count: 1}}
		if fmt.Sprint(counts) != fmt.Sprint(want) {
			t.Errorf("job counts %+v, want %+v", counts, want)
		}
	}},

	{"a renewed lease holds a job; a released one is not leased again by a renewal", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		t0 := at(10, 0, 0, 0)
		update(t, s, func(tx haven.Tx) error {
			for i := 0; i < 3; i++ {
				if err := tx.EnqueueJob(ctx, &haven.Job{Kind: "k", RecordID: int64(i + 1), RunAt: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		var js []*haven.Job
		update(t, s, func(tx haven.Tx) (err error) {
			js, err = tx.ClaimJobs(ctx, t0, time.Minute, 10)
			return err
		})
		if len(js) != 3 {
			t.Fatalf("claimed %d jobs, want 3", len(js))
		}
		// The third fails and is released for a retry at once.
		update(t, s, func(tx haven.Tx) error { return tx.RetryJob(ctx, js[2].ID, t0, "boom", false) })
		var renewed int
		update(t, s, func(tx haven.Tx) (err error) {
			renewed, err = tx.RenewJobLeases(ctx, []int64{js[0].ID, js[2].ID, 999999}, t0.Add(5*time.Minute))
			return err
		})
		if renewed != 1 {
			t.Errorf("renewed %d leases, want 1: the released and the missing job are not leased", renewed)
		}
		// Two minutes on, the unrenewed lease has ended, the renewed has not.
		var got []*haven.Job
		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.ClaimJobs(ctx, t0.Add(2*time.Minute), time.Minute, 10)
			return err
		})
		ids := map[int64]bool{}
		for _, j := range got {
			ids[j.ID] = true
		}
		if len(got) != 2 || !ids[js[1].ID] || !ids[js[2].ID] {
			t.Errorf("claimed at 2 minutes: %+v; want the second (lease ended) and third (released), not the renewed first", got)
		}
		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.ClaimJobs(ctx, t0.Add(6*time.Minute), time.Minute, 10)
			return err
		})
		if len(got) == 0 || got[0].ID != js[0].ID {
			t.Errorf("claimed at 6 minutes: %+v; want the first, its renewed lease over", got)
		}
	}},

	{"concurrent claims never hand one job to two runners", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		t0 := at(10, 0, 0, 0)
		const n = 60
		update(t, s, func(tx haven.Tx) error {
			for i := 0; i < n; i++ {
				if err := tx.EnqueueJob(ctx, &haven.Job{Kind: "k", RecordID: int64(i), RunAt: t0}); err != nil {
					return err
				}
			}
			return nil
		})
		var mu sync.Mutex
		seen := map[int64]int{}
		var wg sync.WaitGroup
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					var got []*haven.Job
					err := s.Update(ctx, func(tx haven.Tx) (err error) { got, err = tx.ClaimJobs(ctx, t0, time.Hour, 4); return err })
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, j := range got {
						seen[j.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != n {
			t.Errorf("%d of %d jobs claimed", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("job %d claimed %d times", id, c)
			}
		}
	}},
}
