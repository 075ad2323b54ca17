package http_test

import (
	"bytes"
	"context"
	"crypto/md5"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"image/color"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// reportPath is the staff page of a report.
func reportPath(id int64) string { return "/reports/" + strconv.FormatInt(id, 10) }

// attachmentLinks are the download links of a report page, in page order
// (each file once).
func attachmentLinks(body string) []string {
	var out []string
	seen := map[string]bool{}
	for _, m := range regexp.MustCompile(`href="(/reports/\d+/attachments/\d+)"`).FindAllStringSubmatch(body, -1) {
		if !seen[m[1]] {
			seen[m[1]] = true
			out = append(out, m[1])
		}
	}
	return out
}

// download fetches a file as the client, with its body as bytes.
func (c *client) download(path string) (*http.Response, []byte) {
	c.e.t.Helper()
	req, err := http.NewRequest(http.MethodGet, c.e.URL+path, nil)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: c.cookie})
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	return resp, b
}

func TestReportPageShowsATipWithItsSupplementsAndFiles(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	public := e.newClient()
	img := squarePNG(t, color.RGBA{200, 80, 40, 255})
	ref, code := receipt(t, public.postMultipart("/tip", validTip(), []tipFile{{"screenshot.png", "image/png", img}}, nil))
	notes := []byte("Second note from the reporter (synthetic).\n")
	add := url.Values{"lang": {"en"}, "ref": {ref}, "code": {code}, "text": {"She also uses the name Sky (synthetic)."},
		"online": {"TikTok: @sky.example"}}
	expectStatus(t, public.postMultipart("/tip/follow-up", add, []tipFile{{`notes ñ "two".txt`, "text/plain", notes}}, nil), http.StatusOK)
	rep, atts, _ := e.stored(ref)
	if len(atts) != 2 {
		t.Fatalf("%d attachments stored, want 2", len(atts))
	}

	ana := e.signedIn("ana.analyst", anaSecret)
	page := ana.get(reportPath(rep.ID) + "?reason=triage")
	expectStatus(t, page, http.StatusOK)
	for id, want := range map[string]string{
		"report-ref":         ref,
		"report-channel":     "Public tip",
		"report-incident":    "Child sex trafficking",
		"report-status":      "New",
		"report-narrative":   "Starlight Motel",
		"report-places":      "Where it happened: Fairview, VA 22030",
		"report-people":      "Child Jamie Star about 15 female Short dark hair, red backpack",
		"report-identifiers": "Payment handle: Cash App $starpay",
		"report-reporter":    "Anonymous: the reporter chose not to give contact details.",
		"report-indicators":  "",
		"supplement-1":       "She also uses the name Sky (synthetic).",
	} {
		got := html.UnescapeString(textOf(page.Body, id))
		if got == "" || !strings.Contains(got, want) {
			t.Errorf("#%s reads %q, want it to contain %q", id, got, want)
		}
	}
	if got := textOf(page.Body, "report-people"); !strings.Contains(got, "Suspected trafficker or exploiter Rick") {
		t.Errorf("the people table lacks the suspect with his role: %q", got)
	}
	if got := html.UnescapeString(excerpt(page.Body, `id="supplement-1"`, "</ol>")); !strings.Contains(got, "<strong>Account or handle:</strong> TikTok <code>@sky.example</code>") ||
		!strings.Contains(got, `notes ñ "two".txt</a>`) {
		t.Errorf("the supplement lacks its online detail or its file: %q", got)
	}
	files := textOf(page.Body, "report-files")
	for _, a := range atts {
		for _, want := range []string{a.SHA256, a.MD5, a.ContentType} {
			if !strings.Contains(files, want) {
				t.Errorf("the files table lacks %q of %s", want, a.FileName)
			}
		}
	}
	if !strings.Contains(files, "Supplement 1") || !strings.Contains(files, "The report") {
		t.Errorf("the files table does not say what each file came with: %q", files)
	}
	if strings.Contains(page.Body, "<img") || strings.Contains(page.Body, "style=") || strings.Contains(page.Body, "<script>") {
		t.Error("the report page shows a file inline or has inline style or script")
	}
	views := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "report.view", RecordID: rep.ID})
	if len(views) != 1 || views[0].Outcome != haven.OutcomeOK || views[0].Reason != "triage" {
		t.Errorf("the view is audited as %+v, want one report.view with the reason", views)
	}

	// Each file downloads as an attachment, never sniffed, with its exact bytes.
	links := attachmentLinks(page.Body)
	if len(links) != 2 {
		t.Fatalf("download links %v, want 2", links)
	}
	want := map[string][]byte{"screenshot.png": img, `notes ñ "two".txt`: notes}
	byLink := map[string]*haven.Attachment{}
	for _, a := range atts {
		byLink[reportPath(rep.ID)+"/attachments/"+strconv.FormatInt(a.ID, 10)] = a
	}
	for _, link := range links {
		resp, body := ana.download(link)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("GET %s: %d", link, resp.StatusCode)
		}
		a := byLink[link]
		if a == nil {
			t.Fatalf("the page links to %s, no file of the report", link)
		}
		if !bytes.Equal(body, want[a.FileName]) {
			t.Errorf("%s: the download is not the file sent (%d bytes)", a.FileName, len(body))
		}
		sum, md := sha256.Sum256(body), md5.Sum(body)
		if hex.EncodeToString(sum[:]) != a.SHA256 || hex.EncodeToString(md[:]) != a.MD5 {
			t.Errorf("%s: the download's hashes differ from the page's", a.FileName)
		}
		cd := resp.Header.Get("Content-Disposition")
		if !strings.HasPrefix(cd, "attachment; ") || resp.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: Content-Disposition %q, X-Content-Type-Options %q", a.FileName, cd, resp.Header.Get("X-Content-Type-Options"))
		}
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: Cache-Control %q", a.FileName, cc)
		}
		switch a.FileName {
		case "screenshot.png":
			if cd != `attachment; filename="screenshot.png"; filename*=UTF-8''screenshot.png` || resp.Header.Get("Content-Type") != "image/png" {
				t.Errorf("the image: Content-Disposition %q, Content-Type %q", cd, resp.Header.Get("Content-Type"))
			}
		default:
			// Quotes and non-ASCII never reach the header raw.
			if cd != `attachment; filename="notes _ _two_.txt"; filename*=UTF-8''notes%20%C3%B1%20%22two%22.txt` ||
				resp.Header.Get("Content-Type") != "text/plain; charset=utf-8" {
				t.Errorf("the text file: Content-Disposition %q, Content-Type %q", cd, resp.Header.Get("Content-Type"))
			}
		}
	}
	opened := e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "attachment.open", RecordID: rep.ID})
	if len(opened) != 2 {
		t.Errorf("%d openings of the files audited, want 2: %+v", len(opened), opened)
	}
}

