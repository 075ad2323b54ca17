package attachments

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/haven-oss/haven/internal/keys"
)

// BenchmarkPut stores a 64 KiB benign text file as an encrypted blob (the
// file written, synced, renamed into place and its directory synced), with
// as the baseline in the same process the same bytes written to a plain
// file and synced.
//
//	go test ./internal/attachments -run '^$' -bench Put -count 5
func BenchmarkPut(b *testing.B) {
	line := []byte("A synthetic note about a fictional report. ")
	data := bytes.Repeat(line, 64<<10/len(line)+1)[:64<<10]
	b.Run("put-64KiB", func(b *testing.B) {
		k, err := keys.New()
		if err != nil {
			b.Fatal(err)
		}
		d, err := New(filepath.Join(b.TempDir(), "blobs"), k)
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			if _, err := d.Put(context.Background(), bytes.NewReader(data), 1<<20, []byte("bench")); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("baseline-write-fsync-64KiB", func(b *testing.B) {
		dir := b.TempDir()
		b.SetBytes(int64(len(data)))
		for i := 0; i < b.N; i++ {
			f, err := os.Create(filepath.Join(dir, strconv.Itoa(i)))
			if err != nil {
				b.Fatal(err)
			}
			if _, err := f.Write(data); err != nil {
				b.Fatal(err)
			}
			if err := f.Sync(); err != nil {
				b.Fatal(err)
			}
			f.Close()
		}
	})
}
