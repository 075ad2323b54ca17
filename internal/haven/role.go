package haven

// Role is what a user account may do, from the mission's table of users.
// Members of the public and online service providers are not users: the
// public uses the tip form, ESPs use ESP accounts on the ispws protocol.
type Role string

// The roles. Every role is a staff role and must sign in with a password and
// a TOTP code.
const (
	RoleHotline        Role = "hotline"             // takes calls in the intake console
	RoleAnalyst        Role = "analyst"             // triages, links and analyses reports
	RoleSupervisor     Role = "supervisor"          // assigns work, approves, watches deadlines
	RoleOfficer        Role = "officer"             // law enforcement: their agency's referrals only
	RoleChildWelfare   Role = "child_welfare"       // child-welfare worker: reports children missing from care
	RoleFosterParent   Role = "foster_parent"       // reports a child in their care missing
	RoleRecovery       Role = "recovery_specialist" // resource directory and recovery plans
	RoleFamilyAdvocate Role = "family_advocate"     // crisis intervention for families
	RolePeerVolunteer  Role = "peer_volunteer"      // sees only the families matched to them
	RoleTrainer        Role = "trainer"             // courses and training requests
	RoleLearner        Role = "learner"             // takes courses
	RoleAdmin          Role = "admin"               // users, agencies, roles, retention, keys
	RoleSystem         Role = "system"              // the operator at the command line; never a stored user
)

// Roles lists every role a stored user may have, in the order screens show them.
var Roles = []Role{
	RoleHotline, RoleAnalyst, RoleSupervisor, RoleOfficer, RoleChildWelfare,
	RoleFosterParent, RoleRecovery, RoleFamilyAdvocate, RolePeerVolunteer,
	RoleTrainer, RoleLearner, RoleAdmin,
}

var roleLabels = map[Role]string{
	RoleHotline:        "Hotline specialist",
	RoleAnalyst:        "Analyst",
	RoleSupervisor:     "Supervisor",
	RoleOfficer:        "Law-enforcement officer",
	RoleChildWelfare:   "Child-welfare worker",
	RoleFosterParent:   "Foster parent",
	RoleRecovery:       "Recovery resource specialist",
	RoleFamilyAdvocate: "Family advocate",
	RolePeerVolunteer:  "Peer-support volunteer",
	RoleTrainer:        "Trainer",
	RoleLearner:        "Learner",
	RoleAdmin:          "Administrator",
	RoleSystem:         "System operator",
}

// Label is the role's name as people read it.
func (r Role) Label() string {
	if l, ok := roleLabels[r]; ok {
		return l
	}
	return string(r)
}

// Valid reports whether r is a role a stored user may have.
func (r Role) Valid() bool {
	for _, x := range Roles {
		if x == r {
			return true
		}
	}
	return false
}

// NeedsAgency reports whether a user of this role must belong to an agency
// (their access is bounded by it).
func (r Role) NeedsAgency() bool {
	switch r {
	case RoleOfficer, RoleChildWelfare, RoleFosterParent:
		return true
	}
	return false
}

// ParseRole returns the role named s, or an EINVALID error listing the valid ones.
func ParseRole(s string) (Role, error) {
	r := Role(s)
	if !r.Valid() {
		return "", FieldError("role", "unknown role %q; use one of %v", s, Roles)
	}
	return r, nil
}
