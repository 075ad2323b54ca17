package espclient_test

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"io"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-oss/haven/internal/attachments"
	"github.com/haven-oss/haven/internal/espclient"
	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/keys"
	"github.com/haven-oss/haven/internal/sqlite"
)

// server starts a real Haven server on SQLite and returns a client for a
// new ESP account, and the service.
func server(t *testing.T) (*espclient.Client, *haven.Service) {
	t.Helper()
	dir := t.TempDir()
	db, err := sqlite.Open(context.Background(), filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	k, err := keys.New()
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	svc := haven.NewService(db, k, k, log)
	if svc.Blobs, err = attachments.New(filepath.Join(dir, "attachments"), k); err != nil {
		t.Fatal(err)
	}
	h := havenhttp.New(havenhttp.Options{Service: svc, Store: db, Log: log, Version: "test", SecureCookies: true})
	ts := httptest.NewServer(h.Handler())
	t.Cleanup(ts.Close)
	acct, pw, err := svc.CreateEspAccount(context.Background(), haven.System("test"), "examplechat")
	if err != nil {
		t.Fatal(err)
	}
	return &espclient.Client{BaseURL: ts.URL + "/ispws", User: acct.Name, Password: pw}, svc
}

const report = `<report><incidentSummary><incidentType>Online Enticement of Children for Sexual Acts</incidentType>` +
	`<incidentDateTime>2026-11-01T10:00:00Z</incidentDateTime></incidentSummary>` +
	`<reporter><reportingPerson><email>reports@example.com</email></reportingPerson></reporter>` +
	`<personOrUserReported><espIdentifier>acct-1</espIdentifier><screenName>handle_1</screenName></personOrUserReported>` +
	`<additionalInfo>Synthetic test report.</additionalInfo></report>`

func TestAReportGoesThroughItsWholeLifecycle(t *testing.T) {
	c, svc := server(t)
	ctx := context.Background()
	if r, err := c.Status(ctx); err != nil || r.Code != 0 {
		t.Fatalf("status: %+v %v", r, err)
	}
	id, err := c.Submit(ctx, []byte(report))
	if err != nil || id == "" {
		t.Fatalf("submit: %q %v", id, err)
	}
	data := []byte("Moderator note: synthetic test file.\n")
	up, err := c.Upload(ctx, id, "note.txt", data)
	sum := md5.Sum(data)
	if err != nil || len(up.FileID) != 32 || up.Hash != hex.EncodeToString(sum[:]) {
		t.Fatalf("upload: %+v %v", up, err)
	}
	details := `<fileDetails><reportId>` + id + `</reportId><fileId>` + up.FileID + `</fileId><originalFileName>note.txt</originalFileName></fileDetails>`
	if err := c.FileInfo(ctx, []byte(details)); err != nil {
		t.Fatalf("fileinfo: %v", err)
	}
	done, err := c.Finish(ctx, id)
	if err != nil || done.ReportID != id || len(done.FileIDs) != 1 || done.FileIDs[0] != up.FileID {
		t.Fatalf("finish: %+v %v", done, err)
	}
	rs, err := svc.ListReports(ctx, haven.System("test"), haven.ReportFilter{Channel: haven.ChannelESP})
	if err != nil || len(rs) != 1 {
		t.Fatalf("ESP reports stored: %d %v", len(rs), err)
	}

	// Finishing again is refused with the protocol's code, as an *Error.
	_, err = c.Finish(ctx, id)
	if e := espclient.AsError(err); e == nil || e.Code != 5102 || e.Status < 400 {
		t.Errorf("second finish: %v", err)
	}
	// Sending the same report again is a retry: the same report, no other.
	if again, err := c.Submit(ctx, []byte(report)); err == nil && again != id {
		t.Errorf("the same report sent again opened report %s, not %s", again, id)
	}
	// A retracted report cannot be finished.
	id2, err := c.Submit(ctx, []byte(strings.Replace(report, "Synthetic test report.", "Another synthetic test report.", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Retract(ctx, id2); err != nil {
		t.Fatalf("retract: %v", err)
	}
	if _, err := c.Finish(ctx, id2); espclient.AsError(err) == nil || espclient.AsError(err).Code != 5101 {
		t.Errorf("finish after retract: %v", err)
	}
}

func TestRefusalsAreProtocolErrors(t *testing.T) {
	c, _ := server(t)
	ctx := context.Background()
	bad := *c
	bad.Password = "wrong"
	_, err := bad.Submit(ctx, []byte(report))
	if e := espclient.AsError(err); e == nil || e.Status != 401 || e.Code != 2000 {
		t.Errorf("wrong password: %v", err)
	}
	_, err = c.Submit(ctx, []byte("<report><incidentSummary></report>"))
	if e := espclient.AsError(err); e == nil || e.Code != 4110 {
		t.Errorf("malformed XML: %v", err)
	}
	// A network failure is not a refusal by the server.
	down := espclient.Client{BaseURL: "http://127.0.0.1:1/ispws", User: "x", Password: "y"}
	if _, err := down.Status(ctx); err == nil || espclient.AsError(err) != nil {
		t.Errorf("no server: %v", err)
	}
}
