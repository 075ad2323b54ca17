package http_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"golang.org/x/net/html"
)

// routingFixture is a small fictional directory and a report that touches
// it from three sides: the incident's ZIP (TX), a phone area code (CA) and
// a phone number abroad (+44).
type routingFixture struct {
	report                      *haven.Report
	travis, texas, calif, fed   *haven.Agency
	inactive, calChildWelfare   *haven.Agency
	wantOrder                   []string
	officerAgency, texasOfficer int64
}

func newRoutingFixture(t *testing.T, e *testEnv) *routingFixture {
	t.Helper()
	ctx := context.Background()
	mk := func(a haven.Agency) *haven.Agency {
		a.Name += " (synthetic)"
		if a.Kind == "" {
			a.Kind = haven.AgencyLawEnforcement
		}
		a.Phone24x7 = "202-555-0147"
		if err := e.svc.CreateAgency(ctx, sys, &a); err != nil {
			t.Fatalf("%s: %v", a.Name, err)
		}
		return &a
	}
	f := &routingFixture{
		travis:          mk(haven.Agency{Name: "Travis County Sheriff's Office", Level: haven.LevelLocal, State: "TX", Counties: []string{"48453"}}),
		texas:           mk(haven.Agency{Name: "Texas State Police", Level: haven.LevelState, State: "TX"}),
		calif:           mk(haven.Agency{Name: "California State Police", Level: haven.LevelState, State: "CA"}),
		fed:             mk(haven.Agency{Name: "Federal Child Exploitation Unit", Level: haven.LevelFederal}),
		inactive:        mk(haven.Agency{Name: "Travis County Constable Precinct 9", Level: haven.LevelLocal, State: "TX", Counties: []string{"48453"}, Inactive: true}),
		calChildWelfare: mk(haven.Agency{Name: "California Child Welfare Services", Kind: haven.AgencyChildWelfare, Level: haven.LevelState, State: "CA"}),
	}
	f.wantOrder = []string{f.travis.Name, f.texas.Name, f.calif.Name, f.fed.Name}
	f.report = e.createReport(&haven.Report{
		Places: []haven.Place{{Role: haven.PlaceIncident, Name: "Starlight Motel", City: "Austin", State: "TX", ZIP: "78701"}},
		Identifiers: []haven.Identifier{{Kind: haven.IDPhone, Value: "+12135550147", Raw: "213-555-0147", Source: "narrative"},
			{Kind: haven.IDPhone, Value: "+442079460958", Raw: "+44 20 7946 0958", Source: "narrative"}}})
	return f
}

// routeFind returns the elements under n for which match holds, in document
// order.
func routeFind(n *html.Node, match func(*html.Node) bool) []*html.Node {
	var out []*html.Node
	for c := range n.Descendants() {
		if c.Type == html.ElementNode && match(c) {
			out = append(out, c)
		}
	}
	return out
}

func routeAttr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func routeFormAction(id int64) string { return fmt.Sprintf("/reports/%d/referrals", id) }

func routeByID(id string) func(*html.Node) bool {
	return func(n *html.Node) bool { return routeAttr(n, "id") == id }
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	for c := range n.Descendants() {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
	}
	return strings.Join(strings.Fields(b.String()), " ")
}

