package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
)

const restoreHelp = `haven restore --in FILE (--identity FILE | --passphrase-file FILE) [flags]

Restores a backup made by "haven backup" into the database named by --db
(and its attachment files into --data-dir). Stop Haven first.

The archive is read twice. The first pass decrypts it and checks
everything without writing anything: the format and dialect, the SHA-256 of
every member against the manifest, and that the key file decrypts a sample
attachment. The second pass writes: SQLite into a temporary file renamed
into place at the end; PostgreSQL with pg_restore --single-transaction into
the schema the URL's search_path selects. Row counts are then checked
against the manifest and the audit log's seals against the key file.

The key file is not in the backup: give the one the backed-up Haven used
(--key-file, default DATA_DIR/haven.keys). A database that already holds
tables, or a data folder with attachment files, is refused unless --force
(which replaces the database or drops the PostgreSQL schema first).`

// refused is the error of a restore that stopped before writing anything.
func refused(format string, a ...any) error {
	return fmt.Errorf("restore refused, nothing was written: "+format, a...)
}

func cmdRestore(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("restore", restoreHelp)
	var sf storeFlags
	sf.register(fs, e)
	fs.Lookup("key-file").Usage = "the key file of the Haven that made the backup; it is not in the backup and is never created by restore (env HAVEN_KEY_FILE; default DATA_DIR/haven.keys)"
	in := fs.String("in", "", "the archive to restore")
	identity := fs.String("identity", e.getenv("HAVEN_BACKUP_IDENTITY"), "age identity file (AGE-SECRET-KEY-...) the backup was encrypted to (env HAVEN_BACKUP_IDENTITY)")
	passFile := fs.String("passphrase-file", e.getenv("HAVEN_BACKUP_PASSPHRASE_FILE"), "file whose first line is the backup's passphrase (env HAVEN_BACKUP_PASSPHRASE_FILE)")
	force := fs.Bool("force", false, "replace a database that holds tables (PostgreSQL: drop the target schema) and write into a data folder that holds attachment files")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	if *in == "" {
		return haven.FieldError("in", "give --in FILE, the backup to restore")
	}
	ids, err := backupIdentities(*identity, *passFile)
	if err != nil {
		return err
	}
	db := sf.db
	if db == "" {
		db = filepath.Join(sf.dataDir, "haven.db")
	}
	dialect := "sqlite"
	if isPostgres(db) {
		dialect = "postgres"
	}
	keyFile := sf.keyFile
	if keyFile == "" {
		keyFile = filepath.Join(sf.dataDir, "haven.keys")
	}
	k, err := keys.Load(keyFile)
	if errors.Is(err, os.ErrNotExist) {
		return refused("no key file at %s. The key file is not part of a backup: copy the key file of the Haven that made the backup there, or name it with --key-file", keyFile)
	} else if err != nil {
		return refused("%v", err)
	}

	// Unwrap the file key once (a passphrase costs a second of scrypt),
	// then read the archive twice with it.
	fileKey, err := archiveFileKey(*in, ids)
	if err != nil {
		return err
	}
	key := age.NewInjectedFileKeyIdentity(fileKey)

	// Pass 1: verify everything, write nothing.
	m, err := readArchive(ctx, *in, key, dialect, nil, k)
	if err != nil {
		return refused("%v", err)
	}
	if latest := latestMigration(dialect); m.MigrationVersion > latest {
		return refused("the backup's database is at migration %d, newer than this Haven knows (%d): restore it with Haven %s or later", m.MigrationVersion, latest, m.HavenVersion)
	}

	var t restoreTarget
	if dialect == "sqlite" {
		t = &sqliteTarget{path: db}
	} else {
		t = &pgTarget{url: db, dumped: m.Schema}
	}
	if err := t.check(ctx, *force); err != nil {
		t.abort()
		return err
	}
	blobsDir := filepath.Join(sf.dataDir, "attachments")
	if !*force && hasFiles(blobsDir) {
		t.abort()
		return refused("%s already holds attachment files: restore into an empty data folder, or give --force", blobsDir)
	}

	// Pass 2: write, checking each member against the verified manifest
	// before it is kept.
	w := &restoreWriter{m: m, target: t, blobsDir: blobsDir, ctx: ctx}
	_, err = readArchive(ctx, *in, key, dialect, w.member, nil)
	if err == nil {
		err = w.commit(ctx)
	}
	if err != nil {
		w.abort()
		return fmt.Errorf("restore failed: %w", err)
	}
	if err := t.verifyCounts(ctx, m.Counts); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(e.stdout, "restored the %s database (migration %d, %d tables, counts match the manifest) and %d attachment files from %s (made %s by Haven %s)\n",
		m.Dialect, m.MigrationVersion, len(m.Counts), m.Attachments, *in, m.Created.Format("2006-01-02 15:04:05 MST"), m.HavenVersion)

	// Open it as Haven would (applying newer migrations) and check the
	// audit log's seals: they verify only with the installation's key file.
	sf.db, sf.keyFile = db, keyFile
	a, err := sf.open(ctx, newLogger(e, "text"))
	if err != nil {
		return fmt.Errorf("restore: open the restored database: %w", err)
	}
	defer a.Close()
	n, err := a.svc.VerifyAudit(ctx)
	var brk *haven.ChainBreak
	if errors.As(err, &brk) {
		return fmt.Errorf("restored, but the audit log does not verify with the key file %s (%s): is it the key file of the Haven that made this backup?", keyFile, brk.Error())
	} else if err != nil {
		return fmt.Errorf("restore: verify the audit log: %w", err)
	}
	fmt.Fprintf(e.stdout, "audit log intact: %d entries verified with the key file %s\n", n, keyFile)
	return nil
}

