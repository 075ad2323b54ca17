package http_test

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"html"
	"image/color"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

	"github.com/haven-oss/haven/internal/haven"
)

// Hostile file names and contents on every upload channel (the public tip
// form, the hotline call page, the API, the ESP web service). Existing tests cover the rest:
// too large and wrongly typed on the hotline page
// (TestHotlineRefusesBadFilesKeepingWhatWasTyped), an .exe on the tip form
// (tip_test.go "A file the policy refuses"), too large on the API
// (TestAPIAttachmentLargerThanTheLimitIs413), the store's size limit, type
// sniffing and malformed blob ids (internal/attachments), the ESP web
// service's refused file type (internal/ispws client_test.go).

var hostileNames = []string{
	"../../etc/passwd",
	`..\..\win.ini`,
	"/etc/passwd",
	`C:\Windows\win.ini`,
	"a\x00b.png",
	"line\r\nContent-Disposition: inline.png",
	"\x1b[31mred\x07.png",
	"..",
	strings.Repeat("n", 900) + ".png",
	`quote".png`,
}

// blobName is how every stored blob is named under the blob root: two hex
// digits, then the blob's id.
var blobName = regexp.MustCompile(`^[0-9a-f]{2}/[0-9a-f]{2}[0-9a-f-]+$`)

// checkStoredFiles fails unless every file under root is a blob named by
// its id, and no file anywhere under the test's directories took a name
// from the upload.
func checkStoredFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return nil
		}
		rel, _ := filepath.Rel(root, p)
		if !blobName.MatchString(filepath.ToSlash(rel)) {
			t.Errorf("a stored file named %q under the blob root", rel)
		}
		n++
		return nil
	})
	// Nothing escaped the root: no passwd or win.ini beside it or above it.
	filepath.WalkDir(filepath.Dir(filepath.Dir(root)), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && (strings.Contains(d.Name(), "passwd") || strings.Contains(d.Name(), "win.ini") || strings.Contains(d.Name(), "nnnn")) {
			t.Errorf("a file named from an upload outside the blob ids: %s", p)
		}
		return nil
	})
	return n
}

// checkShownName fails unless name, as Haven shows and downloads it, is a
// plain last element: no separator, no control character, not "..", at
// most 200 bytes.
func checkShownName(t *testing.T, sent, shown string) {
	t.Helper()
	if shown != haven.SanitizeFileName(sent) || !cleanShown(shown) {
		t.Errorf("file sent as %.60q is shown as %.60q", sent, shown)
	}
}

