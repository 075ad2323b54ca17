package importer

import (
	"bytes"
	"testing"
)

// The parsers must never panic, and every row they return is either a
// report or an error, never both or neither.
func checkRows(t *testing.T, rows []Row) {
	for _, r := range rows {
		if (r.Report == nil) == (r.Err == nil) {
			t.Fatalf("line %d: report %v and error %v", r.Line, r.Report, r.Err)
		}
	}
}

func FuzzParseCSV(f *testing.F) {
	f.Add([]byte(goodCSV))
	f.Add([]byte("narrative\n\"unterminated\n"))
	f.Add([]byte("identifiers,child_age\nurl=https://example.com/a?b=c,-1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, _ := ParseCSV(bytes.NewReader(b))
		checkRows(t, rows)
	})
}

func FuzzParseJSONL(f *testing.F) {
	f.Add([]byte(`{"narrative":"x","people":[{"role":"child","age":15}]}`))
	f.Add([]byte("{}\n[]\nnull\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		rows, _ := ParseJSONL(bytes.NewReader(b))
		checkRows(t, rows)
	})
}
