package http_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"html"
	"image/color"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// attachmentsOfReport lists a report's attachments straight from the store.
func (e *testEnv) attachmentsOfReport(id int64) []*haven.Attachment {
	e.t.Helper()
	return fromStore(e, func(ctx context.Context, tx haven.Tx) ([]*haven.Attachment, error) {
		return tx.ListAttachments(ctx, id)
	})
}

// postFiles posts a multipart form with files in the client's session.
func (c *client) postFiles(path string, fields url.Values, files []tipFile) *response {
	c.e.t.Helper()
	return c.postMultipart(path, fields, files, map[string]string{"Cookie": "haven_session=" + c.cookie})
}

// countFiles counts the files under dir (the encrypted blobs).
func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(dir, func(_ string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			n++
		}
		return nil
	})
	return n
}

func TestHotlineSpecialistAttachesAFileOnTheCallPage(t *testing.T) {
	e := newTestEnv(t)
	blobDir := e.withBlobs()
	_, secret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	hc := e.signedIn("hana.hotline", secret)
	id := callIDFrom(t, hc.post("/hotline/calls", url.Values{}))

	// The page offers the file field, labelled, with the limits in its hint,
	// in a form that can carry files.
	page := hc.get(callPath(id) + "?section=online")
	expectStatus(t, page, http.StatusOK)
	for _, want := range []string{`enctype="multipart/form-data"`, `<label for="files">`, `aria-describedby="files-hint"`,
		"each at most 50 MB", "JPEG, PNG", `id="attach-files"`, `id="call-files-none"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}

	// A screenshot the caller emailed, attached with the section's details:
	// both are saved, and the file creates the call's report.
	img := squarePNG(t, color.RGBA{30, 120, 200, 255})
	r := hc.postFiles(callPath(id), url.Values{"section": {"online"}, "action": {"attach"}, "online": {"https://ads.example.com/listing/77"}},
		[]tipFile{{"ad-screenshot.png", "image/png", img}})
	expectRedirect(t, r, callPath(id)+"?section=online&attached=1")
	c := e.call(id)
	if c.ReportID == 0 || c.Details.Online != "https://ads.example.com/listing/77" {
		t.Fatalf("after attaching: report %d, online %q", c.ReportID, c.Details.Online)
	}
	atts := e.attachmentsOfReport(c.ReportID)
	sum := sha256.Sum256(img)
	if len(atts) != 1 || atts[0].FileName != "ad-screenshot.png" || atts[0].ContentType != "image/png" || atts[0].Source != "hotline" ||
		atts[0].SHA256 != hex.EncodeToString(sum[:]) || atts[0].Size != int64(len(img)) {
		t.Fatalf("attachments %+v", atts)
	}
	onDisk, err := os.ReadFile(filepath.Join(blobDir, atts[0].BlobID[:2], atts[0].BlobID))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(onDisk, []byte("IHDR")) {
		t.Error("the attachment is stored in the clear")
	}
	// The same form sent twice (a double click) attaches the file once.
	r = hc.postFiles(callPath(id), url.Values{"section": {"online"}, "action": {"attach"}, "online": {"https://ads.example.com/listing/77"}},
		[]tipFile{{"ad-screenshot.png", "image/png", img}})
	expectRedirect(t, r, callPath(id)+"?section=online&attached=1")
	if n, blobs := len(e.attachmentsOfReport(c.ReportID)), countFiles(t, blobDir); n != 1 || blobs != 1 {
		t.Errorf("after the form was sent twice: %d attachments, %d blobs, want 1 and 1", n, blobs)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "hana.hotline", Action: "attachment.create", RecordID: c.ReportID})); n != 1 {
		t.Errorf("%d attachment.create events, want 1", n)
	}

	// The call page lists it, never inline, with a download link.
	page = hc.get(callPath(id) + "?section=online&attached=1")
	expectStatus(t, page, http.StatusOK)
	link := reportPath(c.ReportID) + "/attachments/" + itoa(atts[0].ID)
	for _, want := range []string{`id="attached-status"`, `id="call-files"`, `href="` + link + `" download`, "ad-screenshot.png", atts[0].SHA256, "image/png"} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the call page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, `<img src="`+link) {
		t.Error("the call page shows the file inline")
	}
	resp, body := hc.download(link)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment; ") ||
		resp.Header.Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("download: %d, %d bytes, disposition %q", resp.StatusCode, len(body), resp.Header.Get("Content-Disposition"))
	}

	// An analyst finds it on the report's page too.
	ana := e.signedIn("ana.analyst", anaSecret)
	rp := ana.get(reportPath(c.ReportID))
	expectStatus(t, rp, http.StatusOK)
	if links := attachmentLinks(rp.Body); len(links) != 1 || links[0] != link {
		t.Errorf("the report page's files: %v, want [%s]", links, link)
	}
	if _, b := ana.download(link); !bytes.Equal(b, img) {
		t.Error("the analyst's download differs from the upload")
	}

	// "Save and continue" with a file chosen attaches it too.
	r = hc.postFiles(callPath(id), url.Values{"section": {"notes"}, "action": {"continue"}, "notes": {"Caller will email more."}},
		[]tipFile{{"caller-note.txt", "text/plain", []byte("The caller's email, pasted (synthetic): see the ad.")}})
	expectRedirect(t, r, callPath(id)+"?section=end&saved=1")
	if n := len(e.attachmentsOfReport(c.ReportID)); n != 2 {
		t.Errorf("%d attachments after a save with a file, want 2", n)
	}
}

