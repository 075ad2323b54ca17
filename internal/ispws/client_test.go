package ispws_test

// A client of the ESP reporting API written from the specification
// (docs: /work/shared/spec/esp-reporting-api.md) alone: it shares no types
// with the server and talks to a real Haven server on a real port.

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/xml"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"log/slog"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// The answers, as the specification describes them.
type reportResponse struct {
	XMLName             xml.Name `xml:"reportResponse"`
	ResponseCode        int      `xml:"responseCode"`
	ResponseDescription string   `xml:"responseDescription"`
	ReportID            string   `xml:"reportId"`
	FileID              string   `xml:"fileId"`
	Hash                string   `xml:"hash"`
}

type reportDoneResponse struct {
	XMLName      xml.Name `xml:"reportDoneResponse"`
	ResponseCode int      `xml:"responseCode"`
	ReportID     string   `xml:"reportId"`
	FileIDs      []string `xml:"files>fileId"`
}

// answer is one HTTP exchange.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// children lists the names of the root's child elements, in order.
func (a answer) children(t *testing.T) []string {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(a.body))
	depth := 0
	var out []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return out
		} else if err != nil {
			t.Fatalf("answer is not XML: %v\n%s", err, a.body)
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 {
				out = append(out, tok.Name.Local)
			}
		case xml.EndElement:
			depth--
		}
	}
}

// response decodes a <reportResponse>, checking what every answer carries.
func (a answer) response(t *testing.T) reportResponse {
	t.Helper()
	a.common(t)
	var r reportResponse
	if err := xml.Unmarshal(a.body, &r); err != nil {
		t.Fatalf("not a reportResponse (HTTP %d): %v\n%s", a.status, err, a.body)
	}
	return r
}

func (a answer) common(t *testing.T) {
	t.Helper()
	if ct := a.header.Get("Content-Type"); ct != "text/xml; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if a.header.Get("Request-ID") == "" {
		t.Errorf("no Request-ID header")
	}
}

// espClient is an ESP's client: a base URL and HTTP Basic credentials.
type espClient struct {
	t          *testing.T
	base       string
	user, pass string
}

