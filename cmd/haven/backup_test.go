package main

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"filippo.io/age"
	"github.com/jackc/pgx/v5"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
)

// backupStore is one Haven installation in a test: its data folder and --db.
type backupStore struct {
	dir, db string
}

func (s backupStore) env() map[string]string {
	return map[string]string{"HAVEN_DATA_DIR": s.dir, "HAVEN_DB": s.db}
}

func (s backupStore) open(t *testing.T) *app {
	t.Helper()
	sf := storeFlags{db: s.db, dataDir: s.dir}
	a, err := sf.open(context.Background(), newLogger(env{stderr: io.Discard}, "text"))
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// addAttachment adds a small synthetic text file to report id.
func addAttachment(ctx context.Context, a *app, reportID int64, n int) error {
	body := fmt.Sprintf("Synthetic case note %d for report %d: caller described a fictional online ad.\n", n, reportID)
	_, _, err := a.svc.AddReportAttachment(ctx, haven.System("test"), haven.Once{}, reportID, fmt.Sprintf("note-%d.txt", n), "text/plain", "api", strings.NewReader(body))
	return err
}

// loadDemo loads a small synthetic data set and an attachment on each of
// the first few reports.
func loadDemo(t *testing.T, s backupStore) {
	t.Helper()
	a := s.open(t)
	defer a.Close()
	ctx := context.Background()
	if _, err := demo.Load(ctx, a.svc, demo.Generate(7, 30, time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC))); err != nil {
		t.Fatal(err)
	}
	for id := int64(1); id <= 6; id++ {
		if err := addAttachment(ctx, a, id, int(id)); err != nil {
			t.Fatal(err)
		}
	}
}

// dumpTables returns every row of every table, each table ordered by all
// its columns (the primary key first), values printed.
func dumpTables(t *testing.T, s backupStore) map[string][]string {
	t.Helper()
	a := s.open(t)
	defer a.Close()
	db := a.store.(interface{ SQL() *sql.DB }).SQL()
	list := `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'`
	if isPostgres(s.db) {
		list = `SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`
	}
	var tables []string
	rows, err := db.Query(list)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var n string
		rows.Scan(&n)
		tables = append(tables, n)
	}
	rows.Close()
	out := map[string][]string{}
	for _, table := range tables {
		rows, err := db.Query("SELECT * FROM " + quoteSQL(table) + " LIMIT 0")
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		rows.Close()
		order := make([]string, len(cols))
		for i := range cols {
			order[i] = fmt.Sprint(i + 1)
		}
		rows, err = db.Query("SELECT * FROM " + quoteSQL(table) + " ORDER BY " + strings.Join(order, ", "))
		if err != nil {
			t.Fatal(err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		out[table] = []string{}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			var b strings.Builder
			for _, v := range vals {
				if bs, ok := v.([]byte); ok {
					v = hex.EncodeToString(bs)
				}
				fmt.Fprintf(&b, "%v|", v)
			}
			out[table] = append(out[table], b.String())
		}
		rows.Close()
	}
	return out
}

// attachmentPlaintexts decrypts every attachment file of the store with its key file.
func attachmentPlaintexts(t *testing.T, s backupStore) map[string]string {
	t.Helper()
	a := s.open(t)
	defer a.Close()
	db := a.store.(interface{ SQL() *sql.DB }).SQL()
	rows, err := db.Query("SELECT blob_id, report_id FROM attachments ORDER BY id")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var blob string
		var report int64
		rows.Scan(&blob, &report)
		f, err := os.Open(filepath.Join(s.dir, "attachments", blob[:2], blob))
		if err != nil {
			t.Fatal(err)
		}
		r, err := a.keys.DecryptingReader(f, haven.AttachmentAD(report))
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(r)
		f.Close()
		if err != nil {
			t.Fatalf("decrypt %s: %v", blob, err)
		}
		out[blob] = string(b)
	}
	return out
}

// ageKeys writes an age identity file and returns it with its public key.
func ageKeys(t *testing.T) (identityFile, recipient string) {
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, "backup.agekey", id.String()+"\n"), id.Recipient().String()
}

