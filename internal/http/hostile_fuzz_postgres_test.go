package http_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
)

// TestFuzzCorporaOnPostgres replays every seed and every committed corpus
// file of the HTTP fuzz targets over the JSON API (hostile_fuzz_test.go)
// and of FuzzWebForm over a server on PostgreSQL, through the same checks:
// the fuzzers run on SQLite only, and PostgreSQL refuses what SQLite keeps
// (a NUL character, bytes that are not UTF-8). Skipped loudly without
// HAVEN_TEST_POSTGRES.
func TestFuzzCorporaOnPostgres(t *testing.T) {
	pgtest.BaseURL(t)
	names := make([]string, 0, len(fuzzTargets))
	for name := range fuzzTargets {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		t.Run(name, func(t *testing.T) {
			st, err := postgres.Open(context.Background(), pgtest.URL(t))
			if err != nil {
				t.Fatalf("open store: %v", err)
			}
			t.Cleanup(func() { st.Close() })
			tg := fuzzTargets[name](newFuzzServerOn(t, st, st.SQL()))
			inputs := tg.seeds
			files, err := filepath.Glob(filepath.Join("testdata", "fuzz", name, "*"))
			if err != nil {
				t.Fatal(err)
			}
			for _, file := range files {
				vals, err := readCorpusFile(file)
				if err != nil {
					t.Fatalf("%s: %v", file, err)
				}
				inputs = append(inputs, vals)
			}
			if len(inputs) == 0 {
				t.Fatal("nothing to replay")
			}
			run := reflect.ValueOf(tg.run)
			for i, in := range inputs {
				label := fmt.Sprintf("seed#%d", i)
				if i >= len(tg.seeds) {
					label = filepath.Base(files[i-len(tg.seeds)])
				}
				t.Run(label, func(t *testing.T) {
					args := []reflect.Value{reflect.ValueOf(t)}
					for _, v := range in {
						args = append(args, reflect.ValueOf(v))
					}
					run.Call(args)
				})
			}
			t.Logf("%d seeds and %d corpus files replayed on PostgreSQL", len(tg.seeds), len(files))
		})
	}
}

// readCorpusFile reads a file of Go's fuzz corpus ("go test fuzz v1", then
// one typed value a line) holding the types the targets take.
func readCorpusFile(path string) ([]any, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	body, ok := strings.CutPrefix(string(b), "go test fuzz v1\n")
	if !ok {
		return nil, fmt.Errorf("not a go test fuzz v1 file")
	}
	var vals []any
	for _, line := range strings.Split(strings.TrimSpace(body), "\n") {
		typ, lit, ok := strings.Cut(line, "(")
		lit, ok2 := strings.CutSuffix(lit, ")")
		if !ok || !ok2 {
			return nil, fmt.Errorf("line %q is not type(value)", line)
		}
		switch typ {
		case "string":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, s)
		case "[]byte":
			s, err := strconv.Unquote(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, []byte(s))
		case "byte", "uint8":
			if strings.HasPrefix(lit, "'") && strings.HasSuffix(lit, "'") && len(lit) >= 3 {
				r, _, rest, err := strconv.UnquoteChar(lit[1:len(lit)-1], '\'')
				if err != nil || rest != "" || r > 0xff {
					return nil, fmt.Errorf("line %q is not a byte", line)
				}
				vals = append(vals, byte(r))
				continue
			}
			n, err := strconv.ParseUint(lit, 0, 8)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, uint8(n))
		case "bool":
			v, err := strconv.ParseBool(lit)
			if err != nil {
				return nil, fmt.Errorf("line %q: %v", line, err)
			}
			vals = append(vals, v)
		default:
			return nil, fmt.Errorf("line %q: type %s not read here", line, typ)
		}
	}
	return vals, nil
}
