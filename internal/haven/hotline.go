package haven

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/taxonomy"
)

// This file is the hotline console's domain: a call to the 24/7 line, taken
// by a hotline specialist in guided sections, which produces one report
// (channel hotline) that every later save of the call updates; the
// "imminent danger" switch, which saves that report at once as P1 and
// alerts the analysts and supervisors in the app; and those in-app
// notifications.

// Record kinds of the hotline console.
const (
	KindCall         Kind = "call"
	KindNotification Kind = "notification"
)

// Notification kinds.
const (
	// NotifyImminent tells an analyst or supervisor that a hotline
	// specialist flagged a call as imminent danger.
	NotifyImminent = "imminent_danger"
)

// NotifiedRoles are the roles alerted in the app when a call is flagged as
// imminent danger. Every enabled account of these roles is alerted: Haven
// does not know who is on duty (a live session says only that a browser was
// used in the last half hour), and an alert to someone off duty costs less
// than one that reaches nobody.
var NotifiedRoles = []Role{RoleAnalyst, RoleSupervisor}

// Call is one call to the hotline. It exists from its first second
// (StartedAt is set when the specialist presses "Start a call"); ReportID is
// 0 until the call has something to report.
type Call struct {
	ID           int64
	SpecialistID int64 // the hotline specialist who took the call
	ReportID     int64 // the report the call produced; 0 = none yet
	StartedAt    time.Time
	EndedAt      *time.Time // nil while the call goes on
	CallerType   string     // a caller type id of the taxonomy ("" until chosen)
	Language     string     // "en" or "es"
	Disposition  string     // a disposition id of the taxonomy ("" until the call ends)
	Imminent     bool       // the specialist flagged imminent danger
	ImminentAt   *time.Time
	Details      CallDetails // what the specialist has entered so far
	UpdatedAt    time.Time
	// ReportRef is the reference number of the call's report, filled in by
	// GetCall and by the methods that change a call (it is not stored with
	// the call).
	ReportRef string
	// Attachments are the files of the call's report, in the order they
	// came, filled in by GetCall (not stored with the call).
	Attachments []*Attachment
}

// Ended reports whether the call has ended.
func (c *Call) Ended() bool { return c.EndedAt != nil }

// Resource returns what the rules need to know about the call: its
// specialist counts as its creator.
func (c *Call) Resource() Resource {
	return Resource{Kind: KindCall, ID: c.ID, CreatedBy: c.SpecialistID}
}

// CallDetails is what the specialist entered in the console's sections. It
// is kept with the call (so that the console shows it again) and written
// into the call's report.
type CallDetails struct {
	// Who is calling, and how to reach them if they want.
	CallerAnonymous bool   `json:"caller_anonymous,omitempty"`
	CallerName      string `json:"caller_name,omitempty"`
	CallerPhone     string `json:"caller_phone,omitempty"`
	CallerEmail     string `json:"caller_email,omitempty"`
	CallerOrg       string `json:"caller_org,omitempty"`
	// What happened, when and where.
	IncidentType string `json:"incident_type,omitempty"`
	Form         string `json:"form,omitempty"` // a form of trafficking id of the taxonomy
	WhatHappened string `json:"what_happened,omitempty"`
	When         string `json:"when,omitempty"` // the caller's words
	Place        string `json:"place,omitempty"`
	City         string `json:"city,omitempty"`
	State        string `json:"state,omitempty"`
	// The child.
	ChildName        string `json:"child_name,omitempty"`
	ChildNickname    string `json:"child_nickname,omitempty"`
	ChildAge         *int   `json:"child_age,omitempty"`
	ChildDescription string `json:"child_description,omitempty"`
	ChildWhereNow    string `json:"child_where_now,omitempty"`
	// People involved.
	People []CallPerson `json:"people,omitempty"`
	// Online details: one phone number, link, account or payment handle a line.
	Online string `json:"online,omitempty"`
	// Indicators ticked (taxonomy ids) and the answers to their follow-up questions.
	Indicators []string         `json:"indicators,omitempty"`
	Answers    []FollowUpAnswer `json:"answers,omitempty"`
	// The specialist's notes.
	Notes string `json:"notes,omitempty"`
}

// CallPerson is someone involved, as the caller describes them.
type CallPerson struct {
	Role        PersonRole `json:"role"` // suspect, buyer or other
	Name        string     `json:"name,omitempty"`
	Nickname    string     `json:"nickname,omitempty"`
	Description string     `json:"description,omitempty"`
}

// FollowUpAnswer is what the caller said to one follow-up question of an
// indicator. The question's English text is kept with the answer, so that
// the record reads the same after the taxonomy changes.
type FollowUpAnswer struct {
	Indicator string `json:"indicator"`
	Question  int    `json:"question"` // index in the indicator's questions
	Text      string `json:"text"`     // the question, in English
	Answer    string `json:"answer"`
}

