package haven

// Authorisation is written once, here, as data: for each action on each kind
// of record, the alternative sets of conditions that allow it. The same table
// answers "may this actor do this to this record?" (Can), decides which
// buttons a page shows, and is compiled into a Scope that both stores turn
// into the WHERE clause of every list and count, so that a list can never show
// a row that opening it would refuse.

// Kind is a kind of record that authorisation rules talk about.
type Kind string

// Record kinds.
const (
	KindReport Kind = "report"
	KindCase   Kind = "case"
	KindChild  Kind = "child"
	KindUser   Kind = "user"
	KindAgency Kind = "agency"
	KindAudit  Kind = "audit"
	KindToken  Kind = "token"
	KindESP    Kind = "esp_account"
)

// Action is something an actor does to a record.
type Action string

// Actions. List is the right to see a record in lists and counts; it always
// equals View so that lists never show what opening refuses.
const (
	ActionCreate   Action = "create"
	ActionView     Action = "view"
	ActionUpdate   Action = "update"
	ActionAssign   Action = "assign"   // claim, assign or release
	ActionDelegate Action = "delegate" // give a record to someone else (with ActionAssign)
	ActionAdmin    Action = "admin"    // administer (users: disable, reset MFA, issue tokens)
)

// Cond is one condition on the relation between an actor and a record.
type Cond uint8

// Conditions. A rule's conditions must all hold.
const (
	SameAgency     Cond = iota + 1 // the record's agency is the actor's (and the actor has one)
	AssignedToMe                   // the record is assigned to the actor
	CreatedByMe                    // the actor created the record
	InJurisdiction                 // the record's state is in the actor's agency's jurisdiction
	Unassigned                     // the record is assigned to nobody
	Self                           // the record is the actor's own account (for tokens: the token's owner is the actor)
)

// Rule allows Role to do Action to records of Kind when every condition in
// When holds. A rule with no conditions allows it for every record.
type Rule struct {
	Kind   Kind
	Action Action
	Role   Role
	When   []Cond
}

var (
	staffRoles    = []Role{RoleHotline, RoleAnalyst, RoleSupervisor, RoleOfficer, RoleChildWelfare, RoleFosterParent, RoleRecovery, RoleFamilyAdvocate, RolePeerVolunteer, RoleTrainer, RoleLearner, RoleAdmin}
	reportWriters = []Role{RoleHotline, RoleAnalyst, RoleSupervisor, RoleOfficer, RoleChildWelfare, RoleFosterParent}
)

// Rules is Haven's authorisation table. An action not allowed here is
// refused. The system operator (the CLI) is allowed everything.
var Rules = buildRules()

