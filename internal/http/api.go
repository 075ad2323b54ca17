package http

import (
	"net/http"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// apiHandler is a JSON API handler for the actor behind a bearer token.
type apiHandler func(w http.ResponseWriter, r *http.Request, a haven.Actor)

// requireToken authenticates an API request by its bearer token
// ("Authorization: Bearer hvn_…"). The session cookie never authenticates
// the API, so a web page on another site cannot make a signed-in browser
// call it (no CSRF exposure).
func (s *Server) requireToken(h apiHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		token = strings.TrimSpace(token)
		if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
			s.apiError(w, r, haven.Errorf(haven.EUNAUTHORIZED, "Send an API token in the header \"Authorization: Bearer hvn_…\"."))
			return
		}
		a, err := s.svc.AuthenticateToken(r.Context(), token, clientIP(r))
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		h(w, r, a)
	})
}

// apiNotFound answers API paths without a route, in JSON.
func (s *Server) apiNotFound(w http.ResponseWriter, r *http.Request) {
	writeJSONError(w, http.StatusNotFound, haven.ENOTFOUND, "There is no API endpoint at this address.")
}