// The analyst who has the report sees the suggested recipients, most
// specific first, each with its reasons and a checkbox, the international
// mark and the conflict, and a form that posts the chosen agencies to the
// referrals action; another analyst sees the list without the form; an
// officer of another state's agency sees neither the report nor its
// suggestions.
func TestReportPageShowsSuggestedRecipients(t *testing.T) {
	e := newTestEnv(t)
	f := newRoutingFixture(t, e)
	_, anaSecret := e.createUser("ana", "Ana Analyst", haven.RoleAnalyst, 0)
	_, benSecret := e.createUser("ben", "Ben Analyst", haven.RoleAnalyst, 0)
	_, olSecret := e.createUser("olly", "Ol Officer", haven.RoleOfficer, f.calif.ID)
	ana := e.signedIn("ana", anaSecret)
	expectRedirect(t, ana.post(reportPath(f.report.ID)+"/claim", nil), reportPath(f.report.ID)+"?done=claimed")

	page := ana.get(reportPath(f.report.ID))
	expectStatus(t, page, http.StatusOK)
	doc, err := html.Parse(strings.NewReader(page.Body))
	if err != nil {
		t.Fatal(err)
	}
	panel := routeFind(doc, routeByID("routing"))
	if len(panel) != 1 {
		t.Fatalf("no Suggested recipients panel:\n%s", page.Body)
	}
	if h := routeFind(panel[0], routeByID("routing-heading")); len(h) != 1 || nodeText(h[0]) != "Suggested recipients" {
		t.Fatalf("panel heading: %v", h)
	}
	forms := routeFind(panel[0], routeByID("routing-form"))
	if len(forms) != 1 || routeAttr(forms[0], "action") != fmt.Sprintf("/reports/%d/referrals", f.report.ID) || routeAttr(forms[0], "method") != "post" {
		t.Fatalf("the form does not post to the referrals action: %v", forms)
	}
	rows := routeFind(panel[0], func(n *html.Node) bool { return n.Data == "tr" && routeAttr(n, "data-agency") != "" })
	var names []string
	for _, row := range rows {
		label := routeFind(row, func(n *html.Node) bool { return n.Data == "label" })
		box := routeFind(row, func(n *html.Node) bool { return n.Data == "input" && routeAttr(n, "type") == "checkbox" })
		if len(label) != 1 || len(box) != 1 {
			t.Fatalf("row without a labelled checkbox: %s", nodeText(row))
		}
		if routeAttr(box[0], "name") != "agency_id" || routeAttr(box[0], "value") != routeAttr(row, "data-agency") || routeAttr(label[0], "for") != routeAttr(box[0], "id") {
			t.Errorf("checkbox %v does not carry the agency id", box[0].Attr)
		}
		if routeAttr(box[0], "checked") != "" {
			t.Errorf("%s is chosen before the analyst chose it", nodeText(label[0]))
		}
		names = append(names, nodeText(label[0]))
		if reasons := routeFind(row, func(n *html.Node) bool { return n.Data == "li" }); len(reasons) == 0 {
			t.Errorf("%s has no reason", nodeText(label[0]))
		}
	}
	if !slices.Equal(names, f.wantOrder) {
		t.Errorf("candidates %q, want %q", names, f.wantOrder)
	}
	body := nodeText(panel[0])
	for _, want := range []string{
		"Covers Travis County, TX — Where it happened: Starlight Motel, Austin, TX 78701",
		"Covers the state of California — Phone area code 213 (+12135550147) is in California",
		"Marked for international referral",
		"Phone number +442079460958 is a number of another country (GB, +44)",
		"The places in this report disagree",
		"Where it happened in TX; Phone area code in CA",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("the panel does not say %q:\n%s", want, body)
		}
	}
	for _, never := range []string{f.inactive.Name, f.calChildWelfare.Name} {
		if strings.Contains(body, never) {
			t.Errorf("%s is suggested", never)
		}
	}
	if len(routeFind(panel[0], func(n *html.Node) bool { return n.Data == "textarea" && routeAttr(n, "name") == "note" })) != 1 {
		t.Error("no note field")
	}

	// Choosing two and referring posts them to the referrals action.
	form := url.Values{"agency_id": {strconv.FormatInt(f.travis.ID, 10), strconv.FormatInt(f.texas.ID, 10)}, "note": {"Motel in Austin (synthetic)."}}
	expectRedirect(t, ana.post(routeFormAction(f.report.ID), form), reportPath(f.report.ID)+"?referred=2#referrals")

	// Another analyst, who has not claimed it, reads the list only.
	ben := e.signedIn("ben", benSecret)
	page = ben.get(reportPath(f.report.ID))
	expectStatus(t, page, http.StatusOK)
	if !strings.Contains(page.Body, `id="routing-read-only"`) || strings.Contains(page.Body, `id="routing-form"`) ||
		strings.Contains(page.Body, `name="agency_id"`) || !strings.Contains(page.Body, "Travis County Sheriff") {
		t.Errorf("an analyst without the report gets a form, or no list")
	}

	// An officer of a California agency may not open a Texas report held
	// by the clearinghouse: not found, the same as no report at all.
	ol := e.signedIn("olly", olSecret)
	expectStatus(t, ol.get(reportPath(f.report.ID)), http.StatusNotFound)

	ok := e.auditEvents(haven.AuditFilter{Action: "report.routing", Outcome: haven.OutcomeOK})
	if len(ok) != 2 {
		t.Errorf("%d routing reads audited, want 2 (ana, ben)", len(ok))
	}
}

