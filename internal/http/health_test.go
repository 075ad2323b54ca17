package http_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
)

func TestHealthAndReadiness(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	r := c.get("/healthz")
	expectStatus(t, r, http.StatusOK)
	r = c.get("/readyz")
	expectStatus(t, r, http.StatusOK)
	if strings.TrimSpace(r.Body) != "ready" {
		t.Errorf("/readyz body = %q", r.Body)
	}
}

// downStore is a store whose database does not answer.
type downStore struct{ haven.Store }

func (downStore) Ping(context.Context) error { return errors.New("connection refused (10.0.0.9:5432)") }

func TestReadinessFailsWhenTheStoreDoesNotAnswer(t *testing.T) {
	srv := httptest.NewServer(havenhttp.New(havenhttp.Options{Store: downStore{}, Registry: prometheus.NewRegistry()}).Handler())
	defer srv.Close()
	for path, want := range map[string]int{"/healthz": 200, "/readyz": 503} {
		resp, err := http.Get(srv.URL + path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("%s = %d, want %d", path, resp.StatusCode, want)
		}
		if strings.Contains(string(b), "10.0.0.9") {
			t.Errorf("%s leaks the internal error: %q", path, b)
		}
	}
}

func TestMetricsCountRequestsByRoutePattern(t *testing.T) {
	e := newTestEnv(t)
	c := e.newClient()
	c.get("/healthz")
	c.get("/healthz")
	c.get("/no/such/page/123")
	c.get("/signin")
	r := c.get("/metrics")
	expectStatus(t, r, http.StatusOK)
	for _, want := range []string{
		`haven_http_requests_total{route="GET /healthz",status="200"} 2`,
		`haven_http_requests_total{route="GET /signin",status="200"} 1`,
		`haven_http_requests_total{route="/",status="404"} 1`,
		`haven_http_request_duration_seconds_bucket{route="GET /healthz",status="200",le="0.005"}`,
		"go_goroutines ",
		"process_resident_memory_bytes ",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
	if strings.Contains(r.Body, "/no/such/page") {
		t.Error("/metrics labels series with raw paths")
	}
	// The same series is on the registry the server was given.
	mfs, err := e.reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, mf := range mfs {
		found = found || mf.GetName() == "haven_http_requests_total"
	}
	if !found {
		t.Error("haven_http_requests_total is not on the registry passed in Options")
	}
}

func TestRequestLogsCarryTheRequestID(t *testing.T) {
	e := newTestEnv(t)
	r := e.newClient().get("/signin")
	id := r.Header.Get("X-Request-Id")
	if len(id) != 16 {
		t.Fatalf("X-Request-Id = %q", id)
	}
	logs := e.logs.String()
	if !strings.Contains(logs, "request_id="+id) || !strings.Contains(logs, `route="GET /signin"`) {
		t.Errorf("no log line for request %s:\n%s", id, logs)
	}
}