func copyKeyFile(t *testing.T, from, to backupStore) {
	b, err := os.ReadFile(filepath.Join(from.dir, "haven.keys"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(to.dir, "haven.keys"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// pgRestoreTarget makes a fresh database (dropped at the end of the test)
// and returns its URL with search_path set to a schema named unlike the
// source's: PostgreSQL cannot restore a schema under a name that exists in
// the same database, so a restored copy lives in a database of its own.
func pgRestoreTarget(t *testing.T) string {
	base := pgtest.BaseURL(t)
	var b [6]byte
	rand.Read(b[:])
	name := "haven_restore_" + hex.EncodeToString(b[:])
	exec := func(stmt string) {
		conn, err := pgx.Connect(context.Background(), base)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), stmt); err != nil {
			t.Errorf("%s: %v", stmt, err)
		}
	}
	exec("CREATE DATABASE " + name)
	t.Cleanup(func() { exec("DROP DATABASE " + name + " WITH (FORCE)") })
	u, _ := url.Parse(base)
	u.Path = "/" + name
	q := u.Query()
	q.Set("search_path", "haven_restored")
	u.RawQuery = q.Encode()
	return u.String()
}

type dialectCase struct {
	name   string
	source func(t *testing.T, dir string) string
	target func(t *testing.T, dir string) string
}

var backupDialects = []dialectCase{
	{"sqlite", func(t *testing.T, dir string) string { return filepath.Join(dir, "haven.db") },
		func(t *testing.T, dir string) string { return filepath.Join(dir, "restored", "haven.db") }},
	{"postgres", func(t *testing.T, dir string) string { return pgtest.URL(t) },
		func(t *testing.T, dir string) string { return pgRestoreTarget(t) }},
}

func TestBackupAndRestoreRoundTripEveryRecordAndAttachment(t *testing.T) {
	t.Parallel()
	for _, dc := range backupDialects {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			srcDir := t.TempDir()
			src := backupStore{dir: srcDir, db: dc.source(t, srcDir)}
			loadDemo(t, src)
			identity, recipient := ageKeys(t)
			archive := filepath.Join(t.TempDir(), "haven.backup")
			r := runHaven(t, src.env(), "", "backup", "--out", archive, "--recipient", recipient)
			if r.code != nil {
				t.Fatalf("backup: %v\n%s", r.code, r.err)
			}
			if !strings.Contains(r.out, "6 attachment files") || !strings.Contains(r.out, "key file is not in the backup") {
				t.Fatalf("backup output: %s", r.out)
			}
			st, _ := os.Stat(archive)
			t.Logf("%s backup: %d bytes; %s", dc.name, st.Size(), strings.TrimSpace(r.out))
			// The archive is encrypted: no synthetic narrative shows in it.
			raw, _ := os.ReadFile(archive)
			if bytes.Contains(raw, []byte("Synthetic case note")) || bytes.Contains(raw, []byte("CREATE TABLE")) || !bytes.HasPrefix(raw, []byte("age-encryption.org/v1")) {
				t.Fatal("the archive is not age-encrypted")
			}

			dstDir := t.TempDir()
			dst := backupStore{dir: dstDir, db: dc.target(t, dstDir)}
			copyKeyFile(t, src, dst)
			r = runHaven(t, dst.env(), "", "restore", "--in", archive, "--identity", identity)
			if r.code != nil {
				t.Fatalf("restore: %v\n%s%s", r.code, r.out, r.err)
			}
			if !strings.Contains(r.out, "counts match the manifest") || !strings.Contains(r.out, "audit log intact") {
				t.Fatalf("restore output: %s", r.out)
			}
			want, got := dumpTables(t, src), dumpTables(t, dst)
			if len(want) < 20 {
				t.Fatalf("only %d tables", len(want))
			}
			for table, rows := range want {
				if !reflect.DeepEqual(rows, got[table]) {
					t.Errorf("table %s: %d rows in the source, %d restored, or they differ", table, len(rows), len(got[table]))
				}
			}
			if len(got) != len(want) {
				t.Errorf("%d tables restored, %d in the source", len(got), len(want))
			}
			wantFiles, gotFiles := attachmentPlaintexts(t, src), attachmentPlaintexts(t, dst)
			if len(wantFiles) != 6 || !reflect.DeepEqual(wantFiles, gotFiles) {
				t.Fatalf("attachments differ: %d source, %d restored", len(wantFiles), len(gotFiles))
			}

			// Restoring again over the restored copy is refused.
			r = runHaven(t, dst.env(), "", "restore", "--in", archive, "--identity", identity)
			if r.code == nil || !strings.Contains(r.code.Error(), "already holds") {
				t.Fatalf("restore over a full database: %v", r.code)
			}
			// With --force it replaces it.
			r = runHaven(t, dst.env(), "", "restore", "--in", archive, "--identity", identity, "--force")
			if r.code != nil {
				t.Fatalf("restore --force: %v", r.code)
			}
			if got := dumpTables(t, dst); !reflect.DeepEqual(got["reports"], want["reports"]) {
				t.Fatal("reports differ after restore --force")
			}
		})
	}
}