// Limits on call details.
const (
	MaxCallPeople = 10
	maxCallText   = 5000
	// MaxCallFiles is the most files one save of a call may attach.
	MaxCallFiles = 5
)

// HotlineIncidentTypes are the incident types a hotline call may allege
// (a missing child is reported on the missing-child form).
var HotlineIncidentTypes = []IncidentType{IncidentSexTrafficking, IncidentEnticement, IncidentSexTourism, IncidentMolestation, IncidentOther}

// CallPersonRoles are the roles of people involved a caller may describe.
var CallPersonRoles = []PersonRole{PersonSuspect, PersonBuyer, PersonOther}

// Languages a call may be taken in (the taxonomy's questions exist in both).
var CallLanguages = []string{"en", "es"}

// Taxonomy returns Haven's indicator taxonomy (embedded, loaded once).
var Taxonomy = sync.OnceValue(func() *taxonomy.Taxonomy {
	t, err := taxonomy.Load()
	if err != nil {
		panic("haven: the embedded taxonomy does not load: " + err.Error()) // a build defect, caught by any test
	}
	return t
})

// Normalize trims the details' text and drops empty people, duplicate and
// unticked indicators' answers, and empty answers; an answer without its
// question's text gets it from the taxonomy.
func (d *CallDetails) Normalize() {
	for _, p := range []*string{&d.CallerName, &d.CallerPhone, &d.CallerEmail, &d.CallerOrg, &d.WhatHappened,
		&d.When, &d.Place, &d.City, &d.ChildName, &d.ChildNickname, &d.ChildDescription, &d.ChildWhereNow,
		&d.Online, &d.Notes, (*string)(&d.IncidentType), &d.Form} {
		*p = strings.TrimSpace(*p)
	}
	d.State = strings.ToUpper(strings.TrimSpace(d.State))
	people := d.People[:0]
	for _, p := range d.People {
		p.Name, p.Nickname, p.Description = strings.TrimSpace(p.Name), strings.TrimSpace(p.Nickname), strings.TrimSpace(p.Description)
		if p.Name != "" || p.Nickname != "" || p.Description != "" {
			people = append(people, p)
		}
	}
	d.People = people
	ticked := map[string]bool{}
	inds := d.Indicators[:0]
	for _, id := range d.Indicators {
		if id = strings.TrimSpace(id); id != "" && !ticked[id] {
			ticked[id] = true
			inds = append(inds, id)
		}
	}
	d.Indicators = inds
	answers := d.Answers[:0]
	tax := Taxonomy()
	for _, a := range d.Answers {
		a.Answer = strings.TrimSpace(a.Answer)
		if ticked[a.Indicator] && a.Answer != "" {
			if ind := tax.Indicator(a.Indicator); a.Text == "" && ind != nil && a.Question >= 0 && a.Question < len(ind.Questions) {
				a.Text = ind.Questions[a.Question].EN // the question as asked, kept with the answer
			}
			answers = append(answers, a)
		}
	}
	d.Answers = answers
	if d.CallerAnonymous {
		d.CallerName, d.CallerPhone, d.CallerEmail = "", "", ""
	}
}

