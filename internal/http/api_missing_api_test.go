package http_test

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// apiEpisodeBody is the part of an episode the tests read.
type apiEpisodeBody struct {
	ID              int64  `json:"id"`
	ChildID         int64  `json:"child_id"`
	ChildName       string `json:"child_name"`
	MissingFromCare bool   `json:"missing_from_care"`
	Open            bool
	Overdue         bool
	Clocks          struct {
		LawEnforcement *struct{ State string } `json:"law_enforcement"`
		Clearinghouse  *struct{ State string } `json:"clearinghouse"`
		Trafficking    *struct{ State string } `json:"trafficking"`
	}
	FromCare *struct {
		LawEnforcementToldAt *string `json:"law_enforcement_told_at"`
	} `json:"from_care"`
	Recovery *struct{ Screening string } `json:"recovery"`
}

func TestAPIMissingChildren(t *testing.T) {
	e := newAPISpecEnv(t)
	care := e.createAgency("Washoe County Human Services", "child_welfare", "NV")
	police := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	other := e.createAgency("Sparks Police Department", "law_enforcement", "NV")
	_, wtok := e.token("wren.worker", haven.RoleChildWelfare, care.ID)
	_, xtok := e.token("xena.officer", haven.RoleOfficer, other.ID)
	_, htok := e.token("hana.hotline", haven.RoleHotline, 0)
	_, ltok := e.token("lee.learner", haven.RoleLearner, 0)
	now := e.clock.Now().UTC().Truncate(time.Second)
	at := func(d time.Duration) string { return now.Add(d).Format(time.RFC3339) }

	// A child missing from care for 30 hours, law enforcement not yet told:
	// the 24-hour notification is overdue.
	fromCare := fmt.Sprintf(`{"missing_type":"endangered_runaway",
		"law_enforcement":{"agency_name":"Reno Police Department","case_number":"26-004512","ncic":"m-123 456 789"},
		"child":{"first_name":"Maya","last_name":"Testchild","nicknames":["Mo"],"date_of_birth":"2011-02-03","sex":"female","description":"5 ft 2 in, brown hair"},
		"last_seen_at":%q,"last_seen":{"name":"Elm Street group home","city":"Reno","state":"NV","zip":"89501"},
		"last_seen_with":"nobody","circumstances":"Did not come back after school (synthetic test data).",
		"guardians":[{"name":"Rosa Testparent","relationship":"mother","phone":"775-555-0147","email":"rosa@example.com"}],
		"from_care":{"agency_id":%d,"placement_type":"group_home","placement_name":"Elm Street group home",
			"caseworker_name":"Wren Worker","caseworker_phone":"775-555-0101","caseworker_email":"wren.worker@example.com",
			"found_missing_at":%q}}`, at(-30*time.Hour), care.ID, at(-30*time.Hour))

	var ep apiEpisodeBody
	t.Run("a child-welfare worker reports a child missing from care, once", func(t *testing.T) {
		code, b := e.call("POST", "/api/v1/missing", wtok, fromCare, key("missing-0001"))
		if code != http.StatusCreated {
			t.Fatalf("report: %d %s", code, b)
		}
		decode(t, b, &ep)
		if !ep.MissingFromCare || !ep.Open || !ep.Overdue || ep.ChildName != "Maya Testchild" || ep.FromCare == nil ||
			ep.Clocks.LawEnforcement == nil || ep.Clocks.LawEnforcement.State != "overdue" || ep.Clocks.Trafficking != nil {
			t.Errorf("episode: %s", b)
		}
		if !strings.Contains(string(b), `"ncic": "M123456789"`) {
			t.Errorf("NCIC number not normalised: %s", b)
		}
		code, b = e.call("POST", "/api/v1/missing", wtok, fromCare, key("missing-0001"))
		var again apiEpisodeBody
		decode(t, b, &again)
		if code != http.StatusOK || again.ID != ep.ID {
			t.Errorf("retry: %d, episode %d, want 200 and %d", code, again.ID, ep.ID)
		}
		if c := e.counts(); c.Episodes != 1 || c.Reports != 1 || c.Children != 1 {
			t.Errorf("after the retry: %+v, want one episode, report and child", c)
		}
	})

	t.Run("an invalid report names the field as sent and stores nothing", func(t *testing.T) {
		before := e.counts()
		for _, c := range []struct{ name, from, to, field string }{
			{"bad NCIC", `"ncic":"m-123 456 789"`, `"ncic":"12345"`, "law_enforcement.ncic"},
			{"bad guardian email", `"email":"rosa@example.com"`, `"email":"rosa at example"`, "guardians[0].email"},
			{"police as the care agency", fmt.Sprintf(`"agency_id":%d`, care.ID), fmt.Sprintf(`"agency_id":%d`, police.ID), "from_care.agency_id"},
			{"unknown state", `"state":"NV"`, `"state":"ZZ"`, "last_seen.state"},
			{"malformed time", `"last_seen_at":"`, `"last_seen_at":"yesterday`, "last_seen_at"},
			{"unknown case type", `"endangered_runaway"`, `"lost"`, "missing_type"},
			{"unknown sex", `"sex":"female"`, `"sex":"f"`, "child.sex"},
		} {
			body := strings.Replace(fromCare, c.from, c.to, 1)
			if body == fromCare {
				t.Fatalf("%s: the test's replacement did not apply", c.name)
			}
			code, b := e.call("POST", "/api/v1/missing", wtok, body, key("bad-"+c.field))
			wantFieldError(t, c.name, code, b, http.StatusBadRequest, "invalid", c.field)
		}
		code, b := e.call("POST", "/api/v1/missing", ltok, fromCare, nil)
		wantFieldError(t, "learner", code, b, http.StatusForbidden, "forbidden", "")
		if after := e.counts(); after != before {
			t.Errorf("store changed: %+v → %+v", before, after)
		}
	})

	// A hotline specialist files a report for a parent who called: not from
	// care, so no 24-hour clock.
	var hotlineEp apiEpisodeBody
	code, b := e.call("POST", "/api/v1/missing", htok, fmt.Sprintf(`{"missing_type":"family_abduction",
		"child":{"first_name":"Leo","last_name":"Testchild"},"last_seen_at":%q,"last_seen":{"city":"Reno","state":"NV"},
		"reporter":{"name":"Ana Testparent","phone":"775-555-0148","relationship":"parent_guardian"}}`, at(-2*time.Hour)), nil)
	if code != http.StatusCreated {
		t.Fatalf("hotline report: %d %s", code, b)
	}
	decode(t, b, &hotlineEp)

	t.Run("the list shows each episode's clocks; overdue=true only the overdue", func(t *testing.T) {
		var list struct{ Episodes []apiEpisodeBody }
		code, b := e.call("GET", "/api/v1/missing?limit=10", wtok, "", nil)
		decode(t, b, &list)
		if code != http.StatusOK || len(list.Episodes) != 1 || list.Episodes[0].ID != ep.ID || !list.Episodes[0].Overdue {
			t.Errorf("worker's list: %d %s", code, b)
		}
		code, b = e.call("GET", "/api/v1/missing?overdue=true", htok, "", nil)
		decode(t, b, &list)
		if code != http.StatusOK || len(list.Episodes) != 0 {
			t.Errorf("hotline's overdue list (its own episode is not from care): %d %s", code, b)
		}
		code, b = e.call("GET", "/api/v1/missing?open=maybe", wtok, "", nil)
		wantFieldError(t, "open=maybe", code, b, http.StatusBadRequest, "invalid", "open")
		code, b = e.call("GET", "/api/v1/missing", ltok, "", nil)
		wantFieldError(t, "learner's list", code, b, http.StatusForbidden, "forbidden", "")
	})

	path := "/api/v1/missing/" + strconv.FormatInt(ep.ID, 10)
	t.Run("opening an episode is audited; another agency's officer gets 404", func(t *testing.T) {
		if code, b := e.call("GET", path+"?reason=checking+the+clock", wtok, "", nil); code != http.StatusOK {
			t.Errorf("open: %d %s", code, b)
		}
		views := e.auditEvents(haven.AuditFilter{Action: "episode.view", Outcome: haven.OutcomeOK})
		if len(views) != 1 || views[0].Reason != "checking the clock" || views[0].Via != "api" {
			t.Errorf("audited views: %+v", views)
		}
		code, b := e.call("GET", path, xtok, "", nil)
		wantFieldError(t, "other agency", code, b, http.StatusNotFound, "not_found", "")
	})

	t.Run("recording that law enforcement was told stops the clock, once", func(t *testing.T) {
		code, b := e.call("POST", path+"/notifications", wtok, fmt.Sprintf(`{"law_enforcement_told_at":%q}`, at(time.Hour)), nil)
		wantFieldError(t, "a time in the future", code, b, http.StatusBadRequest, "invalid", "law_enforcement_told_at")
		code, b = e.call("POST", path+"/notifications", xtok, fmt.Sprintf(`{"law_enforcement_told_at":%q}`, at(-time.Hour)), nil)
		wantFieldError(t, "other agency", code, b, http.StatusNotFound, "not_found", "")
		body := fmt.Sprintf(`{"law_enforcement_told_at":%q}`, at(-time.Hour))
		code, b = e.call("POST", path+"/notifications", wtok, body, key("notify-0001"))
		var told apiEpisodeBody
		decode(t, b, &told)
		if code != http.StatusOK || told.Overdue || told.Clocks.LawEnforcement.State != "met_late" || told.FromCare.LawEnforcementToldAt == nil {
			t.Errorf("notifications: %d %s", code, b)
		}
		code, b = e.call("POST", path+"/notifications", wtok, body, key("notify-0001"))
		if code != http.StatusOK {
			t.Errorf("retry: %d %s", code, b)
		}
		code, b = e.call("POST", path+"/notifications", wtok, body, nil)
		wantFieldError(t, "again without the key", code, b, http.StatusBadRequest, "invalid", "law_enforcement_told_at")
	})

	recovery := fmt.Sprintf(`{"recovered_at":%q,"place":{"name":"Bus station","city":"Reno","state":"NV"},
		"recovered_by":"Reno Police Department","factors":["felt_unsafe","pressured"],
		"experiences":"Stayed with an older acquaintance (synthetic).","screening":"positive",
		"follow_up":"Safety plan with the caseworker","follow_up_due":"2026-12-01"}`, at(-10*time.Minute))
	t.Run("an invalid recovery or a role that may not record it changes nothing", func(t *testing.T) {
		for _, c := range []struct{ name, from, to, field string }{
			{"unknown screening", `"positive"`, `"maybe"`, "screening"},
			{"unknown state", `"state":"NV"`, `"state":"ZZ"`, "place.state"},
			{"unknown factor", `"pressured"`, `"bored"`, "factors"},
			{"bad follow-up date", `"2026-12-01"`, `"next week"`, "follow_up_due"},
		} {
			code, b := e.call("POST", path+"/recovery", wtok, strings.Replace(recovery, c.from, c.to, 1), nil)
			wantFieldError(t, c.name, code, b, http.StatusBadRequest, "invalid", c.field)
		}
		// The hotline specialist sees the episode they filed but may not
		// record its recovery.
		hpath := "/api/v1/missing/" + strconv.FormatInt(hotlineEp.ID, 10)
		code, b := e.call("POST", hpath+"/recovery", htok, recovery, nil)
		wantFieldError(t, "hotline", code, b, http.StatusForbidden, "forbidden", "")
		code, b = e.call("GET", path, wtok, "", nil)
		var still apiEpisodeBody
		decode(t, b, &still)
		if code != http.StatusOK || !still.Open || still.Recovery != nil {
			t.Errorf("after refused recoveries: %d %s", code, b)
		}
	})

	t.Run("the recovery with its debrief closes the episode, once", func(t *testing.T) {
		code, b := e.call("POST", path+"/recovery", wtok, recovery, key("recovery-0001"))
		var rec apiEpisodeBody
		decode(t, b, &rec)
		if code != http.StatusCreated || rec.Open || rec.Recovery == nil || rec.Recovery.Screening != "positive" ||
			rec.Clocks.Trafficking == nil || rec.Clocks.Trafficking.State != "on_time" {
			t.Fatalf("recovery: %d %s", code, b)
		}
		code, b = e.call("POST", path+"/recovery", wtok, recovery, key("recovery-0001"))
		if code != http.StatusOK {
			t.Errorf("retry: %d %s", code, b)
		}
		code, b = e.call("POST", path+"/recovery", wtok, recovery, nil)
		wantFieldError(t, "a second recovery", code, b, http.StatusConflict, "conflict", "")
		if n := len(e.auditEvents(haven.AuditFilter{Action: "episode.recover", Outcome: haven.OutcomeOK})); n != 1 {
			t.Errorf("%d recoveries audited, want 1", n)
		}
	})
}
