package haven_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// The authorisation matrix (issue 5): every role × every action on a
// report × the report's relation to the actor, through the service as a
// page or the API calls it, on both stores. The expected answers are
// written out here by hand, from the product's rules (mission.md: need to
// know), not derived from the rule table they check. Every refusal must be
// in the audit log, against the record.

// matrixRelation is how a report stands to the actor.
type matrixRelation string

const (
	repOwnAgency   matrixRelation = "own agency"   // held by the actor's agency, in its jurisdiction, nobody has it
	repOtherAgency matrixRelation = "other agency" // held by another agency, in another state, nobody has it
	repUnassigned  matrixRelation = "unassigned"   // the clearinghouse's, nobody has it
	repTaken       matrixRelation = "taken"        // the clearinghouse's, another analyst has it
)

var matrixRelations = []matrixRelation{repOwnAgency, repOtherAgency, repUnassigned, repTaken}

// outcome is what an action must come to.
type outcome string

const (
	mAllow    outcome = "allow"
	mDeny     outcome = "deny"     // refused (forbidden, or not found for a record one may not see), and audited
	mConflict outcome = "conflict" // allowed, but someone else has the report
)

// reportAction is one thing done to a report, with the audit action its
// refusal is recorded under.
type reportAction struct {
	name, audit string
	do          func(ctx context.Context, svc *haven.Service, a haven.Actor, id, other int64) error
}

var reportActions = []reportAction{
	{"view", "report.view", func(ctx context.Context, svc *haven.Service, a haven.Actor, id, _ int64) error {
		_, err := svc.GetReport(ctx, a, id, "matrix")
		return err
	}},
	{"claim", "report.claim", func(ctx context.Context, svc *haven.Service, a haven.Actor, id, _ int64) error {
		_, err := svc.ClaimReport(ctx, a, id)
		return err
	}},
	{"release", "report.release", func(ctx context.Context, svc *haven.Service, a haven.Actor, id, _ int64) error {
		_, err := svc.ReleaseReport(ctx, a, id)
		return err
	}},
	{"assign to an analyst", "report.assign", func(ctx context.Context, svc *haven.Service, a haven.Actor, id, other int64) error {
		_, err := svc.AssignReport(ctx, a, id, other)
		return err
	}},
	{"override priority", "report.priority", func(ctx context.Context, svc *haven.Service, a haven.Actor, id, _ int64) error {
		_, err := svc.OverridePriority(ctx, a, id, haven.P1, "The matrix test raises it (synthetic).")
		return err
	}},
}

