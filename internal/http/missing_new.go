package http

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The missing-child report form (/missing/new, posted to /missing): the five
// case types, the police report, the child (on file or new), last seen,
// photos, guardians, and — for a child missing from care — the placement,
// the caseworker and the two notifications on the 24-hour clock.

// maxMissingBytes bounds a posted missing-child report with its photos.
const maxMissingBytes = 40 << 20

// guardianSlots is how many guardian rows the form offers (the page works
// without JavaScript, so rows are not added in the browser).
const guardianSlots = 3

// missingForm is the report form as the reporter typed it.
type missingForm struct {
	Submission                                       string
	MissingType                                      string
	LEAgency, LECaseNumber, NCIC                     string
	ChildID                                          string
	FirstName, LastName, Nicknames, DateOfBirth, Sex string
	Height, Weight, Hair, Eyes, Marks                string
	LastSeenAt, LastSeenName, LastSeenCity           string
	LastSeenState, LastSeenZIP, LastSeenWith         string
	Circumstances                                    string
	CallerName, CallerPhone, CallerRelationship      string
	Guardians                                        []guardianForm
	FromCare                                         bool
	CareAgency, PlacementType, PlacementName         string
	CaseworkerName, CaseworkerPhone, CaseworkerEmail string
	FoundMissingAt, LEToldAt, ClearinghouseToldAt    string
}

// guardianForm is one guardian row; N is its index in field names.
type guardianForm struct {
	N                                int
	Name, Relationship, Phone, Email string
}

// missingNewData is what the form page shows.
type missingNewData struct {
	Form              missingForm
	Error, ErrorField string
	Types             []option
	Children          []option
	Sexes             []option
	States            []option
	CareAgencies      []option
	Placements        []option
	IsHotline         bool
	MaxPhotos         int
	// F are the text inputs by id; GuardianRows the guardian rows' inputs.
	F            map[string]inputView
	GuardianRows []guardianRow
}

// guardianRow is one guardian's inputs, numbered from 1.
type guardianRow struct {
	Number int
	Inputs []inputView
}

// missingNew shows the report form to those who may report missing children.
func (s *Server) missingNew(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindEpisode, "report missing children"); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderMissingNew(w, r, a, http.StatusOK, missingNewData{Form: missingForm{Submission: newSubmissionKey()}})
}

// missingCreate files the report. A field the service refuses is shown
// next to that field with everything typed kept (photos must be chosen
// again: browsers never refill file inputs); success leads to the episode.
func (s *Server) missingCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	r.Body = http.MaxBytesReader(w, r.Body, maxMissingBytes)
	err := r.ParseMultipartForm(8 << 20)
	if errors.Is(err, http.ErrNotMultipart) {
		err = r.ParseForm()
	}
	if err != nil {
		var tooBig *http.MaxBytesError
		msg := "The form could not be read. Please try again."
		if errors.As(err, &tooBig) {
			msg = fmt.Sprintf("The report is too large: photos may total at most %d MB.", maxMissingBytes>>20)
		}
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], msg)
		return
	}
	if r.MultipartForm != nil {
		defer r.MultipartForm.RemoveAll()
	}
	if formHasBadText(r.Form) {
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], badFormText)
		return
	}
	form := readMissingForm(r)
	in, err := form.report(a)
	if err == nil {
		var closers []func()
		in.Photos, closers, err = photosOf(r)
		defer func() {
			for _, c := range closers {
				c()
			}
		}()
		if err == nil {
			var e *haven.MissingEpisode
			if e, err = s.svc.ReportMissing(r.Context(), a, in); err == nil {
				http.Redirect(w, r, fmt.Sprintf("/missing/%d", e.ID), http.StatusSeeOther)
				return
			}
		}
	}
	if haven.ErrorCode(err) == haven.EINVALID {
		if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindEpisode, "report missing children"); err != nil {
			s.pageError(w, r, err)
			return
		}
		d := missingNewData{Form: form}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderMissingNew(w, r, a, http.StatusBadRequest, d)
		return
	}
	s.pageError(w, r, err)
}

