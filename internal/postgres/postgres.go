// Package postgres opens Haven's store on a PostgreSQL database through pgx
// (github.com/jackc/pgx/v5/stdlib). The store itself is internal/sqlstore.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"runtime"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/sqlstore"
	"github.com/haven-oss/haven/migrations"
)

// dialect describes PostgreSQL to sqlstore; Open adds a migration lock for
// the schema it opens.
var dialect = sqlstore.Dialect{
	Name:           "postgres",
	Goose:          goose.DialectPostgres,
	Migrations:     migrations.Postgres,
	NumberedParams: true,
	AbortsOnError:  true,
	ReadIsolation:  sql.LevelRepeatableRead,
	// pgx prepares and caches each statement per connection by itself.
	PrepareStatements: false,
	Classify:          classify,
	PrefixMatch:       prefixMatch,
}

// Open connects to the database at url (a postgres:// URL or a keyword/value
// string), brings its schema up to date and returns the store. A
// search_path given in the URL (…?search_path=haven) selects the schema the
// tables live in. Close the store when done.
func Open(ctx context.Context, url string) (*sqlstore.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	pool := stdlib.OpenDB(*cfg)
	n := max(8, 4*runtime.GOMAXPROCS(0))
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)

	var schema sql.NullString
	if err := pool.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	if !schema.Valid {
		pool.Close()
		return nil, errors.New("postgres: open: no schema on the search_path exists: create it first")
	}
	// Instances starting together migrate one at a time. The advisory lock
	// is per schema, so that stores in different schemas of one database
	// (tests, several deployments) do not wait for each other.
	h := fnv.New64a()
	h.Write([]byte("haven-migrate:" + schema.String))
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockID(int64(h.Sum64())), lock.WithLockTimeout(1, 600))
	if err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	d := dialect
	d.MigrateOptions = []goose.ProviderOption{goose.WithDisableGlobalRegistry(true), goose.WithSessionLocker(locker)}

	db := sqlstore.New(d, pool, pool)
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	return db, nil
}

// classify maps PostgreSQL constraint violations to Haven's error codes.
func classify(err error) string {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return ""
	}
	switch e.Code {
	case "23505": // unique_violation
		return haven.ECONFLICT
	case "23503": // foreign_key_violation
		return haven.EINVALID
	}
	return ""
}

// prefixMatch uses LIKE, whose default escape character is the backslash;
// the index on audit_events.action is built with text_pattern_ops so that
// it serves the match.
func prefixMatch(column, prefix string) (string, any) {
	return column + " LIKE ?", sqlstore.LikeEscaper.Replace(prefix) + "%"
}
