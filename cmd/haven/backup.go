package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/haven-oss/haven/internal/haven"
)

const backupHelp = `haven backup --out FILE (--recipient AGE_PUBLIC_KEY | --passphrase-file FILE) [flags]

Writes one encrypted archive (age, https://age-encryption.org) holding a
consistent snapshot of the database, the attachment files that snapshot
refers to, and a manifest (format, Haven version, dialect, migration
version, row counts per table, SHA-256 of every member). It runs while
Haven serves: writers are not stopped.

SQLite: VACUUM INTO copies the database inside one read transaction (a WAL
snapshot). PostgreSQL: pg_dump --format=custom (on PATH) reads the schema in
one exported snapshot, and the counts and attachment list come from the same
snapshot. Nothing is written to disk unencrypted except, for SQLite, the
snapshot file itself, next to the live database and removed when the backup
ends.

The key file is NOT in the backup: keep it, separately, with as much care
as the backup itself. A backup cannot be restored without it.`

// stringsFlag is a repeatable flag.
type stringsFlag []string

func (s *stringsFlag) String() string     { return strings.Join(*s, ",") }
func (s *stringsFlag) Set(v string) error { *s = append(*s, v); return nil }

func cmdBackup(ctx context.Context, e env, args []string) (err error) {
	fs := newFlagSet("backup", backupHelp)
	var sf storeFlags
	fs.StringVar(&sf.dataDir, "data-dir", envOr(e, "HAVEN_DATA_DIR", "haven-data"), "folder for the embedded database and files (env HAVEN_DATA_DIR)")
	fs.StringVar(&sf.db, "db", e.getenv("HAVEN_DB"), "database: a SQLite file path or a postgres:// URL (env HAVEN_DB; default DATA_DIR/haven.db)")
	out := fs.String("out", "", "the archive to write (must not exist)")
	var recips stringsFlag
	fs.Var(&recips, "recipient", "age public key (age1...) to encrypt to; may be repeated (env HAVEN_BACKUP_RECIPIENT, space-separated)")
	passFile := fs.String("passphrase-file", e.getenv("HAVEN_BACKUP_PASSPHRASE_FILE"), "encrypt with the passphrase on this file's first line instead (env HAVEN_BACKUP_PASSPHRASE_FILE)")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if len(recips) == 0 && *passFile == "" {
		recips = strings.Fields(e.getenv("HAVEN_BACKUP_RECIPIENT"))
	}
	if *out == "" {
		return haven.FieldError("out", "give --out FILE, the archive to write")
	}
	if _, err := os.Stat(*out); err == nil {
		return haven.FieldError("out", "%s already exists: choose a new name (a backup never overwrites a file)", *out)
	}
	recipients, err := backupRecipients(recips, *passFile)
	if err != nil {
		return err
	}
	db := sf.db
	if db == "" {
		db = filepath.Join(sf.dataDir, "haven.db")
	}
	start := time.Now()

	// The archive is written under a temporary name beside --out and
	// renamed when complete: a failed backup leaves no file that looks
	// like a backup.
	f, err := os.CreateTemp(filepath.Dir(*out), "."+filepath.Base(*out)+".*.partial")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	enc, err := age.Encrypt(f, recipients...)
	if err != nil {
		return fmt.Errorf("backup: encrypt: %w", err)
	}
	// gzip at its fastest level: an SQLite file shrinks about threefold;
	// pg_dump's custom format and attachment files are compressed or
	// encrypted already and pass through.
	zw, _ := gzip.NewWriterLevel(enc, gzip.BestSpeed)
	aw := &archiveWriter{tw: tar.NewWriter(zw), now: start.UTC().Truncate(time.Second)}
	m := backupManifest{backupHeader: backupHeader{Format: backupFormat, HavenVersion: Version}, Created: aw.now}
	var snap *dbSnapshot
	if isPostgres(db) {
		m.Dialect = "postgres"
		if err := aw.addJSON(memberFormat, m.backupHeader); err != nil {
			return err
		}
		snap, err = backupPostgres(ctx, db, aw)
	} else {
		m.Dialect = "sqlite"
		if err := aw.addJSON(memberFormat, m.backupHeader); err != nil {
			return err
		}
		snap, err = backupSQLite(ctx, db, aw)
	}
	if err != nil {
		return err
	}
	m.MigrationVersion, m.Counts, m.Schema = snap.migration, snap.counts, snap.schema
	for _, b := range snap.blobs {
		if b.ad != "" {
			m.KeyCheck = &keyCheck{Member: blobMember(b.id), AssociatedData: b.ad, PlainSHA256: b.plainSHA}
			break
		}
	}
	// keycheck.json comes before the attachments, so that a restore's
	// first pass can check the key file on the attachment it names.
	if m.KeyCheck != nil {
		if err := aw.addJSON(memberKeyCheck, m.KeyCheck); err != nil {
			return err
		}
	}

	// Attachment files are written (and renamed into place) before the row
	// that refers to them commits, so every file the snapshot refers to
	// exists by now; one missing was deleted or lost, and is an error.
	for _, b := range snap.blobs {
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := addBlob(aw, sf.dataDir, b.id); err != nil {
			return err
		}
	}
	m.Attachments = len(snap.blobs)
	m.Members = aw.members
	if err := aw.addJSON(memberManifest, m); err != nil {
		return err
	}
	if err := aw.tw.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := enc.Close(); err != nil {
		return fmt.Errorf("backup: encrypt: %w", err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	st, _ := f.Stat()
	if err := f.Close(); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(f.Name(), *out); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	var rows int64
	for _, n := range m.Counts {
		rows += n
	}
	fmt.Fprintf(e.stdout, "backup written to %s: %s database at migration %d (%d tables, %d rows), %d attachment files; %d bytes encrypted, in %v\n",
		*out, m.Dialect, m.MigrationVersion, len(m.Counts), rows, m.Attachments, st.Size(), time.Since(start).Round(time.Millisecond))
	fmt.Fprintln(e.stdout, "The key file is not in the backup: keep it safe, apart from the backup; a restore needs it.")
	return nil
}

// backupRecipients turns --recipient values or --passphrase-file into age recipients.
func backupRecipients(recips []string, passFile string) ([]age.Recipient, error) {
	switch {
	case len(recips) > 0 && passFile != "":
		return nil, haven.FieldError("recipient", "give --recipient or --passphrase-file, not both")
	case len(recips) > 0:
		rs, err := age.ParseRecipients(strings.NewReader(strings.Join(recips, "\n")))
		if err != nil {
			return nil, haven.FieldError("recipient", "not an age public key (age1...): %v", err)
		}
		return rs, nil
	case passFile != "":
		pass, err := readPassphrase(passFile)
		if err != nil {
			return nil, err
		}
		r, err := age.NewScryptRecipient(pass)
		if err != nil {
			return nil, haven.FieldError("passphrase-file", "%v", err)
		}
		return []age.Recipient{r}, nil
	}
	return nil, haven.FieldError("recipient", "give --recipient AGE_PUBLIC_KEY (make a key pair with age-keygen) or --passphrase-file FILE: a backup is always encrypted")
}

// dbSnapshot is what the backup learned from the snapshot it took.
type dbSnapshot struct {
	migration int64
	schema    string
	counts    map[string]int64
	blobs     []snapBlob
}

// snapBlob is an attachment file the snapshot refers to; ad and plainSHA
// are set for report attachments (the key check).
type snapBlob struct {
	id, ad, plainSHA string
}

// rowsFunc runs query, scanning each row into dest and calling each (if
// set) after every row: database/sql for SQLite, a pgx transaction for
// PostgreSQL.
type rowsFunc func(query string, scan func(vals []any) error, dest ...any) error

// describeSnapshot reads counts, migration version and blob list through q.
func describeSnapshot(tables []string, quote func(string) string, q rowsFunc) (*dbSnapshot, error) {
	s := &dbSnapshot{counts: map[string]int64{}}
	for _, t := range tables {
		var n int64
		if err := q("SELECT count(*) FROM "+quote(t), nil, &n); err != nil {
			return nil, fmt.Errorf("backup: count %s: %w", t, err)
		}
		s.counts[t] = n
	}
	if err := q("SELECT COALESCE(MAX(version_id), 0) FROM goose_db_version WHERE is_applied", nil, &s.migration); err != nil {
		return nil, fmt.Errorf("backup: migration version: %w", err)
	}
	var id, sha string
	var report int64
	err := q("SELECT blob_id, report_id, sha256 FROM attachments ORDER BY id", func([]any) error {
		s.blobs = append(s.blobs, snapBlob{id: id, ad: string(haven.AttachmentAD(report)), plainSHA: sha})
		return nil
	}, &id, &report, &sha)
	if err != nil {
		return nil, fmt.Errorf("backup: list attachments: %w", err)
	}
	err = q("SELECT blob_id FROM esp_files WHERE blob_id <> '' ORDER BY id", func([]any) error {
		s.blobs = append(s.blobs, snapBlob{id: id})
		return nil
	}, &id)
	if err != nil {
		return nil, fmt.Errorf("backup: list ESP files: %w", err)
	}
	return s, nil
}

func sqlRows(ctx context.Context, db interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}) rowsFunc {
	return func(query string, each func([]any) error, dest ...any) error {
		rows, err := db.QueryContext(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		return eachRow(rows, each, dest)
	}
}

// eachRow scans every row of rows (database/sql's or pgx's) into dest and
// calls each (if not nil) after each row.
func eachRow(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}, each func([]any) error, dest []any) error {
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return err
		}
		if each != nil {
			if err := each(dest); err != nil {
				return err
			}
		}
	}
	return rows.Err()
}

