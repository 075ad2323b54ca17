package haven

import (
	"context"
	"fmt"
	"io"
	"path"
	"strings"
	"time"
	"unicode"
)

// Attachment is a file that came with a report: an image, a document, a
// screenshot. Its bytes are stored encrypted (see Blobs) and identified by
// hash; pages never show it inline by default (analyst wellness).
type Attachment struct {
	ID           int64
	ReportID     int64
	BlobID       string // where the encrypted bytes are kept (see Blobs)
	FileName     string // sanitised: no folders, no control characters
	DeclaredType string // what the sender said it was
	ContentType  string // what its bytes are (sniffed)
	Size         int64
	SHA256       string // hex
	MD5          string // hex (the ESP protocol reports MD5)
	Source       string // the channel or page it came through
	CreatedBy    int64
	CreatedAt    time.Time
}

// BlobInfo is what storing a file's bytes learned about them.
type BlobInfo struct {
	ID          string
	Size        int64
	SHA256, MD5 string
	ContentType string // sniffed from the first bytes
}

// Blobs keeps attachment bytes encrypted at rest. internal/attachments
// implements it on the file system.
type Blobs interface {
	// Put encrypts and stores r, reading at most limit bytes: more is
	// EINVALID (and nothing is kept). associatedData binds the ciphertext
	// to its record.
	Put(ctx context.Context, r io.Reader, limit int64, associatedData []byte) (BlobInfo, error)
	// Open returns the plaintext of a blob.
	Open(ctx context.Context, id string, associatedData []byte) (io.ReadCloser, error)
	// Delete removes a blob (no error if it is gone).
	Delete(ctx context.Context, id string) error
}

// AttachmentsTx is the part of a transaction that records attachments.
type AttachmentsTx interface {
	// CreateAttachment records a stored blob; sets ID and CreatedAt.
	CreateAttachment(ctx context.Context, a *Attachment) error
	AttachmentByID(ctx context.Context, id int64) (*Attachment, error)
	// ListAttachments lists a report's attachments in the order they came.
	ListAttachments(ctx context.Context, reportID int64) ([]*Attachment, error)
}

// AttachmentPolicy limits what files Haven accepts.
type AttachmentPolicy struct {
	MaxSize int64 // bytes
	// Types are the content types accepted, as sniffed from the bytes
	// (never as declared by the sender).
	Types []string
}

// DefaultAttachmentPolicy accepts common image, document, audio and video
// types up to 50 MiB.
var DefaultAttachmentPolicy = AttachmentPolicy{
	MaxSize: 50 << 20,
	Types: []string{"image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "application/pdf",
		"text/plain", "video/mp4", "video/webm", "audio/mpeg", "audio/wave", "audio/ogg", "application/ogg"},
}

// Allows reports whether the sniffed content type is accepted.
func (p AttachmentPolicy) Allows(contentType string) bool {
	base, _, _ := strings.Cut(contentType, ";")
	return oneOf(strings.TrimSpace(base), p.Types)
}

// SanitizeFileName keeps the last element of a name, without control
// characters or path separators, at most 200 bytes; "" becomes "file".
// Attachments are never stored under their given names: this is only what
// is shown.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '/' {
			return -1
		}
		return r
	}, name)
	if name == "." || name == ".." || name == "/" || name == "" {
		name = "file"
	}
	if len(name) > 200 {
		name = name[:200]
	}
	return name
}

// blobAD is the associated data binding an attachment's ciphertext to its report.
func blobAD(reportID int64) []byte { return []byte(fmt.Sprintf("report:%d:attachment", reportID)) }

// StoreAttachment encrypts a file and records it against a report, inside
// tx. The caller checks the actor may add to the report. The bytes are
// checked against the policy by their sniffed type; a refused file is an
// EINVALID error naming the field "file" and leaves nothing behind (the
// blob is deleted if the transaction fails too — the caller must call the
// returned cleanup on failure).
func (s *Service) StoreAttachment(ctx context.Context, tx Tx, a Actor, reportID int64, name, declared, source string, r io.Reader) (*Attachment, func(), error) {
	if s.Blobs == nil {
		return nil, func() {}, Errorf(EINTERNAL, "attachments are not configured")
	}
	pol := s.AttachmentPolicy
	if pol.MaxSize == 0 {
		pol = DefaultAttachmentPolicy
	}
	info, err := s.Blobs.Put(ctx, r, pol.MaxSize, blobAD(reportID))
	if err != nil {
		return nil, func() {}, err
	}
	cleanup := func() { _ = s.Blobs.Delete(context.WithoutCancel(ctx), info.ID) }
	if info.Size == 0 {
		cleanup()
		return nil, func() {}, FieldError("file", "the file is empty")
	}
	if !pol.Allows(info.ContentType) {
		cleanup()
		return nil, func() {}, FieldError("file", "files of type %s are not accepted; send an image, a PDF, a text file, audio or video", info.ContentType)
	}
	att := &Attachment{ReportID: reportID, BlobID: info.ID, FileName: SanitizeFileName(name), DeclaredType: truncate(declared, 200),
		ContentType: info.ContentType, Size: info.Size, SHA256: info.SHA256, MD5: info.MD5, Source: source, CreatedBy: a.UserID, CreatedAt: s.now()}
	if err := tx.CreateAttachment(ctx, att); err != nil {
		cleanup()
		return nil, func() {}, err
	}
	if err := s.audit(ctx, tx, a, "attachment.create", OutcomeOK, KindReport, reportID, "", fmt.Sprintf("%s %d bytes sha256 %s", att.ContentType, att.Size, att.SHA256)); err != nil {
		cleanup()
		return nil, func() {}, err
	}
	return att, cleanup, nil
}

// OpenAttachment returns an attachment's bytes to an actor who may see its
// report, auditing the access with the reason given.
func (s *Service) OpenAttachment(ctx context.Context, a Actor, id int64, reason string) (*Attachment, io.ReadCloser, error) {
	return s.OpenReportAttachment(ctx, a, 0, id, reason)
}

// OpenReportAttachment is OpenAttachment for an attachment reached through
// its report (reportID; 0 = any report): an attachment of another report
// answers like a missing one, and nothing is opened or audited as opened.
func (s *Service) OpenReportAttachment(ctx context.Context, a Actor, reportID, id int64, reason string) (*Attachment, io.ReadCloser, error) {
	var att *Attachment
	var rep *Report
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if att, err = tx.AttachmentByID(ctx, id); err != nil {
			return err
		}
		if reportID != 0 && att.ReportID != reportID {
			return Errorf(ENOTFOUND, "no such attachment of report %d", reportID)
		}
		rep, err = tx.ReportByID(ctx, att.ReportID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, rep.Resource())) {
		return nil, nil, s.deny(ctx, a, "attachment.open", KindReport, 0, Errorf(ENOTFOUND, "No such file, or it is not yours to see."))
	} else if err != nil {
		return nil, nil, err
	}
	rc, err := s.Blobs.Open(ctx, att.BlobID, blobAD(att.ReportID))
	if err != nil {
		return nil, nil, err
	}
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, "attachment.open", OutcomeOK, KindReport, att.ReportID, reason, fmt.Sprintf("attachment %d", att.ID))
	}); err != nil {
		rc.Close()
		return nil, nil, err
	}
	return att, rc, nil
}
