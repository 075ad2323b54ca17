package bench

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/bench/latency"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

// BenchmarkSearch measures filtered full-text searches of reports (the
// store's SearchReports, as Service.SearchReports calls it, with the scope
// the rules compile for the actor) over N synthetic reports
// (HAVEN_BENCH_REPORTS, default 100,000; the figure is for
// 1,000,000), on SQLite and, when HAVEN_TEST_POSTGRES is set, PostgreSQL.
// Each search asks for the first page of 25 results with the total count and
// snippets. It reports the median and the 99th percentile of one search and,
// as baselines in the same process on the same database, of one report read
// by primary key and of the same filters listed without text (ListReports,
// newest first, one page).
//
//	HAVEN_BENCH_REPORTS=1000000 go test ./internal/bench -run '^$' -bench Search -benchtime 200x -timeout 2h
//
// The reports are filled by set-based SQL, not one by one: narratives are
// benign sentences assembled from word lists of different sizes so that
// words have realistic selectivity (a place name is in about 2% of
// reports, a surname in 1%, "girl" in about a quarter).
func BenchmarkSearch(b *testing.B) {
	n := latency.Size(b, "HAVEN_BENCH_REPORTS", 100_000, 1000)
	for _, dialect := range []string{"sqlite", "postgres"} {
		b.Run(dialect, func(b *testing.B) {
			w := newSearchWorld(b, dialect, n)
			for _, c := range w.searches() {
				b.Run(c.name, func(b *testing.B) { w.bench(b, c.run) })
			}
		})
	}
}

// searchWorld is a store filled with n reports.
type searchWorld struct {
	store    haven.Store
	n        int
	firstID  int64
	analyst  haven.Actor
	officer  haven.Actor
	agencyID int64
}

// Word lists for the narratives; their sizes set each word's selectivity.
var (
	benchChildren = []string{"girl", "boy", "teenager", "youth"}
	benchPlaces   = []string{"motel", "truck stop", "bus station", "shopping mall", "train station", "casino", "nail salon",
		"massage parlor", "hotel lobby", "rest area", "gas station", "apartment complex", "parking garage", "city park",
		"public library", "fast food restaurant", "laundromat", "convenience store", "highway exit", "marina", "stadium",
		"community center", "church parking lot", "skate park", "movie theater", "bowling alley", "airport", "ferry terminal",
		"farm stand", "construction site", "warehouse", "diner", "food court", "motor inn", "campground", "beach boardwalk",
		"pier", "youth shelter", "group home", "high school", "middle school", "bus stop", "subway platform", "pharmacy",
		"hospital waiting room", "clinic", "arcade", "county fair", "flea market", "car wash"}
	benchColors   = []string{"red", "blue", "black", "white", "silver", "grey", "green", "brown", "gold", "maroon", "tan", "orange"}
	benchVehicles = []string{"sedan", "pickup truck", "minivan", "SUV", "hatchback", "van", "coupe", "motorcycle", "box truck",
		"station wagon", "convertible", "jeep", "taxi", "limousine", "camper"}
	benchFirst = []string{"Amara", "Mateo", "Lena", "Jayden", "Sofia", "Noah", "Imani", "Diego", "Chloe", "Malik", "Ava", "Luis",
		"Maya", "Tyrone", "Elena", "Kai", "Zoe", "Andre", "Nina", "Omar"}
	benchLast = []string{"Quintero", "Okafor", "Lindqvist", "Haddad", "Moreau", "Nakamura", "Petrov", "Delgado", "Achebe", "Kowalski",
		"Brennan", "Castillo", "Iversen", "Mbeki", "Santos", "Whitfield", "Novak", "Oduya", "Rasmussen", "Tanaka",
		"Abara", "Bishop", "Caldwell", "Dunmore", "Esposito", "Fairbanks", "Galloway", "Hollis", "Ibarra", "Jensen",
		"Kearney", "Lockhart", "Marchetti", "Nyberg", "Ostrowski", "Pemberton", "Quayle", "Redfield", "Sorensen", "Thorne",
		"Underhill", "Valdez", "Winslow", "Yardley", "Zamora", "Ashby", "Blackwood", "Crowley", "Drummond", "Ellery",
		"Fenwick", "Garrity", "Hartley", "Ingram", "Jessup", "Kendrick", "Langford", "Merritt", "Norwood", "Oakes",
		"Prescott", "Ramsey", "Sterling", "Tolliver", "Upton", "Vance", "Whitaker", "Yates", "Ainsley", "Barlow",
		"Carver", "Dalton", "Emerson", "Fletcher", "Gentry", "Harlow", "Irwin", "Jarvis", "Keller", "Lowell",
		"Mercer", "Nash", "Oliver", "Porter", "Quincy", "Radley", "Sutton", "Tucker", "Upshaw", "Vaughn",
		"Walton", "Xavier", "York", "Zeller", "Abbott", "Bellamy", "Corwin", "Dorsey", "Easton", "Finch"}
	benchEndings = []string{"The caller asked that someone check on the child.", "Staff at the shelter were worried.",
		"A neighbour noticed the child had missed school for a week.", "The reporter saw an online advertisement.",
		"An older adult seemed to control where the child went.", "The child did not know the address where they stayed.",
		"A teacher said the child had new phones and clothes.", "The child was seen late at night several times.",
		"The caller did not give a name.", "A relative said the child ran away from home.",
		"Hotel staff said several rooms were paid in cash.", "The child asked a stranger for help.",
		"A driver offered the child a ride.", "The child said an adult kept their identification.",
		"A social worker asked for a welfare check.", "The caller heard the child use a different name."}
	benchStates = []string{"TX", "CA", "FL", "NY", "GA", "NV", "AZ", "OH", "IL", "WA"}
)

