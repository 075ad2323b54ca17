package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

// Merging two cases about the same child, and splitting them again: the
// merge row records exactly what moved, and a split moves exactly that
// back, so the absorbed case comes back as it was.

var (
	qMergeReportIDs = query(`SELECT report_id FROM case_reports WHERE case_id = ? AND report_id NOT IN
	(SELECT report_id FROM case_reports WHERE case_id = ?) ORDER BY report_id`)
	qMergeNoteIDs          = query(`SELECT id FROM case_notes WHERE case_id = ? ORDER BY id`)
	qMergeTaskIDs          = query(`SELECT id FROM case_tasks WHERE case_id = ? ORDER BY id`)
	qMergeEventIDs         = query(`SELECT id FROM case_events WHERE case_id = ? ORDER BY id`)
	qMergeDeterminationIDs = query(`SELECT id FROM case_determinations WHERE case_id = ? ORDER BY id`)
	qMoveNotes             = query(`UPDATE case_notes SET case_id = ? WHERE case_id = ?`)
	qMoveTasks             = query(`UPDATE case_tasks SET case_id = ? WHERE case_id = ?`)
	qMoveEvents            = query(`UPDATE case_events SET case_id = ? WHERE case_id = ?`)
	qMoveDeterminations    = query(`UPDATE case_determinations SET case_id = ? WHERE case_id = ?`)
	qSetMergedInto         = query(`UPDATE cases SET merged_into = ?, updated_at = ? WHERE id = ?`)
	qInsertMerge           = query(`INSERT INTO case_merges (surviving_id, absorbed_id, merged_by, merged_at, reason,
	report_ids, note_ids, task_ids, event_ids, determination_ids) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qMergeOf = query(`SELECT id, surviving_id, absorbed_id, merged_by, merged_at, reason, report_ids, note_ids, task_ids,
	event_ids, determination_ids, split_by, split_at FROM case_merges WHERE absorbed_id = ? AND split_at IS NULL
	ORDER BY id DESC LIMIT 1`)
	qMarkSplit        = query(`UPDATE case_merges SET split_by = ?, split_at = ? WHERE id = ? AND split_at IS NULL`)
	qRemoveCaseReport = query(`DELETE FROM case_reports WHERE case_id = ? AND report_id = ?`)
	qMoveNoteBack     = query(`UPDATE case_notes SET case_id = ? WHERE id = ? AND case_id = ?`)
	qMoveTaskBack     = query(`UPDATE case_tasks SET case_id = ? WHERE id = ? AND case_id = ?`)
	qMoveEventBack    = query(`UPDATE case_events SET case_id = ? WHERE id = ? AND case_id = ?`)
	qMoveDetBack      = query(`UPDATE case_determinations SET case_id = ? WHERE id = ? AND case_id = ?`)
)

func (tx *tx) MergeCases(ctx context.Context, m *haven.CaseMerge) error {
	return tx.db.failure("merge cases", tx.mergeCases(ctx, m), noCase, "")
}

func (tx *tx) mergeCases(ctx context.Context, m *haven.CaseMerge) error {
	s, a := m.SurvivingID, m.AbsorbedID
	var err error
	if m.ReportIDs, err = queryAll(ctx, tx, scanInt64, qMergeReportIDs, a, s); err != nil {
		return err
	}
	for _, l := range []struct {
		ids  *[]int64
		q    string
		move string
	}{
		{&m.NoteIDs, qMergeNoteIDs, qMoveNotes},
		{&m.TaskIDs, qMergeTaskIDs, qMoveTasks},
		{&m.EventIDs, qMergeEventIDs, qMoveEvents},
		{&m.DeterminationIDs, qMergeDeterminationIDs, qMoveDeterminations},
	} {
		if *l.ids, err = queryAll(ctx, tx, scanInt64, l.q, a); err != nil {
			return err
		}
		if _, err := tx.exec(ctx, l.move, s, a); err != nil {
			return err
		}
	}
	for _, id := range m.ReportIDs {
		if _, err := tx.exec(ctx, qAddCaseReport, s, id); err != nil {
			return err
		}
	}
	if err := tx.execOne(ctx, qSetMergedInto, s, tx.now, a); err != nil {
		return err
	}
	m.MergedAt = stamp(m.MergedAt, tx.now)
	if err := tx.indexCase(ctx, s); err != nil { // the notes it took are searched under it
		return err
	}
	return tx.queryRow(ctx, qInsertMerge, s, a, idArg(m.MergedBy), m.MergedAt, m.Reason, idsArg(m.ReportIDs),
		idsArg(m.NoteIDs), idsArg(m.TaskIDs), idsArg(m.EventIDs), idsArg(m.DeterminationIDs)).Scan(&m.ID)
}

func (tx *tx) MergeOf(ctx context.Context, absorbedID int64) (*haven.CaseMerge, error) {
	var m haven.CaseMerge
	err := tx.queryRow(ctx, qMergeOf, absorbedID).Scan(&m.ID, &m.SurvivingID, &m.AbsorbedID, idCol{&m.MergedBy},
		timeCol{&m.MergedAt}, &m.Reason, idsCol{&m.ReportIDs}, idsCol{&m.NoteIDs}, idsCol{&m.TaskIDs}, idsCol{&m.EventIDs},
		idsCol{&m.DeterminationIDs}, idCol{&m.SplitBy}, timePtrCol{&m.SplitAt})
	if err != nil {
		return nil, tx.db.failure("merge of", err, "the case was not merged into another", "")
	}
	return &m, nil
}

func (tx *tx) SplitCase(ctx context.Context, m *haven.CaseMerge) error {
	return tx.db.failure("split case", tx.splitCase(ctx, m), "the merge is undone already", "")
}

func (tx *tx) splitCase(ctx context.Context, m *haven.CaseMerge) error {
	s, a := m.SurvivingID, m.AbsorbedID
	for _, id := range m.ReportIDs {
		if _, err := tx.exec(ctx, qRemoveCaseReport, s, id); err != nil {
			return err
		}
	}
	for _, l := range []struct {
		ids  []int64
		move string
	}{{m.NoteIDs, qMoveNoteBack}, {m.TaskIDs, qMoveTaskBack}, {m.EventIDs, qMoveEventBack}, {m.DeterminationIDs, qMoveDetBack}} {
		for _, id := range l.ids {
			if _, err := tx.exec(ctx, l.move, a, id, s); err != nil {
				return err
			}
		}
	}
	if err := tx.execOne(ctx, qSetMergedInto, nil, tx.now, a); err != nil {
		return err
	}
	now := tx.now
	if err := tx.execOne(ctx, qMarkSplit, idArg(m.SplitBy), now, m.ID); err != nil {
		return err
	}
	m.SplitAt = &now
	// The notes went back: each case is searched by its own again.
	if err := tx.indexCase(ctx, s); err != nil {
		return err
	}
	return tx.indexCase(ctx, a)
}