// expectedReport is the matrix: for each action and relation, the roles
// allowed (or answered with a mConflict); every other role is refused.
var expectedReport = map[string]map[matrixRelation]map[haven.Role]outcome{
	"view": {
		repOwnAgency:   {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow, haven.RoleOfficer: mAllow, haven.RoleChildWelfare: mAllow},
		repOtherAgency: {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
	},
	"claim": {
		repOwnAgency:   {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repOtherAgency: {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleAnalyst: mConflict, haven.RoleSupervisor: mConflict},
	},
	"release": {
		repOwnAgency:   {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repOtherAgency: {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleSupervisor: mAllow},
	},
	"assign to an analyst": {
		repOwnAgency:   {haven.RoleSupervisor: mAllow},
		repOtherAgency: {haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleSupervisor: mAllow},
	},
	"override priority": {
		repOwnAgency:   {haven.RoleSupervisor: mAllow},
		repOtherAgency: {haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleSupervisor: mAllow},
	},
}

// matrixWorld is what every matrix test starts from: two agencies (own:
// Texas, other: Washington), two analysts (one who holds "taken" records,
// one to assign records to), and one actor of every role, of the own agency
// when the role needs one.
type matrixWorld struct {
	own, other     *haven.Agency
	holder, target *haven.User
	actors         map[haven.Role]haven.Actor
}

func newMatrixWorld(t *testing.T, svc *haven.Service) *matrixWorld {
	t.Helper()
	ctx := context.Background()
	w := &matrixWorld{actors: map[haven.Role]haven.Actor{},
		own:   &haven.Agency{Name: "Austin Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "TX"},
		other: &haven.Agency{Name: "Spokane Police Department", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "WA"}}
	for _, ag := range []*haven.Agency{w.own, w.other} {
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			t.Fatal(err)
		}
	}
	w.holder, _ = addUser(t, svc, "analyst.holder", haven.RoleAnalyst, 0)
	w.target, _ = addUser(t, svc, "analyst.target", haven.RoleAnalyst, 0)
	for _, role := range haven.Roles {
		agency := int64(0)
		if role.NeedsAgency() {
			agency = w.own.ID
		}
		u, _ := addUser(t, svc, "matrix."+strings.ReplaceAll(string(role), "_", "-"), role, agency)
		a := actor(u)
		if agency != 0 {
			a.Jurisdiction = w.own.Jurisdiction()
		}
		w.actors[role] = a
	}
	return w
}

// check compares the outcome of one cell with want, and for a refusal
// looks for the actor's one refusal of it in the audit log, against the
// record. It reports whether the cell is as it should be.
func (w *matrixWorld) check(t *testing.T, svc *haven.Service, what string, role haven.Role, want outcome, err error, audit string, kind haven.Kind, id int64) bool {
	t.Helper()
	got := mAllow
	switch haven.ErrorCode(err) {
	case "":
	case haven.EFORBIDDEN, haven.ENOTFOUND:
		got = mDeny
	case haven.ECONFLICT:
		got = mConflict
	default:
		t.Errorf("%s: unexpected error %v", what, err)
		return false
	}
	if got != want {
		t.Errorf("%s: %s (%v), want %s", what, got, err, want)
		return false
	}
	if got == mDeny {
		denied, _, err := svc.ListAudit(context.Background(), sys, haven.AuditFilter{Action: audit, Outcome: haven.OutcomeDenied, Kind: kind, RecordID: id})
		if err != nil || len(denied) != 1 || denied[0].ActorID != w.actors[role].UserID {
			t.Errorf("%s: refused, but the audit log has %d refusals of %s for it (%v)", what, len(denied), audit, err)
			return false
		}
	}
	return true
}

func TestAuthorisationMatrixForReports(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newMatrixWorld(t, svc)
		own, other, holder, target, actors := w.own, w.other, w.holder, w.target, w.actors
		newReport := func(rel matrixRelation) *haven.Report {
			r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Priority: haven.P3,
				Narrative: "A report for the authorisation matrix (synthetic)."}
			switch rel {
			case repOwnAgency:
				r.AgencyID, r.Places = own.ID, []haven.Place{{Role: haven.PlaceIncident, City: "Austin", State: "TX"}}
			case repOtherAgency:
				r.AgencyID, r.Places = other.ID, []haven.Place{{Role: haven.PlaceIncident, City: "Spokane", State: "WA"}}
			}
			if err := svc.CreateReport(ctx, sys, r); err != nil {
				t.Fatal(err)
			}
			if rel == repTaken {
				if _, err := svc.AssignReport(ctx, sys, r.ID, holder.ID); err != nil {
					t.Fatal(err)
				}
			}
			return r
		}
		checked := 0
		for _, act := range reportActions {
			for _, rel := range matrixRelations {
				for _, role := range haven.Roles {
					want, ok := expectedReport[act.name][rel][role]
					if !ok {
						want = mDeny
					}
					r := newReport(rel)
					err := act.do(ctx, svc, actors[role], r.ID, target.ID)
					if w.check(t, svc, fmt.Sprintf("%s: %s a report (%s)", role, act.name, rel), role, want, err, act.audit, haven.KindReport, r.ID) {
						checked++
					}
				}
			}
		}
		if want := len(reportActions) * len(matrixRelations) * len(haven.Roles); checked != want {
			t.Errorf("checked %d cells of %d", checked, want)
		}
	})
}

// caseAction is one thing done to a case; other is a second analyst (the
// one to assign it to), twin a second case about the same child (for a
// merge), det a determination pending on the case (for an approval).
type caseAction struct {
	name, audit string
	do          func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error
}

type matrixCase struct {
	id, other, twin, det int64
}

var caseActions = []caseAction{
	{"view", "case.view", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.CaseDetail(ctx, a, c.id, "matrix")
		return err
	}},
	{"claim", "case.assign", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.AssignCase(ctx, a, c.id, a.UserID)
		return err
	}},
	{"assign to an analyst", "case.assign", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.AssignCase(ctx, a, c.id, c.other)
		return err
	}},
	{"add a note", "case.note", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.AddCaseNote(ctx, a, c.id, "A note for the matrix (synthetic).", false)
		return err
	}},
	{"add a task", "case.task_add", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.AddCaseTask(ctx, a, c.id, "Call the reporting agency back", c.other, nil)
		return err
	}},
	{"change its status", "case.status", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.SetCaseStatus(ctx, a, c.id, haven.CaseActive, "Work has started (synthetic).")
		return err
	}},
	{"record a determination", "case.determination_record", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.RecordDetermination(ctx, a, c.id, haven.DeterminationUndetermined, "Not enough known yet (synthetic).", nil)
		return err
	}},
	{"approve a determination", "case.determination_approve", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.ApproveDetermination(ctx, a, c.id, c.det)
		return err
	}},
	{"merge another case into it", "case.merge", func(ctx context.Context, svc *haven.Service, a haven.Actor, c *matrixCase) error {
		_, err := svc.MergeCases(ctx, a, c.id, c.twin, "The same child, opened twice (synthetic).")
		return err
	}},
}