// archiveFileKey reads the archive's age header and unwraps its file key.
func archiveFileKey(name string, ids []age.Identity) ([]byte, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, refused("%v", err)
	}
	defer f.Close()
	hdr, err := age.ExtractHeader(f)
	if err != nil {
		return nil, refused("%s is not a Haven backup (not an age-encrypted file, or its header is damaged): %v", name, err)
	}
	key, err := age.DecryptHeader(hdr, ids...)
	var nomatch *age.NoIdentityMatchError
	if errors.As(err, &nomatch) {
		return nil, refused("wrong key: %s cannot be decrypted with the given identity or passphrase (%v)", name, err)
	} else if err != nil {
		return nil, refused("cannot decrypt %s: %v", name, err)
	}
	return key, nil
}

// readArchive decrypts and reads the archive, checking its format and
// dialect, and every member's SHA-256 and size against the manifest at its
// end; a damaged, truncated or tampered archive is an error. each, if set,
// is given every member but the two JSON ones; with k set, the key-check
// member is decrypted with the key file.
func readArchive(ctx context.Context, name string, key age.Identity, dialect string, each func(name string, r io.Reader) error, k *keys.Keys) (*backupManifest, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	plain, err := age.Decrypt(f, key)
	if err != nil {
		return nil, fmt.Errorf("the archive is damaged: %v", err)
	}
	damaged := func(err error) error {
		return fmt.Errorf("the archive is damaged or truncated (%v)", err)
	}
	zr, err := gzip.NewReader(plain)
	if err != nil {
		return nil, damaged(err)
	}
	zr.Multistream(false)
	tr := tar.NewReader(zr)
	var got []memberEntry
	var m *backupManifest
	var kc *keyCheck
	var keyErr error
	for i := 0; ; i++ {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h, err := tr.Next()
		if err == io.EOF {
			break
		} else if err != nil {
			return nil, damaged(err)
		}
		if m != nil {
			return nil, fmt.Errorf("the archive has a member %q after its manifest: it was altered", h.Name)
		}
		if i == 0 && h.Name != memberFormat {
			return nil, fmt.Errorf("not a Haven backup: its first member is %q, not %s", h.Name, memberFormat)
		}
		sum := sha256.New()
		body := io.TeeReader(tr, sum)
		switch {
		case h.Name == memberFormat || h.Name == memberManifest || h.Name == memberKeyCheck:
			b, err := io.ReadAll(io.LimitReader(body, 64<<20))
			if err != nil {
				return nil, damaged(err)
			}
			switch h.Name {
			case memberFormat:
				var hd backupHeader
				if err := json.Unmarshal(b, &hd); err != nil {
					return nil, fmt.Errorf("not a Haven backup: %s: %v", memberFormat, err)
				}
				if hd.Format > backupFormat {
					return nil, fmt.Errorf("the backup is in format %d, made by Haven %s; this Haven (%s) reads formats up to %d: upgrade Haven to restore it", hd.Format, hd.HavenVersion, Version, backupFormat)
				}
				if hd.Dialect != dialect {
					return nil, fmt.Errorf("dialect mismatch: the backup holds a %s database and --db names a %s one; restore it into a %s database (to move between them, use export and import)", hd.Dialect, dialect, hd.Dialect)
				}
			case memberKeyCheck:
				kc = new(keyCheck)
				if err := json.Unmarshal(b, kc); err != nil {
					return nil, damaged(err)
				}
			case memberManifest:
				m = new(backupManifest)
				if err := json.Unmarshal(b, m); err != nil {
					return nil, damaged(err)
				}
				continue // the manifest does not list itself
			}
		case k != nil && kc != nil && h.Name == kc.Member:
			// A failure is reported after the hashes: a tampered
			// member is named as such, not blamed on the key file.
			keyErr = checkKey(k, body, kc)
		case each != nil:
			if err := each(h.Name, body); err != nil {
				return nil, err
			}
		}
		if _, err := io.Copy(io.Discard, body); err != nil {
			return nil, damaged(err)
		}
		got = append(got, memberEntry{Name: h.Name, Size: h.Size, SHA256: hex.EncodeToString(sum.Sum(nil))})
	}
	// age authenticates the stream to its very end: reading on past tar's
	// end-of-archive blocks catches a truncated or extended file.
	if _, err := io.Copy(io.Discard, zr); err != nil {
		return nil, damaged(err)
	}
	if n, err := io.Copy(io.Discard, plain); err != nil {
		return nil, damaged(err)
	} else if n > 0 {
		return nil, fmt.Errorf("the archive has %d bytes after its end: it was altered", n)
	}
	if m == nil {
		return nil, fmt.Errorf("the archive is damaged or truncated: it has no manifest")
	}
	if len(got) != len(m.Members) {
		return nil, fmt.Errorf("the archive holds %d members but its manifest lists %d: it was altered", len(got), len(m.Members))
	}
	for i, g := range got {
		want := m.Members[i]
		if g.Name != want.Name || g.Size != want.Size || g.SHA256 != want.SHA256 {
			return nil, fmt.Errorf("member %s does not match the manifest (SHA-256 %s, expected %s for %s): the archive was altered", g.Name, g.SHA256, want.SHA256, want.Name)
		}
	}
	if m.Dialect != dialect || m.Format > backupFormat {
		return nil, fmt.Errorf("the manifest does not match the archive's format.json: the archive was altered")
	}
	if k != nil && m.KeyCheck != nil && (kc == nil || *kc != *m.KeyCheck) {
		return nil, fmt.Errorf("the archive's key check does not match its manifest: it was altered")
	}
	return m, keyErr
}

