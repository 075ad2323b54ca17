package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// TestAReferralGoesFromTheAnalystToTheAgencysPortal follows a referral by
// page and by API (every call validated against openapi.json): the analyst
// refers a report from its page, the agency's officer opens it in the
// portal (received), downloads the watermarked PDF, acknowledges it, asks
// a question the analyst answers, and records the outcome; the statistics
// count it; the report page and the staff list show it.
func TestAReferralGoesFromTheAnalystToTheAgencysPortal(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	call := specCaller(t, e, v)
	reno := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	tulsa := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	off, offSecret := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, reno.ID)
	analyst, anSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	rep := e.createReport(&haven.Report{State: "NV", Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147"}}})
	officer := e.signedIn("olivia.officer", offSecret)
	ana := e.signedIn("ana.analyst", anSecret)
	offTok, _ := e.svc.CreateToken(ctx, sys, off.ID, "officer")
	anTok, _ := e.svc.CreateToken(ctx, sys, analyst.ID, "analyst")

	r := ana.post("/reports/"+itoa(rep.ID)+"/referrals", url.Values{"agency_id": {itoa(reno.ID)}, "note": {"Please check the motel's cameras."}})
	expectRedirect(t, r, "/reports/"+itoa(rep.ID)+"?referred=1#referrals")
	page := ana.get("/reports/" + itoa(rep.ID))
	if !strings.Contains(page.Body, `id="report-referrals"`) || !strings.Contains(page.Body, "Reno Police Department") {
		t.Errorf("the report page does not list the referral")
	}
	var list struct {
		Referrals []struct {
			ID    int64  `json:"id"`
			State string `json:"state"`
		} `json:"referrals"`
		Total int `json:"total"`
	}
	code, b := call("GET", "/api/v1/referrals?report_id="+itoa(rep.ID), anTok, "", nil)
	json.Unmarshal(b, &list)
	if code != 200 || list.Total != 1 {
		t.Fatalf("analyst's list: %d %s", code, b)
	}
	id := itoa(list.Referrals[0].ID)
	path := "/portal/referrals/" + id

	// The officer's portal lists it; opening it marks it received.
	if r := officer.get("/portal"); r.StatusCode != 200 || !strings.Contains(r.Body, `data-referral="`+id+`"`) || !strings.Contains(r.Body, `href="/portal"`) {
		t.Errorf("the portal does not list the referral or has no nav item: %d", r.StatusCode)
	}
	r = officer.get(path)
	expectStatus(t, r, http.StatusOK)
	for _, want := range []string{rep.Ref, "motel", "cameras", "202-555-0147", `id="acknowledge"`, "Law enforcement sensitive"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the referral page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "<script>") || strings.Contains(r.Body, " style=") {
		t.Errorf("inline script or style on the referral page")
	}
	code, b = call("GET", "/api/v1/referrals/"+id, offTok, "", nil)
	if code != 200 || !strings.Contains(string(b), `"state": "received"`) || !strings.Contains(string(b), `"kind": "received"`) {
		t.Errorf("after the officer opened it: %d %s", code, b)
	}

	t.Run("the PDF names the officer and the time, on a page that says it is sensitive", func(t *testing.T) {
		r := officer.get(path + ".pdf")
		expectStatus(t, r, http.StatusOK)
		text := pdfText([]byte(r.Body))
		when := e.clock.Now().UTC().Format("2006-01-02 15:04:05")
		for _, want := range []string{"LAW ENFORCEMENT SENSITIVE", "Prepared for Olivia Officer (olivia.officer)", "downloaded " + when + " UTC", rep.Ref} {
			if !strings.Contains(text, want) {
				t.Errorf("PDF lacks %q", want)
			}
		}
		code, b := call("GET", "/api/v1/referrals/"+id+"/pdf", offTok, "", nil)
		if code != 200 || !strings.Contains(pdfText(b), "Prepared for Olivia Officer") {
			t.Errorf("API PDF: %d", code)
		}
	})

	t.Run("acknowledge, ask, answer, outcome; a wrong step is refused plainly", func(t *testing.T) {
		r := officer.post(path+"/outcome", url.Values{"outcome": {"arrest"}})
		expectStatus(t, r, http.StatusConflict)
		if !strings.Contains(r.Body, "Acknowledge this referral before recording its outcome.") {
			t.Errorf("the refusal does not say why")
		}
		// An hour and a half passes (the sessions kept alive meanwhile).
		for i := 0; i < 5; i++ {
			e.clock.Advance(18 * time.Minute)
			officer.get("/portal")
			ana.get("/referrals")
		}
		expectRedirect(t, officer.post(path+"/acknowledge", url.Values{}), path+"?done=acknowledged")
		if code, b := call("POST", "/api/v1/referrals/"+id+"/acknowledge", offTok, "", nil); code != http.StatusConflict {
			t.Errorf("acknowledging twice: %d %s", code, b)
		}
		hdr := map[string]string{"Idempotency-Key": "q-1"}
		code, b := call("POST", "/api/v1/referrals/"+id+"/info-requests", offTok, `{"message":"Is there a photo of the car?"}`, hdr)
		if code != http.StatusCreated {
			t.Fatalf("question: %d %s", code, b)
		}
		if code, _ := call("POST", "/api/v1/referrals/"+id+"/info-requests", offTok, `{"message":"Is there a photo of the car?"}`, hdr); code != http.StatusOK {
			t.Errorf("a retried question: %d, want 200", code)
		}
		if r := ana.get("/referrals/" + id); !strings.Contains(r.Body, `id="answer-form"`) || !strings.Contains(r.Body, "photo of the car") {
			t.Errorf("the analyst's referral page has no answer form or no question")
		}
		expectRedirect(t, ana.post("/referrals/"+id+"/answers", url.Values{"message": {"No photo; a silver sedan (synthetic)."}}), "/referrals/"+id+"?done=answered")
		code, b = call("POST", "/api/v1/referrals/"+id+"/outcome", offTok, `{"outcome":"investigation_opened","note":"Case RPD-2026-0147."}`, nil)
		if code != 200 || !strings.Contains(string(b), `"state": "outcome_recorded"`) {
			t.Errorf("outcome: %d %s", code, b)
		}
		code, b = call("GET", "/api/v1/referrals/"+id, offTok, "", nil)
		if n := strings.Count(string(b), `"kind": "info_requested"`); n != 1 || !strings.Contains(string(b), "silver sedan") {
			t.Errorf("history: %d questions (want 1, the retry took effect once), answer shown: %s", n, b)
		}
	})

	t.Run("the agency's statistics", func(t *testing.T) {
		r := officer.get("/portal/statistics")
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, `<dd id="stat-total">1</dd>`) || !strings.Contains(r.Body, `<dd id="stat-median">1 h 30 min</dd>`) {
			t.Errorf("statistics page lacks the count or the median")
		}
	})

	t.Run("the staff list filters by agency and state", func(t *testing.T) {
		r := ana.get("/referrals?agency_id=" + itoa(reno.ID) + "&state=outcome_recorded")
		if !strings.Contains(r.Body, `data-referral="`+id+`"`) {
			t.Errorf("the filtered list lacks the referral")
		}
		r = ana.get("/referrals?agency_id=" + itoa(tulsa.ID))
		if strings.Contains(r.Body, `data-referral="`+id+`"`) {
			t.Errorf("the list for another agency shows it")
		}
		code, b := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/referrals", anTok, `{"agency_ids":[]}`, nil)
		if code != http.StatusBadRequest || !strings.Contains(string(b), `"field": "agency_ids"`) {
			t.Errorf("no agency: %d %s", code, b)
		}
	})
}

