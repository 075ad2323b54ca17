package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(tipTests) }

var tipTests = []test{
	{"tip follow-up codes are stored once per report, found by reference, and count failures", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := mustReport(t, s, newReport("HV-TIP1-0001", at(9, 0, 0, 0)))
		f := &haven.TipFollowUp{ReportID: r.ID, CodeHash: []byte{1, 2, 3}, CreatedAt: at(9, 0, 1, 7)}
		update(t, s, func(tx haven.Tx) error { return tx.CreateTipFollowUp(ctx, f) })
		want := &haven.TipFollowUp{ReportID: r.ID, Ref: r.Ref, CodeHash: []byte{1, 2, 3}, CreatedAt: at(9, 0, 1, 7)}
		view(t, s, func(tx haven.Tx) error {
			is(t, "TipFollowUpByRef", want)(tx.TipFollowUpByRef(ctx, r.Ref))
			_, err := tx.TipFollowUpByRef(ctx, "HV-NONE-0000")
			wantCode(t, "unknown reference", err, haven.ENOTFOUND)
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateTipFollowUp(ctx, &haven.TipFollowUp{ReportID: r.ID, CodeHash: []byte{9}})
		})
		wantCode(t, "second code for a report", err, haven.ECONFLICT)

		update(t, s, func(tx haven.Tx) error {
			for want := 1; want <= 3; want++ {
				n, err := tx.AddTipFollowUpFailure(ctx, r.ID)
				if err != nil {
					return err
				}
				if n != want {
					t.Errorf("failure count %d, want %d", n, want)
				}
			}
			return tx.SetTipFollowUpLock(ctx, r.ID, 0, ptr(at(10, 0, 0, 0)))
		})
		want.LockedUntil = ptr(at(10, 0, 0, 0))
		view(t, s, func(tx haven.Tx) error {
			is(t, "locked follow-up", want)(tx.TipFollowUpByRef(ctx, r.Ref))
			return nil
		})
		err = updateErr(s, func(tx haven.Tx) error { _, err := tx.AddTipFollowUpFailure(ctx, r.ID+100); return err })
		wantCode(t, "failure on a report without a code", err, haven.ENOTFOUND)
		err = updateErr(s, func(tx haven.Tx) error { return tx.SetTipFollowUpLock(ctx, r.ID+100, 0, nil) })
		wantCode(t, "lock of a report without a code", err, haven.ENOTFOUND)
	}},
	{"supplements keep their text, identifiers and files, oldest first, apart from the report", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := mustReport(t, s, newReport("HV-TIP2-0001", at(9, 0, 0, 0)))
		other := mustReport(t, s, newReport("HV-TIP2-0002", at(9, 0, 0, 0)))
		a1 := &haven.Attachment{ReportID: r.ID, BlobID: "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", FileName: "a.txt", ContentType: "text/plain", Size: 3, SHA256: "x", MD5: "y", Source: "public_tip_follow_up"}
		a2 := &haven.Attachment{ReportID: r.ID, BlobID: "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb", FileName: "b.png", ContentType: "image/png", Size: 3, SHA256: "x", MD5: "y", Source: "public_tip_follow_up"}
		s1 := &haven.Supplement{ReportID: r.ID, Text: "She goes by Star online.", Language: "en", IP: "192.0.2.7",
			Identifiers: []haven.Identifier{{Kind: haven.IDHandle, Platform: "Instagram", Value: "@star.example", Raw: "Instagram: @star.example", Source: "follow_up"},
				{Kind: haven.IDPhone, Value: "+12025550147", Raw: "202-555-0147", Source: "follow_up"}},
			CreatedAt: at(11, 0, 0, 3)}
		s2 := &haven.Supplement{ReportID: r.ID, Language: "es", CreatedAt: at(12, 0, 0, 0)}
		update(t, s, func(tx haven.Tx) error {
			if err := tx.CreateAttachment(ctx, a1); err != nil {
				return err
			}
			if err := tx.CreateAttachment(ctx, a2); err != nil {
				return err
			}
			s1.AttachmentIDs = []int64{a2.ID, a1.ID}
			if err := tx.CreateSupplement(ctx, s1); err != nil {
				return err
			}
			return tx.CreateSupplement(ctx, s2)
		})
		if s1.ID == 0 || s2.ID == 0 || s1.ID == s2.ID {
			t.Fatalf("supplement ids %d, %d", s1.ID, s2.ID)
		}
		view(t, s, func(tx haven.Tx) error {
			is(t, "ListSupplements", []*haven.Supplement{s1, s2})(tx.ListSupplements(ctx, r.ID))
			got, err := tx.ListSupplements(ctx, other.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("another report's supplements: %v %v", got, err)
			}
			is(t, "the report itself", r)(tx.ReportByID(ctx, r.ID))
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error {
			return tx.CreateSupplement(ctx, &haven.Supplement{ReportID: r.ID, AttachmentIDs: []int64{a1.ID}})
		})
		wantCode(t, "a file given to two supplements", err, haven.ECONFLICT)
	}},
}
