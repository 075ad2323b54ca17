package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"runtime"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Group commit. On a database with one writer (SQLite), the cost of a write
// transaction is mostly its commit: writing every page it touched to the
// WAL and syncing it. When Dialect.GroupCommit is set, one writer goroutine
// runs the Updates waiting for it in one transaction, each under its own
// savepoint, and commits once for all of them: a batch costs little more
// than one transaction, and the more writers wait, the bigger the batches.
// With a single writer nothing waits and each Update gets a transaction of
// its own, as without group commit.
//
// To each caller it is as if its Update ran alone: fn sees the writes of
// the Updates before it and none after; a failed fn is rolled back to its
// savepoint and its error returned at once; a successful one returns nil
// only once the batch has committed, so an acknowledged write is as
// durable as the database makes a commit. Should the transaction itself
// fail (a failed commit, or an error after which SQLite rolled everything
// back), every Update in the batch that had not yet failed gets the error.

const (
	// maxBatch and maxBatchTime bound a batch, so that the first Update in
	// it does not wait long for its commit.
	maxBatch     = 64
	maxBatchTime = 20 * time.Millisecond
)

var (
	qSavepoint         = query(`SAVEPOINT haven_update`)
	qReleaseSavepoint  = query(`RELEASE SAVEPOINT haven_update`)
	qRollbackSavepoint = query(`ROLLBACK TO SAVEPOINT haven_update`)

	errClosed = errors.New("sqlstore: the store is closed")
)

// writeReq is an Update waiting for the writer.
type writeReq struct {
	ctx  context.Context
	fn   func(haven.Tx) error
	done chan writeResult // buffered: the writer never waits for the caller
}

// writeResult is how an Update ended. panicked and goexit make the caller
// end the same way fn did on the writer's goroutine (a panic, or
// runtime.Goexit as in t.FailNow).
type writeResult struct {
	err      error
	panicked bool
	panicVal any
	goexit   bool
}

// startWriter starts the writer goroutine.
func (db *DB) startWriter() {
	db.writes = make(chan *writeReq)
	db.quit = make(chan struct{})
	db.writerDone = make(chan struct{})
	go db.writeLoop()
}

// stopWriter waits for the batch in progress and stops the writer.
func (db *DB) stopWriter() {
	if db.quit == nil {
		return
	}
	db.closeOnce.Do(func() { close(db.quit) })
	<-db.writerDone
}

// updateGrouped hands fn to the writer and waits for its outcome.
func (db *DB) updateGrouped(ctx context.Context, fn func(haven.Tx) error) error {
	req := &writeReq{ctx: ctx, fn: fn, done: make(chan writeResult, 1)}
	select {
	case db.writes <- req:
	case <-db.quit:
		return errClosed
	case <-ctx.Done():
		return fmt.Errorf("sqlstore: update: %w", ctx.Err())
	}
	res := <-req.done
	switch {
	case res.goexit:
		runtime.Goexit()
	case res.panicked:
		panic(res.panicVal)
	}
	return res.err
}

func (db *DB) writeLoop() {
	for {
		select {
		case <-db.quit:
			close(db.writerDone)
			return
		case req := <-db.writes:
			db.writeBatch(req)
		}
	}
}

