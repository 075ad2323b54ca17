package sqlstore

import (
	"context"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

const (
	espAccountColumns    = `id, name, password_hash, disabled, created_at, updated_at`
	espSubmissionColumns = `id, account_id, body_hash, xml, state, report_id, opened_at, changed_at, finished_at`
	espFileColumns       = `id, submission_id, file_id, blob_id, file_name, declared_type, content_type, size,
	md5, sha256, details, attachment_id, created_at`
)

var (
	qCreateEspAccount = insertQuery(`INSERT INTO esp_accounts (name, password_hash, disabled, created_at,
	updated_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qEspAccountByName = query(`SELECT ` + espAccountColumns + ` FROM esp_accounts WHERE name = ?`)
	qUpdateEspAccount = query(`UPDATE esp_accounts SET password_hash = ?, disabled = ?, updated_at = ? WHERE id = ?`)
	qListEspAccounts  = query(`SELECT ` + espAccountColumns + ` FROM esp_accounts ORDER BY name`)

	qCreateEspSubmission = insertQuery(`INSERT INTO esp_submissions (account_id, body_hash, xml, state,
	report_id, opened_at, changed_at, finished_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qEspSubmissionByID   = query(`SELECT ` + espSubmissionColumns + ` FROM esp_submissions WHERE id = ?`)
	qEspSubmissionByBody = query(`SELECT ` + espSubmissionColumns + ` FROM esp_submissions
	WHERE account_id = ? AND body_hash = ? AND opened_at >= ? AND state <> 'retracted'
	ORDER BY opened_at DESC, id DESC LIMIT 1`)
	qUpdateEspSubmission = query(`UPDATE esp_submissions SET xml = ?, state = ?, report_id = ?,
	changed_at = ?, finished_at = ? WHERE id = ?`)
	qDeleteEspSubmission = query(`DELETE FROM esp_submissions WHERE id = ?`)
	qCountEspSubmissions = query(`SELECT COUNT(*) FROM esp_submissions`)
	// esp_submissions_unfinished (migration 00013) holds only these rows.
	qUnfinishedEspSubmissions = query(`SELECT id FROM esp_submissions
	WHERE state <> 'finished' AND changed_at <= ? AND opened_at <= ? ORDER BY changed_at, id LIMIT ?`)

	qCreateEspFile = insertQuery(`INSERT INTO esp_files (submission_id, file_id, blob_id, file_name,
	declared_type, content_type, size, md5, sha256, details, attachment_id, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qListEspFiles   = query(`SELECT ` + espFileColumns + ` FROM esp_files WHERE submission_id = ? ORDER BY id`)
	qUpdateEspFile  = query(`UPDATE esp_files SET blob_id = ?, details = ?, attachment_id = ? WHERE id = ?`)
	qDeleteEspFiles = query(`DELETE FROM esp_files WHERE submission_id = ?`)
)

const (
	noEspAccount    = "no such ESP account"
	noEspSubmission = "no such ESP report"
	noEspFile       = "no such ESP file"
)

func scanEspAccount(s scanner) (*haven.EspAccount, error) {
	var a haven.EspAccount
	if err := s.Scan(&a.ID, &a.Name, &a.PasswordHash, &a.Disabled, timeCol{&a.CreatedAt}, timeCol{&a.UpdatedAt}); err != nil {
		return nil, err
	}
	return &a, nil
}

func scanEspSubmission(s scanner) (*haven.EspSubmission, error) {
	var e haven.EspSubmission
	if err := s.Scan(&e.ID, &e.AccountID, bytesCol{&e.BodyHash}, bytesCol{&e.XML}, &e.State, idCol{&e.ReportID},
		timeCol{&e.OpenedAt}, timeCol{&e.ChangedAt}, timePtrCol{&e.FinishedAt}); err != nil {
		return nil, err
	}
	return &e, nil
}

func scanEspFile(s scanner) (*haven.EspFile, error) {
	var f haven.EspFile
	if err := s.Scan(&f.ID, &f.SubmissionID, &f.FileID, &f.BlobID, &f.FileName, &f.DeclaredType, &f.ContentType,
		&f.Size, &f.MD5, &f.SHA256, bytesCol{&f.Details}, idCol{&f.AttachmentID}, timeCol{&f.CreatedAt}); err != nil {
		return nil, err
	}
	return &f, nil
}

// nullBytes binds nil as NULL (an absent document) and anything else as is.
func nullBytes(b []byte) any {
	if b == nil {
		return nil
	}
	return b
}

func (tx *tx) CreateEspAccount(ctx context.Context, a *haven.EspAccount) error {
	a.CreatedAt, a.UpdatedAt = tx.now, tx.now
	id, err := tx.insert(ctx, qCreateEspAccount, a.Name, a.PasswordHash, a.Disabled, a.CreatedAt, a.UpdatedAt)
	if err != nil {
		return tx.db.failure("create esp account", err, "", "that ESP account name is taken")
	}
	a.ID = id
	return nil
}

func (tx *tx) EspAccountByName(ctx context.Context, name string) (*haven.EspAccount, error) {
	a, err := scanEspAccount(tx.queryRow(ctx, qEspAccountByName, name))
	return a, tx.db.failure("esp account by name", err, noEspAccount, "")
}

func (tx *tx) UpdateEspAccount(ctx context.Context, a *haven.EspAccount) error {
	a.UpdatedAt = tx.now
	return tx.db.failure("update esp account", tx.execOne(ctx, qUpdateEspAccount, a.PasswordHash, a.Disabled, a.UpdatedAt, a.ID), noEspAccount, "")
}

func (tx *tx) ListEspAccounts(ctx context.Context) ([]*haven.EspAccount, error) {
	as, err := queryAll(ctx, tx, scanEspAccount, qListEspAccounts)
	return as, tx.db.failure("list esp accounts", err, "", "")
}

func (tx *tx) CreateEspSubmission(ctx context.Context, s *haven.EspSubmission) error {
	id, err := tx.insert(ctx, qCreateEspSubmission, s.AccountID, bytesArg(s.BodyHash), bytesArg(s.XML), string(s.State),
		idArg(s.ReportID), timeArg(s.OpenedAt), timeArg(s.ChangedAt), timePtrArg(s.FinishedAt))
	if err != nil {
		return tx.db.failure("create esp submission", err, "", "that report is open already")
	}
	s.ID = id
	return nil
}

func (tx *tx) EspSubmissionByID(ctx context.Context, id int64) (*haven.EspSubmission, error) {
	s, err := scanEspSubmission(tx.queryRow(ctx, qEspSubmissionByID, id))
	return s, tx.db.failure("esp submission by id", err, noEspSubmission, "")
}

func (tx *tx) EspSubmissionByBody(ctx context.Context, accountID int64, bodyHash []byte, since time.Time) (*haven.EspSubmission, error) {
	s, err := scanEspSubmission(tx.queryRow(ctx, qEspSubmissionByBody, accountID, bytesArg(bodyHash), timeArg(since)))
	return s, tx.db.failure("esp submission by body", err, noEspSubmission, "")
}

func (tx *tx) UpdateEspSubmission(ctx context.Context, s *haven.EspSubmission) error {
	return tx.db.failure("update esp submission", tx.execOne(ctx, qUpdateEspSubmission, bytesArg(s.XML), string(s.State),
		idArg(s.ReportID), timeArg(s.ChangedAt), timePtrArg(s.FinishedAt), s.ID), noEspSubmission, "")
}

func (tx *tx) DeleteEspSubmission(ctx context.Context, id int64) error {
	if _, err := tx.exec(ctx, qDeleteEspFiles, id); err != nil {
		return tx.db.failure("delete esp submission", err, "", "")
	}
	return tx.db.failure("delete esp submission", tx.execOne(ctx, qDeleteEspSubmission, id), noEspSubmission, "")
}

func (tx *tx) CountEspSubmissions(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, qCountEspSubmissions).Scan(&n)
	return n, tx.db.failure("count esp submissions", err, "", "")
}

func (tx *tx) CreateEspFile(ctx context.Context, f *haven.EspFile) error {
	f.CreatedAt = stamp(f.CreatedAt, tx.now)
	id, err := tx.insert(ctx, qCreateEspFile, f.SubmissionID, f.FileID, f.BlobID, f.FileName, f.DeclaredType,
		f.ContentType, f.Size, f.MD5, f.SHA256, nullBytes(f.Details), idArg(f.AttachmentID), f.CreatedAt)
	if err != nil {
		return tx.db.failure("create esp file", err, "", "that file is already in the report")
	}
	f.ID = id
	return nil
}

func (tx *tx) ListEspFiles(ctx context.Context, submissionID int64) ([]*haven.EspFile, error) {
	fs, err := queryAll(ctx, tx, scanEspFile, qListEspFiles, submissionID)
	return fs, tx.db.failure("list esp files", err, "", "")
}

func (tx *tx) UpdateEspFile(ctx context.Context, f *haven.EspFile) error {
	return tx.db.failure("update esp file", tx.execOne(ctx, qUpdateEspFile, f.BlobID, nullBytes(f.Details), idArg(f.AttachmentID), f.ID), noEspFile, "")
}

func (tx *tx) DeleteEspFiles(ctx context.Context, submissionID int64) error {
	_, err := tx.exec(ctx, qDeleteEspFiles, submissionID)
	return tx.db.failure("delete esp files", err, "", "")
}

func (tx *tx) UnfinishedEspSubmissions(ctx context.Context, openedBefore, changedBefore time.Time, limit int) ([]int64, error) {
	ids, err := queryAll(ctx, tx, scanInt64, qUnfinishedEspSubmissions, timeArg(changedBefore), timeArg(openedBefore), limit)
	return ids, tx.db.failure("unfinished esp submissions", err, "", "")
}
