package sqlite_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/pressly/goose/v3"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/sqlite"
	"github.com/haven-oss/haven/internal/storetest"
	"github.com/haven-oss/haven/migrations"
)

// migrationProvider opens a new database file and its migrations.
func migrationProvider(t *testing.T) (string, *sql.DB, *goose.Provider) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "haven.db")
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectSQLite3, db, migrations.SQLite, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return path, db, p
}

func TestAgenciesFromBeforeTheDirectoryKeepTheirJurisdiction(t *testing.T) {
	path, db, p := migrationProvider(t)
	storetest.AgenciesFromBeforeTheDirectory(t, db, p, "2026-01-01 00:00:00", func() haven.Store {
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}

func TestTheDirectoryMigrationGoesDownAndUpAgain(t *testing.T) {
	_, _, p := migrationProvider(t)
	storetest.MigrationGoesDownAndUpAgain(t, p, 24)
}

func TestNetworkMembersGetTheirTimesOnMigration(t *testing.T) {
	path, db, p := migrationProvider(t)
	storetest.NetworkMembersGetTheirTimesOnMigration(t, db, p, func() haven.Store {
		st, err := sqlite.Open(context.Background(), path)
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
