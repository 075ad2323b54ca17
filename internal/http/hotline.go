package http

import (
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The hotline console: the list of calls (GET /hotline), "Start a call"
// (POST /hotline/calls), and one call's guided sections (GET and POST
// /hotline/calls/{id}). Every section is a plain form that works without
// JavaScript; static/hotline.js only reveals an indicator's follow-up
// questions in place when it is ticked.

// callRow is one call in the list.
type callRow struct {
	*haven.Call
	CallerLabel, DispositionLabel string
}

// hotlineData is what the list of calls shows.
type hotlineData struct {
	CanStart bool
	Calls    []callRow
}

// hotline lists the calls the actor may see: a specialist's own, or every
// call for a supervisor. Anyone else is refused (403, audited).
func (s *Server) hotline(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	calls, err := s.svc.ListCalls(r.Context(), a, haven.CallFilter{Limit: 50})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := hotlineData{CanStart: haven.CanKind(a, haven.ActionCreate, haven.KindCall)}
	for _, c := range calls {
		d.Calls = append(d.Calls, newCallRow(c))
	}
	s.render(w, r, http.StatusOK, "hotline", &a, d)
}

func newCallRow(c *haven.Call) callRow {
	tx := haven.Taxonomy()
	row := callRow{Call: c}
	if ct := tx.CallerType(c.CallerType); ct != nil {
		row.CallerLabel = ct.EN
	}
	if dp := tx.Disposition(c.Disposition); dp != nil {
		row.DispositionLabel = dp.EN
	}
	return row
}

// hotlineStart starts a call (its start time is now) and opens its first section.
func (s *Server) hotlineStart(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	c, err := s.svc.StartCall(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, callURL(c.ID, "caller", ""), http.StatusSeeOther)
}

// callURL is the address of a section of a call, with an optional status flag.
func callURL(id int64, section, flag string) string {
	u := "/hotline/calls/" + strconv.FormatInt(id, 10)
	if section != "" {
		u += "?section=" + section
		if flag != "" {
			u += "&" + flag + "=1"
		}
	}
	return u
}

// hotlineCall shows one section of a call, or, for an ended call or a
// supervisor, the call's summary.
func (s *Server) hotlineCall(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	c, err := s.svc.GetCall(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	q := r.URL.Query()
	section := q.Get("section")
	if sectionIndex(section) < 0 {
		section = "caller"
	}
	in := callFormInput{Shown: map[string]bool{}}
	if c.Details.ChildAge != nil {
		in.AgeText = strconv.Itoa(*c.Details.ChildAge)
	}
	d := s.consoleData(a, c, section, c.Details, in)
	d.Saved, d.Flagged, d.More = q.Get("saved") != "", q.Get("flagged") != "", q.Get("more") != ""
	d.Attached = q.Get("attached") != ""
	s.render(w, r, http.StatusOK, "hotline_call", &a, d)
}

// hotlineCallSave saves one section. Its buttons: "Save and continue"
// (the next section), "Imminent danger" (saves the report at once as P1
// and alerts the analysts), "Save and attach" (saves the section and
// attaches the files chosen, staying in the section), and, in the last
// section, "End call". Files chosen are attached whichever button is
// pressed, in the save's transaction (see hotline_files.go).
func (s *Server) hotlineCallSave(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	cf, ok := s.readCallForm(w, r)
	if !ok {
		return
	}
	defer cf.close()
	form := cf.values
	section, action := form.Get("section"), form.Get("action")
	var (
		in       callFormInput
		parseErr error
	)
	u := haven.CallUpdate{Edit: func(old haven.CallDetails) (haven.CallDetails, error) {
		in, parseErr = parseCallSection(section, form, old)
		if parseErr != nil {
			return old, parseErr
		}
		return *in.Update.Details, nil
	}}
	if section == "caller" {
		u.CallerType, u.Language = form.Get("caller_type"), form.Get("language")
	}
	u.Files = cf.uploads()
	var (
		c   *haven.Call
		err error
	)
	switch {
	case action == "imminent" && cf.problem != nil:
		// The alarm is never lost to a file: flag, then show the problem.
		u.Files = nil
		if c, err = s.svc.MarkImminent(r.Context(), a, id, u); err == nil {
			err = cf.problem
		}
	case cf.problem != nil:
		err = cf.problem
	case action == "attach" && len(u.Files) == 0:
		err = haven.FieldError("files", "choose a file to attach, then press \"Save and attach\" again")
	}
	switch {
	case err != nil:
	case action == "imminent":
		c, err = s.svc.MarkImminent(r.Context(), a, id, u)
		if err == nil {
			http.Redirect(w, r, callURL(id, section, "flagged"), http.StatusSeeOther)
			return
		}
	case action == "end":
		c, err = s.svc.EndCall(r.Context(), a, id, form.Get("disposition"), u)
		if err == nil {
			http.Redirect(w, r, callURL(id, "", ""), http.StatusSeeOther)
			return
		}
	default:
		c, err = s.svc.SaveCall(r.Context(), a, id, u)
		if err == nil {
			next := section
			flag := "saved"
			if action == "attach" {
				flag = "attached" // stay in the section, to attach more
			} else if section == "indicators" && !allShown(c.Details.Indicators, in.Shown) {
				flag = "more" // show the follow-up questions of what was just ticked
			} else if i := sectionIndex(section); i >= 0 && i+1 < len(callSections) {
				next = callSections[i+1].ID
			}
			http.Redirect(w, r, callURL(id, next, flag), http.StatusSeeOther)
			return
		}
	}
	if haven.ErrorCode(err) != haven.EINVALID {
		s.pageError(w, r, err)
		return
	}
	// A field to fix: show the section again with what was typed.
	if c == nil {
		var gerr error
		if c, gerr = s.svc.GetCall(r.Context(), a, id); gerr != nil {
			s.pageError(w, r, gerr)
			return
		}
	} else if c.ReportID != 0 {
		if full, gerr := s.svc.GetCall(r.Context(), a, id); gerr == nil {
			c = full
		}
	}
	if sectionIndex(section) < 0 {
		section = "caller"
	}
	if in.Update.Details == nil {
		// Refused before the service read the section: show it as typed.
		in, _ = parseCallSection(section, form, c.Details)
	}
	shown := c.Details
	if in.Update.Details != nil {
		shown = *in.Update.Details
	}
	d := s.consoleData(a, c, section, shown, in)
	d.FilesLost = cf.sentFiles()
	if section == "caller" {
		d.CallerType, d.Language = form.Get("caller_type"), form.Get("language")
	}
	d.Disposition = form.Get("disposition")
	d.Flagged = action == "imminent" && c.Imminent
	d.Error, d.ErrorField = s.fieldProblem(r, err)
	s.render(w, r, http.StatusBadRequest, "hotline_call", &a, d)
}

// allShown reports whether the follow-up questions of every ticked
// indicator were on screen when the form was sent.
func allShown(ticked []string, shown map[string]bool) bool {
	for _, id := range ticked {
		if !shown[id] {
			return false
		}
	}
	return true
}

// consoleData is what one section of the console shows.
type consoleData struct {
	Call              *haven.Call
	Section, Title    string
	Sections          []sectionLink
	CanEdit           bool
	Saved, Flagged    bool
	More              bool // follow-up questions just appeared for ticked indicators
	Error, ErrorField string
	Notice            string
	Duration          string
	callFilesView

	// Values to show.
	D                    haven.CallDetails
	AgeText              string
	CallerType, Language string
	Disposition          string
	CallerLabel          string
	DispositionLabel     string

	CallerTypes, Languages, IncidentTypes, Forms, Dispositions []option
	People                                                     []personRow
	Indicators                                                 []indicatorRow
}

// sectionLink is one entry of the console's list of sections.
type sectionLink struct {
	ID, Title, Href string
	Current         bool
	Number          int
}

// personRow is one person's fields in the "People involved" section.
type personRow struct {
	Index                       int
	Roles                       []option
	Name, Nickname, Description string
}

// indicatorRow is one indicator with its follow-up questions.
type indicatorRow struct {
	ID, Label string
	Ticked    bool
	Questions []questionRow
}

// questionRow is one follow-up question, in the call's language (with the
// English text too when the call is in Spanish).
type questionRow struct {
	Field, Text, English, Answer string
}

func (s *Server) consoleData(a haven.Actor, c *haven.Call, section string, shown haven.CallDetails, in callFormInput) consoleData {
	tx := haven.Taxonomy()
	d := consoleData{Call: c, Section: section, D: shown, AgeText: in.AgeText, CallerType: c.CallerType,
		Language: c.Language, Disposition: c.Disposition, Notice: tx.Notice.EN}
	d.CanEdit = haven.Can(a, haven.ActionUpdate, c.Resource()) && !c.Ended()
	d.callFilesView = s.callFiles(c)
	for i, sec := range callSections {
		d.Sections = append(d.Sections, sectionLink{ID: sec.ID, Title: sec.Title, Href: callURL(c.ID, sec.ID, ""),
			Current: sec.ID == section, Number: i + 1})
		if sec.ID == section {
			d.Title = sec.Title
		}
	}
	row := newCallRow(c)
	d.CallerLabel, d.DispositionLabel = row.CallerLabel, row.DispositionLabel
	if c.EndedAt != nil {
		d.Duration = c.EndedAt.Sub(c.StartedAt).Round(time.Second).String()
	}
	for _, ct := range tx.CallerTypes {
		d.CallerTypes = append(d.CallerTypes, option{Value: ct.ID, Label: ct.EN, Selected: ct.ID == d.CallerType})
	}
	d.Languages = []option{{"en", "English", d.Language != "es"}, {"es", "Spanish", d.Language == "es"}}
	for _, it := range haven.HotlineIncidentTypes {
		d.IncidentTypes = append(d.IncidentTypes, option{Value: string(it), Label: it.Label(), Selected: string(it) == shown.IncidentType})
	}
	for _, f := range tx.Forms {
		d.Forms = append(d.Forms, option{Value: f.ID, Label: f.EN, Selected: f.ID == shown.Form})
	}
	for _, dp := range tx.Dispositions {
		d.Dispositions = append(d.Dispositions, option{Value: dp.ID, Label: dp.EN, Selected: dp.ID == d.Disposition})
	}
	people := shown.People
	n := max(len(people)+1, 2)
	for i := 0; i < n && i < haven.MaxCallPeople; i++ {
		var p haven.CallPerson
		if i < len(people) {
			p = people[i]
		}
		var roles []option
		for _, role := range haven.CallPersonRoles {
			roles = append(roles, option{Value: string(role), Label: personRoleLabels[role], Selected: role == p.Role})
		}
		d.People = append(d.People, personRow{Index: i, Roles: roles, Name: p.Name, Nickname: p.Nickname, Description: p.Description})
	}
	ticked := map[string]bool{}
	for _, id := range shown.Indicators {
		ticked[id] = true
	}
	answers := map[string]string{}
	for _, ans := range shown.Answers {
		answers[answerField(ans.Indicator, ans.Question)] = ans.Answer
	}
	for _, ind := range tx.Indicators {
		ir := indicatorRow{ID: ind.ID, Label: ind.EN, Ticked: ticked[ind.ID]}
		for q, text := range ind.Questions {
			f := answerField(ind.ID, q)
			qr := questionRow{Field: f, Text: text.In(c.Language), Answer: answers[f]}
			if c.Language == "es" {
				qr.English = text.EN
			}
			ir.Questions = append(ir.Questions, qr)
		}
		d.Indicators = append(d.Indicators, ir)
	}
	return d
}

// personRoleLabels name what a person is to the child, as the console asks it.
var personRoleLabels = map[haven.PersonRole]string{
	haven.PersonSuspect: "Suspected trafficker or exploiter",
	haven.PersonBuyer:   "Buyer",
	haven.PersonOther:   "Someone else involved",
}
