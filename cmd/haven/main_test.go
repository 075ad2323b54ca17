package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/postgres/pgtest"
)

// runHaven runs the binary's run() in-process with its own stdin, stdout,
// stderr and environment, as a shell would run `haven ARGS...`.
type result struct {
	out, err string
	code     error
}

func runHaven(t *testing.T, envv map[string]string, stdin string, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	e := env{stdin: strings.NewReader(stdin), stdout: &out, stderr: &errb, getenv: func(k string) string { return envv[k] }}
	err := run(context.Background(), e, args)
	return result{out.String(), errb.String(), err}
}

func dataEnv(t *testing.T) map[string]string {
	return map[string]string{"HAVEN_DATA_DIR": t.TempDir()}
}

func TestUserAddReadsThePasswordFromStdinAndPrintsTheTOTPSecret(t *testing.T) {
	ev := dataEnv(t)
	r := runHaven(t, ev, "a long enough passphrase\n", "user", "add", "ana", "--role", "analyst", "--name", "Ana Analyst")
	if r.code != nil {
		t.Fatalf("user add: %v\n%s", r.code, r.err)
	}
	if !regexp.MustCompile(`TOTP secret: [A-Z2-7]{16,}`).MatchString(r.out) || !strings.Contains(r.out, "otpauth://totp/") {
		t.Fatalf("user add printed no TOTP secret:\n%s", r.out)
	}
	list := runHaven(t, ev, "", "user", "list")
	if list.code != nil || !strings.Contains(list.out, "ana") || !strings.Contains(list.out, "analyst") || !strings.Contains(list.out, "not enrolled") {
		t.Fatalf("user list:\n%s %v", list.out, list.code)
	}
	// A second account with the same name is refused with a clear message.
	dup := runHaven(t, ev, "a long enough passphrase\n", "user", "add", "ana", "--role", "analyst")
	if dup.code == nil || !strings.Contains(describe(dup.code), "taken") {
		t.Fatalf("duplicate user add: %v", dup.code)
	}
	short := runHaven(t, ev, "short\n", "user", "add", "bob", "--role", "analyst")
	if short.code == nil || !strings.Contains(describe(short.code), "at least 12") {
		t.Fatalf("short password: %v", short.code)
	}
}

func TestOfficerNeedsAnAgencyAndGetsOneByName(t *testing.T) {
	ev := dataEnv(t)
	if r := runHaven(t, ev, "", "agency", "add", "Texas Department of Public Safety", "--kind", "law_enforcement", "--level", "state", "--state", "TX", "--phone", "512-555-0100"); r.code != nil {
		t.Fatalf("agency add: %v %s", r.code, r.err)
	}
	if r := runHaven(t, ev, "a long enough passphrase\n", "user", "add", "tex", "--role", "officer"); r.code == nil {
		t.Fatal("an officer without an agency was created")
	}
	r := runHaven(t, ev, "a long enough passphrase\n", "user", "add", "tex", "--role", "officer", "--agency", "Texas Department of Public Safety")
	if r.code != nil {
		t.Fatalf("officer with agency: %v", r.code)
	}
	if l := runHaven(t, ev, "", "agency", "list"); !strings.Contains(l.out, "Texas Department of Public Safety") || !strings.Contains(l.out, "TX") {
		t.Fatalf("agency list:\n%s", l.out)
	}
}

func TestDisableResetMFAAndToken(t *testing.T) {
	ev := dataEnv(t)
	runHaven(t, ev, "a long enough passphrase\n", "user", "add", "ana", "--role", "analyst")
	tok := runHaven(t, ev, "", "token", "add", "--name", "case system", "ana")
	if tok.code != nil || !strings.HasPrefix(tok.out, "hvn_") {
		t.Fatalf("token add: %q %v", tok.out, tok.code)
	}
	if r := runHaven(t, ev, "", "user", "reset-mfa", "ana"); r.code != nil || !strings.Contains(r.out, "new TOTP secret") {
		t.Fatalf("reset-mfa: %q %v", r.out, r.code)
	}
	if r := runHaven(t, ev, "", "user", "disable", "ana"); r.code != nil {
		t.Fatalf("disable: %v", r.code)
	}
	if l := runHaven(t, ev, "", "user", "list"); !strings.Contains(l.out, "disabled") {
		t.Fatalf("list after disable:\n%s", l.out)
	}
	if r := runHaven(t, ev, "", "user", "disable", "nobody"); r.code == nil || !strings.Contains(describe(r.code), "No account") {
		t.Fatalf("disable unknown: %v", r.code)
	}
	if v := runHaven(t, ev, "", "audit", "verify"); v.code != nil || !strings.Contains(v.out, "audit log intact") {
		t.Fatalf("audit verify: %q %v", v.out, v.code)
	}
}

