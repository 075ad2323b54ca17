package haven

import (
	"context"
	"fmt"
	"time"
)

// The orphan sweep. A file is stored (encrypted) before the record naming
// it commits; a crash, a refused upload or a killed process between the two
// leaves a blob no record names, or a half-written file. Nothing else would
// ever delete them, and they hold what someone sent about a child, so a
// periodic sweep removes every blob older than BlobSweepAge that no record
// names, and every half-written file that old. Each sweep that removes
// anything is audited.

// BlobSweepAge is how old an unnamed blob must be to be swept: far longer
// than any write between storing a file and committing its record.
const BlobSweepAge = 24 * time.Hour

// BlobSweepEvery is how often the server sweeps.
const BlobSweepEvery = 6 * time.Hour

// SweepOrphanBlobs removes the blobs older than BlobSweepAge that no record
// names and the half-written files that old, and returns how many of each.
func (s *Service) SweepOrphanBlobs(ctx context.Context) (orphans, partial int, err error) {
	if s.Blobs == nil {
		return 0, 0, nil
	}
	ids, partial, err := s.Blobs.Stale(ctx, s.now().Add(-BlobSweepAge))
	if err != nil {
		return 0, partial, err
	}
	for _, id := range ids {
		var named bool
		if err := s.Store.View(ctx, func(tx Tx) (err error) {
			named, err = tx.BlobReferenced(ctx, id)
			return err
		}); err != nil {
			return orphans, partial, err
		}
		if named {
			continue
		}
		if err := s.Blobs.Delete(ctx, id); err != nil {
			return orphans, partial, err
		}
		orphans++
	}
	if orphans+partial == 0 {
		return 0, 0, nil
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, System("blob-sweep"), "attachment.sweep", OutcomeOK, KindReport, 0, "",
			fmt.Sprintf("%d unnamed files and %d half-written files older than %v removed", orphans, partial, BlobSweepAge))
	})
	return orphans, partial, err
}