// Validate checks the details; the error names the field at fault.
func (d *CallDetails) Validate() error {
	tx := Taxonomy()
	short := map[string]string{"caller_name": d.CallerName, "caller_org": d.CallerOrg, "when": d.When, "place": d.Place,
		"city": d.City, "child_name": d.ChildName, "child_nickname": d.ChildNickname, "child_where_now": d.ChildWhereNow}
	for _, f := range sortedKeys(short) {
		if utf8.RuneCountInString(short[f]) > MaxShortField {
			return FieldError(f, "this has at most %d characters", MaxShortField)
		}
	}
	long := map[string]string{"what_happened": d.WhatHappened, "child_description": d.ChildDescription, "online": d.Online, "notes": d.Notes}
	for _, f := range sortedKeys(long) {
		if utf8.RuneCountInString(long[f]) > maxCallText {
			return FieldError(f, "this has at most %d characters", maxCallText)
		}
	}
	if len(d.CallerPhone) > 50 {
		return FieldError("caller_phone", "a phone number has at most 50 characters")
	}
	if d.CallerEmail != "" && (len(d.CallerEmail) > 255 || !strings.Contains(d.CallerEmail, "@")) {
		return FieldError("caller_email", "an email address looks like name@example.com")
	}
	if d.IncidentType != "" && !oneOf(IncidentType(d.IncidentType), HotlineIncidentTypes) {
		return FieldError("incident_type", "choose what the call is about from the list")
	}
	if d.Form != "" && tx.Form(d.Form) == nil {
		return FieldError("form", "choose a form of trafficking from the list")
	}
	if d.State != "" && !ValidState(d.State) {
		return FieldError("state", "%q is not a US state or territory postal code", d.State)
	}
	if d.ChildAge != nil && (*d.ChildAge < 0 || *d.ChildAge > 25) {
		return FieldError("child_age", "the child's age is a whole number from 0 to 25")
	}
	if len(d.People) > MaxCallPeople {
		return FieldError("people", "at most %d people in one call", MaxCallPeople)
	}
	for _, p := range d.People {
		if !oneOf(p.Role, CallPersonRoles) {
			return FieldError("people", "choose what each person is to the child from the list")
		}
		if utf8.RuneCountInString(p.Name) > 100 || utf8.RuneCountInString(p.Nickname) > 100 || utf8.RuneCountInString(p.Description) > 2000 {
			return FieldError("people", "a name has at most 100 characters, a description 2000")
		}
	}
	if err := tx.ValidateIndicators(d.Indicators); err != nil {
		return FieldError("indicators", "choose indicators from the list")
	}
	for _, a := range d.Answers {
		ind := tx.Indicator(a.Indicator)
		if ind == nil || a.Question < 0 || a.Question >= len(ind.Questions) {
			return FieldError("answers", "an answer belongs to no follow-up question")
		}
		if utf8.RuneCountInString(a.Answer) > maxCallText {
			return FieldError("answers", "an answer has at most %d characters", maxCallText)
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	ks := make([]string, 0, len(m))
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

// HasContent reports whether the call has anything to report yet: the
// report is created at the first save that does (or when imminent danger is
// flagged, whatever is filled).
func (d *CallDetails) HasContent() bool {
	return d.WhatHappened != "" || d.ChildName != "" || d.ChildNickname != "" || d.ChildDescription != "" ||
		d.ChildWhereNow != "" || len(d.People) > 0 || d.Online != "" || len(d.Indicators) > 0 || d.Notes != "" ||
		d.Place != "" || d.City != ""
}

// Notification is an in-app alert to one user.
type Notification struct {
	ID          int64
	RecipientID int64
	Kind        string // e.g. NotifyImminent
	ReportID    int64  // the report it is about; 0 = none
	CallID      int64  // the call it is about; 0 = none
	Message     string // one line, no personal details of the child
	CreatedAt   time.Time
	ReadAt      *time.Time // nil while unread
	EmailedAt   *time.Time // when its email went out; nil if none did
}

// Resource returns what the rules need to know about the notification: it
// is "assigned" to its recipient.
func (n *Notification) Resource() Resource {
	return Resource{Kind: KindNotification, ID: n.ID, AssignedTo: n.RecipientID}
}

// CallFilter selects calls in ListCalls, newest first. The zero Scope selects nothing.
type CallFilter struct {
	Scope  Scope
	Open   bool // only calls not ended
	Limit  int
	Offset int
}

// NotificationFilter selects one user's notifications, newest first.
type NotificationFilter struct {
	RecipientID int64
	Unread      bool
	Limit       int
}

// HotlineTx is the part of a transaction that keeps hotline calls and the
// reports they produce.
type HotlineTx interface {
	// CreateCall stores a call; sets ID and UpdatedAt (StartedAt as given,
	// or the transaction's time when zero).
	CreateCall(ctx context.Context, c *Call) error
	// CallByID returns a call, or ENOTFOUND.
	CallByID(ctx context.Context, id int64) (*Call, error)
	// UpdateCall writes ReportID, EndedAt, CallerType, Language,
	// Disposition, Imminent, ImminentAt and Details, and sets UpdatedAt.
	UpdateCall(ctx context.Context, c *Call) error
	// ListCalls lists calls in the filter's scope, newest first.
	ListCalls(ctx context.Context, f CallFilter) ([]*Call, error)
	// UpdateReportIntake rewrites what an intake channel entered in a
	// report: IncidentType, IncidentTimeText, Narrative, State, Reporter,
	// Indicators, Priority, and the places, people and identifiers (all
	// replaced); it sets UpdatedAt. ENOTFOUND for a missing report.
	UpdateReportIntake(ctx context.Context, r *Report) error
}

// NotificationsTx is the part of a transaction that keeps in-app notifications.
type NotificationsTx interface {
	// CreateNotification stores a notification; sets ID and CreatedAt.
	CreateNotification(ctx context.Context, n *Notification) error
	NotificationByID(ctx context.Context, id int64) (*Notification, error)
	// ListNotifications lists a user's notifications, newest first.
	ListNotifications(ctx context.Context, f NotificationFilter) ([]*Notification, error)
	// CountUnreadNotifications counts a user's unread notifications.
	CountUnreadNotifications(ctx context.Context, recipientID int64) (int, error)
	// MarkNotificationRead sets ReadAt to at unless it is set already.
	MarkNotificationRead(ctx context.Context, id int64, at time.Time) error
	// MarkNotificationEmailed sets EmailedAt to at unless it is set already.
	MarkNotificationEmailed(ctx context.Context, id int64, at time.Time) error
}

// StartCall records a new call taken by the actor, starting now. Only
// hotline specialists take calls.
func (s *Service) StartCall(ctx context.Context, a Actor) (*Call, error) {
	c, _, err := s.StartCallOnce(ctx, a, Once{}, CallUpdate{})
	return c, err
}

// StartCallOnce is StartCall for a request that may be retried (see Once),
// with the caller type and language known at the start (u's other fields
// are ignored): an invalid one is EINVALID naming the field, and no call is
// started. A retry returns the call the first request started, with
// replayed true.
func (s *Service) StartCallOnce(ctx context.Context, a Actor, o Once, u CallUpdate) (c *Call, replayed bool, err error) {
	if !CanKind(a, ActionCreate, KindCall) {
		return nil, false, s.deny(ctx, a, "call.create", KindCall, 0, forbidden("take hotline calls"))
	}
	c = &Call{SpecialistID: a.UserID, StartedAt: s.now(), Language: "en"}
	u = CallUpdate{CallerType: u.CallerType, Language: u.Language}
	if err := applyCallUpdate(c, u); err != nil {
		return nil, false, err
	}
	blank := o.Key == "" && c.CallerType == ""
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.Store.Update(ctx, func(tx Tx) error {
			// A second press of "Start a call" within a few seconds (a double
			// click, a retried request) returns the call just started.
			open, err := tx.ListCalls(ctx, CallFilter{Scope: ScopeFor(a, ActionUpdate, KindCall), Open: true, Limit: 1})
			if err != nil {
				return err
			}
			if blank && len(open) == 1 && c.StartedAt.Sub(open[0].StartedAt) < startCallWindow && open[0].CallerType == "" &&
				open[0].ReportID == 0 && !open[0].Details.HasContent() {
				c = open[0]
				return nil
			}
			if err := tx.CreateCall(ctx, c); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, a, "call.create", OutcomeOK, KindCall, c.ID, "", ""); err != nil {
				return err
			}
			return s.remember(ctx, tx, a, o, c.ID)
		})
		return c.ID, err
	})
	if err != nil || !replayed {
		return c, false, err
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		if c, err = tx.CallByID(ctx, id); err != nil || c.ReportID == 0 {
			return err
		}
		r, err := tx.ReportByID(ctx, c.ReportID)
		if err == nil {
			c.ReportRef = r.Ref
		}
		return err
	})
	return c, true, err
}

