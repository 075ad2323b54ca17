package http_test

import (
	"bytes"
	"context"
	"fmt"
	"html"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

// tipFile is a file a test uploads.
type tipFile struct {
	name, contentType string
	data              []byte
}

// withBlobs gives the test server's service an encrypted attachment folder
// and returns the folder.
func (e *testEnv) withBlobs() string {
	e.t.Helper()
	dir := e.t.TempDir()
	k, _, err := keys.LoadOrCreate(filepath.Join(dir, "blob.keys"))
	if err != nil {
		e.t.Fatal(err)
	}
	blobs, err := attachments.New(filepath.Join(dir, "blobs"), k)
	if err != nil {
		e.t.Fatal(err)
	}
	e.svc.Blobs = blobs
	return filepath.Join(dir, "blobs")
}

// squarePNG is a benign test image: a coloured square.
func squarePNG(t *testing.T, c color.RGBA) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 24, 24))
	for x := 0; x < 24; x++ {
		for y := 0; y < 24; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// postMultipart sends a multipart form, as a browser's same-origin POST.
func (c *client) postMultipart(path string, fields url.Values, files []tipFile, hdr map[string]string) *response {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range fields {
		for _, v := range vs {
			if err := mw.WriteField(k, v); err != nil {
				c.e.t.Fatal(err)
			}
		}
	}
	for _, f := range files {
		h := make(map[string][]string)
		h["Content-Disposition"] = []string{fmt.Sprintf(`form-data; name="files"; filename=%q`, f.name)}
		h["Content-Type"] = []string{f.contentType}
		w, err := mw.CreatePart(h)
		if err != nil {
			c.e.t.Fatal(err)
		}
		_, _ = w.Write(f.data)
	}
	if err := mw.Close(); err != nil {
		c.e.t.Fatal(err)
	}
	var rd io.Reader = &body
	if hdr["X-Test-Chunked"] != "" {
		rd = io.MultiReader(&body) // hides the length: the request is sent chunked
	}
	req, err := http.NewRequest(http.MethodPost, c.e.URL+path, rd)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(b)}
}

// validTip is a complete tip as the form sends it (synthetic, fictional).
func validTip() url.Values {
	return url.Values{
		"lang":              {"en"},
		"people_count":      {"2"},
		"kind":              {"child_sex_trafficking"},
		"narrative":         {"A girl of about 15 is brought to the Starlight Motel by an older man most evenings (synthetic test tip)."},
		"incident_date":     {"2026-03-14"},
		"incident_time":     {"21:30"},
		"when_text":         {"most evenings since March"},
		"city":              {"Fairview"},
		"state":             {"VA"},
		"zip":               {"22030"},
		"child_first_name":  {"Jamie"},
		"child_nickname":    {"Star"},
		"child_age":         {"15"},
		"child_sex":         {"female"},
		"child_description": {"Short dark hair, red backpack"},
		"p0_role":           {"suspect"},
		"p0_first_name":     {"Rick"},
		"p0_description":    {"Tall, grey car"},
		"p1_role":           {"buyer"},
		"online":            {"https://ads.example.com/listing/123\nInstagram: @star.example\n202-555-0147\nCash App: $starpay\nfriend@example.com"},
		"indicators":        {"older_partner", "living_in_motel"},
		"contact_choice":    {"anonymous"},
		"website":           {""},
	}
}

var (
	refRE  = regexp.MustCompile(`id="tip-ref">(HV-[0-9A-Z]{4}-[0-9A-Z]{4})<`)
	codeRE = regexp.MustCompile(`id="tip-code">([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4})<`)
)

// receipt reads the reference and code from a success page.
func receipt(t *testing.T, r *response) (ref, code string) {
	t.Helper()
	m1, m2 := refRE.FindStringSubmatch(r.Body), codeRE.FindStringSubmatch(r.Body)
	if m1 == nil || m2 == nil {
		t.Fatalf("no reference or code on the page:\n%s", r.Body)
	}
	return m1[1], m2[1]
}

