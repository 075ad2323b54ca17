package postgres_test

import (
	"context"
	"database/sql"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/storetest"
	"github.com/haven-oss/haven/migrations"
)

// migrationProvider opens a new schema and its migrations.
func migrationProvider(t *testing.T) (string, *sql.DB, *goose.Provider) {
	t.Helper()
	url := pgtest.URL(t)
	db, err := sql.Open("pgx", url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	p, err := goose.NewProvider(goose.DialectPostgres, db, migrations.Postgres, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	return url, db, p
}

func TestAgenciesFromBeforeTheDirectoryKeepTheirJurisdiction(t *testing.T) {
	url, db, p := migrationProvider(t)
	storetest.AgenciesFromBeforeTheDirectory(t, db, p, "2026-01-01 00:00:00+00", func() haven.Store {
		st, err := postgres.Open(context.Background(), url)
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
	url, db, p := migrationProvider(t)
	storetest.NetworkMembersGetTheirTimesOnMigration(t, db, p, func() haven.Store {
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		return st
	})
}