// uploadEnv is a server with a files folder, a supervisor's API token and
// a report to upload to.
func uploadEnv(t *testing.T) (e *testEnv, root, tok string, rep *haven.Report) {
	t.Helper()
	e = newTestEnv(t)
	root = e.withBlobs()
	sup, _ := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	tok, err := e.svc.CreateToken(context.Background(), sys, sup.ID, "uploads")
	if err != nil {
		t.Fatal(err)
	}
	rep = e.createReport(&haven.Report{People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	return e, root, tok, rep
}

func TestHostileFileNamesAreStoredUnderIDsAndShownClean(t *testing.T) {
	e, root, tok, rep := uploadEnv(t)

	t.Run("API", func(t *testing.T) {
		for i, name := range hostileNames {
			img := squarePNG(t, color.RGBA{uint8(10 * i), 80, 160, 255})
			req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/reports/%d/attachments?%s", e.URL, rep.ID, url.Values{"filename": {name}}.Encode()), strings.NewReader(string(img)))
			req.Header.Set("Authorization", "Bearer "+tok)
			req.Header.Set("Content-Type", "image/png")
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			switch {
			case resp.StatusCode == http.StatusBadRequest && strings.Contains(string(body), `"field": "filename"`):
				continue // refused, naming the parameter
			case resp.StatusCode != http.StatusCreated:
				t.Errorf("filename %.60q: %d %s", name, resp.StatusCode, body)
				continue
			}
			var att struct {
				FileName string `json:"file_name"`
			}
			if err := json.Unmarshal(body, &att); err != nil {
				t.Fatal(err)
			}
			checkShownName(t, name, att.FileName)
		}
	})

	t.Run("download headers", func(t *testing.T) {
		for _, a := range e.attachmentsOfReport(rep.ID) {
			_, cd := downloadDisposition(t, e, tok, rep.ID, a.ID)
			disp, params, err := mime.ParseMediaType(cd)
			if err != nil || disp != "attachment" || strings.ContainsAny(params["filename"], "/\\\r\n") {
				t.Errorf("attachment %q downloads with Content-Disposition %q (%v)", a.FileName, cd, err)
			}
		}
	})

	t.Run("hotline call page", func(t *testing.T) {
		_, secret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
		hc := e.signedIn("hana.hotline", secret)
		id := callIDFrom(t, hc.post("/hotline/calls", url.Values{}))
		for i, name := range hostileNames {
			img := squarePNG(t, color.RGBA{200, uint8(10 * i), 40, 255})
			r := hc.postFiles(callPath(id), url.Values{"section": {"online"}, "action": {"attach"}, "online": {"https://ads.example.com/listing/77"}},
				[]tipFile{{name, "image/png", img}})
			if r.StatusCode >= 500 || (r.StatusCode != http.StatusSeeOther && r.StatusCode != http.StatusBadRequest) {
				t.Errorf("file name %.60q: %d", name, r.StatusCode)
			}
		}
		c := e.call(id)
		if len(e.attachmentsOfReport(c.ReportID)) == 0 {
			t.Errorf("no hotline file was kept: the names were all refused")
		}
		for _, a := range e.attachmentsOfReport(c.ReportID) {
			if !cleanShown(a.FileName) {
				t.Errorf("a hotline file is shown as %.60q", a.FileName)
			}
		}
	})

	t.Run("tip form", func(t *testing.T) {
		c := e.newClient()
		var files []tipFile
		for i, name := range hostileNames[:5] {
			files = append(files, tipFile{name, "image/png", squarePNG(t, color.RGBA{40, 40, uint8(20 * i), 255})})
		}
		r := c.postMultipart("/tip", validTip(), files, nil)
		if r.StatusCode >= 500 {
			t.Fatalf("tip with hostile file names: %d", r.StatusCode)
		}
		if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusSeeOther {
			t.Errorf("tip with hostile file names: %d, want the tip taken with its files under clean names", r.StatusCode)
		}
		kept := 0
		rs, err := e.svc.ListReports(context.Background(), sys, haven.ReportFilter{Limit: 100})
		if err != nil {
			t.Fatal(err)
		}
		for _, rp := range rs {
			if rp.ID == rep.ID || rp.Channel == haven.ChannelHotline {
				continue // the API's and the hotline's
			}
			for _, a := range e.attachmentsOfReport(rp.ID) {
				kept++
				if !cleanShown(a.FileName) {
					t.Errorf("a tip's file is shown as %.60q", a.FileName)
				}
			}
		}
		if kept < len(files) {
			t.Errorf("%d files kept of the tip's %d", kept, len(files))
		}
	})

	if n := checkStoredFiles(t, root); n == 0 {
		t.Errorf("no file was stored at all; the test proves nothing")
	}
}

// cleanShown reports whether a name as Haven shows it is a plain last
// element (a multipart form's file names arrive already read by the
// browser's and Go's escaping, so the name shown is judged, not compared).
func cleanShown(shown string) bool {
	return shown != "" && shown != "." && shown != ".." && !strings.ContainsAny(shown, `/\`) &&
		!strings.ContainsFunc(shown, unicode.IsControl) && len(shown) <= 200
}

// TestWronglyTypedUploadsAreRefusedOnEveryChannel: a program renamed .png,
// a web page claimed as an image and an empty file are refused with a
// message that says why, and nothing is stored; a PDF claimed as a PNG is
// kept as the PDF it is, never served as an image.
func TestWronglyTypedUploadsAreRefusedOnEveryChannel(t *testing.T) {
	e, root, tok, rep := uploadEnv(t)
	bad := []tipFile{
		{"holiday.png", "image/png", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 a program, not a picture")},
		{"ad.png", "image/png", []byte("<!DOCTYPE html><html><body><script>alert(1)</script></body></html>")},
		{"empty.png", "image/png", nil},
	}
	post := func(f tipFile) (*http.Response, string) {
		req, _ := http.NewRequest("POST", fmt.Sprintf("%s/api/v1/reports/%d/attachments?filename=%s", e.URL, rep.ID, url.QueryEscape(f.name)), strings.NewReader(string(f.data)))
		req.Header.Set("Authorization", "Bearer "+tok)
		req.Header.Set("Content-Type", f.contentType)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	t.Run("API", func(t *testing.T) {
		for _, f := range bad {
			resp, body := post(f)
			if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `"invalid"`) || !strings.Contains(body, `"message"`) {
				t.Errorf("%s: %d %s, want 400 with a message", f.name, resp.StatusCode, body)
			}
		}
		if n := len(e.attachmentsOfReport(rep.ID)); n != 0 {
			t.Errorf("%d attachments after refusals", n)
		}
		if n := checkStoredFiles(t, root); n != 0 {
			t.Errorf("%d blobs after refusals", n)
		}
		// A PDF claimed as a PNG is what it is.
		pdf := []byte("%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
		resp, body := post(tipFile{"scan.png", "image/png", pdf})
		if resp.StatusCode == http.StatusCreated {
			as := e.attachmentsOfReport(rep.ID)
			if len(as) != 1 || as[0].ContentType != "application/pdf" {
				t.Fatalf("a PDF sent as image/png is stored as %+v", as)
			}
			req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/reports/%d/attachments/%d?reason=checking", e.URL, rep.ID, as[0].ID), nil)
			req.Header.Set("Authorization", "Bearer "+tok)
			dl, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			dl.Body.Close()
			if ct := dl.Header.Get("Content-Type"); strings.HasPrefix(ct, "image/") {
				t.Errorf("a PDF sent as image/png downloads as %q", ct)
			}
		} else if resp.StatusCode != http.StatusBadRequest {
			t.Errorf("a PDF sent as image/png: %d %s", resp.StatusCode, body)
		}
	})
	t.Run("tip form", func(t *testing.T) {
		before := checkStoredFiles(t, root)
		for _, f := range bad {
			r := e.newClient().postMultipart("/tip", validTip(), []tipFile{f}, nil)
			if r.StatusCode != http.StatusBadRequest || !strings.Contains(r.Body, f.name) {
				t.Errorf("tip with %s: %d, want 400 naming the file", f.name, r.StatusCode)
			}
		}
		if after := checkStoredFiles(t, root); after != before {
			t.Errorf("blobs %d before, %d after refused tips", before, after)
		}
	})
}

// TestHostileDownloadPathsFindNothing: ids and file names in download
// paths that climb out (encoded or not), are absolute, or carry NUL bytes
// find nothing: 404 or 400, never a file, never a server error.
func TestHostileDownloadPathsFindNothing(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	c := e.signedInAs(t, "ana.analyst", haven.RoleAnalyst)
	rep := e.createReport(&haven.Report{People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	bad := []string{"..%2f..%2f..%2fetc%2fpasswd", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "..%5c..%5cwin.ini", "%2fetc%2fpasswd",
		"1%00.pdf", "1%2f..%2f2", "-1", "0x1", "99999999999999999999", "1.pdf%00.png", "%252e%252e%252f"}
	for _, base := range []string{fmt.Sprintf("/reports/%d/attachments/", rep.ID), "/cases/1/attachments/", "/analysis/products/", "/referrals/", "/portal/referrals/"} {
		for _, p := range bad {
			r := c.get(base + p)
			if (r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusBadRequest && r.StatusCode != http.StatusForbidden) || strings.Contains(r.Body, "root:") {
				t.Errorf("GET %s%s: %d", base, p, r.StatusCode)
			}
		}
	}
}

// espAnswer is an answer of the ESP reporting API: its status and the
// parts of its XML the tests read (reportResponse or reportDoneResponse).
type espAnswer struct {
	Status      int    `xml:"-"`
	Body        string `xml:"-"`
	Code        int    `xml:"responseCode"`
	Description string `xml:"responseDescription"`
	ReportID    string `xml:"reportId"`
	FileID      string `xml:"fileId"`
}

// espClient speaks the ESP reporting API at /ispws/ as one ESP account.
type espClient struct {
	t          *testing.T
	e          *testEnv
	user, pass string
}

// newESP creates an ESP account and its client.
func (e *testEnv) newESP(name string) *espClient {
	e.t.Helper()
	acct, pw, err := e.svc.CreateEspAccount(context.Background(), sys, name)
	if err != nil {
		e.t.Fatal(err)
	}
	return &espClient{t: e.t, e: e, user: acct.Name, pass: pw}
}

func (c *espClient) do(path, contentType string, body []byte) espAnswer {
	c.t.Helper()
	req, _ := http.NewRequest("POST", c.e.URL+"/ispws"+path, bytes.NewReader(body))
	req.Header.Set("Content-Type", contentType)
	req.SetBasicAuth(c.user, c.pass)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	a := espAnswer{Status: resp.StatusCode, Body: string(b)}
	if err := xml.Unmarshal(b, &a); err != nil {
		c.t.Fatalf("POST /ispws%s: %d, not XML: %v\n%s", path, resp.StatusCode, err, b)
	}
	return a
}

// submit opens a report with a minimal valid document; it returns its id.
func (c *espClient) submit(note string) string {
	c.t.Helper()
	var doc strings.Builder
	doc.WriteString(`<report><incidentSummary><incidentType>Online Enticement of Children for Sexual Acts</incidentType>` +
		`<incidentDateTime>2026-11-01T10:00:00Z</incidentDateTime></incidentSummary>` +
		`<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>` +
		`<personOrUserReported><espIdentifier>acct-1</espIdentifier><screenName>handle_1</screenName></personOrUserReported><additionalInfo>`)
	xml.EscapeText(&doc, []byte(note))
	doc.WriteString(`</additionalInfo></report>`)
	a := c.do("/submit", "text/xml; charset=utf-8", []byte(doc.String()))
	if a.Status != http.StatusOK || a.Code != 0 || a.ReportID == "" {
		c.t.Fatalf("submit: %d %s", a.Status, a.Body)
	}
	return a.ReportID
}

// upload sends a file under name exactly as given: the name travels RFC
// 2231-encoded, so that NUL, line breaks and quotes reach the server
// unchanged.
func (c *espClient) upload(id, name string, data []byte) espAnswer {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	mw.WriteField("id", id)
	var enc strings.Builder
	for _, x := range []byte(name) {
		if x >= 'a' && x <= 'z' || x >= 'A' && x <= 'Z' || x >= '0' && x <= '9' || x == '.' || x == '-' || x == '_' {
			enc.WriteByte(x)
		} else {
			fmt.Fprintf(&enc, "%%%02X", x)
		}
	}
	h := textproto.MIMEHeader{}
	h.Set("Content-Disposition", `form-data; name="file"; filename*=UTF-8''`+enc.String())
	h.Set("Content-Type", "image/png")
	w, _ := mw.CreatePart(h)
	w.Write(data)
	mw.Close()
	return c.do("/upload", mw.FormDataContentType(), b.Bytes())
}

// fileinfo sends a file's details with originalFileName (XML-escaped).
func (c *espClient) fileinfo(id, fileID, originalName string) espAnswer {
	c.t.Helper()
	var doc strings.Builder
	doc.WriteString(`<fileDetails><reportId>` + id + `</reportId><fileId>` + fileID + `</fileId><originalFileName>`)
	xml.EscapeText(&doc, []byte(originalName))
	doc.WriteString(`</originalFileName><fileViewedByEsp>true</fileViewedByEsp></fileDetails>`)
	return c.do("/fileinfo", "text/xml; charset=utf-8", []byte(doc.String()))
}

// finish finishes a report; it returns the Haven report made of it.
func (c *espClient) finish(id string) *haven.Report {
	c.t.Helper()
	a := c.do("/finish", "application/x-www-form-urlencoded", []byte(url.Values{"id": {id}}.Encode()))
	if a.Status != http.StatusOK || a.Code != 0 {
		c.t.Fatalf("finish: %d %s", a.Status, a.Body)
	}
	rs, err := c.e.svc.ListReports(context.Background(), sys, haven.ReportFilter{Limit: 1000})
	if err != nil {
		c.t.Fatal(err)
	}
	var latest *haven.Report
	for _, r := range rs {
		if r.Channel == haven.ChannelESP && (latest == nil || r.ID > latest.ID) {
			latest = r
		}
	}
	if latest == nil {
		c.t.Fatalf("finish: no ESP report in Haven")
	}
	return latest
}

// espHostileNames are the file names an ESP sends: hostileNames' climbs
// and control characters, a right-to-left override that would show
// "photo_exe.png" for an .exe, 1,000 characters, empty, a Windows device
// name and the XSS payloads.
var espHostileNames = append(append([]string(nil), hostileNames...),
	`..\..\windows\win.ini`,
	"photo\u202egnp.exe",
	"tab\there\x7f\x1f.png",
	strings.Repeat("n", 996)+".png",
	"",
	"CON",
	"x"+xssScript+".png",
	xssImg+".png",
	xssSvg+".png",
)

// TestHostileFileNamesThroughTheESPAPI: the names an ESP gives its files
// (in the upload and as originalFileName) are refused with the protocol's
// error or kept as text: each file stored under its id and nothing named
// from an upload anywhere in the data directory; each name shown on the
// report's page, escaped and without separators, control or bidi
// characters, and downloaded under the same clean name.
func TestHostileFileNamesThroughTheESPAPI(t *testing.T) {
	e := newTestEnv(t)
	root := e.withBlobs()
	ctx := context.Background()
	sup, secret := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	tok, err := e.svc.CreateToken(ctx, sys, sup.ID, "downloads")
	if err != nil {
		t.Fatal(err)
	}
	esp := e.newESP("examplechat")
	id := esp.submit("A user sent files with odd names (synthetic test data).")
	sent := map[string]string{} // file id → name sent
	for i, name := range espHostileNames {
		up := esp.upload(id, name, squarePNG(t, color.RGBA{uint8(9 * i), 120, 60, 255}))
		if up.Status != http.StatusOK || up.Code != 0 || up.FileID == "" {
			if up.Status >= 500 || up.Code == 0 || up.Description == "" {
				t.Errorf("upload %.60q: %d %s, want success or the protocol's error", name, up.Status, up.Body)
			}
			continue
		}
		sent[up.FileID] = name
		fi := esp.fileinfo(id, up.FileID, name)
		switch {
		case fi.Status == http.StatusOK && fi.Code == 0:
		case fi.Status == http.StatusBadRequest && fi.Code != 0 && strings.Contains(fi.Description, "originalFileName"):
			// refused, naming the element (too long, or not XML text)
		default:
			t.Errorf("fileinfo with originalFileName %.60q: %d %s", name, fi.Status, fi.Body)
		}
	}
	// A control character sent raw in originalFileName is not XML: refused
	// with the protocol's error, nothing stored.
	for fileID := range sent {
		doc := `<fileDetails><reportId>` + id + `</reportId><fileId>` + fileID + `</fileId><originalFileName>a` + "\x00\x1b" + `b.png</originalFileName></fileDetails>`
		if fi := esp.do("/fileinfo", "text/xml; charset=utf-8", []byte(doc)); fi.Status != http.StatusBadRequest || fi.Code == 0 || fi.Description == "" {
			t.Errorf("fileinfo with raw control characters: %d %s, want 400 with the protocol's error", fi.Status, fi.Body)
		}
		break
	}
	if len(sent) < len(espHostileNames)/2 {
		t.Fatalf("only %d of %d files kept: the names were refused wholesale", len(sent), len(espHostileNames))
	}
	rep := esp.finish(id)

	atts := e.attachmentsOfReport(rep.ID)
	if len(atts) != len(sent) {
		t.Errorf("%d attachments, want the %d files uploaded", len(atts), len(sent))
	}
	c := e.signedIn("sam.supervisor", secret)
	page := c.get(fmt.Sprintf("/reports/%d", rep.ID))
	if page.StatusCode != http.StatusOK {
		t.Fatalf("report page: %d", page.StatusCode)
	}
	if m := xssRaw.FindString(page.Body); m != "" {
		t.Errorf("the report page has %q unescaped", m)
	}
	for _, a := range atts {
		var name string
		found := false
		for _, n := range sent {
			if haven.SanitizeFileName(n) == a.FileName {
				name, found = n, true
			}
		}
		if !found {
			t.Errorf("attachment shown as %.60q is none of the names sent, sanitised", a.FileName)
			continue
		}
		checkShownName(t, name, a.FileName)
		if strings.ContainsFunc(a.FileName, func(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }) {
			t.Errorf("file sent as %.60q is shown with a bidi control: %+q", name, a.FileName)
		}
		if !strings.Contains(page.Body, html.EscapeString(a.FileName)) {
			t.Errorf("the report page does not show the file %.60q as escaped text", a.FileName)
		}

		status, cd := downloadDisposition(t, e, tok, rep.ID, a.ID)
		disp, params, err := mime.ParseMediaType(cd)
		// The header itself is plain ASCII; its name, read as a browser
		// reads it (the RFC 8187 form first), is the name shown.
		if status != http.StatusOK || err != nil || disp != "attachment" || params["filename"] != a.FileName ||
			strings.ContainsFunc(cd, func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			t.Errorf("file %.60q downloads (%d) with Content-Disposition %.120q (%v)", a.FileName, status, cd, err)
		}
	}
	if n := checkStoredFiles(t, root); n != len(atts) {
		t.Errorf("%d blobs stored, want one per attachment (%d): the uploads' copies are left behind or missing", n, len(atts))
	}
}

// downloadDisposition downloads a report's file through the API and returns
// the status and the Content-Disposition header.
func downloadDisposition(t *testing.T, e *testEnv, tok string, reportID, attID int64) (int, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/api/v1/reports/%d/attachments/%d?reason=checking", e.URL, reportID, attID), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get("Content-Disposition")
}
