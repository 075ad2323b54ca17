package haven_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// relation is how a request stands to the actor in the authorisation matrix.
type relation string

const (
	// own: a request of the actor's agency, assigned to the actor.
	relOwn relation = "own"
	// other: a request of another agency, assigned to another analyst.
	relOther relation = "other agency"
	// unassigned: a request of another agency that nobody has taken.
	relUnassigned relation = "unassigned"
)

var relations = []relation{relOwn, relOther, relUnassigned}

// analysisMatrix is who may do what to analysis requests and products,
// written out by hand (not derived from haven.Rules, so that a change to
// the rules that lets anyone else in fails here): action → role → the
// relations in which it is allowed. Every role absent from an action's row,
// and the public, is refused it everywhere.
var analysisMatrix = map[string]map[haven.Role][]relation{
	// For create, the relation is the agency the request names: own, another
	// agency, or none ("unassigned": it defaults to the officer's own).
	"analysis_request.create":   {haven.RoleOfficer: {relOwn, relUnassigned}},
	"analysis_request.view":     {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
	"analysis_request.list":     {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
	"analysis_request.claim":    {haven.RoleAnalyst: {relOwn, relUnassigned}, haven.RoleSupervisor: relations},
	"analysis_request.close":    {haven.RoleAnalyst: {relOwn}, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
	"analytical_product.create": {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations},
	"analytical_product.view":   {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
	"analytical_product.list":   {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
	"analytical_product.export": {haven.RoleAnalyst: relations, haven.RoleSupervisor: relations, haven.RoleOfficer: {relOwn}},
}

// listers may see some requests: the others' list is refused (and audited)
// rather than empty.
var listers = []haven.Role{haven.RoleAnalyst, haven.RoleSupervisor, haven.RoleOfficer}

// analysisWorld is two agencies, an officer of each and an analyst, and an
// actor of every role in the first agency.
type analysisWorld struct {
	svc          *haven.Service
	mine, theirs *haven.Agency
	officerMine  int64 // another officer of the actor's agency
	officerTheir int64
	otherAnalyst int64
	actors       map[haven.Role]haven.Actor
}

func newAnalysisWorld(t *testing.T, svc *haven.Service) *analysisWorld {
	t.Helper()
	ctx := context.Background()
	w := &analysisWorld{svc: svc, actors: map[haven.Role]haven.Actor{}}
	w.mine = &haven.Agency{Name: "Reno Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "NV"}
	w.theirs = &haven.Agency{Name: "Tulsa Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "OK"}
	for _, ag := range []*haven.Agency{w.mine, w.theirs} {
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
	}
	u, _ := addUser(t, svc, "officer-mine", haven.RoleOfficer, w.mine.ID)
	w.officerMine = u.ID
	u, _ = addUser(t, svc, "officer-theirs", haven.RoleOfficer, w.theirs.ID)
	w.officerTheir = u.ID
	u, _ = addUser(t, svc, "analyst-other", haven.RoleAnalyst, 0)
	w.otherAnalyst = u.ID
	for _, role := range haven.Roles {
		u, _ := addUser(t, svc, "actor-"+strings.ReplaceAll(string(role), "_", "-"), role, w.mine.ID)
		w.actors[role] = haven.Actor{UserID: u.ID, Username: u.Username, Role: role, AgencyID: w.mine.ID, Via: "web"}
	}
	w.actors[""] = haven.Actor{Via: "public"}
	return w
}

// request stores a request standing in relation rel to the actor, with a
// narrative product answering it.
func (w *analysisWorld) request(t *testing.T, a haven.Actor, rel relation) (*haven.AnalysisRequest, *haven.AnalyticalProduct) {
	t.Helper()
	ctx := context.Background()
	r := &haven.AnalysisRequest{CaseNumber: "CN-" + string(rel), Question: "Which other reports mention 202-555-0147?", Urgency: haven.UrgencyRoutine}
	analyst := int64(0)
	switch rel {
	case relOwn:
		r.OfficerID, r.AgencyID, analyst = w.officerMine, w.mine.ID, a.UserID
	case relOther:
		r.OfficerID, r.AgencyID, analyst = w.officerTheir, w.theirs.ID, w.otherAnalyst
	case relUnassigned:
		r.OfficerID, r.AgencyID = w.officerTheir, w.theirs.ID
	}
	if err := w.svc.CreateAnalysisRequest(ctx, sys, r); err != nil {
		t.Fatal(err)
	}
	p := &haven.AnalyticalProduct{RequestID: r.ID, Kind: haven.ProductNarrative, Title: "Assessment", Body: "The number appears in two reports (synthetic)."}
	if err := w.svc.CreateProduct(ctx, sys, p); err != nil {
		t.Fatal(err)
	}
	// The system actor answered it; put it back in the hands the relation says.
	if err := w.svc.Store.Update(ctx, func(tx haven.Tx) error {
		r.AnalystID, r.Status = analyst, haven.RequestInProgress
		if analyst == 0 {
			r.Status = haven.RequestOpen
		}
		return tx.UpdateAnalysisRequest(ctx, r)
	}); err != nil {
		t.Fatal(err)
	}
	return r, p
}

// do performs action as a in relation rel; it returns whether the action was
// allowed and the refusal's error.
func (w *analysisWorld) do(t *testing.T, a haven.Actor, action string, rel relation) (bool, error) {
	t.Helper()
	ctx := context.Background()
	if action == "analysis_request.create" {
		r := &haven.AnalysisRequest{CaseNumber: "CN-new", Question: "Please chart the network.", Urgency: haven.UrgencyPriority}
		switch rel {
		case relOwn:
			r.AgencyID = w.mine.ID
		case relOther:
			r.AgencyID = w.theirs.ID
		}
		err := w.svc.CreateAnalysisRequest(ctx, a, r)
		return err == nil, err
	}
	r, p := w.request(t, a, rel)
	switch action {
	case "analysis_request.view":
		_, _, err := w.svc.GetAnalysisRequest(ctx, a, r.ID)
		return err == nil, err
	case "analysis_request.list":
		rs, _, err := w.svc.ListAnalysisRequests(ctx, a, haven.AnalysisRequestFilter{})
		return slices.ContainsFunc(rs, func(x *haven.AnalysisRequest) bool { return x.ID == r.ID }), err
	case "analysis_request.claim":
		_, err := w.svc.ClaimAnalysisRequest(ctx, a, r.ID)
		return err == nil, err
	case "analysis_request.assign":
		_, err := w.svc.AssignAnalysisRequest(ctx, a, r.ID, w.otherAnalyst)
		return err == nil, err
	case "analysis_request.close":
		_, err := w.svc.CloseAnalysisRequest(ctx, a, r.ID)
		return err == nil, err
	case "analytical_product.create":
		err := w.svc.CreateProduct(ctx, a, &haven.AnalyticalProduct{RequestID: r.ID, Kind: haven.ProductNarrative, Title: "More", Body: "Text."})
		return err == nil, err
	case "analytical_product.view":
		_, err := w.svc.GetProduct(ctx, a, p.ID)
		return err == nil, err
	case "analytical_product.list":
		_, ps, err := w.svc.GetAnalysisRequest(ctx, a, r.ID)
		return slices.ContainsFunc(ps, func(x *haven.AnalyticalProduct) bool { return x.ID == p.ID }), err
	case "analytical_product.export":
		_, err := w.svc.ExportProduct(ctx, a, p.ID)
		return err == nil, err
	}
	t.Fatalf("unknown action %s", action)
	return false, nil
}

// deniedCount counts the refusals of the actor in the audit log.
func deniedCount(t *testing.T, svc *haven.Service, a haven.Actor) int {
	t.Helper()
	name := a.Username
	if name == "" {
		name = "public"
	}
	es, _, err := svc.ListAudit(context.Background(), sys, haven.AuditFilter{Outcome: haven.OutcomeDenied, Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range es {
		if (a.UserID != 0 && e.ActorID == a.UserID) || (a.UserID == 0 && e.ActorID == 0 && e.Role == a.Role) {
			n++
		}
	}
	return n
}

// TestAnalyticalSupportAuthorisationMatrix tries every request and product
// action as every role (and the public) on a request of the actor's agency
// assigned to them, one of another agency assigned to someone else, and one
// of another agency nobody has taken; it asserts allow or deny against the
// matrix written above, that a request the actor may not see answers "not
// found" (revealing nothing), and that every refusal is in the audit log.
func TestAnalyticalSupportAuthorisationMatrix(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		w := newAnalysisWorld(t, svc)
		roles := append([]haven.Role{""}, haven.Roles...)
		actions := make([]string, 0, len(analysisMatrix))
		for action := range analysisMatrix {
			actions = append(actions, action)
		}
		slices.Sort(actions)
		checked := 0
		for _, action := range actions {
			for _, role := range roles {
				a := w.actors[role]
				for _, rel := range relations {
					want := slices.Contains(analysisMatrix[action][role], rel)
					name := fmt.Sprintf("%s as %q on %s", action, role, rel)
					before := deniedCount(t, svc, a)
					got, err := w.do(t, a, action, rel)
					checked++
					if got != want {
						t.Errorf("%s: allowed %v (err %v), want %v", name, got, err, want)
						continue
					}
					if want {
						continue
					}
					listing := strings.HasSuffix(action, ".list")
					refused := !listing || !slices.Contains(listers, role)
					if refused && err == nil {
						t.Errorf("%s: refused without an error", name)
					}
					if code := haven.ErrorCode(err); refused && code != haven.ENOTFOUND && code != haven.EFORBIDDEN {
						t.Errorf("%s: error %v, want not found or forbidden", name, err)
					}
					// A request the actor may not see must not be told apart
					// from one that does not exist.
					seen := slices.Contains(analysisMatrix["analysis_request.view"][role], rel)
					// (A role refused the action everywhere is told so,
					// whatever the id: that reveals nothing either.)
					mayAtAll := len(analysisMatrix[action][role]) > 0
					if refused && !seen && mayAtAll && action != "analysis_request.create" && !listing && haven.ErrorCode(err) != haven.ENOTFOUND {
						t.Errorf("%s: error %v on a request the actor may not see, want not found", name, err)
					}
					if after := deniedCount(t, svc, a); refused && after != before+1 {
						t.Errorf("%s: %d refusals audited, want 1", name, after-before)
					}
				}
			}
		}
		if want := len(analysisMatrix) * (len(haven.Roles) + 1) * len(relations); checked != want {
			t.Errorf("checked %d cases, want %d", checked, want)
		}
	})
}

// TestALinkChartIsAFrozenSnapshotOfTheNetwork: a link chart drawn from a
// network keeps the reports and links it was drawn from when the network
// later grows; a new chart of the same network is version 2 and shows the
// growth. The request is answered by the first product.
func TestALinkChartIsAFrozenSnapshotOfTheNetwork(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		withLinking(t, svc, 0)
		w := newAnalysisWorld(t, svc)
		an := w.actors[haven.RoleAnalyst]
		officer := w.actors[haven.RoleOfficer]
		a := linkReport(t, svc, an, "NV", "The ad lists 202-555-0147.")
		c.Advance(time.Minute)
		b := linkReport(t, svc, an, "NV", "A caller gave the same number.", phone("+12025550147"))
		links, err := svc.ReportLinks(ctx, an, b.ID)
		if err != nil || links.Network == nil {
			t.Fatalf("no network: %v", err)
		}
		req := &haven.AnalysisRequest{CaseNumber: "RPD-1", Question: "Who uses 202-555-0147?", Urgency: haven.UrgencyImmediate}
		if err := svc.CreateAnalysisRequest(ctx, officer, req); err != nil {
			t.Fatal(err)
		}
		chart := &haven.AnalyticalProduct{RequestID: req.ID, Kind: haven.ProductLinkChart, Title: "The number's network", NetworkID: links.Network.ID}
		if err := svc.CreateProduct(ctx, an, chart); err != nil {
			t.Fatal(err)
		}
		if len(chart.Snapshot.Nodes) != 2 || len(chart.Snapshot.Links) != 1 || chart.Snapshot.Links[0].From != a.Ref || chart.Snapshot.Links[0].To != b.Ref {
			t.Fatalf("chart snapshot: %+v", chart.Snapshot)
		}
		c.Advance(time.Minute)
		linkReport(t, svc, an, "OK", "Third report, same number: 202 555 0147.")

		got, err := svc.GetProduct(ctx, officer, chart.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(got.Snapshot.Nodes) != 2 || got.Version != 1 {
			t.Errorf("the delivered chart changed with the network: %d reports, version %d", len(got.Snapshot.Nodes), got.Version)
		}
		again := &haven.AnalyticalProduct{RequestID: req.ID, Kind: haven.ProductLinkChart, Title: "Updated", NetworkID: links.Network.ID}
		if err := svc.CreateProduct(ctx, an, again); err != nil {
			t.Fatal(err)
		}
		if len(again.Snapshot.Nodes) != 3 || again.Version != 2 {
			t.Errorf("the new chart: %d reports, version %d; want 3 and version 2", len(again.Snapshot.Nodes), again.Version)
		}
		r, ps, err := svc.GetAnalysisRequest(ctx, officer, req.ID)
		if err != nil || r.Status != haven.RequestAnswered || r.AnsweredAt == nil || len(ps) != 2 {
			t.Errorf("the request after two products: %+v, %d products, %v", r, len(ps), err)
		}
		// A timeline of named reports lists them oldest first; a report the
		// analyst names that does not exist is a field error, nothing stored.
		tl := &haven.AnalyticalProduct{RequestID: req.ID, Kind: haven.ProductTimeline, Title: "Order of reports", ReportIDs: []int64{b.ID, a.ID}}
		if err := svc.CreateProduct(ctx, an, tl); err != nil {
			t.Fatal(err)
		}
		if len(tl.Snapshot.Nodes) != 2 || tl.Snapshot.Nodes[0].Ref != a.Ref {
			t.Errorf("timeline: %+v", tl.Snapshot.Nodes)
		}
		bad := &haven.AnalyticalProduct{RequestID: req.ID, Kind: haven.ProductTimeline, Title: "Bad", ReportIDs: []int64{a.ID + 999}}
		if err := svc.CreateProduct(ctx, an, bad); haven.ErrorField(err) != "report_ids" || bad.ID != 0 {
			t.Errorf("a missing report: %v (id %d), want a report_ids field error", err, bad.ID)
		}
	})
}

// An officer names the reports and the case a request concerns by what they
// know (reference numbers, or ids); each must be one the officer may see,
// and one of another agency answers as one that does not exist.
func TestARequestNamesOnlyReportsAndCasesTheOfficerMaySee(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newAnalysisWorld(t, svc)
		officer := w.actors[haven.RoleOfficer]
		report := func(agency *haven.Agency) *haven.Report {
			t.Helper()
			r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, AgencyID: agency.ID,
				Narrative: "A caller saw a girl at a truck stop (synthetic).", Places: []haven.Place{{Role: haven.PlaceIncident, City: "Springfield", State: agency.State}},
				People: []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Ava", Sex: haven.SexFemale}}}
			if err := svc.CreateReport(ctx, sys, r); err != nil {
				t.Fatal(err)
			}
			return r
		}
		mine, theirs := report(w.mine), report(w.theirs)
		theirCase, err := svc.OpenCaseFromReport(ctx, sys, haven.OpenCase{ReportID: theirs.ID, Mention: theirs.People[0].ID})
		if err != nil {
			t.Fatal(err)
		}
		ask := func(ids []int64, refs []string, caseID int64) (*haven.AnalysisRequest, error) {
			r := &haven.AnalysisRequest{CaseNumber: "RPD-7", Question: "Who else used this number?", ReportIDs: ids, ReportRefs: refs, CaseID: caseID}
			return r, svc.CreateAnalysisRequest(ctx, officer, r)
		}
		for _, bad := range []struct {
			ids   []int64
			refs  []string
			case_ int64
			field string
		}{
			{[]int64{theirs.ID}, nil, 0, "report_ids"},
			{nil, []string{theirs.Ref}, 0, "report_ids"},
			{nil, []string{"HV-NONE-SUCH"}, 0, "report_ids"},
			{[]int64{mine.ID + 1000}, nil, 0, "report_ids"},
			{nil, nil, theirCase.ID, "case_id"},
			{nil, nil, theirCase.ID + 1000, "case_id"},
		} {
			if _, err := ask(bad.ids, bad.refs, bad.case_); haven.ErrorField(err) != bad.field {
				t.Errorf("a request naming %v %v case %d: %v, want a %s field error", bad.ids, bad.refs, bad.case_, err, bad.field)
			}
		}
		if rs, _, err := svc.ListAnalysisRequests(ctx, officer, haven.AnalysisRequestFilter{}); err != nil || len(rs) != 0 {
			t.Errorf("refused requests stored: %d (%v)", len(rs), err)
		}
		r, err := ask([]int64{mine.ID}, []string{strings.ToLower(mine.Ref)}, 0)
		if err != nil {
			t.Fatal(err)
		}
		got, _, err := svc.GetAnalysisRequest(ctx, officer, r.ID)
		if err != nil || len(got.ReportIDs) != 1 || got.ReportIDs[0] != mine.ID {
			t.Errorf("request naming the officer's report by id and by reference: %v (%v), want [%d]", got.ReportIDs, err, mine.ID)
		}
	})
}