func buildRules() []Rule {
	var rs []Rule
	add := func(k Kind, a Action, roles []Role, when ...Cond) {
		for _, r := range roles {
			rs = append(rs, Rule{Kind: k, Action: a, Role: r, When: when})
		}
	}
	one := func(r Role) []Role { return []Role{r} }

	// Reports: anyone who takes reports may create one; the clearinghouse's
	// analysts and supervisors see all; others see what they entered or what
	// is held by their agency within its jurisdiction.
	add(KindReport, ActionCreate, reportWriters)
	add(KindReport, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindReport, ActionView, []Role{RoleHotline, RoleChildWelfare, RoleFosterParent, RoleOfficer}, CreatedByMe)
	add(KindReport, ActionView, []Role{RoleOfficer, RoleChildWelfare}, SameAgency, InJurisdiction)
	add(KindReport, ActionUpdate, one(RoleAnalyst), AssignedToMe)
	add(KindReport, ActionUpdate, one(RoleSupervisor))
	add(KindReport, ActionAssign, one(RoleAnalyst), Unassigned)
	add(KindReport, ActionAssign, one(RoleAnalyst), AssignedToMe)
	add(KindReport, ActionAssign, one(RoleSupervisor))
	// Analysts take reports for themselves; supervisors also give them to
	// others (queue.go).
	add(KindReport, ActionDelegate, one(RoleSupervisor))
	// The deadline view (queue.go): breached and nearly breached
	// deadlines, for supervisors.
	add(KindDeadlines, ActionView, one(RoleSupervisor))
	// Only a supervisor overrides a report's triage priority (triage.go).
	add(KindReport, ActionPrioritize, one(RoleSupervisor))

	// Cases are the analysts' work, shared with the agency they concern.
	add(KindCase, ActionCreate, []Role{RoleAnalyst, RoleSupervisor})
	add(KindCase, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindCase, ActionView, []Role{RoleOfficer, RoleChildWelfare}, SameAgency, InJurisdiction)
	add(KindCase, ActionUpdate, one(RoleAnalyst), AssignedToMe)
	add(KindCase, ActionUpdate, one(RoleSupervisor))
	add(KindCase, ActionAssign, one(RoleAnalyst), Unassigned)
	add(KindCase, ActionAssign, one(RoleAnalyst), AssignedToMe)
	add(KindCase, ActionAssign, one(RoleSupervisor))
	// Merging two cases (and splitting them again) and approving or
	// returning a determination are a supervisor's (case_merge.go,
	// case_determination.go).
	add(KindCase, ActionMerge, one(RoleSupervisor))
	add(KindCase, ActionApprove, one(RoleSupervisor))

	// Retention (retention.go): administrators set the policy; legal holds
	// are placed and released by administrators and supervisors.
	add(KindRetention, ActionView, one(RoleAdmin))
	add(KindRetention, ActionUpdate, one(RoleAdmin))
	add(KindLegalHold, ActionCreate, []Role{RoleAdmin, RoleSupervisor})
	add(KindLegalHold, ActionView, []Role{RoleAdmin, RoleSupervisor})
	add(KindLegalHold, ActionUpdate, []Role{RoleAdmin, RoleSupervisor})

	// Children on file.
	add(KindChild, ActionCreate, []Role{RoleAnalyst, RoleSupervisor, RoleChildWelfare, RoleOfficer, RoleHotline})
	add(KindChild, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindChild, ActionView, []Role{RoleChildWelfare, RoleOfficer, RoleHotline}, CreatedByMe)
	add(KindChild, ActionView, []Role{RoleChildWelfare, RoleOfficer}, SameAgency, InJurisdiction)
	add(KindChild, ActionUpdate, []Role{RoleAnalyst, RoleSupervisor})

	// Linking (linking.go): the clearinghouse's analysts and supervisors
	// see the identifier index and the networks of linked reports, and
	// decide which identifiers link (ActionUpdate: exclude a noisy one,
	// confirm a flagged one). Whoever may open a report sees its links to
	// the other reports they may open (Service.ReportLinks).
	add(KindIdentifier, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindIdentifier, ActionUpdate, []Role{RoleAnalyst, RoleSupervisor})
	add(KindNetwork, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	// Person matches (person_match.go): the same analysts and supervisors
	// see the suggested matches of people in reports with children on file
	// and confirm or reject them.
	add(KindPersonMatch, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindPersonMatch, ActionUpdate, []Role{RoleAnalyst, RoleSupervisor})

	// Missing episodes (missing-child reports, missing from care, recovery;
	// see missing.go). Whoever takes reports may report a child missing;
	// the clearinghouse's analysts and supervisors see all; officers and
	// child-welfare workers see their agency's within its jurisdiction;
	// every reporter sees the episodes they filed. The recovery and its
	// debrief are recorded by the clearinghouse or by the agency holding the
	// episode (or the officer or worker who filed it).
	add(KindEpisode, ActionCreate, reportWriters)
	add(KindEpisode, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindEpisode, ActionView, []Role{RoleHotline, RoleOfficer, RoleChildWelfare, RoleFosterParent}, CreatedByMe)
	add(KindEpisode, ActionView, []Role{RoleOfficer, RoleChildWelfare}, SameAgency, InJurisdiction)
	add(KindEpisode, ActionUpdate, []Role{RoleAnalyst, RoleSupervisor})
	add(KindEpisode, ActionUpdate, []Role{RoleOfficer, RoleChildWelfare}, CreatedByMe)
	add(KindEpisode, ActionUpdate, []Role{RoleOfficer, RoleChildWelfare}, SameAgency, InJurisdiction)

	// Analytical support (analysis.go): officers ask for analysis for their
	// agency and see their agency's requests and the products that answer
	// them; the clearinghouse's analysts and supervisors see every request,
	// take them (ActionAssign) and answer with products. Nobody else sees
	// either: analytical products are for law enforcement only. The
	// requesting agency's officers, the analyst who has a request and
	// supervisors close it (ActionUpdate).
	add(KindAnalysisRequest, ActionCreate, one(RoleOfficer))
	add(KindAnalysisRequest, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindAnalysisRequest, ActionView, one(RoleOfficer), SameAgency)
	add(KindAnalysisRequest, ActionAssign, one(RoleAnalyst), Unassigned)
	add(KindAnalysisRequest, ActionAssign, one(RoleAnalyst), AssignedToMe)
	add(KindAnalysisRequest, ActionAssign, one(RoleSupervisor))
	add(KindAnalysisRequest, ActionDelegate, one(RoleSupervisor))
	add(KindAnalysisRequest, ActionUpdate, one(RoleAnalyst), AssignedToMe)
	add(KindAnalysisRequest, ActionUpdate, one(RoleSupervisor))
	add(KindAnalysisRequest, ActionUpdate, one(RoleOfficer), SameAgency)
	add(KindProduct, ActionCreate, []Role{RoleAnalyst, RoleSupervisor})
	add(KindProduct, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindProduct, ActionView, one(RoleOfficer), SameAgency)

	// Referrals (referral.go): the clearinghouse's analysts and supervisors
	// send them, see them all and answer the agencies' questions; an
	// agency's officers (and child-welfare workers) see and act on their
	// own agency's referrals only. Nobody else sees any.
	add(KindReferral, ActionCreate, []Role{RoleAnalyst, RoleSupervisor})
	add(KindReferral, ActionView, []Role{RoleAnalyst, RoleSupervisor})
	add(KindReferral, ActionAnswer, []Role{RoleAnalyst, RoleSupervisor})
	add(KindReferral, ActionView, ReferralRoles, SameAgency)
	add(KindReferral, ActionUpdate, ReferralRoles, SameAgency)

	// Accounts, agencies, audit: administration.
	add(KindUser, ActionCreate, one(RoleAdmin))
	add(KindUser, ActionView, one(RoleAdmin))
	add(KindUser, ActionView, []Role{RoleSupervisor})
	add(KindUser, ActionView, staffRoles, Self)
	add(KindUser, ActionUpdate, one(RoleAdmin))
	add(KindUser, ActionAdmin, one(RoleAdmin))
	add(KindToken, ActionCreate, one(RoleAdmin))
	add(KindToken, ActionCreate, staffRoles, Self)
	add(KindAgency, ActionCreate, one(RoleAdmin))
	add(KindAgency, ActionUpdate, one(RoleAdmin))
	add(KindAgency, ActionView, staffRoles)
	add(KindESP, ActionCreate, one(RoleAdmin))
	add(KindESP, ActionView, one(RoleAdmin))
	// ESP accounts: administrators disable and re-enable them (esp.go).
	add(KindESP, ActionUpdate, one(RoleAdmin))
	add(KindAudit, ActionView, one(RoleAdmin))

	// Hotline console (hotline.go): specialists take calls and see and
	// change their own; supervisors see every call. A notification is
	// "assigned" to its recipient, who alone sees it and marks it read.
	add(KindCall, ActionCreate, one(RoleHotline))
	add(KindCall, ActionView, one(RoleHotline), CreatedByMe)
	add(KindCall, ActionView, one(RoleSupervisor))
	add(KindCall, ActionUpdate, one(RoleHotline), CreatedByMe)
	add(KindNotification, ActionView, staffRoles, AssignedToMe)
	add(KindNotification, ActionUpdate, staffRoles, AssignedToMe)

	// The public (Actor.Via "public", no role, no user) is in no rule, so
	// it may see and change nothing. The one exception is written in the
	// service rather than here: Service.SubmitTip lets the public create a
	// report on the public_tip channel, and Service.AddSupplement lets
	// whoever holds a report's reference and follow-up code add a
	// supplement to it (the code is the authorisation; it opens nothing for
	// reading). Both also accept a partner organisation's intake system
	// relaying tips through the JSON API: a token whose user may create
	// reports. Both refuse every other actor (see tip.go).
	return rs
}

// Actor is whoever is acting: a signed-in user, an API token's user, an ESP,
// the public, or the operator at the command line. It carries what the rules
// need and what the audit log records.
type Actor struct {
	UserID   int64
	Username string
	Role     Role  // "" for the public and ESPs
	AgencyID int64 // 0 = none
	// Jurisdiction is the actor's agency's postal codes; nil = nationwide
	// (or no agency). Only consulted together with SameAgency.
	Jurisdiction []string
	IP           string // where the request came from
	Via          string // "web", "api", "esp", "cli", "job"
}

// System returns the actor for an operator at the command line, who is
// allowed everything the binary can do and is recorded under name.
func System(name string) Actor {
	return Actor{Username: name, Role: RoleSystem, Via: "cli"}
}

// Resource is what the rules need to know about one record.
type Resource struct {
	Kind       Kind
	ID         int64
	AgencyID   int64
	AssignedTo int64
	CreatedBy  int64
	State      string
}

// Resource returns what the rules need to know about the report.
func (r *Report) Resource() Resource {
	return Resource{Kind: KindReport, ID: r.ID, AgencyID: r.AgencyID, AssignedTo: r.AssignedTo, CreatedBy: r.CreatedBy, State: r.State}
}

// Resource returns what the rules need to know about the case.
func (c *Case) Resource() Resource {
	return Resource{Kind: KindCase, ID: c.ID, AgencyID: c.AgencyID, AssignedTo: c.AssignedTo, CreatedBy: c.CreatedBy, State: c.State}
}

// Resource returns what the rules need to know about the child.
func (c *Child) Resource() Resource {
	return Resource{Kind: KindChild, ID: c.ID, AgencyID: c.AgencyID, CreatedBy: c.CreatedBy, State: c.State}
}

// Resource returns what the rules need to know about the user account.
func (u *User) Resource() Resource {
	return Resource{Kind: KindUser, ID: u.ID, AgencyID: u.AgencyID}
}

// Can reports whether the actor may do action to the record.
func Can(a Actor, action Action, r Resource) bool {
	if a.Role == RoleSystem {
		return true
	}
	for _, rule := range Rules {
		if rule.Kind == r.Kind && rule.Action == action && rule.Role == a.Role && holds(a, r, rule.When) {
			return true
		}
	}
	return false
}

// CanKind reports whether some rule lets the actor do action to at least some
// records of kind: whether a page should offer the action at all.
func CanKind(a Actor, action Action, kind Kind) bool {
	if a.Role == RoleSystem {
		return true
	}
	for _, rule := range Rules {
		if rule.Kind == kind && rule.Action == action && rule.Role == a.Role {
			return true
		}
	}
	return false
}

func holds(a Actor, r Resource, when []Cond) bool {
	for _, c := range when {
		switch c {
		case SameAgency:
			if a.AgencyID == 0 || r.AgencyID != a.AgencyID {
				return false
			}
		case AssignedToMe:
			if a.UserID == 0 || r.AssignedTo != a.UserID {
				return false
			}
		case CreatedByMe:
			if a.UserID == 0 || r.CreatedBy != a.UserID {
				return false
			}
		case InJurisdiction:
			if a.Jurisdiction != nil && !oneOf(r.State, a.Jurisdiction) {
				return false
			}
		case Unassigned:
			if r.AssignedTo != 0 {
				return false
			}
		case Self:
			if a.UserID == 0 || r.ID != a.UserID {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// Scope is a compiled authorisation: the records an actor may see, as the
// union of conjunctions. The zero Scope selects nothing; stores must return
// no rows for it.
type Scope struct {
	All bool   // every record
	Any []Conj // or: records matching any of these
}

// Conj is a conjunction of conditions on a record's columns. A zero field is
// no condition, except that Conj{} itself never occurs (it would be All).
type Conj struct {
	AgencyID   int64    // agency_id = AgencyID
	AssignedTo int64    // assigned_to = AssignedTo
	CreatedBy  int64    // created_by = CreatedBy
	Unassigned bool     // assigned_to is 0 / NULL
	States     []string // state IN States (only when HasStates)
	HasStates  bool
	ID         int64 // id = ID (for Self)
}

// ScopeFor compiles the rules for the actor, action and kind into a Scope.
func ScopeFor(a Actor, action Action, kind Kind) Scope {
	if a.Role == RoleSystem {
		return Scope{All: true}
	}
	var s Scope
	for _, rule := range Rules {
		if rule.Kind != kind || rule.Action != action || rule.Role != a.Role {
			continue
		}
		if len(rule.When) == 0 {
			return Scope{All: true}
		}
		c, ok := compile(a, rule.When)
		if ok {
			s.Any = append(s.Any, c)
		}
	}
	return s
}

// compile turns conditions into a Conj; ok is false when they can never hold
// for this actor (e.g. SameAgency for an actor without an agency).
func compile(a Actor, when []Cond) (c Conj, ok bool) {
	for _, cond := range when {
		switch cond {
		case SameAgency:
			if a.AgencyID == 0 {
				return c, false
			}
			c.AgencyID = a.AgencyID
		case AssignedToMe:
			if a.UserID == 0 {
				return c, false
			}
			c.AssignedTo = a.UserID
		case CreatedByMe:
			if a.UserID == 0 {
				return c, false
			}
			c.CreatedBy = a.UserID
		case InJurisdiction:
			if a.Jurisdiction != nil {
				c.States, c.HasStates = a.Jurisdiction, true
			}
		case Unassigned:
			c.Unassigned = true
		case Self:
			if a.UserID == 0 {
				return c, false
			}
			c.ID = a.UserID
		default:
			return c, false
		}
	}
	return c, true
}

// Match reports whether the record satisfies the scope; stores' SQL must
// agree with it (the store contract suite checks that they do).
func (s Scope) Match(r Resource) bool {
	if s.All {
		return true
	}
	for _, c := range s.Any {
		if c.match(r) {
			return true
		}
	}
	return false
}

func (c Conj) match(r Resource) bool {
	return (c.AgencyID == 0 || r.AgencyID == c.AgencyID) &&
		(c.AssignedTo == 0 || r.AssignedTo == c.AssignedTo) &&
		(c.CreatedBy == 0 || r.CreatedBy == c.CreatedBy) &&
		(!c.Unassigned || r.AssignedTo == 0) &&
		(!c.HasStates || oneOf(r.State, c.States)) &&
		(c.ID == 0 || r.ID == c.ID)
}
