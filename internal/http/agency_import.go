package http

import (
	"errors"
	"net/http"

	"github.com/haven-oss/haven/internal/agencycsv"
	"github.com/haven-oss/haven/internal/haven"
)

// maxAgencyFileBytes is the largest directory file the upload takes.
const maxAgencyFileBytes = 8 << 20

// agencyImportData is what the import page shows: the upload form and,
// once a file is sent, what it did or would do, or every row's problem.
type agencyImportData struct {
	DryRun    bool
	Error     string // the file as a whole could not be read
	Result    *haven.AgencyImportResult
	Submitted bool
}

// agencyImportPage shows the upload form to those who may import; the
// service refuses anyone else and records the refusal.
func (s *Server) agencyImportPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionUpdate, haven.KindAgency, "import agencies"); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency_import", &a, agencyImportData{DryRun: true})
}

// agencyImport takes an uploaded directory file (agencycsv's layout) and
// imports it, or with "Check only" ticked says what it would change. A
// file with any bad row lands nothing; each problem is listed with its line.
func (s *Server) agencyImport(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionUpdate, haven.KindAgency, "import agencies"); err != nil {
		s.pageError(w, r, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxAgencyFileBytes+1<<16)
	d := agencyImportData{Submitted: true}
	fail := func(msg string) {
		d.Error = msg
		s.render(w, r, http.StatusBadRequest, "agency_import", &a, d)
	}
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			fail("The file is too large: a directory file is at most 8 MB.")
			return
		}
		fail("The upload could not be read. Choose the file again and send it.")
		return
	}
	d.DryRun = r.PostFormValue("dry_run") != ""
	f, _, err := r.FormFile("file")
	if err != nil {
		fail("Choose a CSV file to import.")
		return
	}
	defer f.Close()
	rows, err := agencycsv.Read(f)
	if err != nil {
		fail("The file cannot be read as a directory: " + err.Error() + ".")
		return
	}
	res, err := s.svc.ImportAgencies(r.Context(), a, rows, d.DryRun)
	d.Result = res
	if haven.ErrorCode(err) == haven.EINVALID && res != nil {
		s.render(w, r, http.StatusBadRequest, "agency_import", &a, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "agency_import", &a, d)
}
