package sqlstore

import (
	"context"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

// Search over reports and cases (migrations 00018_search.sql). The parsed
// haven.SearchQuery becomes, on SQLite, an FTS5 MATCH string in which every
// word is a double-quoted string (so no word is ever an FTS5 operator,
// column filter or prefix), and on PostgreSQL a tsquery built by
// plainto_tsquery and phraseto_tsquery from bound parameters, combined with
// && and !!. No text the user typed is ever part of the SQL.
//
// The index is kept in step by indexReport and indexCase, which every write
// of indexed text calls in its transaction: createReport,
// UpdateReportIntake and AddReportIdentifiers for reports; CreateCase and
// UpdateCase for cases. A new write of indexed text must call them too.
// What a record's document holds is the *_search_doc views of the
// migration.

// Snippet markers: control characters that no report's text shows, so that
// the snippet's text can be escaped as a whole and the hits marked after.
const (
	hitStart = "\x02"
	hitStop  = "\x03"
)

var (
	// SQLite: FTS5 tables have no UPDATE of a document by key but DELETE
	// and INSERT by rowid.
	qUnindexReport = query(`DELETE FROM report_search WHERE rowid = ?`)
	qIndexReport   = query(`INSERT INTO report_search (rowid, ref, narrative, people, places, identifiers)
	SELECT id, ref, narrative, people, places, identifiers FROM report_search_doc WHERE id = ?`)
	qUnindexCase = query(`DELETE FROM case_search WHERE rowid = ?`)
	qIndexCase   = query(`INSERT INTO case_search (rowid, title, notes)
	SELECT id, title, notes FROM case_search_doc WHERE id = ?`)
)

// PostgreSQL's statements are not registered with query: SQLite would fail
// to prepare them (there is no search column).
const (
	pgIndexReport = `UPDATE reports SET search = (SELECT doc FROM report_search_doc WHERE id = ?) WHERE id = ?`
	pgIndexCase   = `UPDATE cases SET search = (SELECT doc FROM case_search_doc WHERE id = ?) WHERE id = ?`
)

func (tx *tx) postgres() bool { return tx.db.d.Name == "postgres" }

// indexReport brings the search index of report id up to date with the
// report's text, places, people and identifiers as they are now in tx.
func (tx *tx) indexReport(ctx context.Context, id int64) error {
	if tx.postgres() {
		_, err := tx.exec(ctx, pgIndexReport, id, id)
		return err
	}
	if _, err := tx.exec(ctx, qUnindexReport, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, qIndexReport, id)
	return err
}

// indexCase brings the search index of case id up to date.
func (tx *tx) indexCase(ctx context.Context, id int64) error {
	if tx.postgres() {
		_, err := tx.exec(ctx, pgIndexCase, id, id)
		return err
	}
	if _, err := tx.exec(ctx, qUnindexCase, id); err != nil {
		return err
	}
	_, err := tx.exec(ctx, qIndexCase, id)
	return err
}

// fts5Match is q's terms as an FTS5 query: every term a double-quoted string
// (a phrase when it has several words; a '"' doubled, though words never
// hold one), the included terms ANDed and the excluded ones NOTed after.
// q must have a term to look for.
func fts5Match(q haven.SearchQuery) string {
	var pos, neg []string
	for _, t := range q.Terms {
		s := `"` + strings.ReplaceAll(strings.Join(t.Words, " "), `"`, `""`) + `"`
		if t.Exclude {
			neg = append(neg, s)
		} else {
			pos = append(pos, s)
		}
	}
	m := "(" + strings.Join(pos, " AND ") + ")"
	for _, n := range neg {
		m += " NOT " + n
	}
	return m
}

// tsQuery is q's terms as a PostgreSQL tsquery expression with its '?'
// arguments, one per term. Stop words ("the") drop out of the tsquery as
// they drop out of the index.
func tsQuery(q haven.SearchQuery) (string, []any) {
	var (
		parts []string
		args  []any
	)
	for _, t := range q.Terms {
		fn := "plainto_tsquery"
		if len(t.Words) > 1 {
			fn = "phraseto_tsquery"
		}
		e := fn + "('english', haven_search_text(?))"
		if t.Exclude {
			e = "(!!" + e + ")"
		}
		parts = append(parts, e)
		args = append(args, strings.Join(t.Words, " "))
	}
	return strings.Join(parts, " && "), args
}

// searchReportWhere is f's filters on reports aliased r.
func searchReportWhere(f haven.SearchFilter) *where {
	w := &where{}
	w.scope(f.Scope, reportScopeAs)
	eq(w, "r.channel", string(f.Channel))
	eq(w, "r.incident_type", string(f.IncidentType))
	eq(w, "r.priority", int64(f.Priority))
	eq(w, "r.status", f.Status)
	eq(w, "r.state", f.State)
	eq(w, "r.assigned_to", f.AssignedTo)
	if f.Unassigned {
		w.add("r.assigned_to IS NULL")
	}
	w.between("r.received_at", f.From, f.To)
	return w
}

var caseScopeAs = scopeColumns{ID: "c.id", AgencyID: "c.agency_id", AssignedTo: "c.assigned_to", CreatedBy: "c.created_by", State: "c.state"}

// searchCaseWhere is f's filters on cases aliased c; merged cases are left
// out, as lists leave them out.
func searchCaseWhere(f haven.SearchFilter) *where {
	w := &where{}
	w.scope(f.Scope, caseScopeAs)
	eq(w, "c.status", f.Status)
	eq(w, "c.state", f.State)
	eq(w, "c.assigned_to", f.AssignedTo)
	if f.Unassigned {
		w.add("c.assigned_to IS NULL")
	}
	w.between("c.opened_at", f.From, f.To)
	w.add("c.merged_into IS NULL")
	return w
}

// searchSpec says how to search one kind of record.
type searchSpec[T any] struct {
	table, alias, columns string // e.g. "reports", "r", the aliased columns
	fts                   string // SQLite's FTS5 table
	// filterIndex is SQLite's covering index of the columns the filters
	// and the scope read (migration 00026), named so that each match is
	// checked in it rather than in the table's wide rows; "" = the table.
	filterIndex string
	bm25        string // SQLite's bm25 call, with column weights
	orderBy     string // the tiebreak, newest first
	timeColumn  string // what newest means: the column orderBy sorts on first
	// headline is PostgreSQL's text to take the snippet from, over the
	// aliased columns.
	headline string
	// plain is the snippet of a search without text.
	plain func(T) string
	scan  func(scanner) (T, error)
}

var reportSearch = searchSpec[*haven.Report]{
	table: "reports", alias: "r", columns: reportColumnsAs, fts: "report_search", filterIndex: "reports_search_filter",
	bm25:    "bm25(report_search, 4.0, 1.0, 2.0, 1.0, 2.0)",
	orderBy: "r.received_at DESC, r.id DESC", timeColumn: "received_at",
	headline: `concat_ws(' · ', r.incident_time_text, r.narrative,
	(SELECT string_agg(concat_ws(' ', p.first_name, p.last_name, p.nickname, p.description), ' · ')
	 FROM report_people p WHERE p.report_id = r.id),
	(SELECT string_agg(i.raw, ' · ') FROM report_identifiers i WHERE i.report_id = r.id), r.ref)`,
	plain: func(r *haven.Report) string { return r.Narrative },
	scan:  scanReport,
}

var caseSearch = searchSpec[*haven.Case]{
	table: "cases", alias: "c", columns: prefixColumns("c.", caseColumns), fts: "case_search",
	bm25:    "bm25(case_search, 2.0, 1.0)",
	orderBy: "c.opened_at DESC, c.id DESC", timeColumn: "opened_at",
	headline: `c.title`,
	plain:    func(c *haven.Case) string { return c.Title },
	scan:     scanCase,
}

func (tx *tx) SearchReports(ctx context.Context, f haven.SearchFilter) ([]*haven.ReportHit, int, error) {
	var hits []*haven.ReportHit
	total, err := search(ctx, tx, reportSearch, f, searchReportWhere(f), func(r *haven.Report, s []haven.SnippetPart) {
		hits = append(hits, &haven.ReportHit{Report: r, Snippet: s})
	})
	return hits, total, tx.db.failure("search reports", err, "", "")
}

func (tx *tx) SearchCases(ctx context.Context, f haven.SearchFilter) ([]*haven.CaseHit, int, error) {
	var hits []*haven.CaseHit
	total, err := search(ctx, tx, caseSearch, f, searchCaseWhere(f), func(c *haven.Case, s []haven.SnippetPart) {
		hits = append(hits, &haven.CaseHit{Case: c, Snippet: s})
	})
	if err == nil && len(hits) > 0 {
		cs := make([]*haven.Case, len(hits))
		for i, h := range hits {
			cs[i] = h.Case
		}
		err = tx.caseReports(ctx, cs)
	}
	return hits, total, tx.db.failure("search cases", err, "", "")
}

// search runs one search, calling add with each record of the page in
// order, and returns how many records match in all. The count comes with
// the page (COUNT(*) OVER ()), so one statement does both; only a page past
// the end needs a second, to count.
func search[T any](ctx context.Context, tx *tx, s searchSpec[T], f haven.SearchFilter, w *where, add func(T, []haven.SnippetPart)) (int, error) {
	if tx.postgres() && f.Query.HasText() {
		for _, set := range pgSearchSettings {
			if _, err := tx.exec(ctx, set); err != nil {
				return 0, err
			}
		}
	}
	q, args := searchSQL(tx, s, f, w)
	total := 0
	err := queryEach(ctx, tx, q, args, func(sc scanner) error {
		var snippet string
		v, err := s.scan(extraScanner{sc, []any{&snippet, &total}})
		if err != nil {
			return err
		}
		if !f.Query.HasText() {
			snippet = hitStart + hitStop + s.plain(v) // no hits: the text's start
		}
		add(v, snippetParts(snippet))
		return nil
	})
	if err != nil || total > 0 || f.Offset == 0 {
		return total, err
	}
	f.Offset, f.Limit = 0, 1
	q, args = searchSQL(tx, s, f, w)
	err = queryEach(ctx, tx, q, args, func(sc scanner) error {
		var snippet string
		_, err := s.scan(extraScanner{sc, []any{&snippet, &total}})
		return err
	})
	return total, err
}

// pgSearchSettings are set for the transaction of a search on PostgreSQL,
// as measured at 1,000,000 reports (docs/benchmarks.md, section 6):
//
//   - work_mem: a common word matches a quarter of the reports, and the
//     bitmap of their rows outgrows the default 4 MB; a lossy bitmap makes
//     PostgreSQL recheck every row of every page it names (228,605 rows
//     for 1,892 results in one plan) instead of the rows that match.
//   - plan_cache_mode: the statement is prepared (pgx caches it), and after
//     five runs PostgreSQL may plan it once for every query text; how many
//     reports a word is in decides the plan (the GIN index or the filters'
//     indexes first), so each search is planned for its own words.
var pgSearchSettings = []string{`SET LOCAL work_mem = '64MB'`, `SET LOCAL plan_cache_mode = force_custom_plan`}

// searchSQL is the statement of one search: the page's columns, then the
// snippet and the total count.
func searchSQL[T any](tx *tx, s searchSpec[T], f haven.SearchFilter, w *where) (string, []any) {
	p, pargs := page(f.Limit, f.Offset)
	from := s.table + " " + s.alias
	if !f.Query.HasText() {
		args := append(append([]any(nil), w.args...), pargs...)
		return `SELECT ` + s.columns + `, '', COUNT(*) OVER () FROM ` + from + w.String() +
			` ORDER BY ` + s.orderBy + p, args
	}
	if !tx.postgres() {
		// FTS5: the MATCH first, so that the full-text index drives the
		// query and the filters check each match's row. Every match's id,
		// time and bm25 rank (the newest matches up to the rank limit) are
		// kept (m), then counted and the page taken (p), and only the
		// page's rows are read whole, with their snippets. bm25() and snippet() cannot run beside a window
		// function, hence the materialised m and the second MATCH, which
		// FTS5 runs for the page's rowids only.
		match := fts5Match(f.Query)
		args := append([]any{match}, w.args...)
		args = append(args, pargs...)
		args = append(args, match)
		cond := s.fts + ` MATCH ?`
		if wh := w.String(); wh != "" {
			cond += " AND " + strings.TrimPrefix(wh, " WHERE ")
		}
		a, t := s.alias, s.timeColumn
		// With a rank limit, m keeps the newest matches only, read from
		// FTS5 in descending rowid order (which it gives without sorting).
		newest := ""
		if f.RankLimit > 0 {
			newest = ` ORDER BY ` + s.fts + `.rowid DESC LIMIT ` + strconv.Itoa(f.RankLimit)
		}
		checked := from
		if s.filterIndex != "" {
			checked += ` INDEXED BY ` + s.filterIndex
		}
		return `WITH m AS MATERIALIZED (
		SELECT ` + a + `.id AS id, ` + a + `.` + t + ` AS t, ` + s.bm25 + ` AS rank
		FROM ` + s.fts + ` JOIN ` + checked + ` ON ` + a + `.id = ` + s.fts + `.rowid WHERE ` + cond + newest + `),
	p AS (SELECT id, t, rank, COUNT(*) OVER () AS total FROM m ORDER BY rank, t DESC, id DESC` + p + `)
	SELECT ` + s.columns + `, snippet(` + s.fts + `, -1, char(2), char(3), '…', 24), p.total
	FROM p JOIN ` + from + ` ON ` + a + `.id = p.id JOIN ` + s.fts + ` ON ` + s.fts + `.rowid = p.id
	WHERE ` + s.fts + ` MATCH ? ORDER BY p.rank, p.t DESC, p.id DESC`, args
	}
	// PostgreSQL: rank and count the matches (m, the newest up to the
	// rank limit) keeping only what ranking needs (the window of COUNT(*)
	// holds every one); then read the page's rows and take their
	// headlines only (ts_headline reparses the text, which costs).
	tsq, qargs := tsQuery(f.Query)
	cond := s.alias + `.search @@ q.q`
	if wh := w.String(); wh != "" {
		cond += " AND " + strings.TrimPrefix(wh, " WHERE ")
	}
	args := []any{`StartSel=` + hitStart + `, StopSel=` + hitStop + `, MaxWords=35, MinWords=15, MaxFragments=2, FragmentDelimiter=" … "`}
	args = append(args, qargs...)
	args = append(args, w.args...)
	args = append(args, pargs...)
	a, t := s.alias, s.timeColumn
	// With a rank limit, m keeps the newest matches only (the limit is
	// written into the SQL: a bound LIMIT would let a generic plan guess).
	newest := ""
	if f.RankLimit > 0 {
		newest = ` ORDER BY ` + a + `.id DESC LIMIT ` + strconv.Itoa(f.RankLimit)
	}
	return `SELECT ` + s.columns + `, ts_headline('english', ` + s.headline + `, page.q, ?), page.total FROM (
	SELECT id, ` + t + `, q, rank, COUNT(*) OVER () AS total FROM (
	SELECT ` + a + `.id, ` + a + `.` + t + `, q.q, ts_rank(` + a + `.search, q.q) AS rank
	FROM ` + from + `, (SELECT ` + tsq + `) AS q (q)
	WHERE ` + cond + newest + `) m
	ORDER BY rank DESC, ` + t + ` DESC, id DESC` + p + `) page
	JOIN ` + from + ` ON ` + a + `.id = page.id
	ORDER BY page.rank DESC, page.` + t + ` DESC, page.id DESC`, args
}

// extraScanner scans a row's columns into a record's scan destinations,
// then into extra.
type extraScanner struct {
	s     scanner
	extra []any
}

func (e extraScanner) Scan(dest ...any) error { return e.s.Scan(append(dest, e.extra...)...) }

// maxPlainSnippet is how many characters of a record's text a search
// without words shows.
const maxPlainSnippet = 240

// snippetParts splits a snippet marked with hitStart and hitStop into its
// parts. Text before the first hitStart is plain; a snippet that begins
// with an empty hit (hitStart hitStop) is plain text to be shortened.
func snippetParts(s string) []haven.SnippetPart {
	if rest, ok := strings.CutPrefix(s, hitStart+hitStop); ok {
		if utf8.RuneCountInString(rest) > maxPlainSnippet {
			r := []rune(rest)[:maxPlainSnippet]
			rest = strings.TrimRight(string(r), " ") + "…"
		}
		if rest == "" {
			return nil
		}
		return []haven.SnippetPart{{Text: rest}}
	}
	var parts []haven.SnippetPart
	for s != "" {
		before, after, found := strings.Cut(s, hitStart)
		if before != "" {
			parts = append(parts, haven.SnippetPart{Text: strings.ReplaceAll(before, hitStop, "")})
		}
		if !found {
			break
		}
		hit, rest, _ := strings.Cut(after, hitStop)
		if hit != "" {
			parts = append(parts, haven.SnippetPart{Text: hit, Hit: true})
		}
		s = rest
	}
	return parts
}
