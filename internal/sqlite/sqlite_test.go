package sqlite_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/sqlite"
	"github.com/haven-oss/haven/internal/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) haven.Store {
		db, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "haven.db"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	})
}
