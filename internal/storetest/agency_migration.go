package storetest

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/haven-oss/haven/internal/haven"
)

// AgenciesFromBeforeTheDirectory checks migration 00024 on a database of
// either dialect: db is migrated by p up to 00023, agencies are written as
// before the directory (created_at given as ts, in the dialect's text
// form), and the store that open returns (which migrates the rest of the
// way) must let routing and authorisation see each as before: a states
// list covers those states, a home state alone covers it, and a federal
// agency or one without a home state is nationwide.
func AgenciesFromBeforeTheDirectory(t *testing.T, db *sql.DB, p *goose.Provider, ts string, open func() haven.Store) {
	t.Helper()
	ctx := context.Background()
	if _, err := p.UpTo(ctx, 23); err != nil {
		t.Fatal(err)
	}
	q := `INSERT INTO agencies (name, kind, level, state, states, phone_24x7, email, created_at) VALUES
		('Task Force', 'task_force', 'state', 'OK', '["OK","TX","OK"]', '', 'tf@example.com', 'TS'),
		('City Police', 'law_enforcement', 'local', 'TX', '[]', '512-555-0100', '', 'TS'),
		('Federal Bureau', 'law_enforcement', 'federal', 'DC', '[]', '202-555-0100', '', 'TS'),
		('Clearinghouse', 'clearinghouse', 'private', '', '[]', '', 'hotline@example.com', 'TS')`
	if _, err := db.ExecContext(ctx, strings.ReplaceAll(q, "TS", ts)); err != nil {
		t.Fatal(err)
	}
	db.Close()
	st := open()
	defer st.Close()
	got := map[string]string{}
	err := st.View(ctx, func(tx haven.Tx) error {
		cov, err := tx.AgenciesCovering(ctx, haven.CoverageQuery{State: "TX"})
		for _, c := range cov {
			got[c.Agency.Name] = string(c.Match) + " " + strings.Join(c.Agency.Jurisdiction(), ",")
			if !c.Agency.UpdatedAt.Equal(c.Agency.CreatedAt) || c.Agency.Inactive {
				t.Errorf("%s: updated %v, created %v, inactive %v", c.Agency.Name, c.Agency.UpdatedAt, c.Agency.CreatedAt, c.Agency.Inactive)
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Task Force": "state OK,TX", "City Police": "state TX", "Federal Bureau": "nationwide ", "Clearinghouse": "nationwide "}
	for name, w := range want {
		if got[name] != w {
			t.Errorf("%s: %q, want %q", name, got[name], w)
		}
	}
	if len(got) != len(want) {
		t.Errorf("covering TX: %v", got)
	}
}

// MigrationGoesDownAndUpAgain checks a migration's Down: p goes up to
// version, down to the one before, and up again.
func MigrationGoesDownAndUpAgain(t *testing.T, p *goose.Provider, version int64) {
	t.Helper()
	ctx := context.Background()
	for _, step := range []func() error{
		func() error { _, err := p.UpTo(ctx, version); return err },
		func() error { _, err := p.DownTo(ctx, version-1); return err },
		func() error { _, err := p.UpTo(ctx, version); return err },
	} {
		if err := step(); err != nil {
			t.Fatal(err)
		}
	}
}
