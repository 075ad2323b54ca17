package http_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// SQL injection: strings that would change a query built by pasting text
// into SQL, sent as the search text and as every list filter, are either
// refused with a clear error or taken as the literal text they are: the
// results are never broader than the text matches, and nothing is stored.

var injections = []string{
	`' OR 1=1 --`,
	`' OR '1'='1`,
	`" OR ""="`,
	`"; DROP TABLE reports; --`,
	`%' UNION SELECT username, password_hash FROM users --`,
	`1; DELETE FROM reports`,
	`1 OR 1=1`,
	"x\x00y",
	"\x00",
	`%`,
	`_`,
	`\`,
	`*`,
	`') OR ('x'='x`,
	strings.Repeat(`x' OR '1'='1 `, 800),
}

// words are the words of s as the search matches them.
var searchWord = regexp.MustCompile(`[\p{L}\p{N}]+`)

func TestInjectionInSearchAndFiltersChangesNothing(t *testing.T) {
	z := newFuzzServer(t)
	ctx := context.Background()
	// One report whose text holds an injection string literally: searching
	// for it may find this report, and only reports with its words.
	lit := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, AgencyID: z.ids["agency"], State: "VA",
		People:    []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Noor", Sex: haven.SexFemale}},
		Narrative: `The note pinned to the door read ' OR 1=1 -- and a phone number (synthetic test data).`}
	if err := z.svc.CreateReport(ctx, sys, lit); err != nil {
		t.Fatal(err)
	}
	// The motel reports share none of the injection strings' words.
	motel := map[int64]bool{z.ids["report"]: true, z.ids["report2"]: true, z.ids["report3"]: true}

	get := func(t *testing.T, role haven.Role, path string, q url.Values) (int, map[string]any) {
		t.Helper()
		before := z.fingerprint(t)
		status, body := z.check(t, role, "GET", path, q.Encode(), "")
		if after := z.fingerprint(t); after != before {
			t.Fatalf("GET %s?%s changed the store", path, q.Encode())
		}
		var v map[string]any
		json.Unmarshal([]byte(body), &v)
		return status, v
	}

	t.Run("search text", func(t *testing.T) {
		for _, s := range injections {
			for _, kind := range []string{"", "cases"} {
				q := url.Values{"q": {s}}
				if kind != "" {
					q.Set("kind", kind)
				}
				status, v := get(t, haven.RoleAnalyst, "/api/v1/search", q)
				if status != http.StatusOK {
					continue // refused clearly (z.check)
				}
				words := searchWord.FindAllString(strings.ToLower(s), -1)
				for _, r := range v["results"].([]any) {
					hit := r.(map[string]any)
					if rep, ok := hit["report"].(map[string]any); ok {
						id := int64(rep["id"].(float64))
						if motel[id] {
							t.Errorf("search %.40q (words %.40q) found report %d, whose text has none of them", s, words, id)
						}
					}
					if c, ok := hit["case"].(map[string]any); ok && len(words) == 0 {
						t.Errorf("search %q with no words found case %v", s, c["id"])
					}
				}
				if len(words) == 0 && len(v["results"].([]any)) > 0 {
					t.Errorf("search %.40q, no words, found %d results: the text broadened the search", s, len(v["results"].([]any)))
				}
			}
		}
	})

	t.Run("search filters", func(t *testing.T) {
		for _, param := range []string{"state", "status", "priority", "channel", "type", "who", "from", "to"} {
			for _, s := range injections {
				status, v := get(t, haven.RoleAnalyst, "/api/v1/search", url.Values{"q": {"motel"}, param: {s}})
				if status == http.StatusOK && len(v["results"].([]any)) > 0 {
					t.Errorf("search with %s=%.40q: %d results, want a refusal or none", param, s, len(v["results"].([]any)))
				}
			}
		}
	})

	t.Run("list filters", func(t *testing.T) {
		lists := []struct {
			role   haven.Role
			path   string
			params []string
		}{
			{haven.RoleAnalyst, "/api/v1/queue", []string{"view", "priority"}},
			{haven.RoleAnalyst, "/api/v1/cases", []string{"status", "assignee"}},
			{haven.RoleAnalyst, "/api/v1/referrals", []string{"state", "agency_id", "report_id"}},
			{haven.RoleOfficer, "/api/v1/referrals", []string{"state", "agency_id", "report_id"}},
			{haven.RoleAdmin, "/api/v1/agencies", []string{"q", "kind", "level", "state", "county", "status"}},
			{haven.RoleAdmin, "/api/v1/legal-holds", []string{"kind", "target_id"}},
			{haven.RoleAnalyst, "/api/v1/analysis-requests", []string{"status"}},
			{haven.RoleAnalyst, "/api/v1/reports", []string{"limit", "offset"}},
		}
		for _, l := range lists {
			for _, param := range l.params {
				for _, s := range injections {
					status, v := get(t, l.role, l.path, url.Values{param: {s}})
					if status != http.StatusOK {
						continue
					}
					for k, x := range v {
						if a, ok := x.([]any); ok && len(a) > 0 {
							t.Errorf("%s?%s=%.40q as %s: %d %s, want a refusal or none", l.path, param, s, l.role, len(a), k)
						}
					}
				}
			}
		}
	})
}