// TestBackupWhileAWriterInsertsRestoresOneConsistentMoment backs up while
// another connection keeps adding reports with attachments, and checks the
// restored copy is the source as of one moment: a prefix of the reports
// and of the audit chain, every referenced attachment file present.
func TestBackupWhileAWriterInsertsRestoresOneConsistentMoment(t *testing.T) {
	t.Parallel()
	for _, dc := range backupDialects {
		t.Run(dc.name, func(t *testing.T) {
			t.Parallel()
			srcDir := t.TempDir()
			src := backupStore{dir: srcDir, db: dc.source(t, srcDir)}
			loadDemo(t, src)
			identity, recipient := ageKeys(t)
			archive := filepath.Join(t.TempDir(), "haven.backup")

			a := src.open(t)
			defer a.Close()
			ctx, stop := context.WithCancel(context.Background())
			wrote := make(chan int, 1000)
			var wg sync.WaitGroup
			wg.Add(1)
			go func() { // the writer: a report and an attachment at a time
				defer wg.Done()
				for i := 0; ctx.Err() == nil; i++ {
					r := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking,
						Narrative: fmt.Sprintf("Synthetic concurrent report %d: a caller described a fictional ad.", i)}
					if err := a.svc.CreateReport(ctx, haven.System("test"), r); err != nil {
						if ctx.Err() == nil {
							t.Errorf("writer: %v", err)
						}
						return
					}
					if err := addAttachment(ctx, a, r.ID, 100+i); err != nil && ctx.Err() == nil {
						t.Errorf("writer attachment: %v", err)
						return
					}
					wrote <- i
				}
			}()
			for range 3 { // the writer is under way
				<-wrote
			}
			r := runHaven(t, src.env(), "", "backup", "--out", archive, "--recipient", recipient)
			// Let the writer go on past the backup: drain what it wrote
			// so far, then wait for two more, the second begun after the
			// backup returned, so the source ends ahead of the snapshot.
			for len(wrote) > 0 {
				<-wrote
			}
			<-wrote
			<-wrote
			stop()
			wg.Wait()
			if r.code != nil {
				t.Fatalf("backup: %v\n%s", r.code, r.err)
			}
			t.Logf("%s", strings.TrimSpace(r.out))

			dstDir := t.TempDir()
			dst := backupStore{dir: dstDir, db: dc.target(t, dstDir)}
			copyKeyFile(t, src, dst)
			r = runHaven(t, dst.env(), "", "restore", "--in", archive, "--identity", identity)
			if r.code != nil {
				t.Fatalf("restore: %v\n%s%s", r.code, r.out, r.err)
			}
			// The restore checked the counts against the manifest and the
			// audit chain end to end; now check the copy is one moment of
			// the source: append-only tables are a prefix of the source's.
			want, got := dumpTables(t, src), dumpTables(t, dst)
			for _, table := range []string{"audit_events", "attachments", "reports"} {
				n := len(got[table])
				if n == 0 || n >= len(want[table]) {
					t.Fatalf("%s: %d rows restored of %d: the backup was not taken while writing", table, n, len(want[table]))
				}
				if table == "reports" {
					continue // reports are updated after they land (triage, linking)
				}
				if !reflect.DeepEqual(got[table], want[table][:n]) {
					t.Errorf("%s: the restored rows are not the first %d rows of the source", table, n)
				}
			}
			// Every restored attachment's file is there and decrypts.
			files := attachmentPlaintexts(t, dst)
			if len(files) != len(got["attachments"]) {
				t.Fatalf("%d attachment files for %d rows", len(files), len(got["attachments"]))
			}
			// Referential integrity of the copy.
			b := dst.open(t)
			defer b.Close()
			db := b.store.(interface{ SQL() *sql.DB }).SQL()
			var orphans int
			if err := db.QueryRow("SELECT count(*) FROM attachments WHERE report_id NOT IN (SELECT id FROM reports)").Scan(&orphans); err != nil || orphans != 0 {
				t.Fatalf("%d attachments without their report (%v)", orphans, err)
			}
			if dc.name == "sqlite" {
				var fk int
				if err := db.QueryRow("SELECT count(*) FROM pragma_foreign_key_check").Scan(&fk); err != nil || fk != 0 {
					t.Fatalf("foreign key check: %d (%v)", fk, err)
				}
			}
		})
	}
}

