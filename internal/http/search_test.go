package http_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func TestSearchPageAndAPIFindOnlyWhatTheUserMayOpen(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	va := e.createAgency("Fairfax County Police Department", "law_enforcement", "VA")
	md := e.createAgency("Baltimore Police Department", "law_enforcement", "MD")
	officer, officerSecret := e.createUser("olu.officer", "Olu Officer", haven.RoleOfficer, va.ID)
	analyst, analystSecret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	mine := e.createReport(&haven.Report{AgencyID: va.ID, State: "VA",
		Narrative: "A lighthouse keeper saw a girl of about 14 taken onto a boat <b>at night</b> (synthetic test data)."})
	theirs := e.createReport(&haven.Report{AgencyID: md.ID, State: "MD",
		Narrative: "The lighthouse café owner reported a boy sleeping in the car park (synthetic test data)."})
	e.createReport(&haven.Report{State: "DC", Narrative: "Nothing about the coast (synthetic test data)."})

	t.Run("the page shows the analyst every match with the words marked, and escapes the text", func(t *testing.T) {
		c := e.signedIn("ana.analyst", analystSecret)
		r := c.get("/search?q=lighthouse")
		expectStatus(t, r, http.StatusOK)
		for _, want := range []string{mine.Ref, theirs.Ref, "2 found", "<mark>lighthouse</mark>", "&lt;b&gt;at night&lt;/b&gt;"} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("the results do not show %q", want)
			}
		}
		if strings.Contains(r.Body, "<b>at night</b>") {
			t.Error("the narrative's markup reached the page unescaped")
		}
	})

	t.Run("the page shows the officer only their agency's report, and counts only it", func(t *testing.T) {
		c := e.signedIn("olu.officer", officerSecret)
		r := c.get("/search?q=lighthouse")
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, mine.Ref) || strings.Contains(r.Body, theirs.Ref) || !strings.Contains(r.Body, "1 found") {
			t.Errorf("the officer's results are wrong:\n%s", r.Body)
		}
	})

	t.Run("filters narrow the page's results", func(t *testing.T) {
		c := e.signedIn("ana.analyst", analystSecret)
		r := c.get("/search?q=lighthouse&state=MD")
		if !strings.Contains(r.Body, theirs.Ref) || strings.Contains(r.Body, mine.Ref) {
			t.Errorf("state=MD shows the wrong reports:\n%s", r.Body)
		}
		r = c.get("/search?q=lighthouse+state:VA")
		if !strings.Contains(r.Body, mine.Ref) || strings.Contains(r.Body, theirs.Ref) {
			t.Errorf("state:VA in the query shows the wrong reports:\n%s", r.Body)
		}
	})

	t.Run("a search the page cannot run says why, on the form", func(t *testing.T) {
		c := e.signedIn("ana.analyst", analystSecret)
		for q, want := range map[string]string{
			"q=-lighthouse":         "not only what to leave out",
			"q=boat&priority=9":     "a priority is 1 to 4",
			"q=boat&from=yesterday": "YYYY-MM-DD",
			"q=boat&state=VA&to=2020-01-01&from=2021-01-01": "must come after its start",
		} {
			r := c.get("/search?" + q)
			expectStatus(t, r, http.StatusBadRequest)
			if !strings.Contains(r.Body, want) || !strings.Contains(r.Body, `id="s-q"`) {
				t.Errorf("%s: the page does not say %q on the form", q, want)
			}
		}
	})

	t.Run("the page without a search shows the form and no results", func(t *testing.T) {
		c := e.signedIn("ana.analyst", analystSecret)
		r := c.get("/search")
		expectStatus(t, r, http.StatusOK)
		if !strings.Contains(r.Body, `action="/search"`) || strings.Contains(r.Body, "found") {
			t.Errorf("the empty search page:\n%s", r.Body)
		}
	})

	officerToken, err := e.svc.CreateToken(ctx, sys, officer.ID, "case system")
	if err != nil {
		t.Fatal(err)
	}
	analystToken, err := e.svc.CreateToken(ctx, sys, analyst.ID, "notebook")
	if err != nil {
		t.Fatal(err)
	}
	type result struct {
		Report  *struct{ Ref string } `json:"report"`
		Snippet []haven.SnippetPart   `json:"snippet"`
	}
	type results struct {
		Query, Kind string
		Total       int
		Results     []result
	}

	t.Run("the API finds what the page finds, with the same authorisation", func(t *testing.T) {
		var got results
		r := apiGet(e, "/api/v1/search?q=Lighthouse", officerToken, &got)
		expectStatus(t, r, http.StatusOK)
		if got.Total != 1 || len(got.Results) != 1 || got.Results[0].Report == nil || got.Results[0].Report.Ref != mine.Ref || got.Query != "lighthouse" {
			t.Errorf("the officer's API search: %+v", got)
		}
		hit := false
		for _, p := range got.Results[0].Snippet {
			hit = hit || (p.Hit && strings.EqualFold(p.Text, "lighthouse"))
		}
		if !hit {
			t.Errorf("the snippet marks no hit: %+v", got.Results[0].Snippet)
		}
		got = results{}
		apiGet(e, "/api/v1/search?q=lighthouse", analystToken, &got)
		if got.Total != 2 || len(got.Results) != 2 {
			t.Errorf("the analyst's API search: %+v", got)
		}
		got = results{}
		apiGet(e, "/api/v1/search?q=lighthouse&kind=cases", analystToken, &got)
		if got.Kind != "cases" || got.Total != 0 || got.Results == nil {
			t.Errorf("a search of cases: %+v", got)
		}
	})

	t.Run("the API refuses bad parameters with the field at fault", func(t *testing.T) {
		for q, field := range map[string]string{
			"q=boat&priority=0":             "priority",
			"q=boat&kind=people":            "kind",
			"q=boat&limit=101":              "limit",
			"q=-boat":                       "q",
			"q=boat&channel=esp&kind=cases": "q",
		} {
			var body apiErr
			r := apiGet(e, "/api/v1/search?"+q, analystToken, &body)
			expectStatus(t, r, http.StatusBadRequest)
			if body.Error.Field != field {
				t.Errorf("%s: error %+v, want field %q", q, body.Error, field)
			}
		}
	})

	t.Run("every search is in the audit log", func(t *testing.T) {
		es := e.auditEvents(haven.AuditFilter{Action: "report.search"})
		if len(es) < 5 {
			t.Errorf("%d searches audited, want every one", len(es))
		}
	})
}