// A child missing from care gets a child-welfare group on the page.
func TestReportPageShowsChildWelfareForAChildMissingFromCare(t *testing.T) {
	e := newTestEnv(t)
	f := newRoutingFixture(t, e)
	r := e.createReport(&haven.Report{IncidentType: haven.IncidentMissingChild, MissingType: haven.MissingEndangeredRunaway, MissingFromCare: true,
		Places: []haven.Place{{Role: haven.PlaceLastSeen, City: "Los Angeles", State: "CA"}}})
	_, secret := e.createUser("sue", "Sue Supervisor", haven.RoleSupervisor, 0)
	page := e.signedIn("sue", secret).get(reportPath(r.ID))
	expectStatus(t, page, http.StatusOK)
	doc, _ := html.Parse(strings.NewReader(page.Body))
	cw := routeFind(doc, routeByID("route-child-welfare"))
	hint := routeFind(doc, routeByID("route-child-welfare-hint"))
	if len(cw) != 1 || !strings.Contains(nodeText(cw[0]), f.calChildWelfare.Name) || len(hint) != 1 ||
		!strings.Contains(nodeText(hint[0]), "The child is missing from care.") {
		t.Fatalf("no child-welfare group for a child missing from care:\n%s", page.Body)
	}
	if strings.Contains(page.Body, "Marked for international referral") {
		t.Error("a report inside the US is marked international")
	}
}

// GET /api/v1/reports/{id}/routing answers as openapi.json says, with the
// same ranking as the page, to whoever may open the report, and 404 to
// anyone else.
func TestAPIReportRouting(t *testing.T) {
	e := newAPISpecEnv(t)
	f := newRoutingFixture(t, e.testEnv)
	_, anaTok := e.token("analyst.rivera", haven.RoleAnalyst, 0)
	_, olTok := e.token("officer.ng", haven.RoleOfficer, f.calif.ID)

	var out struct {
		ReportID             int64    `json:"report_id"`
		International        bool     `json:"international"`
		InternationalReasons []string `json:"international_reasons"`
		Conflicts            []string `json:"conflicts"`
		Places               []struct {
			Source, State, ZIP, Specificity string
		} `json:"places"`
		Candidates []struct {
			Rank     int    `json:"rank"`
			Group    string `json:"group"`
			AgencyID int64  `json:"agency_id"`
			Name     string `json:"name"`
			Match    string `json:"match"`
			Reasons  []struct {
				Source, Match, Text string
			} `json:"reasons"`
		} `json:"candidates"`
	}
	path := "/api/v1/reports/" + strconv.FormatInt(f.report.ID, 10) + "/routing"
	code, body := e.call("GET", path, anaTok, "", nil)
	if code != http.StatusOK {
		t.Fatalf("GET routing: %d %s", code, body)
	}
	decode(t, body, &out)
	var names, matches []string
	for i, c := range out.Candidates {
		names = append(names, c.Name)
		matches = append(matches, c.Match)
		if c.Rank != i+1 || c.Group != "investigators" || len(c.Reasons) == 0 {
			t.Errorf("candidate %d: %+v", i, c)
		}
	}
	if !slices.Equal(names, f.wantOrder) || !slices.Equal(matches, []string{"county", "state", "state", "nationwide"}) {
		t.Errorf("candidates %v %v, want %v", names, matches, f.wantOrder)
	}
	if !out.International || len(out.InternationalReasons) != 1 || len(out.Conflicts) != 1 || out.ReportID != f.report.ID {
		t.Errorf("marks: %s", body)
	}
	if len(out.Places) != 2 || out.Places[0].Source != "incident" || out.Places[0].ZIP != "78701" || out.Places[1].Source != "area_code" {
		t.Errorf("places: %+v", out.Places)
	}

	code, body = e.call("GET", path, olTok, "", nil)
	if code != http.StatusNotFound {
		t.Errorf("officer of another agency: %d %s, want 404", code, body)
	}
	code, _ = e.call("GET", "/api/v1/reports/999999/routing", anaTok, "", nil)
	if code != http.StatusNotFound {
		t.Errorf("no such report: %d, want 404", code)
	}
	if denied := e.auditEvents(haven.AuditFilter{Action: "report.routing", Outcome: haven.OutcomeDenied}); len(denied) != 2 {
		t.Errorf("%d refusals audited, want 2", len(denied))
	}
}