// newSearchWorld opens a store of dialect and fills it with n reports.
func newSearchWorld(b *testing.B, dialect string, n int) *searchWorld {
	ctx := context.Background()
	var (
		store haven.Store
		raw   *sql.DB
	)
	switch dialect {
	case "sqlite":
		st, err := sqlite.Open(ctx, filepath.Join(b.TempDir(), "haven.db"))
		if err != nil {
			b.Fatal(err)
		}
		store, raw = st, st.SQL()
	case "postgres":
		st, err := postgres.Open(ctx, pgtest.URL(b))
		if err != nil {
			b.Fatal(err)
		}
		store, raw = st, st.SQL()
	}
	b.Cleanup(func() { store.Close() })
	w := &searchWorld{store: store, n: n}
	start := time.Now()

	// Agencies and users the reports belong to, through the store.
	var users []int64
	err := store.Update(ctx, func(tx haven.Tx) error {
		for i, st := range []string{"TX", "CA"} {
			a := &haven.Agency{Name: fmt.Sprintf("Bench Agency %d", i), Kind: haven.AgencyLawEnforcement, Level: haven.LevelState, State: st}
			if err := tx.CreateAgency(ctx, a); err != nil {
				return err
			}
			if i == 0 {
				w.agencyID = a.ID
			}
		}
		for i := 0; i < 5; i++ {
			u := &haven.User{Username: fmt.Sprintf("bench%d", i), DisplayName: "Bench", Role: haven.RoleAnalyst, PasswordHash: "$argon2id$x"}
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			users = append(users, u.ID)
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	w.analyst = haven.Actor{UserID: users[0], Username: "bench0", Role: haven.RoleAnalyst}
	w.officer = haven.Actor{UserID: users[1], Username: "bench1", Role: haven.RoleOfficer, AgencyID: w.agencyID, Jurisdiction: []string{"TX"}}

	// The word lists, as a table the filling SQL picks from.
	stmts := []string{`CREATE TABLE bench_words (kind TEXT NOT NULL, n INTEGER NOT NULL, word TEXT NOT NULL, PRIMARY KEY (kind, n))`}
	var vals []string
	for kind, list := range map[string][]string{"child": benchChildren, "place": benchPlaces, "color": benchColors,
		"vehicle": benchVehicles, "first": benchFirst, "last": benchLast, "ending": benchEndings, "state": benchStates} {
		for i, word := range list {
			vals = append(vals, fmt.Sprintf("('%s', %d, '%s')", kind, i, strings.ReplaceAll(word, "'", "''")))
		}
	}
	stmts = append(stmts, `INSERT INTO bench_words (kind, n, word) VALUES `+strings.Join(vals, ", "))

	// pick(kind, multiplier) is the word of a list chosen by a hash of i.
	// A multiplicative hash of i, with a multiplier of its own for each
	// list (its top 16 bits), so that the words of one report are
	// independent of each other and of the other columns.
	pick := func(kind string, list []string, mul int) string {
		return fmt.Sprintf("(SELECT word FROM bench_words WHERE kind = '%s' AND n = ((CAST(i AS BIGINT) * %d %% 4294967296) / 65536) %% %d)",
			kind, mul, len(list))
	}
	narrative := strings.Join([]string{
		"'The caller reported a '", pick("child", benchChildren, 2654435761), "' seen at the '", pick("place", benchPlaces, 2246822519),
		"' with an adult driving a '", pick("color", benchColors, 3266489917), "' '", pick("vehicle", benchVehicles, 668265263),
		"'. The adult called the child '", pick("first", benchFirst, 374761393), "' '", pick("last", benchLast, 2870177453), "'. '",
		pick("ending", benchEndings, 1540483477),
	}, " || ")
	cols := `ref, channel, incident_type, received_at, narrative, state, priority, status, agency_id, assigned_to, created_at, updated_at`
	// Channels, incident types, priorities and statuses cycle with
	// different periods; a third of the reports belong to an agency and
	// four in five are assigned.
	values := func(ts string) string {
		return `'HV-B' || i, ` +
			`CASE i % 6 WHEN 0 THEN 'public_tip' WHEN 1 THEN 'hotline' WHEN 2 THEN 'esp' WHEN 3 THEN 'api' WHEN 4 THEN 'import' ELSE 'missing_child' END, ` +
			`CASE i % 5 WHEN 0 THEN 'sex_trafficking' WHEN 1 THEN 'enticement' WHEN 2 THEN 'molestation' WHEN 3 THEN 'other' ELSE 'sex_trafficking' END, ` +
			ts + `, ` + narrative + `, ` + pick("state", benchStates, 3735928559) + `, (i / 3) % 5, ` +
			`CASE (i / 11) % 4 WHEN 0 THEN 'new' WHEN 1 THEN 'in_review' WHEN 2 THEN 'referred' ELSE 'closed' END, ` +
			fmt.Sprintf(`CASE i %% 3 WHEN 0 THEN %d ELSE NULL END, `, w.agencyID) +
			fmt.Sprintf(`CASE i %% 5 WHEN 0 THEN NULL ELSE %d + i %% 5 - 1 END, `, users[0]) + ts + `, ` + ts
	}
	switch dialect {
	case "sqlite":
		// One minute apart from 2024-01-01, in the text form the driver
		// writes times in.
		ts := `strftime('%Y-%m-%d %H:%M:%S', 1704067200 + i * 60, 'unixepoch') || '+00:00'`
		stmts = append(stmts,
			fmt.Sprintf(`INSERT INTO reports (%s) WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < %d)
				SELECT %s FROM s`, cols, n-1, values(ts)),
			`INSERT INTO report_search (rowid, ref, narrative, people, places, identifiers)
				SELECT id, ref, narrative, people, places, identifiers FROM report_search_doc`,
			`INSERT INTO report_search (report_search) VALUES ('optimize')`,
			`ANALYZE`)
	case "postgres":
		// The GIN index is built once after the fill rather than row by
		// row; the search column is computed as report_search_doc would
		// for a report without people, places or identifiers.
		ts := `'2024-01-01T00:00:00Z'::timestamptz + i * interval '1 minute'`
		stmts = append(stmts, `DROP INDEX reports_search`,
			fmt.Sprintf(`INSERT INTO reports (%s, search) SELECT *, setweight(to_tsvector('english', haven_search_text(ref)), 'A') ||
				setweight(to_tsvector('english', haven_search_text(narrative)), 'B')
				FROM (SELECT %s FROM generate_series(0, %d) AS s(i)) AS x (%s)`, cols, values(ts), n-1, cols),
			`CREATE INDEX reports_search ON reports USING gin (search)`,
			`VACUUM ANALYZE reports`)
	}
	for _, q := range stmts {
		t0 := time.Now()
		if _, err := raw.ExecContext(ctx, q); err != nil {
			b.Fatalf("filling the reports: %v\n%s", err, q)
		}
		b.Logf("%s: %s… took %v", dialect, firstWords(q), time.Since(t0).Round(time.Millisecond))
	}
	if err := raw.QueryRowContext(ctx, `SELECT MIN(id) FROM reports`).Scan(&w.firstID); err != nil {
		b.Fatal(err)
	}
	// The store's own index of one filled report must agree with the fill's.
	var got int
	q, _ := haven.ParseSearch(`"truck stop"`)
	err = store.View(ctx, func(tx haven.Tx) error {
		_, got, err = tx.SearchReports(ctx, haven.SearchFilter{Query: q, Scope: haven.Scope{All: true}, Limit: 1})
		return err
	})
	if err != nil || got == 0 {
		b.Fatalf("a search of the filled reports found %d: %v", got, err)
	}
	b.Logf("%s: filled %d reports in %v (\"truck stop\" is in %d)", dialect, n, time.Since(start).Round(time.Millisecond), got)
	return w
}

func firstWords(q string) string {
	f := strings.Fields(q)
	return strings.Join(f[:min(4, len(f))], " ")
}

// searchCase is one measured call.
type searchCase struct {
	name string
	run  func(ctx context.Context, tx haven.Tx, i int) error
}

// searches are the measured searches and their baselines.
func (w *searchWorld) searches() []searchCase {
	// The last 90 days of the filled period.
	last := time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(w.n) * time.Minute)
	from90 := last.AddDate(0, 0, -90)
	search := func(a haven.Actor, text string, f haven.SearchFilter) func(ctx context.Context, tx haven.Tx, i int) error {
		q, err := haven.ParseSearch(text)
		if err != nil {
			panic(err)
		}
		f.Query, f.Scope, f.Limit = q, haven.ScopeFor(a, haven.ActionView, haven.KindReport), 25
		f.RankLimit = haven.MaxSearchRanked // as the service sets it
		return func(ctx context.Context, tx haven.Tx, i int) error {
			hits, total, err := tx.SearchReports(ctx, f)
			if err == nil && text != "" && (total == 0 || len(hits) == 0) {
				err = fmt.Errorf("search %q found nothing", text)
			}
			return err
		}
	}
	return []searchCase{
		{"baseline-pk-select", func(ctx context.Context, tx haven.Tx, i int) error {
			_, err := tx.ReportByID(ctx, w.firstID+int64(i*7919%w.n))
			return err
		}},
		{"baseline-filtered-list-no-text", func(ctx context.Context, tx haven.Tx, i int) error {
			_, err := tx.ListReports(ctx, haven.ReportFilter{Scope: haven.ScopeFor(w.analyst, haven.ActionView, haven.KindReport),
				State: "TX", Status: haven.ReportNew, Limit: 25})
			return err
		}},
		// A place (2%) in one state (10%).
		{"word-state", search(w.analyst, "motel", haven.SearchFilter{State: "TX"})},
		// A phrase in the last 90 days.
		{"phrase-last-90-days", search(w.analyst, `"bus station"`, haven.SearchFilter{From: &from90})},
		// A surname (1%), no filter.
		{"surname", search(w.analyst, "Quintero", haven.SearchFilter{})},
		// A common word (25%) with status, priority and channel filters.
		{"common-word-status-priority-channel", search(w.analyst, "girl", haven.SearchFilter{Status: string(haven.ReportNew), Priority: haven.P1, Channel: haven.ChannelHotline})},
		// Two words and an exclusion, unassigned reports.
		{"two-words-exclusion-unassigned", search(w.analyst, "silver sedan -casino", haven.SearchFilter{Unassigned: true})},
		// A common word alone: the worst case, a quarter of all reports
		// ranked and counted.
		{"common-word-alone", search(w.analyst, "girl", haven.SearchFilter{})},
		// An officer: their agency's reports in their jurisdiction.
		{"officer-scope-word", search(w.officer, "pickup", haven.SearchFilter{})},
	}
}

// bench times b.N calls of run, each in its own read transaction, and
// reports their median and 99th percentile.
func (w *searchWorld) bench(b *testing.B, run func(ctx context.Context, tx haven.Tx, i int) error) {
	ctx := context.Background()
	ds := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		err := w.store.View(ctx, func(tx haven.Tx) error { return run(ctx, tx, i) })
		ds = append(ds, time.Since(t0))
		if err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	latency.Report(b, ds)
}
