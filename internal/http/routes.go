package http

import "net/http"

// routes registers every route of the server: a newcomer finds a screen's
// handler here, then in the file named after it.
func (s *Server) routes() {
	m := s.mux

	// Sign-in: password, then TOTP (enrolment the first time).
	m.HandleFunc("GET /signin", s.signinPage)
	m.HandleFunc("POST /signin", s.signinSubmit)
	m.HandleFunc("GET /signin/totp", s.signinTOTPPage)
	m.HandleFunc("POST /signin/totp", s.signinTOTPSubmit)
	m.HandleFunc("GET /signin/totp/qr.png", s.signinTOTPQR)
	m.HandleFunc("POST /signout", s.signout)

	// Pages for signed-in staff (password and TOTP both proved).
	m.Handle("GET /{$}", s.requireUser(s.home))
	m.Handle("GET /admin/audit", s.requireUser(s.auditViewer))

	// JSON API: bearer tokens only, never the session cookie.
	m.Handle("GET /api/v1/me", s.requireToken(s.apiMe))
	m.Handle("GET /api/v1/reports", s.requireToken(s.apiReports))
	m.HandleFunc("/api/", s.apiNotFound)

	// Operations.
	m.HandleFunc("GET /healthz", s.healthz)
	m.HandleFunc("GET /readyz", s.readyz)
	m.Handle("GET /metrics", s.metricsHandler())

	// Assets and everything else.
	m.Handle("GET /static/", s.static())
	m.HandleFunc("/", s.notFound)
}

// routed reports whether a GET of path reaches a page of its own (not the
// not-found page), so that links to screens not built yet are left out.
func (s *Server) routed(path string) bool {
	r, err := http.NewRequest(http.MethodGet, path, nil)
	if err != nil {
		return false
	}
	_, pattern := s.mux.Handler(r)
	return pattern != "" && pattern != "/"
}
