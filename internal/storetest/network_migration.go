package storetest

import (
	"context"
	"database/sql"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/haven-oss/haven/internal/haven"
)

// NetworkMembersGetTheirTimesOnMigration checks migration 28 (each
// network member's time beside it, for the network's span): on a database
// whose networks were built before it, every member gets its report's time,
// and a network's span is then found from them. p is the provider of db;
// open opens the store on the same database (migrating it to the latest).
func NetworkMembersGetTheirTimesOnMigration(t *testing.T, db *sql.DB, p *goose.Provider, open func() haven.Store) {
	t.Helper()
	ctx := context.Background()
	s := open()
	w := newLinkWorld(t, s)
	w.report("A", 1, "phone:+12025550161")
	w.report("B", 2, "phone:+12025550161", "email:b@example.com")
	w.report("C", 3, "email:b@example.com")
	w.report("D", 4, "handle:x:d")
	w.report("E", 5, "handle:x:d")
	for _, n := range w.names {
		w.link(n, 0)
	}
	w.expectNetworks("before", []string{"A", "B", "C"}, []string{"D", "E"})
	s.Close()
	// Back to before the migration, which drops the times, and up again.
	if _, err := p.DownTo(ctx, 27); err != nil {
		t.Fatal(err)
	}
	if _, err := p.UpTo(ctx, 28); err != nil {
		t.Fatal(err)
	}
	var members, timed int
	if err := db.QueryRowContext(ctx, `SELECT COUNT(*), COUNT(CASE WHEN rn.received_at = r.received_at THEN 1 END)
		FROM report_network rn JOIN reports r ON r.id = rn.report_id`).Scan(&members, &timed); err != nil {
		t.Fatal(err)
	}
	if members != 5 || timed != 5 {
		t.Fatalf("after the migration %d of %d network members carry their report's time, want 5 of 5", timed, members)
	}
	// Excluding the phone takes A, the network's earliest report, out of it:
	// the span of what stays is found from the members' times.
	s = open()
	defer s.Close()
	w.s = s
	w.decide("phone:+12025550161", haven.KeyExcluded, "a shared line")
	w.expectNetworks("the phone excluded", []string{"B", "C"}, []string{"D", "E"})
}
