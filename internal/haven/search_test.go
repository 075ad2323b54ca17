package haven_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

func TestParseSearchReadsWordsPhrasesExclusionsAndFilters(t *testing.T) {
	term := func(exclude bool, words ...string) haven.SearchTerm {
		return haven.SearchTerm{Words: words, Exclude: exclude}
	}
	for _, c := range []struct {
		name, in string
		want     haven.SearchQuery
	}{
		{"nothing is the zero query", "  ", haven.SearchQuery{}},
		{"words, lower-cased", "Bus  STATION", haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "bus"), term(false, "station")}}},
		{"a quoted phrase", `"bus station" girl`, haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "bus", "station"), term(false, "girl")}}},
		{"an unterminated phrase runs to the end", `girl "bus station`, haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "girl"), term(false, "bus", "station")}}},
		{"an excluded word and phrase", `van -river -"old man"`, haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "van"), term(true, "river"), term(true, "old", "man")}}},
		{"a lone minus is nothing", `van - river`, haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "van"), term(false, "river")}}},
		{"punctuation inside a word makes a phrase", "202-555-0147 ana@example.com", haven.SearchQuery{Terms: []haven.SearchTerm{
			term(false, "202", "555", "0147"), term(false, "ana", "example", "com")}}},
		{"operators of FTS5 and SQL are words", `NEAR(van) OR x* AND 'y' --;`, haven.SearchQuery{Terms: []haven.SearchTerm{
			term(false, "near", "van"), term(false, "or"), term(false, "x"), term(false, "and"), term(false, "y")}}},
		{"accented words keep their letters", "José", haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "josé")}}},
		{"filters", "van state:tx status:NEW priority:P1 channel:esp type:missing_child", haven.SearchQuery{
			Terms: []haven.SearchTerm{term(false, "van")}, State: "TX", Status: "new", Priority: haven.P1,
			Channel: haven.ChannelESP, IncidentType: haven.IncidentMissingChild}},
		{"an unknown field is words", "http://example.com", haven.SearchQuery{Terms: []haven.SearchTerm{term(false, "http", "example", "com")}}},
		{"filters alone", "status:closed", haven.SearchQuery{Status: "closed"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := haven.ParseSearch(c.in)
			if err != nil {
				t.Fatalf("ParseSearch(%q): %v", c.in, err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("ParseSearch(%q)\n got %+v\nwant %+v", c.in, got, c.want)
			}
		})
	}
}

func TestParseSearchRefusesWhatItCannotRunWithAClearMessage(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"only exclusions", "-van -river", "not only what to leave out"},
		{"too long", strings.Repeat("a ", 300), "at most 500 characters"},
		{"too many terms", strings.Repeat("w ", 13), "at most 12 words and phrases"},
		{"too many words", `"` + strings.Repeat("w ", 33) + `"`, "at most 32 words"},
		{"not UTF-8", "van \xff", "not valid text"},
		{"a bad state", "state:ZZ", "not a US state"},
		{"a bad priority", "priority:9", "not a priority"},
		{"a bad status", "status:lost", "not a status"},
		{"a bad channel", "channel:fax", "not a channel"},
		{"a filter twice", "state:TX state:NV", "given twice"},
		{"an excluded filter", "-state:TX van", "cannot be excluded"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := haven.ParseSearch(c.in)
			if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "q" || !strings.Contains(haven.ErrorMessage(err), c.want) {
				t.Errorf("ParseSearch(%q) = %v, want EINVALID on q saying %q", c.in, err, c.want)
			}
		})
	}
}