// startCallWindow is how long after starting a call another start returns
// the same call (if nothing was entered in it yet).
const startCallWindow = 10 * time.Second

// GetCall returns a call the actor may see (the specialist who takes it,
// supervisors). A missing call and one the actor may not see answer alike
// (ENOTFOUND); a refusal is audited. Opening a call is audited too: it holds
// a child's details.
func (s *Service) GetCall(ctx context.Context, a Actor, id int64) (c *Call, err error) {
	err = s.viewRecord(ctx, a, KindCall, id, "", func(tx Tx) (Resource, error) {
		c, err = tx.CallByID(ctx, id)
		if err != nil {
			return Resource{}, err
		}
		return c.Resource(), nil
	})
	if err != nil || c.ReportID == 0 {
		return c, err
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, c.ReportID)
		if err != nil {
			return err
		}
		c.ReportRef = r.Ref
		c.Attachments, err = tx.ListAttachments(ctx, c.ReportID)
		return err
	})
	return c, err
}

// ListCalls lists the calls the actor may see, newest first.
func (s *Service) ListCalls(ctx context.Context, a Actor, f CallFilter) (cs []*Call, err error) {
	if !CanKind(a, ActionView, KindCall) {
		return nil, s.deny(ctx, a, "call.list", KindCall, 0, forbidden("see hotline calls"))
	}
	f.Scope = ScopeFor(a, ActionView, KindCall)
	err = s.Store.View(ctx, func(tx Tx) error {
		cs, err = tx.ListCalls(ctx, f)
		return err
	})
	return cs, err
}

