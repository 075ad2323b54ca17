package main

// The backup archive: an age-encrypted, gzip-compressed tar stream
// (age(gzip(tar))). Its members, in order:
//
//	format.json           {"format":1,"dialect":"sqlite",...}: read first, so a
//	                      restore refuses a newer format or another dialect early
//	database.sqlite       SQLite: the VACUUM INTO snapshot, whole
//	database.pgdump.NNNN  PostgreSQL: pg_dump --format=custom output, in parts of
//	                      at most dumpPartSize bytes (a tar member needs its size
//	                      before its bytes, and pg_dump's output is streamed)
//	keycheck.json         which attachment a restore decrypts with the key file
//	                      before writing anything, and its plaintext's SHA-256
//	attachments/xx/ID     the encrypted attachment files the snapshot refers to,
//	                      as they are on disk (still encrypted with the key file)
//	manifest.json         everything in format.json plus counts per table and
//	                      the SHA-256 of every member above, last because the
//	                      hashes are known only once the members are written

import (
	"archive/tar"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"regexp"
	"strconv"
	"strings"
	"time"

	"filippo.io/age"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/migrations"
)

// backupFormat is the archive format this Haven writes and the newest it reads.
const backupFormat = 1

const (
	memberFormat   = "format.json"
	memberManifest = "manifest.json"
	memberSQLite   = "database.sqlite"
	memberKeyCheck = "keycheck.json"
	memberPGPrefix = "database.pgdump."
	dumpPartSize   = 8 << 20
)

// backupHeader is format.json: what a restore must know before reading on.
type backupHeader struct {
	Format       int    `json:"format"`
	HavenVersion string `json:"haven_version"`
	Dialect      string `json:"dialect"`
}

// backupManifest is manifest.json.
type backupManifest struct {
	backupHeader
	MigrationVersion int64            `json:"migration_version"`
	Created          time.Time        `json:"created"`
	Schema           string           `json:"schema,omitempty"` // PostgreSQL: the schema dumped
	Counts           map[string]int64 `json:"counts"`
	Attachments      int              `json:"attachments"`
	// KeyCheck names one attachment member and how it was encrypted, so
	// that a restore can check the key file before writing anything.
	KeyCheck *keyCheck     `json:"key_check,omitempty"`
	Members  []memberEntry `json:"members"`
}

type keyCheck struct {
	Member         string `json:"member"`
	AssociatedData string `json:"associated_data"`
	PlainSHA256    string `json:"plain_sha256"`
}

type memberEntry struct {
	Name   string `json:"name"`
	Size   int64  `json:"size"`
	SHA256 string `json:"sha256"`
}

// archiveWriter writes members into the tar stream inside age and records
// each one's hash.
type archiveWriter struct {
	tw      *tar.Writer
	members []memberEntry
	now     time.Time
}

func (w *archiveWriter) add(name string, size int64, r io.Reader) error {
	if err := w.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: w.now, Format: tar.FormatPAX}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(w.tw, h), r)
	if err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	if n != size {
		return fmt.Errorf("backup: %s: read %d bytes, expected %d (the file changed while it was copied)", name, n, size)
	}
	w.members = append(w.members, memberEntry{Name: name, Size: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

func (w *archiveWriter) addJSON(name string, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	return w.add(name, int64(len(b)), bytes.NewReader(b))
}

// addStream writes r as parts prefix0000, prefix0001, ... of at most
// dumpPartSize bytes each, buffered in memory (never on disk).
func (w *archiveWriter) addStream(prefix string, r io.Reader) error {
	buf := make([]byte, dumpPartSize)
	for i := 0; ; i++ {
		n, err := io.ReadFull(r, buf)
		if n > 0 {
			if err := w.add(fmt.Sprintf("%s%04d", prefix, i), int64(n), bytes.NewReader(buf[:n])); err != nil {
				return err
			}
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		} else if err != nil {
			return err
		}
	}
}

// blobMember is the archive name of an attachment file, which is also its
// path under the data folder.
func blobMember(id string) string { return path.Join("attachments", id[:2], id) }

var blobMemberPattern = regexp.MustCompile(`^attachments/([0-9a-f]{2})/([0-9a-f]{32})$`)

// latestMigration is the newest migration this binary embeds for dialect.
func latestMigration(dialect string) int64 {
	fsys := migrations.SQLite
	if dialect == "postgres" {
		fsys = migrations.Postgres
	}
	var latest int64
	names, _ := fs.Glob(fsys, "*.sql")
	for _, n := range names {
		num, _, _ := strings.Cut(n, "_")
		if v, err := strconv.ParseInt(num, 10, 64); err == nil && v > latest {
			latest = v
		}
	}
	return latest
}

// backupIdentities reads the identities a restore decrypts with: an age
// identity file or a passphrase file (exactly one).
func backupIdentities(identityFile, passFile string) ([]age.Identity, error) {
	switch {
	case identityFile != "" && passFile != "":
		return nil, haven.FieldError("identity", "give --identity or --passphrase-file, not both")
	case identityFile != "":
		f, err := os.Open(identityFile)
		if err != nil {
			return nil, haven.FieldError("identity", "cannot read the identity file: %v", err)
		}
		defer f.Close()
		ids, err := age.ParseIdentities(f)
		if err != nil {
			return nil, haven.FieldError("identity", "%s is not an age identity file: %v", identityFile, err)
		}
		return ids, nil
	case passFile != "":
		pass, err := readPassphrase(passFile)
		if err != nil {
			return nil, err
		}
		id, err := age.NewScryptIdentity(pass)
		if err != nil {
			return nil, haven.FieldError("passphrase-file", "%v", err)
		}
		return []age.Identity{id}, nil
	}
	return nil, haven.FieldError("identity", "give --identity FILE (the age identity whose public key the backup was made for) or --passphrase-file FILE")
}

// readPassphrase reads a passphrase file: its first line, which must not be empty.
func readPassphrase(name string) (string, error) {
	b, err := os.ReadFile(name)
	if err != nil {
		return "", haven.FieldError("passphrase-file", "cannot read the passphrase file: %v", err)
	}
	line, _, _ := strings.Cut(string(b), "\n")
	line = strings.TrimRight(line, "\r")
	if line == "" {
		return "", haven.FieldError("passphrase-file", "the passphrase file %s is empty", name)
	}
	return line, nil
}