func TestReportPageAnswersAReaderWhoMayNotSeeItLikeAMissingReport(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	police := e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	other := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	_, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, omarSecret := e.createUser("omar.officer", "Omar Officer", haven.RoleOfficer, other.ID)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	_, adaSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	public := e.newClient()
	ref, _ := receipt(t, public.postMultipart("/tip", validTip(), []tipFile{{"a.png", "image/png", squarePNG(t, color.RGBA{1, 2, 3, 255})}}, nil))
	tip, atts, _ := e.stored(ref)
	held := e.createReport(&haven.Report{AgencyID: police.ID, Places: []haven.Place{{Role: haven.PlaceIncident, City: "Fairview", State: "VA"}}})

	ana := e.signedIn("ana.analyst", anaSecret)
	expectStatus(t, ana.get(reportPath(tip.ID)), http.StatusOK)
	missing := ana.get(reportPath(tip.ID + held.ID + 100))
	expectStatus(t, missing, http.StatusNotFound)
	// A file reached through another report's address does not exist.
	resp, _ := ana.download(reportPath(held.ID) + "/attachments/" + strconv.FormatInt(atts[0].ID, 10))
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("a file through another report's address: %d, want 404", resp.StatusCode)
	}

	for _, who := range []struct{ name, secret string }{{"hana.hotline", hanaSecret}, {"omar.officer", omarSecret}, {"ada.admin", adaSecret}} {
		c := e.signedIn(who.name, who.secret)
		for _, id := range []int64{tip.ID, held.ID} {
			r := c.get(reportPath(id))
			expectStatus(t, r, http.StatusNotFound)
			if excerpt(r.Body, "<main", "</main>") != excerpt(missing.Body, "<main", "</main>") {
				t.Errorf("%s opening report %d: the page differs from a missing report's:\n%s", who.name, id, excerpt(r.Body, "<main", "</main>"))
			}
			if strings.Contains(r.Body, ref) || strings.Contains(r.Body, held.Ref) {
				t.Errorf("%s's refusal shows a reference number", who.name)
			}
		}
		resp, body := c.download(reportPath(tip.ID) + "/attachments/" + strconv.FormatInt(atts[0].ID, 10))
		if resp.StatusCode != http.StatusNotFound || bytes.Contains(body, []byte("IHDR")) {
			t.Errorf("%s downloading the tip's file: %d", who.name, resp.StatusCode)
		}
		if n := len(e.auditEvents(haven.AuditFilter{Actor: who.name, Action: "report.view", Outcome: haven.OutcomeDenied})); n != 2 {
			t.Errorf("%s: %d refused views audited, want 2", who.name, n)
		}
		if n := len(e.auditEvents(haven.AuditFilter{Actor: who.name, Action: "attachment.open", Outcome: haven.OutcomeOK})); n != 0 {
			t.Errorf("%s: a file opening was audited as done", who.name)
		}
	}
}

