// Package febrldata finds the public FEBRL person-record files that the
// person-matching tests and benchmarks score against, for every package
// that uses them.
package febrldata

import (
	"os"
	"path/filepath"
	"testing"
)

// Dir returns the folder holding dataset1.csv, dataset2.csv and
// dataset3.csv: $HAVEN_FEBRL_DIR, else shared/data/febrl beside the
// repository (found by walking up from the working directory). When the
// data is absent it skips t loudly, or fails it when HAVEN_REQUIRE_FEBRL=1
// (as in CI). A HAVEN_FEBRL_DIR without the files fails t.
func Dir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("HAVEN_FEBRL_DIR"); d != "" {
		if _, err := os.Stat(filepath.Join(d, "dataset1.csv")); err != nil {
			t.Fatalf("HAVEN_FEBRL_DIR=%s has no dataset1.csv: %v", d, err)
		}
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		cand := filepath.Join(dir, "shared", "data", "febrl")
		if _, err := os.Stat(filepath.Join(cand, "dataset1.csv")); err == nil {
			return cand
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			break
		}
		dir = parent
	}
	msg := "\n\n*** FEBRL DATA NOT FOUND: person matching NOT TESTED on it. ***\n" +
		"*** Set HAVEN_FEBRL_DIR or put shared/data/febrl beside the repository. ***\n\n"
	if os.Getenv("HAVEN_REQUIRE_FEBRL") == "1" {
		t.Fatal(msg + "HAVEN_REQUIRE_FEBRL=1: the data is required.")
	}
	t.Skip(msg)
	return ""
}
