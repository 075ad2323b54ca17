package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"net/netip"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/haven-oss/haven/internal/haven"
	havenhttp "github.com/haven-oss/haven/internal/http"
	"github.com/haven-oss/haven/internal/jobs"
	"github.com/haven-oss/haven/internal/mail"
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
	if err := sv.validate(); err != nil {
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
	// The public tip form's limit per client address, per server process:
	// tipRate tips an hour, tipBurst at once (0 = tipRate). 0 and 0 (as in
	// a serverFlags literal) take the defaults of internal/http.
	tipRate, tipBurst int
	envErr            error // a HAVEN_* variable that is not a number
	// trustedProxy is --trusted-proxy as given, trustedEnv
	// HAVEN_TRUSTED_PROXIES (the flag wins); validate parses them into
	// trustedProxies.
	trustedProxy, trustedEnv string
	trustedProxies           []netip.Prefix
	// smtpURL, when set, sends notifications by email too (validate
	// parses it into smtp); publicURL makes the links in them absolute.
	smtpURL, publicURL string
	smtp               *mail.SMTP
	// referralEscalate is --referral-escalate-after as given (or
	// HAVEN_REFERRAL_ESCALATE_AFTER); validate parses it into
	// referralEscalateAfter: how long a referral may stay unacknowledged
	// before the supervisors are told.
	referralEscalate      string
	referralEscalateAfter time.Duration
	// debugAddr, when set, serves Go's profiler on a second, loopback-only
	// listener (for an operator diagnosing a slow server).
	debugAddr string
}

// defaultReferralEscalateAfter is how long a referral may wait for the
// agency's acknowledgement before the supervisors are told.
const defaultReferralEscalateAfter = 4 * time.Hour

// referralEscalateEvery is how often the escalation task looks.
const referralEscalateEvery = 5 * time.Minute

// Defaults of the tip form's limit (as internal/http's).
const defaultTipRate = 10

func (sv *serverFlags) register(fs interface {
	StringVar(*string, string, string, string)
	IntVar(*int, string, int, string)
}, e env, defAddr string) {
	fs.StringVar(&sv.addr, "addr", envOr(e, "HAVEN_ADDR", defAddr), "address to listen on (env HAVEN_ADDR)")
	fs.StringVar(&sv.tlsCert, "tls-cert", e.getenv("HAVEN_TLS_CERT"), "TLS certificate file (serve HTTPS; otherwise put Haven behind a TLS proxy)")
	fs.StringVar(&sv.tlsKey, "tls-key", e.getenv("HAVEN_TLS_KEY"), "TLS private key file")
	fs.StringVar(&sv.logFormat, "log-format", envOr(e, "HAVEN_LOG_FORMAT", "json"), "log format: json or text")
	fs.IntVar(&sv.tipRate, "tip-rate", sv.envInt(e, "HAVEN_TIP_RATE", defaultTipRate),
		"public tip form: tips each client address may send per hour, per server process (env HAVEN_TIP_RATE)")
	fs.IntVar(&sv.tipBurst, "tip-burst", sv.envInt(e, "HAVEN_TIP_BURST", 0),
		"public tip form: tips each client address may send at once before --tip-rate applies; 0 = the rate (env HAVEN_TIP_BURST)")
	fs.StringVar(&sv.smtpURL, "smtp-url", e.getenv("HAVEN_SMTP_URL"),
		"`smtp://[user:password@]host[:port]?from=address`: also send notifications by email through this server, with STARTTLS "+
			"(smtps:// for TLS from the start; &security=none only for a local relay without TLS) (env HAVEN_SMTP_URL; default: in the app only)")
	fs.StringVar(&sv.publicURL, "public-url", e.getenv("HAVEN_PUBLIC_URL"),
		"the address staff open Haven at, e.g. https://haven.example.org, for the links in emails (env HAVEN_PUBLIC_URL)")
	fs.StringVar(&sv.referralEscalate, "referral-escalate-after", envOr(e, "HAVEN_REFERRAL_ESCALATE_AFTER", defaultReferralEscalateAfter.String()),
		"`duration` (e.g. 4h, 90m) a referral may wait for the agency's acknowledgement before the supervisors are notified "+
			"and it is listed on the deadline page (env HAVEN_REFERRAL_ESCALATE_AFTER)")
	fs.StringVar(&sv.debugAddr, "debug-addr", e.getenv("HAVEN_DEBUG_ADDR"),
		"`host:port` on the loopback interface (e.g. 127.0.0.1:6060) to also serve Go's profiler at /debug/pprof/, for diagnosing a slow server "+
			"(env HAVEN_DEBUG_ADDR; default off; other addresses are refused: profiles show memory)")
	sv.trustedEnv = e.getenv("HAVEN_TRUSTED_PROXIES")
	fs.StringVar(&sv.trustedProxy, "trusted-proxy", "",
		"`CIDR[,CIDR...]`: the proxies or load balancers in front of Haven; for a request from one, the client address is "+
			"the right-most in X-Forwarded-For that is not one of them (env HAVEN_TRUSTED_PROXIES; default none: X-Forwarded-For is not read)")
}

