package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

var attachmentTests = []test{
	{"attachments round-trip, list in order, and refuse a reused blob", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := mustReport(t, s, newReport("HV-ATT1-0001", at(9, 0, 0, 0)))
		other := mustReport(t, s, newReport("HV-ATT1-0002", at(9, 1, 0, 0)))
		u := mustUser(t, s, "uploader", haven.RoleHotline, 0)
		a1 := &haven.Attachment{ReportID: r.ID, BlobID: "0123456789abcdef0123456789abcdef", FileName: "screenshot.png",
			DeclaredType: "image/png", ContentType: "image/png", Size: 2048, SHA256: "aa", MD5: "bb", Source: "hotline", CreatedBy: u.ID, CreatedAt: at(9, 2, 0, 5)}
		a2 := &haven.Attachment{ReportID: r.ID, BlobID: "fedcba9876543210fedcba9876543210", FileName: "note.txt",
			ContentType: "text/plain; charset=utf-8", Size: 10, SHA256: "cc", MD5: "dd", Source: "public_tip", CreatedAt: at(9, 3, 0, 0)}
		update(t, s, func(tx haven.Tx) error {
			if err := tx.CreateAttachment(ctx, a1); err != nil {
				return err
			}
			return tx.CreateAttachment(ctx, a2)
		})
		view(t, s, func(tx haven.Tx) error {
			is(t, "AttachmentByID", a1)(tx.AttachmentByID(ctx, a1.ID))
			is(t, "ListAttachments", []*haven.Attachment{a1, a2})(tx.ListAttachments(ctx, r.ID))
			got, err := tx.ListAttachments(ctx, other.ID)
			if err != nil || len(got) != 0 {
				t.Errorf("another report's attachments: %v %v", got, err)
			}
			_, err = tx.AttachmentByID(ctx, a2.ID+100)
			wantCode(t, "missing attachment", err, haven.ENOTFOUND)
			return nil
		})
		err := updateErr(s, func(tx haven.Tx) error {
			dup := *a1
			dup.ID = 0
			return tx.CreateAttachment(ctx, &dup)
		})
		wantCode(t, "reused blob id", err, haven.ECONFLICT)
	}},
}