// supervisorOnly allows supervisors in every relation.
var supervisorOnly = map[matrixRelation]map[haven.Role]outcome{
	repOwnAgency: {haven.RoleSupervisor: mAllow}, repOtherAgency: {haven.RoleSupervisor: mAllow},
	repUnassigned: {haven.RoleSupervisor: mAllow}, repTaken: {haven.RoleSupervisor: mAllow},
}

// expectedCase is the matrix for cases. Analysts change only the cases
// they have (none of these relations: "taken" is another analyst's), so
// notes, tasks, status and determinations are the supervisors' here.
var expectedCase = map[string]map[matrixRelation]map[haven.Role]outcome{
	"view": {
		repOwnAgency:   {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow, haven.RoleOfficer: mAllow, haven.RoleChildWelfare: mAllow},
		repOtherAgency: {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
	},
	"claim": {
		repOwnAgency:   {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repOtherAgency: {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repUnassigned:  {haven.RoleAnalyst: mAllow, haven.RoleSupervisor: mAllow},
		repTaken:       {haven.RoleSupervisor: mAllow},
	},
	"assign to an analyst":       supervisorOnly,
	"add a note":                 supervisorOnly,
	"add a task":                 supervisorOnly,
	"change its status":          supervisorOnly,
	"record a determination":     supervisorOnly,
	"approve a determination":    supervisorOnly,
	"merge another case into it": supervisorOnly,
}

func TestAuthorisationMatrixForCases(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		w := newMatrixWorld(t, svc)
		own, other, holder, target, actors := w.own, w.other, w.holder, w.target, w.actors
		n := 0
		newCase := func(rel matrixRelation) *matrixCase {
			n++
			child := &haven.Child{FirstName: "Matrix", LastName: fmt.Sprintf("Child%03d", n), State: "TX"}
			if rel == repOtherAgency {
				child.State = "WA"
			}
			if err := svc.CreateChild(ctx, sys, child); err != nil {
				t.Fatal(err)
			}
			cs := &haven.Case{ChildID: child.ID, State: child.State}
			switch rel {
			case repOwnAgency:
				cs.AgencyID = own.ID
			case repOtherAgency:
				cs.AgencyID = other.ID
			}
			twin := &haven.Case{ChildID: child.ID, State: child.State, AgencyID: cs.AgencyID}
			for _, x := range []*haven.Case{cs, twin} {
				if err := svc.CreateCase(ctx, sys, x); err != nil {
					t.Fatal(err)
				}
			}
			if rel == repTaken {
				if _, err := svc.AssignCase(ctx, sys, cs.ID, holder.ID); err != nil {
					t.Fatal(err)
				}
			}
			det, err := svc.RecordDetermination(ctx, sys, cs.ID, haven.DeterminationUndetermined, "Recorded for the matrix (synthetic).", nil)
			if err != nil {
				t.Fatal(err)
			}
			return &matrixCase{id: cs.ID, other: target.ID, twin: twin.ID, det: det.ID}
		}
		checked := 0
		for _, act := range caseActions {
			for _, rel := range matrixRelations {
				for _, role := range haven.Roles {
					want, ok := expectedCase[act.name][rel][role]
					if !ok {
						want = mDeny
					}
					mc := newCase(rel)
					if act.name == "record a determination" {
						// One pending at a time: approve the one made above.
						if _, err := svc.ApproveDetermination(ctx, sys, mc.id, mc.det); err != nil {
							t.Fatal(err)
						}
					}
					err := act.do(ctx, svc, actors[role], mc)
					if w.check(t, svc, fmt.Sprintf("%s: %s a case (%s)", role, act.name, rel), role, want, err, act.audit, haven.KindCase, mc.id) {
						checked++
					}
				}
			}
		}
		if want := len(caseActions) * len(matrixRelations) * len(haven.Roles); checked != want {
			t.Errorf("checked %d cells of %d", checked, want)
		}
	})
}
