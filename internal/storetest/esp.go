package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(espTests) }

var espTests = []test{
	{"ESP accounts round-trip, names are unique, updates stick", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := &haven.EspAccount{Name: "examplechat", PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA"}
		update(t, s, func(tx haven.Tx) error { return tx.CreateEspAccount(ctx, a) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "EspAccountByName", a)(tx.EspAccountByName(ctx, "examplechat"))
			_, err := tx.EspAccountByName(ctx, "nobody")
			wantCode(t, "missing account", err, haven.ENOTFOUND)
			return nil
		})
		wantCode(t, "same name", updateErr(s, func(tx haven.Tx) error {
			return tx.CreateEspAccount(ctx, &haven.EspAccount{Name: "examplechat", PasswordHash: "x"})
		}), haven.ECONFLICT)
		a.Disabled = true
		update(t, s, func(tx haven.Tx) error { return tx.UpdateEspAccount(ctx, a) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "ListEspAccounts", []*haven.EspAccount{a})(tx.ListEspAccounts(ctx))
			return nil
		})
	}},
	{"UnfinishedEspSubmissions: not finished, opened and changed long enough ago, oldest change first", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := &haven.EspAccount{Name: "examplesweep", PasswordHash: "h"}
		update(t, s, func(tx haven.Tx) error { return tx.CreateEspAccount(ctx, a) })
		sub := func(n byte, state haven.EspState, opened, changed time.Time) *haven.EspSubmission {
			x := &haven.EspSubmission{AccountID: a.ID, BodyHash: []byte{n}, State: state, OpenedAt: opened, ChangedAt: changed}
			update(t, s, func(tx haven.Tx) error { return tx.CreateEspSubmission(ctx, x) })
			return x
		}
		idle := sub(1, haven.EspOpen, at(1, 0, 0, 0), at(1, 2, 0, 0))
		retracted := sub(2, haven.EspRetracted, at(1, 0, 0, 0), at(1, 1, 0, 0))
		sub(3, haven.EspFinished, at(1, 0, 0, 0), at(1, 0, 30, 0)) // finished: never
		sub(4, haven.EspOpen, at(1, 0, 0, 0), at(1, 5, 0, 0))      // changed too recently
		sub(5, haven.EspOpen, at(1, 3, 0, 0), at(1, 3, 0, 0))      // opened too recently
		view(t, s, func(tx haven.Tx) error {
			is(t, "due", []int64{retracted.ID, idle.ID})(tx.UnfinishedEspSubmissions(ctx, at(1, 2, 0, 0), at(1, 4, 0, 0), 10))
			is(t, "limit", []int64{retracted.ID})(tx.UnfinishedEspSubmissions(ctx, at(1, 2, 0, 0), at(1, 4, 0, 0), 1))
			is(t, "nothing due", []int64(nil))(tx.UnfinishedEspSubmissions(ctx, at(0, 23, 0, 0), at(1, 4, 0, 0), 10))
			return nil
		})
	}},
	{"ESP submissions and files: round-trip, one open per document, one file per hash, delete takes the files", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		a := &haven.EspAccount{Name: "examplephotos", PasswordHash: "h"}
		update(t, s, func(tx haven.Tx) error { return tx.CreateEspAccount(ctx, a) })
		sub := &haven.EspSubmission{AccountID: a.ID, BodyHash: []byte{1, 2, 3}, XML: []byte("ciphertext"), State: haven.EspOpen,
			OpenedAt: at(9, 0, 0, 0), ChangedAt: at(9, 0, 0, 0)}
		update(t, s, func(tx haven.Tx) error { return tx.CreateEspSubmission(ctx, sub) })
		wantCode(t, "a second open submission of the same document", updateErr(s, func(tx haven.Tx) error {
			dup := *sub
			return tx.CreateEspSubmission(ctx, &dup)
		}), haven.ECONFLICT)
		f := &haven.EspFile{SubmissionID: sub.ID, FileID: "0123456789abcdef0123456789abcdef", BlobID: "b1", FileName: "square.png",
			ContentType: "image/png", Size: 10, MD5: "m", SHA256: "s", CreatedAt: at(9, 1, 0, 0)}
		update(t, s, func(tx haven.Tx) error { return tx.CreateEspFile(ctx, f) })
		wantCode(t, "the same bytes twice", updateErr(s, func(tx haven.Tx) error {
			dup := *f
			dup.FileID = "fedcba9876543210fedcba9876543210"
			return tx.CreateEspFile(ctx, &dup)
		}), haven.ECONFLICT)
		f.Details = []byte("details")
		update(t, s, func(tx haven.Tx) error { return tx.UpdateEspFile(ctx, f) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "EspSubmissionByID", sub)(tx.EspSubmissionByID(ctx, sub.ID))
			is(t, "EspSubmissionByBody", sub)(tx.EspSubmissionByBody(ctx, a.ID, []byte{1, 2, 3}, at(8, 0, 0, 0)))
			_, err := tx.EspSubmissionByBody(ctx, a.ID, []byte{1, 2, 3}, at(10, 0, 0, 0))
			wantCode(t, "opened before since", err, haven.ENOTFOUND)
			is(t, "ListEspFiles", []*haven.EspFile{f})(tx.ListEspFiles(ctx, sub.ID))
			is(t, "CountEspSubmissions", 1)(tx.CountEspSubmissions(ctx))
			return nil
		})
		sub.State, sub.XML, sub.ChangedAt = haven.EspRetracted, nil, at(9, 5, 0, 0)
		update(t, s, func(tx haven.Tx) error { return tx.UpdateEspSubmission(ctx, sub) })
		view(t, s, func(tx haven.Tx) error {
			is(t, "retracted submission", sub)(tx.EspSubmissionByID(ctx, sub.ID))
			_, err := tx.EspSubmissionByBody(ctx, a.ID, []byte{1, 2, 3}, at(8, 0, 0, 0))
			wantCode(t, "a retracted submission is not found by body", err, haven.ENOTFOUND)
			return nil
		})
		update(t, s, func(tx haven.Tx) error { return tx.DeleteEspSubmission(ctx, sub.ID) })
		view(t, s, func(tx haven.Tx) error {
			_, err := tx.EspSubmissionByID(ctx, sub.ID)
			wantCode(t, "deleted submission", err, haven.ENOTFOUND)
			files, err := tx.ListEspFiles(ctx, sub.ID)
			if err != nil || len(files) != 0 {
				t.Errorf("files of a deleted submission: %v %v", files, err)
			}
			return nil
		})
	}},
}
