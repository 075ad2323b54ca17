package http

import "net/http"

// routeMux registers routes on the server's mux and remembers each pattern,
// so that a test can hold every route to an access expectation
// (access_matrix_test.go) without a hand-kept list that could drift.
type routeMux struct{ s *Server }

func (m routeMux) Handle(pattern string, h http.Handler) {
	m.s.patterns = append(m.s.patterns, pattern)
	m.s.mux.Handle(pattern, h)
}

func (m routeMux) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request)) {
	m.Handle(pattern, http.HandlerFunc(h))
}

// Routes returns the pattern of every registered route ("GET /reports/{id}",
// "/ispws/", …), pages, API and public ones alike, as registered.
func (s *Server) Routes() []string { return append([]string(nil), s.patterns...) }