// reencrypt decrypts archive, lets edit change its tar members, and
// encrypts it again to recipient (as someone holding the public key could).
func reencrypt(t *testing.T, archive, identity, recipient string, edit func(name string, body []byte) []byte) string {
	t.Helper()
	f, _ := os.Open(archive)
	defer f.Close()
	idf, _ := os.Open(identity)
	ids, _ := age.ParseIdentities(idf)
	idf.Close()
	plain, err := age.Decrypt(f, ids...)
	if err != nil {
		t.Fatal(err)
	}
	rec, _ := age.ParseX25519Recipient(recipient)
	out := filepath.Join(t.TempDir(), "edited.backup")
	of, _ := os.Create(out)
	defer of.Close()
	enc, _ := age.Encrypt(of, rec)
	zr, err := gzip.NewReader(plain)
	if err != nil {
		t.Fatal(err)
	}
	zw := gzip.NewWriter(enc)
	tr, tw := tar.NewReader(zr), tar.NewWriter(zw)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			break
		}
		body, _ := io.ReadAll(tr)
		body = edit(h.Name, body)
		h.Size = int64(len(body))
		tw.WriteHeader(h)
		tw.Write(body)
	}
	tw.Close()
	zw.Close()
	enc.Close()
	return out
}

func TestRestoreRefusesBadArchivesAndWritesNothing(t *testing.T) {
	t.Parallel()
	srcDir := t.TempDir()
	src := backupStore{dir: srcDir, db: filepath.Join(srcDir, "haven.db")}
	loadDemo(t, src)
	identity, recipient := ageKeys(t)
	archive := filepath.Join(t.TempDir(), "haven.backup")
	if r := runHaven(t, src.env(), "", "backup", "--out", archive, "--recipient", recipient); r.code != nil {
		t.Fatalf("backup: %v", r.code)
	}
	pass := writeFile(t, "pass", "correct horse battery staple\n")
	passArchive := filepath.Join(t.TempDir(), "pass.backup")
	if r := runHaven(t, src.env(), "", "backup", "--out", passArchive, "--passphrase-file", pass); r.code != nil {
		t.Fatalf("backup with passphrase: %v", r.code)
	}
	if r := runHaven(t, src.env(), "", "backup", "--out", archive, "--recipient", recipient); r.code == nil || !strings.Contains(describe(r.code), "already exists") {
		t.Fatalf("backup over an existing file: %v", r.code)
	}
	if r := runHaven(t, src.env(), "", "backup", "--out", archive+"2"); r.code == nil || !strings.Contains(describe(r.code), "always encrypted") {
		t.Fatalf("backup without a key: %v", r.code)
	}

	raw, _ := os.ReadFile(archive)
	truncated := writeFile(t, "truncated.backup", string(raw[:len(raw)*2/3]))
	tampered := reencrypt(t, archive, identity, recipient, func(name string, body []byte) []byte {
		if strings.HasPrefix(name, "attachments/") {
			body = bytes.Clone(body)
			body[len(body)/2] ^= 1
		}
		return body
	})
	newer := reencrypt(t, archive, identity, recipient, func(name string, body []byte) []byte {
		if name == memberFormat {
			return bytes.Replace(body, []byte(`"format": 1`), []byte(`"format": 99`), 1)
		}
		return body
	})
	otherKeys := t.TempDir()
	k, _ := keys.New()
	k.Save(filepath.Join(otherKeys, "haven.keys"))

	for _, tc := range []struct {
		name, want string
		args       []string
		keyFile    string
	}{
		{"wrong passphrase", "wrong key", []string{"--in", passArchive, "--passphrase-file", writeFile(t, "p2", "not the passphrase\n")}, ""},
		{"wrong identity", "wrong key", []string{"--in", archive, "--identity", func() string { f, _ := ageKeys(t); return f }()}, ""},
		{"truncated archive", "damaged or truncated", []string{"--in", truncated, "--identity", identity}, ""},
		{"tampered member", "does not match the manifest", []string{"--in", tampered, "--identity", identity}, ""},
		{"newer format", "upgrade Haven", []string{"--in", newer, "--identity", identity}, ""},
		{"not a backup", "not a Haven backup", []string{"--in", writeFile(t, "x", "hello"), "--identity", identity}, ""},
		{"dialect mismatch", "dialect mismatch", []string{"--in", archive, "--identity", identity, "--db", "postgres://postgres@127.0.0.1:1/none"}, ""},
		{"wrong key file", "key file does not decrypt", []string{"--in", archive, "--identity", identity}, filepath.Join(otherKeys, "haven.keys")},
		{"no key file", "not part of a backup", []string{"--in", archive, "--identity", identity}, filepath.Join(otherKeys, "missing.keys")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dst := backupStore{dir: t.TempDir()}
			dst.db = filepath.Join(dst.dir, "haven.db")
			copyKeyFile(t, src, dst)
			args := append([]string{"restore", "--db", dst.db}, tc.args...)
			if tc.keyFile != "" {
				args = append(args, "--key-file", tc.keyFile)
			}
			r := runHaven(t, map[string]string{"HAVEN_DATA_DIR": dst.dir}, "", args...)
			if r.code == nil || !strings.Contains(describe(r.code), tc.want) || !strings.Contains(describe(r.code), "nothing was written") {
				t.Fatalf("want an error with %q and \"nothing was written\", got %v", tc.want, r.code)
			}
			ents, _ := os.ReadDir(dst.dir)
			if len(ents) != 1 || ents[0].Name() != "haven.keys" {
				var names []string
				for _, e := range ents {
					names = append(names, e.Name())
				}
				t.Fatalf("a refused restore left %v in the data folder", names)
			}
		})
	}

	for _, cmd := range []string{"backup", "restore"} {
		if r := runHaven(t, nil, "", cmd, "--help"); r.code != nil || !strings.Contains(r.out, "Usage: haven "+cmd) || !strings.Contains(r.out, "key file") {
			t.Errorf("haven %s --help: %v %q", cmd, r.code, r.out)
		}
	}
	// The passphrase archive restores with the right passphrase.
	dst := backupStore{dir: t.TempDir()}
	dst.db = filepath.Join(dst.dir, "haven.db")
	copyKeyFile(t, src, dst)
	if r := runHaven(t, dst.env(), "", "restore", "--in", passArchive, "--passphrase-file", pass); r.code != nil {
		t.Fatalf("restore with passphrase: %v", r.code)
	}
}