// stored returns the report with the reference as the store holds it, and
// its attachments and supplements.
func (e *testEnv) stored(ref string) (*haven.Report, []*haven.Attachment, []*haven.Supplement) {
	e.t.Helper()
	ctx := context.Background()
	var r *haven.Report
	var as []*haven.Attachment
	var ss []*haven.Supplement
	err := e.store.View(ctx, func(tx haven.Tx) (err error) {
		if r, err = tx.ReportByRef(ctx, ref); err != nil {
			return err
		}
		if as, err = tx.ListAttachments(ctx, r.ID); err != nil {
			return err
		}
		ss, err = tx.ListSupplements(ctx, r.ID)
		return err
	})
	if err != nil {
		e.t.Fatalf("stored report %s: %v", ref, err)
	}
	return r, as, ss
}

// reportCount is how many reports the store holds.
func (e *testEnv) reportCount() int {
	e.t.Helper()
	ctx := context.Background()
	var n int
	if err := e.store.View(ctx, func(tx haven.Tx) (err error) {
		n, err = tx.CountReports(ctx, haven.ReportFilter{Scope: haven.Scope{All: true}})
		return err
	}); err != nil {
		e.t.Fatal(err)
	}
	return n
}

func TestTipWithAttachmentIsStoredAndAnsweredWithReferenceAndCode(t *testing.T) {
	e := newTestEnv(t)
	blobDir := e.withBlobs()
	c := e.newClient()

	form := c.get("/tip")
	expectStatus(t, form, http.StatusOK)
	for _, want := range []string{`<html lang="en">`, `action="/tip"`, `enctype="multipart/form-data"`, `<legend>Where did it happen?</legend>`,
		`name="indicators" value="older_partner"`, `<option value="TX">Texas</option>`, `class="tip-hp"`, `hreflang="es"`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
	if strings.Contains(form.Body, "style=") {
		t.Error("the form has an inline style (the CSP forbids them)")
	}

	img := squarePNG(t, color.RGBA{40, 120, 200, 255})
	r := c.postMultipart("/tip", validTip(), []tipFile{{"screenshot.png", "image/png", img}}, nil)
	expectStatus(t, r, http.StatusOK)
	if cc := r.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("success page Cache-Control %q, want no-store", cc)
	}
	for _, want := range []string{"Write these down now", "This page cannot be shown again"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the success page lacks %q", want)
		}
	}
	ref, code := receipt(t, r)

	rep, atts, sups := e.stored(ref)
	if rep.Channel != haven.ChannelPublicTip || rep.IncidentType != haven.IncidentSexTrafficking || rep.Status != haven.ReportNew {
		t.Errorf("report channel %s, type %s, status %s", rep.Channel, rep.IncidentType, rep.Status)
	}
	if !strings.Contains(rep.Narrative, "Starlight Motel") || rep.IncidentTimeText != "most evenings since March" {
		t.Errorf("narrative %q, when %q", rep.Narrative, rep.IncidentTimeText)
	}
	if rep.IncidentAt == nil || rep.IncidentAt.Format("2006-01-02 15:04") != "2026-03-14 21:30" {
		t.Errorf("incident at %v", rep.IncidentAt)
	}
	if len(rep.Places) != 1 || rep.Places[0].City != "Fairview" || rep.Places[0].State != "VA" || rep.Places[0].ZIP != "22030" || rep.State != "VA" {
		t.Errorf("places %+v, state %q", rep.Places, rep.State)
	}
	if !rep.Reporter.Anonymous || rep.Reporter.Language != "en" || rep.Reporter.Name != "" {
		t.Errorf("reporter %+v", rep.Reporter)
	}
	if !reflect.DeepEqual(rep.Indicators, []string{"older_partner", "living_in_motel"}) {
		t.Errorf("indicators %v", rep.Indicators)
	}
	var people []string
	for _, p := range rep.People {
		age := ""
		if p.Age != nil {
			age = fmt.Sprint(*p.Age)
		}
		people = append(people, fmt.Sprintf("%s %s %s %s %s", p.Role, p.FirstName, p.Nickname, age, p.Sex))
	}
	if want := []string{"child Jamie Star 15 female", "suspect Rick   "}; !reflect.DeepEqual(people, want) {
		t.Errorf("people %q, want %q (a blank block with only a role is no person)", people, want)
	}
	var ids []string
	for _, id := range rep.Identifiers {
		if id.Source != "form" {
			t.Errorf("identifier %+v has source %q", id, id.Source)
		}
		ids = append(ids, fmt.Sprintf("%s|%s|%s", id.Kind, id.Platform, id.Value))
	}
	wantIDs := []string{"url||https://ads.example.com/listing/123", "handle|Instagram|@star.example", "phone||+12025550147",
		"payment|Cash App|$starpay", "email||friend@example.com"}
	if !reflect.DeepEqual(ids, wantIDs) {
		t.Errorf("identifiers %q, want %q", ids, wantIDs)
	}
	if len(sups) != 0 {
		t.Errorf("a new tip has supplements: %v", sups)
	}

	// The attachment is stored encrypted: the bytes on disk are not the image's.
	if len(atts) != 1 || atts[0].ContentType != "image/png" || atts[0].FileName != "screenshot.png" || atts[0].Size != int64(len(img)) {
		t.Fatalf("attachments %+v", atts)
	}
	onDisk, err := os.ReadFile(filepath.Join(blobDir, atts[0].BlobID[:2], atts[0].BlobID))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(onDisk, img[:16]) || bytes.Contains(onDisk, []byte("IHDR")) {
		t.Error("the attachment is stored in the clear")
	}
	_, rc, err := e.svc.OpenAttachment(context.Background(), sys, atts[0].ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	plain, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(plain, img) {
		t.Error("the stored attachment does not decrypt to the image sent")
	}

	// The follow-up code is stored only as a keyed hash.
	var fu *haven.TipFollowUp
	_ = e.store.View(context.Background(), func(tx haven.Tx) (err error) { fu, err = tx.TipFollowUpByRef(context.Background(), ref); return err })
	if fu == nil || len(fu.CodeHash) < 16 || bytes.Contains(fu.CodeHash, []byte(haven.NormalizeFollowUpCode(code))) {
		t.Errorf("follow-up record %+v", fu)
	}

	created := e.auditEvents(haven.AuditFilter{Action: "report.create", RecordID: rep.ID})
	if len(created) != 1 || created[0].Actor != "public" || created[0].Via != "public" || created[0].IP != "127.0.0.1" {
		t.Errorf("audit of the tip: %+v", created)
	}
}