// writeBatch runs first and whatever Updates arrive meanwhile, up to a
// batch, in one transaction. Should a fn end the goroutine with
// runtime.Goexit, writeBatch finishes the batch and starts another writer
// goroutine.
func (db *DB) writeBatch(first *writeReq) {
	ctx := context.Background() // the batch outlives any one caller's context
	var pending []*writeReq     // succeeded, waiting for the commit
	var batch *tx
	finish := func(stx *sql.Tx, err error) {
		if err == nil {
			err = batch.writeAuditHead(ctx)
		}
		if err == nil {
			if err = stx.Commit(); err != nil {
				err = fmt.Errorf("sqlstore: commit: %w", err)
			}
		} else {
			_ = stx.Rollback()
		}
		for _, r := range pending {
			r.done <- writeResult{err: err}
		}
	}

	stmts, err := db.statements(ctx, db.write, &db.writeStmts)
	if err != nil {
		first.done <- writeResult{err: err}
		return
	}
	stx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		first.done <- writeResult{err: fmt.Errorf("sqlstore: begin: %w", err)}
		return
	}
	batch = &tx{db: db, stx: stx, prepared: stmts, bound: map[*sql.Stmt]*sql.Stmt{}, head: &auditHead{}}

	goexit := true
	defer func() {
		if goexit {
			// A fn called runtime.Goexit: runSavepoint has rolled it back
			// and told its caller. Commit the rest, and hand over to a new
			// writer, as this goroutine is ending.
			finish(stx, nil)
			go db.writeLoop()
		}
	}()

	deadline := time.Now().Add(maxBatchTime)
	for n, req := 1, first; req != nil; n++ {
		succeeded, broken := batch.runSavepoint(req)
		if broken != nil {
			// The transaction is gone: nothing in it can be acknowledged.
			finish(stx, broken)
			goexit = false
			return
		}
		if succeeded {
			pending = append(pending, req)
		}
		req = nil
		if n < maxBatch && time.Now().Before(deadline) {
			select {
			case req = <-db.writes:
			default:
			}
		}
	}
	finish(stx, nil)
	goexit = false
}

// runSavepoint runs req's fn under a savepoint of the batch's transaction.
// It tells req's caller at once when fn fails and returns succeeded when it
// did not. broken is non-nil when the transaction can no longer be trusted.
func (batch *tx) runSavepoint(req *writeReq) (succeeded bool, broken error) {
	ctx := context.Background()
	if err := req.ctx.Err(); err != nil {
		req.done <- writeResult{err: fmt.Errorf("sqlstore: update: %w", err)}
		return false, nil
	}
	if _, err := batch.exec(ctx, qSavepoint); err != nil {
		err = fmt.Errorf("sqlstore: savepoint: %w", err)
		req.done <- writeResult{err: err}
		return false, err
	}
	t := &tx{db: batch.db, stx: batch.stx, prepared: batch.prepared, bound: batch.bound,
		now: time.Now().UTC().Truncate(time.Microsecond), head: batch.head}
	head := *batch.head // restored should fn be rolled back
	var res writeResult
	returned := false
	func() {
		defer func() {
			if returned {
				return
			}
			if p := recover(); p != nil {
				res.panicked, res.panicVal = true, p
				return
			}
			// runtime.Goexit: undo fn and let its caller exit too.
			_ = batch.rollbackSavepoint(ctx)
			*batch.head = head
			req.done <- writeResult{goexit: true}
		}()
		res.err = req.fn(t)
		if res.err == nil {
			res.err = t.flushAudit(ctx)
		}
		returned = true
	}()
	if res.err == nil && !res.panicked {
		if _, err := batch.exec(ctx, qReleaseSavepoint); err != nil {
			// fn swallowed an error after which SQLite rolled back.
			err = fmt.Errorf("sqlstore: release savepoint: %w", err)
			req.done <- writeResult{err: err}
			return false, err
		}
		return true, nil
	}
	broken = batch.rollbackSavepoint(ctx)
	*batch.head = head
	if broken != nil && res.err != nil {
		res.err = errors.Join(res.err, broken)
	}
	req.done <- res
	return false, broken
}

// rollbackSavepoint undoes everything since the savepoint and removes it.
// An error means the transaction itself was rolled back.
func (batch *tx) rollbackSavepoint(ctx context.Context) error {
	if _, err := batch.exec(ctx, qRollbackSavepoint); err != nil {
		return fmt.Errorf("sqlstore: rollback to savepoint: %w", err)
	}
	if _, err := batch.exec(ctx, qReleaseSavepoint); err != nil {
		return fmt.Errorf("sqlstore: release savepoint: %w", err)
	}
	return nil
}
