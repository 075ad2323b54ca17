package triage

import (
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

// input is what the facts read.
type input struct {
	r   *haven.Report
	c   *haven.TriageContext
	lex *Lexicon
}

// fact is one named fact: eval returns one readable sentence per reason it
// holds, none when it does not.
type fact struct {
	doc  string
	eval func(in *input) []string
}

// facts is the vocabulary rule conditions may name.
var facts = map[string]fact{
	"esp_escalation": {"The online service provider sent escalateToHighPriority.", func(in *input) []string {
		if in.r.Escalation == "" {
			return nil
		}
		return []string{fmt.Sprintf("The provider asked for escalation (escalateToHighPriority): “%s”", clip(in.r.Escalation, 200))}
	}},
	"hotline_imminent": {"A hotline specialist flagged the call as imminent danger.", func(in *input) []string {
		at := in.c.ImminentAt
		if at == nil {
			return nil
		}
		if at.IsZero() {
			return []string{"Hotline specialist flagged imminent danger."}
		}
		return []string{fmt.Sprintf("Hotline specialist flagged imminent danger (%s UTC).", at.UTC().Format("2006-01-02 15:04"))}
	}},
	"meeting_within_72h": {"A sentence of the report names a meeting or travel and a time within 72 hours (lexicon: meeting, soon).", func(in *input) []string {
		return sentencesWith(in.r, func(s string) bool {
			return hasAny(s, in.lex.Meeting) && hasAny(s, in.lex.Soon)
		}, "The report says a meeting or travel is planned soon: “%s”")
	}},
	"with_suspected_trafficker_now": {"A sentence of the report says the child is now with a suspect (lexicon: now, with_suspect, or \"with\" a suspect's name).", func(in *input) []string {
		with := append([]string(nil), in.lex.WithSuspect...)
		for _, p := range in.r.People {
			if p.Role != haven.PersonSuspect {
				continue
			}
			for _, n := range []string{p.FirstName, p.Nickname, p.FullName()} {
				if n = strings.TrimSpace(n); utf8.RuneCountInString(n) >= 2 {
					with = append(with, "with "+n)
				}
			}
		}
		return sentencesWith(in.r, func(s string) bool {
			return hasAny(s, in.lex.Now) && hasAny(s, with)
		}, "The report says the child is with a suspect now: “%s”")
	}},
	"child_missing_now": {"A child the report concerns has an open missing episode: the report opened it, a person in it is matched to the child, or it is linked to the missing-child report.", func(in *input) []string {
		var ev []string
		seen := map[int64]bool{}
		for _, e := range in.c.Episodes {
			if !e.Open || seen[e.EpisodeID] {
				continue
			}
			seen[e.EpisodeID] = true
			switch e.Via {
			case haven.ViaThisReport:
				ev = append(ev, fmt.Sprintf("This report opened missing episode %d; the child has not been recovered.", e.EpisodeID))
			case haven.ViaPerson:
				ev = append(ev, fmt.Sprintf("A person in this report is child %d on file, missing now (missing episode %d, report %s).", e.ChildID, e.EpisodeID, e.ReportRef))
			case haven.ViaNetwork:
				ev = append(ev, fmt.Sprintf("This report is linked through shared identifiers to missing-child report %s, whose episode %d is open.", e.ReportRef, e.EpisodeID))
			}
		}
		return ev
	}},
	"missing_from_care_not_sent": {"The report is of a child missing from care, and law enforcement has not yet been told.", func(in *input) []string {
		var ev []string
		for _, e := range in.c.Episodes {
			if e.Via == haven.ViaThisReport && e.Open && e.FromCare && !e.LawEnforcementTold {
				ev = append(ev, fmt.Sprintf("Child missing from care: law enforcement has not been told yet (missing episode %d).", e.EpisodeID))
			}
		}
		return ev
	}},
	"child_identifiable": {"A child in the report is identifiable: named, an account of theirs given with its platform, or a photo attached.", func(in *input) []string {
		var ev []string
		for i, p := range in.r.People {
			if p.Role == haven.PersonChild && (strings.TrimSpace(p.FirstName) != "" || strings.TrimSpace(p.LastName) != "") {
				ev = append(ev, fmt.Sprintf("Person %d of the report, a child, is named.", i+1))
			}
		}
		for _, id := range in.r.Identifiers {
			if (id.Kind == haven.IDHandle || id.Kind == haven.IDESPAccount) && id.Platform != "" && childSource(id.Source) {
				ev = append(ev, fmt.Sprintf("The child's account on %s is given.", id.Platform))
				break
			}
		}
		if in.c.Photos > 0 {
			ev = append(ev, fmt.Sprintf("%d image file(s) attached to the report.", in.c.Photos))
		}
		return ev
	}},
	"trafficking_or_enticement_alleged": {"The report's incident type alleges child sex trafficking, child sex tourism or online enticement.", func(in *input) []string {
		if !in.r.IncidentType.Alleges() {
			return nil
		}
		return []string{fmt.Sprintf("The report alleges %s (incident type).", strings.ToLower(in.r.IncidentType.Label()))}
	}},
}

// FactNames lists the facts rule conditions may name, sorted.
func FactNames() []string {
	var ns []string
	for n := range facts {
		ns = append(ns, n)
	}
	sort.Strings(ns)
	return ns
}

// FactDoc says in a sentence when the named fact holds ("" if unknown).
func FactDoc(name string) string { return facts[name].doc }

// childSource reports whether an identifier was given as the child's (an
// ESP's victim account, a field about the child).
func childSource(src string) bool {
	s := strings.ToLower(src)
	return strings.HasPrefix(s, "victim") || strings.Contains(s, "child")
}

// sentencesWith returns, formatted with format, each sentence of the
// report's narrative and time text for which ok holds (at most three).
func sentencesWith(r *haven.Report, ok func(lower string) bool, format string) []string {
	var ev []string
	for _, text := range []string{r.IncidentTimeText, r.Narrative} {
		for _, s := range sentences(text) {
			if ok(strings.ToLower(s)) {
				ev = append(ev, fmt.Sprintf(format, clip(s, 200)))
				if len(ev) == 3 {
					return ev
				}
			}
		}
	}
	return ev
}

// sentences splits text at sentence ends and line breaks.
func sentences(text string) []string {
	var out []string
	for _, s := range strings.FieldsFunc(text, func(r rune) bool {
		return r == '.' || r == '!' || r == '?' || r == '\n' || r == ';'
	}) {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// hasAny reports whether lower (lower-case text) contains one of the
// phrases as whole words.
func hasAny(lower string, phrases []string) bool {
	for _, p := range phrases {
		if hasPhrase(lower, strings.ToLower(p)) {
			return true
		}
	}
	return false
}

func hasPhrase(s, p string) bool {
	if p == "" {
		return false
	}
	for from := 0; ; {
		i := strings.Index(s[from:], p)
		if i < 0 {
			return false
		}
		i += from
		before, _ := utf8.DecodeLastRuneInString(s[:i])
		after, _ := utf8.DecodeRuneInString(s[i+len(p):])
		if (i == 0 || !isWord(before)) && (i+len(p) == len(s) || !isWord(after)) {
			return true
		}
		from = i + 1
	}
}

func isWord(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }

func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n]) + "…"
}
