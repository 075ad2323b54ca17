package taxonomy_test

import (
	"os"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/taxonomy"
)

func TestEmbeddedTaxonomyParsesWithEveryVocabulary(t *testing.T) {
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	if tx.Version == "" || len(tx.Changelog) == 0 {
		t.Errorf("version %q, changelog %v", tx.Version, tx.Changelog)
	}
	if len(tx.Forms) != 5 {
		t.Errorf("%d forms of trafficking, want the spec's 5", len(tx.Forms))
	}
	if len(tx.RiskFactorGroups) != 3 {
		t.Errorf("%d risk factor groups, want 3", len(tx.RiskFactorGroups))
	}
	wantCallers := []string{"parent_guardian", "child_welfare_worker", "law_enforcement", "survivor", "concerned_person", "child"}
	for _, id := range wantCallers {
		if tx.CallerType(id) == nil {
			t.Errorf("caller type %q missing", id)
		}
	}
	for _, id := range []string{"report_taken", "information_referral", "crisis_support", "transferred_law_enforcement", "hang_up_incomplete"} {
		if tx.Disposition(id) == nil {
			t.Errorf("disposition %q missing", id)
		}
	}
	prios := map[int]bool{}
	for _, r := range tx.Triage.Rules {
		prios[r.Priority] = true
	}
	for p := 1; p <= 4; p++ {
		if !prios[p] {
			t.Errorf("no triage rule gives P%d", p)
		}
	}
	if r := tx.Triage.Rules[0]; r.DueIn().Hours() != 1 {
		t.Errorf("first P1 rule due in %v, want 1h", r.DueIn())
	}
}

func TestEveryIndicatorHasFollowUpQuestionsInBothLanguages(t *testing.T) {
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ind := range tx.Indicators {
		if seen[ind.ID] {
			t.Errorf("indicator id %q used twice", ind.ID)
		}
		seen[ind.ID] = true
		if ind.EN == "" || ind.ES == "" {
			t.Errorf("indicator %q lacks a label", ind.ID)
		}
		if n := len(ind.Questions); n < 2 || n > 4 {
			t.Errorf("indicator %q has %d questions", ind.ID, n)
		}
		for _, q := range ind.Questions {
			if q.EN == "" || q.ES == "" || !strings.HasSuffix(q.EN, "?") && !strings.HasSuffix(q.EN, ".") {
				t.Errorf("indicator %q: question %+v", ind.ID, q)
			}
			// Prompts that ask for more, never an assessment or a score.
			for _, banned := range []string{"score", "prostitut", "victim"} {
				if strings.Contains(strings.ToLower(q.EN), banned) {
					t.Errorf("indicator %q question %q uses %q", ind.ID, q.EN, banned)
				}
			}
		}
		if tx.Indicator(ind.ID) == nil {
			t.Errorf("lookup of %q failed", ind.ID)
		}
	}
}

func TestDemoIndicatorIDsExistInTheTaxonomy(t *testing.T) {
	tx, err := taxonomy.Load()
	if err != nil {
		t.Fatal(err)
	}
	if bad := tx.UnknownIndicators(demo.Indicators); bad != nil {
		t.Errorf("the demo uses indicator ids the taxonomy lacks: %v", bad)
	}
	if err := tx.ValidateIndicators([]string{"online_ads", "no_such_flag"}); err == nil || !strings.Contains(err.Error(), "no_such_flag") {
		t.Errorf("an unknown id was not named: %v", err)
	}
}

func TestParseRefusesBrokenFiles(t *testing.T) {
	raw, err := os.ReadFile("data/v1.json")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := taxonomy.Parse(raw); err != nil {
		t.Fatalf("the shipped file: %v", err)
	}
	file := string(raw)
	cases := map[string]string{
		"unknown field":               `{"version":"1","bogus":1}`,
		"not JSON":                    `{`,
		"an indicator id used twice":  strings.Replace(file, `"id": "multiple_phones"`, `"id": "runs_away_frequently"`, 1),
		"a question without Spanish":  strings.Replace(file, `"es": "¿Qué vio y cuándo?"`, `"es": ""`, 1),
		"a caller type used twice":    strings.Replace(file, `"id": "survivor"`, `"id": "child"`, 1),
		"a triage rule without a due": strings.Replace(file, `"due": "4h"`, `"due": "soon"`, 1),
		"a changelog behind":          strings.Replace(file, "\"version\": \"1\",\n  \"changelog\"", "\"version\": \"2\",\n  \"changelog\"", 1),
	}
	for name, data := range cases {
		if data == file {
			t.Fatalf("%s: the mutation did not apply", name)
		}
		if _, err := taxonomy.Parse([]byte(data)); err == nil {
			t.Errorf("%s: parsed without error", name)
		}
	}
}
