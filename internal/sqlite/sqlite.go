// Package sqlite opens Haven's store on an SQLite database file, with the
// settings that make it durable and concurrent (modernc.org/sqlite, no cgo).
// The store itself is internal/sqlstore.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"runtime"
	"strings"

	"github.com/pressly/goose/v3"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/sqlstore"
	"github.com/haven-oss/haven/migrations"
)

// dialect describes SQLite to sqlstore.
var dialect = sqlstore.Dialect{
	Name: "sqlite",
	// SQLite's advice for a long-lived connection: PRAGMA optimize every
	// few hours, with a bounded sample per table (analysis_limit).
	Optimize:          "PRAGMA analysis_limit=1000; PRAGMA optimize",
	Goose:             goose.DialectSQLite3,
	Migrations:        migrations.SQLite,
	MigrateOptions:    []goose.ProviderOption{goose.WithDisableGlobalRegistry(true)},
	PrepareStatements: true,
	GroupCommit:       true,
	SequentialIDs:     true,
	Classify:          classify,
	PrefixMatch:       prefixMatch,
}

// Open opens (creating if need be) the database file at path, brings its
// schema up to date and returns the store. Close it when done.
//
// Writers go through one connection, each transaction beginning with BEGIN
// IMMEDIATE: they queue in Go instead of failing with SQLITE_BUSY when a
// read transaction would have to upgrade to a write, and concurrent Updates
// share commits (sqlstore's group commit). Readers use a pool of read-only
// connections and, thanks to WAL, never wait for the writer. Another process
// writing to the same file waits up to busy_timeout.
//
// path must name a file: ":memory:" and "file:" URIs are refused, since the
// two pools must see one database.
func Open(ctx context.Context, path string) (*sqlstore.DB, error) {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") || strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("sqlite: open %q: give the path of a database file", path)
	}
	write, err := sql.Open("sqlite", dsn(path, url.Values{
		// Durability: in WAL mode, synchronous=FULL syncs the WAL at every
		// commit, so an acknowledged Update survives a power cut as well as
		// kill -9; NORMAL survives kill -9 (the commit is in the OS's page
		// cache) but may lose the newest commits on power loss. FULL costs
		// an fsync per commit, which group commit shares among all the
		// Updates waiting: with 64 concurrent writers FULL and NORMAL both
		// stored about 3,300 reports (with their audit events) a second on
		// 2 cores. A lone sequential writer is bound by fsync latency
		// instead (about 680 a second on a disk taking 0.6 ms per fsync).
		//
		// temp_store(MEMORY) keeps savepoint sub-journals (one per Update
		// under group commit) in memory rather than in temporary files.
		"_pragma": {"journal_mode(WAL)", "synchronous(FULL)", "temp_store(MEMORY)", "cache_size(-32000)"},
		"_txlock": {"immediate"},
	}))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	write.SetConnMaxIdleTime(0)
	// Create the file and switch it to WAL before any reader opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}

	read, err := sql.Open("sqlite", dsn(path, url.Values{
		"_pragma": {"query_only(1)"},
	}))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	n := max(4, 2*runtime.GOMAXPROCS(0))
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	read.SetConnMaxIdleTime(0)

	db := sqlstore.New(dialect, write, read)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Statistics for the query planner, as SQLite advises for a
	// long-lived connection: at open, analyze the tables whose size has
	// changed much since they last were (all of them the first time), each
	// from a bounded sample so that a large database opens quickly.
	// Without them the planner may read a column's whole index where
	// another would give the page at once.
	if _, err := write.ExecContext(ctx, "PRAGMA analysis_limit=1000; PRAGMA optimize=0x10002"); err != nil { // 0x10002: every table, at open
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: gathering planner statistics: %w", path, err)
	}
	return db, nil
}

// dsn returns modernc.org/sqlite's data source name for path with the
// settings every connection needs plus extra.
func dsn(path string, extra url.Values) string {
	q := url.Values{
		"_pragma":      {"busy_timeout(10000)", "foreign_keys(1)"},
		"_time_format": {"sqlite"}, // "2006-01-02 15:04:05.999999999-07:00", sortable in UTC
	}
	for k, v := range extra {
		q[k] = append(q[k], v...)
	}
	return path + "?" + q.Encode()
}

// classify maps SQLite constraint violations to Haven's error codes.
func classify(err error) string {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return haven.ECONFLICT
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return haven.EINVALID
	}
	return ""
}

// globEscaper escapes GLOB's wildcards by putting each in a character class.
var globEscaper = strings.NewReplacer(`*`, `[*]`, `?`, `[?]`, `[`, `[[]`)

// prefixMatch uses GLOB, which (unlike SQLite's LIKE) is case-sensitive,
// like PostgreSQL's LIKE, and can use the column's index.
func prefixMatch(column, prefix string) (string, any) {
	return column + " GLOB ?", globEscaper.Replace(prefix) + "*"
}