// CallUpdate is one save of the console: the caller type and language
// ("" keeps the saved ones), and the details so far: Details replaces them
// when not nil; otherwise Edit, when not nil, is given the saved details
// (inside the transaction) and returns the new ones, or an error that
// refuses the update.
//
// Files are attached to the call's report (which they create if the call
// has none yet), source "hotline", in the save's transaction: a refused
// file (empty, too large, of a type not accepted) is EINVALID naming
// "files" and the file, and nothing of the save is stored. Files may be
// added while the call may be saved: by its specialist, until it ends.
type CallUpdate struct {
	CallerType string
	Language   string
	Details    *CallDetails
	Edit       func(saved CallDetails) (CallDetails, error)
	Files      []Upload
}

// SaveCall saves what the specialist entered. The first save with something
// to report creates the call's report; later saves update that same report.
// An ended call is ECONFLICT. Bad input is EINVALID naming the field, and
// nothing changes.
func (s *Service) SaveCall(ctx context.Context, a Actor, id int64, u CallUpdate) (*Call, error) {
	if err := checkCallFiles(u.Files); err != nil {
		return nil, err
	}
	var cleanups []func()
	c, err := s.changeCall(ctx, a, id, "call.update", func(tx Tx, c *Call) error {
		if c.Ended() {
			return errCallEnded
		}
		if err := applyCallUpdate(c, u); err != nil {
			return err
		}
		if c.ReportID == 0 && !c.Details.HasContent() && len(u.Files) == 0 {
			return nil
		}
		if err := s.saveCallReport(ctx, tx, a, c); err != nil {
			return err
		}
		return s.storeCallFiles(ctx, tx, a, c, u.Files, &cleanups)
	})
	if err != nil {
		runAll(cleanups)
	}
	return c, err
}

// errCallEnded refuses a change to an ended call.
var errCallEnded = Errorf(ECONFLICT, "This call has ended; it can no longer be changed.")

// checkCallFiles refuses more files than one save may attach.
func checkCallFiles(files []Upload) error {
	if len(files) > MaxCallFiles {
		return FieldError("files", "attach at most %d files at a time", MaxCallFiles)
	}
	return nil
}

// storeCallFiles attaches files to the call's report (which exists) inside
// tx, adding the cleanups to run if the transaction fails. A refused file
// is EINVALID naming "files", with the file's name in the message. A file
// the report has already (the same name and bytes: a form sent twice) is
// not attached again.
func (s *Service) storeCallFiles(ctx context.Context, tx Tx, a Actor, c *Call, files []Upload, cleanups *[]func()) error {
	if len(files) == 0 {
		return nil
	}
	had, err := tx.ListAttachments(ctx, c.ReportID)
	if err != nil {
		return err
	}
	for _, f := range files {
		info, cleanup, err := s.putAttachment(ctx, c.ReportID, f.Body)
		if ErrorCode(err) == EINVALID {
			return &Error{Code: EINVALID, Field: "files", Message: fmt.Sprintf("%q was not attached: %s", SanitizeFileName(f.Name), ErrorMessage(err))}
		} else if err != nil {
			return err
		}
		if slices.ContainsFunc(had, func(h *Attachment) bool { return h.SHA256 == info.SHA256 && h.FileName == SanitizeFileName(f.Name) }) {
			cleanup()
			continue
		}
		*cleanups = append(*cleanups, cleanup)
		att, err := s.recordAttachment(ctx, tx, a, c.ReportID, info, f.Name, f.DeclaredType, string(ChannelHotline))
		if err != nil {
			return err
		}
		had = append(had, att)
	}
	return nil
}

func runAll(fs []func()) {
	for _, f := range fs {
		f()
	}
}

// MarkImminent flags the call as imminent danger. In one transaction it
// saves the update, creates or updates the call's report with priority P1
// (whatever is filled so far), and alerts every enabled analyst and
// supervisor in the app; once it returns, the flag and the report survive
// whatever the specialist does next. When u is invalid, the flag is still
// saved (with the details saved before) and the field error is returned
// with the flagged call: an alarm is never lost to a typo. Flagging a call
// twice alerts only once. An ended call may still be flagged.
//
// Files in u are attached after the flag is saved, in a transaction of
// their own, on the rules of SaveCall; a refused one is returned as the
// field error, with the flagged call.
func (s *Service) MarkImminent(ctx context.Context, a Actor, id int64, u CallUpdate) (*Call, error) {
	var bad error
	files := u.Files
	u.Files = nil
	c, err := s.changeCall(ctx, a, id, "call.imminent", func(tx Tx, c *Call) error {
		if err := applyCallUpdate(c, u); ErrorCode(err) == EINVALID {
			bad = err
		} else if err != nil {
			return err
		}
		first := !c.Imminent
		if first {
			now := s.now()
			c.Imminent, c.ImminentAt = true, &now
		}
		if err := s.saveCallReport(ctx, tx, a, c); err != nil {
			return err
		}
		if s.Triager != nil {
			// Triage decides the priority now, in this transaction, from
			// the flag just saved (its hotline_imminent fact).
			if err := tx.UpdateCall(ctx, c); err != nil {
				return err
			}
			if _, err := s.triageTx(ctx, tx, c.ReportID); err != nil {
				return err
			}
		}
		if !first {
			return nil
		}
		return s.alertImminent(ctx, tx, c)
	})
	if err != nil {
		return nil, err
	}
	if len(files) > 0 {
		with, ferr := s.SaveCall(ctx, a, id, CallUpdate{Files: files})
		if ferr != nil && bad == nil {
			bad = ferr
		} else if ferr == nil {
			c = with
		}
	}
	return c, bad
}

