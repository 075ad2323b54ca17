// Package attachments keeps attachment bytes on the file system, encrypted
// with the key file's streaming AEAD (haven.Blobs). A file is written to a
// temporary name, synced and renamed, so a crash never leaves a half file
// under a real name; its name is random, never the sender's.
package attachments

import (
	"context"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Cipher encrypts and decrypts streams (internal/keys.Keys).
type Cipher interface {
	EncryptingWriter(w io.Writer, associatedData []byte) (io.WriteCloser, error)
	DecryptingReader(r io.Reader, associatedData []byte) (io.Reader, error)
}

// Dir is a folder of encrypted blobs.
type Dir struct {
	Root   string
	Cipher Cipher
}

var _ haven.Blobs = (*Dir)(nil)

// New returns the blob folder root (created, mode 0700).
func New(root string, c Cipher) (*Dir, error) {
	if err := os.MkdirAll(root, 0o700); err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	return &Dir{Root: root, Cipher: c}, nil
}

var idPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (d *Dir) path(id string) (string, error) {
	if !idPattern.MatchString(id) {
		return "", fmt.Errorf("attachments: malformed blob id %q", id)
	}
	return filepath.Join(d.Root, id[:2], id), nil
}

// Put encrypts r into a new blob, computing SHA-256 and MD5 of the
// plaintext and sniffing its content type from the first 512 bytes.
func (d *Dir) Put(ctx context.Context, r io.Reader, limit int64, ad []byte) (info haven.BlobInfo, err error) {
	var raw [16]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return info, fmt.Errorf("attachments: id: %w", err)
	}
	info.ID = hex.EncodeToString(raw[:])
	final, _ := d.path(info.ID)
	shard := filepath.Dir(final)
	_, statErr := os.Stat(shard)
	newShard := os.IsNotExist(statErr)
	if err := os.MkdirAll(shard, 0o700); err != nil {
		return info, fmt.Errorf("attachments: %w", err)
	}
	tmp := final + ".part"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		return info, fmt.Errorf("attachments: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(tmp)
		}
	}()
	enc, err := d.Cipher.EncryptingWriter(f, ad)
	if err != nil {
		return info, fmt.Errorf("attachments: encrypt: %w", err)
	}
	sh, m := sha256.New(), md5.New()
	sniff := &sniffer{}
	n, err := io.Copy(io.MultiWriter(enc, sh, m, sniff), io.LimitReader(contextReader{ctx, r}, limit+1))
	if err != nil {
		return info, fmt.Errorf("attachments: write: %w", err)
	}
	if n > limit {
		return info, haven.FieldError("file", "the file is larger than %d MB", limit>>20)
	}
	if err := enc.Close(); err != nil {
		return info, fmt.Errorf("attachments: encrypt: %w", err)
	}
	if err := f.Sync(); err != nil {
		return info, fmt.Errorf("attachments: sync: %w", err)
	}
	if err := f.Close(); err != nil {
		return info, fmt.Errorf("attachments: %w", err)
	}
	if err := os.Rename(tmp, final); err != nil {
		return info, fmt.Errorf("attachments: %w", err)
	}
	// The rename is durable only once its directory is synced (and the
	// shard's entry in the root, when the shard is new): without it a
	// power loss after the report's commit could lose the file of an
	// acknowledged report.
	if newShard {
		if err := syncDir(d.Root); err != nil {
			return info, err
		}
	}
	if err := syncDir(shard); err != nil {
		return info, err
	}
	info.Size = n
	info.SHA256 = hex.EncodeToString(sh.Sum(nil))
	info.MD5 = hex.EncodeToString(m.Sum(nil))
	info.ContentType = http.DetectContentType(sniff.b)
	return info, nil
}

// Open returns a reader of a blob's plaintext; a tampered blob fails on Read.
func (d *Dir) Open(ctx context.Context, id string, ad []byte) (io.ReadCloser, error) {
	p, err := d.path(id)
	if err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return nil, haven.Errorf(haven.ENOTFOUND, "The file is no longer stored.")
	} else if err != nil {
		return nil, fmt.Errorf("attachments: %w", err)
	}
	r, err := d.Cipher.DecryptingReader(f, ad)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("attachments: decrypt: %w", err)
	}
	return struct {
		io.Reader
		io.Closer
	}{r, f}, nil
}

// Delete removes a blob; a missing one is not an error.
func (d *Dir) Delete(ctx context.Context, id string) error {
	p, err := d.path(id)
	if err != nil {
		return err
	}
	if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("attachments: %w", err)
	}
	return nil
}

// Stale lists the ids of the blobs last written before before, and removes
// the ".part" files (writes a crash cut off) older than it.
func (d *Dir) Stale(ctx context.Context, before time.Time) (ids []string, partial int, err error) {
	err = filepath.WalkDir(d.Root, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		info, err := e.Info()
		if errors.Is(err, os.ErrNotExist) {
			return nil
		} else if err != nil {
			return err
		}
		if !info.ModTime().Before(before) {
			return nil
		}
		name := e.Name()
		if id, ok := strings.CutSuffix(name, ".part"); ok && idPattern.MatchString(id) {
			if err := os.Remove(p); err != nil && !errors.Is(err, os.ErrNotExist) {
				return err
			}
			partial++
			return nil
		}
		if idPattern.MatchString(name) {
			ids = append(ids, name)
		}
		return nil
	})
	if err != nil {
		return nil, partial, fmt.Errorf("attachments: stale: %w", err)
	}
	return ids, partial, nil
}

// sniffer keeps the first 512 bytes written, for content-type detection.
type sniffer struct{ b []byte }

func (s *sniffer) Write(p []byte) (int, error) {
	if room := 512 - len(s.b); room > 0 {
		if len(p) < room {
			room = len(p)
		}
		s.b = append(s.b, p[:room]...)
	}
	return len(p), nil
}

// contextReader stops reading when ctx ends (a client that went away).
type contextReader struct {
	ctx context.Context
	r   io.Reader
}

func (c contextReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// syncDir flushes a directory's entries to disk.
func syncDir(dir string) error {
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("attachments: sync %s: %w", dir, err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("attachments: sync %s: %w", dir, err)
	}
	return nil
}