// FuzzParseSearch checks that the parser never fails but with EINVALID,
// that every word it returns is lower-case letters and digits only (so no
// word can be an operator in FTS5 or tsquery), that an accepted query keeps
// within the limits, and that String writes a query ParseSearch reads back
// the same.
//
//	go test ./internal/haven -run '^$' -fuzz FuzzParseSearch -fuzztime 1m
func FuzzParseSearch(f *testing.F) {
	for _, s := range []string{
		`bus station`, `"bus station" -river`, `state:TX status:new van`, `NEAR(a b) OR c*`, `'; DROP TABLE reports; --`,
		`-"`, `""`, `a:b:c`, `priority:P2`, "José\tcafé", `202-555-0147`, `-`, `"a" "b`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := haven.ParseSearch(s)
		if err != nil {
			if haven.ErrorCode(err) != haven.EINVALID {
				t.Fatalf("ParseSearch(%q): %v, want EINVALID", s, err)
			}
			return
		}
		words := 0
		for _, term := range q.Terms {
			if len(term.Words) == 0 {
				t.Fatalf("ParseSearch(%q): an empty term", s)
			}
			for _, w := range term.Words {
				words++
				if w == "" || !utf8.ValidString(w) {
					t.Fatalf("ParseSearch(%q): word %q", s, w)
				}
				for _, r := range w {
					if !unicode.IsLetter(r) && !unicode.IsNumber(r) {
						t.Fatalf("ParseSearch(%q): word %q holds %q", s, w, r)
					}
				}
			}
		}
		if len(q.Terms) > haven.MaxSearchTerms || words > haven.MaxSearchWords {
			t.Fatalf("ParseSearch(%q): %d terms, %d words", s, len(q.Terms), words)
		}
		if len(q.Terms) > 0 && !q.HasText() {
			t.Fatalf("ParseSearch(%q): only exclusions accepted", s)
		}
		back, err := haven.ParseSearch(q.String())
		if err != nil {
			t.Fatalf("ParseSearch(%q).String() = %q, which does not parse: %v", s, q.String(), err)
		}
		if !reflect.DeepEqual(back, q) {
			t.Fatalf("ParseSearch(%q) = %+v, but its String %q parses as %+v", s, q, q.String(), back)
		}
	})
}

func TestSearchIsScopedAuditedAndRefusedToThoseWhoMaySeeNoReport(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		sys := haven.System("test")
		other := &haven.Agency{Name: "Elsewhere PD", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "TX"}
		mine := &haven.Agency{Name: "Reno PD", Kind: haven.AgencyLawEnforcement, Phone24x7: "202-555-0140", Level: haven.LevelLocal, State: "NV"}
		for _, ag := range []*haven.Agency{other, mine} {
			if err := svc.Store.Update(ctx, func(tx haven.Tx) error { return tx.CreateAgency(ctx, ag) }); err != nil {
				t.Fatal(err)
			}
		}
		officer, _ := addUser(t, svc, "officer", haven.RoleOfficer, mine.ID)
		for _, r := range []*haven.Report{
			{Ref: "HV-MINE", AgencyID: mine.ID, State: "NV", Narrative: "A lighthouse keeper called about a runaway."},
			{Ref: "HV-THEIRS", AgencyID: other.ID, State: "TX", Narrative: "A lighthouse keeper called about a runaway."},
		} {
			r.Channel, r.IncidentType, r.Status = haven.ChannelHotline, haven.IncidentSexTrafficking, haven.ReportNew
			if err := svc.CreateReport(ctx, sys, r); err != nil {
				t.Fatal(err)
			}
		}
		a := haven.Actor{UserID: officer.ID, Username: "officer", Role: haven.RoleOfficer, AgencyID: mine.ID, Jurisdiction: []string{"NV"}}
		q, _ := haven.ParseSearch("lighthouse")
		hits, total, err := svc.SearchReports(ctx, a, haven.SearchFilter{Query: q})
		if err != nil {
			t.Fatal(err)
		}
		if total != 1 || len(hits) != 1 || hits[0].Report.Ref != "HV-MINE" {
			t.Errorf("the officer found %d (total %d), want only HV-MINE", len(hits), total)
		}
		// A filter the query writes and the form contradicts is refused.
		q, _ = haven.ParseSearch("lighthouse state:TX")
		if _, _, err := svc.SearchReports(ctx, a, haven.SearchFilter{Query: q, State: "NV"}); haven.ErrorCode(err) != haven.EINVALID {
			t.Errorf("state:TX with the NV filter: %v, want EINVALID", err)
		}
		events, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "report.search"})
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0].ActorID != officer.ID || !strings.Contains(events[0].Detail, "lighthouse") || !strings.Contains(events[0].Detail, "1 found") {
			t.Errorf("audit of the search: %+v", events)
		}
		nobody := haven.Actor{UserID: 999, Username: "ghost", Role: ""}
		if _, _, err := svc.SearchReports(ctx, nobody, haven.SearchFilter{Query: q}); haven.ErrorCode(err) != haven.EFORBIDDEN {
			t.Errorf("an actor without a role: %v, want EFORBIDDEN", err)
		}
	})
}