// TestPortalIsolation: an officer of agency A can open nothing of agency
// B's, by page, by PDF, by API or by guessing ids (B's referrals have
// sequential ids): every answer is 404 (not 403: existence is not
// revealed), like an id that does not exist, and every refusal is audited.
// Lists and statistics count none of B's.
func TestPortalIsolation(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	call := specCaller(t, e, v)
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	b := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	c := e.createAgency("Elko County Sheriff", "law_enforcement", "NV")
	offA, secretA := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, a.ID)
	_, secretB := e.createUser("tom.officer", "Tom Officer", haven.RoleOfficer, b.ID)
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	an := haven.Actor{UserID: analyst.ID, Username: analyst.Username, Role: haven.RoleAnalyst, Via: "test"}
	var ownIDs, theirIDs []int64
	for i := 0; i < 3; i++ {
		rep := e.createReport(&haven.Report{State: "NV"})
		rs, err := e.svc.CreateReferrals(ctx, an, rep.ID, []int64{a.ID, b.ID}, "")
		if err != nil {
			t.Fatal(err)
		}
		ownIDs, theirIDs = append(ownIDs, rs[0].ID), append(theirIDs, rs[1].ID)
	}
	officerA := e.signedIn("olivia.officer", secretA)
	officerB := e.signedIn("tom.officer", secretB)
	tokA, _ := e.svc.CreateToken(ctx, sys, offA.ID, "agency A")
	missing := theirIDs[len(theirIDs)-1] + 1000

	before := len(e.auditEvents(haven.AuditFilter{Outcome: haven.OutcomeDenied, Actor: offA.Username, Limit: 10000}))
	refusals := 0
	for _, rid := range append(append([]int64(nil), theirIDs...), missing) {
		id := itoa(rid)
		for _, p := range []string{"/portal/referrals/" + id, "/portal/referrals/" + id + ".pdf", "/referrals/" + id, "/referrals/" + id + ".pdf"} {
			if r := officerA.get(p); r.StatusCode != http.StatusNotFound || strings.Contains(r.Body, "Tulsa") {
				t.Errorf("GET %s as A's officer: %d, want 404 revealing nothing", p, r.StatusCode)
			}
			refusals++
		}
		for _, act := range []struct {
			path string
			form url.Values
		}{
			{"/acknowledge", url.Values{}},
			{"/outcome", url.Values{"outcome": {"unfounded"}}},
			{"/info-requests", url.Values{"message": {"Anything?"}}},
			{"/transfer", url.Values{"agency_id": {itoa(c.ID)}}},
		} {
			if r := officerA.post("/portal/referrals/"+id+act.path, act.form); r.StatusCode != http.StatusNotFound {
				t.Errorf("POST %s%s as A's officer: %d, want 404", id, act.path, r.StatusCode)
			}
			refusals++
		}
		if r := officerA.post("/referrals/"+id+"/answers", url.Values{"message": {"x"}}); r.StatusCode != http.StatusNotFound && r.StatusCode != http.StatusForbidden {
			t.Errorf("answering as A's officer: %d", r.StatusCode)
		}
		refusals++
		for _, req := range []struct{ method, path, body string }{
			{"GET", "/api/v1/referrals/" + id, ""},
			{"GET", "/api/v1/referrals/" + id + "/pdf", ""},
			{"POST", "/api/v1/referrals/" + id + "/acknowledge", ""},
			{"POST", "/api/v1/referrals/" + id + "/outcome", `{"outcome":"unfounded"}`},
			{"POST", "/api/v1/referrals/" + id + "/info-requests", `{"message":"Anything?"}`},
			{"POST", "/api/v1/referrals/" + id + "/transfer", `{"agency_id":` + itoa(c.ID) + `}`},
		} {
			if code, body := call(req.method, req.path, tokA, req.body, nil); code != http.StatusNotFound || strings.Contains(string(body), "Tulsa") {
				t.Errorf("%s %s as A's officer: %d %s, want 404", req.method, req.path, code, body)
			}
			refusals++
		}
	}
	after := len(e.auditEvents(haven.AuditFilter{Outcome: haven.OutcomeDenied, Actor: offA.Username, Limit: 10000}))
	if after-before != refusals {
		t.Errorf("%d refusals audited, want %d (one per attempt)", after-before, refusals)
	}

	// Nothing of B's changed.
	for _, rid := range theirIDs {
		var got *haven.Referral
		e.store.View(ctx, func(tx haven.Tx) (err error) { got, err = tx.ReferralByID(ctx, rid); return err })
		if got.State != haven.ReferralSent || got.ReceivedAt != nil {
			t.Errorf("B's referral %d changed: %s", rid, got.State)
		}
	}

	// Lists and statistics show A's referrals only.
	r := officerA.get("/portal")
	for _, rid := range theirIDs {
		if strings.Contains(r.Body, `data-referral="`+itoa(rid)+`"`) {
			t.Errorf("A's portal lists B's referral %d", rid)
		}
	}
	for _, rid := range ownIDs {
		if !strings.Contains(r.Body, `data-referral="`+itoa(rid)+`"`) {
			t.Errorf("A's portal lacks A's referral %d", rid)
		}
	}
	var list struct {
		Referrals []struct {
			AgencyID int64 `json:"agency_id"`
		} `json:"referrals"`
		Total int `json:"total"`
	}
	for _, q := range []string{"", "?agency_id=" + itoa(b.ID), "?state=sent"} {
		code, body := call("GET", "/api/v1/referrals"+q, tokA, "", nil)
		json.Unmarshal(body, &list)
		for _, ref := range list.Referrals {
			if ref.AgencyID != a.ID {
				t.Errorf("A's API list %q shows agency %d's referral", q, ref.AgencyID)
			}
		}
		if code != 200 || (q == "?agency_id="+itoa(b.ID) && list.Total != 0) || (q == "" && list.Total != len(ownIDs)) {
			t.Errorf("A's API list %q: %d total %d", q, code, list.Total)
		}
	}
	if r := officerA.get("/portal/statistics"); !strings.Contains(r.Body, `<dd id="stat-total">3</dd>`) {
		t.Errorf("A's statistics do not count exactly A's 3 referrals")
	}
	// B's officer sees B's.
	if r := officerB.get("/portal/referrals/" + itoa(theirIDs[0])); r.StatusCode != http.StatusOK {
		t.Errorf("B's officer opening B's referral: %d", r.StatusCode)
	}
	// Other roles: a hotline specialist is refused the portal outright.
	if r := e.signedInAs(t, "hana.hotline", haven.RoleHotline).get("/portal"); r.StatusCode != http.StatusForbidden {
		t.Errorf("a hotline specialist's portal: %d, want 403", r.StatusCode)
	}
}

