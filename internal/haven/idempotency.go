package haven

import (
	"context"
)

// Requests that may be retried. A client that lost the answer to a request
// (a timeout, a dropped connection) sends it again with the same
// Idempotency-Key; the request takes effect once, and the retry gets the
// first answer instead of a duplicate. The key is the client's, per actor;
// the request hash (of the method, the path and the body) tells a retry from
// a different request that reuses the key by mistake, which is ECONFLICT.
//
// The key is recorded in the same transaction as what the request creates
// or changes, so that a crash between the two cannot lose the key, and two
// concurrent requests with one key cannot both take effect: the second
// transaction fails on the key's primary key, rolls back, and answers with
// the first one's result.

// Once is the idempotency key of a request and the hash of the request.
// The zero Once is a request that takes effect every time it is sent.
type Once struct {
	Key         string // the client's Idempotency-Key; "" = none
	RequestHash string // a hash of what the request asks
}

func (o Once) validate() error {
	if len(o.Key) > MaxIdempotencyKey {
		return FieldError("Idempotency-Key", "an idempotency key has at most %d characters", MaxIdempotencyKey)
	}
	return nil
}

// once runs do, which must record the key with remember in the transaction
// that makes its change, unless the actor's key was recorded before: then
// it returns the recorded record id with replayed true, without running do.
// The same key with a different request is ECONFLICT.
//
// Only the record id is kept: a retry answers with what the record can
// give again. What is shown once (a tip's follow-up code) is not kept in
// any form that gives it back, so a retry cannot show it again.
func (s *Service) once(ctx context.Context, a Actor, o Once, do func() (int64, error)) (id int64, replayed bool, err error) {
	if err := o.validate(); err != nil {
		return 0, false, err
	}
	if id, found, err := s.recalled(ctx, a, o, false); err != nil || found {
		return id, found, err
	}
	id, err = do()
	if ErrorCode(err) == ECONFLICT && o.Key != "" {
		// A concurrent request with the same key may have got there first.
		if id, found, rerr := s.recalled(ctx, a, o, true); rerr == nil && found {
			return id, true, nil
		}
	}
	return id, false, err
}

// recalled looks the actor's key up. After a conflict (afterConflict) it
// reads in a write transaction: a store that commits writes in batches may
// have refused the key because of a request in the same batch, not yet
// committed, and answers a write only once what came before it committed.
func (s *Service) recalled(ctx context.Context, a Actor, o Once, afterConflict bool) (id int64, found bool, err error) {
	if o.Key == "" {
		return 0, false, nil
	}
	var hash string
	look := func(tx Tx) (err error) {
		hash, id, found, err = tx.IdempotentResult(ctx, a.UserID, o.Key)
		return err
	}
	if afterConflict {
		err = s.Store.Update(ctx, look)
	} else {
		err = s.Store.View(ctx, look)
	}
	if err != nil || !found {
		return 0, false, err
	}
	if hash != o.RequestHash {
		return 0, false, Errorf(ECONFLICT, "This Idempotency-Key was used for a different request; use a new key for each new request.")
	}
	return id, true, nil
}

// remember records the key inside the transaction that makes the request's
// change, with the id of the record the request created or changed. It does
// nothing without a key.
func (s *Service) remember(ctx context.Context, tx Tx, a Actor, o Once, recordID int64) error {
	if o.Key == "" {
		return nil
	}
	return tx.RecordIdempotent(ctx, a.UserID, o.Key, o.RequestHash, recordID, s.now())
}
