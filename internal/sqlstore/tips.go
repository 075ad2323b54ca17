package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	qCreateTipFollowUp = query(`INSERT INTO tip_followups (report_id, code_hash, failures,
	locked_until, created_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qTipFollowUpByRef = query(`SELECT f.report_id, r.ref, f.code_hash, f.failures, f.locked_until, f.created_at
	FROM tip_followups f JOIN reports r ON r.id = f.report_id WHERE r.ref = ?`)
	qAddTipFollowUpFailure = query(`UPDATE tip_followups SET failures = failures + 1 WHERE report_id = ?
	RETURNING failures`)
	qSetTipFollowUpLock = query(`UPDATE tip_followups SET failures = ?, locked_until = ? WHERE report_id = ?`)

	qCreateSupplement = insertQuery(`INSERT INTO report_supplements (report_id, text, language,
	identifiers, ip, created_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qSupplementAttachment = query(`INSERT INTO report_supplement_attachments (supplement_id,
	attachment_id, pos) VALUES (?, ?, ?)`)
	qListSupplements = query(`SELECT id, report_id, text, language, identifiers, ip, created_at
	FROM report_supplements WHERE report_id = ? ORDER BY id`)
	qSupplementAttachments = query(`SELECT a.supplement_id, a.attachment_id FROM report_supplement_attachments a
	JOIN report_supplements s ON s.id = a.supplement_id WHERE s.report_id = ? ORDER BY a.supplement_id, a.pos`)
)

const noFollowUp = "no follow-up code for that reference"

func (tx *tx) CreateTipFollowUp(ctx context.Context, f *haven.TipFollowUp) error {
	f.CreatedAt = stamp(f.CreatedAt, tx.now)
	res, err := tx.exec(ctx, qCreateTipFollowUp, f.ReportID, bytesArg(f.CodeHash), f.Failures,
		timePtrArg(f.LockedUntil), f.CreatedAt)
	if err == nil {
		var n int64
		if n, err = res.RowsAffected(); err == nil && n == 0 {
			err = errTaken
		}
	}
	return tx.db.failure("create tip follow-up", err, "", "that report has a follow-up code already")
}

func (tx *tx) TipFollowUpByRef(ctx context.Context, ref string) (*haven.TipFollowUp, error) {
	var f haven.TipFollowUp
	err := tx.queryRow(ctx, qTipFollowUpByRef, ref).Scan(&f.ReportID, &f.Ref, bytesCol{&f.CodeHash}, &f.Failures,
		timePtrCol{&f.LockedUntil}, timeCol{&f.CreatedAt})
	if err != nil {
		return nil, tx.db.failure("tip follow-up by ref", err, noFollowUp, "")
	}
	return &f, nil
}

func (tx *tx) AddTipFollowUpFailure(ctx context.Context, reportID int64) (int, error) {
	var n int
	err := tx.queryRow(ctx, qAddTipFollowUpFailure, reportID).Scan(&n)
	return n, tx.db.failure("count tip follow-up failure", err, noFollowUp, "")
}

func (tx *tx) SetTipFollowUpLock(ctx context.Context, reportID int64, failures int, lockedUntil *time.Time) error {
	err := tx.execOne(ctx, qSetTipFollowUpLock, failures, timePtrArg(lockedUntil), reportID)
	return tx.db.failure("set tip follow-up lock", err, noFollowUp, "")
}

// storedIdentifier is an identifier as a supplement keeps it (JSON).
type storedIdentifier struct {
	Kind     string `json:"kind"`
	Value    string `json:"value"`
	Platform string `json:"platform,omitempty"`
	Raw      string `json:"raw,omitempty"`
	Source   string `json:"source,omitempty"`
}

func (tx *tx) CreateSupplement(ctx context.Context, s *haven.Supplement) error {
	s.CreatedAt = stamp(s.CreatedAt, tx.now)
	ids := make([]storedIdentifier, len(s.Identifiers))
	for i, id := range s.Identifiers {
		ids[i] = storedIdentifier{string(id.Kind), id.Value, id.Platform, id.Raw, id.Source}
	}
	b, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlstore: create supplement: %w", err)
	}
	id, err := tx.insert(ctx, qCreateSupplement, s.ReportID, s.Text, s.Language, string(b), s.IP, s.CreatedAt)
	if err != nil {
		return tx.db.failure("create supplement", err, "", "")
	}
	s.ID = id
	for i, aid := range s.AttachmentIDs {
		if _, err := tx.exec(ctx, qSupplementAttachment, s.ID, aid, i); err != nil {
			return tx.db.failure("create supplement", err, "", "that file belongs to another supplement")
		}
	}
	for i := range s.Identifiers {
		s.Identifiers[i].ReportID = s.ReportID
	}
	return nil
}

func (tx *tx) ListSupplements(ctx context.Context, reportID int64) ([]*haven.Supplement, error) {
	sups, err := queryAll(ctx, tx, func(sc scanner) (*haven.Supplement, error) {
		var s haven.Supplement
		var ids string
		if err := sc.Scan(&s.ID, &s.ReportID, &s.Text, &s.Language, &ids, &s.IP, timeCol{&s.CreatedAt}); err != nil {
			return nil, err
		}
		var stored []storedIdentifier
		if err := json.Unmarshal([]byte(ids), &stored); err != nil {
			return nil, err
		}
		for _, id := range stored {
			s.Identifiers = append(s.Identifiers, haven.Identifier{ReportID: s.ReportID, Kind: haven.IdentifierKind(id.Kind),
				Value: id.Value, Platform: id.Platform, Raw: id.Raw, Source: id.Source})
		}
		return &s, nil
	}, qListSupplements, reportID)
	if err != nil {
		return nil, tx.db.failure("list supplements", err, "", "")
	}
	byID := make(map[int64]*haven.Supplement, len(sups))
	for _, s := range sups {
		byID[s.ID] = s
	}
	err = tx.queryPairs(ctx, qSupplementAttachments, []any{reportID}, func(sid, aid int64) error {
		if s := byID[sid]; s != nil {
			s.AttachmentIDs = append(s.AttachmentIDs, aid)
		}
		return nil
	})
	return sups, tx.db.failure("list supplements", err, "", "")
}
