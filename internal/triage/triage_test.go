package triage

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

func TestRulesDecidePriorityWithEvidence(t *testing.T) {
	rs := Default()
	flagged := time.Date(2026, 11, 20, 22, 5, 0, 0, time.UTC)
	named := haven.PersonMention{Role: haven.PersonChild, FirstName: "Casey"}
	tip := func(it haven.IncidentType, narrative string, people ...haven.PersonMention) *haven.Report {
		return &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: it, Narrative: narrative, People: people}
	}
	cases := []struct {
		name      string
		report    *haven.Report
		ctx       *haven.TriageContext
		want      haven.Priority
		rules     []string // every rule that fired, in order
		evidence  string   // a phrase of the evidence of the first rule
		noneMatch string   // a phrase no evidence may contain
	}{
		{name: "a report with nothing urgent is P4 by the default rule",
			report: tip(haven.IncidentOther, "Something seemed off at the mall."),
			want:   haven.P4, rules: []string{"other"}, evidence: "No rule of higher priority fired"},
		{name: "a provider's escalation makes a report P1 and quotes the provider",
			report: &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentOther, Escalation: "Meeting planned"},
			want:   haven.P1, rules: []string{"esp_escalate"}, evidence: "The provider asked for escalation (escalateToHighPriority): “Meeting planned”"},
		{name: "a hotline call flagged as imminent danger is P1",
			report: &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentOther},
			ctx:    &haven.TriageContext{ImminentAt: &flagged},
			want:   haven.P1, rules: []string{"hotline_imminent"}, evidence: "Hotline specialist flagged imminent danger (2026-11-20 22:05 UTC)"},
		{name: "a meeting with the child planned for tonight is P1, quoting the sentence",
			report: tip(haven.IncidentOther, "He said online he will meet her tonight at the bus station. She is 15."),
			want:   haven.P1, rules: []string{"meeting_within_72h"}, evidence: "“He said online he will meet her tonight at the bus station”"},
		{name: "a meeting with no time near is not P1",
			report: tip(haven.IncidentOther, "They met last year at school."),
			want:   haven.P4, rules: []string{"other"}},
		{name: "a word that only contains a lexicon phrase does not count",
			report: tip(haven.IncidentOther, "The meetinghouse is open today."),
			want:   haven.P4, rules: []string{"other"}},
		{name: "a child with a named suspect now is P1",
			report: tip(haven.IncidentOther, "Right now she is with Marco at a motel.", haven.PersonMention{Role: haven.PersonSuspect, FirstName: "Marco"}),
			want:   haven.P1, rules: []string{"with_suspected_trafficker"}, evidence: "with a suspect now: “Right now she is with Marco at a motel”"},
		{name: "a child missing now through a link to a missing-child report is P2 and names that report",
			report: tip(haven.IncidentOther, "A number in an ad."),
			ctx:    &haven.TriageContext{Episodes: []haven.TriageEpisode{{EpisodeID: 7, ChildID: 3, ReportID: 9, ReportRef: "HV-AAAA-BBBB", Via: haven.ViaNetwork, Open: true}}},
			want:   haven.P2, rules: []string{"open_missing_episode"}, evidence: "missing-child report HV-AAAA-BBBB, whose episode 7 is open"},
		{name: "a child recovered no longer makes the report P2",
			report: tip(haven.IncidentOther, "A number in an ad."),
			ctx:    &haven.TriageContext{Episodes: []haven.TriageEpisode{{EpisodeID: 7, Via: haven.ViaNetwork, Open: false}}},
			want:   haven.P4, rules: []string{"other"}},
		{name: "a missing-from-care report not yet sent to law enforcement is P2 on two rules",
			report: &haven.Report{Channel: haven.ChannelMissingChild, IncidentType: haven.IncidentMissingChild, MissingFromCare: true},
			ctx:    &haven.TriageContext{Episodes: []haven.TriageEpisode{{EpisodeID: 4, Via: haven.ViaThisReport, Open: true, FromCare: true}}},
			want:   haven.P2, rules: []string{"open_missing_episode", "missing_from_care_not_sent"}, evidence: "This report opened missing episode 4"},
		{name: "once law enforcement is told, only the open episode counts",
			report: &haven.Report{Channel: haven.ChannelMissingChild, IncidentType: haven.IncidentMissingChild, MissingFromCare: true},
			ctx:    &haven.TriageContext{Episodes: []haven.TriageEpisode{{EpisodeID: 4, Via: haven.ViaThisReport, Open: true, FromCare: true, LawEnforcementTold: true}}},
			want:   haven.P2, rules: []string{"open_missing_episode"}},
		{name: "a named child and trafficking alleged is P3",
			report: tip(haven.IncidentSexTrafficking, "She is being moved between cities.", named),
			want:   haven.P3, rules: []string{"identifiable_child_alleged"}, evidence: "Person 1 of the report, a child, is named"},
		{name: "the child's handle with its platform makes the child identifiable",
			report: &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentEnticement,
				Identifiers: []haven.Identifier{{Kind: haven.IDHandle, Value: "kid_2011", Platform: "examplechat", Source: "victim[1]/screenName"}}},
			want: haven.P3, rules: []string{"identifiable_child_alleged"}, evidence: "The child's account on examplechat is given"},
		{name: "a suspect's handle does not make the child identifiable",
			report: &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentEnticement,
				Identifiers: []haven.Identifier{{Kind: haven.IDHandle, Value: "x", Platform: "examplechat", Source: "personOrUserReported[1]/screenName"}}},
			want: haven.P4, rules: []string{"other"}},
		{name: "a photo makes the child identifiable",
			report: tip(haven.IncidentEnticement, "See the attached picture."),
			ctx:    &haven.TriageContext{Photos: 1},
			want:   haven.P3, rules: []string{"identifiable_child_alleged"}, evidence: "1 image file(s) attached"},
		{name: "an identifiable child without trafficking or enticement alleged stays P4",
			report: tip(haven.IncidentOther, "A child I know.", named),
			want:   haven.P4, rules: []string{"other"}},
		{name: "indicators alone never raise a priority",
			report: &haven.Report{Channel: haven.ChannelPublicTip, IncidentType: haven.IncidentOther, Narrative: "Worried.",
				Indicators: []string{"multiple_phones", "branding_tattoo", "living_in_motel", "references_the_life"}},
			want: haven.P4, rules: []string{"other"}},
		{name: "several rules fire and the most urgent decides, all listed most urgent first",
			report: &haven.Report{Channel: haven.ChannelESP, IncidentType: haven.IncidentSexTrafficking, Escalation: "now", People: []haven.PersonMention{named}},
			ctx:    &haven.TriageContext{Episodes: []haven.TriageEpisode{{EpisodeID: 2, ChildID: 5, ReportRef: "HV-CCCC-DDDD", Via: haven.ViaPerson, Open: true}}},
			want:   haven.P1, rules: []string{"esp_escalate", "open_missing_episode", "identifiable_child_alleged"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got := rs.Evaluate(c.report, c.ctx)
			if got.Priority != c.want {
				t.Errorf("priority %v, want %v (fired %+v)", got.Priority, c.want, got.Fired)
			}
			var ids []string
			for _, f := range got.Fired {
				ids = append(ids, f.Rule)
				if len(f.Evidence) == 0 {
					t.Errorf("rule %s fired with no evidence", f.Rule)
				}
			}
			if strings.Join(ids, ",") != strings.Join(c.rules, ",") {
				t.Errorf("fired %v, want %v", ids, c.rules)
			}
			if c.evidence != "" && !strings.Contains(strings.Join(got.Fired[0].Evidence, "\n"), c.evidence) {
				t.Errorf("evidence %q lacks %q", got.Fired[0].Evidence, c.evidence)
			}
			if got.Version != "v1" {
				t.Errorf("version %q, want v1", got.Version)
			}
		})
	}
}

