package haven

import "time"

// CaseStatus is where a case is: open → active → located/recovered → closed,
// and closed cases can be reopened.
type CaseStatus string

// Case statuses.
const (
	CaseOpen    CaseStatus = "open"
	CaseActive  CaseStatus = "active"
	CaseLocated CaseStatus = "located" // the child has been located or recovered
	CaseClosed  CaseStatus = "closed"
)

// CaseStatuses lists the statuses in order.
var CaseStatuses = []CaseStatus{CaseOpen, CaseActive, CaseLocated, CaseClosed}

// Determination is the answer to "likely child sex trafficking victim?",
// recorded by an analyst with a rationale and approved by a supervisor. It is
// a person's judgement, never a computed score.
type Determination string

// Determinations.
const (
	DeterminationUndetermined Determination = "undetermined"
	DeterminationYes          Determination = "yes"
	DeterminationNo           Determination = "no"
)

// Case is child-centred: everything known about one child, on one timeline.
type Case struct {
	ID            int64
	ChildID       int64
	Title         string
	Status        CaseStatus
	Determination Determination
	AgencyID      int64 // the agency the case is shared with; 0 = the clearinghouse only
	AssignedTo    int64 // the analyst who owns the case; 0 = unassigned
	CreatedBy     int64
	State         string // the state the case is about, for jurisdiction
	ReportIDs     []int64
	// DeterminationID is the approved CaseDetermination that Determination
	// comes from (0 = none approved yet: Determination is "undetermined").
	DeterminationID int64
	// MergedInto is the case this one was merged into (0 = none); a merged
	// case is left out of lists until it is split off again.
	MergedInto int64
	OpenedAt   time.Time
	ClosedAt   *time.Time
	UpdatedAt  time.Time
}

// Validate checks a case.
func (c *Case) Validate() error {
	if c.ChildID == 0 {
		return FieldError("child_id", "a case is about a child: choose or create the child first")
	}
	if len(c.Title) > 200 {
		return FieldError("title", "a title has at most 200 characters")
	}
	if !oneOf(c.Status, CaseStatuses) {
		return FieldError("status", "unknown case status %q", c.Status)
	}
	switch c.Determination {
	case DeterminationUndetermined, DeterminationYes, DeterminationNo:
	default:
		return FieldError("determination", "a determination is yes, no or undetermined")
	}
	if c.State != "" && !ValidState(c.State) {
		return FieldError("state", "%q is not a US state or territory postal code", c.State)
	}
	return nil
}

// CaseFilter selects cases. The zero Scope selects nothing.
type CaseFilter struct {
	Scope         Scope
	Status        CaseStatus
	Determination Determination
	ChildID       int64
	AssignedTo    int64
	// IncludeMerged lists cases merged into others too.
	IncludeMerged bool
	Limit         int
	Offset        int
}

// caseTransitions are the status changes allowed: open → active → located
// → closed, and a closed case reopened as active.
var caseTransitions = map[CaseStatus][]CaseStatus{
	CaseOpen:    {CaseActive},
	CaseActive:  {CaseLocated},
	CaseLocated: {CaseClosed},
	CaseClosed:  {CaseActive},
}

// CanMoveTo reports whether a case in status from may move to status to.
func (from CaseStatus) CanMoveTo(to CaseStatus) bool { return oneOf(to, caseTransitions[from]) }

// Next returns the statuses a case in this status may move to.
func (from CaseStatus) Next() []CaseStatus { return caseTransitions[from] }

// Label is the status as pages show it.
func (s CaseStatus) Label() string {
	switch s {
	case CaseOpen:
		return "Open"
	case CaseActive:
		return "Active"
	case CaseLocated:
		return "Located or recovered"
	case CaseClosed:
		return "Closed"
	}
	return string(s)
}

// Label is the determination as pages show it.
func (d Determination) Label() string {
	switch d {
	case DeterminationYes:
		return "Yes: likely a child sex trafficking victim"
	case DeterminationNo:
		return "No: not likely a child sex trafficking victim"
	case DeterminationUndetermined:
		return "Undetermined"
	}
	return string(d)
}
