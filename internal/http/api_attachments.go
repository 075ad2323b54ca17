package http

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// A report's files through the JSON API: POST /api/v1/reports/{id}/attachments
// adds one (the body is the file's bytes, ?filename= its name, Content-Type
// its declared type), GET /api/v1/reports/{id}/attachments lists them and
// GET /api/v1/reports/{id}/attachments/{attID} downloads one, exactly as
// the report page does (sendAttachment). Whoever may update the report may
// add a file to it (haven.Service.AddReportAttachment); whoever may see it
// may list and download its files, each listing and download audited.

// apiAttachment is a file of a report as the API shows it. ContentType is
// what its bytes are (sniffed), DeclaredType what the sender said.
type apiAttachment struct {
	ID           int64     `json:"id"`
	ReportID     int64     `json:"report_id"`
	FileName     string    `json:"file_name"`
	Size         int64     `json:"size"`
	ContentType  string    `json:"content_type"`
	DeclaredType string    `json:"declared_type"`
	SHA256       string    `json:"sha256"`
	MD5          string    `json:"md5"`
	Source       string    `json:"source"`
	CreatedAt    time.Time `json:"created_at"`
}

// apiAttachments is the body of GET /api/v1/reports/{id}/attachments.
type apiAttachments struct {
	Attachments []apiAttachment `json:"attachments"`
}

func attachmentOf(a *haven.Attachment) apiAttachment {
	return apiAttachment{ID: a.ID, ReportID: a.ReportID, FileName: a.FileName, Size: a.Size, ContentType: a.ContentType,
		DeclaredType: a.DeclaredType, SHA256: a.SHA256, MD5: a.MD5, Source: a.Source, CreatedAt: a.CreatedAt.UTC()}
}

func attachmentLocation(a *haven.Attachment) string {
	return "/api/v1/reports/" + strconv.FormatInt(a.ReportID, 10) + "/attachments/" + strconv.FormatInt(a.ID, 10)
}

// apiAttachmentCreate attaches the request body, as a file, to a report.
// The size limit is enforced while reading: a larger body is 413 naming the
// limit, and nothing is kept. With an Idempotency-Key, a retry (the same
// name, declared type and bytes) answers 200 with the first attachment.
func (s *Server) apiAttachmentCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a report")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	// Whether the token's user may add files to the report at all comes
	// before the name and size: a refused user is refused whatever the
	// request holds.
	if err := s.svc.MayAddReportAttachment(r.Context(), a, id); err != nil {
		s.apiError(w, r, err)
		return
	}
	name := strings.TrimSpace(r.URL.Query().Get("filename"))
	if name == "" {
		s.apiError(w, r, haven.FieldError("filename", "give the file's name in the query parameter filename, such as ?filename=screenshot.png"))
		return
	}
	if len(name) > 1000 {
		s.apiError(w, r, haven.FieldError("filename", "a file name has at most 1000 bytes"))
		return
	}
	pol := s.svc.AttachmentLimits()
	tooLarge := func() {
		w.Header().Set("Connection", "close")
		writeJSONError(w, http.StatusRequestEntityTooLarge, haven.EINVALID,
			"The file is larger than "+pol.MaxSizeText()+", the most Haven accepts; nothing was stored.")
	}
	if r.ContentLength > pol.MaxSize {
		tooLarge()
		return
	}
	body := http.MaxBytesReader(w, r.Body, pol.MaxSize)
	declared := r.Header.Get("Content-Type")
	once := requestOnce(r, []byte("filename="+name+"\x00content-type="+declared))
	att, replayed, err := s.svc.AddReportAttachment(r.Context(), a, once, id, name, declared, string(haven.ChannelAPI), body)
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		tooLarge()
		return
	}
	if err != nil {
		s.apiError(w, r, renameField(err, fieldMap(map[string]string{"file": "body"})))
		return
	}
	writeCreated(w, attachmentLocation(att), replayed, attachmentOf(att))
}

// apiAttachmentList lists the files of a report the token's user may see;
// the listing is audited with the ?reason= given.
func (s *Server) apiAttachmentList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a report")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	as, err := s.svc.ReportAttachments(r.Context(), a, id, r.URL.Query().Get("reason"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiAttachments{Attachments: make([]apiAttachment, 0, len(as))}
	for _, att := range as {
		out.Attachments = append(out.Attachments, attachmentOf(att))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiAttachmentGet downloads one file of a report the token's user may see,
// as the report page does; the download is audited with the ?reason= given.
func (s *Server) apiAttachmentGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a report")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	attID, err := strconv.ParseInt(r.PathValue("attID"), 10, 64)
	if err != nil || attID < 1 {
		s.apiError(w, r, haven.FieldError("attID", "an attachment id is a positive whole number"))
		return
	}
	att, rc, err := s.svc.OpenReportAttachment(r.Context(), a, id, attID, r.URL.Query().Get("reason"))
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	defer rc.Close()
	s.sendAttachment(w, r, att, rc)
}