func TestTipFormRefusesInvalidInputKeepingWhatWasTyped(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	c := e.newClient()
	f := validTip()
	f.Set("zip", "2203")
	f.Set("child_dob", "2099-01-01")
	f.Set("contact_name", "Pat Example")
	f.Set("narrative", "Typed text <kept> & shown again")
	r := c.postMultipart("/tip", f, nil, nil)
	expectStatus(t, r, http.StatusBadRequest)
	for _, want := range []string{
		`id="error-summary"`,
		`<a href="#zip">Enter a ZIP code of 5 digits, for example 20001.</a>`,
		`<a href="#child_dob">The date of birth is in the future. Check it, or leave it empty.</a>`,
		`<a href="#contact_choice">You chose to stay anonymous but typed contact details.`,
		`aria-describedby="zip-hint zip-error" aria-invalid="true"`,
		`Typed text &lt;kept&gt; &amp; shown again</textarea>`,
		`value="Pat Example"`, `value="2203"`, `value="Jamie"`,
		`name="indicators" value="older_partner" checked`,
		`<option value="VA" selected>Virginia</option>`,
		`<title>Error:`,
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the refused form lacks %s", want)
		}
	}
	// A form with nothing in it says what is needed.
	empty := c.postMultipart("/tip", url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}}, nil, nil)
	expectStatus(t, empty, http.StatusBadRequest)
	if !strings.Contains(empty.Body, "Tell us what happened, or fill in something about the child") {
		t.Errorf("empty form: %s", empty.Body)
	}
	// A file the policy refuses: the form comes back and the report is not saved.
	bad := c.postMultipart("/tip", validTip(), []tipFile{{"tool.exe", "application/octet-stream", []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00 binary")}}, nil)
	expectStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, html.EscapeString(`We could not accept the file "tool.exe"`)) {
		t.Errorf("refused file: %s", bad.Body)
	}
	if n := e.reportCount(); n != 0 {
		t.Errorf("%d reports stored after refused submissions", n)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "attachment.create"})); n != 0 {
		t.Errorf("%d attachments audited for a refused tip", n)
	}
}