// TestUnacknowledgedReferralsShowOnTheDeadlinePage: after the escalation
// task runs past the time set, the supervisors' deadline page lists the
// referral until it is acknowledged.
func TestUnacknowledgedReferralsShowOnTheDeadlinePage(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	off, _ := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, a.ID)
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	rep := e.createReport(&haven.Report{State: "NV"})
	rs, err := e.svc.CreateReferrals(ctx, haven.Actor{UserID: analyst.ID, Username: analyst.Username, Role: haven.RoleAnalyst}, rep.ID, []int64{a.ID}, "")
	if err != nil {
		t.Fatal(err)
	}
	_, supSecret := e.createUser("sue.supervisor", "Sue Supervisor", haven.RoleSupervisor, 0)
	sup := e.signedIn("sue.supervisor", supSecret)
	if r := sup.get("/queue/deadlines"); !strings.Contains(r.Body, `id="no-unacknowledged-referrals"`) {
		t.Errorf("a fresh referral is listed as not acknowledged")
	}
	e.clock.Advance(5 * time.Hour)
	if n, err := e.svc.EscalateReferrals(ctx, 4*time.Hour); err != nil || n != 1 {
		t.Fatalf("escalated %d (%v)", n, err)
	}
	sup = e.signedIn("sue.supervisor", supSecret)
	if r := sup.get("/queue/deadlines"); !strings.Contains(r.Body, `data-referral="`+itoa(rs[0].ID)+`"`) || !strings.Contains(r.Body, "Referrals not acknowledged") {
		t.Errorf("the deadline page does not list the escalated referral")
	}
	if _, err := e.svc.AcknowledgeReferral(ctx, haven.Actor{UserID: off.ID, Username: off.Username, Role: haven.RoleOfficer, AgencyID: a.ID}, rs[0].ID); err != nil {
		t.Fatal(err)
	}
	if r := sup.get("/queue/deadlines"); strings.Contains(r.Body, `data-referral="`+itoa(rs[0].ID)+`"`) {
		t.Errorf("an acknowledged referral is still listed")
	}
}