func TestHotlineRefusesBadFilesKeepingWhatWasTyped(t *testing.T) {
	e := newTestEnv(t)
	blobDir := e.withBlobs()
	e.svc.AttachmentPolicy = haven.AttachmentPolicy{MaxSize: 64 << 10, Types: haven.DefaultAttachmentPolicy.Types}
	_, secret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	hc := e.signedIn("hana.hotline", secret)
	id := callIDFrom(t, hc.post("/hotline/calls", url.Values{}))
	typed := "A girl of about 14 (synthetic) is advertised online; the caller emailed us the ad."
	fields := url.Values{"section": {"what"}, "action": {"attach"}, "what_happened": {typed}, "city": {"Reno"}, "state": {"NV"}}

	cases := []struct {
		name string
		file tipFile
		rule string
	}{
		{"too large", tipFile{"long-notes.txt", "text/plain", bytes.Repeat([]byte("synthetic notes "), 8<<10)}, "larger than 64 KB"},
		{"type not allowed", tipFile{"ad-page.html", "text/plain", []byte("<!DOCTYPE html><html><body>ad</body></html>")}, "are not accepted"},
		{"empty", tipFile{"empty.txt", "text/plain", nil}, "the file is empty"},
	}
	for _, tc := range cases {
		r := hc.postFiles(callPath(id), fields, []tipFile{tc.file})
		expectStatus(t, r, http.StatusBadRequest)
		msg := html.UnescapeString(excerpt(r.Body, `id="files-error"`, "</span></span>")) + html.UnescapeString(excerpt(r.Body, `id="form-error-summary"`, "</div>"))
		if !strings.Contains(msg, tc.file.name) || !strings.Contains(msg, tc.rule) {
			t.Errorf("%s: the message does not name the file and the rule:\n%s", tc.name, msg)
		}
		if !strings.Contains(r.Body, `aria-invalid="true"`) || !strings.Contains(r.Body, `href="#files"`) || !strings.Contains(r.Body, "Choose the files again") {
			t.Errorf("%s: the file field is not marked and linked from the summary", tc.name)
		}
		if !strings.Contains(html.UnescapeString(r.Body), typed) || !strings.Contains(r.Body, `value="Reno"`) {
			t.Errorf("%s: what was typed is lost", tc.name)
		}
		if c := e.call(id); c.ReportID != 0 || c.Details.WhatHappened != "" {
			t.Errorf("%s: a refused save changed the call: report %d, %q", tc.name, c.ReportID, c.Details.WhatHappened)
		}
	}
	if n := countFiles(t, blobDir); n != 0 {
		t.Errorf("%d blobs kept after refusals, want 0", n)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "attachment.create"})); n != 0 {
		t.Errorf("%d attachments audited after refusals", n)
	}

	// "Save and attach" with no file chosen says so and saves nothing.
	r := hc.postFiles(callPath(id), fields, nil)
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, "choose a file to attach") && !strings.Contains(r.Body, "Choose a file to attach") {
		t.Errorf("no file chosen: %s", excerpt(r.Body, "<main", "</main>"))
	}

	// Imminent danger with a file too large: the alarm is saved, the file is not.
	imminent := url.Values{"section": {"what"}, "action": {"imminent"}, "what_happened": {typed}}
	r = hc.postFiles(callPath(id), imminent, []tipFile{cases[0].file})
	expectStatus(t, r, http.StatusBadRequest)
	c := e.call(id)
	if !c.Imminent || c.ReportID == 0 || c.Details.WhatHappened != typed {
		t.Fatalf("the alarm was lost to a file: imminent %v, report %d", c.Imminent, c.ReportID)
	}
	if !strings.Contains(r.Body, `id="imminent-banner"`) || !strings.Contains(r.Body, "long-notes.txt") {
		t.Errorf("the flagged page does not say the file was refused")
	}
	if n := len(e.attachmentsOfReport(c.ReportID)); n != 0 {
		t.Errorf("%d attachments, want 0", n)
	}
}

