package haven

import (
	"context"
	"time"
)

// EspSweepEvery is how often ExpireEspSubmissions runs: an unfinished
// submission is deleted at most this long after it is due.
const EspSweepEvery = time.Minute

// espSweepBatch is how many due submissions one read of the sweep takes.
const espSweepBatch = 500

// ExpireEspSubmissions deletes every unfinished submission that is due (24
// hours after it was opened and 1 hour after its last change, whichever is
// later) with its files, each in a transaction of its own with its audit
// event, and returns how many it deleted. A periodic sweep rather than one
// job per submission: a finished submission — nearly all of them — then
// costs the writer nothing later on.
func (s *Service) ExpireEspSubmissions(ctx context.Context) (int, error) {
	n := 0
	for {
		now := s.now()
		var ids []int64
		err := s.Store.View(ctx, func(tx Tx) (err error) {
			ids, err = tx.UnfinishedEspSubmissions(ctx, now.Add(-EspOpenTTL), now.Add(-EspIdleTTL), espSweepBatch)
			return err
		})
		if err != nil {
			return n, err
		}
		for _, id := range ids {
			if err := s.ExpireEspSubmission(ctx, id); err != nil {
				return n, err
			}
			n++
		}
		if len(ids) < espSweepBatch {
			return n, nil
		}
	}
}