func TestTipFormAddsAPersonBlockKeepingWhatWasTyped(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	f := validTip()
	f.Set("action", "add_person")
	r := c.postMultipart("/tip", f, []tipFile{{"notes.txt", "text/plain", []byte("synthetic notes")}}, nil)
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "files are not kept when the form comes back") {
		t.Error("the page does not say the chosen file must be chosen again")
	}
	if !strings.Contains(r.Body, `formaction="/tip#p3_block"`) {
		t.Error("the next 'Add another person' does not lead to the block it adds")
	}
	if !strings.Contains(r.Body, `id="p2_first_name"`) || !strings.Contains(r.Body, `name="people_count" value="3"`) {
		t.Error("no third person block after 'Add another person'")
	}
	if !strings.Contains(r.Body, `value="Rick"`) || strings.Contains(r.Body, "error-summary") {
		t.Error("adding a person lost what was typed or showed errors")
	}
	if n := e.reportCount(); n != 0 {
		t.Errorf("adding a person stored %d reports", n)
	}
}

func TestTipHoneypotLooksAcceptedButStoresNothing(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	f := validTip()
	f.Set("website", "http://spam.example.com")
	r := c.postMultipart("/tip", f, nil, nil)
	expectStatus(t, r, http.StatusOK)
	receipt(t, r)
	if n := e.reportCount(); n != 0 {
		t.Errorf("the honeypot stored %d reports", n)
	}
}

func TestTipRateLimitAnswers429AfterTheLimit(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	f := url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}, "narrative": {"A short synthetic tip."}}
	for i := 0; i < 10; i++ {
		expectStatus(t, c.post("/tip", f), http.StatusOK)
	}
	r := c.post("/tip", f)
	expectStatus(t, r, http.StatusTooManyRequests)
	if !strings.Contains(r.Body, "Please try again later") || r.Header.Get("Retry-After") == "" {
		t.Errorf("429 page: %s", r.Body)
	}
	if n := e.reportCount(); n != 10 {
		t.Errorf("%d reports stored, want 10", n)
	}
}

// Tips sent at the same moment from one address cannot pass the limit
// together: of 15 at once against a limit of 10, 10 are stored.
func TestTipRateLimitHoldsForTipsSentAtOnce(t *testing.T) {
	e := newTestEnv(t)
	f := url.Values{"lang": {"en"}, "contact_choice": {"anonymous"}, "narrative": {"A short synthetic tip."}}
	var wg sync.WaitGroup
	codes := make([]int, 15)
	for i := range codes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			codes[i] = e.newClient().post("/tip", f).StatusCode
		}()
	}
	wg.Wait()
	ok, refused := 0, 0
	for _, c := range codes {
		switch c {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			refused++
		}
	}
	if ok != 10 || refused != 5 {
		t.Errorf("15 tips at once: %d stored, %d refused (%v), want 10 and 5", ok, refused, codes)
	}
	if n := e.reportCount(); n != 10 {
		t.Errorf("%d reports stored, want 10", n)
	}
}