func TestDueTimesComeFromTheRuleSet(t *testing.T) {
	rs := Default()
	for p, want := range map[haven.Priority]time.Duration{haven.P1: time.Hour, haven.P2: 4 * time.Hour, haven.P3: 24 * time.Hour, haven.P4: 72 * time.Hour} {
		if got := rs.DueFor(p); got != want {
			t.Errorf("DueFor(P%d) = %v, want %v", p, got, want)
		}
	}
}

func TestLoadRejectsAMalformedRuleSet(t *testing.T) {
	good, err := files.ReadFile("data/v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Load(good); err != nil {
		t.Fatalf("the shipped rule set does not load: %v", err)
	}
	file := string(good)
	cases := map[string]struct{ file, want string }{
		"a rule set with no version":         {strings.Replace(file, `"version": "v1"`, `"version": ""`, 1), "no version"},
		"a priority that is not P1 to P4":    {strings.Replace(file, `"priority": "P3"`, `"priority": "P5"`, 1), `priority "P5" is not P1, P2, P3 or P4`},
		"a due time that is not a duration":  {strings.Replace(file, `"due": "4h"`, `"due": "soon"`, 1), `due "soon" is not a positive duration`},
		"a condition naming an unknown fact": {strings.Replace(file, `"any": ["esp_escalation"]`, `"any": ["victim_score"]`, 1), `unknown fact "victim_score"`},
		"a rule id used twice":               {strings.Replace(file, `"id": "hotline_imminent"`, `"id": "esp_escalate"`, 1), "used twice"},
		"a rule without a Spanish label":     {strings.Replace(file, `"es": "Todo lo demás"`, `"fr": "Tout le reste"`, 1), "Spanish"},
		"a rule set without a default":       {strings.Replace(file, `"otherwise": true`, `"any": ["esp_escalation"]`, 1), `exactly one "otherwise" rule`},
		"a condition with no facts":          {strings.Replace(file, `"all": ["child_identifiable", "trafficking_or_enticement_alleged"]`, `"all": []`, 1), "names no facts"},
		"a field the loader does not know":   {strings.Replace(file, `"version": "v1"`, `"version": "v1", "score": 3`, 1), `unknown field "score"`},
		"an empty lexicon list":              {emptyNowList(t, good), `the lexicon's "now" list is empty`},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			if c.file == file {
				t.Fatal("the test's replacement did not apply")
			}
			_, err := Load([]byte(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Load: %v, want an error saying %q", err, c.want)
			}
		})
	}
}

// emptyNowList returns the rule set with the lexicon's "now" list emptied.
func emptyNowList(t *testing.T, file []byte) string {
	var m map[string]any
	if err := json.Unmarshal(file, &m); err != nil {
		t.Fatal(err)
	}
	m["lexicon"].(map[string]any)["now"] = []string{}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
