package http_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// benignPNG is a small plain-coloured square: a stand-in file with no
// content of any kind.
func benignPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := 0; x < 16; x++ {
		for y := 0; y < 16; y++ {
			img.Set(x, y, color.RGBA{R: 40, G: 120, B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// caseEnv is a server with a report about a child that came with a file,
// an analyst and two supervisors signed in.
type caseEnv struct {
	e                  *testEnv
	report             *haven.Report
	att                *haven.Attachment
	analyst, super     *client
	analystID, superID int64
}

func newCaseEnv(t *testing.T) *caseEnv {
	t.Helper()
	e := newTestEnv(t)
	e.withBlobs()
	ctx := context.Background()
	an, anSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	su, suSecret := e.createUser("sue.super", "Sue Supervisor", haven.RoleSupervisor, 0)
	r := e.createReport(&haven.Report{Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}},
		People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	att, _, err := e.svc.AddReportAttachment(ctx, sys, haven.Once{}, r.ID, "square.png", "image/png", "test", bytes.NewReader(benignPNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	v, err := e.svc.ReportDetail(ctx, sys, r.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	return &caseEnv{e: e, report: v.Report, att: att, analyst: e.signedIn("ana.analyst", anSecret), super: e.signedIn("sue.super", suSecret),
		analystID: an.ID, superID: su.ID}
}

var caseLocation = regexp.MustCompile(`^/cases/(\d+)\?done=`)

// openCase opens a case from the report's page and returns its id.
func (ce *caseEnv) openCase(t *testing.T) int64 {
	t.Helper()
	page := ce.analyst.get(fmt.Sprintf("/reports/%d", ce.report.ID))
	expectStatus(t, page, http.StatusOK)
	mention := fmt.Sprintf("mention:%d", ce.report.People[0].ID)
	if !strings.Contains(page.Body, `id="open-case-form"`) || !strings.Contains(page.Body, mention) {
		t.Fatalf("the report page offers no case to open about Ava:\n%s", page.Body)
	}
	resp := ce.analyst.post(fmt.Sprintf("/reports/%d/cases", ce.report.ID), url.Values{"child": {mention}})
	m := caseLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if resp.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("open a case: %d to %q\n%s", resp.StatusCode, resp.Header.Get("Location"), resp.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestTheCasePageCarriesACaseFromReportToApprovedDetermination(t *testing.T) {
	ce := newCaseEnv(t)
	id := ce.openCase(t)
	base := fmt.Sprintf("/cases/%d", id)
	post := func(c *client, path string, form url.Values) {
		t.Helper()
		r := c.post(base+path, form)
		if r.StatusCode != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), base+"?done=") {
			t.Fatalf("POST %s: %d to %q\n%s", path, r.StatusCode, r.Header.Get("Location"), r.Body)
		}
	}
	post(ce.analyst, "/assign", url.Values{"action": {"claim"}})
	post(ce.analyst, "/notes", url.Values{"body": {"Spoke with the school counsellor."}, "shareable": {"1"}})
	post(ce.analyst, "/tasks", url.Values{"title": {"Ask the placement for a recent photo"}, "owner": {strconv.FormatInt(ce.analystID, 10)}, "due": {"2020-01-01"}})
	post(ce.analyst, "/status", url.Values{"status": {"active"}})
	post(ce.analyst, "/determinations", url.Values{"determination": {"yes"}, "rationale": {"An older partner speaks for her."},
		"indicators": {"older_partner", "coached_speech"}})

	bad := ce.analyst.post(base+"/status", url.Values{"status": {"open"}})
	expectStatus(t, bad, http.StatusBadRequest)
	if !strings.Contains(bad.Body, "cannot become open") {
		t.Errorf("an impossible status change does not say why:\n%s", bad.Body)
	}
	page := ce.analyst.get(base)
	expectStatus(t, page, http.StatusOK)
	for _, want := range []string{"Ava", "Spoke with the school counsellor.", "Shareable in referrals", "Ask the placement for a recent photo",
		"flag--overdue", "Awaiting a supervisor&#39;s approval", "An older boyfriend or girlfriend", ce.report.Ref, `id="case-timeline"`} {
		if !strings.Contains(page.Body, want) {
			t.Errorf("the case page lacks %q", want)
		}
	}
	if strings.Contains(page.Body, `id="approve-`) {
		t.Error("the analyst is offered to approve their own determination")
	}
	det := regexp.MustCompile(`id="approve-(\d+)"`).FindStringSubmatch(ce.super.get(base).Body)
	if det == nil {
		t.Fatal("the supervisor is not offered to approve the determination")
	}
	post(ce.super, "/determinations/"+det[1]+"/approve", nil)
	page = ce.analyst.get(base)
	if !strings.Contains(page.Body, `<dd id="case-determination">Yes: likely a child sex trafficking victim</dd>`) {
		t.Errorf("approved determination not shown as the case's:\n%s", page.Body)
	}
	var kinds []string
	for _, m := range regexp.MustCompile(`data-kind="([a-z_]+)"`).FindAllStringSubmatch(page.Body, -1) {
		kinds = append(kinds, m[1])
	}
	want := "report opened assigned note task_added status determination_recorded determination_approved"
	if strings.Join(kinds, " ") != want {
		t.Errorf("timeline %v, want %s", kinds, want)
	}
	list := ce.analyst.get("/cases?assignee=me&status=active")
	expectStatus(t, list, http.StatusOK)
	if !strings.Contains(list.Body, fmt.Sprintf(`data-case="%d"`, id)) {
		t.Errorf("the case is not in the analyst's active cases:\n%s", list.Body)
	}
	if list := ce.analyst.get("/cases?status=closed"); strings.Contains(list.Body, fmt.Sprintf(`data-case="%d"`, id)) {
		t.Error("an active case is listed under closed")
	}
}

func TestCaseFilesStayHiddenUntilRevealedWithAReason(t *testing.T) {
	ce := newCaseEnv(t)
	id := ce.openCase(t)
	base := fmt.Sprintf("/cases/%d", id)
	page := ce.analyst.get(base)
	src := fmt.Sprintf("%s/attachments/%d", base, ce.att.ID)
	if !strings.Contains(page.Body, fmt.Sprintf(`id="file-%d-placeholder"`, ce.att.ID)) || strings.Contains(page.Body, "<img") {
		t.Fatalf("the file is not hidden by default:\n%s", page.Body)
	}
	r := ce.analyst.post(fmt.Sprintf("%s/attachments/%d/reveal", base, ce.att.ID), url.Values{"reason": {" "}})
	expectStatus(t, r, http.StatusBadRequest)
	if strings.Contains(r.Body, "<img") || !strings.Contains(r.Body, "Say why you need to see this file.") {
		t.Errorf("a reveal without a reason:\n%s", r.Body)
	}
	if r := ce.analyst.get(src); r.StatusCode != http.StatusBadRequest {
		t.Errorf("the file's bytes without a reason: %d, want 400", r.StatusCode)
	}
	r = ce.analyst.post(fmt.Sprintf("%s/attachments/%d/reveal", base, ce.att.ID), url.Values{"reason": {"checking the photo matches the child"}})
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, `src="`+src+`?reason=checking&#43;the&#43;photo`) && !strings.Contains(r.Body, `src="`+src+`?reason=checking+the+photo`) {
		t.Fatalf("the revealed page shows no image:\n%s", r.Body)
	}
	img := ce.analyst.get(src + "?reason=checking+the+photo+matches+the+child")
	expectStatus(t, img, http.StatusOK)
	if img.Header.Get("Content-Type") != "image/png" || !strings.HasPrefix(img.Header.Get("Content-Disposition"), "attachment;") ||
		img.Header.Get("X-Content-Type-Options") != "nosniff" || img.Body != string(benignPNG(t)) {
		t.Errorf("revealed file headers %v", img.Header)
	}
	es := ce.e.auditEvents(haven.AuditFilter{Action: "attachment.reveal", Outcome: haven.OutcomeOK})
	if len(es) != 1 || es[0].Reason != "checking the photo matches the child" || es[0].RecordID != id {
		t.Errorf("audited reveals: %+v", es)
	}
}

func TestOnlyASupervisorMergesCasesAndASplitBringsTheCaseBack(t *testing.T) {
	ce := newCaseEnv(t)
	k1 := ce.openCase(t)
	r2 := ce.e.createReport(&haven.Report{Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}}})
	v, _ := ce.e.svc.CaseDetail(context.Background(), sys, k1, "")
	resp := ce.analyst.post(fmt.Sprintf("/reports/%d/cases", r2.ID), url.Values{"child_id": {strconv.FormatInt(v.Case.ChildID, 10)}})
	m := caseLocation.FindStringSubmatch(resp.Header.Get("Location"))
	if m == nil {
		t.Fatalf("second case: %d %s", resp.StatusCode, resp.Body)
	}
	k2, _ := strconv.ParseInt(m[1], 10, 64)
	form := url.Values{"absorbed": {m[1]}, "reason": {"Both reports are about Ava."}}
	if page := ce.analyst.get(fmt.Sprintf("/cases/%d", k1)); strings.Contains(page.Body, `id="merge-form"`) {
		t.Error("an analyst is offered the merge")
	}
	expectStatus(t, ce.analyst.post(fmt.Sprintf("/cases/%d/merge", k1), form), http.StatusForbidden)
	expectRedirect(t, ce.super.post(fmt.Sprintf("/cases/%d/merge", k1), form), fmt.Sprintf("/cases/%d?done=merged", k1))
	page := ce.super.get(fmt.Sprintf("/cases/%d", k1))
	if !strings.Contains(page.Body, r2.Ref) || !strings.Contains(page.Body, fmt.Sprintf("Case %d merged into this case", k2)) {
		t.Errorf("the surviving case lacks the absorbed case's report or the merge on its timeline:\n%s", page.Body)
	}
	absorbed := ce.super.get(fmt.Sprintf("/cases/%d", k2))
	if !strings.Contains(absorbed.Body, `id="case-merged"`) || !strings.Contains(absorbed.Body, `id="split-form"`) {
		t.Fatalf("the absorbed case does not say it was merged:\n%s", absorbed.Body)
	}
	expectRedirect(t, ce.super.post(fmt.Sprintf("/cases/%d/split", k2), url.Values{"reason": {"Two different girls."}}), fmt.Sprintf("/cases/%d?done=split", k2))
	page = ce.super.get(fmt.Sprintf("/cases/%d", k1))
	if n := strings.Count(page.Body, `data-report=`); n != 1 || strings.Contains(page.Body, fmt.Sprintf(`data-report="%d"`, r2.ID)) {
		t.Errorf("after the split the surviving case lists %d reports, want its own one only", n)
	}
	if back := ce.super.get(fmt.Sprintf("/cases/%d", k2)); !strings.Contains(back.Body, fmt.Sprintf(`data-report="%d"`, r2.ID)) || strings.Contains(back.Body, `id="case-merged"`) {
		t.Errorf("the split case did not come back with its report")
	}
	if n := len(ce.e.auditEvents(haven.AuditFilter{Action: "case.merge", Outcome: haven.OutcomeDenied})); n != 1 {
		t.Errorf("%d refused merges audited, want 1", n)
	}
}

func TestACaseAnswersLikeAMissingOneToThoseWhoMayNotSeeIt(t *testing.T) {
	ce := newCaseEnv(t)
	id := ce.openCase(t)
	ag := ce.e.createAgency("Reno Police Department", "law_enforcement", "NV")
	_, secret := ce.e.createUser("rory.officer", "Rory Officer", haven.RoleOfficer, ag.ID)
	officer := ce.e.signedIn("rory.officer", secret)
	hidden := officer.get(fmt.Sprintf("/cases/%d", id))
	missing := officer.get("/cases/99999")
	expectStatus(t, hidden, http.StatusNotFound)
	expectStatus(t, missing, http.StatusNotFound)
	if r := officer.post(fmt.Sprintf("/cases/%d/notes", id), url.Values{"body": {"x"}}); r.StatusCode != http.StatusNotFound {
		t.Errorf("an officer adding a note to a case they may not see: %d", r.StatusCode)
	}
	other := ce.e.createReport(&haven.Report{Places: []haven.Place{{Role: haven.PlaceIncident, City: "Tulsa", State: "OK"}}})
	att, _, err := ce.e.svc.AddReportAttachment(context.Background(), sys, haven.Once{}, other.ID, "other.png", "image/png", "test", bytes.NewReader(benignPNG(t)))
	if err != nil {
		t.Fatal(err)
	}
	if r := ce.analyst.get(fmt.Sprintf("/cases/%d/attachments/%d?reason=curious", id, att.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("a file of a report not on the case, through the case: %d, want 404", r.StatusCode)
	}
	if r := officer.get(fmt.Sprintf("/cases/%d/attachments/%d?reason=x", id, ce.att.ID)); r.StatusCode != http.StatusNotFound {
		t.Errorf("an officer revealing a file of a case they may not see: %d", r.StatusCode)
	}
}

// A note or task form sent twice (a double click, the browser resending
// it) adds once: the form carries a one-time token.
func TestACaseNoteOrTaskFormSentTwiceAddsOnce(t *testing.T) {
	ce := newCaseEnv(t)
	id := ce.openCase(t)
	base := fmt.Sprintf("/cases/%d", id)
	expectStatus(t, ce.analyst.post(base+"/assign", url.Values{"action": {"claim"}}), http.StatusSeeOther)
	page := ce.analyst.get(base)
	keys := regexp.MustCompile(`name="submission" value="([0-9a-f]{32})"`).FindAllStringSubmatch(page.Body, -1)
	if len(keys) != 2 || keys[0][1] == keys[1][1] {
		t.Fatalf("the case page's forms carry tokens %v, want two different ones", keys)
	}
	taskKey, noteKey := keys[0][1], keys[1][1]
	for range 2 {
		expectStatus(t, ce.analyst.post(base+"/notes", url.Values{"body": {"Called the school back (synthetic)."}, "submission": {noteKey}}), http.StatusSeeOther)
		expectStatus(t, ce.analyst.post(base+"/tasks", url.Values{"title": {"Ask for a recent photo"}, "submission": {taskKey}}), http.StatusSeeOther)
	}
	page = ce.analyst.get(base)
	if n := strings.Count(textOf(page.Body, "case-notes"), "Called the school back (synthetic)."); n != 1 {
		t.Errorf("the notes list it %d times, want once", n)
	}
	tasks := regexp.MustCompile(`Task added: Ask for a recent photo`).FindAllString(page.Body, -1)
	if len(tasks) != 1 {
		t.Errorf("the timeline shows %d task additions, want 1", len(tasks))
	}
	// The note's token sent to another case is a conflict, not a replay.
	other := ce.openCase(t)
	expectStatus(t, ce.analyst.post(fmt.Sprintf("/cases/%d/assign", other), url.Values{"action": {"claim"}}), http.StatusSeeOther)
	r := ce.analyst.post(fmt.Sprintf("/cases/%d/notes", other), url.Values{"body": {"Called the school back (synthetic)."}, "submission": {noteKey}})
	expectStatus(t, r, http.StatusConflict)
}