func TestTipTooLargeAnswers413AndStoresNothing(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	e.svc.AttachmentPolicy = haven.AttachmentPolicy{MaxSize: 64 << 10, Types: haven.DefaultAttachmentPolicy.Types}
	c := e.newClient()
	big := bytes.Repeat([]byte("synthetic text "), (2<<20)/15)
	r := c.postMultipart("/tip", validTip(), []tipFile{{"notes.txt", "text/plain", big}}, nil)
	expectStatus(t, r, http.StatusRequestEntityTooLarge)
	if !strings.Contains(r.Body, "The files are too large") {
		t.Errorf("413 page: %s", r.Body)
	}
	// Without a Content-Length (a chunked upload), the body is cut off at the limit.
	chunked := c.postMultipart("/tip", validTip(), []tipFile{{"notes.txt", "text/plain", big}}, map[string]string{"X-Test-Chunked": "1"})
	expectStatus(t, chunked, http.StatusRequestEntityTooLarge)
	// A file over the per-file limit but within the request's is refused at the field.
	mid := bytes.Repeat([]byte("x"), 100<<10)
	r = c.postMultipart("/tip", validTip(), []tipFile{{"notes.txt", "text/plain", mid}}, nil)
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, "each at most 1 MB") {
		t.Errorf("oversized file: %s", r.Body)
	}
	if n := e.reportCount(); n != 0 {
		t.Errorf("%d reports stored", n)
	}
}

func TestTipFollowUpAppendsASupplementAndLeavesTheReportUnchanged(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	c := e.newClient()
	ref, code := receipt(t, c.postMultipart("/tip", validTip(), nil, nil))
	before, attsBefore, _ := e.stored(ref)

	page := c.get("/tip/follow-up")
	expectStatus(t, page, http.StatusOK)
	add := url.Values{"lang": {"en"}, "ref": {strings.ToLower(ref)}, "code": {strings.ReplaceAll(code, "-", " ")},
		"text": {"She also uses the name Sky (synthetic)."}, "online": {"TikTok: @sky.example\n202-555-0199"}}
	r := c.postMultipart("/tip/follow-up", add, []tipFile{{"more.txt", "text/plain", []byte("More notes, synthetic.")}}, nil)
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "We added this to your tip") {
		t.Errorf("follow-up answer: %s", r.Body)
	}
	if strings.Contains(r.Body, "Starlight Motel") || strings.Contains(r.Body, "Jamie") {
		t.Error("the follow-up page shows the original tip")
	}
	after, atts, sups := e.stored(ref)
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the report changed:\nbefore %+v\nafter  %+v", before, after)
	}
	if len(sups) != 1 || sups[0].Text != "She also uses the name Sky (synthetic)." || len(sups[0].Identifiers) != 2 ||
		sups[0].Identifiers[0].Platform != "TikTok" || sups[0].Language != "en" {
		t.Fatalf("supplements %+v", sups)
	}
	if len(atts) != len(attsBefore)+1 || len(sups[0].AttachmentIDs) != 1 || sups[0].AttachmentIDs[0] != atts[len(atts)-1].ID {
		t.Errorf("supplement files %v, attachments %d → %d", sups[0].AttachmentIDs, len(attsBefore), len(atts))
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "report.supplement", RecordID: before.ID, Outcome: haven.OutcomeOK})); n != 1 {
		t.Errorf("%d audit events for the supplement", n)
	}

	// A wrong code and an unknown reference answer alike; the wrong code counts.
	wrong := url.Values{"lang": {"en"}, "ref": {ref}, "code": {"0000-0000-0000-0000"}, "text": {"more"}}
	w1 := c.postMultipart("/tip/follow-up", wrong, nil, nil)
	unknown := url.Values{"lang": {"en"}, "ref": {"HV-ZZZZ-ZZZZ"}, "code": {code}, "text": {"more"}}
	w2 := c.postMultipart("/tip/follow-up", unknown, nil, nil)
	expectStatus(t, w1, http.StatusBadRequest)
	expectStatus(t, w2, http.StatusBadRequest)
	msg := regexp.MustCompile(`<a href="#code">([^<]*)</a>`)
	m1, m2 := msg.FindStringSubmatch(w1.Body), msg.FindStringSubmatch(w2.Body)
	if m1 == nil || m2 == nil || m1[1] != m2[1] {
		t.Errorf("wrong code says %v, unknown reference says %v", m1, m2)
	}
	if strings.Contains(w1.Body, code) {
		t.Error("the refused page sends the code back")
	}
	fu := func() *haven.TipFollowUp {
		var f *haven.TipFollowUp
		_ = e.store.View(context.Background(), func(tx haven.Tx) (err error) { f, err = tx.TipFollowUpByRef(context.Background(), ref); return err })
		return f
	}
	if f := fu(); f.Failures != 1 || f.LockedUntil != nil {
		t.Errorf("after one wrong code: %+v", f)
	}
	failed := e.auditEvents(haven.AuditFilter{Action: "report.follow_up", Outcome: haven.OutcomeFailed})
	if len(failed) != 2 {
		t.Errorf("%d failed follow-ups audited, want 2", len(failed))
	}

	// After five wrong codes the reference is paused: even the right code is refused, alike.
	for i := 0; i < 4; i++ {
		expectStatus(t, c.postMultipart("/tip/follow-up", wrong, nil, nil), http.StatusBadRequest)
	}
	if f := fu(); f.LockedUntil == nil {
		t.Errorf("after five wrong codes the reference is not paused: %+v", f)
	}
	right := c.postMultipart("/tip/follow-up", add, nil, nil)
	expectStatus(t, right, http.StatusBadRequest)
	if m := msg.FindStringSubmatch(right.Body); m == nil || m[1] != m1[1] {
		t.Errorf("paused reference says %v", m)
	}
	if _, _, s := e.stored(ref); len(s) != 1 {
		t.Errorf("%d supplements after the pause, want 1", len(s))
	}
}

