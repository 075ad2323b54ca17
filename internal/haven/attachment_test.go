package haven_test

import (
	"bytes"
	"context"
	"io"
	"io/fs"
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

// blobFiles counts the encrypted files kept under dir.
func blobFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func attachmentsOf(t *testing.T, svc *haven.Service, reportID int64) []*haven.Attachment {
	t.Helper()
	var as []*haven.Attachment
	err := svc.Store.View(context.Background(), func(tx haven.Tx) (err error) {
		as, err = tx.ListAttachments(context.Background(), reportID)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func actorOf(u *haven.User) haven.Actor {
	return haven.Actor{UserID: u.ID, Username: u.Username, Role: u.Role, AgencyID: u.AgencyID, Via: "api"}
}

func TestAddReportAttachmentIsForWhoMayUpdateTheReportAndTakesEffectOnce(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		k, _ := keys.New()
		dir := filepath.Join(t.TempDir(), "att")
		blobs, err := attachments.New(dir, k)
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		sup, _ := addUser(t, svc, "sam.supervisor", haven.RoleSupervisor, 0)
		ana, _ := addUser(t, svc, "ana.analyst", haven.RoleAnalyst, 0)
		lee, _ := addUser(t, svc, "lee.learner", haven.RoleLearner, 0)
		r := &haven.Report{Channel: haven.ChannelAPI, IncidentType: haven.IncidentSexTrafficking, Narrative: "A partner relayed an online ad (synthetic)."}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		text := "Synthetic ad copy: call 202-555-0147."
		once := haven.Once{Key: "upload-1", RequestHash: "ad.txt text/plain"}
		att, replayed, err := svc.AddReportAttachment(ctx, actorOf(sup), once, r.ID, "ad.txt", "text/plain", "api", strings.NewReader(text))
		if err != nil || replayed {
			t.Fatalf("first upload: %v (replayed %v)", err, replayed)
		}
		if att.ReportID != r.ID || att.Source != "api" || att.Size != int64(len(text)) || !strings.HasPrefix(att.ContentType, "text/plain") || att.CreatedBy != sup.ID {
			t.Errorf("attachment %+v", att)
		}
		again, replayed, err := svc.AddReportAttachment(ctx, actorOf(sup), once, r.ID, "ad.txt", "text/plain", "api", strings.NewReader(text))
		if err != nil || !replayed || again.ID != att.ID {
			t.Fatalf("retry: %v, replayed %v, id %v (want %d)", err, replayed, again, att.ID)
		}
		if _, _, err := svc.AddReportAttachment(ctx, actorOf(sup), once, r.ID, "ad.txt", "text/plain", "api", strings.NewReader(text+" changed")); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("same key, other bytes: %v, want a conflict", err)
		}
		if n := len(attachmentsOf(t, svc, r.ID)); n != 1 {
			t.Errorf("%d attachments after a retry, want 1", n)
		}
		if n := blobFiles(t, dir); n != 1 {
			t.Errorf("%d blobs kept after a retry and a conflict, want 1", n)
		}

		// An analyst sees every report but changes only those assigned to
		// them; a learner sees none: each is refused, audited, and nothing kept.
		if _, _, err := svc.AddReportAttachment(ctx, actorOf(ana), haven.Once{}, r.ID, "b.txt", "", "api", strings.NewReader(text)); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an analyst not assigned the report: %v", err)
		}
		if _, _, err := svc.AddReportAttachment(ctx, actorOf(lee), haven.Once{}, r.ID, "c.txt", "", "api", strings.NewReader(text)); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("a learner: %v", err)
		}
		if _, _, err := svc.AddReportAttachment(ctx, actorOf(sup), haven.Once{}, r.ID, "page.html", "text/plain", "api", strings.NewReader("<!DOCTYPE html><html></html>")); haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "file" {
			t.Errorf("an HTML file: %v", err)
		}
		if n := blobFiles(t, dir); n != 1 || len(attachmentsOf(t, svc, r.ID)) != 1 {
			t.Errorf("refusals kept something: %d blobs", n)
		}
		denied, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "attachment.create", Outcome: haven.OutcomeDenied})
		created, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "attachment.create", Outcome: haven.OutcomeOK})
		if len(denied) != 2 || len(created) != 1 || created[0].Actor != "sam.supervisor" {
			t.Errorf("audit: %d refusals, %d creations %+v", len(denied), len(created), created)
		}

		// Listing is for whoever may see the report, and audited.
		as, err := svc.ReportAttachments(ctx, actorOf(ana), r.ID, "checking the files")
		if err != nil || len(as) != 1 || as[0].SHA256 != att.SHA256 {
			t.Errorf("the analyst's list: %v %v", as, err)
		}
		if _, err := svc.ReportAttachments(ctx, actorOf(lee), r.ID, ""); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("the learner's list: %v", err)
		}
		listed, _, _ := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "attachment.list", Outcome: haven.OutcomeOK})
		if len(listed) != 1 || listed[0].Reason != "checking the files" {
			t.Errorf("list audit: %+v", listed)
		}
	})
}