// readMissingForm reads the posted fields as typed.
func readMissingForm(r *http.Request) missingForm {
	v := func(k string) string { return r.FormValue(k) }
	f := missingForm{
		Submission: v("submission"), MissingType: v("missing_type"),
		LEAgency: v("le_agency"), LECaseNumber: v("le_case_number"), NCIC: v("ncic"),
		ChildID: v("child_id"), FirstName: v("first_name"), LastName: v("last_name"), Nicknames: v("nicknames"),
		DateOfBirth: v("date_of_birth"), Sex: v("sex"), Height: v("height"), Weight: v("weight"),
		Hair: v("hair"), Eyes: v("eyes"), Marks: v("marks"),
		LastSeenAt: v("last_seen_at"), LastSeenName: v("last_seen_name"), LastSeenCity: v("last_seen_city"),
		LastSeenState: v("last_seen_state"), LastSeenZIP: v("last_seen_zip"), LastSeenWith: v("last_seen_with"),
		Circumstances: v("circumstances"),
		CallerName:    v("caller_name"), CallerPhone: v("caller_phone"), CallerRelationship: v("caller_relationship"),
		FromCare:   v("from_care") != "",
		CareAgency: v("care_agency"), PlacementType: v("placement_type"), PlacementName: v("placement_name"),
		CaseworkerName: v("caseworker_name"), CaseworkerPhone: v("caseworker_phone"), CaseworkerEmail: v("caseworker_email"),
		FoundMissingAt: v("found_missing_at"), LEToldAt: v("le_told_at"), ClearinghouseToldAt: v("clearinghouse_told_at"),
	}
	for i := 0; i < haven.MaxGuardians; i++ {
		g := guardianForm{N: i, Name: v(fmt.Sprintf("guardian_name_%d", i)), Relationship: v(fmt.Sprintf("guardian_relationship_%d", i)),
			Phone: v(fmt.Sprintf("guardian_phone_%d", i)), Email: v(fmt.Sprintf("guardian_email_%d", i))}
		if strings.TrimSpace(g.Name+g.Relationship+g.Phone+g.Email) != "" {
			g.N = len(f.Guardians)
			f.Guardians = append(f.Guardians, g)
		}
	}
	return f
}

// report turns the form into the service's input; what cannot even be
// parsed (a malformed date) is a field error here.
func (f missingForm) report(a haven.Actor) (*haven.MissingReport, error) {
	in := &haven.MissingReport{}
	e := &in.Episode
	e.SubmissionKey = f.Submission
	e.MissingType = haven.MissingType(f.MissingType)
	e.LawEnforcement = haven.LawEnforcementReport{AgencyName: f.LEAgency, CaseNumber: f.LECaseNumber, NCIC: f.NCIC}
	var err error
	if e.LastSeenAt, err = parseFormTime("last_seen_at", f.LastSeenAt); err != nil {
		return nil, err
	}
	e.LastSeen = haven.Place{Role: haven.PlaceLastSeen, Name: f.LastSeenName, City: f.LastSeenCity, State: f.LastSeenState, ZIP: f.LastSeenZIP}
	e.LastSeenWith, e.Circumstances = f.LastSeenWith, f.Circumstances
	for _, g := range f.Guardians {
		e.Guardians = append(e.Guardians, haven.Guardian{Name: g.Name, Relationship: g.Relationship, Phone: g.Phone, Email: g.Email})
	}
	if a.Role == haven.RoleHotline {
		in.Reporter = haven.Contact{Name: strings.TrimSpace(f.CallerName), Phone: strings.TrimSpace(f.CallerPhone),
			Relationship: "parent_guardian", Organization: strings.TrimSpace(f.CallerRelationship)}
	}
	if f.ChildID != "" {
		id, err := strconv.ParseInt(f.ChildID, 10, 64)
		if err != nil || id <= 0 {
			return nil, haven.FieldError("child_id", "choose a child from the list, or “a child not on file”")
		}
		in.ChildID = id
	} else {
		c := &haven.Child{FirstName: f.FirstName, LastName: f.LastName, Sex: haven.Sex(f.Sex), Description: childDescription(f)}
		for _, n := range strings.Split(f.Nicknames, ",") {
			if n = strings.TrimSpace(n); n != "" {
				c.Nicknames = append(c.Nicknames, n)
			}
		}
		if f.DateOfBirth != "" {
			dob, err := time.Parse("2006-01-02", strings.TrimSpace(f.DateOfBirth))
			if err != nil {
				return nil, haven.FieldError("date_of_birth", "give the date of birth as year-month-day, such as 2011-02-03")
			}
			c.DateOfBirth = &dob
		}
		switch c.Sex {
		case haven.SexUnknown, haven.SexFemale, haven.SexMale, haven.SexOther:
		default:
			return nil, haven.FieldError("sex", "choose female, male, other or not known")
		}
		in.Child = c
	}
	if f.FromCare {
		fc := &haven.FromCare{PlacementType: haven.PlacementType(f.PlacementType), PlacementName: f.PlacementName,
			CaseworkerName: f.CaseworkerName, CaseworkerPhone: f.CaseworkerPhone, CaseworkerEmail: f.CaseworkerEmail}
		if f.CareAgency != "" {
			id, err := strconv.ParseInt(f.CareAgency, 10, 64)
			if err != nil || id <= 0 {
				return nil, haven.FieldError("care_agency", "choose the child-welfare agency from the list")
			}
			fc.AgencyID = id
		}
		if fc.FoundMissingAt, err = parseFormTime("found_missing_at", f.FoundMissingAt); err != nil {
			return nil, err
		}
		for _, t := range []struct {
			field, value string
			into         **time.Time
		}{{"le_told_at", f.LEToldAt, &fc.LawEnforcementToldAt}, {"clearinghouse_told_at", f.ClearinghouseToldAt, &fc.ClearinghouseToldAt}} {
			at, err := parseFormTime(t.field, t.value)
			if err != nil {
				return nil, err
			}
			if !at.IsZero() {
				*t.into = &at
			}
		}
		e.FromCare = fc
	}
	return in, nil
}

