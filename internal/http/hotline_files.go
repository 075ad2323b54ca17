package http

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Files on the hotline console: a specialist attaches files (a screenshot
// of an ad the caller emailed) with the file field of the call's form,
// which is sent as multipart/form-data. The form is read part by part: the
// section's fields come first (the file field is the form's last field), so
// that a file too large to take is answered with the section as it was
// typed, never a blank one. Each file is held in a temporary file (mode
// 0600, removed when the request ends) until the service encrypts it.

// callForm is a posted section of the call page, with its files.
type callForm struct {
	values url.Values
	files  []*callUpload
	// problem is a file refused while reading (too large, too many):
	// EINVALID naming "files" and the file. nil when none.
	problem error
}

// callUpload is one file chosen on the call page.
type callUpload struct {
	name, declared string
	f              *os.File
}

// uploads returns the files for the service.
func (cf *callForm) uploads() []haven.Upload {
	var out []haven.Upload
	for _, u := range cf.files {
		out = append(out, haven.Upload{Name: u.name, DeclaredType: u.declared, Body: u.f})
	}
	return out
}

// sentFiles reports whether files were chosen (browsers never fill a file
// field again, so a page shown again must say to choose them again).
func (cf *callForm) sentFiles() bool { return len(cf.files) > 0 || cf.problem != nil }

// close removes the temporary files.
func (cf *callForm) close() {
	for _, u := range cf.files {
		u.f.Close()
		os.Remove(u.f.Name())
	}
	cf.files = nil
}

// callFilesLimit is the most bytes one save of a call may carry: its
// fields and MaxCallFiles files of the largest size accepted.
func (s *Server) callFilesLimit() int64 {
	return int64(haven.MaxCallFiles)*s.svc.AttachmentLimits().MaxSize + maxFormBytes + 64<<10
}

// readCallForm reads a posted section of the call page, a plain form or a
// multipart one with files. It reports false after answering 400 itself
// when the form cannot be read at all; a file refused while reading is
// cf.problem, and the section's fields are still read. The caller closes cf.
func (s *Server) readCallForm(w http.ResponseWriter, r *http.Request) (*callForm, bool) {
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mt != "multipart/form-data" {
		if !s.readForm(w, r) {
			return nil, false
		}
		return &callForm{values: r.PostForm}, true
	}
	unreadable := func() {
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], "The form could not be read. Please try again.")
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.callFilesLimit())
	mr, err := r.MultipartReader()
	if err != nil {
		unreadable()
		return nil, false
	}
	pol := s.svc.AttachmentLimits()
	cf := &callForm{values: url.Values{}}
	tooLarge := func(name string) error {
		return haven.FieldError("files", "%q was not attached: the file is larger than %s, the most a file may be", haven.SanitizeFileName(name), pol.MaxSizeText())
	}
	text := int64(maxFormBytes) // what the fields may take, in all
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			if formHasBadText(cf.values) {
				cf.close()
				s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], badFormText)
				return nil, false
			}
			return cf, true
		}
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) && cf.problem != nil {
			return cf, true // the rest of an oversized file: its problem is known
		}
		if err != nil {
			cf.close()
			unreadable()
			return nil, false
		}
		field := part.FormName()
		if field != "files" {
			b, err := io.ReadAll(io.LimitReader(part, text+1))
			if err != nil || int64(len(b)) > text {
				cf.close()
				unreadable()
				return nil, false
			}
			text -= int64(len(b))
			if field != "" {
				cf.values.Add(field, string(b))
			}
			continue
		}
		name := part.FileName()
		if name == "" {
			// The file field with no file chosen: an empty, nameless part.
			if _, err := io.Copy(io.Discard, io.LimitReader(part, 1<<10)); err != nil {
				cf.close()
				unreadable()
				return nil, false
			}
			continue
		}
		if len(cf.files) == haven.MaxCallFiles {
			cf.problem = haven.FieldError("files", "attach at most %d files at a time", haven.MaxCallFiles)
			if _, err := io.Copy(io.Discard, part); err != nil {
				return cf, true
			}
			continue
		}
		u, err := spool(part, pol.MaxSize)
		if errors.As(err, &mbe) || errors.Is(err, errTooLarge) {
			cf.problem = tooLarge(name)
			if _, err := io.Copy(io.Discard, part); err != nil {
				return cf, true
			}
			continue
		} else if err != nil {
			s.logger(r).Error("read uploaded file", "err", err)
			cf.close()
			unreadable()
			return nil, false
		}
		u.name, u.declared = name, part.Header.Get("Content-Type")
		cf.files = append(cf.files, u)
	}
}

var errTooLarge = errors.New("file too large")

// spool copies a file into a temporary file, at most limit bytes (more is
// errTooLarge, and nothing is kept).
func spool(r io.Reader, limit int64) (u *callUpload, err error) {
	f, err := os.CreateTemp("", "haven-upload-*")
	if err != nil {
		return nil, fmt.Errorf("temporary file: %w", err)
	}
	defer func() {
		if err != nil {
			f.Close()
			os.Remove(f.Name())
		}
	}()
	n, err := io.Copy(f, io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, errTooLarge
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	return &callUpload{f: f}, nil
}

// callFilesView is what the call page says about files: those of the
// call's report, and the limits on new ones.
type callFilesView struct {
	Files          []attachmentRow
	MaxFiles       int
	MaxSize, Types string
	Accept         string // the file field's accept attribute
	FilesLost      bool   // files were chosen and must be chosen again
	Attached       bool   // files were just attached
	ReportRef      string // the call's report, which the files are of
}

// FileTable is the call page's table of files.
func (v callFilesView) FileTable() fileTable {
	return fileTable{Files: v.Files, ID: "call-files", CaptionID: "call-files-caption", Of: "of report " + v.ReportRef}
}

func (s *Server) callFiles(c *haven.Call) callFilesView {
	pol := s.svc.AttachmentLimits()
	v := callFilesView{MaxFiles: haven.MaxCallFiles, MaxSize: pol.MaxSizeText(), Types: pol.TypesText(),
		Accept: strings.Join(pol.Types, ","), ReportRef: c.ReportRef}
	for _, att := range c.Attachments {
		v.Files = append(v.Files, newAttachmentRow(att))
	}
	return v
}
