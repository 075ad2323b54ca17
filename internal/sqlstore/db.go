// Package sqlstore implements haven.Store once, on database/sql, for both
// SQLite and PostgreSQL. What differs between the two databases (placeholder
// syntax, error codes, prefix matching, migrations) is described by a Dialect,
// which internal/sqlite and internal/postgres fill in when they open a
// database.
//
// Queries are written once, with '?' placeholders, and rebound to $1, $2 …
// for PostgreSQL. Authorisation scopes are compiled into WHERE clauses by
// scopeSQL, which must agree with haven.Scope.Match (the store contract suite
// in internal/storetest checks that it does).
package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pressly/goose/v3"

	"github.com/haven-oss/haven/internal/haven"
)

// Dialect is what differs between the databases sqlstore runs on.
type Dialect struct {
	// Name is what Store.Dialect returns: "sqlite" or "postgres".
	Name string
	// Optimize refreshes the query planner's statistics where the database
	// does not do it by itself ("" where it does: PostgreSQL's autovacuum).
	Optimize string
	// Goose is the goose dialect of Migrations.
	Goose goose.Dialect
	// Migrations holds the dialect's goose SQL migrations.
	Migrations fs.FS
	// MigrateOptions are extra goose provider options (e.g. a session locker).
	MigrateOptions []goose.ProviderOption
	// NumberedParams is true when placeholders are $1, $2 … rather than ?.
	NumberedParams bool
	// PrepareStatements makes the store prepare its fixed statements once
	// per connection and reuse them. Worth it for drivers without their own
	// statement cache (modernc.org/sqlite); pgx caches statements itself.
	PrepareStatements bool
	// SequentialIDs is true when LastInsertId gives the id of the row an
	// INSERT stored, and the rows of one multi-row INSERT get consecutive
	// ids in the order of VALUES (SQLite, whose writer is alone): the store
	// then inserts without RETURNING, which costs SQLite a temporary table.
	// Otherwise it uses RETURNING.
	SequentialIDs bool
	// GroupCommit makes concurrent Updates share transactions, each under a
	// savepoint (see writer.go): for databases with a single writer.
	GroupCommit bool
	// AbortsOnError is true when a failed statement aborts the whole
	// transaction (PostgreSQL), so that statements whose failure a caller may
	// want to survive run under a savepoint.
	AbortsOnError bool
	// ReadIsolation is the isolation of View transactions: every read in
	// one View must see one snapshot (the audit check reads the chain and
	// its head; a home page counts several lists). SQLite's read
	// transactions are snapshots already; PostgreSQL needs REPEATABLE READ.
	ReadIsolation sql.IsolationLevel
	// Classify returns haven.ECONFLICT for a unique-key violation,
	// haven.EINVALID for a foreign-key violation and "" for anything else.
	Classify func(err error) string
	// PrefixMatch returns a condition true when column starts with prefix,
	// with its one '?' argument; the prefix is matched literally.
	PrefixMatch func(column, prefix string) (cond string, arg any)
}

// DB is a Haven store on one database: it implements haven.Store.
//
// Read-write transactions (Update) run on the write pool and read-only ones
// (View) on the read pool; the two are the same pool on PostgreSQL. On SQLite
// the write pool has a single connection, so writers queue in Go rather
// than spin on SQLITE_BUSY. Do not call Update from inside Update.
type DB struct {
	d     Dialect
	write *sql.DB
	read  *sql.DB

	// rebound maps each registered query to its dialect form.
	rebound map[string]string

	writeStmts, readStmts stmtCache

	// The group-commit writer (nil channels without group commit).
	writes     chan *writeReq
	quit       chan struct{}
	writerDone chan struct{}
	closeOnce  sync.Once
}

// stmtCache holds one pool's prepared statements. Each pool has its own lock
// so that preparing on one pool never waits for a transaction on the other.
type stmtCache struct {
	mu sync.Mutex
	m  map[string]*sql.Stmt // nil until prepared
}

var _ haven.Store = (*DB)(nil)

// New returns a store on the given pools, which must already be configured
// for d (pragmas, pool sizes). read may be write. New does not touch the
// database: call Migrate before use.
func New(d Dialect, write, read *sql.DB) *DB {
	if read == nil {
		read = write
	}
	db := &DB{d: d, write: write, read: read}
	db.rebound = make(map[string]string, len(registry))
	for _, q := range registry {
		db.rebound[q] = db.rebind(q)
	}
	if d.GroupCommit {
		db.startWriter()
	}
	return db
}

