package haven

import (
	"context"
	"strings"
	"time"
)

// Referrals (issue 6): the clearinghouse's analysts refer a report to a
// partner agency — a police department, a child-welfare agency — which sees
// it in its portal. A referral carries a package frozen when it was sent
// (the report's summary, the reports linked to it, its identifiers, its
// files' hashes and metadata, and the case notes an analyst marked
// shareable), so that what the agency received never changes under it.
// The agency's officers see only their own agency's referrals; opening one
// marks it received; they acknowledge it, ask the analyst for more
// information, transfer it to another agency, and record its outcome. A
// referral nobody acknowledges within the configured time is escalated to
// the supervisors. Every view, change and refusal is audited.

// KindReferral is the kind of a referral in the authorisation rules.
const KindReferral Kind = "referral"

// ActionAnswer is answering an agency's request for more information on a
// referral (the clearinghouse's side of the conversation).
const ActionAnswer Action = "answer"

// ReferralRoles are the roles of an agency's staff who receive its
// referrals: officers, and child-welfare workers for a child-welfare agency.
var ReferralRoles = []Role{RoleOfficer, RoleChildWelfare}

func init() {
	notifySubjects[NotifyReferral] = "A referral for your agency"
	notifySubjects[NotifyReferralInfo] = "A referral needs your attention"
	notifySubjects[NotifyReferralEscalated] = "A referral has not been acknowledged"
}

// Notification kinds of referrals.
const (
	NotifyReferral          = "referral"           // to the agency's staff: a new referral
	NotifyReferralInfo      = "referral_info"      // to the sender or the agency: a question or an answer
	NotifyReferralEscalated = "referral_escalated" // to supervisors: not acknowledged in time
)

// ReferralState is where a referral is.
type ReferralState string

// Referral states. Sent, received and acknowledged are open; a referral
// whose outcome is recorded, or that was transferred, is closed.
const (
	ReferralSent         ReferralState = "sent"
	ReferralReceived     ReferralState = "received"
	ReferralAcknowledged ReferralState = "acknowledged"
	ReferralOutcome      ReferralState = "outcome_recorded"
	ReferralTransferred  ReferralState = "transferred"
)

// ReferralStates lists the states in order.
var ReferralStates = []ReferralState{ReferralSent, ReferralReceived, ReferralAcknowledged, ReferralOutcome, ReferralTransferred}

// OpenReferralStates are the states of a referral still open.
var OpenReferralStates = []ReferralState{ReferralSent, ReferralReceived, ReferralAcknowledged}

// Open reports whether a referral in this state is still open.
func (s ReferralState) Open() bool { return oneOf(s, OpenReferralStates) }

// Label is the state as screens show it.
func (s ReferralState) Label() string {
	switch s {
	case ReferralSent:
		return "Sent"
	case ReferralReceived:
		return "Received"
	case ReferralAcknowledged:
		return "Acknowledged"
	case ReferralOutcome:
		return "Outcome recorded"
	case ReferralTransferred:
		return "Transferred"
	}
	return string(s)
}

// ReferralOutcomeKind is what came of a referral.
type ReferralOutcomeKind string

// Referral outcomes. Transferred is recorded by a transfer, never chosen.
const (
	OutcomeInvestigation ReferralOutcomeKind = "investigation_opened"
	OutcomeChildLocated  ReferralOutcomeKind = "child_located"
	OutcomeArrest        ReferralOutcomeKind = "arrest"
	OutcomeUnfounded     ReferralOutcomeKind = "unfounded"
	OutcomeTransferred   ReferralOutcomeKind = "transferred"
)

// ReferralOutcomes lists the outcomes an agency records (forms offer them
// in this order); ReferralOutcomeKinds adds transferred.
var (
	ReferralOutcomes     = []ReferralOutcomeKind{OutcomeInvestigation, OutcomeChildLocated, OutcomeArrest, OutcomeUnfounded}
	ReferralOutcomeKinds = append(append([]ReferralOutcomeKind(nil), ReferralOutcomes...), OutcomeTransferred)
)

// Label is the outcome as screens show it.
func (o ReferralOutcomeKind) Label() string {
	switch o {
	case OutcomeInvestigation:
		return "Investigation opened"
	case OutcomeChildLocated:
		return "Child located"
	case OutcomeArrest:
		return "Arrest"
	case OutcomeUnfounded:
		return "Unfounded"
	case OutcomeTransferred:
		return "Transferred to another agency"
	case "":
		return ""
	}
	return string(o)
}

// Referral is one report referred to one agency.
type Referral struct {
	ID              int64
	ReportID        int64
	CaseID          int64 // the first case holding the report when it was sent; 0 = none
	AgencyID        int64
	State           ReferralState
	Outcome         ReferralOutcomeKind // "" until recorded
	OutcomeNote     string
	Note            string // the sender's note to the agency
	SentBy          int64
	SentAt          time.Time
	ReceivedAt      *time.Time // first opened by the agency's staff
	AcknowledgedAt  *time.Time
	AcknowledgedBy  int64
	OutcomeAt       *time.Time
	OutcomeBy       int64
	EscalatedAt     *time.Time // when supervisors were told it was not acknowledged
	TransferredTo   int64      // the referral that replaced it; 0 = none
	TransferredFrom int64      // the referral it replaced; 0 = none
	Package         ReferralPackage

	// Filled in for display by reads.
	ReportRef  string
	AgencyName string
	SentByName string
}

// Resource returns what the rules need to know about the referral.
func (r *Referral) Resource() Resource {
	return Resource{Kind: KindReferral, ID: r.ID, AgencyID: r.AgencyID, CreatedBy: r.SentBy, State: string(r.State)}
}

