package http_test

import (
	"context"
	"net/http"
	"strconv"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// apiCallBody is the part of a call the tests read.
type apiCallBody struct {
	ID          int64   `json:"id"`
	ReportID    *int64  `json:"report_id"`
	ReportRef   *string `json:"report_ref"`
	CallerType  string  `json:"caller_type"`
	Language    string  `json:"language"`
	Disposition string  `json:"disposition"`
	Imminent    bool    `json:"imminent"`
	EndedAt     *string `json:"ended_at"`
	Details     struct {
		WhatHappened string `json:"what_happened"`
		ChildName    string `json:"child_name"`
		ChildAge     *int   `json:"child_age"`
		Notes        string `json:"notes"`
		Indicators   []string
		Answers      []struct{ Indicator, Text, Answer string }
	} `json:"details"`
}

func TestAPIHotlineCalls(t *testing.T) {
	e := newAPISpecEnv(t)
	ctx := context.Background()
	_, tok := e.token("hana.hotline", haven.RoleHotline, 0)
	_, otok := e.token("hugo.hotline", haven.RoleHotline, 0)
	_, atok := e.token("ana.analyst", haven.RoleAnalyst, 0)
	sam, stok := e.token("sam.supervisor", haven.RoleSupervisor, 0)

	var call apiCallBody
	t.Run("a specialist starts a call with the caller type, once", func(t *testing.T) {
		code, b := e.call("POST", "/api/v1/hotline-calls", tok, `{"caller_type":"concerned_person","language":"es"}`, key("call-0001"))
		if code != http.StatusCreated {
			t.Fatalf("start: %d %s", code, b)
		}
		decode(t, b, &call)
		if call.CallerType != "concerned_person" || call.Language != "es" || call.ReportID != nil || call.EndedAt != nil {
			t.Errorf("started call: %s", b)
		}
		code, b = e.call("POST", "/api/v1/hotline-calls", tok, `{"caller_type":"concerned_person","language":"es"}`, key("call-0001"))
		var again apiCallBody
		decode(t, b, &again)
		if code != http.StatusOK || again.ID != call.ID {
			t.Errorf("retry: %d %s, want 200 and call %d", code, b, call.ID)
		}
		if n := e.counts().Calls; n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})

	t.Run("a bad start or a role that takes no calls starts nothing", func(t *testing.T) {
		code, b := e.call("POST", "/api/v1/hotline-calls", tok, `{"caller_type":"astronaut"}`, nil)
		wantFieldError(t, "unknown caller type", code, b, http.StatusBadRequest, "invalid", "caller_type")
		code, b = e.call("POST", "/api/v1/hotline-calls", tok, `{"language":"fr"}`, nil)
		wantFieldError(t, "unknown language", code, b, http.StatusBadRequest, "invalid", "language")
		code, b = e.call("POST", "/api/v1/hotline-calls", atok, `{"caller_type":"survivor"}`, nil)
		wantFieldError(t, "analyst", code, b, http.StatusForbidden, "forbidden", "")
		if n := e.counts().Calls; n != 1 {
			t.Errorf("%d calls, want 1", n)
		}
	})

	path := "/api/v1/hotline-calls/" + strconv.FormatInt(call.ID, 10)
	t.Run("saving details creates the call's report; a later save changes only what it sends", func(t *testing.T) {
		code, b := e.call("PATCH", path, tok, `{"details":{"what_happened":"A teenager is being driven to motels by an older man (synthetic).",
			"child_name":"Ava Testchild","child_age":15,"city":"Tulsa","state":"ok","online":"202-555-0147",
			"indicators":["older_partner"],"answers":[{"indicator":"older_partner","question":0,"answer":"About 30."}]}}`, nil)
		if code != http.StatusOK {
			t.Fatalf("save: %d %s", code, b)
		}
		decode(t, b, &call)
		if call.ReportID == nil || call.ReportRef == nil || call.Details.ChildAge == nil || *call.Details.ChildAge != 15 ||
			len(call.Details.Answers) != 1 || call.Details.Answers[0].Text == "" {
			t.Fatalf("saved call: %s", b)
		}
		code, b = e.call("PATCH", path, tok, `{"details":{"notes":"Caller will call back tonight."}}`, nil)
		var saved apiCallBody
		decode(t, b, &saved)
		if code != http.StatusOK || saved.Details.Notes == "" || saved.Details.WhatHappened != call.Details.WhatHappened ||
			saved.Details.ChildName != "Ava Testchild" || *saved.ReportID != *call.ReportID {
			t.Errorf("second save: %d %s", code, b)
		}
		if n := e.counts().Reports; n != 1 {
			t.Errorf("%d reports, want 1", n)
		}
	})

	t.Run("an invalid save names the field and changes nothing", func(t *testing.T) {
		for _, c := range []struct{ name, body, field string }{
			{"age out of range", `{"details":{"child_age":40,"notes":"changed"}}`, "details.child_age"},
			{"age as text", `{"details":{"child_age":"fifteen"}}`, "details.child_age"},
			{"unknown detail", `{"details":{"shoe_size":9}}`, "details.shoe_size"},
			{"unknown indicator", `{"details":{"indicators":["no_such_sign"]}}`, "details.indicators"},
			{"disposition without end", `{"disposition":"report_taken"}`, "end"},
			{"unknown disposition", `{"end":true,"disposition":"vanished"}`, "disposition"},
		} {
			code, b := e.call("PATCH", path, tok, c.body, nil)
			wantFieldError(t, c.name, code, b, http.StatusBadRequest, "invalid", c.field)
		}
		code, b := e.call("GET", path, tok, "", nil)
		var now apiCallBody
		decode(t, b, &now)
		if code != http.StatusOK || *now.Details.ChildAge != 15 || now.Details.Notes != "Caller will call back tonight." || now.EndedAt != nil {
			t.Errorf("after refused saves: %d %s", code, b)
		}
	})

	t.Run("only the call's specialist changes it; a supervisor reads it", func(t *testing.T) {
		for name, tk := range map[string]string{"another specialist": otok, "supervisor": stok, "analyst": atok} {
			code, b := e.call("PATCH", path, tk, `{"details":{"notes":"not mine"}}`, nil)
			wantFieldError(t, name+" saving", code, b, http.StatusNotFound, "not_found", "")
		}
		if code, _ := e.call("GET", path, otok, "", nil); code != http.StatusNotFound {
			t.Errorf("another specialist opening the call: %d", code)
		}
		if code, _ := e.call("GET", path, stok, "", nil); code != http.StatusOK {
			t.Errorf("supervisor opening the call: %d", code)
		}
	})

	t.Run("imminent danger saves the report as P1 and alerts the supervisors", func(t *testing.T) {
		code, b := e.call("PATCH", path, tok, `{"imminent":true}`, nil)
		var c apiCallBody
		decode(t, b, &c)
		if code != http.StatusOK || !c.Imminent {
			t.Fatalf("imminent: %d %s", code, b)
		}
		var rep *haven.Report
		e.store.View(ctx, func(tx haven.Tx) (err error) {
			rep, err = tx.ReportByID(ctx, *c.ReportID)
			return err
		})
		if rep.Priority != haven.P1 {
			t.Errorf("report priority %d, want P1", rep.Priority)
		}
		boss := haven.Actor{UserID: sam.ID, Username: sam.Username, Role: haven.RoleSupervisor, Via: "web"}
		if ns, _, err := e.svc.ListNotifications(ctx, boss, true, 10); err != nil || len(ns) != 1 {
			t.Errorf("supervisor's notifications: %d %v", len(ns), err)
		}
	})

	t.Run("ending the call records its disposition; an ended call cannot change", func(t *testing.T) {
		code, b := e.call("PATCH", path, tok, `{"end":true,"disposition":"report_taken"}`, nil)
		var c apiCallBody
		decode(t, b, &c)
		if code != http.StatusOK || c.EndedAt == nil || c.Disposition != "report_taken" {
			t.Fatalf("end: %d %s", code, b)
		}
		code, b = e.call("PATCH", path, tok, `{"details":{"notes":"too late"}}`, nil)
		wantFieldError(t, "saving an ended call", code, b, http.StatusConflict, "conflict", "")
	})
}
