package agencycsv_test

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/agencycsv"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/postgres"
	"github.com/haven-oss/haven/internal/postgres/pgtest"
	"github.com/haven-oss/haven/internal/sqlite"
)

var sys = haven.System("test")

// eachStore runs body on a fresh SQLite database and a fresh PostgreSQL
// schema (skipped loudly without HAVEN_TEST_POSTGRES).
func eachStore(t *testing.T, body func(t *testing.T, svc *haven.Service)) {
	for _, name := range []string{"sqlite", "postgres"} {
		t.Run(name, func(t *testing.T) {
			var st haven.Store
			var err error
			if name == "sqlite" {
				st, err = sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "haven.db"))
			} else {
				st, err = postgres.Open(context.Background(), pgtest.URL(t))
			}
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { st.Close() })
			k, _, err := keys.LoadOrCreate(filepath.Join(t.TempDir(), "haven.keys"))
			if err != nil {
				t.Fatal(err)
			}
			body(t, haven.NewService(st, k, k, slog.New(slog.NewTextHandler(io.Discard, nil))))
		})
	}
}

const directory = `name,kind,level,state,states,counties,zips,phone_24x7,email,address,city,active,contact_name,contact_title,contact_phone,contact_email,contact2_name,contact2_title,contact2_phone,contact2_email
Example County Sheriff,law_enforcement,local,TX,,TX:Travis County;48491,78701;78702-1234,512-555-0140,dispatch@example.com,1 Example Way,Austin,yes,Sam Rivera,Lieutenant,512-555-0141,,Ana Cole,,,ana@example.com
Example Nation Police,law_enforcement,tribal,AZ,,04001;35031,,928-555-0150,,,,yes,,,,,,,,
Example Regional Task Force,task_force,state,OK,OK;TX,,,,icac@example.com,,,yes,,,,,,,,
Example Federal Bureau,law_enforcement,federal,DC,,,,202-555-0160,,,,yes,,,,,,,,
Example Family Services,child_welfare,state,NM,NM,,,505-555-0170,,,,no,,,,,,,,
`

func importString(t *testing.T, svc *haven.Service, csv string, dry bool) (*haven.AgencyImportResult, error) {
	t.Helper()
	rows, err := agencycsv.Read(strings.NewReader(csv))
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return svc.ImportAgencies(context.Background(), sys, rows, dry)
}

func export(t *testing.T, svc *haven.Service) string {
	t.Helper()
	as, err := svc.ExportAgencies(context.Background(), sys)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := agencycsv.Write(&b, as); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestImportingAnExportAgainChangesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service) {
		ctx := context.Background()
		res, err := importString(t, svc, directory, false)
		if err != nil || len(res.Created) != 5 || len(res.Updated) != 0 {
			t.Fatalf("first import: %+v, %v", res, err)
		}
		ag, err := svc.AgencyByName(ctx, sys, "Example County Sheriff")
		if err != nil {
			t.Fatal(err)
		}
		if strings.Join(ag.Counties, ";") != "48453;48491" || strings.Join(ag.ZIPs, ";") != "78701;78702" ||
			len(ag.Contacts) != 2 || ag.Contacts[1].Email != "ana@example.com" {
			t.Fatalf("the sheriff was imported as %+v", ag)
		}
		first := export(t, svc)
		if !strings.Contains(first, "TX:Travis County;TX:Williamson County") {
			t.Errorf("the export does not name counties as a spreadsheet user reads them:\n%s", first)
		}
		res, err = importString(t, svc, first, false)
		if err != nil || len(res.Created) != 0 || len(res.Updated) != 0 || res.Unchanged != 5 {
			t.Fatalf("re-import of the export: %+v, %v", res, err)
		}
		if second := export(t, svc); second != first {
			t.Fatalf("the directory changed on re-import:\n%s\nthen\n%s", first, second)
		}
		events, _, err := svc.ListAudit(ctx, sys, haven.AuditFilter{Action: "agency.update"})
		if err != nil || len(events) != 0 {
			t.Fatalf("the re-import recorded changes: %d, %v", len(events), err)
		}
	})
}

