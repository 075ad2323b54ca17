package http_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// agencyRows returns the names in the directory's table, in order.
func agencyRows(body string) []string {
	var names []string
	re := regexp.MustCompile(`<tr id="agency-\d+">\s*<th scope="row"><a href="/agencies/\d+">([^<]*)`)
	for _, m := range re.FindAllStringSubmatch(body, -1) {
		names = append(names, strings.ReplaceAll(m[1], "&#39;", "'"))
	}
	return names
}

// countAgencies returns how many agencies the store holds.
func (e *testEnv) countAgencies() int {
	e.t.Helper()
	return e.count(func(tx haven.Tx) (int, error) { return tx.CountAgencies(context.Background(), haven.AgencyFilter{}) })
}

func TestAgencyDirectory(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	e.createAgency("Fairview Police Department", "law_enforcement", "VA")
	e.createAgency("Valley Child Services", "child_welfare", "MD")
	for _, ag := range []*haven.Agency{
		{Name: "Mid-Atlantic Task Force", Kind: haven.AgencyTaskForce, Level: haven.LevelState, State: "VA",
			States: []string{"VA", "MD", "DC"}, Phone24x7: "202-555-0199", Email: "taskforce@example.com"},
		{Name: "Example Federal Bureau", Kind: haven.AgencyLawEnforcement, Level: haven.LevelFederal, Phone24x7: "202-555-0100"},
	} {
		if err := e.svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
	}
	_, adminSecret := e.createUser("ada.admin", "Ada Admin", haven.RoleAdmin, 0)
	_, anaSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	admin := e.signedIn("ada.admin", adminSecret)
	analyst := e.signedIn("ana.analyst", anaSecret)

	t.Run("an analyst reads the directory, without the add form", func(t *testing.T) {
		r := analyst.get("/agencies")
		expectStatus(t, r, http.StatusOK)
		got := agencyRows(r.Body)
		want := []string{"Example Federal Bureau", "Fairview Police Department", "Mid-Atlantic Task Force", "Valley Child Services"}
		if strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("rows %q, want %q", got, want)
		}
		for _, w := range []string{"<td>VA, MD, DC</td>", "<td>Nationwide</td>", `<a href="tel:202-555-0199">202-555-0199</a>`,
			"<td>Task force</td>", "<td>Federal</td>", "4 agencies match.", `<a href="/agencies" aria-current="page">Agencies</a>`} {
			if !strings.Contains(r.Body, w) {
				t.Errorf("the directory lacks %s", w)
			}
		}
		if strings.Contains(r.Body, `href="/agencies/new"`) {
			t.Error("the analyst is offered the add form")
		}
		if m := inlineCode.FindString(r.Body); m != "" {
			t.Errorf("inline code: %q", m)
		}
	})

	t.Run("filters by kind and by state", func(t *testing.T) {
		cases := []struct {
			query string
			want  []string
		}{
			{"kind=child_welfare", []string{"Valley Child Services"}},
			{"state=MD", []string{"Mid-Atlantic Task Force", "Valley Child Services"}}, // home state, or in the jurisdiction
			{"state=dc", []string{"Mid-Atlantic Task Force"}},
			{"kind=law_enforcement&state=VA", []string{"Fairview Police Department"}},
			{"state=WY", nil},
		}
		for _, tc := range cases {
			r := analyst.get("/agencies?" + tc.query)
			expectStatus(t, r, http.StatusOK)
			if got := agencyRows(r.Body); strings.Join(got, "|") != strings.Join(tc.want, "|") {
				t.Errorf("%s: rows %q, want %q", tc.query, got, tc.want)
			}
		}
		r := analyst.get("/agencies?kind=space_agency")
		expectStatus(t, r, http.StatusBadRequest)
		if !strings.Contains(r.Body, "Choose a kind of agency from the list.") {
			t.Errorf("bad kind:\n%s", r.Body)
		}
		r = analyst.do(http.MethodGet, "/agencies?state=MD", nil, map[string]string{"HX-Request": "true", "HX-Target": "agencies-results"})
		expectStatus(t, r, http.StatusOK)
		if strings.Contains(r.Body, "<html") || len(agencyRows(r.Body)) != 2 || r.Header.Get("HX-Push-Url") != "/agencies?state=MD" {
			t.Errorf("htmx fragment:\n%s", r.Body)
		}
	})

	t.Run("a non-administrator is refused the add form, and nothing is added", func(t *testing.T) {
		before := e.countAgencies()
		expectStatus(t, analyst.get("/agencies/new"), http.StatusForbidden)
		r := analyst.post("/agencies", url.Values{"name": {"Sneaky Agency"}, "kind": {"law_enforcement"}, "level": {"local"}, "state": {"VA"}})
		expectStatus(t, r, http.StatusForbidden)
		if !strings.Contains(r.Body, "You are not allowed to add agencies.") {
			t.Errorf("refusal:\n%s", r.Body)
		}
		if e.countAgencies() != before {
			t.Error("the analyst added an agency")
		}
		expectDenied(t, e, "ana.analyst", "agency.create", 2)
	})

	t.Run("an administrator adds an agency", func(t *testing.T) {
		r := admin.get("/agencies")
		if !strings.Contains(r.Body, `href="/agencies/new"`) {
			t.Error("no Add agency button for the administrator")
		}
		r = admin.get("/agencies/new")
		expectStatus(t, r, http.StatusOK)
		if m := inlineCode.FindString(r.Body); m != "" {
			t.Errorf("inline code: %q", m)
		}
		r = admin.post("/agencies", url.Values{"name": {"Ridge County Sheriff's Office"}, "kind": {"law_enforcement"},
			"level": {"local"}, "state": {"WV"}, "states": {"WV", "VA"}, "phone": {"304-555-0123"}, "email": {"dispatch@example.com"}})
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, "is in the directory.") || !strings.Contains(r.Body, "<dd>WV, VA</dd>") {
			t.Errorf("after adding:\n%s", r.Body)
		}
		ag, err := e.svc.AgencyByName(ctx, sys, "Ridge County Sheriff's Office")
		if err != nil || ag.State != "WV" || strings.Join(ag.States, ",") != "WV,VA" || ag.Phone24x7 != "304-555-0123" || ag.Level != haven.LevelLocal {
			t.Fatalf("stored agency: %+v, %v", ag, err)
		}
		if got := agencyRows(analyst.get("/agencies?state=VA").Body); !strings.Contains(strings.Join(got, "|"), "Ridge County Sheriff's Office") {
			t.Errorf("the new agency is not listed under VA: %q", got)
		}
	})

	t.Run("a refused field is shown next to it, with what was typed kept, and nothing is added", func(t *testing.T) {
		base := func() url.Values {
			return url.Values{"name": {"Hill Valley Police Department"}, "kind": {"law_enforcement"}, "level": {"local"},
				"state": {"CA"}, "phone": {"530-555-0110"}, "email": {"hvpd@example.com"}}
		}
		cases := []struct {
			name, field, message string
			change               func(url.Values)
		}{
			{"unknown home state", "state", "is not a US state or territory postal code", func(f url.Values) { f.Set("state", "ZZ") }},
			{"unknown jurisdiction state", "states", "is not a US state or territory postal code", func(f url.Values) { f["states"] = []string{"CA", "QQ"} }},
			{"name taken", "name", "exists already", func(f url.Values) { f.Set("name", "Fairview Police Department") }},
			{"no kind", "kind", "Unknown agency kind", func(f url.Values) { f.Del("kind") }},
		}
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				before := e.countAgencies()
				f := base()
				tc.change(f)
				r := admin.post("/agencies", f)
				expectStatus(t, r, http.StatusBadRequest)
				m := regexp.MustCompile(`<span class="field-error" id="` + tc.field + `-error"><span class="visually-hidden">Error:</span> ([^<]*)</span>`).FindStringSubmatch(r.Body)
				if m == nil || !strings.Contains(m[1], tc.message) {
					t.Errorf("no message %q at %s:\n%s", tc.message, tc.field, r.Body)
				}
				if !strings.Contains(r.Body, `href="#`+tc.field+`"`) {
					t.Error("the error summary does not link to the field")
				}
				for _, kept := range []string{`value="` + strings.ReplaceAll(f.Get("name"), "'", "&#39;") + `"`, `value="530-555-0110"`, `value="hvpd@example.com"`} {
					if !strings.Contains(r.Body, kept) {
						t.Errorf("the typed %s is lost", kept)
					}
				}
				if k := f.Get("kind"); k != "" && !strings.Contains(r.Body, `<option value="`+k+`" selected>`) {
					t.Error("the chosen kind is lost")
				}
				if tc.field == "states" && !strings.Contains(r.Body, `id="states-CA" name="states" value="CA" checked`) {
					t.Error("the ticked jurisdiction is lost")
				}
				if after := e.countAgencies(); after != before {
					t.Errorf("agencies went from %d to %d", before, after)
				}
			})
		}
	})

	t.Run("the new-account form offers the agencies", func(t *testing.T) {
		r := admin.get("/admin/users/new")
		ag, _ := e.svc.AgencyByName(ctx, sys, "Valley Child Services")
		if !strings.Contains(r.Body, `<option value="`+strconv.FormatInt(ag.ID, 10)+`">Valley Child Services (MD)</option>`) {
			t.Errorf("the agency select lacks Valley Child Services:\n%s", r.Body)
		}
	})
}
