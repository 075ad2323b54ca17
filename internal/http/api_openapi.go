package http

import (
	_ "embed"
	"net/http"
)

// openAPI is the OpenAPI 3.1 description of the JSON API. A test checks it
// against the routes the server registers and validates real requests and
// responses against it.
//
//go:embed openapi.json
var openAPI []byte

// apiOpenAPI serves the OpenAPI description (no token needed).
func (s *Server) apiOpenAPI(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Write(openAPI)
}
