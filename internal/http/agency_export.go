package http

import (
	"bytes"
	"net/http"

	"github.com/haven-oss/haven/internal/agencycsv"
	"github.com/haven-oss/haven/internal/haven"
)

// agencyExport downloads the whole directory as CSV in the layout the
// import takes, to anyone who may read the directory.
func (s *Server) agencyExport(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	as, err := s.svc.ExportAgencies(r.Context(), a)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var b bytes.Buffer
	if err := agencycsv.Write(&b, as); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="agencies.csv"`)
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(b.Bytes())
}