// SQL returns the database's write pool, for tools and benchmarks that need
// raw SQL (placeholders in the dialect's own syntax). Writing through it
// bypasses the audit log and every check the store makes.
func (db *DB) SQL() *sql.DB { return db.write }

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.Name }

// Optimize refreshes the query planner's statistics of the tables that
// changed much since they were last gathered (Dialect.Optimize); the
// server runs it periodically. It does nothing where the database keeps
// its statistics itself.
func (db *DB) Optimize(ctx context.Context) error {
	if db.d.Optimize == "" {
		return nil
	}
	_, err := db.write.ExecContext(ctx, db.d.Optimize)
	return err
}

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.read.PingContext(ctx); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// Close waits for the Updates in progress and closes the pools.
func (db *DB) Close() error {
	db.stopWriter()
	for _, c := range []*stmtCache{&db.writeStmts, &db.readStmts} {
		c.mu.Lock()
		for _, s := range c.m {
			s.Close()
		}
		c.m = nil
		c.mu.Unlock()
	}
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	if err != nil {
		return fmt.Errorf("sqlstore: close: %w", err)
	}
	return nil
}

// Update runs fn in a read-write transaction and commits it when fn returns
// nil; otherwise it rolls back and returns fn's error unchanged. With group
// commit, fn runs on the writer's goroutine while the caller waits.
func (db *DB) Update(ctx context.Context, fn func(haven.Tx) error) error {
	if db.writes != nil {
		return db.updateGrouped(ctx, fn)
	}
	return db.run(ctx, db.write, &db.writeStmts, nil, fn)
}

// View runs fn in a read-only transaction.
func (db *DB) View(ctx context.Context, fn func(haven.Tx) error) error {
	return db.run(ctx, db.read, &db.readStmts, &sql.TxOptions{ReadOnly: true, Isolation: db.d.ReadIsolation}, fn)
}

func (db *DB) run(ctx context.Context, pool *sql.DB, cache *stmtCache, opts *sql.TxOptions, fn func(haven.Tx) error) error {
	stmts, err := db.statements(ctx, pool, cache)
	if err != nil {
		return err
	}
	stx, err := pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("sqlstore: begin: %w", err)
	}
	t := &tx{db: db, stx: stx, prepared: stmts, now: time.Now().UTC().Truncate(time.Microsecond)}
	committed := false
	defer func() {
		if !committed {
			_ = stx.Rollback()
		}
	}()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.flushAudit(ctx); err != nil {
		return err
	}
	if err := stx.Commit(); err != nil {
		return fmt.Errorf("sqlstore: commit: %w", err)
	}
	committed = true
	return nil
}

// statements returns the pool's prepared statements, preparing them on the
// first call. They are prepared before a transaction takes a connection:
// preparing on a pool from inside a transaction could wait forever for a
// connection the transaction itself holds.
func (db *DB) statements(ctx context.Context, pool *sql.DB, cache *stmtCache) (map[string]*sql.Stmt, error) {
	if !db.d.PrepareStatements {
		return nil, nil
	}
	cache.mu.Lock()
	defer cache.mu.Unlock()
	if cache.m != nil {
		return cache.m, nil
	}
	m := make(map[string]*sql.Stmt, len(registry))
	for _, q := range registry {
		s, err := pool.PrepareContext(ctx, db.rebound[q])
		if err != nil {
			for _, s := range m {
				s.Close()
			}
			return nil, fmt.Errorf("sqlstore: prepare %q: %w", firstLine(q), err)
		}
		m[q] = s
	}
	cache.m = m
	return m, nil
}

// registry holds the store's fixed queries, registered at package
// initialisation by query, so that each is rebound once and, where the
// dialect wants it, prepared once per connection.
var registry []string

// query registers a fixed query and returns it.
func query(q string) string {
	registry = append(registry, q)
	return q
}

// rebind turns '?' placeholders into the dialect's. Queries never contain a
// literal '?'.
func (db *DB) rebind(q string) string {
	if !db.d.NumberedParams || !strings.Contains(q, "?") {
		return q
	}
	if r, ok := db.rebound[q]; ok {
		return r
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func firstLine(q string) string {
	q = strings.TrimSpace(q)
	if i := strings.IndexByte(q, '\n'); i >= 0 {
		return q[:i] + " …"
	}
	return q
}
