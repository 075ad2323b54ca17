package storetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func init() { register(searchTests) }

// searchRefs runs a search of reports with scope All (unless f has one) and
// returns the refs found, in order, and the total.
func searchRefs(t *testing.T, s haven.Store, text string, f haven.SearchFilter) ([]string, int) {
	t.Helper()
	q, err := haven.ParseSearch(text)
	if err != nil {
		t.Fatalf("ParseSearch(%q): %v", text, err)
	}
	f.Query = q
	if !f.Scope.All && f.Scope.Any == nil {
		f.Scope = haven.Scope{All: true}
	}
	var (
		refs  []string
		total int
	)
	view(t, s, func(tx haven.Tx) error {
		hits, n, err := tx.SearchReports(context.Background(), f)
		if err != nil {
			return err
		}
		total = n
		for _, h := range hits {
			refs = append(refs, h.Report.Ref)
		}
		return nil
	})
	return refs, total
}

// searchWorld holds a few reports whose text differs in known ways.
func searchWorld(t *testing.T, s haven.Store) {
	t.Helper()
	mk := func(ref string, hour int, narrative string, edit func(r *haven.Report)) {
		r := newReport(ref, at(hour, 0, 0, 0))
		r.Narrative = narrative
		if edit != nil {
			edit(r)
		}
		mustReport(t, s, r)
	}
	mk("S-BUS", 1, "The caller saw a girl waiting at the bus station near the river with an older man.", nil)
	mk("S-STATION-BUS", 2, "A station attendant noticed a bus ticket bought for a boy travelling alone.", nil)
	mk("S-RUNNING", 3, "The boy keeps running away from the group home; staff are worried.", func(r *haven.Report) {
		r.People = []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Mateo", LastName: "Quintero", Nickname: "Teo"}}
	})
	mk("S-PHONE", 4, "An online advertisement lists a phone number.", func(r *haven.Report) {
		r.Identifiers = []haven.Identifier{{Kind: haven.IDPhone, Value: "+12025550147", Raw: "202-555-0147", Source: "online"}}
		r.Places = []haven.Place{{Role: haven.PlaceIncident, Name: "Sunset Motel", City: "Reno", State: "NV"}}
	})
	mk("S-ACCENT", 5, "José was last seen at the café on Main Street.", nil)
}