// checkKey decrypts the key-check attachment with the key file and compares
// its plaintext with the SHA-256 the database recorded.
func checkKey(k *keys.Keys, ciphertext io.Reader, kc *keyCheck) error {
	wrong := fmt.Errorf("the key file does not decrypt this backup's attachments: it is not the key file of the Haven that made the backup (the key file is kept apart from backups; find the right one)")
	r, err := k.DecryptingReader(ciphertext, []byte(kc.AssociatedData))
	if err != nil {
		return wrong
	}
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return wrong
	}
	if hex.EncodeToString(h.Sum(nil)) != kc.PlainSHA256 {
		return wrong
	}
	return nil
}

func hasFiles(dir string) bool {
	found := false
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			found = true
			return filepath.SkipAll
		}
		return nil
	})
	return found
}

// restoreTarget is a database being restored into.
type restoreTarget interface {
	// check refuses a target that holds tables (unless force) or cannot be restored into.
	check(ctx context.Context, force bool) error
	// database receives the database members in order; finish completes the
	// restore of the database; abort undoes what can be undone.
	database(ctx context.Context, name string, r io.Reader, check func(sum []byte, n int64) error) error
	finish(ctx context.Context) error
	abort()
	verifyCounts(ctx context.Context, counts map[string]int64) error
}

// restoreWriter is pass 2's member handler.
type restoreWriter struct {
	m        *backupManifest
	target   restoreTarget
	blobsDir string
	i        int      // index into m.Members of the next member
	staged   []string // attachment files written under a temporary name
	ctx      context.Context
}

func (w *restoreWriter) member(name string, r io.Reader) error {
	// Find the member in the verified manifest (format.json and
	// keycheck.json are not passed here but are in the list).
	for w.i < len(w.m.Members) && w.m.Members[w.i].Name != name {
		w.i++
	}
	if w.i == len(w.m.Members) {
		return fmt.Errorf("the archive changed since it was checked: unexpected member %s", name)
	}
	want := w.m.Members[w.i]
	w.i++
	// Members are checked against the manifest before they are kept: a
	// database part is held in memory (at most dumpPartSize for
	// PostgreSQL), an attachment written under a temporary name.
	check := func(sum []byte, n int64) error {
		if hex.EncodeToString(sum) != want.SHA256 || n != want.Size {
			return fmt.Errorf("the archive changed since it was checked: member %s no longer matches the manifest", name)
		}
		return nil
	}
	switch {
	case name == memberSQLite || strings.HasPrefix(name, memberPGPrefix):
		return w.target.database(w.ctx, name, r, check)
	case blobMemberPattern.MatchString(name):
		final := filepath.Join(w.blobsDir, filepath.FromSlash(strings.TrimPrefix(name, "attachments/")))
		if err := os.MkdirAll(filepath.Dir(final), 0o700); err != nil {
			return err
		}
		tmp := final + ".restoring"
		f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
		if err != nil {
			return err
		}
		w.staged = append(w.staged, tmp)
		return writeChecked(f, r, check)
	}
	return fmt.Errorf("the archive holds an unknown member %s", name)
}