// EndCall ends the call with its disposition, recording the end time. The
// last details (u.Details, if not nil) are saved first. Ending a call that
// has ended already changes nothing and returns it as it is.
func (s *Service) EndCall(ctx context.Context, a Actor, id int64, disposition string, u CallUpdate) (*Call, error) {
	if err := checkCallFiles(u.Files); err != nil {
		return nil, err
	}
	var cleanups []func()
	c, err := s.changeCall(ctx, a, id, "call.end", func(tx Tx, c *Call) error {
		if c.Ended() && len(u.Files) > 0 {
			return errCallEnded
		}
		if c.Ended() {
			return errUnchanged
		}
		disposition = strings.TrimSpace(disposition)
		if Taxonomy().Disposition(disposition) == nil {
			return FieldError("disposition", "choose how the call ended from the list")
		}
		if err := applyCallUpdate(c, u); err != nil {
			return err
		}
		now := s.now()
		c.Disposition, c.EndedAt = disposition, &now
		if c.ReportID == 0 && !c.Details.HasContent() && len(u.Files) == 0 {
			return nil
		}
		if err := s.saveCallReport(ctx, tx, a, c); err != nil {
			return err
		}
		return s.storeCallFiles(ctx, tx, a, c, u.Files, &cleanups)
	})
	if err != nil {
		runAll(cleanups)
	}
	return c, err
}

// errUnchanged makes changeCall return the call as it is, writing nothing.
var errUnchanged = Errorf(ECONFLICT, "unchanged")

// changeCall loads the call, checks the actor may update it, runs change and
// writes the call and the audit event, all in one transaction.
func (s *Service) changeCall(ctx context.Context, a Actor, id int64, action string, change func(Tx, *Call) error) (*Call, error) {
	var c *Call
	refused := false
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		c, err = tx.CallByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionUpdate, c.Resource())) {
			refused = true
			return hidden(KindCall)
		} else if err != nil {
			return err
		}
		if err := change(tx, c); err != nil {
			return err
		}
		if err := tx.UpdateCall(ctx, c); err != nil {
			return err
		}
		detail := ""
		if c.ReportID != 0 {
			detail = fmt.Sprintf("report %d", c.ReportID)
			r, err := tx.ReportByID(ctx, c.ReportID)
			if err != nil {
				return err
			}
			c.ReportRef = r.Ref
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCall, c.ID, "", detail)
	})
	switch {
	case errors.Is(err, errUnchanged):
		return c, nil
	case refused:
		return nil, s.deny(ctx, a, action, KindCall, id, hidden(KindCall))
	case err != nil:
		return nil, err
	}
	s.wake()
	return c, nil
}

// applyCallUpdate validates u and applies it to c; on error c is unchanged.
func applyCallUpdate(c *Call, u CallUpdate) error {
	tx := Taxonomy()
	ct := strings.TrimSpace(u.CallerType)
	if ct != "" && tx.CallerType(ct) == nil {
		return FieldError("caller_type", "choose who is calling from the list")
	}
	lang := strings.TrimSpace(u.Language)
	if lang != "" && !oneOf(lang, CallLanguages) {
		return FieldError("language", "the call's language is English or Spanish")
	}
	if u.Details == nil && u.Edit != nil {
		d, err := u.Edit(c.Details)
		if err != nil {
			return err
		}
		u.Details = &d
	}
	var d CallDetails
	if u.Details != nil {
		d = *u.Details
		d.Normalize()
		if err := d.Validate(); err != nil {
			return err
		}
	}
	if ct != "" {
		c.CallerType = ct
	}
	if lang != "" {
		c.Language = lang
	}
	if u.Details != nil {
		c.Details = d
	}
	return nil
}

