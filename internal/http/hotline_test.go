package http_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// callIDFrom reads the call id from a redirect to /hotline/calls/{id}….
func callIDFrom(t *testing.T, r *response) int64 {
	t.Helper()
	m := regexp.MustCompile(`^/hotline/calls/(\d+)`).FindStringSubmatch(r.Header.Get("Location"))
	if r.StatusCode != http.StatusSeeOther || m == nil {
		t.Fatalf("%s %s: got %d to %q, want a redirect to a call\n%s", r.Request.Method, r.Request.URL.Path, r.StatusCode, r.Header.Get("Location"), r.Body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// fromStore returns what get reads in a read-only transaction, failing the
// test on error.
func fromStore[T any](e *testEnv, get func(ctx context.Context, tx haven.Tx) (T, error)) T {
	e.t.Helper()
	var v T
	err := e.store.View(context.Background(), func(tx haven.Tx) (err error) {
		v, err = get(context.Background(), tx)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return v
}

// call reads a call straight from the store.
func (e *testEnv) call(id int64) *haven.Call {
	e.t.Helper()
	return fromStore(e, func(ctx context.Context, tx haven.Tx) (*haven.Call, error) { return tx.CallByID(ctx, id) })
}

// report reads a report straight from the store.
func (e *testEnv) report(id int64) *haven.Report {
	e.t.Helper()
	return fromStore(e, func(ctx context.Context, tx haven.Tx) (*haven.Report, error) { return tx.ReportByID(ctx, id) })
}

// saveSection posts one section of a call with the given fields.
func (c *client) saveSection(id int64, section, action string, fields url.Values) *response {
	c.e.t.Helper()
	form := url.Values{"section": {section}, "action": {action}}
	for k, v := range fields {
		form[k] = v
	}
	return c.post("/hotline/calls/"+strconv.FormatInt(id, 10), form)
}

func callPath(id int64) string { return "/hotline/calls/" + strconv.FormatInt(id, 10) }

func TestHotlineConsoleWorksWithPlainFormPosts(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	hc := e.signedIn("hana.hotline", secret)

	page := hc.get("/hotline")
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `id="start-call"`) {
		t.Fatal("the hotline page offers no Start a call button")
	}
	before := e.clock.Now()
	start := hc.post("/hotline/calls", url.Values{})
	id := callIDFrom(t, start)
	if loc := start.Header.Get("Location"); loc != callPath(id)+"?section=caller" {
		t.Errorf("start led to %q", loc)
	}
	c := e.call(id)
	if c.StartedAt.Before(before.Add(-time.Millisecond)) || c.Ended() || c.ReportID != 0 {
		t.Fatalf("a new call: started %v (clock %v), ended %v, report %d", c.StartedAt, before, c.EndedAt, c.ReportID)
	}

	// Who is calling: nothing to report yet, so no report.
	r := hc.saveSection(id, "caller", "continue", url.Values{"caller_type": {"parent_guardian"}, "language": {"en"},
		"caller_name": {"Rosa Díaz"}, "caller_phone": {"202-555-0147"}})
	expectRedirect(t, r, callPath(id)+"?section=what&saved=1")
	if c := e.call(id); c.CallerType != "parent_guardian" || c.Details.CallerName != "Rosa Díaz" || c.ReportID != 0 {
		t.Fatalf("after the caller section: %+v", c)
	}

	// What happened: now there is something to report.
	r = hc.saveSection(id, "what", "continue", url.Values{"incident_type": {"child_sex_trafficking"}, "form": {"pimp_controlled"},
		"what_happened": {"My niece (synthetic test data) says an older man drives her to a motel."}, "when": {"last weekend"},
		"city": {"Austin"}, "state": {"tx"}})
	expectRedirect(t, r, callPath(id)+"?section=child&saved=1")
	c = e.call(id)
	if c.ReportID == 0 {
		t.Fatal("the first save with content created no report")
	}
	rep := e.report(c.ReportID)
	if rep.Channel != haven.ChannelHotline || rep.Reporter.Relationship != "parent_guardian" || rep.State != "TX" ||
		rep.Priority != haven.PriorityNone || !strings.Contains(rep.Narrative, "older man drives her") {
		t.Errorf("the call's report: channel %s, relationship %q, state %q, priority %d, narrative %q",
			rep.Channel, rep.Reporter.Relationship, rep.State, rep.Priority, rep.Narrative)
	}

	// Bad input: a field error, and nothing changes.
	r = hc.saveSection(id, "child", "continue", url.Values{"child_name": {"Mia Lopez"}, "child_age": {"fifteen"}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, "whole number") || !strings.Contains(r.Body, `id="child_age" name="child_age" value="fifteen"`) ||
		!strings.Contains(r.Body, `aria-invalid="true"`) {
		t.Errorf("the refused child section does not name the age or keep what was typed:\n%s", excerpt(r.Body, "<main", "</main>"))
	}
	if c := e.call(id); c.Details.ChildName != "" || len(e.report(c.ReportID).People) != 0 {
		t.Errorf("a refused save changed the call: %+v", c.Details)
	}
	r = hc.saveSection(id, "child", "continue", url.Values{"child_name": {"Mia Lopez"}, "child_nickname": {"Mimi"}, "child_age": {"15"}})
	expectRedirect(t, r, callPath(id)+"?section=people&saved=1")
	if ppl := e.report(c.ReportID).People; len(ppl) != 1 || ppl[0].FirstName != "Mia" || ppl[0].Age == nil || *ppl[0].Age != 15 {
		t.Errorf("the child in the report: %+v", ppl)
	}

	// Ticking an indicator without JavaScript: the same section comes back
	// with its follow-up questions shown.
	r = hc.saveSection(id, "indicators", "continue", url.Values{"indicator": {"living_in_motel"}})
	expectRedirect(t, r, callPath(id)+"?section=indicators&more=1")
	page = hc.get(callPath(id) + "?section=indicators&more=1")
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `<div class="followup" id="fu-living_in_motel">`) ||
		!strings.Contains(page.Body, "Do you know the name or address of the motel") {
		t.Error("the ticked indicator's follow-up questions are not shown after saving")
	}
	if !strings.Contains(page.Body, `<div class="followup" id="fu-online_ads" hidden>`) {
		t.Error("an unticked indicator's questions are not hidden")
	}
	r = hc.saveSection(id, "indicators", "continue", url.Values{"indicator": {"living_in_motel"}, "shown": {"living_in_motel"},
		"answer.living_in_motel.0": {"The Bluebird Motel on Route 9 (fictional)."}})
	expectRedirect(t, r, callPath(id)+"?section=notes&saved=1")
	rep = e.report(c.ReportID)
	if len(rep.Indicators) != 1 || rep.Indicators[0] != "living_in_motel" || !strings.Contains(rep.Narrative, "The Bluebird Motel") {
		t.Errorf("report after the indicators: %v, narrative %q", rep.Indicators, rep.Narrative)
	}
	if c := e.call(id); len(c.Details.Answers) != 1 || c.Details.Answers[0].Question != 0 {
		t.Errorf("answers kept with the call: %+v", c.Details.Answers)
	}

	// End the call: a disposition is required; ending twice changes nothing.
	r = hc.saveSection(id, "end", "end", url.Values{})
	expectStatus(t, r, http.StatusBadRequest)
	if e.call(id).Ended() {
		t.Fatal("a call ended without a disposition")
	}
	e.clock.Advance(7 * time.Minute)
	r = hc.saveSection(id, "end", "end", url.Values{"disposition": {"report_taken"}})
	expectRedirect(t, r, callPath(id))
	ended := e.call(id)
	if !ended.Ended() || ended.Disposition != "report_taken" || ended.EndedAt.Sub(ended.StartedAt) < 7*60e9 {
		t.Fatalf("after ending: %+v", ended)
	}
	e.clock.Advance(time.Minute)
	r = hc.saveSection(id, "end", "end", url.Values{"disposition": {"crisis_support"}})
	expectRedirect(t, r, callPath(id))
	if again := e.call(id); !again.EndedAt.Equal(*ended.EndedAt) || again.Disposition != "report_taken" {
		t.Errorf("ending twice changed the call: %+v", again)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "call.end", RecordID: id})); n != 1 {
		t.Errorf("%d call.end audit events, want 1", n)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "report.create"})); n != 1 {
		t.Errorf("%d reports created for one call, want 1", n)
	}
	expectStatus(t, hc.saveSection(id, "notes", "continue", url.Values{"notes": {"late"}}), http.StatusConflict)
	summary := hc.get(callPath(id))
	expectStatus(t, summary, http.StatusOK)
	if !strings.Contains(summary.Body, `id="call-summary"`) || !strings.Contains(summary.Body, "Report taken") ||
		!strings.Contains(summary.Body, rep.Ref) {
		t.Error("the ended call's page shows no summary with its disposition and report")
	}
}

