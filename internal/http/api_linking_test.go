package http_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking"
	"github.com/haven-oss/haven/internal/linking/people"
)

// Linking through the JSON API, every request and answer checked against
// openapi.json: two reports sharing a phone, seen from each side, the
// identifier excluded (which splits them), the network, and a person match
// decided — with the pages' rules for who may see what.
func TestAPILinksNetworksAndPersonMatches(t *testing.T) {
	e := newAPISpecEnv(t)
	idx, ok := e.svc.Secrets.(haven.BlindIndexer)
	if !ok {
		t.Fatalf("the key file has no blind index")
	}
	e.svc.Ingestions = []haven.Ingestion{&linking.Step{Index: idx}, &people.Step{Index: idx}}
	e.svc.MatchKeys = people.ChildKeys(idx)
	ctx := context.Background()
	_, anaTok := e.token("analyst.rivera", haven.RoleAnalyst, 0)
	_, hotTok := e.token("hotline.ade", haven.RoleHotline, 0)

	born := e.clock.Now().AddDate(-15, -2, 0).Truncate(24 * time.Hour)
	child := &haven.Child{FirstName: "Jaylen", LastName: "Brooks", DateOfBirth: &born, Sex: haven.SexMale, State: "TX"}
	if err := e.svc.CreateChild(ctx, sys, child); err != nil {
		t.Fatal(err)
	}
	fifteen := 15
	a := e.createReport(&haven.Report{Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "202-555-0147", Source: "online"}},
		People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: &fifteen, Sex: haven.SexMale, State: "TX"}}})
	b := e.createReport(&haven.Report{Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "(202) 555-0147", Source: "online"}}})
	for _, r := range []*haven.Report{a, b} {
		done, err := e.svc.IngestReport(ctx, r.ID)
		if err != nil {
			t.Fatal(err)
		}
		if err := e.store.Update(ctx, done); err != nil {
			t.Fatal(err)
		}
	}

	var links struct {
		Links []struct {
			Identifier struct{ Value string } `json:"identifier"`
			Key        *struct {
				ID int64 `json:"id"`
			} `json:"key"`
			Reports []struct {
				ID int64 `json:"id"`
			} `json:"reports"`
		} `json:"links"`
		Network *struct {
			ID   int64 `json:"id"`
			Size int   `json:"size"`
		} `json:"network"`
	}
	code, body := e.call("GET", fmt.Sprintf("/api/v1/reports/%d/links", a.ID), anaTok, "", nil)
	decode(t, body, &links)
	if code != http.StatusOK || len(links.Links) != 1 || links.Links[0].Identifier.Value != "+12025550147" ||
		len(links.Links[0].Reports) != 1 || links.Links[0].Reports[0].ID != b.ID || links.Network == nil || links.Network.Size != 2 || links.Links[0].Key == nil {
		t.Fatalf("report A's links: %d %s", code, body)
	}
	keyID := links.Links[0].Key.ID

	var net struct {
		Members []struct {
			ReportID int64 `json:"report_id"`
		} `json:"members"`
		Edges []struct {
			From, To int64
		} `json:"edges"`
	}
	code, body = e.call("GET", fmt.Sprintf("/api/v1/networks/%d", links.Network.ID), anaTok, "", nil)
	decode(t, body, &net)
	if code != http.StatusOK || len(net.Members) != 2 || len(net.Edges) != 1 {
		t.Fatalf("the network: %d %s", code, body)
	}
	if code, _ = e.call("GET", "/api/v1/identifiers?state=active", anaTok, "", nil); code != http.StatusOK {
		t.Errorf("the index: %d", code)
	}
	if code, _ = e.call("GET", "/api/v1/identifiers?kind=shoe", anaTok, "", nil); code != http.StatusBadRequest {
		t.Errorf("an unknown kind: %d, want 400", code)
	}

	// Those who may not see the index or networks are refused; a report
	// they may not open is not found.
	for _, path := range []string{"/api/v1/identifiers", fmt.Sprintf("/api/v1/networks/%d", links.Network.ID), "/api/v1/person-matches"} {
		if code, _ := e.call("GET", path, hotTok, "", nil); code != http.StatusForbidden && code != http.StatusNotFound {
			t.Errorf("hotline GET %s: %d, want 403 or 404", path, code)
		}
	}
	if code, _ = e.call("GET", fmt.Sprintf("/api/v1/reports/%d/links", a.ID), hotTok, "", nil); code != http.StatusNotFound {
		t.Errorf("hotline links of a report they may not open: %d, want 404", code)
	}

	// Excluding the phone needs a reason, and splits the network.
	if code, _ = e.call("POST", fmt.Sprintf("/api/v1/identifiers/%d/exclude", keyID), anaTok, `{"reason": ""}`, nil); code != http.StatusBadRequest {
		t.Errorf("exclude without a reason: %d, want 400", code)
	}
	code, body = e.call("POST", fmt.Sprintf("/api/v1/identifiers/%d/exclude", keyID), anaTok, `{"reason": "The number of a shelter's front desk (synthetic)."}`, nil)
	if code != http.StatusOK {
		t.Fatalf("exclude: %d %s", code, body)
	}
	_, body = e.call("GET", fmt.Sprintf("/api/v1/reports/%d/links", a.ID), anaTok, "", nil)
	links.Network = nil
	decode(t, body, &links)
	if links.Network != nil {
		t.Errorf("report A is still in a network after the exclusion: %s", body)
	}

	// The person match: listed with evidence, then confirmed.
	var ms struct {
		Matches []struct {
			ID       int64 `json:"id"`
			ChildID  int64 `json:"child_id"`
			State    string
			Evidence []struct{ Field string } `json:"evidence"`
		} `json:"matches"`
	}
	code, body = e.call("GET", "/api/v1/person-matches", anaTok, "", nil)
	decode(t, body, &ms)
	if code != http.StatusOK || len(ms.Matches) != 1 || ms.Matches[0].ChildID != child.ID || len(ms.Matches[0].Evidence) == 0 {
		t.Fatalf("pending matches: %d %s", code, body)
	}
	code, body = e.call("POST", fmt.Sprintf("/api/v1/person-matches/%d/confirm", ms.Matches[0].ID), anaTok, `{"reason": "Same name, age and state."}`, nil)
	if code != http.StatusOK {
		t.Fatalf("confirm: %d %s", code, body)
	}
	_, body = e.call("GET", fmt.Sprintf("/api/v1/reports/%d/person-matches", a.ID), anaTok, "", nil)
	decode(t, body, &ms)
	if len(ms.Matches) != 1 || ms.Matches[0].State != "confirmed" {
		t.Errorf("the report's matches after confirming: %s", body)
	}
	if n := len(e.auditEvents(haven.AuditFilter{Action: "identifier.exclude", Outcome: haven.OutcomeOK})); n != 1 {
		t.Errorf("%d exclusions audited, want 1", n)
	}
}