// saveCallReport creates the call's report, or updates it, from the call.
func (s *Service) saveCallReport(ctx context.Context, tx Tx, a Actor, c *Call) error {
	r := c.report()
	if c.ReportID == 0 {
		r.CreatedBy, r.Status, r.ReceivedAt = c.SpecialistID, ReportNew, c.StartedAt
		if err := r.Validate(s.now()); err != nil {
			return err
		}
		if err := s.insertReport(ctx, tx, a, r); err != nil {
			return err
		}
		c.ReportID = r.ID
		return nil
	}
	old, err := tx.ReportByID(ctx, c.ReportID)
	if err != nil {
		return err
	}
	r.Priority = old.Priority // triage's to set (triage.go)
	if c.Imminent && s.Triager == nil && rank(P1) < rank(old.Priority) {
		r.Priority = P1 // the alarm's floor when nothing triages
	}
	r.ID, r.Ref = old.ID, old.Ref
	// Keep the matches an analyst confirmed between mentions and children on file.
	for i := range r.People {
		if i < len(old.People) && old.People[i].Role == r.People[i].Role {
			r.People[i].ChildID = old.People[i].ChildID
		}
	}
	if err := r.Validate(s.now()); err != nil {
		return err
	}
	if err := tx.UpdateReportIntake(ctx, r); err != nil {
		return err
	}
	// Linking and triage see the new details.
	if err := tx.EnqueueJob(ctx, &Job{Kind: JobIngestReport, RecordID: r.ID, RunAt: s.now()}); err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "report.update", OutcomeOK, KindReport, r.ID, "", "hotline call "+fmt.Sprint(c.ID))
}

// report builds the report the call stands for.
func (c *Call) report() *Report {
	d := &c.Details
	r := &Report{Channel: ChannelHotline, IncidentType: IncidentType(d.IncidentType), IncidentTimeText: d.When,
		Indicators: append([]string(nil), d.Indicators...)}
	if r.IncidentType == "" {
		r.IncidentType = IncidentSexTrafficking
	}
	if c.Imminent {
		// Only until triage runs in the same transaction (MarkImminent) or,
		// without a Triager, as the alarm's floor: the flag is triage's
		// hotline_imminent fact.
		r.Priority = P1
	}
	r.Reporter = Contact{Anonymous: d.CallerAnonymous, Name: d.CallerName, Phone: d.CallerPhone, Email: d.CallerEmail,
		Organization: d.CallerOrg, Relationship: c.CallerType, Language: c.Language}
	if d.Place != "" || d.City != "" || d.State != "" {
		r.Places = append(r.Places, Place{Role: PlaceIncident, Name: d.Place, City: d.City, State: d.State})
	}
	if d.ChildName != "" || d.ChildNickname != "" || d.ChildAge != nil || d.ChildDescription != "" {
		first, last, _ := strings.Cut(d.ChildName, " ")
		r.People = append(r.People, PersonMention{Role: PersonChild, FirstName: clipRunes(first, 100), LastName: clipRunes(strings.TrimSpace(last), 100),
			Nickname: clipRunes(d.ChildNickname, 100), Age: d.ChildAge, Description: clipRunes(d.ChildDescription, 2000)})
	}
	for _, p := range d.People {
		first, last, _ := strings.Cut(p.Name, " ")
		r.People = append(r.People, PersonMention{Role: p.Role, FirstName: first, LastName: strings.TrimSpace(last),
			Nickname: p.Nickname, Description: p.Description})
	}
	r.Identifiers = onlineIdentifiers(d.Online)
	r.Narrative = clipRunes(c.narrative(), MaxNarrative)
	r.Normalize()
	return r
}

// narrative writes the call down as text: the caller's account, the child,
// the online details, the follow-up answers and the notes, each under a
// heading, so that an analyst reads the whole call in the report.
func (c *Call) narrative() string {
	tx := Taxonomy()
	d := &c.Details
	var b strings.Builder
	line := func(label, v string) {
		if v != "" {
			fmt.Fprintf(&b, "%s: %s\n", label, v)
		}
	}
	fmt.Fprintf(&b, "Hotline call started %s UTC.", c.StartedAt.UTC().Format("2006-01-02 15:04"))
	if c.Imminent {
		b.WriteString(" The specialist flagged IMMINENT DANGER.")
	}
	b.WriteString("\n")
	if ct := tx.CallerType(c.CallerType); ct != nil {
		line("Caller", ct.EN)
	}
	if c.Language == "es" {
		line("Language of the call", "Spanish")
	}
	if f := tx.Form(d.Form); f != nil {
		line("Form of trafficking described", f.EN)
	}
	line("What happened", d.WhatHappened)
	line("When", d.When)
	line("Where", strings.Trim(strings.Join([]string{d.Place, d.City, d.State}, ", "), ", "))
	line("The child is now", d.ChildWhereNow)
	line("Online details", strings.ReplaceAll(d.Online, "\n", "; "))
	if len(d.Indicators) > 0 {
		var labels []string
		for _, id := range d.Indicators {
			if ind := tx.Indicator(id); ind != nil {
				labels = append(labels, ind.EN)
			}
		}
		line("Indicators observed", strings.Join(labels, "; "))
	}
	if len(d.Answers) > 0 {
		b.WriteString("Follow-up answers:\n")
		for _, a := range d.Answers {
			fmt.Fprintf(&b, "- %s %s\n", a.Text, a.Answer)
		}
	}
	line("Specialist's notes", d.Notes)
	if c.Disposition != "" {
		if dp := tx.Disposition(c.Disposition); dp != nil {
			line("Disposition", dp.EN)
		}
	}
	return strings.TrimSpace(b.String())
}