func TestHotlineRefusesOtherRolesAndOtherSpecialistsCalls(t *testing.T) {
	e := newTestEnv(t)
	_, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, omarSecret := e.createUser("omar.hotline", "Omar Hotline", haven.RoleHotline, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	_, sueSecret := e.createUser("sue.supervisor", "Sue Supervisor", haven.RoleSupervisor, 0)
	hana := e.signedIn("hana.hotline", hanaSecret)
	id := callIDFrom(t, hana.post("/hotline/calls", url.Values{}))
	expectRedirect(t, hana.saveSection(id, "what", "continue", url.Values{"what_happened": {"A worried call (synthetic)."}}),
		callPath(id)+"?section=child&saved=1")

	// An analyst is not a hotline specialist.
	ana := e.signedIn("ana.analyst", anaSecret)
	expectStatus(t, ana.get("/hotline"), http.StatusForbidden)
	expectStatus(t, ana.post("/hotline/calls", url.Values{}), http.StatusForbidden)
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "ana.analyst", Action: "call.", Outcome: haven.OutcomeDenied})); n != 2 {
		t.Errorf("%d refusals of the analyst audited, want 2", n)
	}
	if strings.Contains(ana.get("/").Body, `href="/hotline"`) {
		t.Error("the analyst's navigation links to the hotline console")
	}

	// Another specialist cannot open or change Hana's call.
	omar := e.signedIn("omar.hotline", omarSecret)
	expectStatus(t, omar.get(callPath(id)), http.StatusNotFound)
	expectStatus(t, omar.saveSection(id, "notes", "continue", url.Values{"notes": {"not mine"}}), http.StatusNotFound)
	expectStatus(t, omar.saveSection(id, "notes", "imminent", url.Values{}), http.StatusNotFound)
	if c := e.call(id); c.Details.Notes != "" || c.Imminent {
		t.Errorf("another specialist changed the call: %+v", c)
	}
	if list := omar.get("/hotline"); strings.Contains(list.Body, callPath(id)) {
		t.Error("another specialist's list shows Hana's call")
	}
	if n := len(e.auditEvents(haven.AuditFilter{Actor: "omar.hotline", Outcome: haven.OutcomeDenied, RecordID: id})); n != 3 {
		t.Errorf("%d refusals of the other specialist audited, want 3", n)
	}

	// A supervisor sees the call (read only) in the list and on its page.
	sue := e.signedIn("sue.supervisor", sueSecret)
	if list := sue.get("/hotline"); !strings.Contains(list.Body, callPath(id)) || strings.Contains(list.Body, `id="start-call"`) {
		t.Error("the supervisor's list lacks the call, or offers to start one")
	}
	view := sue.get(callPath(id))
	expectStatus(t, view, http.StatusOK)
	if !strings.Contains(view.Body, `id="call-summary"`) || strings.Contains(view.Body, `id="call-form"`) {
		t.Error("the supervisor's view of the call is not a read-only summary")
	}
}