func TestNotificationLeadsToTheHotlineCallsReport(t *testing.T) {
	e := newTestEnv(t)
	_, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	hana := e.signedIn("hana.hotline", hanaSecret)
	id := callIDFrom(t, hana.post("/hotline/calls", url.Values{}))
	expectRedirect(t, hana.saveSection(id, "caller", "continue", url.Values{"caller_type": {"parent_guardian"}, "language": {"en"},
		"caller_name": {"Rosa Díaz"}, "caller_phone": {"202-555-0147"}}), callPath(id)+"?section=what&saved=1")
	expectRedirect(t, hana.saveSection(id, "what", "imminent", url.Values{"incident_type": {"child_sex_trafficking"},
		"what_happened": {"My niece (synthetic test data) is being driven to another city tonight."}, "city": {"Austin"}, "state": {"TX"}}),
		callPath(id)+"?section=what&flagged=1")
	call := e.call(id)

	ana := e.signedIn("ana.analyst", anaSecret)
	list := ana.get("/notifications")
	expectStatus(t, list, http.StatusOK)
	href := reportPath(call.ReportID)
	if !strings.Contains(list.Body, `<a href="`+href+`">`) {
		t.Fatalf("the notification does not link to %s:\n%s", href, excerpt(list.Body, `<ul class="notifications"`, "</ul>"))
	}
	page := ana.get(href)
	expectStatus(t, page, http.StatusOK)
	rep := e.report(call.ReportID)
	if got := textOf(page.Body, "report-ref"); got != rep.Ref {
		t.Errorf("the linked page is report %q, want %q", got, rep.Ref)
	}
	if got := textOf(page.Body, "report-priority"); got != "P1 — imminent danger" {
		t.Errorf("priority %q", got)
	}
	callText := textOf(page.Body, "report-call")
	for _, want := range []string{"hana.hotline", "Parent or guardian", "Flagged", "The call goes on"} {
		if !strings.Contains(callText, want) {
			t.Errorf("the call details %q lack %q", callText, want)
		}
	}
	if strings.Contains(callText, "Open the call") {
		t.Error("the analyst, who may not open calls, is offered the console")
	}
	if got := textOf(page.Body, "report-reporter"); !strings.Contains(got, "Rosa Díaz") || !strings.Contains(got, "202-555-0147") || !strings.Contains(got, "Parent or guardian") {
		t.Errorf("the caller's contact: %q", got)
	}
	// The specialist sees her own report, with the way back to her call.
	own := hana.get(href)
	expectStatus(t, own, http.StatusOK)
	if !strings.Contains(own.Body, `<a href="`+callPath(id)+`">Open the call</a>`) {
		t.Error("the specialist's report page does not lead back to her call")
	}
}

// espSubmit sends one report with one file over the ESP reporting API and
// finishes it, as an ESP's client would.
func espSubmit(t *testing.T, e *testEnv, user, pass, doc string, file []byte) {
	t.Helper()
	do := func(path, ctype string, body []byte) string {
		req, _ := http.NewRequest(http.MethodPost, e.URL+"/ispws"+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", ctype)
		req.SetBasicAuth(user, pass)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("ESP %s: %d %s", path, resp.StatusCode, b)
		}
		return string(b)
	}
	m := regexp.MustCompile(`<reportId>(\d+)</reportId>`).FindStringSubmatch(do("/submit", "text/xml; charset=utf-8", []byte(doc)))
	if m == nil {
		t.Fatal("submit answered no reportId")
	}
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("id", m[1])
	fw, _ := mw.CreateFormFile("file", "profile-capture.png")
	_, _ = fw.Write(file)
	_ = mw.Close()
	do("/upload", mw.FormDataContentType(), b.Bytes())
	do("/finish", "application/x-www-form-urlencoded", []byte(url.Values{"id": {m[1]}}.Encode()))
}

