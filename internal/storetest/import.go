package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(importTests) }

var importTests = []test{
	{"an import batch is recorded once", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		b := &haven.ImportBatch{FileSHA256: "ab12", Number: 3, Reports: 1000, LandedAt: at(8, 0, 0, 0)}
		view(t, s, func(tx haven.Tx) error {
			if done, err := tx.ImportBatchLanded(ctx, "ab12", 3); done || err != nil {
				t.Errorf("before recording: %v %v", done, err)
			}
			return nil
		})
		update(t, s, func(tx haven.Tx) error { return tx.RecordImportBatch(ctx, b) })
		view(t, s, func(tx haven.Tx) error {
			if done, err := tx.ImportBatchLanded(ctx, "ab12", 3); !done || err != nil {
				t.Errorf("after recording: %v %v", done, err)
			}
			if done, _ := tx.ImportBatchLanded(ctx, "ab12", 4); done {
				t.Error("another batch of the file counts as landed")
			}
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.RecordImportBatch(ctx, &haven.ImportBatch{FileSHA256: "ab12", Number: 3})
		})
		wantCode(t, "recording a batch twice", err, haven.ECONFLICT)
	}},
}

func init() { register(idempotencyTests) }

var idempotencyTests = []test{
	{"an idempotency key is recorded once per actor", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		update(t, s, func(tx haven.Tx) error { return tx.RecordIdempotent(ctx, 7, "key-1", "h1", 42, at(8, 0, 0, 0)) })
		view(t, s, func(tx haven.Tx) error {
			hash, id, found, err := tx.IdempotentResult(ctx, 7, "key-1")
			if !found || hash != "h1" || id != 42 || err != nil {
				t.Errorf("stored key: %q %d %v %v", hash, id, found, err)
			}
			if _, _, found, _ := tx.IdempotentResult(ctx, 8, "key-1"); found {
				t.Error("another actor's key was found")
			}
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error { return tx.RecordIdempotent(ctx, 7, "key-1", "h2", 43, at(8, 0, 0, 0)) })
		wantCode(t, "recording a key twice", err, haven.ECONFLICT)
	}},
}
