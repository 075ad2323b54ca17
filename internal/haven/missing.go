package haven

import (
	"context"
	"fmt"
	"io"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Missing episodes. A missing-child report (from law enforcement, child
// welfare, a foster parent, or the hotline for a parent or guardian) is a
// Report like any other, and it also opens a MissingEpisode for the child:
// the episode carries what the statutes ask about a child missing from the
// care of child welfare (42 U.S.C. 671(a)(34)-(35)) — the two notifications
// due within 24 hours, and on return the debrief with its sex-trafficking
// screening. A child may have many episodes; each recovery closes one.

// KindEpisode is the kind of record of a missing episode.
const KindEpisode Kind = "episode"

// StatutoryWindow is the time the law allows for each notification about a
// child missing from care (to law enforcement for entry into NCIC, and to the
// clearinghouse), and for reporting to law enforcement a child identified as
// a sex-trafficking victim: "immediately, and in no case later than 24 hours".
const StatutoryWindow = 24 * time.Hour

// LawEnforcementReport is the police report a missing-child report rests on.
type LawEnforcementReport struct {
	AgencyName string // the law-enforcement agency that took the report
	CaseNumber string // its case number
	NCIC       string // the NCIC missing-person number (NIC), normalised: "M" and 9 digits
}

// NormalizeNCIC upper-cases an NCIC number and drops the spaces and dashes
// people type inside it ("m-123 456 789" → "M123456789").
func NormalizeNCIC(s string) string {
	return strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '\t' {
			return -1
		}
		if 'a' <= r && r <= 'z' {
			return r - 'a' + 'A'
		}
		return r
	}, s)
}

