package demo_test

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/demo"
	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

func TestLoadStoresEveryRecordThroughTheService(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	store, err := sqlite.Open(ctx, filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer store.Close()
	k, err := keys.New()
	if err != nil {
		t.Fatal(err)
	}
	svc := haven.NewService(store, k, k, slog.New(slog.NewTextHandler(io.Discard, nil)))
	base := time.Date(2026, 11, 25, 9, 0, 0, 0, time.UTC)
	svc.Now = func() time.Time { return base.Add(time.Hour) }

	d := demo.Generate(3, 2500, base) // more than one report batch
	want := demo.Stats(d)
	loaded, err := demo.Load(ctx, svc, d)
	if err != nil {
		t.Fatal(err)
	}
	if loaded.Agencies != len(d.Agencies) || loaded.Children != len(d.Children) || loaded.Reports != len(d.Reports) ||
		loaded.Cases != len(d.Cases) || len(loaded.Users) != len(d.Users) {
		t.Errorf("Load says it stored %+v", loaded)
	}

	// Count through the store, not through what Load says.
	all := haven.Scope{All: true}
	var agencies, users, children, reports, cases, yes, audit int
	var byChannel map[string]int
	err = store.View(ctx, func(tx haven.Tx) (err error) {
		if agencies, err = tx.CountAgencies(ctx, haven.AgencyFilter{}); err != nil {
			return err
		}
		if users, err = tx.CountUsers(ctx, haven.UserFilter{}); err != nil {
			return err
		}
		if children, err = tx.CountChildren(ctx, haven.ChildFilter{Scope: all}); err != nil {
			return err
		}
		if reports, err = tx.CountReports(ctx, haven.ReportFilter{Scope: all}); err != nil {
			return err
		}
		if byChannel, err = tx.CountReportsBy(ctx, haven.ReportFilter{Scope: all}, "channel"); err != nil {
			return err
		}
		if cases, err = tx.CountCases(ctx, haven.CaseFilter{Scope: all}); err != nil {
			return err
		}
		if yes, err = tx.CountCases(ctx, haven.CaseFilter{Scope: all, Determination: haven.DeterminationYes}); err != nil {
			return err
		}
		audit, err = tx.CountAudit(ctx, haven.AuditFilter{Action: "report.create"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what      string
		got, want int
	}{
		{"agencies", agencies, len(d.Agencies)},
		{"users", users, len(d.Users)},
		{"children", children, len(d.Children)},
		{"reports", reports, len(d.Reports)},
		{"cases", cases, len(d.Cases)},
		{"likely-victim cases", yes, want.RunawayLikelyVictims},
		{"report.create audit events", audit, len(d.Reports)},
	} {
		if c.got != c.want {
			t.Errorf("%s: %d stored, want %d", c.what, c.got, c.want)
		}
	}
	for _, c := range want.ByChannel {
		if byChannel[c.Key] != c.N {
			t.Errorf("%s reports: %d stored, want %d", c.Key, byChannel[c.Key], c.N)
		}
	}

	// A stored report reads back whole and still validates; its child
	// mention points at the child on file.
	for _, i := range []int{0, len(d.Reports) / 2, len(d.Reports) - 1} {
		orig := d.Reports[i]
		r, err := svc.GetReport(ctx, haven.System("test"), orig.ID, "")
		if err != nil {
			t.Fatal(err)
		}
		if err := r.Validate(base.Add(time.Hour)); err != nil {
			t.Errorf("stored report %d: %v", r.ID, err)
		}
		if r.Narrative != orig.Narrative || len(r.Identifiers) != len(orig.Identifiers) || len(r.People) != len(orig.People) ||
			len(r.Places) != len(orig.Places) || r.Priority != orig.Priority || r.Status != orig.Status || !r.ReceivedAt.Equal(orig.ReceivedAt) {
			t.Errorf("report %d does not read back as generated:\n got %+v\nwant %+v", r.ID, r, orig)
		}
		if l := d.ReportLinks[i]; l.Child >= 0 && r.People[0].ChildID != d.Children[l.Child].ID {
			t.Errorf("report %d: child mention points at %d, want child %d", r.ID, r.People[0].ChildID, d.Children[l.Child].ID)
		}
	}
	c, err := svc.GetCase(ctx, haven.System("test"), d.Cases[0].Case.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(c.ReportIDs) != len(d.Cases[0].Reports) {
		t.Errorf("case %d joins %d reports, want %d", c.ID, len(c.ReportIDs), len(d.Cases[0].Reports))
	}

	// Every account has a TOTP secret, and the officer is bound to an agency.
	for _, u := range loaded.Users {
		if u.TOTPSecret == "" || u.Password != demo.Password {
			t.Errorf("user %s: no TOTP secret or not the demo password", u.User.Username)
		}
		if u.User.Role == haven.RoleOfficer && (u.User.AgencyID == 0 || u.Agency == "") {
			t.Errorf("officer %s has no agency", u.User.Username)
		}
	}
	if _, err := svc.SignInPassword(ctx, "analyst", demo.Password, "127.0.0.1", "test"); err != nil {
		t.Errorf("the analyst cannot sign in with the demo password: %v", err)
	}

	// Every write was audited, and the chain holds.
	if _, err := svc.VerifyAudit(ctx); err != nil {
		t.Error(err)
	}
}
