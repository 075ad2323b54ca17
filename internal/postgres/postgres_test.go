package postgres_test

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/storetest"
)

func TestStore(t *testing.T) {
	pgtest.BaseURL(t) // skip the whole suite, loudly, without PostgreSQL
	storetest.Run(t, func(t *testing.T) haven.Store {
		db, err := postgres.Open(context.Background(), pgtest.URL(t))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