// childDescription joins the description fields into the child's one
// description, labelled.
func childDescription(f missingForm) string {
	var parts []string
	for _, p := range []struct{ label, v string }{{"Height", f.Height}, {"Weight", f.Weight}, {"Hair", f.Hair}, {"Eyes", f.Eyes}, {"Marks", f.Marks}} {
		if v := strings.TrimSpace(p.v); v != "" {
			parts = append(parts, p.label+": "+v)
		}
	}
	return strings.Join(parts, "; ")
}

// formTimeLayouts are what a datetime-local input sends (with or without
// seconds). Times are in UTC, as the form says.
var formTimeLayouts = []string{"2006-01-02T15:04", "2006-01-02T15:04:05", "2006-01-02 15:04"}

// parseFormTime parses a date and time typed in the form; "" is the zero
// time (the service decides whether the field is required).
func parseFormTime(field, s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, nil
	}
	for _, l := range formTimeLayouts {
		if t, err := time.ParseInLocation(l, s, time.UTC); err == nil {
			return t, nil
		}
	}
	return time.Time{}, haven.FieldError(field, "give a date and time such as 2026-11-24T18:30 (UTC)")
}

// photosOf opens the uploaded photos; the closers close them.
func photosOf(r *http.Request) ([]haven.Photo, []func(), error) {
	if r.MultipartForm == nil {
		return nil, nil, nil
	}
	var (
		photos  []haven.Photo
		closers []func()
	)
	for _, fh := range r.MultipartForm.File["photos"] {
		if fh.Filename == "" && fh.Size == 0 {
			continue // the empty part a browser sends for no file
		}
		if len(photos) == haven.MaxPhotos {
			return photos, closers, haven.FieldError("photos", "at most %d photos", haven.MaxPhotos)
		}
		f, err := fh.Open()
		if err != nil {
			return photos, closers, fmt.Errorf("open uploaded photo: %w", err)
		}
		closers = append(closers, func() { f.Close() })
		photos = append(photos, haven.Photo{Name: fh.Filename, DeclaredType: fh.Header.Get("Content-Type"), Body: f})
	}
	return photos, closers, nil
}

