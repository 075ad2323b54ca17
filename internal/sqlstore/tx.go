package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// tx is one transaction; it implements haven.Tx, whose doc comments give
// each method's contract.
type tx struct {
	db  *DB
	stx *sql.Tx
	// prepared is the pool's prepared statements (nil when the dialect does
	// not prepare); bound holds those already bound to this transaction.
	prepared map[string]*sql.Stmt
	bound    map[*sql.Stmt]*sql.Stmt
	// now is the transaction's time: every timestamp it writes.
	now time.Time
	// auditQueue holds the audit events appended and not yet flushed
	// (audit.go); head is the chain head of a group-commit batch (nil
	// outside group commit).
	auditQueue []pendingAudit
	head       *auditHead
	// locked are the networks the current network phase of a link holds,
	// as their locks returned them (links.go).
	locked map[int64]*haven.Network
}

var _ haven.Tx = (*tx)(nil)

// stmt returns the transaction's prepared statement for q, or nil.
func (tx *tx) stmt(ctx context.Context, q string) *sql.Stmt {
	s := tx.prepared[q]
	if s == nil {
		return nil
	}
	if b := tx.bound[s]; b != nil {
		return b
	}
	if tx.bound == nil {
		tx.bound = make(map[*sql.Stmt]*sql.Stmt)
	}
	b := tx.stx.StmtContext(ctx, s)
	tx.bound[s] = b
	return b
}

func (tx *tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if s := tx.stmt(ctx, q); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return tx.stx.ExecContext(ctx, tx.db.rebind(q), args...)
}

func (tx *tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return tx.stx.QueryContext(ctx, tx.db.rebind(q), args...)
}

func (tx *tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	if s := tx.stmt(ctx, q); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return tx.stx.QueryRowContext(ctx, tx.db.rebind(q), args...)
}

// execOne runs an UPDATE or DELETE of one row by key; no row is ENOTFOUND.
func (tx *tx) execOne(ctx context.Context, q string, args ...any) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return sql.ErrNoRows
	}
	return nil
}

// errTaken is what insert returns when an INSERT … ON CONFLICT DO NOTHING
// inserted nothing because a unique key was taken. Inserting that way,
// rather than failing on the constraint, leaves a PostgreSQL transaction
// usable, as it is on SQLite, so a caller can handle the conflict and go on.
var errTaken = errors.New("unique key taken")

// returningID maps each insertQuery to its "… RETURNING id" form.
var returningID = map[string]string{}

// insertQuery registers q, an INSERT of one row ending in ON CONFLICT DO
// NOTHING, and its RETURNING id form, for insert.
func insertQuery(q string) string {
	returningID[q] = query(q + " RETURNING id")
	return query(q)
}

// insert runs an insertQuery and returns the new row's id, or errTaken.
// Where ids are sequential (SQLite), the last insert id gives it without
// RETURNING, which costs SQLite a temporary table.
func (tx *tx) insert(ctx context.Context, q string, args ...any) (int64, error) {
	if !tx.db.d.SequentialIDs {
		var id int64
		err := tx.queryRow(ctx, returningID[q], args...).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return 0, errTaken
		}
		return id, err
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return 0, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return 0, errors.Join(errTaken, err)
	}
	return res.LastInsertId()
}

// guard runs fn under a savepoint where a failed statement would abort the
// transaction, so that a caller may handle fn's error and go on.
func (tx *tx) guard(ctx context.Context, fn func() error) error {
	if !tx.db.d.AbortsOnError {
		return fn()
	}
	if _, err := tx.stx.ExecContext(ctx, "SAVEPOINT haven_guard"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		if _, rerr := tx.stx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT haven_guard"); rerr != nil {
			return errors.Join(err, rerr)
		}
		return err
	}
	_, err := tx.stx.ExecContext(ctx, "RELEASE SAVEPOINT haven_guard")
	return err
}