func TestTipFormInSpanish(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	r := c.get("/tip?lang=es")
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `<html lang="es">`) || !strings.Contains(r.Body, "¿Dónde pasó?") || !strings.Contains(r.Body, `<option value="MX">México</option>`) {
		t.Error("the Spanish form is not in Spanish")
	}
	var ck *http.Cookie
	for _, x := range r.Cookies() {
		if x.Name == "haven_lang" {
			ck = x
		}
	}
	if ck == nil || ck.Value != "es" || ck.MaxAge != 0 || !ck.HttpOnly {
		t.Errorf("language cookie %+v (want a session cookie)", ck)
	}
	// Accept-Language picks Spanish too; the cookie wins over it.
	r = c.do(http.MethodGet, "/tip", nil, map[string]string{"Accept-Language": "es-MX,es;q=0.9"})
	if !strings.Contains(r.Body, "Comparta una preocupación") {
		t.Error("Accept-Language es did not give Spanish")
	}
	r = c.do(http.MethodGet, "/tip", nil, map[string]string{"Accept-Language": "es-MX", "Cookie": "haven_lang=en"})
	if !strings.Contains(r.Body, "Share a concern about a child") {
		t.Error("the language cookie did not win over Accept-Language")
	}
	f := validTip()
	f.Set("lang", "es")
	f.Set("zip", "abc")
	bad := c.postMultipart("/tip", f, nil, nil)
	expectStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, "Escriba un código postal de 5 números") {
		t.Errorf("Spanish error: %s", bad.Body)
	}
	f.Set("zip", "22030")
	ok := c.postMultipart("/tip", f, nil, nil)
	expectStatus(t, ok, http.StatusOK)
	if !strings.Contains(ok.Body, "Gracias. Recibimos su reporte.") {
		t.Errorf("Spanish success page: %s", ok.Body)
	}
	ref, _ := receipt(t, ok)
	if rep, _, _ := e.stored(ref); rep.Reporter.Language != "es" {
		t.Errorf("reporter language %q", rep.Reporter.Language)
	}
}
