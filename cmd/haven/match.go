package main

import (
	"bufio"
	"context"
	"encoding/csv"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking/personmatch"
)

const matchHelp = `haven match --format febrl [--ignore-id] [--threshold W] [--evidence] FILE.csv [FILE2.csv]

Finds the records that describe the same person: in one file (deduplication)
or between two (linking: each pair has one record from each file). Matching
is probabilistic record linkage (Fellegi–Sunter): every field is compared
into levels (exact, phonetic, similar spellings, dates one digit off, ...)
whose weights are learnt from the file itself, without labelled examples.
Nothing is merged: the output is a list of suggestions.

Writes CSV to standard output: a header, then one line per matched pair,
strongest first:
  rec_id_a,rec_id_b,weight
weight is log2 of how much more likely the two records' agreement is for one
person than for two. --evidence adds a column saying, field by field, how the
two records compare and what that weighed. A summary goes to standard error.

FEBRL layout (header line required; see ../shared/data/febrl/README.md):
` + "  rec_id, given_name, surname, street_number, address_1, address_2, suburb,\n  postcode, state, date_of_birth (YYYYMMDD), soc_sec_id"

func cmdMatch(_ context.Context, e env, args []string) error {
	fs := newFlagSet("match", matchHelp)
	format := fs.String("format", "", "input layout: febrl (required)")
	ignoreID := fs.Bool("ignore-id", false, "leave soc_sec_id out of blocking and comparison (as for reports about children, which carry none)")
	evidence := fs.Bool("evidence", false, "add an evidence column: each field's comparison level and weight")
	var threshold *float64
	fs.Func("threshold", "suggest pairs whose weight is at least `W` (default: where the estimated match probability reaches 1/2)", func(s string) error {
		v, err := strconv.ParseFloat(s, 64)
		if err != nil {
			return fmt.Errorf("want a number, e.g. 5 or -2.5")
		}
		threshold = &v
		return nil
	})
	files, err := parseFiles(fs, e, args)
	if err != nil {
		return err
	}
	if *format != "febrl" {
		if *format == "" {
			return haven.FieldError("format", "give --format febrl")
		}
		return haven.FieldError("format", "unknown format %q: the one supported is febrl", *format)
	}
	sets := make([][]personmatch.Record, len(files))
	for i, f := range files {
		if sets[i], err = readFEBRLFile(f); err != nil {
			return err
		}
	}
	opt := personmatch.Options{IgnoreID: *ignoreID, Threshold: threshold}
	var res *personmatch.Result
	a, b := sets[0], sets[0]
	if len(sets) == 2 {
		b = sets[1]
		res, err = personmatch.Link(a, b, opt)
	} else {
		res, err = personmatch.Deduplicate(a, opt)
	}
	if err != nil {
		return err
	}
	out := bufio.NewWriter(e.stdout)
	w := csv.NewWriter(out)
	header := []string{"rec_id_a", "rec_id_b", "weight"}
	if *evidence {
		header = append(header, "evidence")
	}
	w.Write(header)
	for _, p := range res.Pairs {
		row := []string{a[p.A].ID, b[p.B].ID, strconv.FormatFloat(p.Weight, 'f', 2, 64)}
		if *evidence {
			row = append(row, describeEvidence(res.Model.Evidence(p.Comparison)))
		}
		w.Write(row)
	}
	w.Flush()
	if err := w.Error(); err != nil {
		return err
	}
	if err := out.Flush(); err != nil {
		return err
	}
	n := len(a)
	if len(sets) == 2 {
		n += len(b)
	}
	fmt.Fprintf(e.stderr, "haven match: %d records, %d candidate pairs compared, %d pairs suggested (threshold %.2f, estimated share of matches among candidates %.3f, EM iterations %d)\n",
		n, res.Candidates, len(res.Pairs), res.Model.Threshold, res.Model.Lambda, res.Model.Iterations)
	return nil
}

// parseFiles parses flags given before, between or after one or two file
// names.
func parseFiles(fs *flag.FlagSet, e env, args []string) ([]string, error) {
	var files []string
	for rest := args; ; {
		if err := parse(fs, e, rest); err != nil {
			return nil, err
		}
		if fs.NArg() == 0 {
			break
		}
		files = append(files, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(files) < 1 || len(files) > 2 {
		fmt.Fprintf(e.stderr, "expected one FILE (to deduplicate) or two (to link), got %d\n", len(files))
		fs.Usage()
		return nil, errUsage
	}
	return files, nil
}

func readFEBRLFile(path string) ([]personmatch.Record, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	recs, err := personmatch.ReadFEBRL(bufio.NewReaderSize(f, 1<<16))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return recs, nil
}

// describeEvidence is a pair's evidence on one line, fields with nothing to
// compare left out: "first name: exact +4.61; date of birth: one digit off +3.07".
func describeEvidence(ev []personmatch.Evidence) string {
	var b strings.Builder
	for _, x := range ev {
		if x.Level == "missing" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s %+.2f", x.Field, x.Level, x.Weight)
	}
	return b.String()
}
