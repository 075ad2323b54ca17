// Package ispws serves the ESP reporting API, compatible with the
// CyberTipline Reporting API ("ispws"): it decodes and validates the XML
// documents, calls haven.Service for every step of a report's lifecycle,
// and answers in the protocol's XML with its response codes. It decides
// nothing about reports itself: the lifecycle, ownership and idempotency
// live in internal/haven (esp.go).
package ispws

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Prefix is where the API is mounted.
const Prefix = "/ispws"

// maxDocument bounds a <report> or <fileDetails> document.
const maxDocument = 10 << 20

// Handler serves the API under Prefix.
type Handler struct {
	svc *haven.Service
	log *slog.Logger
	mux *http.ServeMux
}

// New returns the API's handler; mount it at Prefix + "/".
func New(svc *haven.Service, log *slog.Logger) *Handler {
	if log == nil {
		log = slog.Default()
	}
	h := &Handler{svc: svc, log: log, mux: http.NewServeMux()}
	h.mux.HandleFunc("GET "+Prefix+"/status", h.auth(h.status))
	h.mux.HandleFunc("GET "+Prefix+"/xsd", h.auth(h.xsd))
	h.mux.HandleFunc("POST "+Prefix+"/submit", h.auth(h.submit))
	h.mux.HandleFunc("POST "+Prefix+"/upload", h.auth(h.upload))
	h.mux.HandleFunc("POST "+Prefix+"/fileinfo", h.auth(h.fileinfo))
	h.mux.HandleFunc("POST "+Prefix+"/finish", h.auth(h.finish))
	h.mux.HandleFunc("POST "+Prefix+"/retract", h.auth(h.retract))
	h.mux.HandleFunc(Prefix+"/", h.auth(h.notFound))
	return h
}

// ServeHTTP answers every request with the Request-ID header the protocol
// names (the same id as the server's X-Request-Id, when there is one) and
// turns a panic into an XML server error.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	id := w.Header().Get("X-Request-Id")
	if id == "" {
		id = strconv.FormatUint(rand64(), 16)
	}
	w.Header().Set("Request-ID", id)
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			h.log.Error("ispws: panic", "panic", v, "path", r.URL.Path, "request_id", id)
			writeResponse(w, http.StatusInternalServerError, response{Code: CodeServerError, Description: describe(CodeServerError)})
		}
	}()
	h.mux.ServeHTTP(w, r)
}

// call is an authenticated request.
type call struct {
	acct *haven.EspAccount
	ip   string
}

// auth checks HTTP Basic credentials before running next. Every refusal
// answers alike, in XML with code 2000 and a WWW-Authenticate challenge:
// 401, or 429 with Retry-After when too many failed attempts for the name
// or from the address have locked them for a while (the service audits
// and counts the failures: haven.Service.AuthenticateEsp).
func (h *Handler) auth(next func(http.ResponseWriter, *http.Request, call)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		user, pw, ok := r.BasicAuth()
		ip := clientIP(r)
		var acct *haven.EspAccount
		var err error = haven.Errorf(haven.EUNAUTHORIZED, "Authentication required")
		if ok {
			acct, err = h.svc.AuthenticateEsp(r.Context(), user, pw, ip)
		}
		if err != nil {
			status, desc := http.StatusUnauthorized, describe(CodeAuthRequired)
			switch haven.ErrorCode(err) {
			case haven.EUNAUTHORIZED:
			case haven.ELOCKED:
				status, desc = http.StatusTooManyRequests, desc+": "+haven.ErrorMessage(err)
				w.Header().Set("Retry-After", strconv.Itoa(int((haven.EspRetryAfter(err)+time.Second-1)/time.Second)))
			default:
				h.log.Error("ispws: authentication failed", "err", err)
				h.fail(w, r, err, CodeServerError)
				return
			}
			w.Header().Set("WWW-Authenticate", `Basic realm="Haven ESP reporting API", charset="UTF-8"`)
			writeResponse(w, status, response{Code: CodeAuthRequired, Description: desc})
			return
		}
		next(w, r, call{acct: acct, ip: ip})
	}
}

func clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (h *Handler) status(w http.ResponseWriter, r *http.Request, c call) {
	writeResponse(w, http.StatusOK, response{Code: CodeSuccess,
		Description: "Remote User : " + c.acct.Name + ", Remote Ip : " + c.ip})
}

