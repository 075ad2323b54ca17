package http

import (
	"net/url"
	"reflect"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// FuzzParseCallSection checks the console's form parser on any form: it
// never panics, an age it accepts is the number typed, and a section never
// touches the fields of another section.
func FuzzParseCallSection(f *testing.F) {
	f.Add("child", "child_name=Mia&child_age=15")
	f.Add("child", "child_age=fifteen")
	f.Add("indicators", "indicator=living_in_motel&shown=living_in_motel&answer.living_in_motel.0=Bluebird")
	f.Add("indicators", "indicator=nope&answer.nope.0=x&answer.living_in_motel.9=y")
	f.Add("people", "person.0.role=suspect&person.0.name=Dee&person.9.role=buyer&person.10.role=other")
	f.Add("caller", "caller_type=survivor&language=es&caller_anonymous=yes&caller_name=X")
	f.Add("nosuch", "notes=x")
	f.Add("online", "online=202-555-0147%0D%0Ahttps://example.com/ad")
	age := 14
	saved := haven.CallDetails{CallerName: "Saved Caller", WhatHappened: "saved account", ChildName: "Saved Child", ChildAge: &age,
		People: []haven.CallPerson{{Role: haven.PersonSuspect, Name: "Saved Person"}}, Online: "saved online",
		Indicators: []string{"online_ads"}, Answers: []haven.FollowUpAnswer{{Indicator: "online_ads", Answer: "saved answer"}}, Notes: "saved notes"}
	owned := map[string][]string{
		"caller":     {"CallerAnonymous", "CallerName", "CallerPhone", "CallerEmail", "CallerOrg"},
		"what":       {"IncidentType", "Form", "WhatHappened", "When", "Place", "City", "State"},
		"child":      {"ChildName", "ChildNickname", "ChildAge", "ChildDescription", "ChildWhereNow"},
		"people":     {"People"},
		"online":     {"Online"},
		"indicators": {"Indicators", "Answers"},
		"notes":      {"Notes"},
	}
	f.Fuzz(func(t *testing.T, section, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return
		}
		before := saved
		in, perr := parseCallSection(section, form, saved)
		if !reflect.DeepEqual(saved, before) || saved.People[0].Name != "Saved Person" {
			t.Fatal("the parser changed the saved details")
		}
		if in.Update.Details == nil {
			t.Fatal("no details returned")
		}
		d := *in.Update.Details
		if perr == nil && section == "child" && d.ChildAge != nil && in.AgeText == "" {
			t.Errorf("an age %d from no text", *d.ChildAge)
		}
		if len(d.People) > haven.MaxCallPeople {
			t.Errorf("%d people parsed", len(d.People))
		}
		mine := map[string]bool{}
		for _, name := range owned[section] {
			mine[name] = true
		}
		got, want := reflect.ValueOf(d), reflect.ValueOf(saved)
		for i := 0; i < got.NumField(); i++ {
			name := got.Type().Field(i).Name
			if !mine[name] && !reflect.DeepEqual(got.Field(i).Interface(), want.Field(i).Interface()) {
				t.Errorf("section %q changed %s", section, name)
			}
		}
		// Whatever was parsed, validation decides without panicking.
		d.Normalize()
		_ = d.Validate()
	})
}
