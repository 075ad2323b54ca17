package http_test

import (
	"bytes"
	"context"
	"fmt"
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

// missingSetup is a server with a child-welfare agency and its worker, two
// police departments with an officer each, and a supervisor, all signed in.
type missingSetup struct {
	e                                   *testEnv
	care, police, otherPolice           *haven.Agency
	worker, officer, otherOfficer, boss *client
}

func newMissingSetup(t *testing.T) *missingSetup {
	t.Helper()
	e := newTestEnv(t)
	m := &missingSetup{e: e}
	m.care = e.createAgency("Washoe County Human Services", "child_welfare", "NV")
	m.police = e.createAgency("Reno Police Department", "law_enforcement", "NV")
	m.otherPolice = e.createAgency("Sparks Police Department", "law_enforcement", "NV")
	_, ws := e.createUser("wren.worker", "Wren Worker", haven.RoleChildWelfare, m.care.ID)
	_, os := e.createUser("otto.officer", "Otto Officer", haven.RoleOfficer, m.police.ID)
	_, xs := e.createUser("xena.officer", "Xena Officer", haven.RoleOfficer, m.otherPolice.ID)
	_, bs := e.createUser("sam.supervisor", "Sam Supervisor", haven.RoleSupervisor, 0)
	m.worker, m.officer = e.signedIn("wren.worker", ws), e.signedIn("otto.officer", os)
	m.otherOfficer, m.boss = e.signedIn("xena.officer", xs), e.signedIn("sam.supervisor", bs)
	// Start on a whole minute, as the form's times are typed, so that
	// "3 hours ago" is exactly 3 hours.
	e.clock.mu.Lock()
	e.clock.now = e.clock.now.Truncate(time.Minute).Add(time.Minute)
	e.clock.mu.Unlock()
	return m
}

// formTime writes a time as a datetime-local input sends it.
func formTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04") }

// fromCareForm is a valid report of a child missing from care, found
// missing `ago` before now, with nobody told yet.
func (m *missingSetup) fromCareForm(first string, ago time.Duration) url.Values {
	now := m.e.clock.Now()
	return url.Values{
		"submission": {fmt.Sprintf("key-%s-%d", first, now.UnixNano())}, "missing_type": {"endangered_runaway"},
		"le_agency": {"Reno Police Department"}, "le_case_number": {"26-004512"}, "ncic": {"M123456789"},
		"first_name": {first}, "last_name": {"Testchild"}, "nicknames": {"Mo"}, "date_of_birth": {"2011-02-03"}, "sex": {"female"},
		"height": {"5 ft 2 in"}, "hair": {"brown"}, "eyes": {"brown"},
		"last_seen_at": {formTime(now.Add(-ago))}, "last_seen_name": {"Elm Street group home"}, "last_seen_city": {"Reno"},
		"last_seen_state": {"NV"}, "last_seen_zip": {"89501"}, "last_seen_with": {"nobody"},
		"circumstances":   {"Did not come back after school (synthetic test data)."},
		"guardian_name_0": {"Rosa Testparent"}, "guardian_relationship_0": {"mother"}, "guardian_phone_0": {"775-555-0147"}, "guardian_email_0": {"rosa@example.com"},
		"from_care": {"1"}, "care_agency": {strconv.FormatInt(m.care.ID, 10)}, "placement_type": {"group_home"},
		"placement_name": {"Elm Street group home"}, "caseworker_name": {"Wren Worker"}, "caseworker_phone": {"775-555-0101"},
		"caseworker_email": {"wren.worker@example.com"}, "found_missing_at": {formTime(now.Add(-ago))},
	}
}

var episodePath = regexp.MustCompile(`^/missing/(\d+)$`)

// file posts a report and returns the new episode's id.
func (m *missingSetup) file(c *client, form url.Values) int64 {
	m.e.t.Helper()
	r := c.post("/missing", form)
	if r.StatusCode != http.StatusSeeOther {
		m.e.t.Fatalf("POST /missing: %d\n%s", r.StatusCode, r.Body)
	}
	sm := episodePath.FindStringSubmatch(r.Header.Get("Location"))
	if sm == nil {
		m.e.t.Fatalf("POST /missing led to %q", r.Header.Get("Location"))
	}
	id, _ := strconv.ParseInt(sm[1], 10, 64)
	return id
}

// count counts what the store holds, as the operator.
func (m *missingSetup) count() (episodes, reports, children int) {
	m.e.t.Helper()
	ctx := context.Background()
	all := haven.Scope{All: true}
	err := m.e.store.View(ctx, func(tx haven.Tx) (err error) {
		if episodes, err = tx.CountEpisodes(ctx, haven.EpisodeFilter{Scope: all}); err != nil {
			return err
		}
		if reports, err = tx.CountReports(ctx, haven.ReportFilter{Scope: all}); err != nil {
			return err
		}
		children, err = tx.CountChildren(ctx, haven.ChildFilter{Scope: all})
		return err
	})
	if err != nil {
		m.e.t.Fatal(err)
	}
	return
}

// textOf returns the text inside the element with the id, tags removed and
// spaces collapsed ("" when there is none).
func textOf(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	start := strings.Index(body[i:], ">") + i + 1
	tag := body[strings.LastIndex(body[:i], "<")+1 : i]
	tag = strings.Fields(tag)[0]
	end := strings.Index(body[start:], "</"+tag+">")
	if end < 0 {
		return ""
	}
	inner := regexp.MustCompile(`<[^>]*>`).ReplaceAllString(body[start:start+end], " ")
	return strings.Join(strings.Fields(inner), " ")
}

func TestMissingFromCareOverdueIsFlaggedAndListed(t *testing.T) {
	m := newMissingSetup(t)
	now := m.e.clock.Now()

	// Found missing 30 hours ago, law enforcement not told: overdue.
	late := m.file(m.worker, m.fromCareForm("Maya", 30*time.Hour))
	page := m.worker.get(fmt.Sprintf("/missing/%d", late))
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `id="overdue-flag"`) {
		t.Errorf("the overdue report has no overdue flag:\n%s", page.Body)
	}
	if got := textOf(page.Body, "clock-le"); !strings.Contains(got, "Overdue by 6 h 0 min") {
		t.Errorf("law-enforcement clock %q, want overdue by 6 h", got)
	}

	// Found missing 30 hours ago, both told within 2 and 3 hours: not overdue.
	form := m.fromCareForm("Jay", 30*time.Hour)
	form.Set("le_told_at", formTime(now.Add(-28*time.Hour)))
	form.Set("clearinghouse_told_at", formTime(now.Add(-27*time.Hour)))
	inTime := m.file(m.worker, form)
	page = m.worker.get(fmt.Sprintf("/missing/%d", inTime))
	if strings.Contains(page.Body, `id="overdue-flag"`) {
		t.Error("a report told in time is flagged overdue")
	}
	if got := textOf(page.Body, "clock-le"); !strings.Contains(got, "Done in 2 h 0 min, within 24 hours") {
		t.Errorf("law-enforcement clock %q", got)
	}

	// Found missing 3 hours ago, law enforcement not told yet: the clock
	// runs; the report itself told the clearinghouse.
	fresh := m.file(m.worker, m.fromCareForm("Ana", 3*time.Hour))
	page = m.worker.get(fmt.Sprintf("/missing/%d", fresh))
	if got := textOf(page.Body, "clock-le"); !strings.Contains(got, "21 h 0 min left") {
		t.Errorf("law-enforcement clock %q, want 21 h left", got)
	}
	if got := textOf(page.Body, "clock-clearinghouse"); !strings.Contains(got, "Done in 3 h 0 min, within 24 hours") {
		t.Errorf("clearinghouse clock %q, want done in 3 h by this report", got)
	}

	// The overdue list shows the late one only, to the worker and the supervisor.
	for _, c := range []*client{m.worker, m.boss} {
		list := c.get("/missing?overdue=1")
		expectStatus(t, list, http.StatusOK)
		rows := regexp.MustCompile(`data-episode="(\d+)"`).FindAllStringSubmatch(list.Body, -1)
		if len(rows) != 1 || rows[0][1] != strconv.FormatInt(late, 10) {
			t.Errorf("overdue list rows %v, want only episode %d", rows, late)
		}
	}
	over, err := m.e.svc.OverdueFromCare(context.Background(), sys, m.e.clock.Now())
	if err != nil || len(over) != 1 || over[0].ID != late {
		t.Errorf("OverdueFromCare = %v, %v; want episode %d", over, err, late)
	}
	// The worker records that law enforcement was told, just now: the clock
	// shows it was late, and the report leaves the overdue list.
	latePath := fmt.Sprintf("/missing/%d", late)
	r := m.worker.post(latePath+"/notifications", url.Values{"le_told_at": {formTime(m.e.clock.Now().Add(time.Hour))}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="le_told_at-error"`) {
		t.Errorf("a notification in the future: no error at the field:\n%s", r.Body)
	}
	expectRedirect(t, m.worker.post(latePath+"/notifications", url.Values{"le_told_at": {formTime(m.e.clock.Now())}}), latePath)
	page = m.worker.get(latePath)
	if got := textOf(page.Body, "clock-le"); !strings.Contains(got, "Done in 30 h 0 min, 6 h 0 min late") {
		t.Errorf("law-enforcement clock after the late notification %q", got)
	}
	if strings.Contains(page.Body, `id="overdue-flag"`) || strings.Contains(page.Body, `id="notifications-form"`) {
		t.Error("an episode with both notifications recorded is still flagged, or still asks for them")
	}
	if strings.Contains(m.boss.get("/missing?overdue=1").Body, `data-episode="`) {
		t.Error("the overdue list still shows an episode once both notifications are recorded")
	}
	// A notification recorded already cannot be changed.
	expectStatus(t, m.worker.post(latePath+"/notifications", url.Values{"le_told_at": {formTime(m.e.clock.Now())}}), http.StatusBadRequest)

	// The full list shows all three.
	if n := strings.Count(m.worker.get("/missing").Body, `data-episode="`); n != 3 {
		t.Errorf("the worker's list shows %d episodes, want 3", n)
	}

	// A retried form (same key) does not file the report twice.
	retry := m.fromCareForm("Maya", 30*time.Hour)
	retry.Set("submission", "one-key")
	first := m.file(m.worker, retry)
	again := m.file(m.worker, retry)
	if first != again {
		t.Errorf("the retried form made episode %d, then %d", first, again)
	}
	if eps, reps, _ := m.count(); eps != 4 || reps != 4 {
		t.Errorf("after a retried form the store holds %d episodes and %d reports, want 4 and 4", eps, reps)
	}
}

func TestMissingSameChildHasASecondEpisode(t *testing.T) {
	m := newMissingSetup(t)
	first := m.file(m.worker, m.fromCareForm("Maya", 10*24*time.Hour))
	ep, err := m.e.svc.GetEpisode(context.Background(), sys, first, "")
	if err != nil {
		t.Fatal(err)
	}
	childID := ep.ChildID
	if ep.Child.FirstName != "Maya" || !ep.Child.InCare || ep.Child.AgencyID != m.care.ID {
		t.Errorf("the new child on file: %+v", ep.Child)
	}
	// The report went through the one intake pipeline, about that child.
	var rep *haven.Report
	if rep, err = m.e.svc.GetReport(context.Background(), sys, ep.ReportID, ""); err != nil {
		t.Fatal(err)
	}
	if rep.Channel != haven.ChannelMissingChild || rep.IncidentType != haven.IncidentMissingChild || !rep.MissingFromCare ||
		len(rep.People) != 1 || rep.People[0].ChildID != childID || rep.People[0].Role != haven.PersonChild ||
		len(rep.Places) != 1 || rep.Places[0].Role != haven.PlaceLastSeen {
		t.Errorf("the report: %+v", rep)
	}

	// The new-report form offers the child on file.
	if body := m.worker.get("/missing/new").Body; !strings.Contains(body, fmt.Sprintf(`<option value="%d">Maya Testchild`, childID)) {
		t.Errorf("the form does not offer Maya on file:\n%s", body)
	}
	form := m.fromCareForm("", 2*time.Hour)
	form.Set("child_id", strconv.FormatInt(childID, 10))
	second := m.file(m.worker, form)
	if _, _, children := m.count(); children != 1 {
		t.Errorf("%d children on file, want 1", children)
	}

	page := m.worker.get(fmt.Sprintf("/children/%d", childID))
	expectStatus(t, page, http.StatusOK)
	ids := regexp.MustCompile(`data-episode="(\d+)"`).FindAllStringSubmatch(page.Body, -1)
	if len(ids) != 2 || ids[0][1] != strconv.FormatInt(first, 10) || ids[1][1] != strconv.FormatInt(second, 10) {
		t.Errorf("the child's page lists episodes %v, want %d then %d", ids, first, second)
	}
	if views := m.e.auditEvents(haven.AuditFilter{Actor: "wren.worker", Action: "child.view", Kind: haven.KindChild, RecordID: childID}); len(views) != 1 {
		t.Errorf("%d audited views of the child's record, want 1", len(views))
	}
}

func TestMissingRecoveryWithPositiveScreeningShowsTheDuty(t *testing.T) {
	m := newMissingSetup(t)
	id := m.file(m.worker, m.fromCareForm("Maya", 48*time.Hour))
	path := fmt.Sprintf("/missing/%d", id)
	rec := url.Values{
		"recovered_at": {formTime(m.e.clock.Now().Add(-2 * time.Hour))}, "recovered_name": {"Motel on 4th Street"},
		"recovered_city": {"Sparks"}, "recovered_state": {"NV"}, "recovered_by": {"Sparks Police Department"},
		"factors": {"pressured", "other"}, "factors_other": {"Wanted to see her brother"},
		"experiences": {"Stayed with an adult she met online (synthetic test data)."}, "screening": {"positive"},
		"follow_up": {"Forensic interview; advocate assigned."}, "follow_up_due": {"2026-12-01"},
	}
	// "Other" without saying what: the form comes back with everything kept.
	bad := url.Values{}
	for k, v := range rec {
		bad[k] = v
	}
	bad.Del("factors_other")
	r := m.worker.post(path+"/recovery", bad)
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="factors_other-error"`) || !strings.Contains(r.Body, `value="Sparks Police Department"`) {
		t.Errorf("the refused recovery form lacks its error or lost what was typed:\n%s", r.Body)
	}

	r = m.worker.post(path+"/recovery", rec)
	expectRedirect(t, r, path+"?recovered=1")
	page := m.worker.get(path + "?recovered=1")
	if !strings.Contains(page.Body, `id="trafficking-duty"`) {
		t.Fatalf("no duty to report after a positive screening:\n%s", page.Body)
	}
	if got := textOf(page.Body, "clock-trafficking"); !strings.Contains(got, "24 h 0 min left") {
		t.Errorf("trafficking-report clock %q, want 24 h left", got)
	}
	if got := textOf(page.Body, "screening"); !strings.Contains(got, "Positive") {
		t.Errorf("screening shown as %q", got)
	}
	if strings.Contains(page.Body, `id="recovery-form"`) {
		t.Error("a recovered episode still offers the recovery form")
	}
	// A child back after the notifications fell due still shows them owed.
	if !strings.Contains(page.Body, `id="overdue-flag"`) {
		t.Error("an episode never notified, recovered after 46 hours, is not flagged")
	}
	// The episode is closed: not among the children still missing.
	if strings.Contains(m.worker.get("/missing?open=1").Body, fmt.Sprintf(`data-episode="%d"`, id)) {
		t.Error("a recovered child is listed as still missing")
	}
	// Recording it again is refused.
	expectStatus(t, m.worker.post(path+"/recovery", rec), http.StatusConflict)

	// A negative screening has no such duty.
	other := m.file(m.worker, m.fromCareForm("Jay", 5*time.Hour))
	rec.Set("screening", "negative")
	expectRedirect(t, m.worker.post(fmt.Sprintf("/missing/%d/recovery", other), rec), fmt.Sprintf("/missing/%d?recovered=1", other))
	if strings.Contains(m.worker.get(fmt.Sprintf("/missing/%d", other)).Body, `id="trafficking-duty"`) {
		t.Error("a negative screening shows the duty to report")
	}
}

func TestMissingOfficerOfAnotherAgencyCannotOpenTheEpisode(t *testing.T) {
	m := newMissingSetup(t)
	// Reno's officer files a report (not from care): held by Reno PD.
	form := m.fromCareForm("Maya", 5*time.Hour)
	for _, k := range []string{"from_care", "care_agency", "placement_type", "placement_name", "caseworker_name", "caseworker_phone", "caseworker_email", "found_missing_at"} {
		form.Del(k)
	}
	form.Set("missing_type", "nonfamily_abduction")
	id := m.file(m.officer, form)
	path := fmt.Sprintf("/missing/%d", id)
	expectStatus(t, m.officer.get(path), http.StatusOK)

	// Sparks' officer is told there is no such episode, exactly as for one
	// that does not exist.
	refused := m.otherOfficer.get(path)
	expectStatus(t, refused, http.StatusNotFound)
	missing := m.otherOfficer.get(fmt.Sprintf("/missing/%d", id+1000))
	expectStatus(t, missing, http.StatusNotFound)
	if textOf(refused.Body, "main") != textOf(missing.Body, "main") {
		t.Errorf("the refusal differs from a missing episode:\n%s\n---\n%s", textOf(refused.Body, "main"), textOf(missing.Body, "main"))
	}
	if strings.Contains(refused.Body, "Maya") {
		t.Error("the refusal names the child")
	}
	denied := m.e.auditEvents(haven.AuditFilter{Actor: "xena.officer", Action: "episode.view", Outcome: haven.OutcomeDenied, RecordID: id})
	if len(denied) != 1 {
		t.Errorf("%d audited refusals of the episode, want 1", len(denied))
	}
	// Nor is it in the officer's list, nor can the officer record a recovery.
	if strings.Contains(m.otherOfficer.get("/missing").Body, fmt.Sprintf(`data-episode="%d"`, id)) {
		t.Error("the other agency's officer sees the episode in the list")
	}
	expectStatus(t, m.otherOfficer.post(path+"/recovery", url.Values{"recovered_at": {formTime(m.e.clock.Now())}, "screening": {"negative"}}), http.StatusNotFound)
	if ep, err := m.e.svc.GetEpisode(context.Background(), sys, id, ""); err != nil || !ep.Open() {
		t.Errorf("after the refused recovery the episode is %+v, %v", ep, err)
	}
	// The child's record is refused alike.
	ep, _ := m.e.svc.GetEpisode(context.Background(), sys, id, "")
	expectStatus(t, m.otherOfficer.get(fmt.Sprintf("/children/%d", ep.ChildID)), http.StatusNotFound)
}

func TestMissingBadInputGivesFieldErrorsAndStoresNothing(t *testing.T) {
	m := newMissingSetup(t)
	cases := []struct {
		name, field, value, wantField string
	}{
		{"found missing in the future", "found_missing_at", "", "found_missing_at"},
		{"unknown case type", "missing_type", "runaway_teen", "missing_type"},
		{"malformed NCIC number", "ncic", "N12345", "ncic"},
		{"unreadable last-seen time", "last_seen_at", "yesterday", "last_seen_at"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			form := m.fromCareForm("Maya", 3*time.Hour)
			v := tc.value
			if tc.field == "found_missing_at" {
				v = formTime(m.e.clock.Now().Add(2 * time.Hour))
			}
			form.Set(tc.field, v)
			r := m.worker.post("/missing", form)
			expectStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(r.Body, `id="`+tc.wantField+`-error"`) {
				t.Errorf("no error at %s:\n%s", tc.wantField, r.Body)
			}
			if !strings.Contains(r.Body, `href="#`+tc.wantField+`"`) {
				t.Errorf("the error summary does not lead to %s", tc.wantField)
			}
			for _, kept := range []string{`value="Maya"`, `value="Elm Street group home"`, `value="775-555-0147"`, `value="26-004512"`} {
				if !strings.Contains(r.Body, kept) {
					t.Errorf("the form lost %s", kept)
				}
			}
			if eps, reps, kids := m.count(); eps+reps+kids != 0 {
				t.Errorf("after refused input the store holds %d episodes, %d reports, %d children", eps, reps, kids)
			}
		})
	}
}

// postPhotos posts a signed-in form with files as the "photos" field, as a
// browser would.
func (c *client) postPhotos(path string, form url.Values, files map[string][]byte) *response {
	c.e.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, vs := range form {
		for _, v := range vs {
			_ = mw.WriteField(k, v)
		}
	}
	for name, b := range files {
		fw, err := mw.CreateFormFile("photos", name)
		if err != nil {
			c.e.t.Fatal(err)
		}
		_, _ = fw.Write(b)
	}
	mw.Close()
	req, err := http.NewRequest(http.MethodPost, c.e.URL+path, &body)
	if err != nil {
		c.e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Origin", c.e.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.AddCookie(&http.Cookie{Name: "haven_session", Value: c.cookie})
	resp, err := c.hc.Do(req)
	if err != nil {
		c.e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return &response{Response: resp, Body: string(b)}
}

func TestMissingPhotosMustBeImages(t *testing.T) {
	m := newMissingSetup(t)
	m.e.withBlobs() // squarePNG and withBlobs are shared with tip_test.go
	form := m.fromCareForm("Maya", 3*time.Hour)
	r := m.worker.postPhotos("/missing", form, map[string][]byte{"notes.txt": []byte("not a photo, just words")})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="photos-error"`) || !strings.Contains(r.Body, "not an image") {
		t.Errorf("a text file as a photo:\n%s", r.Body)
	}
	if eps, reps, kids := m.count(); eps+reps+kids != 0 {
		t.Errorf("after a refused photo the store holds %d episodes, %d reports, %d children", eps, reps, kids)
	}

	r = m.worker.postPhotos("/missing", form, map[string][]byte{"maya.png": squarePNG(t, color.RGBA{40, 120, 200, 255})})
	if r.StatusCode != http.StatusSeeOther {
		t.Fatalf("report with a photo: %d\n%s", r.StatusCode, r.Body)
	}
	page := m.worker.get(r.Header.Get("Location"))
	if got := textOf(page.Body, "photos"); !strings.Contains(got, "maya.png") || !strings.Contains(got, "image/png") {
		t.Errorf("photos on the page: %q", got)
	}
	if strings.Contains(page.Body, "<img") {
		t.Error("the episode page shows a photo inline")
	}
}
