package http

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// callSection is one section of the hotline console, in interview order.
type callSection struct {
	ID, Title string
}

// callSections are the console's sections. Each owns some fields of the
// call; a save changes only the fields of the section it came from.
var callSections = []callSection{
	{"caller", "Who is calling"},
	{"what", "What happened"},
	{"child", "The child"},
	{"people", "People involved"},
	{"online", "Online details"},
	{"indicators", "Indicators"},
	{"notes", "Notes"},
	{"end", "End the call"},
}

// sectionIndex returns the index of the section with the id, or -1.
func sectionIndex(id string) int {
	for i, s := range callSections {
		if s.ID == id {
			return i
		}
	}
	return -1
}

// callFormInput is one section's form as posted: the update for the service,
// the age exactly as typed (to show it again), and the indicators whose
// follow-up questions were on screen when the form was sent.
type callFormInput struct {
	Update  haven.CallUpdate
	AgeText string
	Shown   map[string]bool
}

// parseCallSection reads the fields of one section from a posted form and
// merges them into a copy of the saved details; the fields of other
// sections keep their saved values. An unknown section, or a field that
// cannot be read (an age that is not a whole number), is an EINVALID error
// naming the field; the input is still returned, for the page to show again.
func parseCallSection(section string, form url.Values, saved haven.CallDetails) (callFormInput, error) {
	d := saved
	// Copy the slices: the saved details must not change under the caller.
	d.People = append([]haven.CallPerson(nil), saved.People...)
	d.Indicators = append([]string(nil), saved.Indicators...)
	d.Answers = append([]haven.FollowUpAnswer(nil), saved.Answers...)
	in := callFormInput{Update: haven.CallUpdate{Details: &d}, Shown: map[string]bool{}}
	if saved.ChildAge != nil {
		in.AgeText = strconv.Itoa(*saved.ChildAge)
	}
	get := func(k string) string { return form.Get(k) }
	var bad error
	switch section {
	case "caller":
		in.Update.CallerType, in.Update.Language = get("caller_type"), get("language")
		d.CallerAnonymous = get("caller_anonymous") == "yes"
		d.CallerName, d.CallerPhone, d.CallerEmail, d.CallerOrg = get("caller_name"), get("caller_phone"), get("caller_email"), get("caller_org")
	case "what":
		d.IncidentType, d.Form, d.WhatHappened = get("incident_type"), get("form"), get("what_happened")
		d.When, d.Place, d.City, d.State = get("when"), get("place"), get("city"), get("state")
	case "child":
		d.ChildName, d.ChildNickname = get("child_name"), get("child_nickname")
		d.ChildDescription, d.ChildWhereNow = get("child_description"), get("child_where_now")
		in.AgeText = strings.TrimSpace(get("child_age"))
		d.ChildAge = nil
		if in.AgeText != "" {
			n, err := strconv.Atoi(in.AgeText)
			if err != nil {
				bad = haven.FieldError("child_age", "give the child's age as a whole number, such as 15, or leave it empty")
			} else {
				d.ChildAge = &n
			}
		}
	case "people":
		d.People = nil
		for i := 0; i < haven.MaxCallPeople; i++ {
			p := "person." + strconv.Itoa(i) + "."
			if _, ok := form[p+"role"]; !ok {
				continue
			}
			d.People = append(d.People, haven.CallPerson{Role: haven.PersonRole(get(p + "role")), Name: get(p + "name"),
				Nickname: get(p + "nickname"), Description: get(p + "description")})
		}
	case "online":
		d.Online = strings.ReplaceAll(get("online"), "\r\n", "\n")
	case "indicators":
		d.Indicators = append([]string(nil), form["indicator"]...)
		for _, id := range form["shown"] {
			in.Shown[id] = true
		}
		d.Answers = nil
		tx := haven.Taxonomy()
		for _, id := range d.Indicators {
			ind := tx.Indicator(id)
			if ind == nil {
				continue // Validate names the field
			}
			for q := range ind.Questions {
				if ans := get(answerField(id, q)); strings.TrimSpace(ans) != "" {
					d.Answers = append(d.Answers, haven.FollowUpAnswer{Indicator: id, Question: q, Text: ind.Questions[q].EN, Answer: ans})
				}
			}
		}
	case "notes":
		d.Notes = get("notes")
	case "end":
		// The disposition is read by the handler; nothing else changes.
	default:
		bad = haven.FieldError("section", "there is no such section of the call")
	}
	return in, bad
}

// answerField is the form field of an indicator's follow-up question.
func answerField(indicator string, question int) string {
	return "answer." + indicator + "." + strconv.Itoa(question)
}
