package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/jobs"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := newFlagSet("serve", "haven serve [flags]")
	var sf storeFlags
	sf.register(fs, e)
	var sv serverFlags
	sv.register(fs, e, ":8080")
	if err := parse(fs, e, args); err != nil {
		return err
	}
	a, err := sf.open(ctx, newLogger(e, sv.logFormat))
	if err != nil {
		return err
	}
	defer a.Close()
	return serve(ctx, e, a, sv, nil)
}

// serverFlags are the flags of the commands that run the server.
type serverFlags struct {
	addr      string
	tlsCert   string
	tlsKey    string
	logFormat string
}

func (sv *serverFlags) register(fs interface {
	StringVar(*string, string, string, string)
}, e env, defAddr string) {
	fs.StringVar(&sv.addr, "addr", envOr(e, "HAVEN_ADDR", defAddr), "address to listen on (env HAVEN_ADDR)")
	fs.StringVar(&sv.tlsCert, "tls-cert", e.getenv("HAVEN_TLS_CERT"), "TLS certificate file (serve HTTPS; otherwise put Haven behind a TLS proxy)")
	fs.StringVar(&sv.tlsKey, "tls-key", e.getenv("HAVEN_TLS_KEY"), "TLS private key file")
	fs.StringVar(&sv.logFormat, "log-format", envOr(e, "HAVEN_LOG_FORMAT", "json"), "log format: json or text")
}

// serve runs the HTTP server until ctx ends, then shuts down gracefully,
// letting requests in flight finish. ready, if not nil, receives the URL once
// the server listens.
func serve(ctx context.Context, e env, a *app, sv serverFlags, ready func(url string)) error {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := havenhttp.New(havenhttp.Options{Service: a.svc, Store: a.store, Log: a.log, Registry: reg, Version: Version, SecureCookies: true})
	ln, err := net.Listen("tcp", sv.addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", sv.addr, err)
	}
	srv := &http.Server{
		Handler:           h.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       2 * time.Minute, // uploads
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          nil,
	}
	scheme := "http"
	if sv.tlsCert != "" {
		scheme = "https"
	}
	url := fmt.Sprintf("%s://%s/", scheme, displayAddr(ln.Addr()))
	a.log.Info("listening", "url", url, "db", a.store.Dialect(), "version", Version)
	if ready != nil {
		ready(url)
	}
	// Background jobs run beside the server and stop with it.
	runner := jobs.NewRunner(a.store, a.log)
	runner.Handlers[haven.JobIngestReport] = jobs.Ingest(a.svc)
	runner.Handlers[haven.JobEspExpire] = func(ctx context.Context, j *haven.Job) error { return a.svc.ExpireEspSubmission(ctx, j.RecordID) }
	a.svc.Committed = runner.Wake
	jctx, stopJobs := context.WithCancel(context.Background())
	jobsDone := make(chan struct{})
	go func() { runner.Run(jctx); close(jobsDone) }()
	defer func() { stopJobs(); <-jobsDone }()

	errc := make(chan error, 1)
	go func() {
		if sv.tlsCert != "" {
			errc <- srv.ServeTLS(ln, sv.tlsCert, sv.tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	a.log.Info("shutting down: finishing requests in flight")
	sctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	a.log.Info("stopped")
	return nil
}

// displayAddr turns a listener address into one a browser can open
// (0.0.0.0 and :: become localhost).
func displayAddr(addr net.Addr) string {
	tcp, ok := addr.(*net.TCPAddr)
	if !ok || tcp.IP.IsUnspecified() {
		if ok {
			return fmt.Sprintf("localhost:%d", tcp.Port)
		}
	}
	return addr.String()
}
