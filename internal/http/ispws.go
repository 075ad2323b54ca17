package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/ispws"
)

// ispws returns the ESP reporting API's handler. ESP clients are not
// browsers: they send neither Origin nor Sec-Fetch-Site, so the
// cross-origin protection around every route lets their POSTs through, and
// they authenticate with HTTP Basic on each request, never a session cookie.
func (s *Server) ispws() http.Handler { return ispws.New(s.svc, s.log) }
