package haven

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Search over reports and cases: the little syntax analysts type in the
// search box, parsed here into a SearchQuery. The store never puts the text
// itself into SQL: it turns the parsed words into an FTS5 MATCH string of
// double-quoted tokens (SQLite) or into tsquery functions of bound
// parameters (PostgreSQL), see internal/sqlstore/search.go.
//
// The syntax:
//
//	runaway bus station       every word must appear (in any field)
//	"bus station"             these words in this order
//	-greyhound                leave out what has this word (or "-a phrase")
//	state:TX status:new       filters: state, status, priority, channel, type
//
// Words are split where anything but a letter or a digit stands, exactly as
// the index splits the text, so 202-555-0147 and ana@example.com are
// phrases (202 555 0147; ana example com) and punctuation alone is nothing.
// Both stores stem English words (running finds run), ignore case and fold
// the accents of Latin letters (José finds Jose).

// Limits on one search, so that a query is cheap to parse and to run.
const (
	MaxSearchLength = 500 // bytes of query text
	MaxSearchTerms  = 12  // words and phrases, included and excluded
	MaxSearchWords  = 32  // words in all, phrases counted word by word
)

// SearchTerm is one word, or a phrase of several words in order. Words are
// lower-cased and hold only letters and digits.
type SearchTerm struct {
	Words   []string
	Exclude bool // the term must not appear
}

// SearchQuery is a parsed search: the terms to match and the filters written
// in the query (field:value). The zero SearchQuery matches every record.
type SearchQuery struct {
	Terms []SearchTerm
	// Filters written as field:value; zero when not given.
	State        string
	Status       string // a ReportStatus or a CaseStatus
	Priority     Priority
	Channel      Channel
	IncidentType IncidentType
}

// HasText reports whether the query has a term to look for; without one it
// is a plain filtered list.
func (q SearchQuery) HasText() bool {
	for _, t := range q.Terms {
		if !t.Exclude {
			return true
		}
	}
	return false
}

// String is the query written back in the syntax ParseSearch reads, in a
// canonical form: ParseSearch(q.String()) is q.
func (q SearchQuery) String() string {
	var parts []string
	for _, t := range q.Terms {
		s := strings.Join(t.Words, " ")
		if len(t.Words) > 1 {
			s = `"` + s + `"`
		}
		if t.Exclude {
			s = "-" + s
		}
		parts = append(parts, s)
	}
	field := func(name, v string) {
		if v != "" {
			parts = append(parts, name+":"+v)
		}
	}
	field("state", q.State)
	field("status", q.Status)
	if q.Priority != PriorityNone {
		field("priority", strconv.Itoa(int(q.Priority)))
	}
	field("channel", string(q.Channel))
	field("type", string(q.IncidentType))
	return strings.Join(parts, " ")
}

// ParseSearch parses the search box's text. It never fails on words,
// quotes or punctuation, whatever they are; it fails (EINVALID, field "q")
// on text that is too long or not UTF-8, on too many terms, on a query that
// only excludes, and on a filter whose value is not valid.
func ParseSearch(s string) (SearchQuery, error) {
	var q SearchQuery
	if len(s) > MaxSearchLength {
		return q, FieldError("q", "a search is at most %d characters", MaxSearchLength)
	}
	if !utf8.ValidString(s) {
		return q, FieldError("q", "the search is not valid text (UTF-8)")
	}
	words := 0
	add := func(ws []string, exclude bool) error {
		if len(ws) == 0 {
			return nil // punctuation alone: nothing to look for
		}
		if len(q.Terms) == MaxSearchTerms {
			return FieldError("q", "a search has at most %d words and phrases", MaxSearchTerms)
		}
		if words += len(ws); words > MaxSearchWords {
			return FieldError("q", "a search has at most %d words", MaxSearchWords)
		}
		q.Terms = append(q.Terms, SearchTerm{Words: ws, Exclude: exclude})
		return nil
	}
	rest := s
	for {
		rest = strings.TrimLeftFunc(rest, unicode.IsSpace)
		if rest == "" {
			break
		}
		exclude := false
		if rest[0] == '-' && len(rest) > 1 && !unicode.IsSpace(rune(rest[1])) {
			exclude, rest = true, rest[1:]
		}
		var err error
		if rest[0] == '"' {
			// A phrase runs to the closing quote, or to the end of the text
			// when there is none.
			body, after, _ := strings.Cut(rest[1:], `"`)
			rest = after
			err = add(searchWords(body), exclude)
		} else {
			end := strings.IndexFunc(rest, func(r rune) bool { return unicode.IsSpace(r) || r == '"' })
			if end < 0 {
				end = len(rest)
			}
			tok := rest[:end]
			rest = rest[end:]
			if name, value, ok := strings.Cut(tok, ":"); ok && value != "" && searchFields[strings.ToLower(name)] {
				if exclude {
					return q, FieldError("q", "a filter (%s) cannot be excluded with -", tok)
				}
				err = q.setField(strings.ToLower(name), value)
			} else {
				err = add(searchWords(tok), exclude)
			}
		}
		if err != nil {
			return q, err
		}
	}
	if len(q.Terms) > 0 && !q.HasText() {
		return q, FieldError("q", "say what to look for, not only what to leave out")
	}
	if q.IsZero() && strings.TrimSpace(s) != "" {
		// Punctuation alone ("%", "*", "\\") would otherwise be no search at
		// all and list everything: it finds nothing, so say so.
		return q, FieldError("q", "search for words or numbers: %q has none to look for", s)
	}
	return q, nil
}