func (c *espClient) do(method, path, contentType string, body []byte) answer {
	c.t.Helper()
	req, err := http.NewRequest(method, c.base+path, bytes.NewReader(body))
	if err != nil {
		c.t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	if c.user != "" {
		req.SetBasicAuth(c.user, c.pass)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		c.t.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatal(err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

func (c *espClient) status() answer { return c.do("GET", "/status", "", nil) }

func (c *espClient) submit(doc string) answer {
	return c.do("POST", "/submit", "text/xml; charset=utf-8", []byte(doc))
}

func (c *espClient) upload(id, name string, data []byte) answer {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("id", id)
	fw, _ := mw.CreateFormFile("file", name)
	_, _ = fw.Write(data)
	_ = mw.Close()
	return c.do("POST", "/upload", mw.FormDataContentType(), b.Bytes())
}

func (c *espClient) fileinfo(doc string) answer {
	return c.do("POST", "/fileinfo", "text/xml; charset=utf-8", []byte(doc))
}

func (c *espClient) finish(id string) answer {
	return c.do("POST", "/finish", "application/x-www-form-urlencoded", []byte(url.Values{"id": {id}}.Encode()))
}

func (c *espClient) retract(id string) answer {
	return c.do("POST", "/retract", "application/x-www-form-urlencoded", []byte(url.Values{"id": {id}}.Encode()))
}

// mustSubmit submits doc and returns the report id.
func (c *espClient) mustSubmit(doc string) string {
	c.t.Helper()
	a := c.submit(doc)
	r := a.response(c.t)
	if a.status != 200 || r.ResponseCode != 0 || r.ResponseDescription != "Success" || r.ReportID == "" {
		c.t.Fatalf("submit: HTTP %d %+v", a.status, r)
	}
	return r.ReportID
}

// wantError checks an error answer: HTTP status, code, and (if not "") a
// piece of the description.
func wantError(t *testing.T, what string, a answer, status, code int, desc string) reportResponse {
	t.Helper()
	r := a.response(t)
	if a.status != status || r.ResponseCode != code || !strings.Contains(r.ResponseDescription, desc) {
		t.Errorf("%s: HTTP %d code %d %q; want HTTP %d code %d containing %q", what, a.status, r.ResponseCode, r.ResponseDescription, status, code, desc)
	}
	return r
}

// server is a real Haven server on a real port.
type server struct {
	t      *testing.T
	svc    *haven.Service
	store  haven.Store
	keys   *keys.Keys
	runner *jobs.Runner
	url    string // the API's base URL
	clock  *clock
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func startServer(t testing.TB, store haven.Store, dir string) *server {
	t.Helper()
	k, err := keys.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := haven.NewService(store, k, k, log)
	ck := &clock{now: time.Now().UTC()}
	svc.Now = ck.Now
	blobs, err := attachments.New(filepath.Join(dir, "attachments"), k)
	if err != nil {
		t.Fatal(err)
	}
	svc.Blobs = blobs
	h := havenhttp.New(havenhttp.Options{Service: svc, Store: store, Log: log, Version: "test", SecureCookies: true})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	hs := &http.Server{Handler: h.Handler(), ReadHeaderTimeout: 10 * time.Second}
	done := make(chan error, 1)
	go func() { done <- hs.Serve(ln) }()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(ctx)
		if err := <-done; !errors.Is(err, http.ErrServerClosed) {
			t.Errorf("serve: %v", err)
		}
	})
	runner := jobs.NewRunner(store, log)
	runner.Now = ck.Now
	runner.Every("esp.expire", haven.EspSweepEvery, func(ctx context.Context) error {
		_, err := svc.ExpireEspSubmissions(ctx)
		return err
	})
	runner.Handlers[haven.JobIngestReport] = jobs.Ingest(svc)
	return &server{t: nil, svc: svc, store: store, keys: k, runner: runner, url: "http://" + ln.Addr().String() + "/ispws", clock: ck}
}

// onEachStore runs test against a server on SQLite, and on PostgreSQL when
// HAVEN_TEST_POSTGRES is set (skipped loudly otherwise).
func onEachStore(t *testing.T, test func(t *testing.T, s *server)) {
	t.Run("sqlite", func(t *testing.T) { test(t, newServer(t)) })
	t.Run("postgres", func(t *testing.T) {
		store, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { store.Close() })
		s := startServer(t, store, t.TempDir())
		s.t = t
		test(t, s)
	})
}

func newServer(t *testing.T) *server {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	s := startServer(t, db, dir)
	s.t = t
	return s
}

// esp creates an ESP account and returns a client for it.
func (s *server) esp(name string) *espClient {
	s.t.Helper()
	acct, pw, err := s.svc.CreateEspAccount(context.Background(), haven.System("test"), name)
	if err != nil {
		s.t.Fatal(err)
	}
	return &espClient{t: s.t, base: s.url, user: acct.Name, pass: pw}
}

// counts returns how many haven reports and ESP submissions are stored.
func (s *server) counts() (reports, submissions int) {
	s.t.Helper()
	err := s.store.View(context.Background(), func(tx haven.Tx) (err error) {
		if reports, err = tx.CountReports(context.Background(), haven.ReportFilter{Scope: haven.Scope{All: true}}); err != nil {
			return err
		}
		submissions, err = tx.CountEspSubmissions(context.Background())
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return reports, submissions
}

// espReports lists the haven reports that came through the ESP channel.
func (s *server) espReports() []*haven.Report {
	s.t.Helper()
	rs, err := s.svc.ListReports(context.Background(), haven.System("test"), haven.ReportFilter{Channel: haven.ChannelESP})
	if err != nil {
		s.t.Fatal(err)
	}
	return rs
}

// pngSquare is a benign generated image: a square of one colour.
func pngSquare(c color.RGBA) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := 0; x < 16; x++ {
		for y := 0; y < 16; y++ {
			img.Set(x, y, c)
		}
	}
	var b bytes.Buffer
	_ = png.Encode(&b, img)
	return b.Bytes()
}

// Synthetic, clearly fictional data only.
const fullReport = `<?xml version="1.0" encoding="UTF-8"?>
<report xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:noNamespaceSchemaLocation="https://haven.example/ispws/xsd">
  <incidentSummary>
    <incidentType>Child Sex Trafficking</incidentType>
    <platform>ExampleChat</platform>
    <escalateToHighPriority>A meeting with the child is planned for tonight.</escalateToHighPriority>
    <reportAnnotations><sextortion/></reportAnnotations>
    <incidentDateTime>2026-11-20T18:30:00-05:00</incidentDateTime>
    <incidentDateTimeDescription>evening of the 20th</incidentDateTimeDescription>
  </incidentSummary>
  <internetDetails>
    <chatImIncident>
      <chatClient>ExampleChat</chatClient>
      <content>An adult account offered a place to stay in exchange for meeting people (synthetic test data).</content>
    </chatImIncident>
  </internetDetails>
  <internetDetails>
    <webPageIncident thirdPartyHostedContent="false">
      <url>https://ads.example.com/listing/4471</url>
    </webPageIncident>
  </internetDetails>
  <reporter>
    <reportingPerson>
      <firstName>Riley</firstName>
      <lastName>Trustsafety</lastName>
      <phone type="Work" countryCallingCode="+1">202-555-0147</phone>
      <email type="Work">trust.safety@example.com</email>
    </reportingPerson>
    <companyTemplate>ExampleChat Inc.</companyTemplate>
  </reporter>
  <personOrUserReported>
    <personOrUserReportedPerson>
      <firstName>Demo</firstName>
      <lastName>Suspect</lastName>
      <phone>(202) 555-0188</phone>
      <email>demo.suspect@example.com</email>
    </personOrUserReportedPerson>
    <espIdentifier>u-99812</espIdentifier>
    <espService>ExampleChat</espService>
    <screenName>night_owl_99</screenName>
    <displayName>Owl</displayName>
    <profileUrl>https://examplechat.example.com/u/night_owl_99</profileUrl>
    <ipCaptureEvent>
      <ipAddress>192.0.2.44</ipAddress>
      <eventName>Login</eventName>
      <dateTime>2026-11-20T17:00:00Z</dateTime>
      <port>443</port>
    </ipCaptureEvent>
    <deviceId><idType>IDFA</idType><idValue>7D4E-TEST-0001</idValue></deviceId>
    <priorCTReports>123456789</priorCTReports>
    <groupIdentifier>grp-5521</groupIdentifier>
    <estimatedLocation verified="false"><city>Springfield</city><region>IL</region><countryCode>US</countryCode></estimatedLocation>
  </personOrUserReported>
  <victim>
    <victimPerson>
      <firstName>Jamie</firstName>
      <address type="Home"><city>Springfield</city><state>IL</state><country>US</country></address>
      <age>15</age>
    </victimPerson>
    <schoolName>Example Middle School</schoolName>
    <screenName>jamie_draws</screenName>
  </victim>
  <additionalInfo>The reported account messaged several minors (synthetic test data).</additionalInfo>
</report>
`

func fileDetails(reportID, fileID, extra string) string {
	return `<fileDetails><reportId>` + reportID + `</reportId><fileId>` + fileID + `</fileId>` +
		`<originalFileName>square.png</originalFileName><fileViewedByEsp>true</fileViewedByEsp>` + extra +
		`<originalFileHash hashType="SHA1">da39a3ee5e6b4b0d3255bfef95601890afd80709</originalFileHash></fileDetails>`
}

// minimalReport is a valid report that differs by note.
func minimalReport(note string) string {
	return `<report><incidentSummary><incidentType>Online Enticement of Children for Sexual Acts</incidentType>` +
		`<incidentDateTime>2026-11-01T10:00:00Z</incidentDateTime></incidentSummary>` +
		`<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>` +
		`<personOrUserReported><espIdentifier>acct-1</espIdentifier><screenName>handle_1</screenName><displayName>Handle One</displayName>` +
		`<profileUrl>https://social.example.com/handle_1</profileUrl><ipCaptureEvent><ipAddress>198.51.100.7</ipAddress></ipCaptureEvent></personOrUserReported>` +
		`<additionalInfo>` + note + `</additionalInfo></report>`
}

func TestStatusAndSchemaAnswerAnAuthenticatedESP(t *testing.T) {
	s := newServer(t)
	c := s.esp("examplechat")
	a := c.status()
	r := a.response(t)
	if a.status != 200 || r.ResponseCode != 0 || r.ResponseDescription != "Remote User : examplechat, Remote Ip : 127.0.0.1" {
		t.Errorf("status: HTTP %d %+v", a.status, r)
	}
	x := c.do("GET", "/xsd", "", nil)
	x.common(t)
	var schema struct {
		XMLName  xml.Name
		Elements []struct {
			Name string `xml:"name,attr"`
		} `xml:"element"`
	}
	if err := xml.Unmarshal(x.body, &schema); err != nil || schema.XMLName.Local != "schema" || len(schema.Elements) != 2 ||
		schema.Elements[0].Name != "report" || schema.Elements[1].Name != "fileDetails" {
		t.Errorf("xsd: %v %+v", err, schema)
	}
}

func TestFullLifecycleWithAFileBecomesAHavenReport(t *testing.T) {
	onEachStore(t, testFullLifecycleWithAFileBecomesAHavenReport)
}

func testFullLifecycleWithAFileBecomesAHavenReport(t *testing.T, s *server) {
	c := s.esp("examplechat")
	id := c.mustSubmit(fullReport)

	img := pngSquare(color.RGBA{30, 120, 200, 255})
	up := c.upload(id, "square.png", img)
	ur := up.response(t)
	sum := md5.Sum(img)
	if up.status != 200 || ur.ResponseCode != 0 || ur.ReportID != id || len(ur.FileID) != 32 || ur.Hash != hex.EncodeToString(sum[:]) {
		t.Fatalf("upload: HTTP %d %+v", up.status, ur)
	}
	if got := up.children(t); strings.Join(got, ",") != "responseCode,responseDescription,reportId,fileId,hash" {
		t.Errorf("upload answer's elements: %v", got)
	}
	fi := c.fileinfo(fileDetails(id, ur.FileID, `<fileAnnotations><generativeAi/></fileAnnotations>`))
	if r := fi.response(t); fi.status != 200 || r.ResponseCode != 0 {
		t.Fatalf("fileinfo: HTTP %d %+v", fi.status, r)
	}
	// Another file, given first in the form (before the id).
	img2 := pngSquare(color.RGBA{200, 180, 40, 255})
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	fw, _ := mw.CreateFormFile("file", "second.png")
	_, _ = fw.Write(img2)
	_ = mw.WriteField("id", id)
	_ = mw.Close()
	up2 := c.do("POST", "/upload", mw.FormDataContentType(), b.Bytes())
	ur2 := up2.response(t)
	if up2.status != 200 || ur2.ResponseCode != 0 || ur2.FileID == ur.FileID {
		t.Fatalf("second upload: HTTP %d %+v", up2.status, ur2)
	}

	reportsBefore := len(s.espReports())
	if reportsBefore != 0 {
		t.Fatalf("an unfinished report is already a haven report")
	}
	fa := c.finish(id)
	fa.common(t)
	var done reportDoneResponse
	if err := xml.Unmarshal(fa.body, &done); err != nil || fa.status != 200 || done.ResponseCode != 0 || done.ReportID != id ||
		strings.Join(done.FileIDs, ",") != ur.FileID+","+ur2.FileID {
		t.Fatalf("finish: HTTP %d %v %+v\n%s", fa.status, err, done, fa.body)
	}
	if got := fa.children(t); strings.Join(got, ",") != "responseCode,reportId,files" {
		t.Errorf("finish answer's elements: %v", got)
	}

	rs := s.espReports()
	if len(rs) != 1 {
		t.Fatalf("%d ESP reports after finish, want 1", len(rs))
	}
	r, err := s.svc.GetReport(context.Background(), haven.System("test"), rs[0].ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	if r.IncidentType != haven.IncidentSexTrafficking || r.Escalation == "" || r.Reporter.Email != "trust.safety@example.com" ||
		r.Reporter.Organization != "examplechat" || r.IncidentAt == nil || !r.IncidentAt.Equal(time.Date(2026, 11, 20, 23, 30, 0, 0, time.UTC)) {
		t.Errorf("report: %+v", r)
	}
	for _, want := range []string{"place to stay", "several minors", "A meeting with the child is planned"} {
		if !strings.Contains(r.Narrative, want) {
			t.Errorf("narrative lacks %q:\n%s", want, r.Narrative)
		}
	}
	roles := map[haven.PersonRole]string{}
	for _, p := range r.People {
		roles[p.Role] = p.FullName()
	}
	if roles[haven.PersonSuspect] != "Demo Suspect" || roles[haven.PersonChild] != "Jamie" {
		t.Errorf("people: %+v", r.People)
	}
	ids := map[string]bool{}
	for _, i := range r.Identifiers {
		ids[string(i.Kind)+"|"+i.Platform+"|"+i.Value] = true
		if i.Kind == haven.IDIP && !strings.Contains(i.Source, "Login") {
			t.Errorf("IP identifier without its event: %+v", i)
		}
	}
	for _, want := range []string{
		"email||demo.suspect@example.com", "phone||+12025550188",
		"ip||192.0.2.44", "device|IDFA|7D4E-TEST-0001", "handle|ExampleChat|night_owl_99", "handle|ExampleChat|Owl",
		"handle|ExampleChat|jamie_draws", "url||https://examplechat.example.com/u/night_owl_99", "url||https://ads.example.com/listing/4471",
		"esp_account|ExampleChat|u-99812", "group|ExampleChat|grp-5521", "prior_report|CyberTipline|123456789",
		"file_hash|MD5|" + hex.EncodeToString(sum[:]), "file_hash|SHA1|da39a3ee5e6b4b0d3255bfef95601890afd80709",
	} {
		if !ids[want] {
			t.Errorf("identifier %s missing; have %v", want, ids)
		}
	}
	var estimated bool
	for _, p := range r.Places {
		estimated = estimated || (p.Role == haven.PlaceEstimated && p.City == "Springfield" && p.State == "IL")
	}
	if !estimated {
		t.Errorf("places: %+v", r.Places)
	}
	// The ESP's own staff who filed the report are its contact, not identifiers
	// to link on (they would tie every report of the ESP together).
	if ids["email||trust.safety@example.com"] {
		t.Errorf("the reporting person's email became an identifier")
	}
	// The files are attachments of the report, with the bytes sent.
	var atts []*haven.Attachment
	if err := s.store.View(context.Background(), func(tx haven.Tx) (err error) {
		atts, err = tx.ListAttachments(context.Background(), r.ID)
		return err
	}); err != nil || len(atts) != 2 {
		t.Fatalf("attachments: %d %v", len(atts), err)
	}
	_, rc, err := s.svc.OpenAttachment(context.Background(), haven.System("test"), atts[0].ID, "test")
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, img) {
		t.Errorf("attachment bytes differ from the upload")
	}
	// The original XML is kept verbatim, encrypted.
	var sub *haven.EspSubmission
	var subID int64
	fmt.Sscan(id, &subID)
	_ = s.store.View(context.Background(), func(tx haven.Tx) (err error) {
		sub, err = tx.EspSubmissionByID(context.Background(), subID)
		return err
	})
	if sub == nil || bytes.Contains(sub.XML, []byte("Riley")) {
		t.Fatalf("stored XML is missing or not encrypted")
	}
	if pt, err := s.keys.Decrypt(sub.XML, fmt.Appendf(nil, "esp-submission:%d:%x:xml", sub.AccountID, sub.BodyHash)); err != nil || string(pt) != fullReport {
		t.Errorf("stored XML is not the document sent: %v", err)
	}
	// The report entered the pipeline.
	var ingest []*haven.Job
	_ = s.store.View(context.Background(), func(tx haven.Tx) (err error) {
		ingest, err = tx.ListJobs(context.Background(), haven.JobIngestReport, false, 10)
		return err
	})
	if len(ingest) != 1 || ingest[0].RecordID != r.ID {
		t.Errorf("ingest jobs: %+v", ingest)
	}
}

func TestEveryErrorAnswersInXMLWithItsCode(t *testing.T) {
	s := newServer(t)
	c := s.esp("examplechat")
	other := s.esp("examplephotos")

	// Authentication: none, wrong password, unknown user.
	for _, cl := range []*espClient{{t: t, base: s.url}, {t: t, base: s.url, user: c.user, pass: "wrong"}, {t: t, base: s.url, user: "nobody", pass: c.pass}} {
		a := cl.submit(minimalReport("x"))
		wantError(t, "auth", a, 401, 2000, "Authentication required")
		if !strings.HasPrefix(a.header.Get("WWW-Authenticate"), "Basic") {
			t.Errorf("401 without a Basic challenge: %q", a.header.Get("WWW-Authenticate"))
		}
	}
	reports0, subs0 := s.counts()

	// Malformed XML and validation failures change nothing.
	wantError(t, "malformed", c.submit("<report><incidentSummary>"), 400, 4110, "Malformed XML")
	wantError(t, "empty", c.submit(""), 400, 4110, "")
	bad := strings.Replace(minimalReport("x"), "Online Enticement of Children for Sexual Acts", "Something Else", 1)
	wantError(t, "bad incident type", c.submit(bad), 400, 4100, "incidentSummary/incidentType: must be one of Child Pornography")
	future := strings.Replace(minimalReport("x"), "2026-11-01T10:00:00Z", "2099-01-01T10:00:00Z", 1)
	wantError(t, "future time", c.submit(future), 400, 4100, "incidentSummary/incidentDateTime: must not be in the future")
	noZone := strings.Replace(minimalReport("x"), "2026-11-01T10:00:00Z", "2026-11-01T10:00:00", 1)
	wantError(t, "no zone", c.submit(noZone), 400, 4100, "incidentSummary/incidentDateTime")
	noReporter := strings.Replace(minimalReport("x"), `<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>`, "", 1)
	wantError(t, "no reporter", c.submit(noReporter), 400, 4100, "reporter: required")
	noEmail := strings.Replace(minimalReport("x"), `<email>reports@example.com</email>`, `<firstName>Riley</firstName>`, 1)
	wantError(t, "reporting person without email", c.submit(noEmail), 400, 4100, "reporter/reportingPerson/email: required")
	order := strings.Replace(minimalReport("x"), `<screenName>handle_1</screenName><displayName>Handle One</displayName>`,
		`<displayName>Handle One</displayName><screenName>handle_1</screenName>`, 1)
	wantError(t, "out of order", c.submit(order), 400, 4100, "personOrUserReported/screenName: out of order")
	unknown := strings.Replace(minimalReport("x"), `<additionalInfo>`, `<favouriteColour>blue</favouriteColour><additionalInfo>`, 1)
	wantError(t, "unknown element", c.submit(unknown), 400, 4100, "favouriteColour: unknown element")
	badEmail := strings.Replace(minimalReport("x"), "reports@example.com", "not-an-address", 1)
	wantError(t, "bad email", c.submit(badEmail), 400, 4100, "reporter/reportingPerson/email: must be")
	twoReported := strings.Replace(minimalReport("x"), "<additionalInfo>", "<personOrUserReported><espIdentifier>b</espIdentifier></personOrUserReported><additionalInfo>", 1)
	wantError(t, "two reported people unbatched", c.submit(twoReported), 400, 4100, "personOrUserReported: at most one")
	if r, sub := s.counts(); r != reports0 || sub != subs0 {
		t.Errorf("bad input changed the store: reports %d→%d, submissions %d→%d", reports0, r, subs0, sub)
	}

	// Unknown report and file.
	wantError(t, "finish unknown", c.finish("987654"), 404, 5001, "Report does not exist")
	wantError(t, "finish garbage id", c.finish("abc"), 400, 4100, "id")
	id := c.mustSubmit(minimalReport("one"))
	wantError(t, "fileinfo unknown file", c.fileinfo(fileDetails(id, strings.Repeat("ab", 16), "")), 404, 5002, "File does not exist")
	wantError(t, "upload without a file", c.do("POST", "/upload", "multipart/form-data; boundary=x", []byte("--x\r\nContent-Disposition: form-data; name=\"id\"\r\n\r\n"+id+"\r\n--x--\r\n")), 400, 4100, "file: required")
	wantError(t, "refused file type", c.upload(id, "tool.exe", []byte("MZ\x90\x00\x03 not a picture \x00\x00\x00")), 400, 4200, "Malformed file")

	// Another ESP's report answers exactly like a missing one.
	missing := other.upload("987654", "a.png", pngSquare(color.RGBA{1, 2, 3, 255}))
	theirs := other.upload(id, "a.png", pngSquare(color.RGBA{1, 2, 3, 255}))
	mr, tr := missing.response(t), theirs.response(t)
	if missing.status != theirs.status || mr != tr || tr.ResponseCode != 5001 {
		t.Errorf("another ESP's report: HTTP %d %+v; a missing one: HTTP %d %+v", theirs.status, tr, missing.status, mr)
	}
	wantError(t, "another ESP finishes", other.finish(id), 404, 5001, "")
	wantError(t, "another ESP retracts", other.retract(id), 404, 5001, "")

	// Retract, then finish: 5101. Finish, then retract: 5102. Finish twice: 5102.
	if r := c.retract(id).response(t); r.ResponseCode != 0 || r.ReportID != id {
		t.Fatalf("retract: %+v", r)
	}
	wantError(t, "finish after retract", c.finish(id), 409, 5101, "Report already retracted")
	wantError(t, "retract twice", c.retract(id), 409, 5101, "")
	wantError(t, "upload after retract", c.upload(id, "a.png", pngSquare(color.RGBA{1, 2, 3, 255})), 409, 5101, "")
	id2 := c.mustSubmit(minimalReport("two"))
	if a := c.finish(id2); a.status != 200 {
		t.Fatalf("finish: %d %s", a.status, a.body)
	}
	wantError(t, "retract after finish", c.retract(id2), 409, 5102, "Report already finished")
	wantError(t, "finish twice", c.finish(id2), 409, 5102, "Report already finished")
	wantError(t, "upload after finish", c.upload(id2, "a.png", pngSquare(color.RGBA{1, 2, 3, 255})), 409, 5102, "")
	if n := len(s.espReports()); n != 1 {
		t.Errorf("%d haven reports, want 1 (the first finish stands, once)", n)
	}

	// An unknown path under /ispws still answers in XML.
	wantError(t, "unknown path", c.do("GET", "/nothing", "", nil), 404, 1210, "Resource not found")
	wantError(t, "wrong method", c.do("GET", "/submit", "", nil), 405, 4000, "use POST")
}

func TestBatchedMemeReportNeedsExactlyOneViralFileAtFinish(t *testing.T) {
	s := newServer(t)
	c := s.esp("examplechat")
	batched := strings.Replace(minimalReport("batch"), "<incidentSummary>", `<batchedReport reason="VIRAL_POTENTIAL_MEME"/><incidentSummary>`, 1)
	// Each reported person holds only espIdentifier.
	wantError(t, "batched with screenName", c.submit(batched), 400, 4100, "in a batched report")
	batched = strings.Replace(batched, `<screenName>handle_1</screenName><displayName>Handle One</displayName><profileUrl>https://social.example.com/handle_1</profileUrl><ipCaptureEvent><ipAddress>198.51.100.7</ipAddress></ipCaptureEvent>`, "", 1)
	batched = strings.Replace(batched, "<additionalInfo>", "<personOrUserReported><espIdentifier>acct-2</espIdentifier></personOrUserReported><additionalInfo>", 1)
	id := c.mustSubmit(batched)
	wantError(t, "batched without a file", c.finish(id), 400, 4100, "exactly one file")
	up := c.upload(id, "meme.png", pngSquare(color.RGBA{9, 9, 9, 255})).response(t)
	wantError(t, "batched file not annotated", c.finish(id), 400, 4100, "viral and/or potentialMeme")
	if r := c.fileinfo(fileDetails(id, up.FileID, `<fileAnnotations><potentialMeme/><viral/></fileAnnotations>`)).response(t); r.ResponseCode != 0 {
		t.Fatalf("fileinfo: %+v", r)
	}
	if a := c.finish(id); a.status != 200 {
		t.Fatalf("finish of a proper batched report: %d %s", a.status, a.body)
	}
}

func TestUnfinishedReportsExpire(t *testing.T) { onEachStore(t, testUnfinishedReportsExpire) }

func testUnfinishedReportsExpire(t *testing.T, s *server) {
	c := s.esp("examplechat")
	ctx := context.Background()
	idle := c.mustSubmit(minimalReport("idle"))
	busy := c.mustSubmit(minimalReport("busy"))
	kept := c.mustSubmit(minimalReport("finished"))
	c.finish(kept)
	run := func() {
		for {
			n, err := s.runner.RunDue(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if n == 0 {
				return
			}
		}
	}
	// At 23h30 the busy one changes: it now lives until 24h30.
	s.clock.Advance(23*time.Hour + 30*time.Minute)
	run()
	up := c.upload(busy, "late.png", pngSquare(color.RGBA{4, 5, 6, 255})).response(t)
	if up.ResponseCode != 0 {
		t.Fatalf("upload: %+v", up)
	}
	s.clock.Advance(31 * time.Minute) // 24h01
	run()
	wantError(t, "idle report after 24 h", c.finish(idle), 404, 5001, "Report does not exist")
	if a := c.fileinfo(fileDetails(busy, up.FileID, "")); a.response(t).ResponseCode != 0 {
		t.Fatalf("the busy report expired early: %s", a.body)
	}
	s.clock.Advance(time.Hour + time.Minute) // an hour after the last change
	run()
	wantError(t, "busy report after its idle hour", c.finish(busy), 404, 5001, "")
	if n := len(s.espReports()); n != 1 {
		t.Errorf("the finished report was touched by expiry: %d reports", n)
	}
	if _, subs := s.counts(); subs != 1 {
		t.Errorf("%d submissions left, want only the finished one", subs)
	}
}

func TestRetriesNeverDuplicate(t *testing.T) { onEachStore(t, testRetriesNeverDuplicate) }

func testRetriesNeverDuplicate(t *testing.T, s *server) {
	c := s.esp("examplechat")
	other := s.esp("examplephotos")
	doc := minimalReport("retried")
	// Concurrent identical submits open one report.
	ids := make([]string, 8)
	var wg sync.WaitGroup
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ids[i] = c.mustSubmit(doc)
		}()
	}
	wg.Wait()
	for _, id := range ids {
		if id != ids[0] {
			t.Fatalf("identical submits answered different ids: %v", ids)
		}
	}
	// The same document from another ESP is that ESP's own report.
	if theirs := other.mustSubmit(doc); theirs == ids[0] {
		t.Errorf("another ESP's identical submit got the same report id")
	}
	img := pngSquare(color.RGBA{100, 0, 100, 255})
	f1 := c.upload(ids[0], "a.png", img).response(t)
	f2 := c.upload(ids[0], "a.png", img).response(t)
	if f1.FileID == "" || f1.FileID != f2.FileID {
		t.Errorf("a retried upload got a new file id: %s %s", f1.FileID, f2.FileID)
	}
	fd := fileDetails(ids[0], f1.FileID, "")
	if r := c.fileinfo(fd).response(t); r.ResponseCode != 0 {
		t.Fatalf("fileinfo: %+v", r)
	}
	if r := c.fileinfo(fd).response(t); r.ResponseCode != 0 {
		t.Errorf("a retried fileinfo was refused: %+v", r)
	}
	wantError(t, "a different second fileinfo", c.fileinfo(fileDetails(ids[0], f1.FileID, "<publiclyAvailable>true</publiclyAvailable>")), 400, 4100, "fileDetails")
	first := c.finish(ids[0])
	var done reportDoneResponse
	if err := xml.Unmarshal(first.body, &done); err != nil || len(done.FileIDs) != 1 {
		t.Fatalf("finish: %s", first.body)
	}
	wantError(t, "finish retried", c.finish(ids[0]), 409, 5102, "")
	// A submit retried after the finish still answers the same report id.
	if again := c.mustSubmit(doc); again != ids[0] {
		t.Errorf("a retried submit after finish opened %s (first %s)", again, ids[0])
	}
	if n := len(s.espReports()); n != 1 {
		t.Errorf("%d haven reports, want 1", n)
	}
}

func TestESPRequestsPassTheCrossOriginProtection(t *testing.T) {
	s := newServer(t)
	c := s.esp("examplechat")
	// A server-to-server client sends neither Origin nor Sec-Fetch-Site:
	// its POST goes through.
	if a := c.submit(minimalReport("no browser headers")); a.status != 200 {
		t.Fatalf("a plain POST was refused: %d %s", a.status, a.body)
	}
	// A browser page on another site cannot post with an ESP's credentials.
	req, _ := http.NewRequest("POST", c.base+"/submit", strings.NewReader(minimalReport("from a browser")))
	req.SetBasicAuth(c.user, c.pass)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	req.Header.Set("Origin", "https://attacker.example")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a cross-site browser POST answered %d", resp.StatusCode)
	}
}
