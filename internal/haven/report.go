package haven

import (
	"strings"
	"time"
	"unicode/utf8"
)

// Channel is how a report reached Haven. Every channel produces the same Report.
type Channel string

// Channels.
const (
	ChannelPublicTip    Channel = "public_tip"    // the public tip form
	ChannelHotline      Channel = "hotline"       // a call to the 24/7 line
	ChannelMissingChild Channel = "missing_child" // a missing-child report (including missing from care)
	ChannelESP          Channel = "esp"           // an online service provider, over the ispws protocol
	ChannelAPI          Channel = "api"           // the JSON API
	ChannelImport       Channel = "import"        // bulk import from an older system
)

// Channels lists every channel.
var Channels = []Channel{ChannelPublicTip, ChannelHotline, ChannelMissingChild, ChannelESP, ChannelAPI, ChannelImport}

var channelLabels = map[Channel]string{
	ChannelPublicTip: "Public tip", ChannelHotline: "Hotline call", ChannelMissingChild: "Missing-child report",
	ChannelESP: "Online service provider", ChannelAPI: "JSON API", ChannelImport: "Import",
}

// Label is the channel's name as people read it.
func (c Channel) Label() string { return label(channelLabels, c) }

// IncidentType is what a report alleges: the CyberTipline incident types,
// plus a missing child.
type IncidentType string

// Incident types. The first eight are the CyberTipline's (their wire names are
// in internal/ispws).
const (
	IncidentCSAM            IncidentType = "child_sexual_abuse_material"
	IncidentSexTrafficking  IncidentType = "child_sex_trafficking"
	IncidentSexTourism      IncidentType = "child_sex_tourism"
	IncidentMolestation     IncidentType = "child_sexual_molestation"
	IncidentMisleadingName  IncidentType = "misleading_domain_name"
	IncidentMisleadingWords IncidentType = "misleading_words_or_images"
	IncidentEnticement      IncidentType = "online_enticement"
	IncidentObsceneMaterial IncidentType = "unsolicited_obscene_material"
	IncidentMissingChild    IncidentType = "missing_child"
	IncidentOther           IncidentType = "other"
)

// IncidentTypes lists every incident type.
var IncidentTypes = []IncidentType{IncidentSexTrafficking, IncidentEnticement, IncidentSexTourism, IncidentMissingChild,
	IncidentCSAM, IncidentMolestation, IncidentMisleadingName, IncidentMisleadingWords, IncidentObsceneMaterial, IncidentOther}

var incidentLabels = map[IncidentType]string{
	IncidentCSAM:            "Child sexual abuse material",
	IncidentSexTrafficking:  "Child sex trafficking",
	IncidentSexTourism:      "Child sex tourism",
	IncidentMolestation:     "Child sexual molestation",
	IncidentMisleadingName:  "Misleading domain name",
	IncidentMisleadingWords: "Misleading words or digital images",
	IncidentEnticement:      "Online enticement of children for sexual acts",
	IncidentObsceneMaterial: "Unsolicited obscene material sent to a child",
	IncidentMissingChild:    "Missing child",
	IncidentOther:           "Other",
}

// Label is the incident type as people read it.
func (t IncidentType) Label() string { return label(incidentLabels, t) }

// Alleges reports whether the type alleges trafficking or enticement (the
// types the triage rules treat as the product's core).
func (t IncidentType) Alleges() bool {
	return t == IncidentSexTrafficking || t == IncidentSexTourism || t == IncidentEnticement
}

// MissingType is one of the five missing-child case types.
type MissingType string

// Missing-child case types.
const (
	MissingEndangeredRunaway  MissingType = "endangered_runaway"
	MissingFamilyAbduction    MissingType = "family_abduction"
	MissingNonfamilyAbduction MissingType = "nonfamily_abduction"
	MissingLostInjured        MissingType = "lost_injured_otherwise_missing"
	MissingYoungAdult         MissingType = "critically_missing_young_adult"
)

// MissingTypes lists the five case types.
var MissingTypes = []MissingType{MissingEndangeredRunaway, MissingFamilyAbduction, MissingNonfamilyAbduction, MissingLostInjured, MissingYoungAdult}

