package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAgencyImportDryRunThenImportThenExportRoundTrips(t *testing.T) {
	ev := dataEnv(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "directory.csv")
	csv := "name,kind,level,state,counties,zips,phone_24x7,contact_name,contact_email\n" +
		"Example County Sheriff,law_enforcement,local,TX,TX:Travis County,78701,512-555-0140,Sam Rivera,sam@example.com\n" +
		"Example Family Services,child_welfare,state,NM,,,505-555-0170,,\n"
	if err := os.WriteFile(in, []byte(csv), 0o600); err != nil {
		t.Fatal(err)
	}
	dry := runHaven(t, ev, "", "agency", "import", "--dry-run", in)
	if dry.code != nil || !strings.Contains(dry.out, "dry run, nothing written; would import: 2 added") {
		t.Fatalf("dry run: %v\n%s%s", dry.code, dry.out, dry.err)
	}
	if l := runHaven(t, ev, "", "agency", "list"); strings.Contains(l.out, "Example County Sheriff") {
		t.Fatalf("the dry run wrote:\n%s", l.out)
	}
	if r := runHaven(t, ev, "", "agency", "import", in); r.code != nil || !strings.Contains(r.out, "imported: 2 added") {
		t.Fatalf("import: %v\n%s", r.code, r.out)
	}
	out := filepath.Join(dir, "export.csv")
	if r := runHaven(t, ev, "", "agency", "export", out); r.code != nil {
		t.Fatalf("export: %v %s", r.code, r.err)
	}
	again := runHaven(t, ev, "", "agency", "import", out)
	if again.code != nil || !strings.Contains(again.out, "imported: 0 added, 0 changed, 2 unchanged") {
		t.Fatalf("re-import of the export: %v\n%s", again.code, again.out)
	}

	bad := filepath.Join(dir, "bad.csv")
	if err := os.WriteFile(bad, []byte("name,kind,level,state,zips,phone_24x7\nExample Clinic,service_provider,private,TX,00000,512-555-0181\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runHaven(t, ev, "", "agency", "import", bad)
	if r.code == nil || !strings.Contains(r.out, `line 2 (Example Clinic): zips: "00000" is not a known US ZIP code`) {
		t.Fatalf("a bad row: %v\n%s", r.code, r.out)
	}
}
