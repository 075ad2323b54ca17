package sqlstore

import (
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func TestRebind(t *testing.T) {
	pg := New(Dialect{NumberedParams: true}, nil, nil)
	lite := New(Dialect{}, nil, nil)
	for _, c := range []struct{ in, pg string }{
		{"SELECT 1", "SELECT 1"},
		{"SELECT a FROM t WHERE b = ? AND c IN (?, ?)", "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)"},
		{qUserByID, "SELECT " + userColumns + " FROM users WHERE id = $1"},
	} {
		if got := pg.rebind(c.in); got != c.pg {
			t.Errorf("rebind(%q) for PostgreSQL = %q, want %q", c.in, got, c.pg)
		}
		if got := lite.rebind(c.in); got != c.in {
			t.Errorf("rebind(%q) for SQLite = %q, want it unchanged", c.in, got)
		}
	}
}

func TestScopeSQL(t *testing.T) {
	for _, c := range []struct {
		name  string
		scope haven.Scope
		cols  scopeColumns
		want  string
		args  int
	}{
		{"zero scope", haven.Scope{}, reportScope, "1=0", 0},
		{"all", haven.Scope{All: true}, reportScope, "1=1", 0},
		{"empty conjunction", haven.Scope{Any: []haven.Conj{{CreatedBy: 3}, {}}}, reportScope, "1=1", 0},
		{"unassigned", haven.Scope{Any: []haven.Conj{{Unassigned: true}}}, reportScope, "assigned_to IS NULL", 0},
		{"unassigned without the column", haven.Scope{Any: []haven.Conj{{Unassigned: true}}}, childScope, "1=1", 0},
		{"assigned without the column", haven.Scope{Any: []haven.Conj{{AssignedTo: 7}}}, childScope, "1=0", 0},
		{"no states", haven.Scope{Any: []haven.Conj{{HasStates: true}}}, reportScope, "1=0", 0},
		{"agency in jurisdiction or mine", haven.Scope{Any: []haven.Conj{
			{AgencyID: 2, HasStates: true, States: []string{"CA", "NV"}}, {CreatedBy: 9},
		}}, reportScope, "((agency_id = ? AND state IN (?, ?)) OR created_by = ?)", 4},
	} {
		got, args := scopeSQL(c.scope, c.cols)
		if got != c.want || len(args) != c.args {
			t.Errorf("%s: scopeSQL = %q with %d args, want %q with %d", c.name, got, len(args), c.want, c.args)
		}
	}
}
