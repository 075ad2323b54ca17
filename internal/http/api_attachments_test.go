package http_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"image/color"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// apiAttachmentBody is an attachment as the API answers it.
type apiAttachmentBody struct {
	ID          int64  `json:"id"`
	ReportID    int64  `json:"report_id"`
	FileName    string `json:"file_name"`
	Size        int64  `json:"size"`
	ContentType string `json:"content_type"`
	SHA256      string `json:"sha256"`
	MD5         string `json:"md5"`
	Source      string `json:"source"`
	CreatedAt   string `json:"created_at"`
}

func TestAPIReportAttachmentsUploadListAndDownload(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	blobDir := e.withBlobs()
	ctx := context.Background()
	sup, _ := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	ana, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	lee, _ := e.createUser("lee.learner", "Lee Learner", haven.RoleLearner, 0)
	stok, _ := e.svc.CreateToken(ctx, sys, sup.ID, "case system")
	atok, _ := e.svc.CreateToken(ctx, sys, ana.ID, "analyst tools")
	ltok, _ := e.svc.CreateToken(ctx, sys, lee.ID, "training")
	rep := e.createReport(&haven.Report{Channel: haven.ChannelAPI})
	call := specCaller(t, e, v)
	base := "/api/v1/reports/" + itoa(rep.ID) + "/attachments"
	img := squarePNG(t, color.RGBA{90, 160, 60, 255})
	png := map[string]string{"Content-Type": "image/png", "Idempotency-Key": "upload-2026-11-25-01"}

	code, b := call("POST", base+"?filename=ad-screenshot.png", stok, string(img), png)
	if code != http.StatusCreated {
		t.Fatalf("upload: %d %s", code, b)
	}
	var att apiAttachmentBody
	json.Unmarshal(b, &att)
	sum, md := sha256.Sum256(img), md5.Sum(img)
	if att.ID == 0 || att.ReportID != rep.ID || att.FileName != "ad-screenshot.png" || att.Size != int64(len(img)) || att.ContentType != "image/png" ||
		att.SHA256 != hex.EncodeToString(sum[:]) || att.MD5 != hex.EncodeToString(md[:]) || att.Source != "api" || att.CreatedAt == "" {
		t.Errorf("created attachment: %s", b)
	}

	// A retry returns the first attachment and keeps no second copy; the
	// same key with other bytes is a conflict.
	code, b = call("POST", base+"?filename=ad-screenshot.png", stok, string(img), png)
	var again apiAttachmentBody
	json.Unmarshal(b, &again)
	if code != http.StatusOK || again.ID != att.ID {
		t.Errorf("retry: %d %s, want 200 and id %d", code, b, att.ID)
	}
	if code, _ := call("POST", base+"?filename=ad-screenshot.png", stok, string(squarePNG(t, color.RGBA{1, 2, 3, 255})), png); code != http.StatusConflict {
		t.Errorf("same key, other file: %d, want 409", code)
	}
	if n := len(e.attachmentsOfReport(rep.ID)); n != 1 {
		t.Errorf("%d attachments after a retry, want 1", n)
	}
	if n := countFiles(t, blobDir); n != 1 {
		t.Errorf("%d blobs after a retry and a conflict, want 1", n)
	}

	// List and download, each audited.
	code, b = call("GET", base+"?reason=checking", atok, "", nil)
	var list struct {
		Attachments []apiAttachmentBody `json:"attachments"`
	}
	json.Unmarshal(b, &list)
	if code != http.StatusOK || len(list.Attachments) != 1 || list.Attachments[0].SHA256 != att.SHA256 {
		t.Errorf("list: %d %s", code, b)
	}
	code, b = call("GET", base+"/"+itoa(att.ID)+"?reason=review", atok, "", nil)
	if code != http.StatusOK || !bytes.Equal(b, img) {
		t.Errorf("download: %d, %d bytes", code, len(b))
	}
	req, _ := http.NewRequest("GET", e.URL+base+"/"+itoa(att.ID), nil)
	req.Header.Set("Authorization", "Bearer "+atok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if cd := resp.Header.Get("Content-Disposition"); cd != `attachment; filename="ad-screenshot.png"; filename*=UTF-8''ad-screenshot.png` ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("Content-Type") != "image/png" {
		t.Errorf("download headers: %v", resp.Header)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "attachment.open", Outcome: haven.OutcomeOK, RecordID: rep.ID})); n != 2 {
		t.Errorf("%d downloads audited, want 2", n)
	}
	if evs := e.auditEvents(haven.AuditFilter{Action: "attachment.list", Outcome: haven.OutcomeOK}); len(evs) != 1 || evs[0].Reason != "checking" {
		t.Errorf("listing audited: %+v", evs)
	}

	// Who may not: an analyst the report is not assigned to may see it but
	// not change it (403); a learner may not see it at all (404, like a
	// missing report, for the upload, the list and the download).
	if code, _ := call("POST", base+"?filename=b.png", atok, string(img), map[string]string{"Content-Type": "image/png"}); code != http.StatusForbidden {
		t.Errorf("an analyst not assigned the report: %d, want 403", code)
	}
	if code, _ := call("POST", base+"?filename=c.png", ltok, string(img), map[string]string{"Content-Type": "image/png"}); code != http.StatusNotFound {
		t.Errorf("a learner uploading: %d, want 404", code)
	}
	if code, _ := call("GET", base, ltok, "", nil); code != http.StatusNotFound {
		t.Errorf("a learner listing: %d, want 404", code)
	}
	if code, _ := call("GET", base+"/"+itoa(att.ID), ltok, "", nil); code != http.StatusNotFound {
		t.Errorf("a learner downloading: %d, want 404", code)
	}
	if code, _ := call("POST", "/api/v1/reports/999999/attachments?filename=d.png", stok, string(img), map[string]string{"Content-Type": "image/png"}); code != http.StatusNotFound {
		t.Errorf("a missing report: %d, want 404", code)
	}

	// Bad files: no name, a type not accepted, an empty body.
	code, b = call("POST", base, stok, "synthetic text", map[string]string{"Content-Type": "text/plain"})
	if code != http.StatusBadRequest || !strings.Contains(string(b), `"field": "filename"`) {
		t.Errorf("no filename: %d %s", code, b)
	}
	code, b = call("POST", base+"?filename=page.html", stok, "<!DOCTYPE html><html><body>x</body></html>", map[string]string{"Content-Type": "text/plain"})
	if code != http.StatusBadRequest || !strings.Contains(string(b), "text/html") || !strings.Contains(string(b), `"field": "body"`) {
		t.Errorf("an HTML file: %d %s", code, b)
	}
	if n := len(e.attachmentsOfReport(rep.ID)); n != 1 || countFiles(t, blobDir) != 1 {
		t.Errorf("refusals kept something: %d attachments, %d blobs", n, countFiles(t, blobDir))
	}
}

