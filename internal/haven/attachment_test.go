package haven_test

import (
	"bytes"
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

func TestAttachmentsAreStoredEncryptedOpenedOnlyByThoseWhoMaySeeTheReportAndAudited(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		k, _ := keys.New()
		blobs, err := attachments.New(filepath.Join(t.TempDir(), "att"), k)
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "A caller described an online ad."}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		text := "Synthetic text attachment: ad copy mentioning 202-555-0147."
		var att *haven.Attachment
		err = svc.Store.Update(ctx, func(tx haven.Tx) error {
			var err error
			att, _, err = svc.StoreAttachment(ctx, tx, sys, r.ID, "../../etc/ad copy.txt", "image/png", "hotline", strings.NewReader(text))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if att.FileName != "ad copy.txt" || !strings.HasPrefix(att.ContentType, "text/plain") || att.DeclaredType != "image/png" || att.Size != int64(len(text)) {
			t.Fatalf("attachment %+v", att)
		}
		// Refused types leave no row and no blob.
		err = svc.Store.Update(ctx, func(tx haven.Tx) error {
			_, _, err := svc.StoreAttachment(ctx, tx, sys, r.ID, "page.html", "text/plain", "hotline", strings.NewReader("<!DOCTYPE html><html><body>x</body></html>"))
			return err
		})
		if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "file" {
			t.Fatalf("HTML attachment: %v", err)
		}
		svc.Store.View(ctx, func(tx haven.Tx) error {
			as, _ := tx.ListAttachments(ctx, r.ID)
			if len(as) != 1 {
				t.Errorf("%d attachments recorded, want 1", len(as))
			}
			return nil
		})

		analyst := haven.Actor{UserID: 1, Username: "ana", Role: haven.RoleAnalyst, Via: "web"}
		got, rc, err := svc.OpenAttachment(ctx, analyst, att.ID, "reviewing the ad")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(b, []byte(text)) || got.SHA256 != att.SHA256 {
			t.Fatalf("opened %q", b)
		}
		learner := haven.Actor{UserID: 2, Username: "lee", Role: haven.RoleLearner, Via: "web"}
		if _, _, err := svc.OpenAttachment(ctx, learner, att.ID, ""); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("learner opening an attachment: %v", err)
		}
		opened, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "attachment.open"})
		if len(opened) != 2 || opened[0].Outcome != haven.OutcomeDenied || opened[1].Reason != "reviewing the ad" {
			t.Fatalf("attachment audit: %+v", opened)
		}
	})
}
