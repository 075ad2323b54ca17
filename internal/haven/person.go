package haven

import (
	"strings"
	"time"
)

// PersonRole is what a person is to a report.
type PersonRole string

// Person roles.
const (
	PersonChild    PersonRole = "child"
	PersonSuspect  PersonRole = "suspect"
	PersonBuyer    PersonRole = "buyer"
	PersonReporter PersonRole = "reporter"
	PersonOther    PersonRole = "other"
)

// PersonRoles lists every role.
var PersonRoles = []PersonRole{PersonChild, PersonSuspect, PersonBuyer, PersonReporter, PersonOther}

// Sex as a report records it.
type Sex string

// Sexes.
const (
	SexUnknown Sex = ""
	SexFemale  Sex = "female"
	SexMale    Sex = "male"
	SexOther   Sex = "other"
)

// PersonMention is a person as one report describes them. Mentions are never
// merged: a mention of a child is linked to a Child on file only when an
// analyst confirms the match (ChildID).
type PersonMention struct {
	ID          int64
	ReportID    int64
	Role        PersonRole
	FirstName   string
	LastName    string
	Nickname    string
	DateOfBirth *time.Time // a date (UTC midnight)
	Age         *int       // age as the report gives it, when no date of birth is known
	Sex         Sex
	Description string // height, build, hair, marks, clothing
	City        string
	State       string
	ChildID     int64 // the confirmed child on file; 0 = not matched
}

// Validate checks a mention.
func (p *PersonMention) Validate(now time.Time) error {
	if !oneOf(p.Role, PersonRoles) {
		return FieldError("people.role", "unknown person role %q; use child, suspect, buyer, reporter or other", p.Role)
	}
	if len(p.FirstName) > 100 || len(p.LastName) > 100 || len(p.Nickname) > 100 {
		return FieldError("people.name", "a name has at most 100 characters")
	}
	if p.DateOfBirth != nil && p.DateOfBirth.After(now) {
		return FieldError("people.date_of_birth", "the date of birth is in the future")
	}
	if p.Age != nil && (*p.Age < 0 || *p.Age > 150) {
		return FieldError("people.age", "an age is between 0 and 150")
	}
	switch p.Sex {
	case SexUnknown, SexFemale, SexMale, SexOther:
	default:
		return FieldError("people.sex", "sex is female, male, other or left empty")
	}
	if p.State != "" && !ValidState(p.State) {
		return FieldError("people.state", "%q is not a US state or territory postal code", p.State)
	}
	if len(p.Description) > 2000 {
		return FieldError("people.description", "a description has at most 2000 characters")
	}
	return nil
}

// FullName joins the names that are known.
func (p *PersonMention) FullName() string {
	return strings.TrimSpace(p.FirstName + " " + p.LastName)
}

// Child is a child on file: the centre of a case. Children are created by an
// analyst (or a missing-child report) and never merged automatically.
type Child struct {
	ID          int64
	FirstName   string
	LastName    string
	Nicknames   []string
	DateOfBirth *time.Time
	Sex         Sex
	Description string
	State       string // state of residence
	AgencyID    int64  // the agency responsible for the child (e.g. child welfare with custody); 0 = none
	InCare      bool   // in the care of child welfare
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Validate checks a child record.
func (c *Child) Validate(now time.Time) error {
	if strings.TrimSpace(c.FirstName) == "" && strings.TrimSpace(c.LastName) == "" && len(c.Nicknames) == 0 {
		return FieldError("first_name", "a child on file needs a first name, a last name or a nickname")
	}
	if len(c.FirstName) > 100 || len(c.LastName) > 100 {
		return FieldError("first_name", "a name has at most 100 characters")
	}
	if c.DateOfBirth != nil && c.DateOfBirth.After(now) {
		return FieldError("date_of_birth", "the date of birth is in the future")
	}
	switch c.Sex {
	case SexUnknown, SexFemale, SexMale, SexOther:
	default:
		return FieldError("sex", "choose female, male, other or not known")
	}
	if c.State != "" && !ValidState(c.State) {
		return FieldError("state", "%q is not a US state or territory postal code", c.State)
	}
	return nil
}

// FullName joins the names that are known.
func (c *Child) FullName() string { return strings.TrimSpace(c.FirstName + " " + c.LastName) }

// ChildFilter selects children. The zero Scope selects nothing.
type ChildFilter struct {
	Scope  Scope
	State  string
	InCare *bool
	Limit  int
	Offset int
}

// AgeAt returns the whole years between dob and t.
func AgeAt(dob, t time.Time) int {
	y := t.Year() - dob.Year()
	if t.Month() < dob.Month() || (t.Month() == dob.Month() && t.Day() < dob.Day()) {
		y--
	}
	return y
}
