package main

import (
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/linking/personmatch/febrldata"
)

// febrlFile writes a small FEBRL file: n people with made-up names, and a
// second record with one typing slip for each person in dups.
func febrlFile(t *testing.T, name string, n int, dups map[int]bool) string {
	rng := rand.New(rand.NewPCG(uint64(n), 9))
	syl := []string{"ka", "ro", "mi", "na", "li", "to", "sa", "be", "da", "vi", "lo", "ne", "ri", "ma", "jo", "el"}
	word := func(k int) string {
		var b strings.Builder
		for ; k > 0; k-- {
			b.WriteString(syl[rng.IntN(len(syl))])
		}
		return b.String()
	}
	var b strings.Builder
	b.WriteString("rec_id, given_name, surname, street_number, address_1, address_2, suburb, postcode, state, date_of_birth, soc_sec_id\n")
	for i := 0; i < n; i++ {
		given, surname := word(2+rng.IntN(2)), word(3)
		row := func(id, given string) {
			fmt.Fprintf(&b, "%s, %s, %s, %d, %s street, , %s, %04d, nsw, %d%02d%02d, %07d\n", id, given, surname,
				1+i%90, word(3), word(2), 2000+i%900, 1930+i%70, 1+i%12, 1+i%28, 1000000+i)
		}
		row(fmt.Sprintf("rec-%d-org", i), given)
		if dups[i] {
			row(fmt.Sprintf("rec-%d-dup-0", i), given[:1]+given[2:]) // a letter dropped
		}
	}
	return writeFile(t, name, b.String())
}

func readPairs(t *testing.T, out string) [][3]string {
	t.Helper()
	rows, err := csv.NewReader(strings.NewReader(out)).ReadAll()
	if err != nil {
		t.Fatalf("output is not CSV: %v\n%s", err, out)
	}
	if len(rows) == 0 || strings.Join(rows[0], ",") != "rec_id_a,rec_id_b,weight" {
		t.Fatalf("header %v, want rec_id_a,rec_id_b,weight", rows)
	}
	var pairs [][3]string
	for _, r := range rows[1:] {
		if _, err := strconv.ParseFloat(r[2], 64); err != nil {
			t.Fatalf("weight %q is not a number", r[2])
		}
		pairs = append(pairs, [3]string{r[0], r[1], r[2]})
	}
	return pairs
}

func TestMatchDeduplicatesAFileAndLinksTwo(t *testing.T) {
	dups := map[int]bool{3: true, 50: true, 120: true}
	file := febrlFile(t, "people.csv", 300, dups)
	r := runHaven(t, nil, "", "match", "--format", "febrl", file)
	if r.code != nil {
		t.Fatalf("match: %v\n%s", r.code, r.err)
	}
	pairs := readPairs(t, r.out)
	got := map[string]bool{}
	for _, p := range pairs {
		got[p[0]+" "+p[1]] = true
	}
	for i := range dups {
		if !got[fmt.Sprintf("rec-%d-org rec-%d-dup-0", i, i)] {
			t.Errorf("pair %d not found:\n%s", i, r.out)
		}
	}
	if len(pairs) != len(dups) {
		t.Errorf("%d pairs, want %d:\n%s", len(pairs), len(dups), r.out)
	}
	if !strings.Contains(r.err, "301 records") && !strings.Contains(r.err, "303 records") {
		t.Errorf("summary: %q", r.err)
	}

	// --evidence explains each pair; --ignore-id changes the evidence.
	r = runHaven(t, nil, "", "match", "--format", "febrl", "--evidence", file)
	if r.code != nil || !strings.Contains(r.out, "rec_id_a,rec_id_b,weight,evidence") || !strings.Contains(r.out, "id number: exact") {
		t.Fatalf("--evidence: %v\n%s", r.code, r.out)
	}
	r = runHaven(t, nil, "", "match", "--format", "febrl", "--evidence", "--ignore-id", file)
	if r.code != nil || strings.Contains(r.out, "id number") || !strings.Contains(r.out, "first name: similar") {
		t.Fatalf("--ignore-id: %v\n%s", r.code, r.out)
	}
	// A threshold nobody reaches: the header alone.
	r = runHaven(t, nil, "", "match", file, "--format", "febrl", "--threshold", "500")
	if r.code != nil || strings.TrimSpace(r.out) != "rec_id_a,rec_id_b,weight" {
		t.Fatalf("--threshold 500: %v\n%s", r.code, r.out)
	}

	// Two files: pairs run from the first file to the second only.
	lines := strings.SplitAfter(strings.TrimSuffix(mustRead(t, file), "\n"), "\n")
	var orgs, copies strings.Builder
	orgs.WriteString(lines[0])
	copies.WriteString(lines[0])
	for _, l := range lines[1:] {
		if strings.Contains(l, "-dup-") {
			copies.WriteString(l)
		} else {
			orgs.WriteString(l)
		}
	}
	a, b := writeFile(t, "a.csv", orgs.String()), writeFile(t, "b.csv", copies.String()+"\n")
	r = runHaven(t, nil, "", "match", "--format", "febrl", a, b)
	if r.code != nil {
		t.Fatalf("link: %v\n%s", r.code, r.err)
	}
	pairs = readPairs(t, r.out)
	if len(pairs) != len(dups) {
		t.Fatalf("link: %d pairs, want %d:\n%s", len(pairs), len(dups), r.out)
	}
	for _, p := range pairs {
		if !strings.HasSuffix(p[0], "-org") || !strings.HasSuffix(p[1], "-dup-0") {
			t.Errorf("link pair %v not from file 1 to file 2", p)
		}
	}
}