// A retried acknowledgement with the same Idempotency-Key answers with the
// referral; without a key, acknowledging again is a conflict.
func TestARetriedAcknowledgementAnswersWithTheReferral(t *testing.T) {
	_, v := loadSpec(t)
	e := newTestEnv(t)
	ctx := context.Background()
	call := specCaller(t, e, v)
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	off, _ := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, a.ID)
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	anTok, _ := e.svc.CreateToken(ctx, sys, analyst.ID, "analyst")
	offTok, _ := e.svc.CreateToken(ctx, sys, off.ID, "officer")
	rep := e.createReport(&haven.Report{State: "NV"})
	hdr := map[string]string{"Idempotency-Key": "send-1"}
	body := `{"agency_ids":[` + itoa(a.ID) + `],"note":"Synthetic."}`
	if code, b := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/referrals", anTok, body, hdr); code != http.StatusCreated {
		t.Fatalf("send: %d %s", code, b)
	}
	code, b := call("POST", "/api/v1/reports/"+itoa(rep.ID)+"/referrals", anTok, body, hdr)
	var sent struct {
		Referrals []struct{ ID int64 } `json:"referrals"`
	}
	json.Unmarshal(b, &sent)
	if code != http.StatusOK || len(sent.Referrals) != 1 {
		t.Fatalf("retried send: %d %s", code, b)
	}
	id := itoa(sent.Referrals[0].ID)
	ack := map[string]string{"Idempotency-Key": "ack-1"}
	for i := 0; i < 2; i++ {
		if code, b := call("POST", "/api/v1/referrals/"+id+"/acknowledge", offTok, "", ack); code != http.StatusOK || !strings.Contains(string(b), `"state": "acknowledged"`) {
			t.Errorf("acknowledge #%d with the key: %d %s", i+1, code, b)
		}
	}
	if code, _ := call("POST", "/api/v1/referrals/"+id+"/acknowledge", offTok, "", nil); code != http.StatusConflict {
		t.Errorf("acknowledging again without a key: %d, want 409", code)
	}
	if code, _ := call("GET", "/api/v1/referrals?report_id="+itoa(rep.ID), anTok, "", nil); code != 200 {
		t.Errorf("list: %d", code)
	}
	var n int
	e.store.View(ctx, func(tx haven.Tx) (err error) {
		n, err = tx.CountReferrals(ctx, haven.ReferralFilter{Scope: haven.Scope{All: true}})
		return err
	})
	if n != 1 {
		t.Errorf("%d referrals after a retried send, want 1", n)
	}
}
