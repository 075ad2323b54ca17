package attachments

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

func newDir(t *testing.T) *Dir {
	k, err := keys.New()
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(filepath.Join(t.TempDir(), "blobs"), k)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// benignPNG draws a plain coloured square: test attachments are generated,
// benign images.
func benignPNG(t *testing.T) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for x := 0; x < 64; x++ {
		for y := 0; y < 64; y++ {
			img.Set(x, y, color.RGBA{R: uint8(x * 4), G: 120, B: 200, A: 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestBlobsAreEncryptedOnDiskAndHashedInTheClear(t *testing.T) {
	d := newDir(t)
	ctx := context.Background()
	text := []byte(strings.Repeat("Synthetic note: the ad listed 202-555-0147 and a motel on Route 9. ", 50))
	info, err := d.Put(ctx, bytes.NewReader(text), 1<<20, []byte("report:1:attachment"))
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(text)
	if info.SHA256 != hex.EncodeToString(sum[:]) || info.Size != int64(len(text)) || !strings.HasPrefix(info.ContentType, "text/plain") || len(info.MD5) != 32 {
		t.Fatalf("info %+v", info)
	}
	// Read every byte on disk under the blob folder: no plaintext anywhere.
	filepath.Walk(d.Root, func(p string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		if strings.HasSuffix(p, ".part") {
			t.Errorf("temporary file left behind: %s", p)
		}
		b, _ := os.ReadFile(p)
		if bytes.Contains(b, []byte("Synthetic note")) || bytes.Contains(b, []byte("202-555-0147")) {
			t.Errorf("plaintext on disk in %s", p)
		}
		return nil
	})
	rc, err := d.Open(ctx, info.ID, []byte("report:1:attachment"))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(rc)
	rc.Close()
	if !bytes.Equal(got, text) {
		t.Fatal("round trip changed the bytes")
	}
	rc, _ = d.Open(ctx, info.ID, []byte("report:2:attachment"))
	if _, err := io.ReadAll(rc); err == nil {
		t.Fatal("a blob opened as another report's")
	}
}

func TestOversizedBlobIsRefusedAndLeavesNothing(t *testing.T) {
	d := newDir(t)
	_, err := d.Put(context.Background(), bytes.NewReader(make([]byte, 3<<20)), 2<<20, nil)
	if haven.ErrorCode(err) != haven.EINVALID || haven.ErrorField(err) != "file" {
		t.Fatalf("oversized: %v", err)
	}
	n := 0
	filepath.Walk(d.Root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	if n != 0 {
		t.Fatalf("%d files left after a refused upload", n)
	}
}

func TestContentTypeIsSniffedNotTrusted(t *testing.T) {
	d := newDir(t)
	info, err := d.Put(context.Background(), bytes.NewReader(benignPNG(t)), 1<<20, nil)
	if err != nil || info.ContentType != "image/png" {
		t.Fatalf("png sniffed as %q, %v", info.ContentType, err)
	}
	info, _ = d.Put(context.Background(), strings.NewReader("<html><script>alert(1)</script>"), 1<<20, nil)
	if strings.HasPrefix(info.ContentType, "image/") || haven.DefaultAttachmentPolicy.Allows(info.ContentType) {
		t.Fatalf("HTML sniffed as %q and allowed", info.ContentType)
	}
}

func TestMalformedIDsNeverReachTheFileSystem(t *testing.T) {
	d := newDir(t)
	for _, id := range []string{"../../etc/passwd", "", "ab/../../x", strings.Repeat("g", 32)} {
		if _, err := d.Open(context.Background(), id, nil); err == nil {
			t.Errorf("Open(%q) succeeded", id)
		}
		if err := d.Delete(context.Background(), id); err == nil {
			t.Errorf("Delete(%q) succeeded", id)
		}
	}
}