func TestReportPageShowsWhatAnOnlineServiceProviderSent(t *testing.T) {
	e := newTestEnv(t)
	e.withBlobs()
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	acct, pass, err := e.svc.CreateEspAccount(context.Background(), sys, "examplechat")
	if err != nil {
		t.Fatal(err)
	}
	doc := `<report><incidentSummary><incidentType>Online Enticement of Children for Sexual Acts</incidentType>` +
		`<incidentDateTime>2026-01-05T10:00:00Z</incidentDateTime></incidentSummary>` +
		`<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>` +
		`<personOrUserReported><espIdentifier>acct-1</espIdentifier><screenName>handle_1</screenName>` +
		`<profileUrl>https://social.example.com/handle_1</profileUrl></personOrUserReported>` +
		`<additionalInfo>Synthetic ESP test report.</additionalInfo></report>`
	img := squarePNG(t, color.RGBA{10, 200, 90, 255})
	espSubmit(t, e, acct.Name, pass, doc, img)
	var rep *haven.Report
	for _, r := range fromStore(e, func(ctx context.Context, tx haven.Tx) ([]*haven.Report, error) {
		return tx.ListReports(ctx, haven.ReportFilter{Scope: haven.Scope{All: true}, Channel: haven.ChannelESP})
	}) {
		rep = r
	}
	if rep == nil {
		t.Fatal("the ESP report was not stored")
	}

	ana := e.signedIn("ana.analyst", anaSecret)
	page := ana.get(reportPath(rep.ID))
	expectStatus(t, page, http.StatusOK)
	if got := textOf(page.Body, "report-channel"); got != "Online service provider" {
		t.Errorf("channel %q", got)
	}
	if got := textOf(page.Body, "esp-account"); got != "examplechat" {
		t.Errorf("provider account %q", got)
	}
	if !strings.Contains(page.Body, html.EscapeString("<additionalInfo>Synthetic ESP test report.</additionalInfo>")) {
		t.Error("the page does not carry the provider's original document")
	}
	if got := textOf(page.Body, "esp-files"); !strings.Contains(got, "profile-capture.png") || !strings.Contains(got, "file id") {
		t.Errorf("the provider's files: %q", got)
	}
	if got := textOf(page.Body, "report-identifiers"); !strings.Contains(got, "handle_1") {
		t.Errorf("identifiers %q", got)
	}
	links := attachmentLinks(page.Body)
	if len(links) != 1 {
		t.Fatalf("download links %v", links)
	}
	resp, body := ana.download(links[0])
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, img) || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), `attachment; filename="profile-capture.png"`) {
		t.Errorf("the provider's file downloads as %d %q (%d bytes)", resp.StatusCode, resp.Header.Get("Content-Disposition"), len(body))
	}
}

func TestReportPageOfAMissingChildReportLeadsToItsEpisode(t *testing.T) {
	m := newMissingSetup(t)
	eid := m.file(m.worker, m.fromCareForm("Mo", 3*time.Hour))
	ep := fromStore(m.e, func(ctx context.Context, tx haven.Tx) (*haven.MissingEpisode, error) { return tx.EpisodeByID(ctx, eid) })
	page := m.boss.get(reportPath(ep.ReportID))
	expectStatus(t, page, http.StatusOK)
	if got := textOf(page.Body, "report-channel"); got != "Missing-child report" {
		t.Errorf("channel %q", got)
	}
	if !strings.Contains(page.Body, fmt.Sprintf(`<a href="/missing/%d" id="episode-link">`, eid)) {
		t.Error("the report page does not lead to its missing episode")
	}
	if got := textOf(page.Body, "report-places"); !strings.Contains(got, "Last seen: Elm Street group home, Reno, NV 89501") {
		t.Errorf("places %q", got)
	}
	// The officer of another agency may not see it: not found.
	expectStatus(t, m.otherOfficer.get(reportPath(ep.ReportID)), http.StatusNotFound)
}

