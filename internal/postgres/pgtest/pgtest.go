// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema in the database named by HAVEN_TEST_POSTGRES, dropped when the test
// ends. Tests that need PostgreSQL skip, loudly, when the variable is unset.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvVar names the environment variable holding the test database's URL,
// e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const EnvVar = "HAVEN_TEST_POSTGRES"

// BaseURL returns the test database's URL. When HAVEN_TEST_POSTGRES is
// unset, it skips t with a loud message, or fails it when the CI
// environment variable is set: CI must test PostgreSQL.
func BaseURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(EnvVar)
	if base == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not set, and CI must run the PostgreSQL tests.", EnvVar)
		}
		t.Skipf("SKIPPING: %s is not set, so this PostgreSQL test did not run. "+
			"Set it to a database this test may create schemas in, e.g. "+
			"%s='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' (CI must set it).", EnvVar, EnvVar)
	}
	return base
}

// URL creates a fresh schema in the test database and returns a URL whose
// search_path selects it, so that tests running in parallel, in one package
// or several, never see each other's tables. The schema is dropped when t
// ends (after cleanups registered later, such as closing a store, have run).
// Without HAVEN_TEST_POSTGRES, URL skips t as BaseURL does.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL(t)
	var b [8]byte
	_, _ = rand.Read(b[:])
	schema := "haven_test_" + hex.EncodeToString(b[:])

	exec := func(stmt string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			return fmt.Errorf("connect to %s: %w", EnvVar, err)
		}
		defer conn.Close(ctx)
		_, err = conn.Exec(ctx, stmt)
		return err
	}
	if err := exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() {
		if err := exec("DROP SCHEMA " + schema + " CASCADE"); err != nil {
			t.Errorf("pgtest: drop schema %s: %v", schema, err)
		}
	})
	u, err := WithSearchPath(base, schema)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	return u
}

// WithSearchPath returns the connection string conn (a URL or keyword/value
// string) with its search_path set to schema.
func WithSearchPath(conn, schema string) (string, error) {
	if !strings.Contains(conn, "://") {
		return conn + " search_path=" + schema, nil
	}
	u, err := url.Parse(conn)
	if err != nil {
		return "", fmt.Errorf("parse %s: %w", EnvVar, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), nil
}