func quoteSQL(name string) string { return `"` + strings.ReplaceAll(name, `"`, `""`) + `"` }

// openSQLiteRO opens an SQLite file read-only (never creating it, never migrating it).
func openSQLiteRO(path string) (*sql.DB, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	u := url.URL{Scheme: "file", Path: abs, RawQuery: url.Values{"mode": {"ro"}, "_pragma": {"busy_timeout(10000)"}}.Encode()}
	return sql.Open("sqlite", u.String())
}

func sqliteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	var tables []string
	var name string
	err := sqlRows(ctx, db)(`SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\' ORDER BY name`,
		func([]any) error { tables = append(tables, name); return nil }, &name)
	return tables, err
}

// backupSQLite snapshots the database with VACUUM INTO and adds it to the archive.
//
// Why VACUUM INTO rather than the online backup API: VACUUM INTO reads the
// whole database inside one read transaction, which in WAL mode is a
// snapshot that writers (this process's or a running `haven serve`'s) do
// not wait for and cannot disturb. The backup API copies pages in steps
// and restarts whenever another connection writes between steps, so under
// a steady stream of writes from another process it may never finish
// (unless it copies everything in one step, which holds the same read
// transaction VACUUM INTO does). VACUUM INTO also writes a compact file,
// and is plain SQL, with no driver-specific API.
//
// The snapshot is a plaintext file: it is created next to the live
// database (mode 0600, same folder, same protection as the database
// itself) and removed before backupSQLite returns, whatever happens.
func backupSQLite(ctx context.Context, dbPath string, aw *archiveWriter) (*dbSnapshot, error) {
	if st, err := os.Stat(dbPath); err != nil || st.Size() == 0 {
		return nil, haven.FieldError("db", "no SQLite database at %s", dbPath)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dbPath), ".haven-backup-*.db")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp.Close()
	defer os.Remove(tmp.Name())
	src, err := openSQLiteRO(dbPath)
	if err != nil {
		return nil, fmt.Errorf("backup: open %s: %w", dbPath, err)
	}
	defer src.Close()
	if _, err := src.ExecContext(ctx, "VACUUM INTO ?", tmp.Name()); err != nil {
		return nil, fmt.Errorf("backup: snapshot %s: %w", dbPath, err)
	}
	src.Close()

	snapDB, err := openSQLiteRO(tmp.Name())
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer snapDB.Close()
	tables, err := sqliteTables(ctx, snapDB)
	if err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	snap, err := describeSnapshot(tables, quoteSQL, sqlRows(ctx, snapDB))
	if err != nil {
		return nil, err
	}
	snapDB.Close()

	f, err := os.Open(tmp.Name())
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	return snap, aw.add(memberSQLite, st.Size(), f)
}