func TestFilesAttachedToACallAreSavedWithItOrNotAtAll(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		k, _ := keys.New()
		dir := filepath.Join(t.TempDir(), "att")
		blobs, err := attachments.New(dir, k)
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		hana, _ := addUser(t, svc, "hana.hotline", haven.RoleHotline, 0)
		hugo, _ := addUser(t, svc, "hugo.hotline", haven.RoleHotline, 0)
		a := actorOf(hana)
		a.Via = "web"
		call, err := svc.StartCall(ctx, a)
		if err != nil {
			t.Fatal(err)
		}
		// A file alone is something to report: the call's report is created for it.
		shot := "Synthetic screenshot text of an ad: 202-555-0147."
		saved, err := svc.SaveCall(ctx, a, call.ID, haven.CallUpdate{Files: []haven.Upload{{Name: "ad.txt", DeclaredType: "text/plain", Body: strings.NewReader(shot)}}})
		if err != nil {
			t.Fatal(err)
		}
		if saved.ReportID == 0 {
			t.Fatal("attaching a file created no report")
		}
		as := attachmentsOf(t, svc, saved.ReportID)
		if len(as) != 1 || as[0].Source != "hotline" || as[0].FileName != "ad.txt" || as[0].CreatedBy != hana.ID {
			t.Fatalf("attachments %+v", as)
		}
		got, err := svc.GetCall(ctx, a, call.ID)
		if err != nil || len(got.Attachments) != 1 || got.Attachments[0].ID != as[0].ID {
			t.Errorf("GetCall's attachments: %v %v", got, err)
		}

		// A refused file refuses the whole save.
		details := haven.CallDetails{WhatHappened: "A caller (synthetic) saw an ad for a girl who looks about 14."}
		_, err = svc.SaveCall(ctx, a, call.ID, haven.CallUpdate{Details: &details, Files: []haven.Upload{
			{Name: "ok.txt", Body: strings.NewReader("fine")},
			{Name: "page.html", Body: strings.NewReader("<!DOCTYPE html><html><body>x</body></html>")}}})
		if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "files" || !strings.Contains(haven.ErrorMessage(err), "page.html") {
			t.Fatalf("a refused file: %v", err)
		}
		got, _ = svc.GetCall(ctx, a, call.ID)
		if got.Details.WhatHappened != "" || len(got.Attachments) != 1 || blobFiles(t, dir) != 1 {
			t.Errorf("a refused save kept something: details %q, %d attachments, %d blobs", got.Details.WhatHappened, len(got.Attachments), blobFiles(t, dir))
		}

		// Another specialist cannot attach to the call, nor anyone to an ended call.
		other := actorOf(hugo)
		if _, err := svc.SaveCall(ctx, other, call.ID, haven.CallUpdate{Files: []haven.Upload{{Name: "x.txt", Body: strings.NewReader("x")}}}); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Errorf("another specialist: %v", err)
		}
		if _, err := svc.EndCall(ctx, a, call.ID, "report_taken", haven.CallUpdate{}); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.SaveCall(ctx, a, call.ID, haven.CallUpdate{Files: []haven.Upload{{Name: "late.txt", Body: strings.NewReader("late")}}}); haven.ErrorCode(err) != haven.ECONFLICT {
			t.Errorf("a file for an ended call: %v", err)
		}
		if n := len(attachmentsOf(t, svc, saved.ReportID)); n != 1 || blobFiles(t, dir) != 1 {
			t.Errorf("%d attachments, %d blobs after refusals, want 1 and 1", n, blobFiles(t, dir))
		}
	})
}
