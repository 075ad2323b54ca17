package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/importer"
)

func cmdImport(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("import", `haven import --format csv|jsonl [--dry-run] [--batch-size N] FILE

Imports reports from an older system. Every row is checked before anything
is written: if any row is wrong, each bad row is listed (line, field, what to
fix) and nothing is imported. The file is stored in batches; each batch lands
whole or not at all, and running the same file again skips the batches that
already landed, so an interrupted import resumes without duplicates.

CSV columns (header line required, all optional): `+joinColumns()+`
Lists (indicators, identifiers) are separated by ";"; identifiers are
kind=value or kind@platform=value. JSON lines: one object per line with the
same names, plus "people" and "identifiers" arrays and a "reporter" object.`)
	var sf storeFlags
	sf.register(fs, e)
	format := fs.String("format", "", "csv or jsonl (required)")
	dry := fs.Bool("dry-run", false, "check every row and report; write nothing")
	batch := fs.Int("batch-size", 1000, fmt.Sprintf("reports per transaction (1 to %d)", haven.MaxImportBatch))
	path, err := parseWithArg(fs, e, args, "FILE")
	if err != nil {
		return err
	}
	if *batch < 1 || *batch > haven.MaxImportBatch {
		return haven.FieldError("batch-size", "the batch size is 1 to %d", haven.MaxImportBatch)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	var rows []importer.Row
	switch *format {
	case "csv":
		rows, err = importer.ParseCSV(bytes.NewReader(data))
	case "jsonl":
		rows, err = importer.ParseJSONL(bytes.NewReader(data))
	default:
		return haven.FieldError("format", "give --format csv or --format jsonl")
	}
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return err
	}
	defer a.Close()
	op := operator()
	var reports []*haven.Report
	bad := 0
	for _, row := range rows {
		err := row.Err
		if err == nil {
			err = a.svc.PrepareReport(op, row.Report)
		}
		if err != nil {
			bad++
			fmt.Fprintf(e.stdout, "line %d: %s\n", row.Line, describeRow(err))
			continue
		}
		reports = append(reports, row.Report)
	}
	if bad > 0 {
		fmt.Fprintf(e.stdout, "%d of %d rows need fixing; nothing was imported.\n", bad, len(rows))
		return fmt.Errorf("import refused: %d bad rows", bad)
	}
	if *dry {
		fmt.Fprintf(e.stdout, "dry run: all %d rows are valid; nothing was written.\n", len(rows))
		return nil
	}
	landed, skipped := 0, 0
	for n, start := 0, 0; start < len(reports); n, start = n+1, start+*batch {
		end := min(start+*batch, len(reports))
		ok, err := a.svc.ImportBatchOnce(ctx, op, hex.EncodeToString(sum[:]), n, reports[start:end])
		if err != nil {
			fmt.Fprintf(e.stdout, "batch %d (rows %d–%d) failed and was not imported: %s\n%d reports were imported before it; run the same command again to resume.\n",
				n+1, start+1, end, describe(err), landed)
			return err
		}
		if ok {
			landed += end - start
		} else {
			skipped += end - start
		}
	}
	fmt.Fprintf(e.stdout, "imported %d reports", landed)
	if skipped > 0 {
		fmt.Fprintf(e.stdout, " (%d skipped: this file's batches had landed before)", skipped)
	}
	fmt.Fprintln(e.stdout, ".")
	return nil
}

func joinColumns() string {
	var b bytes.Buffer
	for i, c := range importer.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c)
	}
	return b.String()
}

// describeRow is describe for a row's error, with the field first.
func describeRow(err error) string {
	if f := haven.ErrorField(err); f != "" {
		return f + ": " + haven.ErrorMessage(err)
	}
	return describe(err)
}
