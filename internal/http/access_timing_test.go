package http_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

// TestNotFoundAndOtherAgencysRecordAreRefusedAlike: the time of a refusal
// must not tell a record that exists from one that does not, so both take
// the same path: the service looks the record up and refuses both alike,
// and audits both as the same refusal. (No timing is asserted here; the
// latencies are in BenchmarkRefusalNotFoundVersusOtherAgency and
// docs/benchmarks.md §9.)
func TestNotFoundAndOtherAgencysRecordAreRefusedAlike(t *testing.T) {
	ctx := context.Background()
	e := newTestEnv(t)
	a := e.createAgency("Reno Police Department", "law_enforcement", "NV")
	b := e.createAgency("Tulsa Police Department", "law_enforcement", "OK")
	off, _ := e.createUser("olivia.officer", "Olivia Officer", haven.RoleOfficer, a.ID)
	tok, _ := e.svc.CreateToken(ctx, sys, off.ID, "x")
	theirs := e.createReport(&haven.Report{State: "OK", AgencyID: b.ID})
	get := func(id int64) int {
		req, _ := http.NewRequest("GET", e.URL+"/api/v1/reports/"+itoa(id), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if s1, s2 := get(theirs.ID), get(theirs.ID+1000); s1 != http.StatusNotFound || s2 != http.StatusNotFound {
		t.Fatalf("B's report %d, a missing one %d; want 404 both", s1, s2)
	}
	denied := e.auditEvents(haven.AuditFilter{Actor: off.Username, Outcome: haven.OutcomeDenied})
	if len(denied) != 2 {
		t.Fatalf("%d refusals audited, want 2 (B's record and the missing one): %+v", len(denied), denied)
	}
	if denied[0].Action != denied[1].Action || denied[0].Outcome != denied[1].Outcome {
		t.Errorf("the two refusals are audited differently: %+v / %+v", denied[0], denied[1])
	}
}

// BenchmarkRefusalNotFoundVersusOtherAgency measures the latency of an
// officer's refused GET of another agency's report and of a report that does
// not exist, over real HTTP with a real SQLite file:
//
//	go test -run '^$' -bench RefusalNotFound -benchtime 2000x ./internal/http/
func BenchmarkRefusalNotFoundVersusOtherAgency(b *testing.B) {
	ctx := context.Background()
	dir := b.TempDir()
	db, err := sqlite.Open(ctx, filepath.Join(dir, "haven.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer db.Close()
	k, _, err := keys.LoadOrCreate(filepath.Join(dir, "haven.keys"))
	if err != nil {
		b.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := haven.NewService(db, k, k, log)
	srv := httptest.NewServer(havenhttp.New(havenhttp.Options{Service: svc, Store: db, Log: log, Registry: prometheus.NewRegistry(), Version: "bench"}).Handler())
	defer srv.Close()
	mk := func(name, st string) *haven.Agency {
		ag := &haven.Agency{Name: name, Kind: "law_enforcement", Level: haven.LevelLocal, State: st, Phone24x7: "202-555-0142", Email: "desk@example.com"}
		if err := svc.CreateAgency(ctx, sys, ag); err != nil {
			b.Fatal(err)
		}
		return ag
	}
	a, o := mk("Reno Police Department", "NV"), mk("Tulsa Police Department", "OK")
	u, _, err := svc.CreateUser(ctx, sys, haven.NewUser{Username: "olivia.officer", DisplayName: "Olivia Officer", Email: "olivia@example.com", Role: haven.RoleOfficer, AgencyID: a.ID, Password: testPassword})
	if err != nil {
		b.Fatal(err)
	}
	tok, _ := svc.CreateToken(ctx, sys, u.ID, "bench")
	rep := &haven.Report{Channel: haven.ChannelHotline, IncidentType: haven.IncidentSexTrafficking, State: "OK", AgencyID: o.ID,
		Narrative: "A caller was worried about a teenager seen with an older man at a motel (synthetic test data)."}
	if err := svc.CreateReport(ctx, sys, rep); err != nil {
		b.Fatal(err)
	}
	get := func(b *testing.B, id int64) {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/reports/"+itoa(id), nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusNotFound {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.Run("other-agency", func(b *testing.B) {
		for b.Loop() {
			get(b, rep.ID)
		}
	})
	b.Run("not-found", func(b *testing.B) {
		for b.Loop() {
			get(b, rep.ID+100000)
		}
	})
}