func (h *Handler) xsd(w http.ResponseWriter, r *http.Request, c call) {
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(XSD())
}

// endpointMethods are the endpoints and the method each takes.
var endpointMethods = map[string]string{"status": "GET", "xsd": "GET", "submit": "POST", "upload": "POST",
	"fileinfo": "POST", "finish": "POST", "retract": "POST"}

// notFound answers a path that is no endpoint (1210), or an endpoint asked
// with the wrong method (405, 4000).
func (h *Handler) notFound(w http.ResponseWriter, r *http.Request, c call) {
	if m, ok := endpointMethods[strings.TrimPrefix(r.URL.Path, Prefix+"/")]; ok {
		w.Header().Set("Allow", m)
		writeResponse(w, http.StatusMethodNotAllowed, response{Code: CodeInvalidRequest, Description: describe(CodeInvalidRequest) + ": use " + m})
		return
	}
	writeResponse(w, http.StatusNotFound, response{Code: CodeNotFound, Description: describe(CodeNotFound)})
}

// readDocument reads a request's XML body.
func readDocument(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxDocument))
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return nil, &invalidError{path: "document", rule: "at most 10 MiB"}
	} else if err != nil {
		return nil, &malformedError{msg: "the body could not be read"}
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, &malformedError{msg: "the body is empty"}
	}
	return b, nil
}

func (h *Handler) submit(w http.ResponseWriter, r *http.Request, c call) {
	doc, err := readDocument(w, r)
	if err == nil {
		_, err = DecodeReport(doc, h.svc.Now())
	}
	if err != nil {
		h.fail(w, r, err, CodeSaveFailed)
		return
	}
	id, err := h.svc.OpenEspSubmission(r.Context(), c.acct, c.ip, doc)
	if err != nil {
		h.fail(w, r, err, CodeSaveFailed)
		return
	}
	writeResponse(w, http.StatusOK, response{Code: CodeSuccess, Description: describe(CodeSuccess), ReportID: id})
}

func (h *Handler) upload(w http.ResponseWriter, r *http.Request, c call) {
	mr, err := r.MultipartReader()
	if err != nil {
		h.fail(w, r, &invalidError{path: "upload", rule: "send a multipart/form-data body with fields id and file"}, CodeUploadFailed)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, h.maxUpload())
	var (
		id      int64
		haveID  bool
		pending []byte // the file, when it came before id
		name    string
		ctype   string
		f       *haven.EspFile
	)
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		} else if err != nil {
			h.fail(w, r, &invalidError{path: "upload", rule: "the multipart body could not be read"}, CodeUploadFailed)
			return
		}
		switch part.FormName() {
		case "id":
			b, _ := io.ReadAll(io.LimitReader(part, 64))
			if id, err = parseID(string(b)); err != nil {
				h.fail(w, r, err, CodeUploadFailed)
				return
			}
			haveID = true
		case "file":
			name, ctype = part.FileName(), part.Header.Get("Content-Type")
			if !haveID {
				if pending, err = io.ReadAll(part); err != nil {
					h.fail(w, r, haven.FieldError("file", "the file could not be read whole"), CodeUploadFailed)
					return
				}
				continue
			}
			if f, err = h.svc.AddEspFile(r.Context(), c.acct, c.ip, id, name, ctype, part); err != nil {
				h.fail(w, r, err, CodeUploadFailed)
				return
			}
		}
	}
	switch {
	case !haveID:
		h.fail(w, r, &invalidError{path: "id", rule: "required: the report id"}, CodeUploadFailed)
		return
	case f == nil && pending == nil:
		h.fail(w, r, &invalidError{path: "file", rule: "required: the file"}, CodeUploadFailed)
		return
	case f == nil:
		if f, err = h.svc.AddEspFile(r.Context(), c.acct, c.ip, id, name, ctype, bytes.NewReader(pending)); err != nil {
			h.fail(w, r, err, CodeUploadFailed)
			return
		}
	}
	writeResponse(w, http.StatusOK, response{Code: CodeSuccess, Description: describe(CodeSuccess), ReportID: id, FileID: f.FileID, Hash: f.MD5})
}

