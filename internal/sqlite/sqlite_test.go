package sqlite_test

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/sqlite"
	"github.com/haven-oss/haven/internal/storetest"
)

func open(t *testing.T, path string) haven.Store {
	t.Helper()
	db, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) haven.Store {
		return open(t, filepath.Join(t.TempDir(), "haven.db"))
	})
}

func TestOpenRefusesAnInMemoryDatabase(t *testing.T) {
	for _, path := range []string{"", ":memory:", "file:x.db?mode=memory"} {
		if db, err := sqlite.Open(context.Background(), path); err == nil {
			db.Close()
			t.Errorf("Open(%q) succeeded", path)
		}
	}
}

func TestReopenKeepsDataAndMigratesOnce(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "haven.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	err = db.Update(ctx, func(tx haven.Tx) error {
		return tx.CreateUser(ctx, &haven.User{Username: "kept", Role: haven.RoleAdmin})
	})
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	db2, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db2.Close()
	if cur, latest, err := db2.SchemaVersion(ctx); err != nil || cur != latest || cur < 1 {
		t.Errorf("SchemaVersion = %d, %d, %v; want the latest, applied", cur, latest, err)
	}
	err = db2.View(ctx, func(tx haven.Tx) error {
		_, err := tx.UserByUsername(ctx, "kept")
		return err
	})
	if err != nil {
		t.Errorf("after reopening: %v", err)
	}
}

// crashEnv makes the test binary, started by TestAcknowledgedWritesSurviveKill,
// write reports to the database it names and acknowledge each on stdout.
const crashEnv = "HAVEN_SQLITE_CRASH_DB"

func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if path := os.Getenv(crashEnv); path != "" {
		writeUntilKilled(path)
		return
	}
	if testing.Short() {
		t.Skip("starts a process and kills it")
	}
	path := filepath.Join(t.TempDir(), "haven.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestAcknowledgedWritesSurviveKill$")
	cmd.Env = append(os.Environ(), crashEnv+"="+path)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	for sc.Scan() && len(acked) < 300 {
		if ref, ok := strings.CutPrefix(sc.Text(), "acked "); ok {
			acked = append(acked, ref)
		}
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = cmd.Wait()
	if len(acked) < 300 {
		t.Fatalf("the writer acknowledged only %d reports before it stopped", len(acked))
	}
	s := open(t, path)
	ctx := context.Background()
	err = s.View(ctx, func(tx haven.Tx) error {
		for _, ref := range acked {
			if _, err := tx.ReportByRef(ctx, ref); err != nil {
				return fmt.Errorf("acknowledged report %s: %w", ref, err)
			}
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
}

// writeUntilKilled stores reports from several goroutines, printing each
// one's ref once Update has returned, until the process is killed.
func writeUntilKilled(path string) {
	ctx := context.Background()
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		fmt.Println("open:", err)
		os.Exit(1)
	}
	var mu sync.Mutex
	for w := 0; w < 8; w++ {
		go func() {
			for i := 0; ; i++ {
				ref := "K-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
				err := db.Update(ctx, func(tx haven.Tx) error {
					return tx.CreateReport(ctx, &haven.Report{Ref: ref, Channel: haven.ChannelESP,
						IncidentType: haven.IncidentCSAM, Narrative: "x", Status: haven.ReportNew})
				})
				if err != nil {
					fmt.Println("update:", err)
					os.Exit(1)
				}
				mu.Lock()
				fmt.Println("acked", ref)
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Minute)
	os.Exit(1)
}

// The planner's statistics are gathered at open and refreshed by Optimize:
// without them SQLite may read a whole index where another gives the page.
func TestOpenAndOptimizeGatherPlannerStatistics(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "haven.db")
	db, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	stats := func() int {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_stat1 WHERE tbl = 'reports'`).Scan(&n); err != nil {
			t.Fatalf("reading the statistics: %v", err)
		}
		return n
	}
	before := stats()
	// Grow the table well past what the statistics describe (none: it was
	// empty), then optimize.
	if _, err := db.SQL().ExecContext(ctx, `INSERT INTO reports (ref, channel, incident_type, received_at, status, created_at, updated_at)
		WITH RECURSIVE s(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM s WHERE i < 1999)
		SELECT 'HV-OPT' || i, 'hotline', 'other', '2026-01-01 00:00:00+00:00', 'new', '2026-01-01 00:00:00+00:00', '2026-01-01 00:00:00+00:00' FROM s`); err != nil {
		t.Fatal(err)
	}
	if err := db.Optimize(ctx); err != nil {
		t.Fatal(err)
	}
	var stat string
	if err := db.SQL().QueryRowContext(ctx, `SELECT stat FROM sqlite_stat1 WHERE idx = 'reports_status_received'`).Scan(&stat); err != nil {
		t.Fatalf("no statistics for reports_status_received after Optimize: %v", err)
	}
	if !strings.HasPrefix(stat, "2000 ") || stats() <= before {
		t.Errorf("reports_status_received statistics %q (%d rows for reports, %d before), want them to count the 2,000 reports", stat, stats(), before)
	}
}