func TestReportPageOfAnImportedReportShowsItsParts(t *testing.T) {
	e := newTestEnv(t)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	age := 16
	rep := e.createReport(&haven.Report{Channel: haven.ChannelImport, Priority: haven.P3,
		Places:      []haven.Place{{Role: haven.PlaceIncident, Name: "Bluebird Inn", City: "Tijuana", Country: "MX"}},
		People:      []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ada", LastName: "Example", Age: &age}, {Role: haven.PersonBuyer, Nickname: "Big J"}},
		Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "(202) 555-0147"}},
		Reporter:    haven.Contact{Name: "Pat Example", Email: "pat@example.com", Organization: "Example Outreach"}})
	ana := e.signedIn("ana.analyst", anaSecret)
	page := ana.get(reportPath(rep.ID))
	expectStatus(t, page, http.StatusOK)
	for id, want := range map[string]string{
		"report-channel":     "Import",
		"report-priority":    "P3 — identifiable child",
		"report-places":      "Where it happened: Bluebird Inn, Tijuana, Mexico",
		"report-people":      "Buyer Not given Big J",
		"report-identifiers": "Phone number: +12025550147 (as written: (202) 555-0147)",
		"report-reporter":    "Pat Example",
	} {
		if got := html.UnescapeString(textOf(page.Body, id)); !strings.Contains(got, want) {
			t.Errorf("#%s reads %q, want it to contain %q", id, got, want)
		}
	}
	if !strings.Contains(page.Body, "No supplements.") || !strings.Contains(page.Body, "No files came with this report.") {
		t.Error("the page does not say there are no supplements and no files")
	}
}

func TestReportsListIsScopedFilteredAndPaged(t *testing.T) {
	e := newTestEnv(t)
	hana, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	_, adaSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	mine := e.createReport(&haven.Report{Channel: haven.ChannelHotline, CreatedBy: hana.ID})
	urgent := e.createReport(&haven.Report{Channel: haven.ChannelPublicTip, Priority: haven.P1})
	for i := 0; i < 50; i++ {
		e.clock.Advance(time.Second)
		e.createReport(&haven.Report{Channel: haven.ChannelImport, Priority: haven.P4})
	}

	ana := e.signedIn("ana.analyst", anaSecret)
	home := ana.get("/")
	if !strings.Contains(home.Body, `<a href="/reports">Reports</a>`) || !strings.Contains(home.Body, `href="/reports?status=new&amp;unassigned=1"`) {
		t.Error("the analyst's home does not link to the reports list")
	}
	first := ana.get("/reports")
	expectStatus(t, first, http.StatusOK)
	rows := regexp.MustCompile(`<tr data-report="(\d+)">`).FindAllStringSubmatch(first.Body, -1)
	if len(rows) != 50 || !strings.Contains(first.Body, `id="next-page"`) {
		t.Fatalf("the first page lists %d reports (want 50) with a next page link: %v", len(rows), strings.Contains(first.Body, "next-page"))
	}
	next := ana.get("/reports?page=2")
	if n := strings.Count(next.Body, "<tr data-report="); n != 2 || !strings.Contains(next.Body, `rel="prev"`) {
		t.Errorf("the second page lists %d reports, want 2, with a way back", n)
	}
	if !strings.Contains(next.Body, fmt.Sprintf(`<tr data-report="%d">`, mine.ID)) {
		t.Error("the oldest report is not on the last page (newest first)")
	}
	p1 := ana.get("/reports?priority=1")
	if n := strings.Count(p1.Body, "<tr data-report="); n != 1 || !strings.Contains(p1.Body, urgent.Ref) {
		t.Errorf("priority 1 lists %d reports", n)
	}
	tips := ana.get("/reports?channel=public_tip&status=new&who=nobody")
	if n := strings.Count(tips.Body, "<tr data-report="); n != 1 || !strings.Contains(tips.Body, `<option value="public_tip" selected>`) {
		t.Errorf("the channel filter lists %d reports or forgets the choice", n)
	}
	if n := strings.Count(ana.get("/reports?assigned=me").Body, "<tr data-report="); n != 0 {
		t.Errorf("assigned to me lists %d reports, want 0", n)
	}
	bad := ana.get("/reports?channel=carrier_pigeon")
	expectStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, "Choose a channel from the list.") || !strings.Contains(bad.Body, `id="f-channel" name="channel" aria-invalid="true"`) {
		t.Errorf("a bad filter is not named:\n%s", excerpt(bad.Body, "<main", "</main>"))
	}

	// A hotline specialist lists only her own reports.
	h := e.signedIn("hana.hotline", hanaSecret)
	own := h.get("/reports")
	if n := strings.Count(own.Body, "<tr data-report="); n != 1 || !strings.Contains(own.Body, mine.Ref) {
		t.Errorf("the specialist lists %d reports", n)
	}
	// An administrator reads no reports: no link, and refused.
	ada := e.signedIn("ada.admin", adaSecret)
	if strings.Contains(ada.get("/").Body, `href="/reports"`) {
		t.Error("the administrator's navigation offers reports")
	}
	expectStatus(t, ada.get("/reports"), http.StatusForbidden)
}
