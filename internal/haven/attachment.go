package haven

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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
	// Stale lists the blobs written before a time, and removes the
	// half-written files (a write cut off by a crash) older than it,
	// returning how many: the orphan sweep's candidates (blobsweep.go).
	Stale(ctx context.Context, before time.Time) (ids []string, partial int, err error)
}

// AttachmentsTx is the part of a transaction that records attachments.
type AttachmentsTx interface {
	// CreateAttachment records a stored blob; sets ID and CreatedAt.
	CreateAttachment(ctx context.Context, a *Attachment) error
	AttachmentByID(ctx context.Context, id int64) (*Attachment, error)
	// ListAttachments lists a report's attachments in the order they came.
	ListAttachments(ctx context.Context, reportID int64) ([]*Attachment, error)
	// BlobReferenced reports whether any record (an attachment, a file of
	// an unfinished ESP submission) names the blob.
	BlobReferenced(ctx context.Context, blobID string) (bool, error)
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
// characters, bidirectional controls (a right-to-left override would show
// "photo\u202egnp.exe" as "photoexe.png") or path separators, at most 200
// bytes; "" becomes "file".
// Attachments are never stored under their given names: this is only what
// is shown.
func SanitizeFileName(name string) string {
	name = strings.ReplaceAll(name, "\\", "/")
	name = path.Base(strings.TrimSpace(name))
	name = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == '/' {
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

// AttachmentAD is the associated data an attachment of report reportID is
// encrypted with (for tools that check a key file against stored blobs,
// such as `haven restore`).
func AttachmentAD(reportID int64) []byte { return blobAD(reportID) }

// StoreAttachment encrypts a file and records it against a report, inside
// tx. The caller checks the actor may add to the report. The bytes are
// checked against the policy by their sniffed type; a refused file is an
// EINVALID error naming the field "file" and leaves nothing behind (the
// blob is deleted if the transaction fails too — the caller must call the
// returned cleanup on failure).
func (s *Service) StoreAttachment(ctx context.Context, tx Tx, a Actor, reportID int64, name, declared, source string, r io.Reader) (*Attachment, func(), error) {
	info, cleanup, err := s.putAttachment(ctx, reportID, r)
	if err != nil {
		return nil, func() {}, err
	}
	att, err := s.recordAttachment(ctx, tx, a, reportID, info, name, declared, source)
	if err != nil {
		cleanup()
		return nil, func() {}, err
	}
	return att, cleanup, nil
}

// AttachmentLimits returns the policy in force (the zero policy is
// DefaultAttachmentPolicy).
func (s *Service) AttachmentLimits() AttachmentPolicy {
	if s.AttachmentPolicy.MaxSize == 0 {
		return DefaultAttachmentPolicy
	}
	return s.AttachmentPolicy
}

// typeNames are the names people know the accepted types by.
var typeNames = map[string]string{"image/jpeg": "JPEG", "image/png": "PNG", "image/gif": "GIF", "image/webp": "WebP",
	"image/bmp": "BMP", "application/pdf": "PDF", "text/plain": "plain text", "video/mp4": "MP4", "video/webm": "WebM",
	"audio/mpeg": "MP3", "audio/wave": "WAV", "audio/ogg": "Ogg", "application/ogg": "Ogg"}

// TypesText names the accepted types in a phrase for people: "JPEG, PNG,
// PDF or plain text".
func (p AttachmentPolicy) TypesText() string {
	var names []string
	seen := map[string]bool{}
	for _, t := range p.Types {
		n := typeNames[t]
		if n == "" {
			n = t
		}
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	switch len(names) {
	case 0:
		return "no files"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// MaxSizeText is the size limit for people: "50 MB" (or "64 KB" below 1 MB).
func (p AttachmentPolicy) MaxSizeText() string {
	if p.MaxSize >= 1<<20 {
		return fmt.Sprintf("%d MB", p.MaxSize>>20)
	}
	return fmt.Sprintf("%d KB", max(1, p.MaxSize>>10))
}

// putAttachment encrypts a file's bytes into a new blob bound to the report
// and checks them against the policy: more than MaxSize bytes, none, or a
// sniffed type not accepted is an EINVALID error naming "file", and no blob
// is kept. cleanup deletes the blob (for a transaction that fails to record
// it). An error from r (a client that went away, a request body over its
// limit) is returned wrapped.
func (s *Service) putAttachment(ctx context.Context, reportID int64, r io.Reader) (BlobInfo, func(), error) {
	if s.Blobs == nil {
		return BlobInfo{}, func() {}, Errorf(EINTERNAL, "attachments are not configured")
	}
	pol := s.AttachmentLimits()
	info, err := s.Blobs.Put(ctx, r, pol.MaxSize, blobAD(reportID))
	if err != nil {
		return BlobInfo{}, func() {}, err
	}
	cleanup := func() { _ = s.Blobs.Delete(context.WithoutCancel(ctx), info.ID) }
	if info.Size == 0 {
		cleanup()
		return BlobInfo{}, func() {}, FieldError("file", "the file is empty")
	}
	if !pol.Allows(info.ContentType) {
		cleanup()
		base, _, _ := strings.Cut(info.ContentType, ";")
		return BlobInfo{}, func() {}, FieldError("file", "files of type %s are not accepted; send %s", base, pol.TypesText())
	}
	return info, cleanup, nil
}

// recordAttachment records a stored blob as an attachment of the report,
// inside tx, and audits it (attachment.create).
func (s *Service) recordAttachment(ctx context.Context, tx Tx, a Actor, reportID int64, info BlobInfo, name, declared, source string) (*Attachment, error) {
	att := &Attachment{ReportID: reportID, BlobID: info.ID, FileName: SanitizeFileName(name), DeclaredType: truncate(declared, 200),
		ContentType: info.ContentType, Size: info.Size, SHA256: info.SHA256, MD5: info.MD5, Source: source, CreatedBy: a.UserID, CreatedAt: s.now()}
	if err := tx.CreateAttachment(ctx, att); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, tx, a, "attachment.create", OutcomeOK, KindReport, reportID, "", fmt.Sprintf("%s %d bytes sha256 %s", att.ContentType, att.Size, att.SHA256)); err != nil {
		return nil, err
	}
	return att, nil
}

// Upload is a file sent to Haven, before it is stored.
type Upload struct {
	Name         string // as the sender gave it (sanitised when stored)
	DeclaredType string // the type the sender declared
	Body         io.Reader
}

// AddReportAttachment attaches a file to a report, for whoever may update
// the report (authz.go); source names the channel it came through ("api").
// A report the actor may not see answers like a missing one (ENOTFOUND);
// one the actor may see but not change is EFORBIDDEN; both refusals are
// audited. A refused file (empty, larger than the policy allows, of a type
// not accepted) is EINVALID naming "file", and nothing is stored. The file
// and its audit event are recorded in one transaction.
//
// A request that may be retried carries o (see Once): the caller's
// o.RequestHash covers what it knows before reading the body (the report,
// the name, the declared type), and the file's SHA-256 is added to it here,
// once the bytes are read. A retry returns the first attachment with
// replayed true, and its bytes are not kept a second time.
func (s *Service) AddReportAttachment(ctx context.Context, a Actor, o Once, reportID int64, name, declared, source string, body io.Reader) (att *Attachment, replayed bool, err error) {
	if err := o.validate(); err != nil {
		return nil, false, err
	}
	const action = "attachment.create"
	if _, err := s.reportToUpdate(ctx, a, reportID, action, "add files to this report"); err != nil {
		return nil, false, err
	}
	info, cleanup, err := s.putAttachment(ctx, reportID, body)
	if err != nil {
		return nil, false, err
	}
	if o.Key != "" {
		h := sha256.Sum256([]byte(o.RequestHash + "\x00" + info.SHA256))
		o.RequestHash = hex.EncodeToString(h[:])
	}
	refused := false
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.Store.Update(ctx, func(tx Tx) error {
			rep, err := tx.ReportByID(ctx, reportID)
			if err != nil {
				return err
			}
			if !Can(a, ActionUpdate, rep.Resource()) { // changed since the check above
				refused = true
				return hidden(KindReport)
			}
			if att, err = s.recordAttachment(ctx, tx, a, reportID, info, name, declared, source); err != nil {
				return err
			}
			return s.remember(ctx, tx, a, o, att.ID)
		})
		if att == nil || err != nil {
			return 0, err
		}
		return att.ID, nil
	})
	if err != nil || replayed {
		cleanup()
	}
	switch {
	case refused:
		return nil, false, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	case err != nil:
		return nil, false, err
	case !replayed:
		return att, false, nil
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		att, err = tx.AttachmentByID(ctx, id)
		return err
	})
	if err != nil {
		return nil, false, err
	}
	return att, true, nil
}

// MayAddReportAttachment answers whether the actor may add files to the
// report at all (nil), with the refusal AddReportAttachment would give
// otherwise (ENOTFOUND or EFORBIDDEN, audited): an upload checks it before
// looking at the file's name and size, so that a refused actor is refused
// whatever the request holds.
func (s *Service) MayAddReportAttachment(ctx context.Context, a Actor, reportID int64) error {
	_, err := s.reportToUpdate(ctx, a, reportID, "attachment.create", "add files to this report")
	return err
}

// reportToUpdate loads a report the actor may update. One the actor may not
// see answers ENOTFOUND; one the actor may see but not change, EFORBIDDEN
// (saying they may not do what); both refusals are audited under action.
func (s *Service) reportToUpdate(ctx context.Context, a Actor, id int64, action, what string) (r *Report, err error) {
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		r, err = tx.ReportByID(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
		return nil, s.deny(ctx, a, action, KindReport, id, hidden(KindReport))
	} else if err != nil {
		return nil, err
	}
	if !Can(a, ActionUpdate, r.Resource()) {
		return nil, s.deny(ctx, a, action, KindReport, id, forbidden(what))
	}
	return r, nil
}

// ReportAttachments lists the files of a report the actor may see, in the
// order they came, and audits the listing (attachment.list, with the reason
// given): their names and fingerprints say something about the report. A
// report the actor may not see answers like a missing one, audited.
func (s *Service) ReportAttachments(ctx context.Context, a Actor, reportID int64, reason string) (as []*Attachment, err error) {
	const action = "attachment.list"
	var rep *Report
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		if rep, err = tx.ReportByID(ctx, reportID); err != nil {
			return err
		}
		as, err = tx.ListAttachments(ctx, reportID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, rep.Resource())) {
		return nil, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	} else if err != nil {
		return nil, err
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, reportID, strings.TrimSpace(reason), fmt.Sprintf("%d files", len(as)))
	})
	if err != nil {
		return nil, err
	}
	return as, nil
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