func TestImminentDangerSavesAtOnceAndAlertsEvenWithABadField(t *testing.T) {
	e := newTestEnv(t)
	_, hanaSecret := e.createUser("hana.hotline", "Hana Hotline", haven.RoleHotline, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	e.createUser("sue.supervisor", "Sue Supervisor", haven.RoleSupervisor, 0)
	_, adaSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	hana := e.signedIn("hana.hotline", hanaSecret)
	id := callIDFrom(t, hana.post("/hotline/calls", url.Values{}))

	// The first thing the specialist does is flip the switch, with a typo
	// in the age: the flag and the report are saved anyway.
	r := hana.saveSection(id, "child", "imminent", url.Values{"child_name": {"Mia"}, "child_age": {"1x"}})
	expectStatus(t, r, http.StatusBadRequest)
	if !strings.Contains(r.Body, `id="imminent-banner"`) || !strings.Contains(r.Body, "whole number") {
		t.Error("the page does not confirm the flag and name the bad field")
	}
	c := e.call(id)
	if !c.Imminent || c.ImminentAt == nil || c.ReportID == 0 {
		t.Fatalf("the imminent flag was lost to a bad field: %+v", c)
	}
	rep := e.report(c.ReportID)
	if rep.Priority != haven.P1 || rep.Channel != haven.ChannelHotline {
		t.Errorf("report priority %d channel %s, want P1 hotline", rep.Priority, rep.Channel)
	}

	// Later saves update the same report, which stays P1.
	expectRedirect(t, hana.saveSection(id, "what", "continue", url.Values{"what_happened": {"He is driving her to another city tonight (synthetic)."}}),
		callPath(id)+"?section=child&saved=1")
	if c2 := e.call(id); c2.ReportID != c.ReportID {
		t.Fatalf("a later save moved the call to report %d from %d", c2.ReportID, c.ReportID)
	}
	if rep = e.report(c.ReportID); rep.Priority != haven.P1 || !strings.Contains(rep.Narrative, "another city tonight") {
		t.Errorf("updated report: priority %d, narrative %q", rep.Priority, rep.Narrative)
	}
	// Flipping it again alerts nobody twice.
	expectRedirect(t, hana.saveSection(id, "notes", "imminent", url.Values{"notes": {"Caller will call 911."}}), callPath(id)+"?section=notes&flagged=1")

	// The analyst sees the badge and the notification, and marks it read.
	ana := e.signedIn("ana.analyst", anaSecret)
	home := ana.get("/")
	if !strings.Contains(home.Body, `<span class="alerts-badge alerts-badge--unread" id="alerts-count">1</span>`) {
		t.Errorf("the analyst's header shows no badge of 1:\n%s", home.Body)
	}
	list := ana.get("/notifications")
	expectStatus(t, list, http.StatusOK)
	if !strings.Contains(list.Body, "Imminent danger") || !strings.Contains(list.Body, "1 unread.") {
		t.Errorf("the notifications page:\n%s", list.Body)
	}
	all := e.notificationsFor(t, "ana.analyst")
	if len(all) != 1 || all[0].ReportID != c.ReportID || all[0].Kind != haven.NotifyImminent {
		t.Fatalf("the analyst's notifications: %+v", all)
	}
	if sue := e.notificationsFor(t, "sue.supervisor"); len(sue) != 1 {
		t.Errorf("the supervisor has %d notifications, want 1", len(sue))
	}
	if off := e.notificationsFor(t, "ada.admin"); len(off) != 0 {
		t.Errorf("an administrator was alerted: %+v", off)
	}
	// Nobody else may mark it read.
	other := e.signedIn("ada.admin", adaSecret)
	expectStatus(t, other.post("/notifications/"+strconv.FormatInt(all[0].ID, 10)+"/read", url.Values{}), http.StatusNotFound)
	if e.notificationsFor(t, "ana.analyst")[0].ReadAt != nil {
		t.Fatal("another user marked the analyst's notification read")
	}
	expectRedirect(t, ana.post("/notifications/"+strconv.FormatInt(all[0].ID, 10)+"/read", url.Values{}), "/notifications?marked=1")
	if e.notificationsFor(t, "ana.analyst")[0].ReadAt == nil {
		t.Fatal("marking read did not stick")
	}
	if home := ana.get("/"); !strings.Contains(home.Body, `<span class="alerts-badge" id="alerts-count">0</span>`) {
		t.Error("the badge does not drop to 0 after reading")
	}
}

// notificationsFor lists a user's notifications from the store.
func (e *testEnv) notificationsFor(t *testing.T, username string) []*haven.Notification {
	t.Helper()
	return fromStore(e, func(ctx context.Context, tx haven.Tx) ([]*haven.Notification, error) {
		u, err := tx.UserByUsername(ctx, username)
		if err != nil {
			return nil, err
		}
		return tx.ListNotifications(ctx, haven.NotificationFilter{RecipientID: u.ID})
	})
}

// excerpt returns the part of s from the first from to the next to.
func excerpt(s, from, to string) string {
	if i := strings.Index(s, from); i >= 0 {
		s = s[i:]
	}
	if j := strings.Index(s, to); j >= 0 {
		s = s[:j]
	}
	return s
}