// queryAll runs q and scans every row with scan.
func queryAll[T any](ctx context.Context, tx *tx, scan func(scanner) (T, error), q string, args ...any) ([]T, error) {
	var out []T
	err := queryEach(ctx, tx, q, args, func(s scanner) error {
		v, err := scan(s)
		out = append(out, v)
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// queryEach runs a query and calls fn with each row, stopping at its
// first error.
func queryEach(ctx context.Context, tx *tx, q string, args []any, fn func(scanner) error) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// scanner is a *sql.Row or *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// failure turns a database error into the store's: sql.ErrNoRows becomes
// ENOTFOUND with notFound as its message, a unique-key violation ECONFLICT
// with conflict as its message, a foreign-key violation EINVALID; the
// original error stays in the chain for the log. op says where it happened.
func (db *DB) failure(op string, err error, notFound, conflict string) error {
	if err == nil {
		return nil
	}
	var herr *haven.Error
	switch {
	case errors.As(err, &herr):
		return fmt.Errorf("sqlstore: %s: %w", op, err)
	case errors.Is(err, errTaken):
		if conflict == "" {
			conflict = "the record already exists"
		}
		return fmt.Errorf("sqlstore: %s: %w", op, haven.Errorf(haven.ECONFLICT, "%s", conflict))
	case errors.Is(err, sql.ErrNoRows):
		if notFound == "" {
			notFound = "not found"
		}
		return fmt.Errorf("sqlstore: %s: %w", op, haven.Errorf(haven.ENOTFOUND, "%s", notFound))
	}
	switch db.d.Classify(err) {
	case haven.ECONFLICT:
		if conflict == "" {
			conflict = "the record already exists"
		}
		return fmt.Errorf("sqlstore: %s: %w: %w", op, haven.Errorf(haven.ECONFLICT, "%s", conflict), err)
	case haven.EINVALID:
		return fmt.Errorf("sqlstore: %s: %w: %w", op, haven.Errorf(haven.EINVALID, "it refers to a record that does not exist"), err)
	}
	return fmt.Errorf("sqlstore: %s: %w", op, err)
}

// Arguments. A zero id (nobody, no agency) is stored as NULL; times are
// stored in UTC with the microsecond precision both databases keep, so what
// is read back equals what was written.

func idArg(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func timeArg(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

func timePtrArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timeArg(*t)
}

// ptrArg binds a nil pointer as NULL and any other as its value.
func ptrArg[T any](p *T) any {
	if p == nil {
		return nil
	}
	return *p
}

// bytesArg never binds NULL: a nil slice is an empty one.
func bytesArg(b []byte) []byte {
	if b == nil {
		return []byte{}
	}
	return b
}

// listArg encodes a list of strings as a JSON array ("[]" when empty).
func listArg(l []string) string {
	if len(l) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(l) // a []string always marshals
	return string(b)
}

// stamp returns t in the stored precision, or now when t is zero.
func stamp(t, now time.Time) time.Time {
	if t.IsZero() {
		return now
	}
	return timeArg(t)
}

// Scan targets: the counterparts of the arguments above.

// idCol scans a nullable id into an int64, NULL being 0.
type idCol struct{ p *int64 }

func (c idCol) Scan(src any) error {
	var n sql.NullInt64
	if err := n.Scan(src); err != nil {
		return err
	}
	*c.p = n.Int64
	return nil
}

// timeCol scans a time in UTC.
type timeCol struct{ p *time.Time }

func (c timeCol) Scan(src any) error {
	var t sql.NullTime
	if err := t.Scan(src); err != nil {
		return err
	}
	if !t.Valid {
		return errors.New("unexpected NULL time")
	}
	*c.p = t.Time.UTC()
	return nil
}

// timePtrCol scans a nullable time in UTC.
type timePtrCol struct{ p **time.Time }

func (c timePtrCol) Scan(src any) error {
	var t sql.NullTime
	if err := t.Scan(src); err != nil {
		return err
	}
	*c.p = nil
	if t.Valid {
		u := t.Time.UTC()
		*c.p = &u
	}
	return nil
}

// ptrCol scans a nullable value into a pointer, NULL being nil.
type ptrCol[T any] struct{ p **T }

func (c ptrCol[T]) Scan(src any) error {
	var n sql.Null[T]
	if err := n.Scan(src); err != nil {
		return err
	}
	*c.p = nil
	if n.Valid {
		*c.p = &n.V
	}
	return nil
}

// bytesCol scans bytes, an empty value or NULL being nil.
type bytesCol struct{ p *[]byte }

func (c bytesCol) Scan(src any) error {
	*c.p = nil
	switch v := src.(type) {
	case nil:
	case []byte:
		if len(v) > 0 {
			*c.p = append([]byte(nil), v...)
		}
	case string:
		if v != "" {
			*c.p = []byte(v)
		}
	default:
		return fmt.Errorf("cannot scan %T into bytes", src)
	}
	return nil
}

// listCol scans a JSON array of strings, an empty one being nil.
type listCol struct{ p *[]string }

func (c listCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("cannot scan %T into a list", src)
	}
	*c.p = nil
	if len(b) == 0 || string(b) == "[]" {
		return nil
	}
	return json.Unmarshal(b, c.p)
}

// keyString renders a grouping key as CountReportsBy returns it.
func keyString(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case []byte:
		return string(v)
	case string:
		return v
	}
	return fmt.Sprint(v)
}

// rowsPerInsert is the most rows one multi-row INSERT carries. Longer lists
// go in several statements, so that each table has a few fixed statement
// shapes to prepare rather than one per list length.
const rowsPerInsert = 8

// multiInsert is an INSERT of 1 … rowsPerInsert rows of width columns each.
type multiInsert struct {
	plain     [rowsPerInsert + 1]string // by number of rows
	returning [rowsPerInsert + 1]string // … RETURNING pos, id; empty without ids
	width     int
}

// newMultiInsert registers the INSERT statements "head VALUES (…), …",
// and when withIDs their "… RETURNING pos, id" forms.
func newMultiInsert(head string, width int, withIDs bool) *multiInsert {
	m := &multiInsert{width: width}
	row := "(" + placeholders(width) + ")"
	m.plain = newMultiStatement(head, row, "")
	if withIDs {
		m.returning = newMultiStatement(head, row, "RETURNING pos, id")
	}
	return m
}

// newMultiStatement registers the statements "head VALUES row, … tail" of
// 1 … rowsPerInsert rows, indexed by their number of rows.
func newMultiStatement(head, row, tail string) (qs [rowsPerInsert + 1]string) {
	for n := 1; n <= rowsPerInsert; n++ {
		q := head + " VALUES " + strings.Repeat(row+", ", n-1) + row
		if tail != "" {
			q += " " + tail
		}
		qs[n] = query(q)
	}
	return qs
}

// newInList registers the statements "head ?, … tail" with 1 …
// rowsPerInsert placeholders, indexed by their number: an IN list.
func newInList(head, tail string) (qs [rowsPerInsert + 1]string) {
	for n := 1; n <= rowsPerInsert; n++ {
		qs[n] = query(head + placeholders(n) + tail)
	}
	return qs
}

// insertRows inserts n rows with m; appendRow appends row i's arguments.
// When setID is not nil, it receives each row's new id.
func (tx *tx) insertRows(ctx context.Context, m *multiInsert, n int, appendRow func(args []any, i int) []any, setID func(i int, id int64)) error {
	var args []any
	for start := 0; start < n; start += rowsPerInsert {
		end := min(start+rowsPerInsert, n)
		if args == nil {
			args = make([]any, 0, (end-start)*m.width)
		}
		args = args[:0]
		for i := start; i < end; i++ {
			args = appendRow(args, i)
		}
		var err error
		switch {
		case setID == nil:
			_, err = tx.exec(ctx, m.plain[end-start], args...)
		case tx.db.d.SequentialIDs:
			err = tx.sequentialIDs(ctx, m.plain[end-start], args, start, end, setID)
		default:
			err = tx.returnIDs(ctx, m.returning[end-start], args, n, setID)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// sequentialIDs runs a multi-row INSERT of rows start … end-1 where the
// database numbers the rows one after the other: the last row's id is the
// last insert id.
func (tx *tx) sequentialIDs(ctx context.Context, q string, args []any, start, end int, setID func(i int, id int64)) error {
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return err
	}
	last, err := res.LastInsertId()
	if err != nil {
		return err
	}
	for i := start; i < end; i++ {
		setID(i, last-int64(end-1-i))
	}
	return nil
}

// returnIDs runs an INSERT … RETURNING pos, id and hands each pair to setID.
// The order of RETURNING rows is not guaranteed, hence the pos.
func (tx *tx) returnIDs(ctx context.Context, q string, args []any, n int, setID func(i int, id int64)) error {
	return tx.queryPairs(ctx, q, args, func(pos, id int64) error {
		if pos < 0 || pos >= int64(n) {
			return fmt.Errorf("insert returned position %d of %d rows", pos, n)
		}
		setID(int(pos), id)
		return nil
	})
}

// queryPairs runs a query returning two integer columns and calls fn for
// each row.
func (tx *tx) queryPairs(ctx context.Context, q string, args []any, fn func(a, b int64) error) error {
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var a, b int64
		if err := rows.Scan(&a, &b); err != nil {
			return err
		}
		if err := fn(a, b); err != nil {
			return err
		}
	}
	return rows.Err()
}
