package haven

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// MaxImportBatch is the most reports ImportReports takes in one call: one
// transaction should stay short enough not to hold the writer for long.
const MaxImportBatch = 5000

// ImportReports validates and stores many reports in one transaction: the
// batched path for bulk imports and the demo seeder, where a transaction
// (and, on a durable store, an fsync) per report would dominate the cost.
//
// Each report is prepared exactly as CreateReport prepares one (ReceivedAt,
// Status, CreatedBy and the actor's agency filled in, text normalised) and
// validated before anything is written. If any report is invalid, the error
// names it (field "reports[i].…") and nothing is stored; likewise if any
// insert fails, the whole batch is rolled back (and the IDs already set on
// the reports mean nothing). References are assigned as CreateReport
// assigns them. Every report gets its own "report.create" audit
// event in the same transaction, so an import leaves the same audit trail as
// one CreateReport per report. On success every report has its ID, Ref and
// timestamps set.
//
// At most MaxImportBatch reports per call; split larger imports.
func (s *Service) ImportReports(ctx context.Context, a Actor, rs []*Report) error {
	if !CanKind(a, ActionCreate, KindReport) {
		return s.deny(ctx, a, "report.create", KindReport, 0, forbidden("create reports"))
	}
	if len(rs) > MaxImportBatch {
		return Errorf(EINVALID, "At most %d reports in one import batch; this one has %d.", MaxImportBatch, len(rs))
	}
	if err := s.prepareAll(a, rs); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		for _, r := range rs {
			if err := s.insertReport(ctx, tx, a, r); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		s.wake()
	}
	return err
}

// prepareAll prepares and validates every report of a batch, naming the
// first bad one in the error's field ("reports[i].…").
func (s *Service) prepareAll(a Actor, rs []*Report) error {
	now := s.now()
	for i, r := range rs {
		if r == nil {
			return FieldError(fmt.Sprintf("reports[%d]", i), "the report is empty")
		}
		if err := prepareReport(a, r, now); err != nil {
			var e *Error
			if errors.As(err, &e) {
				return &Error{Code: e.Code, Field: fmt.Sprintf("reports[%d].%s", i, e.Field), Message: e.Message}
			}
			return fmt.Errorf("reports[%d]: %w", i, err)
		}
	}
	return nil
}

// PrepareReport fills in what the service would set on a new report from
// the actor and validates it, without storing anything: an import's dry
// run checks each row with it.
func (s *Service) PrepareReport(a Actor, r *Report) error { return prepareReport(a, r, s.now()) }

// ImportBatch records that one batch of a bulk import file landed, so that
// running the same file again skips it instead of duplicating its reports.
type ImportBatch struct {
	FileSHA256 string // hex SHA-256 of the whole file
	Number     int    // 0, 1, 2, … in file order
	Reports    int
	LandedAt   time.Time
}

// ImportTx is the part of a transaction that remembers landed import batches.
type ImportTx interface {
	// ImportBatchLanded reports whether the batch was recorded.
	ImportBatchLanded(ctx context.Context, fileSHA256 string, number int) (bool, error)
	// RecordImportBatch records a batch; ECONFLICT if it is recorded already.
	RecordImportBatch(ctx context.Context, b *ImportBatch) error
}

// ImportBatchOnce stores one batch of a bulk import file in one
// transaction, whole or not at all, unless that batch of that file (by
// SHA-256) already landed: then it stores nothing and returns false. A
// re-run of an interrupted import therefore resumes without duplicates.
func (s *Service) ImportBatchOnce(ctx context.Context, a Actor, fileSHA256 string, number int, rs []*Report) (landed bool, err error) {
	if !CanKind(a, ActionCreate, KindReport) {
		return false, s.deny(ctx, a, "report.create", KindReport, 0, forbidden("create reports"))
	}
	if len(rs) > MaxImportBatch {
		return false, Errorf(EINVALID, "At most %d reports in one import batch; this one has %d.", MaxImportBatch, len(rs))
	}
	if err := s.prepareAll(a, rs); err != nil {
		return false, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		done, err := tx.ImportBatchLanded(ctx, fileSHA256, number)
		if err != nil || done {
			return err
		}
		for _, r := range rs {
			if err := s.insertReport(ctx, tx, a, r); err != nil {
				return err
			}
		}
		landed = true
		return tx.RecordImportBatch(ctx, &ImportBatch{FileSHA256: fileSHA256, Number: number, Reports: len(rs), LandedAt: s.now()})
	})
	if err != nil {
		return false, err
	}
	if landed {
		s.wake()
	}
	return landed, nil
}

// prepareReport fills in what the service sets on a new report (ReceivedAt,
// Status, and for a signed-in user CreatedBy and their agency), normalises
// it and validates it at now.
func prepareReport(a Actor, r *Report, now time.Time) error {
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = now
	}
	if r.Status == "" {
		r.Status = ReportNew
	}
	if a.Role != RoleSystem {
		r.CreatedBy = a.UserID
		if r.AgencyID == 0 {
			r.AgencyID = a.AgencyID
		}
	}
	r.Normalize()
	return r.Validate(now)
}

// IdempotencyTx remembers what a request with an idempotency key created,
// so that a retried request returns the first result instead of creating a
// duplicate (see Once).
type IdempotencyTx interface {
	// IdempotentResult returns the request hash and record id stored for
	// the actor's key; found is false when the key is new.
	IdempotentResult(ctx context.Context, actorID int64, key string) (requestHash string, recordID int64, found bool, err error)
	// RecordIdempotent stores the key's request hash and record id; a key
	// the actor recorded already is ECONFLICT.
	RecordIdempotent(ctx context.Context, actorID int64, key, requestHash string, recordID int64, at time.Time) error
}

// MaxIdempotencyKey is the longest idempotency key accepted.
const MaxIdempotencyKey = 200

// CreateReportOnce is CreateReport for requests that may be retried (the
// JSON API's Idempotency-Key): the first request with a key creates the
// report; a retry with the same key and the same request (by hash) returns
// that report with replayed true; the same key with a different request is
// ECONFLICT. An empty key creates a report every time.
func (s *Service) CreateReportOnce(ctx context.Context, a Actor, key, requestHash string, r *Report) (rep *Report, replayed bool, err error) {
	o := Once{Key: key, RequestHash: requestHash}
	if err := o.validate(); err != nil {
		return nil, false, err
	}
	if !CanKind(a, ActionCreate, KindReport) {
		return nil, false, s.deny(ctx, a, "report.create", KindReport, 0, forbidden("create reports"))
	}
	if err := prepareReport(a, r, s.now()); err != nil {
		return nil, false, err
	}
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.Store.Update(ctx, func(tx Tx) error {
			if err := s.insertReport(ctx, tx, a, r); err != nil {
				return err
			}
			return s.remember(ctx, tx, a, o, r.ID)
		})
		return r.ID, err
	})
	if err != nil {
		return nil, false, err
	}
	if !replayed {
		s.wake()
		return r, false, nil
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		rep, err = tx.ReportByID(ctx, id)
		return err
	})
	return rep, true, err
}
