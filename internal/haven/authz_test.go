package haven

import (
	"fmt"
	"testing"
)

// relations between an actor and a record that the matrix walks.
var relations = []struct {
	name string
	res  func(a Actor) Resource
}{
	{"own agency, in jurisdiction", func(a Actor) Resource {
		return Resource{ID: 7, AgencyID: a.AgencyID, State: "TX", CreatedBy: 999, AssignedTo: 998}
	}},
	{"own agency, out of jurisdiction", func(a Actor) Resource {
		return Resource{ID: 7, AgencyID: a.AgencyID, State: "OK", CreatedBy: 999, AssignedTo: 998}
	}},
	{"other agency", func(a Actor) Resource {
		return Resource{ID: 7, AgencyID: 555, State: "TX", CreatedBy: 999, AssignedTo: 998}
	}},
	{"created by me", func(a Actor) Resource {
		return Resource{ID: 7, AgencyID: 555, State: "CA", CreatedBy: a.UserID, AssignedTo: 998}
	}},
	{"assigned to me", func(a Actor) Resource {
		return Resource{ID: 7, AgencyID: 555, State: "CA", CreatedBy: 999, AssignedTo: a.UserID}
	}},
	{"unassigned", func(a Actor) Resource { return Resource{ID: 7, AgencyID: 555, State: "CA", CreatedBy: 999} }},
	{"my own account", func(a Actor) Resource { return Resource{ID: a.UserID, AgencyID: a.AgencyID} }},
}

func actorFor(r Role) Actor {
	return Actor{UserID: 42, Username: "u", Role: r, AgencyID: 10, Jurisdiction: []string{"TX"}}
}

// TestScopeAgreesWithCan walks every role × kind × action × relation and
// checks that the compiled Scope (which becomes the lists' WHERE clause)
// selects exactly the records Can allows: a list never shows what opening
// refuses, and never hides what opening allows.
func TestScopeAgreesWithCan(t *testing.T) {
	kinds := []Kind{KindReport, KindCase, KindChild, KindUser, KindAgency, KindAudit, KindToken, KindESP, KindIdentifier, KindNetwork, KindPersonMatch}
	actions := []Action{ActionCreate, ActionView, ActionUpdate, ActionAssign, ActionDelegate, ActionAdmin}
	for _, role := range Roles {
		a := actorFor(role)
		for _, k := range kinds {
			for _, act := range actions {
				scope := ScopeFor(a, act, k)
				for _, rel := range relations {
					res := rel.res(a)
					res.Kind = k
					if got, want := scope.Match(res), Can(a, act, res); got != want {
						t.Errorf("%s %s %s (%s): scope says %v, Can says %v", role, act, k, rel.name, got, want)
					}
				}
			}
		}
	}
}

// TestReportAndCaseVisibilityMatrix states, for every role, which reports
// and cases it may open, by relation. "+" allows, "-" refuses; the columns
// follow the relations above.
func TestReportAndCaseVisibilityMatrix(t *testing.T) {
	//                          own-agency-in  own-agency-out  other  created  assigned  unassigned
	want := map[Role]map[Kind]string{
		RoleAnalyst:        {KindReport: "++++++", KindCase: "++++++", KindChild: "++++++"},
		RoleSupervisor:     {KindReport: "++++++", KindCase: "++++++", KindChild: "++++++"},
		RoleHotline:        {KindReport: "---+--", KindCase: "------", KindChild: "---+--"},
		RoleOfficer:        {KindReport: "+--+--", KindCase: "+-----", KindChild: "+--+--"},
		RoleChildWelfare:   {KindReport: "+--+--", KindCase: "+-----", KindChild: "+--+--"},
		RoleFosterParent:   {KindReport: "---+--", KindCase: "------", KindChild: "------"},
		RoleRecovery:       {KindReport: "------", KindCase: "------", KindChild: "------"},
		RoleFamilyAdvocate: {KindReport: "------", KindCase: "------", KindChild: "------"},
		RolePeerVolunteer:  {KindReport: "------", KindCase: "------", KindChild: "------"},
		RoleTrainer:        {KindReport: "------", KindCase: "------", KindChild: "------"},
		RoleLearner:        {KindReport: "------", KindCase: "------", KindChild: "------"},
		RoleAdmin:          {KindReport: "------", KindCase: "------", KindChild: "------"},
	}
	for _, role := range Roles {
		a := actorFor(role)
		for kind, row := range want[role] {
			got := ""
			for _, rel := range relations[:6] {
				res := rel.res(a)
				res.Kind = kind
				if Can(a, ActionView, res) {
					got += "+"
				} else {
					got += "-"
				}
			}
			if got != row {
				t.Errorf("%s viewing %s: got %s, want %s (own-in own-out other created assigned unassigned)", role, kind, got, row)
			}
		}
	}
}

func TestOnlyAdministratorsSeeTheAuditLogAndManageAccounts(t *testing.T) {
	for _, role := range Roles {
		a := actorFor(role)
		wantAdmin := role == RoleAdmin
		if got := CanKind(a, ActionView, KindAudit); got != wantAdmin {
			t.Errorf("%s may view the audit log: %v", role, got)
		}
		if got := CanKind(a, ActionCreate, KindUser); got != wantAdmin {
			t.Errorf("%s may create accounts: %v", role, got)
		}
	}
	if !CanKind(System("ops"), ActionView, KindAudit) {
		t.Error("the command-line operator may not view the audit log")
	}
}

func TestActorWithoutAgencyGetsNothingFromAgencyRules(t *testing.T) {
	a := Actor{UserID: 5, Role: RoleOfficer} // an officer whose agency was not set
	s := ScopeFor(a, ActionView, KindReport)
	if s.All || s.Match(Resource{Kind: KindReport, AgencyID: 0, CreatedBy: 6}) {
		t.Fatalf("an officer without an agency sees reports held by no agency: %+v", s)
	}
}

func TestZeroScopeSelectsNothing(t *testing.T) {
	var s Scope
	for i := 0; i < 5; i++ {
		if s.Match(Resource{ID: int64(i), AgencyID: int64(i)}) {
			t.Fatal(fmt.Sprintf("zero scope matched record %d", i))
		}
	}
}

func TestOnlyAnalystsAndSupervisorsMayReviewPersonMatches(t *testing.T) {
	for _, role := range Roles {
		a := actorFor(role)
		want := role == RoleAnalyst || role == RoleSupervisor
		for _, act := range []Action{ActionView, ActionUpdate} {
			if got := CanKind(a, act, KindPersonMatch); got != want {
				t.Errorf("%s may %s person matches: %v, want %v", role, act, got, want)
			}
		}
		if CanKind(a, ActionCreate, KindPersonMatch) {
			t.Errorf("%s may create person matches: only the ingest step suggests them", role)
		}
	}
}
