package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

func writeFile(t *testing.T, name, body string) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// countReports counts the reports in the data folder's database.
func countReports(t *testing.T, ev map[string]string) int {
	var sf storeFlags
	sf.dataDir = ev["HAVEN_DATA_DIR"]
	a, err := sf.open(context.Background(), newLogger(env{stderr: os.Stderr}, "text"))
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	var n int
	a.store.View(context.Background(), func(tx haven.Tx) (err error) {
		n, err = tx.CountReports(context.Background(), haven.ReportFilter{Scope: haven.Scope{All: true}})
		return err
	})
	return n
}

func csvRows(n int) string {
	var b strings.Builder
	b.WriteString("incident_type,received_at,narrative,state,child_first_name,child_age,identifiers\n")
	for i := 0; i < n; i++ {
		fmt.Fprintf(&b, "child_sex_trafficking,2024-03-01T14:%02d:00Z,\"Synthetic imported report %d: a girl seen with an older man.\",TX,Demo%d,15,phone=+1202555%04d\n", i%60, i, i, 100+i%100)
	}
	return b.String()
}

func TestImportRefusesAFileWithBadRowsNamingEachAndWritesNothing(t *testing.T) {
	ev := dataEnv(t)
	body := csvRows(3) + "child_sex_trafficking,yesterday,bad time,TX,,,\nchild_sex_trafficking,2024-03-01T00:00:00Z,bad state,ZZ,,,\n"
	r := runHaven(t, ev, "", "import", "--format", "csv", writeFile(t, "in.csv", body))
	if r.code == nil {
		t.Fatal("a file with bad rows was imported")
	}
	for _, want := range []string{"line 5: received_at:", "line 6: ", "ZZ", "2 of 5 rows need fixing; nothing was imported"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("report lacks %q:\n%s", want, r.out)
		}
	}
	if n := countReports(t, ev); n != 0 {
		t.Fatalf("%d reports written by a refused import", n)
	}
}

func TestImportDryRunWritesNothingAndARealRunLandsInBatchesOnce(t *testing.T) {
	ev := dataEnv(t)
	file := writeFile(t, "in.csv", csvRows(25))
	r := runHaven(t, ev, "", "import", "--format", "csv", "--dry-run", file)
	if r.code != nil || !strings.Contains(r.out, "all 25 rows are valid") {
		t.Fatalf("dry run: %q %v", r.out, r.code)
	}
	if n := countReports(t, ev); n != 0 {
		t.Fatalf("dry run wrote %d reports", n)
	}
	r = runHaven(t, ev, "", "import", "--format", "csv", "--batch-size", "10", file)
	if r.code != nil || !strings.Contains(r.out, "imported 25 reports") {
		t.Fatalf("import: %q %v", r.out, r.code)
	}
	// The same file again: every batch landed already; nothing is duplicated.
	r = runHaven(t, ev, "", "import", "--format", "csv", "--batch-size", "10", file)
	if r.code != nil || !strings.Contains(r.out, "imported 0 reports (25 skipped") {
		t.Fatalf("re-run: %q %v", r.out, r.code)
	}
	if n := countReports(t, ev); n != 25 {
		t.Fatalf("%d reports after two runs, want 25", n)
	}
}

func TestImportJSONLines(t *testing.T) {
	ev := dataEnv(t)
	body := `{"incident_type":"online_enticement","narrative":"An adult asked a 13-year-old to meet after school.","state":"CA","identifiers":[{"kind":"email","value":"someone@example.com"}]}
{"incident_type":"missing_child","missing_type":"endangered_runaway","narrative":"Left a group home at night.","state":"OK","people":[{"role":"child","first_name":"Maya","age":16}]}
`
	r := runHaven(t, ev, "", "import", "--format", "jsonl", writeFile(t, "in.jsonl", body))
	if r.code != nil || !strings.Contains(r.out, "imported 2 reports") {
		t.Fatalf("jsonl import: %q %v", r.out, r.code)
	}
	if r := runHaven(t, ev, "", "import", "--format", "xml", writeFile(t, "x", "")); r.code == nil || !strings.Contains(describe(r.code), "csv or --format jsonl") {
		t.Fatalf("unknown format: %v", r.code)
	}
}
