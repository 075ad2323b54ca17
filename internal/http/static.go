package http

import (
	"io/fs"
	"net/http"
	"strings"

	"github.com/haven-oss/haven/web"
)

// static serves the embedded assets under /static/. Pages link them with a
// content hash (?v=…, see hashStatic), so they may be cached for a year.
// Directory listings are not served.
func (s *Server) static() http.Handler {
	sub, err := fs.Sub(web.Static, "static")
	if err != nil {
		panic(err)
	}
	files := http.StripPrefix("/static/", http.FileServerFS(sub))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasSuffix(r.URL.Path, "/") {
			s.notFound(w, r)
			return
		}
		if r.URL.Query().Has("v") {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		files.ServeHTTP(w, r)
	})
}
