package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

const attachmentColumns = `id, report_id, blob_id, file_name, declared_type, content_type, size,
	sha256, md5, source, created_by, created_at`

var (
	qCreateAttachment = insertQuery(`INSERT INTO attachments (report_id, blob_id, file_name,
	declared_type, content_type, size, sha256, md5, source, created_by, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qAttachmentByID  = query(`SELECT ` + attachmentColumns + ` FROM attachments WHERE id = ?`)
	qListAttachments = query(`SELECT ` + attachmentColumns + ` FROM attachments WHERE report_id = ? ORDER BY id`)
)

const noAttachment = "no such attachment"

func scanAttachment(s scanner) (*haven.Attachment, error) {
	var a haven.Attachment
	err := s.Scan(&a.ID, &a.ReportID, &a.BlobID, &a.FileName, &a.DeclaredType, &a.ContentType, &a.Size,
		&a.SHA256, &a.MD5, &a.Source, idCol{&a.CreatedBy}, timeCol{&a.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (tx *tx) CreateAttachment(ctx context.Context, a *haven.Attachment) error {
	a.CreatedAt = stamp(a.CreatedAt, tx.now)
	id, err := tx.insert(ctx, qCreateAttachment, a.ReportID, a.BlobID, a.FileName, a.DeclaredType,
		a.ContentType, a.Size, a.SHA256, a.MD5, a.Source, idArg(a.CreatedBy), a.CreatedAt)
	if err != nil {
		return tx.db.failure("create attachment", err, "", "that blob is already recorded")
	}
	a.ID = id
	return nil
}

func (tx *tx) AttachmentByID(ctx context.Context, id int64) (*haven.Attachment, error) {
	a, err := scanAttachment(tx.queryRow(ctx, qAttachmentByID, id))
	if err != nil {
		return nil, tx.db.failure("attachment by id", err, noAttachment, "")
	}
	return a, nil
}

func (tx *tx) ListAttachments(ctx context.Context, reportID int64) ([]*haven.Attachment, error) {
	rows, err := tx.query(ctx, qListAttachments, reportID)
	if err != nil {
		return nil, tx.db.failure("list attachments", err, "", "")
	}
	defer rows.Close()
	var as []*haven.Attachment
	for rows.Next() {
		a, err := scanAttachment(rows)
		if err != nil {
			return nil, tx.db.failure("list attachments", err, "", "")
		}
		as = append(as, a)
	}
	return as, tx.db.failure("list attachments", rows.Err(), "", "")
}

var qBlobReferenced = query(`SELECT (SELECT COUNT(*) FROM attachments WHERE blob_id = ?) + (SELECT COUNT(*) FROM esp_files WHERE blob_id = ?)`)

func (tx *tx) BlobReferenced(ctx context.Context, blobID string) (bool, error) {
	var n int
	err := tx.queryRow(ctx, qBlobReferenced, blobID, blobID).Scan(&n)
	return n > 0, tx.db.failure("blob referenced", err, "", "")
}