func mustRead(t *testing.T, path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestMatchRefusesBadInputSaying(t *testing.T) {
	good := febrlFile(t, "ok.csv", 20, nil)
	bad := writeFile(t, "bad.csv", "rec_id, given_name, surname, date_of_birth\nr1, ana, ruiz, 2001-02-03\n")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{good}, "give --format febrl"},
		{[]string{"--format", "csv", good}, `unknown format "csv"`},
		{[]string{"--format", "febrl"}, "expected one FILE"},
		{[]string{"--format", "febrl", good, good, good}, "got 3"},
		{[]string{"--format", "febrl", filepath.Join(t.TempDir(), "absent.csv")}, "no such file"},
		{[]string{"--format", "febrl", bad}, `line 2: date_of_birth "2001-02-03" is not YYYYMMDD`},
		{[]string{"--format", "febrl", "--threshold", "high", good}, "want a number"},
	} {
		r := runHaven(t, nil, "", append([]string{"match"}, c.args...)...)
		msg := r.err
		if r.code != nil {
			msg += describe(r.code)
		}
		if r.code == nil || !strings.Contains(msg, c.want) {
			t.Errorf("haven match %v: err %v, stderr %q; want %q", c.args, r.code, r.err, c.want)
		}
		if r.out != "" && !strings.Contains(r.out, "Usage") {
			t.Errorf("haven match %v wrote output: %q", c.args, r.out)
		}
	}
	if r := runHaven(t, nil, "", "match", "--help"); r.code != nil || !strings.Contains(r.out, "Usage: haven match") || !strings.Contains(r.out, "-ignore-id") {
		t.Errorf("match --help: %v %q", r.code, r.out)
	}
}

// TestMatchFEBRLDataset1EndToEnd runs the command on the public FEBRL data
// and scores its CSV against the true pairs (rec-N-org and rec-N-dup-K
// share N): deduplicating the file without the id number, and linking its
// originals to its duplicates as two files.
func TestMatchFEBRLDataset1EndToEnd(t *testing.T) {
	file := filepath.Join(febrldata.Dir(t), "dataset1.csv")
	entity := func(id string) string { return strings.Split(id, "-")[1] }
	score := func(pairs [][3]string, truePairs int) (p, r, f1 float64) {
		correct := 0
		for _, x := range pairs {
			if entity(x[0]) == entity(x[1]) {
				correct++
			}
		}
		p, r = float64(correct)/float64(len(pairs)), float64(correct)/float64(truePairs)
		return p, r, 2 * p * r / (p + r)
	}
	r := runHaven(t, nil, "", "match", "--format", "febrl", "--ignore-id", file)
	if r.code != nil {
		t.Fatalf("match: %v\n%s", r.code, r.err)
	}
	p, rc, f1 := score(readPairs(t, r.out), 500)
	t.Logf("haven match --ignore-id dataset1.csv: precision %.4f recall %.4f F1 %.4f", p, rc, f1)
	if f1 < 0.99 {
		t.Errorf("F1 %.4f, want >= 0.99", f1)
	}

	lines := strings.SplitAfter(mustRead(t, file), "\n")
	var orgs, copies strings.Builder
	orgs.WriteString(lines[0])
	copies.WriteString(lines[0])
	for _, l := range lines[1:] {
		if strings.Contains(l, "-dup-") {
			copies.WriteString(l)
		} else {
			orgs.WriteString(l)
		}
	}
	a, b := writeFile(t, "org.csv", orgs.String()), writeFile(t, "dup.csv", copies.String())
	r = runHaven(t, nil, "", "match", "--format", "febrl", "--ignore-id", a, b)
	if r.code != nil {
		t.Fatalf("link: %v\n%s", r.code, r.err)
	}
	p, rc, f1 = score(readPairs(t, r.out), 500)
	t.Logf("haven match --ignore-id originals.csv duplicates.csv: precision %.4f recall %.4f F1 %.4f", p, rc, f1)
	if f1 < 0.99 {
		t.Errorf("link F1 %.4f, want >= 0.99", f1)
	}
}