// ValidNCIC reports whether s (normalised) looks like an NCIC missing-person
// record number: the letter M followed by nine digits. The check is loose on
// purpose: it catches typing slips, and does not claim the number exists.
func ValidNCIC(s string) bool {
	if len(s) != 10 || s[0] != 'M' {
		return false
	}
	for i := 1; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// Validate checks the law-enforcement report. Every part is optional (a
// report may come before the police have a case number), but what is given
// must be well formed.
func (l *LawEnforcementReport) Validate() error {
	l.AgencyName, l.CaseNumber = strings.TrimSpace(l.AgencyName), strings.TrimSpace(l.CaseNumber)
	l.NCIC = NormalizeNCIC(l.NCIC)
	if len(l.AgencyName) > 200 {
		return FieldError("le_agency", "the agency name has at most 200 characters")
	}
	if len(l.CaseNumber) > 100 {
		return FieldError("le_case_number", "the case number has at most 100 characters")
	}
	if l.NCIC != "" && !ValidNCIC(l.NCIC) {
		return FieldError("ncic", "an NCIC missing-person number is the letter M followed by 9 digits, such as M123456789; leave it empty if the police have not given one yet")
	}
	return nil
}

// Guardian is a parent or guardian of a missing child.
type Guardian struct {
	Name         string
	Relationship string // mother, father, grandmother, legal guardian…
	Phone        string
	Email        string
}

// MaxGuardians is the most guardians one report names.
const MaxGuardians = 6

// Validate checks a guardian; i is its position (from 0), for the field name.
func (g *Guardian) Validate(i int) error {
	g.Name, g.Relationship = strings.TrimSpace(g.Name), strings.TrimSpace(g.Relationship)
	g.Phone, g.Email = strings.TrimSpace(g.Phone), strings.TrimSpace(g.Email)
	field := func(f string) string { return fmt.Sprintf("guardian_%s_%d", f, i) }
	if g.Name == "" {
		return FieldError(field("name"), "give guardian %d's name, or leave all of that guardian's fields empty", i+1)
	}
	if len(g.Name) > 200 || len(g.Relationship) > 100 {
		return FieldError(field("name"), "a guardian's name has at most 200 characters and the relationship at most 100")
	}
	if len(g.Phone) > 50 {
		return FieldError(field("phone"), "a phone number has at most 50 characters")
	}
	if g.Email != "" {
		if a, err := mail.ParseAddress(g.Email); err != nil || a.Address != g.Email || len(g.Email) > 255 {
			return FieldError(field("email"), "%q is not an email address", g.Email)
		}
	}
	return nil
}

// Empty reports whether nothing was given for the guardian.
func (g *Guardian) Empty() bool {
	return strings.TrimSpace(g.Name+g.Relationship+g.Phone+g.Email) == ""
}

// PlacementType is the kind of placement a child went missing from.
type PlacementType string

// Placement types.
const (
	PlacementFosterHome  PlacementType = "foster_home"
	PlacementGroupHome   PlacementType = "group_home"
	PlacementResidential PlacementType = "residential"
	PlacementKinship     PlacementType = "kinship"
	PlacementOther       PlacementType = "other"
)

// PlacementTypes lists the placement types in the order forms show them.
var PlacementTypes = []PlacementType{PlacementFosterHome, PlacementGroupHome, PlacementResidential, PlacementKinship, PlacementOther}

var placementLabels = map[PlacementType]string{
	PlacementFosterHome: "Foster home", PlacementGroupHome: "Group home", PlacementResidential: "Residential facility",
	PlacementKinship: "Kinship care", PlacementOther: "Other",
}

// Label is the placement type as people read it.
func (p PlacementType) Label() string { return label(placementLabels, p) }

// FromCare is what a report of a child missing from the care of child
// welfare adds: who had the child, and when the two notifications the law
// requires within 24 hours were made.
type FromCare struct {
	AgencyID        int64 // the child-welfare agency, from the directory
	PlacementType   PlacementType
	PlacementName   string
	CaseworkerName  string
	CaseworkerPhone string
	CaseworkerEmail string
	// FoundMissingAt starts the statutory clock.
	FoundMissingAt time.Time
	// LawEnforcementToldAt and ClearinghouseToldAt are when each
	// notification was made; nil while it is still owed.
	LawEnforcementToldAt *time.Time
	ClearinghouseToldAt  *time.Time
}

// NotifyDue is when both notifications are due: found missing + 24 hours.
func (f *FromCare) NotifyDue() time.Time { return f.FoundMissingAt.Add(StatutoryWindow) }

// Validate checks the missing-from-care details against now.
func (f *FromCare) Validate(now time.Time) error {
	f.PlacementName, f.CaseworkerName = strings.TrimSpace(f.PlacementName), strings.TrimSpace(f.CaseworkerName)
	f.CaseworkerPhone, f.CaseworkerEmail = strings.TrimSpace(f.CaseworkerPhone), strings.TrimSpace(f.CaseworkerEmail)
	if f.AgencyID == 0 {
		return FieldError("care_agency", "choose the child-welfare agency that has the child in its care")
	}
	if !oneOf(f.PlacementType, PlacementTypes) {
		return FieldError("placement_type", "choose the kind of placement: foster home, group home, residential facility, kinship care or other")
	}
	if len(f.PlacementName) > 200 || len(f.CaseworkerName) > 200 {
		return FieldError("placement_name", "a name has at most 200 characters")
	}
	if f.CaseworkerName == "" {
		return FieldError("caseworker_name", "give the caseworker's name")
	}
	if len(f.CaseworkerPhone) > 50 {
		return FieldError("caseworker_phone", "a phone number has at most 50 characters")
	}
	if f.CaseworkerEmail != "" {
		if a, err := mail.ParseAddress(f.CaseworkerEmail); err != nil || a.Address != f.CaseworkerEmail || len(f.CaseworkerEmail) > 255 {
			return FieldError("caseworker_email", "%q is not an email address", f.CaseworkerEmail)
		}
	}
	if f.FoundMissingAt.IsZero() {
		return FieldError("found_missing_at", "give the date and time the child was found to be missing")
	}
	if f.FoundMissingAt.After(now.Add(5 * time.Minute)) {
		return FieldError("found_missing_at", "the time the child was found missing is in the future")
	}
	for _, n := range []struct {
		field string
		at    *time.Time
		who   string
	}{{"le_told_at", f.LawEnforcementToldAt, "law enforcement was told"}, {"clearinghouse_told_at", f.ClearinghouseToldAt, "the clearinghouse was told"}} {
		if n.at == nil {
			continue
		}
		if n.at.After(now.Add(5 * time.Minute)) {
			return FieldError(n.field, "the time %s is in the future", n.who)
		}
		if n.at.Before(f.FoundMissingAt) {
			return FieldError(n.field, "the time %s is before the child was found missing", n.who)
		}
	}
	return nil
}

// ScreeningOutcome is the outcome of the sex-trafficking screening done at
// the debrief after a child returns.
type ScreeningOutcome string

// Screening outcomes.
const (
	ScreeningPositive ScreeningOutcome = "positive" // identified as a child sex-trafficking victim
	ScreeningNegative ScreeningOutcome = "negative"
	ScreeningDeclined ScreeningOutcome = "declined" // the young person declined the screening
	ScreeningNotDone  ScreeningOutcome = "not_done" // not yet done
)

// ScreeningOutcomes lists the outcomes in the order forms show them.
var ScreeningOutcomes = []ScreeningOutcome{ScreeningPositive, ScreeningNegative, ScreeningDeclined, ScreeningNotDone}

var screeningLabels = map[ScreeningOutcome]string{
	ScreeningPositive: "Positive: identified as a child sex-trafficking victim",
	ScreeningNegative: "Negative",
	ScreeningDeclined: "The young person declined",
	ScreeningNotDone:  "Not yet done",
}

// Label is the outcome as people read it.
func (o ScreeningOutcome) Label() string { return label(screeningLabels, o) }

// LeaveFactor is one of the listed factors that may have led a child to
// leave. They describe circumstances, never blame the child.
type LeaveFactor struct{ ID, Label string }

// LeaveFactors is the list the debrief offers (with free text besides).
var LeaveFactors = []LeaveFactor{
	{"conflict_placement", "Conflict or unhappiness at the placement"},
	{"felt_unsafe", "Did not feel safe at the placement"},
	{"family_friends", "Wanted to be with family or friends"},
	{"relationship", "A relationship with a partner or another person"},
	{"pressured", "Someone encouraged, pressured or lured the child to leave"},
	{"placement_change", "A placement change, or the fear of one"},
	{"school", "Difficulties at school"},
	{"substance_use", "Substance use"},
	{"unmet_needs", "Health or mental-health needs not met"},
	{"other", "Something else (described below)"},
}

// LeaveFactorLabel returns the label of a factor id (the id itself when unknown).
func LeaveFactorLabel(id string) string {
	for _, f := range LeaveFactors {
		if f.ID == id {
			return f.Label
		}
	}
	return id
}

// Recovery is a child's return from a missing episode, with the debrief the
// law requires: why the child left, what happened while away, and the
// sex-trafficking screening.
type Recovery struct {
	RecoveredAt  time.Time
	Place        Place  // where the child was found (Role PlaceRecovered)
	RecoveredBy  string // the agency or person who found the child
	Factors      []string
	FactorsOther string
	Experiences  string
	Screening    ScreeningOutcome
	// TraffickingReportedAt is when law enforcement was told that the child
	// was identified as a sex-trafficking victim (a positive screening);
	// due within 24 hours of the recovery being recorded.
	TraffickingReportedAt *time.Time
	FollowUp              string
	FollowUpDue           *time.Time // a date (UTC midnight)
	RecordedBy            int64
	RecordedAt            time.Time // set by the service
}

// Limits on free text in an episode.
const maxEpisodeText = 5000

// Validate checks a recovery of an episode against now.
func (r *Recovery) Validate(e *MissingEpisode, now time.Time) error {
	r.RecoveredBy, r.FactorsOther = strings.TrimSpace(r.RecoveredBy), strings.TrimSpace(r.FactorsOther)
	r.Experiences, r.FollowUp = strings.TrimSpace(r.Experiences), strings.TrimSpace(r.FollowUp)
	r.Place.Role = PlaceRecovered
	r.Place.State = strings.ToUpper(strings.TrimSpace(r.Place.State))
	if r.RecoveredAt.IsZero() {
		return FieldError("recovered_at", "give the date and time the child was recovered")
	}
	if r.RecoveredAt.After(now.Add(5 * time.Minute)) {
		return FieldError("recovered_at", "the recovery time is in the future")
	}
	if start := e.Start(); r.RecoveredAt.Before(start) {
		return FieldError("recovered_at", "the recovery time is before the child went missing (%s UTC)", start.Format("2006-01-02 15:04"))
	}
	if err := r.Place.Validate(); err != nil {
		return FieldError("recovered_state", "%s", ErrorMessage(err))
	}
	if len(r.RecoveredBy) > 200 {
		return FieldError("recovered_by", "at most 200 characters")
	}
	seen := map[string]bool{}
	for _, f := range r.Factors {
		if LeaveFactorLabel(f) == f || seen[f] {
			return FieldError("factors", "unknown or repeated factor %q", f)
		}
		seen[f] = true
	}
	if seen["other"] && r.FactorsOther == "" {
		return FieldError("factors_other", "describe the other factor")
	}
	for _, t := range []struct{ field, s string }{{"factors_other", r.FactorsOther}, {"experiences", r.Experiences}, {"follow_up", r.FollowUp}} {
		if utf8.RuneCountInString(t.s) > maxEpisodeText {
			return FieldError(t.field, "at most %d characters", maxEpisodeText)
		}
	}
	if !oneOf(r.Screening, ScreeningOutcomes) {
		return FieldError("screening", "choose the outcome of the sex-trafficking screening (choose “not yet done” if it has not happened)")
	}
	if r.TraffickingReportedAt != nil {
		if r.Screening != ScreeningPositive {
			return FieldError("trafficking_reported_at", "this time is only for a positive screening")
		}
		if r.TraffickingReportedAt.After(now.Add(5 * time.Minute)) {
			return FieldError("trafficking_reported_at", "the time law enforcement was told is in the future")
		}
	}
	return nil
}

// MissingEpisode is one time a child went missing, from the report to the
// recovery. Recovery is nil while the child is still missing.
type MissingEpisode struct {
	ID             int64
	ChildID        int64
	ReportID       int64 // the missing-child report that opened it
	MissingType    MissingType
	LawEnforcement LawEnforcementReport
	LastSeenAt     time.Time
	LastSeen       Place // Role PlaceLastSeen
	LastSeenWith   string
	Circumstances  string // what happened, in the reporter's words
	Guardians      []Guardian
	FromCare       *FromCare // nil unless the child was in the care of child welfare
	Recovery       *Recovery
	AgencyID       int64  // the agency that holds the episode (the reporter's, else the child-welfare agency)
	State          string // the last-seen state, for jurisdiction
	CreatedBy      int64
	// SubmissionKey is the form's one-time key: a retried submission with
	// the same key from the same user finds the episode it made before.
	SubmissionKey string
	CreatedAt     time.Time
	UpdatedAt     time.Time

	// Filled in by GetEpisode, not stored with the episode.
	Child  *Child
	Photos []*Attachment
}

// Open reports whether the child has not been recovered.
func (e *MissingEpisode) Open() bool { return e.Recovery == nil }

// Start is when the episode began: when the child was found missing from
// care, or else when last seen.
func (e *MissingEpisode) Start() time.Time {
	if e.FromCare != nil && e.FromCare.FoundMissingAt.Before(e.LastSeenAt) {
		return e.FromCare.FoundMissingAt
	}
	return e.LastSeenAt
}

// Resource returns what the rules need to know about the episode.
func (e *MissingEpisode) Resource() Resource {
	return Resource{Kind: KindEpisode, ID: e.ID, AgencyID: e.AgencyID, CreatedBy: e.CreatedBy, State: e.State}
}

// LawEnforcementClock is the clock of the notification to law enforcement
// (nil for an episode not from care).
func (e *MissingEpisode) LawEnforcementClock(now time.Time) *Clock {
	if e.FromCare == nil {
		return nil
	}
	due := e.FromCare.NotifyDue()
	c := StatutoryClock(&due, e.FromCare.LawEnforcementToldAt, now)
	return &c
}

// ClearinghouseClock is the clock of the notification to the clearinghouse
// (nil for an episode not from care).
func (e *MissingEpisode) ClearinghouseClock(now time.Time) *Clock {
	if e.FromCare == nil {
		return nil
	}
	due := e.FromCare.NotifyDue()
	c := StatutoryClock(&due, e.FromCare.ClearinghouseToldAt, now)
	return &c
}

// TraffickingClock is the clock of the duty to tell law enforcement within
// 24 hours about a child the screening identified as a sex-trafficking
// victim (nil unless the screening was positive).
func (e *MissingEpisode) TraffickingClock(now time.Time) *Clock {
	if e.Recovery == nil || e.Recovery.Screening != ScreeningPositive {
		return nil
	}
	due := e.Recovery.RecordedAt.Add(StatutoryWindow)
	c := StatutoryClock(&due, e.Recovery.TraffickingReportedAt, now)
	return &c
}

// Overdue reports whether a statutory notification about a child missing
// from care is owed and past due at now. A child recovered before the
// notifications fell due owes none any more. OverdueFromCare's store query
// selects exactly these episodes.
func (e *MissingEpisode) Overdue(now time.Time) bool {
	if e.FromCare == nil {
		return false
	}
	due := e.FromCare.NotifyDue()
	if !now.After(due) || (e.Recovery != nil && !e.Recovery.RecoveredAt.After(due)) {
		return false
	}
	return e.FromCare.LawEnforcementToldAt == nil || e.FromCare.ClearinghouseToldAt == nil
}

// validate checks an episode (without its recovery) against now.
func (e *MissingEpisode) validate(now time.Time) error {
	if !oneOf(e.MissingType, MissingTypes) {
		return FieldError("missing_type", "choose one of the five case types")
	}
	if err := e.LawEnforcement.Validate(); err != nil {
		return err
	}
	e.LastSeen.Role = PlaceLastSeen
	e.LastSeen.City, e.LastSeen.ZIP = strings.TrimSpace(e.LastSeen.City), strings.TrimSpace(e.LastSeen.ZIP)
	e.LastSeen.Name, e.LastSeen.Address = strings.TrimSpace(e.LastSeen.Name), strings.TrimSpace(e.LastSeen.Address)
	e.LastSeen.State = strings.ToUpper(strings.TrimSpace(e.LastSeen.State))
	e.LastSeenWith, e.Circumstances = strings.TrimSpace(e.LastSeenWith), strings.TrimSpace(e.Circumstances)
	if e.LastSeenAt.IsZero() {
		return FieldError("last_seen_at", "give the date and time the child was last seen (your best estimate)")
	}
	if e.LastSeenAt.After(now.Add(5 * time.Minute)) {
		return FieldError("last_seen_at", "the time last seen is in the future")
	}
	if e.LastSeen.State == "" {
		return FieldError("last_seen_state", "give the state where the child was last seen")
	}
	if !ValidState(e.LastSeen.State) {
		return FieldError("last_seen_state", "%q is not a US state or territory postal code", e.LastSeen.State)
	}
	if z := e.LastSeen.ZIP; z != "" && !validZIP(z) {
		return FieldError("last_seen_zip", "a ZIP code is 5 digits, or 5 digits, a dash and 4 more")
	}
	if len(e.LastSeen.City) > 100 || len(e.LastSeen.Name) > 200 || len(e.LastSeen.Address) > 300 {
		return FieldError("last_seen_city", "the place is too long")
	}
	if len(e.LastSeenWith) > 500 {
		return FieldError("last_seen_with", "at most 500 characters")
	}
	if utf8.RuneCountInString(e.Circumstances) > maxEpisodeText {
		return FieldError("circumstances", "at most %d characters", maxEpisodeText)
	}
	kept := e.Guardians[:0]
	for _, g := range e.Guardians {
		if !g.Empty() {
			kept = append(kept, g)
		}
	}
	e.Guardians = kept
	if len(e.Guardians) > MaxGuardians {
		return FieldError("guardian_name_0", "at most %d guardians", MaxGuardians)
	}
	for i := range e.Guardians {
		if err := e.Guardians[i].Validate(i); err != nil {
			return err
		}
	}
	if e.FromCare != nil {
		if err := e.FromCare.Validate(now); err != nil {
			return err
		}
	}
	if len(e.SubmissionKey) > 64 {
		return FieldError("submission", "the form's key is too long; reload the form")
	}
	return nil
}

func validZIP(z string) bool {
	digits := func(s string) bool {
		for _, r := range s {
			if r < '0' || r > '9' {
				return false
			}
		}
		return true
	}
	switch len(z) {
	case 5:
		return digits(z)
	case 10:
		return z[5] == '-' && digits(z[:5]) && digits(z[6:])
	}
	return false
}

// EpisodeFilter selects episodes in ListEpisodes and CountEpisodes. Zero
// fields do not filter, except Scope: the zero Scope selects nothing.
type EpisodeFilter struct {
	Scope    Scope
	ChildID  int64
	Open     *bool // recovered or not
	FromCare *bool
	// OverdueAt selects the episodes Overdue at that time.
	OverdueAt *time.Time
	Limit     int
	Offset    int
}

// MissingTx is the part of a transaction that keeps missing episodes.
type MissingTx interface {
	// CreateEpisode stores an episode with its guardians and missing-from-care
	// details (Recovery is ignored); it sets ID, CreatedAt and UpdatedAt. A
	// SubmissionKey the same user already used is ECONFLICT.
	CreateEpisode(ctx context.Context, e *MissingEpisode) error
	// EpisodeByID returns an episode with its guardians and recovery
	// (without Child and Photos); ENOTFOUND when there is none.
	EpisodeByID(ctx context.Context, id int64) (*MissingEpisode, error)
	// EpisodeBySubmission finds the episode a user made with a form key;
	// ENOTFOUND when there is none.
	EpisodeBySubmission(ctx context.Context, createdBy int64, key string) (*MissingEpisode, error)
	// RecordRecovery stores the recovery of an open episode and sets
	// UpdatedAt; an episode already recovered is ECONFLICT, none ENOTFOUND.
	RecordRecovery(ctx context.Context, episodeID int64, r *Recovery) error
	// SetEpisodeNotifications records when law enforcement and the
	// clearinghouse were told about a child missing from care; a nil time,
	// or a notification recorded already, is left as it was. It sets
	// UpdatedAt; no episode is ENOTFOUND.
	SetEpisodeNotifications(ctx context.Context, episodeID int64, lawEnforcementToldAt, clearinghouseToldAt *time.Time) error
	// ListEpisodes lists episodes with their guardians: those of one child
	// oldest first, otherwise newest first.
	ListEpisodes(ctx context.Context, f EpisodeFilter) ([]*MissingEpisode, error)
	CountEpisodes(ctx context.Context, f EpisodeFilter) (int, error)
}

// Photo is a photo of a missing child as a channel received it.
type Photo struct {
	Name, DeclaredType string
	Body               io.Reader
}

// MaxPhotos is the most photos one missing-child report carries.
const MaxPhotos = 5

// MissingReport is a missing-child report as a channel received it: the
// episode, and either the id of a child on file or a new child.
type MissingReport struct {
	Episode MissingEpisode
	ChildID int64  // a child on file the reporter may see; 0 = NewChild
	Child   *Child // the child to put on file when ChildID is 0
	Photos  []Photo
	// Reporter is who made the report (for the hotline, the parent or
	// guardian who called).
	Reporter Contact
}