func (w *restoreWriter) commit(ctx context.Context) error {
	if err := w.target.finish(ctx); err != nil {
		return err
	}
	for _, tmp := range w.staged {
		if err := os.Rename(tmp, strings.TrimSuffix(tmp, ".restoring")); err != nil {
			return err
		}
	}
	w.staged = nil
	return nil
}

func (w *restoreWriter) abort() {
	for _, tmp := range w.staged {
		os.Remove(tmp)
	}
	w.target.abort()
}

// sqliteTarget restores into an SQLite file: the snapshot is written to a
// temporary file beside it and renamed over it once everything checked out.
type sqliteTarget struct {
	path string
	tmp  string
}

func (t *sqliteTarget) check(ctx context.Context, force bool) error {
	st, err := os.Stat(t.path)
	if errors.Is(err, os.ErrNotExist) || (err == nil && st.Size() == 0) {
		return nil
	} else if err != nil {
		return refused("%v", err)
	}
	db, err := openSQLiteRO(t.path)
	if err != nil {
		return refused("%v", err)
	}
	defer db.Close()
	tables, err := sqliteTables(ctx, db)
	if err != nil {
		return refused("%s is not an SQLite database Haven can replace: %v", t.path, err)
	}
	if len(tables) > 0 && !force {
		return refused("the database %s already holds %d tables: restore into a new path, or give --force to replace it (stop Haven first)", t.path, len(tables))
	}
	return nil
}

func (t *sqliteTarget) database(ctx context.Context, name string, r io.Reader, check func([]byte, int64) error) error {
	if err := os.MkdirAll(filepath.Dir(t.path), 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(t.path), ".haven-restore-*.db")
	if err != nil {
		return err
	}
	t.tmp = f.Name()
	return writeChecked(f, r, check)
}

// writeChecked copies r into f, syncs and closes f, then hands the copy's
// SHA-256 and length to check.
func writeChecked(f *os.File, r io.Reader, check func([]byte, int64) error) error {
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(f, h), r)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	return check(h.Sum(nil), n)
}

func (t *sqliteTarget) finish(ctx context.Context) error {
	if t.tmp == "" {
		return errors.New("the archive holds no database")
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(t.path + suffix); err != nil && !errors.Is(err, os.ErrNotExist) {
			return err
		}
	}
	if err := os.Rename(t.tmp, t.path); err != nil {
		return err
	}
	t.tmp = ""
	return nil
}

func (t *sqliteTarget) abort() {
	if t.tmp != "" {
		os.Remove(t.tmp)
	}
}

func (t *sqliteTarget) verifyCounts(ctx context.Context, counts map[string]int64) error {
	db, err := openSQLiteRO(t.path)
	if err != nil {
		return err
	}
	defer db.Close()
	return compareCounts(counts, func(table string) (int64, error) {
		var n int64
		err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+quoteSQL(table)).Scan(&n)
		return n, err
	})
}

func compareCounts(counts map[string]int64, count func(string) (int64, error)) error {
	for _, table := range sortedTables(counts) {
		n, err := count(table)
		if err != nil {
			return fmt.Errorf("count %s: %w", table, err)
		}
		if n != counts[table] {
			return fmt.Errorf("table %s has %d rows after the restore, the manifest says %d", table, n, counts[table])
		}
	}
	return nil
}

// pgTarget restores into the PostgreSQL schema the URL's search_path
// selects (the first one; "public" without one). pg_dump names every
// object with its schema and pg_restore cannot rename one, so the dump is
// restored under the schema it was taken from, in one transaction, and
// renamed to the target afterwards when the names differ.
type pgTarget struct {
	url, dumped string
	schema      string // the target
	conninfo    string
	password    string
	tool        string
	conn        *pgx.Conn
	cmd         *cmdPipe
	dropped     bool
}

func (t *pgTarget) targetSchema() string {
	if u, err := url.Parse(t.url); err == nil {
		if v := u.Query().Get("search_path"); v != "" {
			v, _, _ = strings.Cut(v, ",")
			return strings.Trim(strings.TrimSpace(v), `"`)
		}
	}
	return "public"
}

