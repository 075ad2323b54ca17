package haven

import "time"

// AgencyKind says what an agency is.
type AgencyKind string

// Agency kinds.
const (
	AgencyClearinghouse   AgencyKind = "clearinghouse"
	AgencyLawEnforcement  AgencyKind = "law_enforcement"
	AgencyTaskForce       AgencyKind = "task_force"
	AgencyChildWelfare    AgencyKind = "child_welfare"
	AgencyServiceProvider AgencyKind = "service_provider"
)

// AgencyKinds lists the valid kinds.
var AgencyKinds = []AgencyKind{AgencyClearinghouse, AgencyLawEnforcement, AgencyTaskForce, AgencyChildWelfare, AgencyServiceProvider}

// AgencyLevel is the level of government an agency answers to.
type AgencyLevel string

// Agency levels.
const (
	LevelLocal   AgencyLevel = "local"
	LevelState   AgencyLevel = "state"
	LevelTribal  AgencyLevel = "tribal"
	LevelFederal AgencyLevel = "federal"
	LevelPrivate AgencyLevel = "private"
)

// Agency is an organisation whose staff use Haven or receive its referrals.
type Agency struct {
	ID        int64
	Name      string // unique
	Kind      AgencyKind
	Level     AgencyLevel
	State     string   // postal code of the agency's home state ("" for federal)
	States    []string // postal codes of the jurisdiction; empty means State alone (or nationwide for federal)
	Phone24x7 string
	Email     string
	CreatedAt time.Time
}

// Jurisdiction returns the postal codes the agency covers; nil means nationwide.
func (a *Agency) Jurisdiction() []string {
	if len(a.States) > 0 {
		return a.States
	}
	if a.State != "" {
		return []string{a.State}
	}
	return nil
}

// Validate checks an agency before it is stored.
func (a *Agency) Validate() error {
	if a.Name == "" || len(a.Name) > 200 {
		return FieldError("name", "an agency needs a name of at most 200 characters")
	}
	ok := false
	for _, k := range AgencyKinds {
		ok = ok || k == a.Kind
	}
	if !ok {
		return FieldError("kind", "unknown agency kind %q; use one of %v", a.Kind, AgencyKinds)
	}
	switch a.Level {
	case LevelLocal, LevelState, LevelTribal, LevelFederal, LevelPrivate:
	default:
		return FieldError("level", "unknown agency level %q; use local, state, tribal, federal or private", a.Level)
	}
	if a.State != "" && !ValidState(a.State) {
		return FieldError("state", "%q is not a US state or territory postal code", a.State)
	}
	for _, s := range a.States {
		if !ValidState(s) {
			return FieldError("states", "%q is not a US state or territory postal code", s)
		}
	}
	return nil
}

// AgencyFilter selects agencies. Zero fields do not filter.
type AgencyFilter struct {
	Kind  AgencyKind
	State string
	Limit int
}