// renderMissingNew renders the form with its choices.
func (s *Server) renderMissingNew(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d missingNewData) {
	ctx := r.Context()
	f := &d.Form
	for len(f.Guardians) < guardianSlots {
		f.Guardians = append(f.Guardians, guardianForm{N: len(f.Guardians)})
	}
	children, err := s.childOptions(ctx, a, f.ChildID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	care, err := s.careAgencyOptions(ctx, a, f.CareAgency)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, t := range haven.MissingTypes {
		d.Types = append(d.Types, option{Value: string(t), Label: t.Label(), Selected: string(t) == f.MissingType})
	}
	for _, p := range haven.PlacementTypes {
		d.Placements = append(d.Placements, option{Value: string(p), Label: p.Label(), Selected: string(p) == f.PlacementType})
	}
	for _, x := range []struct{ v, l string }{{"female", "Female"}, {"male", "Male"}, {"other", "Other"}} {
		d.Sexes = append(d.Sexes, option{Value: x.v, Label: x.l, Selected: x.v == f.Sex})
	}
	d.Children, d.CareAgencies = children, care
	d.States = stateNameOptions(strings.ToUpper(strings.TrimSpace(f.LastSeenState)))
	d.IsHotline, d.MaxPhotos = a.Role == haven.RoleHotline, haven.MaxPhotos
	d.F = missingInputs(&d)
	for _, v := range inputViews(d.ErrorField, d.Error,
		inputView{ID: "child_id", Label: "Child on file", Type: "select", Prompt: "A child not on file (describe below)", Options: d.Children,
			Hint: "Choose the child if Haven already has a record, for instance from an earlier episode. Otherwise describe the child below."},
		inputView{ID: "sex", Label: "Sex", Type: "select", Prompt: "Not known", Options: d.Sexes},
		inputView{ID: "last_seen_state", Label: "State", Type: "select", Prompt: "Choose a state", Options: d.States},
		inputView{ID: "care_agency", Label: "Child-welfare agency", Type: "select", Prompt: "Choose an agency", Options: d.CareAgencies},
		inputView{ID: "placement_type", Label: "Placement", Type: "select", Prompt: "Choose a kind of placement", Options: d.Placements},
	) {
		d.F[v.ID] = v
	}
	for _, g := range f.Guardians {
		d.GuardianRows = append(d.GuardianRows, guardianRow{Number: g.N + 1, Inputs: guardianInputs(g, d.ErrorField, d.Error)})
	}
	s.render(w, r, status, "missing_new", &a, d)
}

// childOptions lists the children on file the actor may see.
func (s *Server) childOptions(ctx context.Context, a haven.Actor, selected string) ([]option, error) {
	cs, err := s.svc.ChildChoices(ctx, a, 500)
	if err != nil {
		return nil, err
	}
	opts := make([]option, 0, len(cs))
	for _, c := range cs {
		id := strconv.FormatInt(c.ID, 10)
		opts = append(opts, option{Value: id, Label: childLabel(c), Selected: id == selected})
	}
	return opts, nil
}

// childLabel names a child for a list: name, nicknames and date of birth.
func childLabel(c *haven.Child) string {
	if c == nil {
		return "Unknown child"
	}
	l := c.FullName()
	if len(c.Nicknames) > 0 {
		l = strings.TrimSpace(l + " “" + strings.Join(c.Nicknames, "”, “") + "”")
	}
	if l == "" {
		l = fmt.Sprintf("Child %d", c.ID)
	}
	if c.DateOfBirth != nil {
		l += ", born " + c.DateOfBirth.Format("2006-01-02")
	}
	return l
}

// careAgencyOptions lists the child-welfare agencies of the directory.
func (s *Server) careAgencyOptions(ctx context.Context, a haven.Actor, selected string) ([]option, error) {
	ags, err := s.svc.ListAgencies(ctx, a, haven.AgencyFilter{Kind: haven.AgencyChildWelfare, Status: haven.AgencyActive})
	if err != nil {
		return nil, err
	}
	opts := make([]option, 0, len(ags))
	for _, ag := range ags {
		id := strconv.FormatInt(ag.ID, 10)
		label := ag.Name
		if ag.State != "" {
			label += " (" + ag.State + ")"
		}
		opts = append(opts, option{Value: id, Label: label, Selected: id == selected})
	}
	return opts, nil
}

// newSubmissionKey returns a fresh one-time key for a form, so that a
// retried submission does not file the report twice.
func newSubmissionKey() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return hex.EncodeToString(b)
}

// inputView is one labelled input of the missing-child pages, with its
// error when the service named it.
type inputView struct {
	ID, Label, Hint, Value, Type, Error, Autocomplete string
	// Prompt and Options make a select (Type "select"): Prompt is the
	// first, empty choice.
	Prompt  string
	Options []option
}

// DescribedBy lists the hint and error ids for aria-describedby.
func (v inputView) DescribedBy() string {
	var ids []string
	if v.Hint != "" {
		ids = append(ids, v.ID+"-hint")
	}
	if v.Error != "" {
		ids = append(ids, v.ID+"-error")
	}
	return strings.Join(ids, " ")
}

// inputViews indexes inputs by id, giving the one named field its error.
func inputViews(field, msg string, vs ...inputView) map[string]inputView {
	m := make(map[string]inputView, len(vs))
	for _, v := range vs {
		if v.Type == "" {
			v.Type = "text"
		}
		if v.ID == field {
			v.Error = msg
		}
		m[v.ID] = v
	}
	return m
}

