package bench

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

func TestProbeSeed100k(t *testing.T) {
	ctx := context.Background()
	store, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	db := store.SQL()
	insert := createScratch(&testing.B{}, db, "sqlite")
	sample := sampleReports(100)
	t0 := time.Now()
	for i := 0; i < 2000; i++ {
		tx, _ := db.BeginTx(ctx, nil)
		if _, err := tx.ExecContext(ctx, insert, scratchRow(sample[i%100])...); err != nil {
			t.Fatal(err)
		}
		tx.Commit()
	}
	raw := 2000 / time.Since(t0).Seconds()
	t.Logf("baseline raw insert: %.0f rows/s", raw)
	k, _ := keys.New()
	svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	t0 = time.Now()
	d := demo.Generate(1, 100000, time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC))
	t.Logf("generate: %v", time.Since(t0))
	t0 = time.Now()
	l, err := demo.Load(ctx, svc, d)
	if err != nil {
		t.Fatal(err)
	}
	el := time.Since(t0)
	t.Logf("load: %v (%d children, %d reports, %d cases): %.0f reports/s; ratio %.3f", el, l.Children, l.Reports, l.Cases, 100000/el.Seconds(), 100000/el.Seconds()/raw)
}