func TestHotlineFilesFollowTheRulesOfSavingTheCall(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	_, secret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, hugoSecret := e.createUser("hugo.hotline", "Hugo Hotline", haven.RoleHotline, 0)
	_, supSecret := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	hc := e.signedIn("hana.hotline", secret)
	id := callIDFrom(t, hc.post("/hotline/calls", url.Values{}))
	file := []tipFile{{"note.txt", "text/plain", []byte("Synthetic note from the caller.")}}
	fields := url.Values{"section": {"notes"}, "action": {"attach"}, "notes": {"x"}}

	// Another specialist's call answers as missing; a supervisor reads calls
	// but does not change them.
	hugo := e.signedIn("hugo.hotline", hugoSecret)
	expectStatus(t, hugo.postFiles(callPath(id), fields, file), http.StatusNotFound)
	sup := e.signedIn("sam.supervisor", supSecret)
	expectStatus(t, sup.postFiles(callPath(id), fields, file), http.StatusNotFound)
	if c := e.call(id); c.ReportID != 0 {
		t.Fatalf("a refused attachment created report %d", c.ReportID)
	}

	// After the call ends it can no longer be changed, files included; the
	// summary still lists the files it has.
	expectRedirect(t, hc.postFiles(callPath(id), fields, file), callPath(id)+"?section=notes&attached=1")
	expectRedirect(t, hc.saveSection(id, "end", "end", url.Values{"disposition": {"report_taken"}}), callPath(id))
	expectStatus(t, hc.postFiles(callPath(id), fields, file), http.StatusConflict)
	c := e.call(id)
	if n := len(e.attachmentsOfReport(c.ReportID)); n != 1 {
		t.Errorf("%d attachments, want 1", n)
	}
	for _, who := range []*client{hc, sup} {
		page := who.get(callPath(id))
		expectStatus(t, page, http.StatusOK)
		if !regexp.MustCompile(`href="/reports/\d+/attachments/\d+" download`).MatchString(page.Body) || strings.Contains(page.Body, `id="files"`) {
			t.Error("the ended call's summary does not list its file, or still offers the file field")
		}
	}
}
