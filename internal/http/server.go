// Package http is Haven's web channel: the server-rendered staff pages
// (sign-in with mandatory TOTP, home, audit viewer), the token-authenticated
// JSON API, health checks and metrics. It turns requests into calls on
// haven.Service and the answers into pages or JSON; it decides nothing about
// who may do what (the service does), and it is the one place that maps
// haven error codes to HTTP statuses (error.go).
//
// Every route is listed in routes.go; each page or action has a small file
// named after it (signin.go, signin_totp.go, audit_viewer.go, api_me.go…).
package http

import (
	"html/template"
	"log/slog"
	"net/http"
	"net/netip"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/haven-oss/haven/internal/haven"
)

// Options configure a Server.
type Options struct {
	// Service is the application service every page and API call goes
	// through. Required.
	Service *haven.Service
	// Store is used directly only by /readyz (Ping); nil means Service.Store.
	Store haven.Store
	// Log receives request logs and internal errors; nil means slog.Default().
	Log *slog.Logger
	// Registry receives the server's metrics and the Go and process
	// collectors, and is what /metrics exposes. Nil means a fresh registry.
	Registry *prometheus.Registry
	// Version is shown in the page footer.
	Version string
	// SecureCookies marks the session cookie Secure. cmd/haven sets it;
	// leave it off only to develop over plain HTTP on a host other than
	// localhost (browsers accept Secure cookies from http://localhost and
	// http://127.0.0.1, so the tests keep it on).
	SecureCookies bool
	// Tips limits the public tip form per client address (tip.go).
	Tips TipOptions
	// TrustedProxies are the proxies (load balancers) in front of Haven:
	// for a request whose TCP peer is in one of them, the client's address
	// is taken from X-Forwarded-For (see clientAddress). None: the client's
	// address is always the TCP peer's, and X-Forwarded-For is not read.
	TrustedProxies []netip.Prefix
}

// Server is Haven's HTTP server logic. It is safe for concurrent use and
// holds no per-connection state, so an http.Server serving Handler can be
// stopped with http.Server.Shutdown at any time.
type Server struct {
	svc     *haven.Service
	store   haven.Store
	log     *slog.Logger
	version string
	secure  bool

	mux       *http.ServeMux
	handler   http.Handler
	pages     map[string]*template.Template
	staticURL map[string]string // asset path → URL with content hash
	metrics   *metrics
	registry  *prometheus.Registry
	tipOpts   TipOptions
	apiRoutes []string // patterns of the JSON API routes, in registration order
	patterns  []string // patterns of every route, in registration order (route_list.go)

	trustedProxies []netip.Prefix // Options.TrustedProxies
}

// New returns a Server with every route registered. It panics if the
// embedded templates do not parse (a build defect, caught by any test).
func New(o Options) *Server {
	if o.Log == nil {
		o.Log = slog.Default()
	}
	if o.Store == nil && o.Service != nil {
		o.Store = o.Service.Store
	}
	if o.Registry == nil {
		o.Registry = prometheus.NewRegistry()
	}
	if o.Version == "" {
		o.Version = "dev"
	}
	s := &Server{
		svc:      o.Service,
		store:    o.Store,
		log:      o.Log,
		version:  o.Version,
		secure:   o.SecureCookies,
		mux:      http.NewServeMux(),
		metrics:  newMetrics(o.Registry),
		registry: o.Registry,
		tipOpts:  o.Tips,
	}
	for _, p := range o.TrustedProxies {
		if a := p.Addr(); a.Is4In6() && p.Bits() >= 96 {
			p = netip.PrefixFrom(a.Unmap(), p.Bits()-96) // as clientAddress compares addresses
		}
		s.trustedProxies = append(s.trustedProxies, p.Masked())
	}
	s.staticURL = hashStatic()
	s.pages = s.parseTemplates()
	s.routes()
	s.handler = s.middleware(s.mux)
	return s
}

// Handler returns the server's root handler, with logging, metrics,
// security headers and cross-origin (CSRF) protection around every route.
func (s *Server) Handler() http.Handler { return s.handler }