// TestInjectionInPageFiltersChangesNothing sends the strings to every list
// page's filters: each answers (200 or a clear 400), shows none of the
// reports the filter cannot match, and stores nothing.
func TestInjectionInPageFiltersChangesNothing(t *testing.T) {
	e := newTestEnv(t)
	ag := e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	rep := e.createReport(&haven.Report{AgencyID: ag.ID, State: "VA",
		People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}})
	analyst := e.signedInAs(t, "pia.analyst", haven.RoleAnalyst)
	admin := e.signedInAs(t, "ada.admin", haven.RoleAdmin)
	count := func() string {
		rs, err := e.svc.ListReports(context.Background(), sys, haven.ReportFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		cs, err := e.svc.ListCases(context.Background(), sys, haven.CaseFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		_, nag, err := e.svc.AgencyDirectory(context.Background(), sys, haven.AgencyFilter{Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprint(len(rs), len(cs), nag)
	}
	before := count()
	pages := []struct {
		c      *client
		path   string
		params []string
		shows  string // text a page that matched everything would show
	}{
		{analyst, "/search", []string{"q", "state", "status", "priority", "channel", "type", "who", "from", "to"}, rep.Ref},
		{analyst, "/reports", []string{"channel", "status", "priority", "who", "page"}, rep.Ref},
		{analyst, "/queue", []string{"view", "priority", "page"}, ""},
		{analyst, "/cases", []string{"status", "assignee"}, ""},
		{analyst, "/referrals", []string{"state", "agency_id", "report_id"}, ""},
		{admin, "/agencies", []string{"q", "kind", "level", "state", "county", "status"}, ""},
		{admin, "/admin/audit", []string{"action", "actor", "kind", "record", "outcome", "from", "to", "page"}, ""},
		{admin, "/admin/users", []string{"role", "state", "page"}, ""},
	}
	for _, p := range pages {
		for _, param := range p.params {
			for _, s := range injections {
				path := p.path + "?" + url.Values{param: {s}}.Encode()
				r := p.c.get(path)
				switch {
				case r.StatusCode >= 500:
					t.Fatalf("%s?%s=%q: %d", p.path, param, s, r.StatusCode)
				case r.StatusCode != http.StatusOK && r.StatusCode != http.StatusBadRequest:
					t.Errorf("%s?%s=%q: %d, want 200 or 400", p.path, param, s, r.StatusCode)
				case r.StatusCode == http.StatusBadRequest && !strings.Contains(r.Body, "<form"):
					t.Errorf("%s?%s=%q: 400 without the form to correct", p.path, param, s)
				}
				if p.shows != "" && param != "page" && strings.Contains(r.Body, p.shows) && r.StatusCode == http.StatusOK {
					t.Errorf("%s?%s=%q shows %s, which the filter cannot match", p.path, param, s, p.shows)
				}
			}
		}
	}
	if after := count(); after != before {
		t.Errorf("rows before %s, after %s", before, after)
	}
}

// TestAPIRefusesNULInText: a NUL character in any text of a JSON body is
// refused with a clear message and stores nothing (PostgreSQL cannot store
// one: it was a server error there).
func TestAPIRefusesNULInText(t *testing.T) {
	z := newFuzzServer(t)
	for _, c := range []struct{ path, body string }{
		{fmt.Sprintf("/api/v1/cases/%d/notes", z.ids["case"]), `{"body":"Spoke with the school.\u0000"}`},
		{fmt.Sprintf("/api/v1/cases/%d/tasks", z.ids["case"]), `{"title":"Call\u0000 the school"}`},
		{fmt.Sprintf("/api/v1/reports/%d/referrals", z.ids["report2"]), fmt.Sprintf(`{"agency_ids":[%d],"note":"\u0000"}`, z.ids["agency"])},
	} {
		status, body := z.check(t, haven.RoleAnalyst, "POST", c.path, "", c.body)
		if status != http.StatusBadRequest || !strings.Contains(body, "NUL character") {
			t.Errorf("POST %s %s: %d %s, want 400 naming the NUL character", c.path, c.body, status, body)
		}
	}
}