// envInt reads a whole-number environment variable (def when unset),
// remembering a malformed one for validate.
func (sv *serverFlags) envInt(e env, name string, def int) int {
	v := e.getenv(name)
	if v == "" {
		return def
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil && sv.envErr == nil {
		sv.envErr = haven.FieldError(name, "%s is %q; give a whole number", name, v)
	}
	if err != nil {
		return def
	}
	return n
}

// validate checks the flags after parsing; the error names the flag.
func (sv *serverFlags) validate() error {
	if sv.envErr != nil {
		return sv.envErr
	}
	if sv.tipRate < 1 || sv.tipRate > maxTipLimit {
		return haven.FieldError("tip-rate", "--tip-rate is the number of tips per client address per hour: a whole number from 1 to %d", maxTipLimit)
	}
	if sv.tipBurst < 0 || sv.tipBurst > maxTipLimit {
		return haven.FieldError("tip-burst", "--tip-burst is the number of tips a client address may send at once: a whole number from 0 (the rate) to %d", maxTipLimit)
	}
	name, list := "--trusted-proxy", sv.trustedProxy
	if list == "" {
		name, list = "HAVEN_TRUSTED_PROXIES", sv.trustedEnv
	}
	ps, err := parseTrustedProxies(list)
	if err != nil {
		return haven.FieldError(strings.TrimPrefix(name, "--"), "%s: %v", name, err)
	}
	sv.trustedProxies = ps
	if sv.smtpURL != "" {
		if sv.smtp, err = mail.ParseURL(sv.smtpURL); err != nil {
			return haven.FieldError("smtp-url", "--smtp-url: %v", err)
		}
	}
	if sv.referralEscalate == "" {
		sv.referralEscalate = defaultReferralEscalateAfter.String()
	}
	d, err := time.ParseDuration(strings.TrimSpace(sv.referralEscalate))
	if err != nil || d < time.Minute || d > 30*24*time.Hour {
		return haven.FieldError("referral-escalate-after", "--referral-escalate-after is a duration such as 4h or 90m, from 1m to 720h; it is %q", sv.referralEscalate)
	}
	sv.referralEscalateAfter = d
	if sv.debugAddr != "" {
		host, _, err := net.SplitHostPort(sv.debugAddr)
		ip, perr := netip.ParseAddr(host)
		if err != nil || (host != "localhost" && (perr != nil || !ip.IsLoopback())) {
			return haven.FieldError("debug-addr", "--debug-addr is a loopback address and port such as 127.0.0.1:6060 (the profiler must not be reachable from the network); it is %q", sv.debugAddr)
		}
	}
	if sv.publicURL != "" {
		if u, err := url.Parse(sv.publicURL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			return haven.FieldError("public-url", "--public-url is the address staff open Haven at, such as https://haven.example.org")
		}
	}
	return nil
}

// mailer sends the service's notification emails through mail.SMTP.
type mailer struct{ s *mail.SMTP }

func (m mailer) Send(ctx context.Context, to, subject, body string) error {
	return m.s.Send(ctx, mail.Message{To: to, Subject: subject, Body: body})
}

// parseTrustedProxies reads a list of address ranges separated by commas:
// CIDR ranges (10.0.0.0/8, 2001:db8::/32) or single addresses.
func parseTrustedProxies(list string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, item := range strings.Split(list, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		var p netip.Prefix
		var err error
		if strings.Contains(item, "/") {
			p, err = netip.ParsePrefix(item)
		} else {
			var a netip.Addr
			if a, err = netip.ParseAddr(item); err == nil && a.Zone() == "" {
				p = netip.PrefixFrom(a, a.BitLen())
			}
		}
		if err != nil || !p.IsValid() {
			return nil, fmt.Errorf("%q is not an address range such as 10.0.0.0/8 or 2001:db8::/32, nor an address such as 192.0.2.10", item)
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// storeOptimizeEvery is how often the server refreshes the query planner's
// statistics (Store.Optimize).
const storeOptimizeEvery = 3 * time.Hour

// serverGCPercent is the garbage collector's target the server runs with
// unless GOGC is set: each request leaves much short-lived garbage, and at
// Go's default (100) the collector took about a tenth of the CPU of an ESP
// burst. At 400, the same burst took 0.87 times the CPU, 0.93 times the
// time, and a peak of 152 MiB instead of 100 MiB (docs/benchmarks.md, 4).
const serverGCPercent = 400

// maxTipLimit bounds --tip-rate and --tip-burst.
const maxTipLimit = 1_000_000

// serve runs the HTTP server until ctx ends, then shuts down gracefully,
// letting requests in flight finish. ready, if not nil, receives the URL once
// the server listens.
func serve(ctx context.Context, e env, a *app, sv serverFlags, ready func(url string)) error {
	if e.getenv("GOGC") == "" {
		debug.SetGCPercent(serverGCPercent)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	h := havenhttp.New(havenhttp.Options{Service: a.svc, Store: a.store, Log: a.log, Registry: reg, Version: Version, SecureCookies: true,
		Tips: havenhttp.TipOptions{PerHour: sv.tipRate, Burst: sv.tipBurst}, TrustedProxies: sv.trustedProxies})
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
	// The profiler is up before the server says it is ready.
	if sv.debugAddr != "" {
		stop, err := serveProfiler(sv.debugAddr, a.log)
		if err != nil {
			ln.Close()
			return err
		}
		defer stop()
	}
	url := fmt.Sprintf("%s://%s/", scheme, displayAddr(ln.Addr()))
	a.log.Info("listening", "url", url, "db", a.store.Dialect(), "version", Version)
	if ready != nil {
		ready(url)
	}
	// Background jobs run beside the server and stop with it.
	runner := jobs.NewRunner(a.store, a.log)
	runner.Handlers[haven.JobIngestReport] = jobs.Ingest(a.svc)
	// The planner's statistics, where the database does not keep them
	// itself (SQLite), refreshed every few hours as the data grows.
	if o, ok := a.store.(interface{ Optimize(context.Context) error }); ok {
		runner.Every("store.optimize", storeOptimizeEvery, o.Optimize)
	}
	// Notifications go by email too when an SMTP server is set.
	a.svc.PublicURL = sv.publicURL
	if sv.smtp != nil {
		a.svc.Mailer = mailer{sv.smtp}
		runner.Handlers[haven.JobEmailNotification] = jobs.EmailNotification(a.svc)
	}
	// Every report is linked once it commits, in its ingest job (linking.go).
	addLinking(a.svc, a.keys)
	// Then triaged, after linking (triage.go).
	addTriage(a.svc, runner)
	runner.Every("esp.expire", haven.EspSweepEvery, func(ctx context.Context) error {
		_, err := a.svc.ExpireEspSubmissions(ctx)
		return err
	})
	runner.Every("person_model.fit", personModelCheckEvery, personModelTask(a.svc))
	// Files no record names (left by a crash between storing a file and
	// committing its record), and half-written ones, after a day
	// (blobsweep.go); audited.
	runner.Every("attachment.sweep", haven.BlobSweepEvery, func(ctx context.Context) error {
		_, _, err := a.svc.SweepOrphanBlobs(ctx)
		return err
	})
	// Closed reports past their retention, idempotency keys past their
	// window (retention.go, docs/retention.md); each purge is audited.
	runner.Every("retention.purge", haven.RetentionSweepEvery, func(ctx context.Context) error {
		_, err := a.svc.Purge(ctx, false)
		return err
	})
	// Referrals nobody acknowledged in time are escalated to the
	// supervisors, once each (referral_service.go).
	escalateAfter := sv.referralEscalateAfter
	if escalateAfter == 0 {
		escalateAfter = defaultReferralEscalateAfter
	}
	runner.Every("referral.escalate", referralEscalateEvery, func(ctx context.Context) error {
		_, err := a.svc.EscalateReferrals(ctx, escalateAfter)
		return err
	})
	a.svc.Committed = runner.Wake
	// The queue's size on /metrics (haven_jobs): a growing count of waiting
	// ingest jobs says ingest is falling behind (haven loadtest reads it).
	kinds := make([]string, 0, len(runner.Handlers))
	for k := range runner.Handlers {
		kinds = append(kinds, k)
	}
	reg.MustRegister(jobs.NewCollector(a.store, kinds...))
	if err := releaseDeadLeases(ctx, a); err != nil {
		return err
	}
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

// serveProfiler serves Go's profiler (net/http/pprof) at /debug/pprof/ on
// addr, a loopback address validate checked; stop closes it.
func serveProfiler(addr string, log *slog.Logger) (stop func(), err error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on --debug-addr %s: %w", addr, err)
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	srv := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	log.Info("profiler listening", "url", "http://"+ln.Addr().String()+"/debug/pprof/")
	return func() { srv.Close() }, nil
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

// releaseDeadLeases ends, on SQLite, the job leases left in the database:
// only this server runs jobs on its file, so a lease there is one a killed
// process held, and its jobs (a report's linking and triage) run now rather
// than when the lease would end (haven.JobLease). On PostgreSQL other nodes
// may be running the jobs they hold.
func releaseDeadLeases(ctx context.Context, a *app) error {
	d, ok := a.store.(interface{ Dialect() string })
	if !ok || d.Dialect() != "sqlite" {
		return nil
	}
	var n int
	if err := a.store.Update(ctx, func(tx haven.Tx) (err error) {
		n, err = tx.ReleaseJobLeases(ctx)
		return err
	}); err != nil {
		return fmt.Errorf("releasing the leases of a stopped server's jobs: %w", err)
	}
	if n > 0 {
		a.log.Info("jobs a stopped server had claimed run again now", "jobs", n)
	}
	return nil
}