// onlineIdentifiers turns the online details (one a line) into identifiers
// that can link reports: phone numbers (US numbers to E.164), email
// addresses and links. Anything else stays in the narrative only, where
// identifier extraction finds it.
func onlineIdentifiers(text string) []Identifier {
	var ids []Identifier
	seen := map[string]bool{}
	for _, raw := range strings.Split(text, "\n") {
		raw = strings.TrimSpace(raw)
		if raw == "" || len(raw) > 2048 || len(ids) >= MaxIdentifiers {
			continue
		}
		var id Identifier
		lower := strings.ToLower(raw)
		switch {
		case strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://"):
			id = Identifier{Kind: IDURL, Value: lower}
		case strings.Count(raw, "@") == 1 && !strings.HasPrefix(raw, "@") && !strings.ContainsAny(raw, " \t"):
			id = Identifier{Kind: IDEmail, Value: lower}
		default:
			digits := strings.Map(func(r rune) rune {
				if r >= '0' && r <= '9' {
					return r
				}
				return -1
			}, raw)
			if strings.Trim(raw, "0123456789+-(). ") != "" {
				continue
			}
			switch {
			case len(digits) == 10:
				id = Identifier{Kind: IDPhone, Value: "+1" + digits}
			case len(digits) == 11 && digits[0] == '1':
				id = Identifier{Kind: IDPhone, Value: "+" + digits}
			default:
				continue
			}
		}
		id.Raw, id.Source = raw, "hotline_online"
		if key := string(id.Kind) + id.Value; !seen[key] {
			seen[key] = true
			ids = append(ids, id)
		}
	}
	return ids
}

// alertImminent creates one imminent-danger notification for every enabled
// analyst and supervisor.
func (s *Service) alertImminent(ctx context.Context, tx Tx, c *Call) error {
	return s.notifyStaff(ctx, tx, Notification{Kind: NotifyImminent, ReportID: c.ReportID, CallID: c.ID,
		Message: "Imminent danger: a hotline call was flagged. Act on the report now."})
}

// ListNotifications returns the actor's own notifications, newest first
// (only unread ones when unread), with the count of unread ones.
func (s *Service) ListNotifications(ctx context.Context, a Actor, unread bool, limit int) (ns []*Notification, unreadCount int, err error) {
	if !CanKind(a, ActionView, KindNotification) || a.UserID == 0 {
		return nil, 0, s.deny(ctx, a, "notification.list", KindNotification, 0, forbidden("see notifications"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		if ns, err = tx.ListNotifications(ctx, NotificationFilter{RecipientID: a.UserID, Unread: unread, Limit: limit}); err != nil {
			return err
		}
		unreadCount, err = tx.CountUnreadNotifications(ctx, a.UserID)
		return err
	})
	return ns, unreadCount, err
}

// UnreadNotifications counts the actor's unread notifications, for the
// header's badge; it is 0 for actors who are not alerted, and audits nothing.
func (s *Service) UnreadNotifications(ctx context.Context, a Actor) (n int, err error) {
	if !CanKind(a, ActionView, KindNotification) || a.UserID == 0 {
		return 0, nil
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		n, err = tx.CountUnreadNotifications(ctx, a.UserID)
		return err
	})
	return n, err
}

// MarkNotificationRead marks one of the actor's notifications read. Another
// user's notification answers as missing (and the refusal is audited);
// marking a read one again changes nothing.
func (s *Service) MarkNotificationRead(ctx context.Context, a Actor, id int64) error {
	refused := false
	err := s.Store.Update(ctx, func(tx Tx) error {
		n, err := tx.NotificationByID(ctx, id)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionUpdate, n.Resource())) {
			refused = true
			return hidden(KindNotification)
		} else if err != nil {
			return err
		}
		if n.ReadAt != nil {
			return nil
		}
		return tx.MarkNotificationRead(ctx, id, s.now())
	})
	if refused {
		return s.deny(ctx, a, "notification.read", KindNotification, id, hidden(KindNotification))
	}
	return err
}

// clipRunes returns s cut to at most n runes (never in the middle of one).
func clipRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n])
}