// missingInputs are the text inputs of the report form.
func missingInputs(d *missingNewData) map[string]inputView {
	f := &d.Form
	const when = "Date and time in UTC, such as 2026-11-24T18:30."
	return inputViews(d.ErrorField, d.Error,
		inputView{ID: "le_agency", Label: "Law-enforcement agency", Hint: "The police or sheriff's office that took the missing-person report.", Value: f.LEAgency},
		inputView{ID: "le_case_number", Label: "Police case number", Value: f.LECaseNumber},
		inputView{ID: "ncic", Label: "NCIC number", Hint: "The NCIC missing-person number: the letter M and 9 digits, such as M123456789. Leave it empty if the police have not given one yet.", Value: f.NCIC, Autocomplete: "off"},
		inputView{ID: "first_name", Label: "First name", Value: f.FirstName, Autocomplete: "off"},
		inputView{ID: "last_name", Label: "Last name", Value: f.LastName, Autocomplete: "off"},
		inputView{ID: "nicknames", Label: "Nicknames", Hint: "Separate them with commas.", Value: f.Nicknames, Autocomplete: "off"},
		inputView{ID: "date_of_birth", Label: "Date of birth", Value: f.DateOfBirth, Type: "date"},
		inputView{ID: "height", Label: "Height", Hint: "Such as 5 ft 2 in.", Value: f.Height},
		inputView{ID: "weight", Label: "Weight", Hint: "Such as 110 lb.", Value: f.Weight},
		inputView{ID: "hair", Label: "Hair", Value: f.Hair},
		inputView{ID: "eyes", Label: "Eyes", Value: f.Eyes},
		inputView{ID: "marks", Label: "Scars, marks, tattoos", Value: f.Marks},
		inputView{ID: "last_seen_at", Label: "When last seen", Hint: when, Value: f.LastSeenAt, Type: "datetime-local"},
		inputView{ID: "last_seen_name", Label: "Place", Hint: "A school, a shelter, a street corner…", Value: f.LastSeenName},
		inputView{ID: "last_seen_city", Label: "City", Value: f.LastSeenCity},
		inputView{ID: "last_seen_zip", Label: "ZIP code", Value: f.LastSeenZIP, Autocomplete: "off"},
		inputView{ID: "circumstances", Label: "What happened", Hint: "The circumstances, in your own words.", Value: f.Circumstances, Type: "textarea"},
		inputView{ID: "last_seen_with", Label: "With whom", Hint: "Anyone the child was last seen with, if known.", Value: f.LastSeenWith},
		inputView{ID: "caller_name", Label: "Caller's name", Value: f.CallerName, Autocomplete: "off"},
		inputView{ID: "caller_phone", Label: "Caller's phone", Value: f.CallerPhone, Type: "tel", Autocomplete: "off"},
		inputView{ID: "caller_relationship", Label: "Caller's relationship to the child", Hint: "Mother, father, legal guardian…", Value: f.CallerRelationship},
		inputView{ID: "placement_name", Label: "Placement name", Value: f.PlacementName},
		inputView{ID: "caseworker_name", Label: "Caseworker's name", Value: f.CaseworkerName},
		inputView{ID: "caseworker_phone", Label: "Caseworker's phone", Value: f.CaseworkerPhone, Type: "tel"},
		inputView{ID: "caseworker_email", Label: "Caseworker's email", Value: f.CaseworkerEmail, Type: "email"},
		inputView{ID: "found_missing_at", Label: "When the child was found to be missing", Hint: when + " This starts the 24-hour clock.", Value: f.FoundMissingAt, Type: "datetime-local"},
		inputView{ID: "le_told_at", Label: "When law enforcement was told", Hint: "Leave empty if not yet. " + when, Value: f.LEToldAt, Type: "datetime-local"},
		inputView{ID: "clearinghouse_told_at", Label: "When the clearinghouse was told", Hint: "Leave empty if this report is the first the clearinghouse hears of it: sending it tells the clearinghouse now. " + when, Value: f.ClearinghouseToldAt, Type: "datetime-local"},
	)
}

// guardianInputs are the inputs of one guardian row.
func guardianInputs(g guardianForm, field, msg string) []inputView {
	id := func(k string) string { return fmt.Sprintf("guardian_%s_%d", k, g.N) }
	m := inputViews(field, msg,
		inputView{ID: id("name"), Label: "Name", Value: g.Name, Autocomplete: "off"},
		inputView{ID: id("relationship"), Label: "Relationship to the child", Value: g.Relationship},
		inputView{ID: id("phone"), Label: "Phone", Value: g.Phone, Type: "tel", Autocomplete: "off"},
		inputView{ID: id("email"), Label: "Email", Value: g.Email, Type: "email", Autocomplete: "off"})
	return []inputView{m[id("name")], m[id("relationship")], m[id("phone")], m[id("email")]}
}
