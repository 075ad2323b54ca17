package haven_test

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

// A file stored for a record that never committed, and a half-written
// file, are removed once a day old; a file a report names is kept; the
// sweep is audited, and a second sweep finds nothing.
func TestTheSweepRemovesOnlyFilesNoRecordNamesOnceADayOld(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service, c *clock) {
		ctx := context.Background()
		c.t = time.Now() // the files' times are the machine's
		k, _ := keys.New()
		dir := filepath.Join(t.TempDir(), "att")
		blobs, err := attachments.New(dir, k)
		if err != nil {
			t.Fatal(err)
		}
		svc.Blobs = blobs
		r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, Narrative: "A caller described an online ad (synthetic)."}
		if err := svc.CreateReport(ctx, sys, r); err != nil {
			t.Fatal(err)
		}
		var kept *haven.Attachment
		if err := svc.Store.Update(ctx, func(tx haven.Tx) (err error) {
			kept, _, err = svc.StoreAttachment(ctx, tx, sys, r.ID, "ad.txt", "text/plain", "hotline", strings.NewReader("Synthetic ad copy."))
			return err
		}); err != nil {
			t.Fatal(err)
		}
		// A file whose record never committed: the process died between
		// storing it and the commit.
		lost, err := blobs.Put(ctx, strings.NewReader("Another synthetic note."), 1<<20, nil)
		if err != nil {
			t.Fatal(err)
		}
		part := filepath.Join(dir, "ab", strings.Repeat("ab", 16)+".part")
		if err := os.MkdirAll(filepath.Dir(part), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(part, []byte("cut off"), 0o600); err != nil {
			t.Fatal(err)
		}
		if o, p, err := svc.SweepOrphanBlobs(ctx); err != nil || o+p != 0 {
			t.Errorf("a sweep of fresh files removed %d and %d (%v), want none", o, p, err)
		}
		c.Advance(haven.BlobSweepAge + time.Hour)
		o, p, err := svc.SweepOrphanBlobs(ctx)
		if err != nil || o != 1 || p != 1 {
			t.Fatalf("the sweep a day later removed %d unnamed and %d half-written files (%v), want 1 and 1", o, p, err)
		}
		if _, err := os.Stat(part); !os.IsNotExist(err) {
			t.Errorf("the half-written file is still there: %v", err)
		}
		if rc, err := blobs.Open(ctx, lost.ID, nil); err == nil {
			rc.Close()
			t.Errorf("the unnamed file can still be opened")
		}
		_, rc, err := svc.OpenAttachment(ctx, sys, kept.ID, "checking the sweep")
		if err != nil {
			t.Fatalf("the report's file is gone: %v", err)
		}
		got, _ := io.ReadAll(rc)
		rc.Close()
		if !bytes.Equal(got, []byte("Synthetic ad copy.")) {
			t.Errorf("the report's file reads %q", got)
		}
		if n := len(auditOK(t, svc, "attachment.sweep")); n != 1 {
			t.Errorf("%d attachment.sweep audit events, want 1", n)
		}
		if o, p, err := svc.SweepOrphanBlobs(ctx); err != nil || o+p != 0 {
			t.Errorf("a second sweep removed %d and %d (%v)", o, p, err)
		}
	})
}
