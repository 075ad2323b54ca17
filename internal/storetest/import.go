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