// IsZero reports whether the query has neither a term nor a filter.
func (q SearchQuery) IsZero() bool {
	return len(q.Terms) == 0 && q.State == "" && q.Status == "" && q.Priority == 0 && q.Channel == "" && q.IncidentType == ""
}

// searchFields are the field:value filters the syntax knows; any other
// word with a colon is words (http://example.com is http example com).
var searchFields = map[string]bool{"state": true, "status": true, "priority": true, "channel": true, "type": true}

func (q *SearchQuery) setField(name, value string) error {
	twice := func(old string) error {
		if old != "" {
			return FieldError("q", "%s: is given twice", name)
		}
		return nil
	}
	switch name {
	case "state":
		if err := twice(q.State); err != nil {
			return err
		}
		q.State = strings.ToUpper(value)
		if !ValidState(q.State) {
			return FieldError("q", "state:%s is not a US state or territory postal code", value)
		}
	case "status":
		if err := twice(q.Status); err != nil {
			return err
		}
		q.Status = strings.ToLower(value)
		if !oneOf(ReportStatus(q.Status), reportStatuses) && !oneOf(CaseStatus(q.Status), CaseStatuses) {
			return FieldError("q", "status:%s is not a status (new, in_review, referred, closed; open, active, located)", value)
		}
	case "priority":
		if q.Priority != PriorityNone {
			return FieldError("q", "priority: is given twice")
		}
		p, err := strconv.Atoi(strings.TrimPrefix(strings.ToUpper(value), "P"))
		if err != nil || p < int(P1) || p > int(P4) {
			return FieldError("q", "priority:%s is not a priority (1 to 4)", value)
		}
		q.Priority = Priority(p)
	case "channel":
		if err := twice(string(q.Channel)); err != nil {
			return err
		}
		q.Channel = Channel(strings.ToLower(value))
		if !oneOf(q.Channel, Channels) {
			return FieldError("q", "channel:%s is not a channel", value)
		}
	case "type":
		if err := twice(string(q.IncidentType)); err != nil {
			return err
		}
		q.IncidentType = IncidentType(strings.ToLower(value))
		if !oneOf(q.IncidentType, IncidentTypes) {
			return FieldError("q", "type:%s is not an incident type", value)
		}
	}
	return nil
}

var reportStatuses = []ReportStatus{ReportNew, ReportInReview, ReportReferred, ReportClosed}

// searchWords splits text into lower-cased words of letters and digits.
func searchWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}

// SearchFilter is one search: the parsed query and the filters chosen
// beside it. Zero fields do not filter, except Scope: the zero Scope
// selects nothing. Channel, IncidentType and Priority only apply to reports;
// From and To bound a report's received time or a case's opening.
type SearchFilter struct {
	Query        SearchQuery
	Scope        Scope
	State        string
	Status       string // a ReportStatus for reports, a CaseStatus for cases
	Channel      Channel
	IncidentType IncidentType
	Priority     Priority
	AssignedTo   int64
	Unassigned   bool
	From, To     *time.Time // half-open: From <= t < To
	// RankLimit is how many matches are ranked and counted at most: the
	// newest (highest id) RankLimit of them when there are more. The
	// service sets it to MaxSearchRanked; 0 means no limit.
	RankLimit int
	Limit     int
	Offset    int
}

// MaxSearchRanked is how many matches a search ranks and counts at most. A
// word in a quarter of a million reports would otherwise rank and count
// every one of them (about a second at 1,000,000 reports, docs/benchmarks.md
// section 6); past this many, the results are the best of the newest
// MaxSearchRanked matches, and the total says "10,000 or more".
const MaxSearchRanked = 10_000

// SnippetPart is a piece of a search result's snippet; Hit marks the words
// that matched, for the page to highlight.
type SnippetPart struct {
	Text string `json:"text"`
	Hit  bool   `json:"hit,omitempty"`
}

