package agencycsv_test

import (
	"bytes"
	"reflect"
	"testing"

	"github.com/haven-oss/haven/internal/agencycsv"
	"github.com/haven-oss/haven/internal/haven"
)

// FuzzRead checks that any file either is refused or reads into rows that
// write out and read back the same (the seed corpus is in
// testdata/fuzz/FuzzRead).
func FuzzRead(f *testing.F) {
	f.Add([]byte(directory))
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, err := agencycsv.Read(bytes.NewReader(data))
		if err != nil {
			return
		}
		var as []*haven.Agency
		for _, r := range rows {
			if r.Err != nil {
				return // a row with an unreadable cell has no faithful form to write
			}
			as = append(as, r.Agency)
		}
		var b bytes.Buffer
		if err := agencycsv.Write(&b, as); err != nil {
			t.Fatalf("Write: %v", err)
		}
		again, err := agencycsv.Read(&b)
		if err != nil {
			t.Fatalf("reading what Write wrote: %v\n%s", err, b.String())
		}
		if len(again) != len(as) {
			t.Fatalf("%d rows became %d:\n%s", len(as), len(again), b.String())
		}
		for i := range as {
			want, got := normal(*as[i]), normal(*again[i].Agency)
			if !reflect.DeepEqual(got, want) {
				t.Fatalf("row %d:\n got %+v\nwant %+v", i, got, want)
			}
		}
	})
}

// normal is an agency as the service would store it, for comparison.
func normal(a haven.Agency) haven.Agency {
	a.Normalize()
	return a
}