var missingLabels = map[MissingType]string{
	MissingEndangeredRunaway:  "Endangered runaway",
	MissingFamilyAbduction:    "Family abduction",
	MissingNonfamilyAbduction: "Nonfamily abduction",
	MissingLostInjured:        "Lost, injured or otherwise missing",
	MissingYoungAdult:         "Critically missing young adult (18–20)",
}

// Label is the case type as people read it.
func (t MissingType) Label() string { return label(missingLabels, t) }

// Priority is a report's triage priority: P1 is the most urgent. Zero means
// not yet triaged. There is no numeric score of a child anywhere: priority
// comes from explicit rules about urgency.
type Priority int

// Priorities, from the starting rule set in the domain spec.
const (
	PriorityNone Priority = 0
	P1           Priority = 1 // imminent danger
	P2           Priority = 2 // child missing now
	P3           Priority = 3 // identifiable child
	P4           Priority = 4 // other
)

// Label is the priority as people read it.
func (p Priority) Label() string {
	switch p {
	case P1:
		return "P1 — imminent danger"
	case P2:
		return "P2 — child missing now"
	case P3:
		return "P3 — identifiable child"
	case P4:
		return "P4 — other"
	}
	return "Not yet triaged"
}

// ReportStatus is where a report is in its handling.
type ReportStatus string

// Report statuses.
const (
	ReportNew      ReportStatus = "new"       // arrived, not yet looked at
	ReportInReview ReportStatus = "in_review" // an analyst has it
	ReportReferred ReportStatus = "referred"  // sent to an agency
	ReportClosed   ReportStatus = "closed"
)

// Contact is the person who made a report, as far as they chose to say.
type Contact struct {
	Anonymous    bool
	Name         string
	Phone        string
	Email        string
	Organization string
	// Relationship is how the reporter stands to the child or the events: for
	// a hotline call, the caller type (parent_guardian, child_welfare_worker,
	// law_enforcement, survivor, concerned_person, child).
	Relationship string
	Language     string // "en", "es", …
}

// Report is one report from any channel. Everything that follows (linking,
// triage, cases, referrals) starts from reports.
type Report struct {
	ID               int64
	Ref              string // the public reference number, unique (e.g. "HV-7K3Q-9D2M")
	Channel          Channel
	IncidentType     IncidentType
	MissingType      MissingType // for missing-child reports
	MissingFromCare  bool        // the child was in the care of child welfare
	ReceivedAt       time.Time
	IncidentAt       *time.Time
	IncidentTimeText string // the reporter's own words about when ("last weekend")
	Narrative        string
	Places           []Place
	State            string // the report's primary US state (first place with one); derived on create
	Reporter         Contact
	Indicators       []string // ids from the indicator taxonomy
	People           []PersonMention
	Identifiers      []Identifier
	Priority         Priority
	Status           ReportStatus
	AgencyID         int64 // the agency that holds the report (the submitter's, or the one it was routed to); 0 = the clearinghouse
	CreatedBy        int64 // the user who entered it; 0 for the public and ESPs
	AssignedTo       int64 // the analyst who has it; 0 = unassigned
	CreatedAt        time.Time
	UpdatedAt        time.Time
	// IngestedAt is when the ingest job (extraction, linking, triage)
	// finished with the report; nil until then.
	IngestedAt *time.Time
	// DueAt is when the first action on the report is due (triage.go); nil
	// until it is triaged. Priority is the effective priority: the
	// supervisor's Override when set, else the rules' (Triage).
	DueAt *time.Time
	// Escalation is what an online service provider wrote in
	// escalateToHighPriority ("" when it did not ask): a triage fact.
	Escalation string
	// Triage and Override are loaded by GetReport and ReportDetail only;
	// nil in lists.
	Triage   *Triage
	Override *PriorityOverride
}

// Limits on report fields.
const (
	MaxNarrative   = 20000
	MaxShortField  = 500
	MaxPeople      = 50
	MaxIdentifiers = 500
	MaxPlaces      = 20
)

