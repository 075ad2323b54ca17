package haven

import (
	"strings"
	"testing"
	"time"
)

// TestCallAndNotificationRules walks the hotline rules: specialists take
// calls and see and change their own, supervisors see all, and a
// notification is its recipient's alone; the compiled scopes agree.
func TestCallAndNotificationRules(t *testing.T) {
	for _, role := range Roles {
		a := actorFor(role)
		for _, k := range []Kind{KindCall, KindNotification} {
			for _, act := range []Action{ActionCreate, ActionView, ActionUpdate, ActionAssign, ActionAdmin} {
				scope := ScopeFor(a, act, k)
				for _, rel := range relations {
					res := rel.res(a)
					res.Kind = k
					if got, want := scope.Match(res), Can(a, act, res); got != want {
						t.Errorf("%s %s %s (%s): scope %v, Can %v", role, act, k, rel.name, got, want)
					}
				}
			}
		}
	}
	own := Resource{Kind: KindCall, ID: 1, CreatedBy: 42}
	other := Resource{Kind: KindCall, ID: 2, CreatedBy: 7}
	hot, sup, ana := actorFor(RoleHotline), actorFor(RoleSupervisor), actorFor(RoleAnalyst)
	checks := []struct {
		what string
		got  bool
		want bool
	}{
		{"a specialist starts calls", CanKind(hot, ActionCreate, KindCall), true},
		{"a specialist opens their own call", Can(hot, ActionView, own), true},
		{"a specialist opens another's call", Can(hot, ActionView, other), false},
		{"a specialist changes another's call", Can(hot, ActionUpdate, other), false},
		{"a supervisor opens any call", Can(sup, ActionView, other), true},
		{"a supervisor changes a call", Can(sup, ActionUpdate, other), false},
		{"an analyst sees calls", CanKind(ana, ActionView, KindCall), false},
		{"an analyst reads their notification", Can(ana, ActionUpdate, (&Notification{RecipientID: 42}).Resource()), true},
		{"an analyst reads another's notification", Can(ana, ActionView, (&Notification{RecipientID: 7}).Resource()), false},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: %v, want %v", c.what, c.got, c.want)
		}
	}
}

func TestCallReportCarriesTheInterview(t *testing.T) {
	age := 15
	c := &Call{ID: 3, SpecialistID: 9, StartedAt: time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC), CallerType: "survivor", Language: "es", Imminent: true,
		Details: CallDetails{WhatHappened: "Saw her at a motel.", City: "Austin", State: "TX", ChildName: "Mia Lopez", ChildAge: &age,
			Online:     "202-555-0147\nhttps://Example.com/Ad\nmia@example.com\n@handle_only\n12",
			Indicators: []string{"living_in_motel"},
			Answers:    []FollowUpAnswer{{Indicator: "living_in_motel", Question: 0, Text: "Which motel?", Answer: "The Bluebird."}}}}
	r := c.report()
	if err := r.Validate(time.Now()); err != nil {
		t.Fatal(err)
	}
	if r.Channel != ChannelHotline || r.Priority != P1 || r.Reporter.Relationship != "survivor" || r.Reporter.Language != "es" || r.State != "TX" {
		t.Errorf("report: %+v", r)
	}
	if len(r.People) != 1 || r.People[0].FirstName != "Mia" || r.People[0].LastName != "Lopez" || *r.People[0].Age != 15 {
		t.Errorf("the child: %+v", r.People)
	}
	var kinds []string
	for _, id := range r.Identifiers {
		kinds = append(kinds, string(id.Kind)+"="+id.Value)
	}
	if got := strings.Join(kinds, " "); got != "phone=+12025550147 url=https://example.com/ad email=mia@example.com" {
		t.Errorf("identifiers: %s", got)
	}
	for _, want := range []string{"IMMINENT DANGER", "Caller: Survivor", "Which motel? The Bluebird.", "Indicators observed: Living out of"} {
		if !strings.Contains(r.Narrative, want) {
			t.Errorf("narrative lacks %q:\n%s", want, r.Narrative)
		}
	}
}

func TestCallDetailsValidationNamesTheField(t *testing.T) {
	bad := map[string]CallDetails{
		"child_age":    {ChildAge: func() *int { n := 40; return &n }()},
		"state":        {State: "ZZ"},
		"indicators":   {Indicators: []string{"no_such_flag"}},
		"form":         {Form: "nope"},
		"caller_email": {CallerEmail: "not-an-address"},
		"people":       {People: []CallPerson{{Role: PersonChild, Name: "x"}}},
	}
	for field, d := range bad {
		d.Normalize()
		if err := d.Validate(); ErrorField(err) != field {
			t.Errorf("%s: error %v names %q", field, err, ErrorField(err))
		}
	}
	d := CallDetails{Indicators: []string{"online_ads", "online_ads"}, Answers: []FollowUpAnswer{{Indicator: "multiple_phones", Answer: "dropped"}}}
	d.Normalize()
	if len(d.Indicators) != 1 || len(d.Answers) != 0 {
		t.Errorf("normalised: %+v", d)
	}
}