// maxUpload is the largest upload body: the attachment limit and room for
// the form around it.
func (h *Handler) maxUpload() int64 {
	if h.svc.AttachmentPolicy.MaxSize > 0 {
		return h.svc.AttachmentPolicy.MaxSize + 1<<20
	}
	return haven.DefaultAttachmentPolicy.MaxSize + 1<<20
}

func (h *Handler) fileinfo(w http.ResponseWriter, r *http.Request, c call) {
	doc, err := readDocument(w, r)
	var id int64
	var fileID string
	if err == nil {
		id, fileID, err = DecodeFileDetails(doc, h.svc.Now())
	}
	if err == nil {
		err = h.svc.SetEspFileDetails(r.Context(), c.acct, c.ip, id, fileID, doc)
	}
	if err != nil {
		h.fail(w, r, err, CodeUpdateFailed)
		return
	}
	writeResponse(w, http.StatusOK, response{Code: CodeSuccess, Description: describe(CodeSuccess), ReportID: id, FileID: fileID})
}

// formID reads the form field id of a finish or retract (urlencoded, or
// multipart).
func formID(w http.ResponseWriter, r *http.Request) (int64, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	var err error
	if mt == "multipart/form-data" {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		return 0, &invalidError{path: "id", rule: "send the form field id (urlencoded or multipart)"}
	}
	return parseID(r.FormValue("id"))
}

func parseID(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, &invalidError{path: "id", rule: "required: the report id"}
	}
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, &invalidError{path: "id", rule: "must be a report id (a positive integer)"}
	}
	return id, nil
}

func (h *Handler) finish(w http.ResponseWriter, r *http.Request, c call) {
	id, err := formID(w, r)
	if err != nil {
		h.fail(w, r, err, CodeSaveFailed)
		return
	}
	files, err := h.svc.FinishEspSubmission(r.Context(), c.acct, c.ip, id, func(content haven.EspContent) (*haven.Report, error) {
		return FinishReport(content, c.acct.Name, h.svc.Now())
	})
	if err != nil {
		h.fail(w, r, err, CodeSaveFailed)
		return
	}
	resp := doneResponse{Code: CodeSuccess, ReportID: id}
	resp.Files.FileIDs = files
	writeXML(w, http.StatusOK, resp)
}

func (h *Handler) retract(w http.ResponseWriter, r *http.Request, c call) {
	id, err := formID(w, r)
	if err == nil {
		err = h.svc.RetractEspSubmission(r.Context(), c.acct, c.ip, id)
	}
	if err != nil {
		h.fail(w, r, err, CodeUpdateFailed)
		return
	}
	writeResponse(w, http.StatusOK, response{Code: CodeSuccess, Description: describe(CodeSuccess), ReportID: id})
}

// fail answers a failed request with its code, logging faults of ours.
// failed is the code for an internal error of this operation.
func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error, failed int) {
	code, desc := codeOf(err, failed)
	if code == failed || code == CodeServerError {
		h.log.Error("ispws: request failed", "path", r.URL.Path, "request_id", w.Header().Get("Request-ID"), "err", err)
	}
	writeResponse(w, httpStatus(code), response{Code: code, Description: desc})
}

// response is <reportResponse>.
type response struct {
	XMLName     xml.Name `xml:"reportResponse"`
	Code        int      `xml:"responseCode"`
	Description string   `xml:"responseDescription"`
	ReportID    int64    `xml:"reportId,omitempty"`
	FileID      string   `xml:"fileId,omitempty"`
	Hash        string   `xml:"hash,omitempty"`
}

// doneResponse is <reportDoneResponse>.
type doneResponse struct {
	XMLName  xml.Name `xml:"reportDoneResponse"`
	Code     int      `xml:"responseCode"`
	ReportID int64    `xml:"reportId"`
	Files    struct {
		FileIDs []string `xml:"fileId"`
	} `xml:"files"`
}

const contentType = "text/xml; charset=utf-8"

func writeResponse(w http.ResponseWriter, status int, resp response) { writeXML(w, status, resp) }

func writeXML(w http.ResponseWriter, status int, v any) {
	b, err := xml.Marshal(v)
	if err != nil { // cannot happen with these types
		status, b = http.StatusInternalServerError, []byte("<reportResponse><responseCode>1000</responseCode><responseDescription>Server error</responseDescription></reportResponse>")
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(status)
	_, _ = w.Write([]byte(xml.Header))
	_, _ = w.Write(b)
}