// libpqURL turns Haven's postgres:// URL (which pgx reads) into one for
// libpq's tools: search_path and pgx's own parameters are dropped, and the
// password is returned apart, for PGPASSWORD, so that it does not show in
// the process list.
func libpqURL(db string) (conn, password string, err error) {
	u, err := url.Parse(db)
	if err != nil {
		return "", "", haven.FieldError("db", "not a PostgreSQL URL: %v", err)
	}
	q := u.Query()
	for k := range q {
		switch {
		case k == "search_path", strings.HasPrefix(k, "pool_"), strings.HasSuffix(k, "_cache_capacity"),
			k == "default_query_exec_mode", k == "min_read_buffer_size":
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	if u.User != nil {
		password, _ = u.User.Password()
		u.User = url.User(u.User.Username())
	}
	return u.String(), password, nil
}

// pgTool finds pg_dump or pg_restore on PATH.
func pgTool(name string) (string, error) {
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("%s is not on PATH: install the PostgreSQL client tools of the server's major version (Debian: postgresql-client) to back up or restore a PostgreSQL database", name)
	}
	return p, nil
}

func pgCommand(ctx context.Context, tool, password string, args ...string) *exec.Cmd {
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Env = os.Environ()
	if password != "" {
		cmd.Env = append(cmd.Env, "PGPASSWORD="+password)
	}
	return cmd
}

// backupPostgres exports a snapshot from a repeatable-read transaction,
// reads counts and the attachment list in it, and has pg_dump dump the
// schema from the same snapshot (--snapshot), streamed into the archive.
func backupPostgres(ctx context.Context, db string, aw *archiveWriter) (*dbSnapshot, error) {
	tool, err := pgTool("pg_dump")
	if err != nil {
		return nil, err
	}
	conninfo, password, err := libpqURL(db)
	if err != nil {
		return nil, err
	}
	conn, err := pgx.Connect(ctx, db)
	if err != nil {
		return nil, fmt.Errorf("backup: connect: %w", err)
	}
	defer conn.Close(context.WithoutCancel(ctx))
	tx, err := conn.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var snapshot string
	var schema *string
	if err := tx.QueryRow(ctx, "SELECT pg_export_snapshot(), current_schema()").Scan(&snapshot, &schema); err != nil {
		return nil, fmt.Errorf("backup: export snapshot: %w", err)
	}
	if schema == nil {
		return nil, haven.FieldError("db", "no schema on the URL's search_path exists: nothing to back up")
	}
	q := func(query string, each func([]any) error, dest ...any) error {
		rows, err := tx.Query(ctx, query)
		if err != nil {
			return err
		}
		defer rows.Close()
		return eachRow(rows, each, dest)
	}
	var tables []string
	var name string
	if err := q("SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY 1",
		func([]any) error { tables = append(tables, name); return nil }, &name); err != nil {
		return nil, fmt.Errorf("backup: list tables: %w", err)
	}
	if len(tables) == 0 {
		return nil, haven.FieldError("db", "schema %s holds no tables: nothing to back up", *schema)
	}
	snap, err := describeSnapshot(tables, func(t string) string { return pgx.Identifier{*schema, t}.Sanitize() }, q)
	if err != nil {
		return nil, err
	}
	snap.schema = *schema

	cmd := pgCommand(ctx, tool, password, "--format=custom", "--no-owner", "--no-privileges",
		"--snapshot="+snapshot, "--schema="+*schema, "--dbname="+conninfo)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("backup: pg_dump: %w", err)
	}
	copyErr := aw.addStream(memberPGPrefix, stdout)
	if copyErr != nil {
		cmd.Process.Kill()
	}
	waitErr := cmd.Wait()
	if copyErr != nil {
		return nil, copyErr
	}
	if waitErr != nil {
		return nil, fmt.Errorf("backup: pg_dump failed: %v: %s", waitErr, strings.TrimSpace(stderr.String()))
	}
	return snap, nil
}

// addBlob adds one encrypted attachment file, as stored, to the archive.
func addBlob(aw *archiveWriter, dataDir, id string) error {
	if !blobMemberPattern.MatchString("attachments/" + safePrefix(id) + "/" + id) {
		return fmt.Errorf("backup: the database refers to a malformed attachment file name %q", id)
	}
	p := filepath.Join(dataDir, filepath.FromSlash(blobMember(id)))
	f, err := os.Open(p)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("backup: attachment file %s is missing, though the database snapshot refers to it: it was deleted since (run the backup again), or --data-dir %s is not the server's data folder; no backup was written", p, dataDir)
	} else if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return aw.add(blobMember(id), st.Size(), f)
}

func safePrefix(id string) string {
	if len(id) < 2 {
		return ""
	}
	return id[:2]
}

// sortedTables returns the table names of counts in order.
func sortedTables(counts map[string]int64) []string {
	ts := make([]string, 0, len(counts))
	for t := range counts {
		ts = append(ts, t)
	}
	sort.Strings(ts)
	return ts
}