func TestAnImportWithABadRowLandsNothingAndNamesEveryBadLine(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service) {
		ctx := context.Background()
		bad := directory +
			"Example Town Police,law_enforcement,local,TX,,TX:Atlantis,,512-555-0180,,,,yes,,,,,,,,\n" +
			"Example Clinic,service_provider,private,TX,,,99999,512-555-0181,,,,maybe,,,,,,,,\n" +
			"Example County Sheriff,law_enforcement,local,TX,,,,512-555-0182,,,,yes,,,,,,,,\n"
		res, err := importString(t, svc, bad, false)
		if haven.ErrorCode(err) != haven.EINVALID {
			t.Fatalf("a file with bad rows was taken: %v", err)
		}
		var got []string
		for _, p := range res.Problems {
			got = append(got, p.String())
		}
		want := []string{
			`line 7 (Example Town Police): counties: "TX:Atlantis" is not a known county`,
			`line 8 (Example Clinic): active: "maybe" is not yes or no`,
			`line 9 (Example County Sheriff): name: the agency "Example County Sheriff" is also on line 2`,
		}
		if len(got) != len(want) {
			t.Fatalf("problems:\n%s", strings.Join(got, "\n"))
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("problem %d: %s\nwant %s…", i, got[i], want[i])
			}
		}
		if n, err := svc.ListAgencies(ctx, sys, haven.AgencyFilter{}); err != nil || len(n) != 0 {
			t.Fatalf("the good rows of a bad file landed: %d agencies, %v", len(n), err)
		}
	})
}

func TestADryRunReportsWhatWouldChangeAndChangesNothing(t *testing.T) {
	eachStore(t, func(t *testing.T, svc *haven.Service) {
		ctx := context.Background()
		if _, err := importString(t, svc, directory, false); err != nil {
			t.Fatal(err)
		}
		before := export(t, svc)
		edited := strings.Replace(before, "512-555-0140", "512-555-0149", 1) +
			"Example Youth Shelter,service_provider,private,TX,,TX:Travis,,,shelter@example.com,,,yes,,,,,,,,\n"
		res, err := importString(t, svc, edited, true)
		if err != nil {
			t.Fatal(err)
		}
		if !res.DryRun || strings.Join(res.Created, ",") != "Example Youth Shelter" ||
			strings.Join(res.Updated, ",") != "Example County Sheriff: phone_24x7" || res.Unchanged != 4 {
			t.Fatalf("dry run result %+v", res)
		}
		if after := export(t, svc); after != before {
			t.Fatalf("the dry run changed the directory:\n%s", after)
		}
		if _, err := svc.AgencyByName(ctx, sys, "Example Youth Shelter"); haven.ErrorCode(err) != haven.ENOTFOUND {
			t.Fatalf("the dry run added an agency: %v", err)
		}
	})
}

func TestAFileThatIsNotADirectoryIsRefusedWithItsLine(t *testing.T) {
	cases := []struct{ name, file, want string }{
		{"empty", "", "the file is empty"},
		{"unknown column", "name,colour\nA,red\n", `unknown column "colour"`},
		{"no name column", "kind\nlaw_enforcement\n", "no name column"},
		{"a short row", "name,kind\nA,law_enforcement\nB\n", "line 3: this row has a different number of columns"},
		{"a stray quote", "name,kind\n\"A,law_enforcement\n", "quotation mark"},
		{"a column twice", "name,name\nA,B\n", "appears twice"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := agencycsv.Read(strings.NewReader(c.file))
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Read: %v, want %q", err, c.want)
			}
		})
	}
}

func TestASpreadsheetsDroppedLeadingZerosAreRestored(t *testing.T) {
	rows, err := agencycsv.Read(strings.NewReader("\ufeffname,counties,zips\nExample Police,1001;48453,2134;78701\n"))
	if err != nil {
		t.Fatal(err)
	}
	a := rows[0].Agency
	if strings.Join(a.Counties, ";") != "01001;48453" || strings.Join(a.ZIPs, ";") != "02134;78701" || rows[0].Line != 2 {
		t.Fatalf("read %+v at line %d", a, rows[0].Line)
	}
}