// ReferralPackage is what an agency receives, frozen when the referral is
// sent. Report refs, not ids: the agency cannot open the reports.
type ReferralPackage struct {
	Report      PackageReport       `json:"report"`
	Linked      []PackageLink       `json:"linked_reports"`
	Identifiers []string            `json:"identifiers"`
	Attachments []PackageAttachment `json:"attachments"`
	Notes       []PackageNote       `json:"notes"`
	Agency      string              `json:"agency"`
	SentBy      string              `json:"sent_by"`
	SentAt      time.Time           `json:"sent_at"`
	Note        string              `json:"note"`
}

// PackageReport is the summary of the referred report.
type PackageReport struct {
	Ref        string    `json:"ref"`
	ReceivedAt time.Time `json:"received_at"`
	Channel    string    `json:"channel"`
	Incident   string    `json:"incident_type"`
	Priority   string    `json:"priority"`
	Places     []string  `json:"places"`
	Narrative  string    `json:"narrative"`
}

// PackageLink is a report linked to the referred one and the identifiers
// they share.
type PackageLink struct {
	Ref         string    `json:"ref"`
	ReceivedAt  time.Time `json:"received_at"`
	Identifiers []string  `json:"identifiers"`
}

// PackageAttachment describes one file of the report: never its bytes.
type PackageAttachment struct {
	FileName    string    `json:"file_name"`
	ContentType string    `json:"content_type"`
	Size        int64     `json:"size"`
	SHA256      string    `json:"sha256"`
	MD5         string    `json:"md5"`
	ReceivedAt  time.Time `json:"received_at"`
}

// PackageNote is a case note an analyst marked shareable.
type PackageNote struct {
	CaseID    int64     `json:"case_id"`
	CreatedAt time.Time `json:"created_at"`
	Body      string    `json:"body"`
}

// ReferralEventKind is the kind of an entry of a referral's history.
type ReferralEventKind string

// Referral event kinds.
const (
	RefEventSent          ReferralEventKind = "sent"
	RefEventReceived      ReferralEventKind = "received"
	RefEventAcknowledged  ReferralEventKind = "acknowledged"
	RefEventOutcome       ReferralEventKind = "outcome"
	RefEventInfoRequested ReferralEventKind = "info_requested"
	RefEventInfoAnswered  ReferralEventKind = "info_answered"
	RefEventTransferred   ReferralEventKind = "transferred"
	RefEventEscalated     ReferralEventKind = "escalated"
)

// Label is the event kind as the history shows it.
func (k ReferralEventKind) Label() string {
	switch k {
	case RefEventSent:
		return "Sent"
	case RefEventReceived:
		return "Received"
	case RefEventAcknowledged:
		return "Acknowledged"
	case RefEventOutcome:
		return "Outcome recorded"
	case RefEventInfoRequested:
		return "More information requested"
	case RefEventInfoAnswered:
		return "Information given"
	case RefEventTransferred:
		return "Transferred"
	case RefEventEscalated:
		return "Escalated to supervisors"
	}
	return string(k)
}

// ReferralEvent is one entry of a referral's history.
type ReferralEvent struct {
	ID         int64
	ReferralID int64
	Kind       ReferralEventKind
	At         time.Time
	ActorID    int64
	Actor      string
	Message    string
}

// Limits on referral text.
const (
	MaxReferralNote     = 4000
	MaxReferralAgencies = 20
)

func validReferralText(field, v string) (string, error) {
	v = strings.TrimSpace(v)
	if len(v) > MaxReferralNote {
		return v, FieldError(field, "the text is at most %d characters", MaxReferralNote)
	}
	return v, nil
}

// ReferralFilter selects referrals, newest first. The zero Scope selects
// nothing.
type ReferralFilter struct {
	Scope    Scope
	State    ReferralState   // "" = any
	States   []ReferralState // any of these (with State)
	AgencyID int64
	ReportID int64
	// SentBefore and NotEscalated select referrals for escalation.
	SentBefore   *time.Time
	NotEscalated bool
	Escalated    bool
	Limit        int
	Offset       int
}

// ReferralTx is the storage of referrals.
type ReferralTx interface {
	// CreateReferral stores a referral with its package; sets ID. An open
	// referral of the same report to the same agency is ECONFLICT.
	CreateReferral(ctx context.Context, r *Referral) error
	// ReferralByID returns a referral with its display names.
	ReferralByID(ctx context.Context, id int64) (*Referral, error)
	// OpenReferral returns the open referral of a report to an agency
	// (ENOTFOUND when there is none).
	OpenReferral(ctx context.Context, reportID, agencyID int64) (*Referral, error)
	// UpdateReferral writes State, Outcome, OutcomeNote, ReceivedAt,
	// AcknowledgedAt/By, OutcomeAt/By, EscalatedAt and TransferredTo.
	UpdateReferral(ctx context.Context, r *Referral) error
	ListReferrals(ctx context.Context, f ReferralFilter) ([]*Referral, error)
	CountReferrals(ctx context.Context, f ReferralFilter) (int, error)
	// MarkReferralEscalated sets the escalation time of a referral not
	// escalated yet and reports whether it did: of two concurrent
	// escalations of one referral, one gets false.
	MarkReferralEscalated(ctx context.Context, id int64, at time.Time) (bool, error)
	// AddReferralEvent stores an event; sets ID.
	AddReferralEvent(ctx context.Context, e *ReferralEvent) error
	// ListReferralEvents returns a referral's history, oldest first.
	ListReferralEvents(ctx context.Context, referralID int64) ([]*ReferralEvent, error)
}