func TestSearchPagesThroughManyResults(t *testing.T) {
	e := newTestEnv(t)
	_, secret := e.createUser("ana.analyst", "Ana Analyst", haven.RoleAnalyst, 0)
	for i := 0; i < 30; i++ {
		e.createReport(&haven.Report{Narrative: fmt.Sprintf("Harbour patrol note %d about a boy near the docks (synthetic test data).", i)})
	}
	c := e.signedIn("ana.analyst", secret)
	r := c.get("/search?q=harbour")
	expectStatus(t, r, http.StatusOK)
	if !strings.Contains(r.Body, "30 found: 1 to 25") || !strings.Contains(r.Body, `id="next-page"`) {
		t.Fatalf("the first page:\n%s", r.Body)
	}
	r = c.get("/search?page=2&q=harbour")
	if !strings.Contains(r.Body, "30 found: 26 to 30") || strings.Contains(r.Body, `id="next-page"`) || !strings.Contains(r.Body, `rel="prev"`) {
		t.Errorf("the second page:\n%s", r.Body)
	}
	if n := strings.Count(r.Body, `class="search-result"`); n != 5 {
		t.Errorf("the second page shows %d results, want 5", n)
	}
}

// The header's search box is for those who may see reports: a trainer is
// not offered a search that would only be refused.
func TestTheHeaderSearchBoxIsForThoseWhoMaySeeReports(t *testing.T) {
	e := newTestEnv(t)
	_, anaSecret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, trainerSecret := e.createUser("tess", "Tess Trainer", haven.RoleTrainer, 0)
	if home := e.signedIn("ana", anaSecret).get("/"); !strings.Contains(home.Body, `id="header-q"`) {
		t.Errorf("an analyst's page has no search box")
	}
	if home := e.signedIn("tess", trainerSecret).get("/"); strings.Contains(home.Body, `id="header-q"`) {
		t.Errorf("a trainer's page offers the search box")
	}
}
