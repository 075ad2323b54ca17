package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qImportBatchLanded = query(`SELECT COUNT(*) FROM import_batches WHERE file_sha256 = ? AND number = ?`)
	qRecordImportBatch = query(`INSERT INTO import_batches (file_sha256, number, reports, landed_at)
	VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
)

func (tx *tx) ImportBatchLanded(ctx context.Context, fileSHA256 string, number int) (bool, error) {
	var n int
	if err := tx.queryRow(ctx, qImportBatchLanded, fileSHA256, number).Scan(&n); err != nil {
		return false, tx.db.failure("import batch landed", err, "", "")
	}
	return n > 0, nil
}

func (tx *tx) RecordImportBatch(ctx context.Context, b *haven.ImportBatch) error {
	b.LandedAt = stamp(b.LandedAt, tx.now)
	res, err := tx.exec(ctx, qRecordImportBatch, b.FileSHA256, b.Number, b.Reports, b.LandedAt)
	if err != nil {
		return tx.db.failure("record import batch", err, "", "")
	}
	if n, err := res.RowsAffected(); err != nil {
		return tx.db.failure("record import batch", err, "", "")
	} else if n == 0 {
		return haven.Errorf(haven.ECONFLICT, "That import batch is recorded already.")
	}
	return nil
}