func TestAPIAttachmentLargerThanTheLimitIs413(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	blobDir := e.withBlobs()
	e.svc.AttachmentPolicy = haven.AttachmentPolicy{MaxSize: 64 << 10, Types: haven.DefaultAttachmentPolicy.Types}
	sup, _ := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	stok, _ := e.svc.CreateToken(context.Background(), sys, sup.ID, "case system")
	rep := e.createReport(&haven.Report{Channel: haven.ChannelAPI})
	path := "/api/v1/reports/" + itoa(rep.ID) + "/attachments?filename=long-notes.txt"
	big := bytes.Repeat([]byte("synthetic notes "), 8<<10) // 128 KB

	// Announced by Content-Length: refused before reading.
	code, b := specCaller(t, e, v)("POST", path, stok, string(big), map[string]string{"Content-Type": "text/plain"})
	if code != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "64 KB") {
		t.Errorf("oversize: %d %s", code, b)
	}
	// Sent without a length (chunked): refused while reading.
	req, _ := http.NewRequest("POST", e.URL+path, io.MultiReader(bytes.NewReader(big)))
	req.Header.Set("Authorization", "Bearer "+stok)
	req.Header.Set("Content-Type", "text/plain")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(b), "64 KB") {
		t.Errorf("chunked oversize: %d %s", resp.StatusCode, b)
	}
	if n := len(e.attachmentsOfReport(rep.ID)); n != 0 || countFiles(t, blobDir) != 0 {
		t.Errorf("an oversized file kept something: %d attachments, %d blobs", n, countFiles(t, blobDir))
	}
}