// ReportHit is a report a search found: the report without its places,
// people and identifiers, and a snippet of the text that matched.
type ReportHit struct {
	Report  *Report
	Snippet []SnippetPart
}

// CaseHit is a case a search found, with a snippet of its matching text.
type CaseHit struct {
	Case    *Case
	Snippet []SnippetPart
}

// SearchTx searches the text index of reports and cases. Both rank the
// records that match f.Query best first (newest first, then highest id, among
// equals and when the query has no text), page by f.Limit and f.Offset, and
// return the number of records that match in all (within f.Scope: a record
// outside it is never counted). With f.RankLimit set and text to look for,
// only the newest f.RankLimit matches (by id) are ranked, and the total is
// at most f.RankLimit ("that many or more").
type SearchTx interface {
	SearchReports(ctx context.Context, f SearchFilter) ([]*ReportHit, int, error)
	SearchCases(ctx context.Context, f SearchFilter) ([]*CaseHit, int, error)
}

// merge applies the filters written in the query to f; a filter given both
// ways with different values is an error.
func (f *SearchFilter) merge() error {
	q := f.Query
	str := func(name string, dst *string, v string) error {
		switch {
		case v == "":
		case *dst == "":
			*dst = v
		case !strings.EqualFold(*dst, v):
			return FieldError("q", "%s:%s disagrees with the %s chosen (%s)", name, v, name, *dst)
		}
		return nil
	}
	if err := str("state", &f.State, q.State); err != nil {
		return err
	}
	if err := str("status", &f.Status, q.Status); err != nil {
		return err
	}
	ch, it := string(f.Channel), string(f.IncidentType)
	if err := str("channel", &ch, string(q.Channel)); err != nil {
		return err
	}
	if err := str("type", &it, string(q.IncidentType)); err != nil {
		return err
	}
	f.Channel, f.IncidentType = Channel(ch), IncidentType(it)
	switch {
	case q.Priority == PriorityNone:
	case f.Priority == PriorityNone:
		f.Priority = q.Priority
	case f.Priority != q.Priority:
		return FieldError("q", "priority:%d disagrees with the priority chosen (%d)", q.Priority, f.Priority)
	}
	return nil
}

// validate checks the filters of a search of reports (cases is false) or of
// cases.
func (f *SearchFilter) validate(cases bool) error {
	if f.State != "" && !ValidState(f.State) {
		return FieldError("state", "%q is not a US state or territory postal code", f.State)
	}
	if cases {
		if f.Channel != "" || f.IncidentType != "" || f.Priority != PriorityNone {
			return FieldError("q", "channel, incident type and priority filter reports, not cases")
		}
		if f.Status != "" && !oneOf(CaseStatus(f.Status), CaseStatuses) {
			return FieldError("status", "%q is not a case status", f.Status)
		}
	} else {
		if f.Status != "" && !oneOf(ReportStatus(f.Status), reportStatuses) {
			return FieldError("status", "%q is not a report status", f.Status)
		}
		if f.Channel != "" && !oneOf(f.Channel, Channels) {
			return FieldError("channel", "%q is not a channel", f.Channel)
		}
		if f.IncidentType != "" && !oneOf(f.IncidentType, IncidentTypes) {
			return FieldError("type", "%q is not an incident type", f.IncidentType)
		}
		if f.Priority < PriorityNone || f.Priority > P4 {
			return FieldError("priority", "priority is 1 to 4")
		}
	}
	if f.From != nil && f.To != nil && !f.From.Before(*f.To) {
		return FieldError("to", "the end of the period must come after its start")
	}
	if f.Limit < 0 || f.Offset < 0 {
		return FieldError("page", "a page cannot be negative")
	}
	return nil
}

// describe is the search as the audit log records it.
func (f *SearchFilter) describe(n int) string {
	var b strings.Builder
	b.WriteString(f.Query.String())
	add := func(name, v string) {
		if v != "" {
			fmt.Fprintf(&b, " [%s=%s]", name, v)
		}
	}
	add("state", f.State)
	add("status", f.Status)
	add("channel", string(f.Channel))
	add("type", string(f.IncidentType))
	if f.Priority != PriorityNone {
		add("priority", strconv.Itoa(int(f.Priority)))
	}
	if f.AssignedTo != 0 {
		add("assigned_to", strconv.FormatInt(f.AssignedTo, 10))
	}
	if f.Unassigned {
		add("unassigned", "yes")
	}
	if f.From != nil {
		add("from", f.From.UTC().Format(time.RFC3339))
	}
	if f.To != nil {
		add("to", f.To.UTC().Format(time.RFC3339))
	}
	fmt.Fprintf(&b, " → %d found", n)
	return strings.TrimSpace(b.String())
}
