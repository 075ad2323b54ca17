package http_test

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// apiGet calls the API with a bearer token ("" for none).
func apiGet(e *testEnv, path, token string, into any) *response {
	e.t.Helper()
	hdr := map[string]string{}
	if token != "" {
		hdr["Authorization"] = "Bearer " + token
	}
	r := e.newClient().do(http.MethodGet, path, nil, hdr)
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		e.t.Errorf("%s: Content-Type %q", path, ct)
	}
	if into != nil {
		if err := json.Unmarshal([]byte(r.Body), into); err != nil {
			e.t.Fatalf("%s: %v\n%s", path, err, r.Body)
		}
	}
	return r
}

type apiErr struct {
	Error struct{ Code, Message, Field string } `json:"error"`
}

func TestAPI(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	va := e.createAgency("Fairfax County Police Department", "law_enforcement", "VA")
	md := e.createAgency("Baltimore Police Department", "law_enforcement", "MD")
	officer, officerSecret := e.createUser("olu.officer", "Olu Officer", haven.RoleOfficer, va.ID)
	analyst, _ := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	mine1 := e.createReport(&haven.Report{AgencyID: va.ID, State: "VA"})
	mine2 := e.createReport(&haven.Report{AgencyID: va.ID, State: "VA", Priority: haven.P1})
	e.createReport(&haven.Report{AgencyID: md.ID, State: "MD"})
	e.createReport(&haven.Report{State: "DC"})

	officerToken, err := e.svc.CreateToken(ctx, sys, officer.ID, "case system")
	if err != nil {
		t.Fatal(err)
	}
	analystToken, err := e.svc.CreateToken(ctx, sys, analyst.ID, "notebook")
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a valid token says who it acts as", func(t *testing.T) {
		var me struct {
			Username string
			Role     string
			AgencyID *int64 `json:"agency_id"`
		}
		r := apiGet(e, "/api/v1/me", officerToken, &me)
		expectStatus(t, r, http.StatusOK)
		if me.Username != "olu.officer" || me.Role != "officer" || me.AgencyID == nil || *me.AgencyID != va.ID {
			t.Errorf("me = %+v (agency %v), want olu.officer, officer, agency %d", me, me.AgencyID, va.ID)
		}
	})

	t.Run("a bad or missing token is 401 in JSON", func(t *testing.T) {
		for name, token := range map[string]string{
			"none":      "",
			"garbage":   "hvn_not-a-token",
			"unknown":   "hvn_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
			"no prefix": officerToken[4:],
		} {
			var body apiErr
			r := apiGet(e, "/api/v1/me", token, &body)
			if r.StatusCode != http.StatusUnauthorized || body.Error.Code != "unauthorized" || body.Error.Message == "" {
				t.Errorf("%s token: %d %+v", name, r.StatusCode, body)
			}
			if r.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s token: no WWW-Authenticate", name)
			}
		}
	})

	t.Run("the session cookie does not authenticate the API", func(t *testing.T) {
		c := e.signedIn("olu.officer", officerSecret)
		expectStatus(t, c.get("/"), http.StatusOK)
		r := c.get("/api/v1/me")
		expectStatus(t, r, http.StatusUnauthorized)
	})

	t.Run("an officer's token lists only their agency's reports", func(t *testing.T) {
		var list struct {
			Reports []struct {
				ID       int64
				Ref      string
				AgencyID *int64 `json:"agency_id"`
			}
		}
		r := apiGet(e, "/api/v1/reports", officerToken, &list)
		expectStatus(t, r, http.StatusOK)
		var ids []int64
		for _, rep := range list.Reports {
			ids = append(ids, rep.ID)
		}
		slices.Sort(ids)
		if want := []int64{mine1.ID, mine2.ID}; !slices.Equal(ids, want) {
			t.Errorf("officer sees reports %v, want %v", ids, want)
		}
	})

	t.Run("an analyst's token lists every report, paged", func(t *testing.T) {
		var list struct {
			Reports []struct{ ID int64 }
			Limit   int
			Offset  int
		}
		expectStatus(t, apiGet(e, "/api/v1/reports", analystToken, &list), http.StatusOK)
		if len(list.Reports) != 4 {
			t.Errorf("analyst sees %d reports, want 4", len(list.Reports))
		}
		expectStatus(t, apiGet(e, "/api/v1/reports?limit=3&offset=2", analystToken, &list), http.StatusOK)
		if len(list.Reports) != 2 || list.Limit != 3 || list.Offset != 2 {
			t.Errorf("limit=3&offset=2: %d reports, limit %d, offset %d", len(list.Reports), list.Limit, list.Offset)
		}
	})

	t.Run("a list never carries narratives", func(t *testing.T) {
		r := apiGet(e, "/api/v1/reports", analystToken, nil)
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "narrative") || strings.Contains(r.Body, "motel") {
			t.Errorf("report list carries narratives:\n%s", r.Body)
		}
	})

	t.Run("bad paging is 400 naming the field", func(t *testing.T) {
		var body apiErr
		r := apiGet(e, "/api/v1/reports?limit=abc", analystToken, &body)
		if r.StatusCode != http.StatusBadRequest || body.Error.Code != "invalid" || body.Error.Field != "limit" {
			t.Errorf("limit=abc: %d %+v", r.StatusCode, body)
		}
	})

	t.Run("an unknown endpoint is a JSON 404", func(t *testing.T) {
		var body apiErr
		r := apiGet(e, "/api/v1/nothing-here", analystToken, &body)
		if r.StatusCode != http.StatusNotFound || body.Error.Code != "not_found" {
			t.Errorf("unknown endpoint: %d %+v", r.StatusCode, body)
		}
	})
}