func TestEveryCommandHasHelp(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"serve", "--help"}, {"demo", "--help"}, {"seed", "--help"}, {"migrate", "--help"},
		{"user", "--help"}, {"user", "add", "--help"}, {"user", "list", "--help"}, {"agency", "--help"}, {"token", "--help"},
		{"token", "add", "--help"}, {"audit", "verify", "--help"}} {
		r := runHaven(t, dataEnv(t), "", args...)
		if r.code != nil || !strings.Contains(strings.ToLower(r.out), "usage") {
			t.Errorf("haven %s: err %v, output %q", strings.Join(args, " "), r.code, r.out)
		}
	}
	if r := runHaven(t, nil, "", "frobnicate"); r.code == nil || !strings.Contains(r.err, "unknown command") {
		t.Errorf("unknown command: %v %q", r.code, r.err)
	}
	if r := runHaven(t, nil, "", "version"); r.code != nil || !strings.HasPrefix(r.out, "haven ") {
		t.Errorf("version: %q", r.out)
	}
}

func TestServeAnswersHealthAndShutsDownGracefully(t *testing.T) {
	ev := dataEnv(t)
	ev["HAVEN_ADDR"] = "127.0.0.1:0"
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	urls := make(chan string, 1)
	done := make(chan error, 1)
	go func() {
		var sf storeFlags
		sf.dataDir = ev["HAVEN_DATA_DIR"]
		e := env{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard, getenv: func(k string) string { return ev[k] }}
		a, err := sf.open(ctx, newLogger(e, "text"))
		if err != nil {
			done <- err
			return
		}
		defer a.Close()
		done <- serve(ctx, e, a, serverFlags{addr: "127.0.0.1:0"}, func(u string) { urls <- u })
	}()
	var base string
	select {
	case base = <-urls:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("server did not start")
	}
	for _, p := range []string{"healthz", "readyz"} {
		resp, err := http.Get(base + p)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("GET /%s: %v %v", p, resp, err)
		}
		resp.Body.Close()
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("shutdown: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("server did not shut down")
	}
	if _, err := os.Stat(filepath.Join(ev["HAVEN_DATA_DIR"], "haven.keys")); err != nil {
		t.Fatalf("serve did not create the key file: %v", err)
	}
}

// TestAuditVerifyNamesATamperedEntry edits one audit row behind Haven's
// back (after removing the database's append-only guard, as an intruder
// with database access could) on each store, and expects `haven audit
// verify` to fail and name that entry.
func TestAuditVerifyNamesATamperedEntry(t *testing.T) {
	for _, tc := range []struct {
		name   string
		db     func(t *testing.T, dir string) string
		disarm []string
	}{
		{"sqlite", func(t *testing.T, dir string) string { return filepath.Join(dir, "haven.db") },
			[]string{"DROP TRIGGER audit_events_no_update"}},
		{"postgres", func(t *testing.T, dir string) string { return pgtest.URL(t) },
			[]string{"ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			ev := map[string]string{"HAVEN_DATA_DIR": dir, "HAVEN_DB": tc.db(t, dir)}
			for _, u := range []string{"ana", "bea", "cal"} {
				if r := runHaven(t, ev, "a long enough passphrase\n", "user", "add", u, "--role", "analyst"); r.code != nil {
					t.Fatal(r.code)
				}
			}
			if r := runHaven(t, ev, "", "audit", "verify"); r.code != nil || !strings.Contains(r.out, "intact: 3 entries") {
				t.Fatalf("untouched log: %q %v", r.out, r.code)
			}
			var sf storeFlags
			sf.db, sf.dataDir = ev["HAVEN_DB"], dir
			a, err := sf.open(context.Background(), newLogger(env{stderr: io.Discard}, "text"))
			if err != nil {
				t.Fatal(err)
			}
			raw := a.store.(interface{ SQL() *sql.DB }).SQL()
			for _, stmt := range append(tc.disarm, "UPDATE audit_events SET detail = 'role supervisor' WHERE seq = 2") {
				if _, err := raw.Exec(stmt); err != nil {
					t.Fatalf("%s: %v", stmt, err)
				}
			}
			a.Close()
			r := runHaven(t, ev, "", "audit", "verify")
			if r.code == nil || !strings.Contains(r.out, "TAMPERED") || !strings.Contains(r.out, "entry 2") {
				t.Fatalf("tampered log: %q %v", r.out, r.code)
			}
		})
	}
}