var searchTests = []test{
	{"search finds words in any order, phrases in order, and leaves out excluded words", func(t *testing.T, s haven.Store) {
		searchWorld(t, s)
		for _, c := range []struct {
			query string
			want  []string
		}{
			{"bus station", []string{"S-STATION-BUS", "S-BUS"}},
			{`"bus station"`, []string{"S-BUS"}},
			{"bus -river", []string{"S-STATION-BUS"}},
			{`station -"bus station"`, []string{"S-STATION-BUS"}},
			{"runs", []string{"S-RUNNING"}},       // English stemming: runs, running
			{"Quintero", []string{"S-RUNNING"}},   // a person's name
			{"teo", []string{"S-RUNNING"}},        // a nickname, whatever its case
			{"202-555-0147", []string{"S-PHONE"}}, // an identifier as given
			{"sunset motel", []string{"S-PHONE"}}, // a place
			{"S-PHONE", []string{"S-PHONE"}},      // the reference
			{"jose cafe", []string{"S-ACCENT"}},   // accents folded
			{"José", []string{"S-ACCENT"}},
			{"giraffe", nil},
		} {
			got, n := searchRefs(t, s, c.query, haven.SearchFilter{})
			slices.Sort(got) // the order of equally good matches is the ranking's business
			slices.Sort(c.want)
			if !slices.Equal(got, c.want) || n != len(c.want) {
				t.Errorf("search %q found %v (total %d), want %v", c.query, got, n, c.want)
			}
		}
	}},

	{"search snippets mark the words that matched", func(t *testing.T, s haven.Store) {
		searchWorld(t, s)
		q, _ := haven.ParseSearch(`"bus station"`)
		view(t, s, func(tx haven.Tx) error {
			hits, _, err := tx.SearchReports(context.Background(), haven.SearchFilter{Query: q, Scope: haven.Scope{All: true}})
			if err != nil || len(hits) != 1 {
				t.Fatalf("search: %d hits, %v", len(hits), err)
			}
			var marked, text []string
			for _, p := range hits[0].Snippet {
				text = append(text, p.Text)
				if p.Hit {
					marked = append(marked, strings.ToLower(p.Text))
				}
			}
			if m := strings.Join(marked, " "); !strings.Contains(m, "bus") || !strings.Contains(m, "station") {
				t.Errorf("snippet %q marks %q, want bus and station", text, marked)
			}
			if joined := strings.Join(text, ""); !strings.Contains(joined, "waiting at the") {
				t.Errorf("snippet %q does not show the words around the hit", joined)
			}
			return nil
		})
	}},

	{"search filters by state, dates, channel, incident type, priority, status and assignee", func(t *testing.T, s haven.Store) {
		an := mustUser(t, s, "analyst", haven.RoleAnalyst, 0)
		mk := func(ref string, hour int, edit func(r *haven.Report)) {
			r := newReport(ref, at(hour, 0, 0, 0))
			r.Narrative = "A shelter worker is worried about a youth."
			edit(r)
			mustReport(t, s, r)
		}
		mk("F1", 1, func(r *haven.Report) { r.State, r.Priority = "TX", haven.P1 })
		mk("F2", 2, func(r *haven.Report) { r.State, r.Channel, r.AssignedTo = "NV", haven.ChannelESP, an.ID })
		mk("F3", 3, func(r *haven.Report) { r.IncidentType, r.Status = haven.IncidentMissingChild, haven.ReportClosed })
		mk("F4", 4, func(r *haven.Report) { r.State, r.Narrative = "TX", "Nothing about shelters." })
		from, to := at(2, 0, 0, 0), at(4, 0, 0, 0)
		for _, c := range []struct {
			name  string
			query string
			f     haven.SearchFilter
			want  []string
		}{
			{"state", "worried", haven.SearchFilter{State: "TX"}, []string{"F1"}},
			{"state in the query", "worried state:tx", haven.SearchFilter{}, []string{"F1"}},
			{"received between", "worried", haven.SearchFilter{From: &from, To: &to}, []string{"F3", "F2"}},
			{"channel", "worried", haven.SearchFilter{Channel: haven.ChannelESP}, []string{"F2"}},
			{"incident type", "worried", haven.SearchFilter{IncidentType: haven.IncidentMissingChild}, []string{"F3"}},
			{"priority", "worried", haven.SearchFilter{Priority: haven.P1}, []string{"F1"}},
			{"status", "worried", haven.SearchFilter{Status: string(haven.ReportClosed)}, []string{"F3"}},
			{"assignee", "worried", haven.SearchFilter{AssignedTo: an.ID}, []string{"F2"}},
			{"unassigned", "worried", haven.SearchFilter{Unassigned: true}, []string{"F3", "F1"}},
			{"filters without words list newest first", "", haven.SearchFilter{State: "TX"}, []string{"F4", "F1"}},
			{"a page, with the total of all pages", "worried", haven.SearchFilter{Limit: 2, Offset: 1}, []string{"F2", "F1"}},
		} {
			q, err := haven.ParseSearch(c.query)
			if err != nil {
				t.Fatal(err)
			}
			// The query's own filters are merged by the service; here
			// they are applied by hand.
			if q.State != "" {
				c.f.State = q.State
			}
			got, n := searchRefs(t, s, q.String(), c.f)
			wantTotal := len(c.want)
			if c.f.Offset > 0 {
				wantTotal = 3
			}
			if !slices.Equal(got, c.want) || n != wantTotal {
				t.Errorf("%s: found %v (total %d), want %v (total %d)", c.name, got, n, c.want, wantTotal)
			}
		}
		got, n := searchRefs(t, s, "worried", haven.SearchFilter{Limit: 2, Offset: 10})
		if len(got) != 0 || n != 3 {
			t.Errorf("a page past the end found %v with total %d, want nothing with total 3", got, n)
		}
	}},

	{"with a rank limit, search ranks and counts only the newest matches", func(t *testing.T, s haven.Store) {
		for i := 1; i <= 5; i++ {
			r := newReport(fmt.Sprintf("L-%d", i), at(6-i, 0, 0, 0)) // stored in order, received in reverse
			if i == 1 {
				r.Narrative = "The caller, a caller who calls often, saw a van." // the best match, but stored first
			}
			mustReport(t, s, r)
		}
		got, n := searchRefs(t, s, "caller", haven.SearchFilter{RankLimit: 3})
		slices.Sort(got)
		if !slices.Equal(got, []string{"L-3", "L-4", "L-5"}) || n != 3 {
			t.Errorf("with a rank limit of 3: found %v (total %d), want the 3 stored last, total 3", got, n)
		}
		got, n = searchRefs(t, s, "caller", haven.SearchFilter{RankLimit: 10})
		if len(got) != 5 || n != 5 || got[0] != "L-1" {
			t.Errorf("with a rank limit above the matches: found %v (total %d), want all 5, L-1 first", got, n)
		}
	}},

	{"search finds and counts only what the scope allows", func(t *testing.T, s haven.Store) {
		w := newWorld(t, s, 24)
		ctx := context.Background()
		q, _ := haven.ParseSearch("caller")
		view(t, s, func(tx haven.Tx) error {
			for _, sc := range w.scopes() {
				err := checkScope(t, "report search", sc, w.reports, func() ([]*haven.Report, error) {
					hits, _, err := tx.SearchReports(ctx, haven.SearchFilter{Query: q, Scope: sc})
					var rs []*haven.Report
					for _, h := range hits {
						rs = append(rs, h.Report)
					}
					return rs, err
				}, func() (int, error) {
					_, n, err := tx.SearchReports(ctx, haven.SearchFilter{Query: q, Scope: sc, Limit: 1})
					return n, err
				})
				if err != nil {
					return err
				}
				err = checkScope(t, "case search", sc, w.cases, func() ([]*haven.Case, error) {
					hits, _, err := tx.SearchCases(ctx, haven.SearchFilter{Scope: sc})
					var cs []*haven.Case
					for _, h := range hits {
						cs = append(cs, h.Case)
					}
					return cs, err
				}, func() (int, error) {
					_, n, err := tx.SearchCases(ctx, haven.SearchFilter{Scope: sc, Limit: 1})
					return n, err
				})
				if err != nil {
					return err
				}
			}
			return nil
		})
	}},

	{"search keeps up with every write of a report's or a case's text", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		r := mustReport(t, s, newReport("W-1", at(1, 0, 0, 0)))
		if got, _ := searchRefs(t, s, "caller", haven.SearchFilter{}); !slices.Equal(got, []string{"W-1"}) {
			t.Errorf("a new report: found %v", got)
		}
		r.Narrative = "A neighbour saw a lighthouse keeper with two children."
		r.People = []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Amara"}}
		update(t, s, func(tx haven.Tx) error { return tx.UpdateReportIntake(ctx, r) })
		if got, _ := searchRefs(t, s, "caller", haven.SearchFilter{}); len(got) != 0 {
			t.Errorf("the old narrative is still found: %v", got)
		}
		if got, _ := searchRefs(t, s, "lighthouse amara", haven.SearchFilter{}); !slices.Equal(got, []string{"W-1"}) {
			t.Errorf("the rewritten narrative and people: found %v", got)
		}
		update(t, s, func(tx haven.Tx) error {
			return tx.AddReportIdentifiers(ctx, r.ID, []haven.Identifier{{Kind: haven.IDEmail, Value: "tip.line@example.com", Raw: "tip.line@example.com", Source: "narrative"}})
		})
		if got, _ := searchRefs(t, s, "tip.line@example.com", haven.SearchFilter{}); !slices.Equal(got, []string{"W-1"}) {
			t.Errorf("an identifier added later: found %v", got)
		}

		child := mustChild(t, s, &haven.Child{FirstName: "Lena"})
		c := mustCase(t, s, &haven.Case{ChildID: child.ID, Title: "Lena missing from foster placement", Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined})
		caseTitles := func(text string) []string {
			q, _ := haven.ParseSearch(text)
			var titles []string
			view(t, s, func(tx haven.Tx) error {
				hits, _, err := tx.SearchCases(ctx, haven.SearchFilter{Query: q, Scope: haven.Scope{All: true}})
				for _, h := range hits {
					titles = append(titles, h.Case.Title)
				}
				return err
			})
			return titles
		}
		if got := caseTitles("foster"); len(got) != 1 {
			t.Errorf("a new case: found %v", got)
		}
		c.Title = "Lena located in Sacramento"
		update(t, s, func(tx haven.Tx) error { return tx.UpdateCase(ctx, c) })
		if got := caseTitles("foster"); len(got) != 0 {
			t.Errorf("the old title is still found: %v", got)
		}
		if got := caseTitles("sacramento"); !slices.Equal(got, []string{c.Title}) {
			t.Errorf("the new title: found %v", got)
		}

		// A case is found by its child's names and its notes, which follow
		// the notes through a merge and back through a split.
		nick := mustChild(t, s, &haven.Child{FirstName: "Rosalind", LastName: "Okonkwo", Nicknames: []string{"Roz"}})
		kept := mustCase(t, s, &haven.Case{ChildID: nick.ID, Title: "First case", Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined})
		taken := mustCase(t, s, &haven.Case{ChildID: nick.ID, Title: "Second case", Status: haven.CaseOpen, Determination: haven.DeterminationUndetermined})
		if got := caseTitles("roz okonkwo"); len(got) != 2 {
			t.Errorf("the child's nickname and last name: found %v, want both cases", got)
		}
		update(t, s, func(tx haven.Tx) error {
			return tx.CreateCaseNote(ctx, &haven.CaseNote{CaseID: taken.ID, Body: "The school counsellor called back about the greyhound ticket."})
		})
		if got := caseTitles("greyhound"); !slices.Equal(got, []string{"Second case"}) {
			t.Errorf("a word of a note: found %v", got)
		}
		m := &haven.CaseMerge{SurvivingID: kept.ID, AbsorbedID: taken.ID, Reason: "the same child"}
		update(t, s, func(tx haven.Tx) error { return tx.MergeCases(ctx, m) })
		if got := caseTitles("greyhound"); !slices.Contains(got, "First case") {
			t.Errorf("after the merge, the note's word: found %v, want the surviving case", got)
		}
		update(t, s, func(tx haven.Tx) error { return tx.SplitCase(ctx, m) })
		if got := caseTitles("greyhound"); !slices.Equal(got, []string{"Second case"}) {
			t.Errorf("after the split, the note's word: found %v, want the case it came back to", got)
		}
	}},

	{"search takes text that looks like SQL or FTS syntax as words, never as syntax", func(t *testing.T, s haven.Store) {
		r := newReport("INJ-1", at(1, 0, 0, 0))
		r.Narrative = "The van was parked near the pier; its driver's name is unknown (not given)."
		mustReport(t, s, r)
		for _, text := range []string{
			`"`, `'`, `''`, `--`, `;`, `*`, `near`, `NEAR(van pier)`, `NEAR("van" "pier", 2)`, `van*`, `van OR pier`,
			`van AND NOT pier`, `) OR 1=1 --`, `'; DROP TABLE reports; --`, `narrative:van`, `ref:INJ-1`,
			`{ref narrative}: van`, `^van`, `van + pier`, `"van" "pier"`, `"unterminated phrase`, `driver's`, `\`, `%_`,
			`$1`, `?`, `:van`, `van:`, `(not given)`, `!!van`, `van & pier | x`, `<->`, `-`, `---`, "van\x00pier",
		} {
			q, err := haven.ParseSearch(text)
			if err != nil {
				if haven.ErrorCode(err) != haven.EINVALID {
					t.Errorf("ParseSearch(%q): %v, want a clear EINVALID or none", text, err)
				}
				continue
			}
			err = s.View(context.Background(), func(tx haven.Tx) error {
				_, _, err := tx.SearchReports(context.Background(), haven.SearchFilter{Query: q, Scope: haven.Scope{All: true}})
				return err
			})
			if err != nil {
				t.Errorf("search %q (parsed %q): %v", text, q.String(), err)
			}
		}
		for _, c := range []struct {
			text string
			want []string
		}{
			{`NEAR van pier`, []string{"INJ-1"}}, // the words near, van and pier
			{`NEAR(van pier)`, nil},              // the phrase "near van", and pier
			{`van*`, []string{"INJ-1"}},
			{`'; DROP TABLE reports; --`, nil},
			{`(not given)`, []string{"INJ-1"}},
		} {
			if got, _ := searchRefs(t, s, c.text, haven.SearchFilter{}); !slices.Equal(got, c.want) {
				t.Errorf("search %q found %v, want %v", c.text, got, c.want)
			}
		}
	}},
}