func (t *pgTarget) check(ctx context.Context, force bool) error {
	var err error
	if t.tool, err = pgTool("pg_restore"); err != nil {
		return refused("%v", err)
	}
	if t.conninfo, t.password, err = libpqURL(t.url); err != nil {
		return err
	}
	t.schema = t.targetSchema()
	if t.conn, err = pgx.Connect(ctx, t.url); err != nil {
		return refused("connect to the target database: %v", err)
	}
	var tables int
	if err := t.conn.QueryRow(ctx, "SELECT count(*) FROM information_schema.tables WHERE table_schema = $1", t.schema).Scan(&tables); err != nil {
		return refused("%v", err)
	}
	if tables > 0 && !force {
		return refused("schema %s of the target database already holds %d tables: restore into an empty schema, or give --force to drop it first (stop Haven first)", t.schema, tables)
	}
	if t.dumped != t.schema {
		var exists bool
		if err := t.conn.QueryRow(ctx, "SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)", t.dumped).Scan(&exists); err != nil {
			return refused("%v", err)
		}
		if exists {
			return refused("the backup holds schema %s, which already exists in the target database, and PostgreSQL restores a schema under its own name before Haven renames it to %s: restore into another database, or drop or rename schema %s first", t.dumped, t.schema, t.dumped)
		}
	}
	return nil
}

func (t *pgTarget) database(ctx context.Context, name string, r io.Reader, check func([]byte, int64) error) error {
	data, err := io.ReadAll(io.LimitReader(r, dumpPartSize+1))
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if err := check(sum[:], int64(len(data))); err != nil {
		return err
	}
	if t.cmd == nil {
		// The target schema is empty (or --force): drop it, so that
		// pg_restore creates the dumped one.
		if _, err := t.conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{t.schema}.Sanitize()+" CASCADE"); err != nil {
			return err
		}
		t.dropped = true
		t.cmd, err = startPipe(pgCommand(ctx, t.tool, t.password, "--single-transaction", "--exit-on-error", "--no-owner", "--no-privileges", "--dbname="+t.conninfo))
		if err != nil {
			return err
		}
	}
	_, err = t.cmd.stdin.Write(data)
	if err != nil {
		return fmt.Errorf("pg_restore: %v: %s", err, t.cmd.stderr.String())
	}
	return nil
}

func (t *pgTarget) finish(ctx context.Context) error {
	if t.cmd == nil {
		return errors.New("the archive holds no database")
	}
	if err := t.cmd.finish(); err != nil {
		return err
	}
	t.cmd = nil
	if t.dumped != t.schema {
		if _, err := t.conn.Exec(ctx, "ALTER SCHEMA "+pgx.Identifier{t.dumped}.Sanitize()+" RENAME TO "+pgx.Identifier{t.schema}.Sanitize()); err != nil {
			return fmt.Errorf("rename schema %s to %s: %w", t.dumped, t.schema, err)
		}
	}
	t.dropped = false
	return nil
}

func (t *pgTarget) abort() {
	if t.cmd != nil {
		t.cmd.cmd.Process.Kill() // pg_restore's single transaction is never committed
		t.cmd.cmd.Wait()
	}
	if t.dropped && t.conn != nil {
		// Leave the (empty) target schema as it was found.
		t.conn.Exec(context.Background(), "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{t.schema}.Sanitize())
	}
	if t.conn != nil {
		t.conn.Close(context.Background())
	}
}

func (t *pgTarget) verifyCounts(ctx context.Context, counts map[string]int64) error {
	defer t.conn.Close(context.WithoutCancel(ctx))
	return compareCounts(counts, func(table string) (int64, error) {
		var n int64
		err := t.conn.QueryRow(ctx, "SELECT count(*) FROM "+pgx.Identifier{t.schema, table}.Sanitize()).Scan(&n)
		return n, err
	})
}

// cmdPipe is a started command fed through its standard input.
type cmdPipe struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stderr *bytes.Buffer
}

func startPipe(cmd *exec.Cmd) (*cmdPipe, error) {
	p := &cmdPipe{cmd: cmd, stderr: new(bytes.Buffer)}
	cmd.Stderr = p.stderr
	var err error
	if p.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", cmd.Path, err)
	}
	return p, nil
}

// finish closes standard input and waits for the command.
func (p *cmdPipe) finish() error {
	p.stdin.Close()
	if err := p.cmd.Wait(); err != nil {
		return fmt.Errorf("%s failed: %v: %s", filepath.Base(p.cmd.Path), err, strings.TrimSpace(p.stderr.String()))
	}
	return nil
}