// Normalize trims text fields and derives State from the places.
func (r *Report) Normalize() {
	r.Narrative = strings.TrimSpace(r.Narrative)
	r.IncidentTimeText = strings.TrimSpace(r.IncidentTimeText)
	for i := range r.Places {
		p := &r.Places[i]
		p.State = strings.ToUpper(strings.TrimSpace(p.State))
		p.Country = strings.ToUpper(strings.TrimSpace(p.Country))
	}
	if r.State == "" {
		for _, p := range r.Places {
			if p.State != "" && (p.Country == "" || p.Country == "US") {
				r.State = p.State
				break
			}
		}
	}
}

// Validate checks a report before it is stored. The error names the field
// at fault and says what to fix.
func (r *Report) Validate(now time.Time) error {
	if !oneOf(r.Channel, Channels) {
		return FieldError("channel", "unknown channel %q", r.Channel)
	}
	if !oneOf(r.IncidentType, IncidentTypes) {
		return FieldError("incident_type", "unknown incident type %q", r.IncidentType)
	}
	if r.MissingType != "" && !oneOf(r.MissingType, MissingTypes) {
		return FieldError("missing_type", "unknown missing-child case type %q", r.MissingType)
	}
	if r.IncidentType == IncidentMissingChild && r.MissingType == "" {
		return FieldError("missing_type", "a missing-child report needs its case type")
	}
	if r.IncidentAt != nil && r.IncidentAt.After(now.Add(5*time.Minute)) {
		return FieldError("incident_at", "the incident time is in the future")
	}
	if utf8.RuneCountInString(r.Narrative) > MaxNarrative {
		return FieldError("narrative", "the narrative has at most %d characters", MaxNarrative)
	}
	if r.Narrative == "" && len(r.People) == 0 && len(r.Identifiers) == 0 {
		return FieldError("narrative", "say what happened, or name a person or an online detail")
	}
	if len(r.Places) > MaxPlaces {
		return FieldError("places", "at most %d places", MaxPlaces)
	}
	for i := range r.Places {
		if err := r.Places[i].Validate(); err != nil {
			return err
		}
	}
	if r.State != "" && !ValidState(r.State) {
		return FieldError("state", "%q is not a US state or territory postal code", r.State)
	}
	if len(r.People) > MaxPeople {
		return FieldError("people", "at most %d people in one report", MaxPeople)
	}
	for i := range r.People {
		if err := r.People[i].Validate(now); err != nil {
			return err
		}
	}
	if len(r.Identifiers) > MaxIdentifiers {
		return FieldError("identifiers", "at most %d identifiers in one report", MaxIdentifiers)
	}
	for i := range r.Identifiers {
		if err := r.Identifiers[i].Validate(); err != nil {
			return err
		}
	}
	if r.Priority < PriorityNone || r.Priority > P4 {
		return FieldError("priority", "priority is 1 to 4")
	}
	if len(r.Reporter.Name) > MaxShortField || len(r.Reporter.Email) > 255 || len(r.Reporter.Phone) > 50 {
		return FieldError("reporter", "a reporter's name, email or phone is too long")
	}
	return nil
}

// ReportFilter selects reports in ListReports and CountReports. Zero fields
// do not filter, except Scope: the zero Scope selects nothing.
type ReportFilter struct {
	Scope        Scope
	Channel      Channel
	IncidentType IncidentType
	Priority     Priority
	Status       ReportStatus
	State        string
	AssignedTo   int64
	Unassigned   bool
	ReceivedFrom *time.Time
	ReceivedTo   *time.Time
	// Open selects reports still to be handled (new or in review);
	// AwaitingAction those nobody has taken yet (queue.go); DueFrom and
	// DueBefore bound the first action's due time (from inclusive, before
	// exclusive).
	Open           bool
	AwaitingAction bool
	DueFrom        *time.Time
	DueBefore      *time.Time
	Order          ReportOrder
	Limit          int
	Offset         int
}

func oneOf[T comparable](v T, set []T) bool {
	for _, x := range set {
		if x == v {
			return true
		}
	}
	return false
}

func label[K ~string](m map[K]string, k K) string {
	if l, ok := m[k]; ok {
		return l
	}
	return string(k)
}
