package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// scopeColumns names the columns of a table that a haven.Resource's fields
// live in. An empty name means the table has no such column and the field is
// always zero (children are never assigned, for instance).
type scopeColumns struct {
	ID, AgencyID, AssignedTo, CreatedBy, State string
}

var (
	reportScope = scopeColumns{ID: "id", AgencyID: "agency_id", AssignedTo: "assigned_to", CreatedBy: "created_by", State: "state"}
	caseScope   = reportScope
	childScope  = scopeColumns{ID: "id", AgencyID: "agency_id", CreatedBy: "created_by", State: "state"}
)

// scopeSQL compiles s into a condition on a table with columns c, with its
// '?' arguments. It agrees exactly with haven.Scope.Match on the record's
// Resource, given that the store keeps a zero id as NULL and an unknown
// state as ”: the zero Scope selects nothing.
func scopeSQL(s haven.Scope, c scopeColumns) (string, []any) {
	if s.All {
		return "1=1", nil
	}
	var (
		ors  []string
		args []any
	)
	for _, conj := range s.Any {
		cond, a, never := conjSQL(conj, c)
		if never {
			continue
		}
		if cond == "" {
			return "1=1", nil // a conjunction without conditions matches every record
		}
		ors = append(ors, cond)
		args = append(args, a...)
	}
	switch len(ors) {
	case 0:
		return "1=0", nil
	case 1:
		return ors[0], args
	}
	return "(" + strings.Join(ors, " OR ") + ")", args
}

// conjSQL compiles one conjunction; never is true when it can match no
// record at all, and cond is "" when it matches every record.
func conjSQL(conj haven.Conj, c scopeColumns) (cond string, args []any, never bool) {
	var ands []string
	eq := func(col string, v int64) bool {
		if v == 0 {
			return true
		}
		if col == "" {
			return false // the field is always zero, never v
		}
		ands = append(ands, col+" = ?")
		args = append(args, v)
		return true
	}
	if !eq(c.AgencyID, conj.AgencyID) || !eq(c.AssignedTo, conj.AssignedTo) ||
		!eq(c.CreatedBy, conj.CreatedBy) || !eq(c.ID, conj.ID) {
		return "", nil, true
	}
	if conj.Unassigned && c.AssignedTo != "" {
		ands = append(ands, c.AssignedTo+" IS NULL")
	}
	if conj.HasStates {
		if c.State == "" {
			if !contains(conj.States, "") {
				return "", nil, true
			}
		} else {
			if len(conj.States) == 0 {
				return "", nil, true
			}
			ands = append(ands, c.State+" IN ("+placeholders(len(conj.States))+")")
			for _, st := range conj.States {
				args = append(args, st)
			}
		}
	}
	if len(ands) == 0 {
		return "", nil, false
	}
	if len(ands) == 1 {
		return ands[0], args, false
	}
	return "(" + strings.Join(ands, " AND ") + ")", args, false
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// placeholders returns "?, ?, …" with n marks.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

// LikeEscaper escapes the LIKE wildcards of a literal, for patterns
// written with ESCAPE '\'.
var LikeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// where builds a WHERE clause from conditions, each with its '?' arguments.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

// eq adds col = v unless v is its type's zero value (a filter left empty).
func eq[T comparable](w *where, col string, v T) {
	var zero T
	if v != zero {
		w.add(col+" = ?", v)
	}
}

// scope adds the scope's condition for a table with columns c.
func (w *where) scope(s haven.Scope, c scopeColumns) {
	cond, args := scopeSQL(s, c)
	w.add(cond, args...)
}

// between adds a half-open time range: from <= col < to, each bound optional.
func (w *where) between(col string, from, to *time.Time) {
	if from != nil {
		w.add(col+" >= ?", timeArg(*from))
	}
	if to != nil {
		w.add(col+" < ?", timeArg(*to))
	}
}

func (w *where) String() string {
	if len(w.conds) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.conds, " AND ")
}

// page returns the LIMIT/OFFSET clause and its arguments; a zero or
// negative limit means no limit.
func page(limit, offset int) (string, []any) {
	switch {
	case limit > 0 && offset > 0:
		return " LIMIT ? OFFSET ?", []any{limit, offset}
	case limit > 0:
		return " LIMIT ?", []any{limit}
	case offset > 0:
		// Both databases need a LIMIT before OFFSET and spell "no limit"
		// differently; the largest int64 works in both.
		return " LIMIT 9223372036854775807 OFFSET ?", []any{offset}
	}
	return "", nil
}

// listing says how to list one kind of record.
type listing[T any] struct {
	table, columns, orderBy string
	scan                    func(scanner) (T, error)
}

// list returns the records of l's table that w selects, in l's order.
func list[T any](ctx context.Context, tx *tx, l listing[T], w *where, limit, offset int) ([]T, error) {
	q, args := w.list(`SELECT `+l.columns+` FROM `+l.table, l.orderBy, limit, offset)
	xs, err := queryAll(ctx, tx, l.scan, q, args...)
	return xs, tx.db.failure("list "+l.table, err, "", "")
}

// countWhere counts the rows of table that w selects.
func (tx *tx) countWhere(ctx context.Context, table string, w *where) (int, error) {
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM `+table+w.String(), w.args...).Scan(&n)
	return n, tx.db.failure("count "+table, err, "", "")
}

// list assembles "SELECT … FROM … WHERE … ORDER BY … LIMIT …" and its arguments.
func (w *where) list(selectFrom, orderBy string, limit, offset int) (string, []any) {
	p, pargs := page(limit, offset)
	args := append(append([]any(nil), w.args...), pargs...)
	return selectFrom + w.String() + " ORDER BY " + orderBy + p, args
}
