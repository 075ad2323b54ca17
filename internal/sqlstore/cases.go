package sqlstore

import (
	"context"
	"slices"

	"github.com/haven-oss/haven/internal/haven"
)

const caseColumns = `id, child_id, title, status, determination, agency_id, assigned_to,
	created_by, state, opened_at, closed_at, updated_at, determination_id, merged_into`

var (
	qCreateCase = query(`INSERT INTO cases (child_id, title, status, determination, agency_id,
	assigned_to, created_by, state, opened_at, closed_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	insertCaseReports = newMultiInsert(`INSERT INTO case_reports (case_id, report_id)`, 2, false)
	qCaseByID         = query(`SELECT ` + caseColumns + ` FROM cases WHERE id = ?`)
	qCaseReports      = query(`SELECT report_id FROM case_reports WHERE case_id = ? ORDER BY report_id`)
	qUpdateCase       = query(`UPDATE cases SET title = ?, status = ?, determination = ?, agency_id = ?,
	assigned_to = ?, state = ?, closed_at = ?, updated_at = ? WHERE id = ?`)
)

const noCase = "no such case"

func scanCase(s scanner) (*haven.Case, error) {
	var c haven.Case
	err := s.Scan(&c.ID, &c.ChildID, &c.Title, &c.Status, &c.Determination, idCol{&c.AgencyID},
		idCol{&c.AssignedTo}, idCol{&c.CreatedBy}, &c.State, timeCol{&c.OpenedAt},
		timePtrCol{&c.ClosedAt}, timeCol{&c.UpdatedAt}, idCol{&c.DeterminationID}, idCol{&c.MergedInto})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CreateCase stores the case and its ReportIDs; a report listed twice is
// stored once, and CaseByID returns ReportIDs in ascending order.
func (tx *tx) CreateCase(ctx context.Context, c *haven.Case) error {
	c.OpenedAt = stamp(c.OpenedAt, tx.now)
	c.UpdatedAt = tx.now
	err := tx.queryRow(ctx, qCreateCase, c.ChildID, c.Title, string(c.Status), string(c.Determination),
		idArg(c.AgencyID), idArg(c.AssignedTo), idArg(c.CreatedBy), c.State, c.OpenedAt,
		timePtrArg(c.ClosedAt), c.UpdatedAt).Scan(&c.ID)
	if err == nil {
		ids := slices.Clone(c.ReportIDs)
		slices.Sort(ids)
		ids = slices.Compact(ids)
		err = tx.insertRows(ctx, insertCaseReports, len(ids), func(args []any, i int) []any {
			return append(args, c.ID, ids[i])
		}, nil)
	}
	if err == nil {
		err = tx.indexCase(ctx, c.ID)
	}
	return tx.db.failure("create case", err, "", "")
}

func (tx *tx) CaseByID(ctx context.Context, id int64) (*haven.Case, error) {
	c, err := scanCase(tx.queryRow(ctx, qCaseByID, id))
	if err == nil {
		c.ReportIDs, err = queryAll(ctx, tx, scanInt64, qCaseReports, id)
	}
	if err != nil {
		return nil, tx.db.failure("case by id", err, noCase, "")
	}
	return c, nil
}

func scanInt64(s scanner) (int64, error) {
	var n int64
	err := s.Scan(&n)
	return n, err
}

func (tx *tx) UpdateCase(ctx context.Context, c *haven.Case) error {
	err := tx.execOne(ctx, qUpdateCase, c.Title, string(c.Status), string(c.Determination),
		idArg(c.AgencyID), idArg(c.AssignedTo), c.State, timePtrArg(c.ClosedAt), tx.now, c.ID)
	if err != nil {
		return tx.db.failure("update case", err, noCase, "")
	}
	c.UpdatedAt = tx.now
	return tx.db.failure("update case", tx.indexCase(ctx, c.ID), "", "")
}

func caseWhere(f haven.CaseFilter) *where {
	w := &where{}
	w.scope(f.Scope, caseScope)
	eq(w, "status", string(f.Status))
	eq(w, "determination", string(f.Determination))
	eq(w, "child_id", f.ChildID)
	eq(w, "assigned_to", f.AssignedTo)
	if !f.IncludeMerged {
		w.add("merged_into IS NULL")
	}
	return w
}

// ListCases returns the cases with their ReportIDs, newest first.
func (tx *tx) ListCases(ctx context.Context, f haven.CaseFilter) ([]*haven.Case, error) {
	cs, err := list(ctx, tx, caseListing, caseWhere(f), f.Limit, f.Offset)
	if err == nil && len(cs) > 0 {
		err = tx.db.failure("list cases", tx.caseReports(ctx, cs), "", "")
	}
	if err != nil {
		return nil, err
	}
	return cs, nil
}

var caseListing = listing[*haven.Case]{"cases", caseColumns, "opened_at DESC, id DESC", scanCase}

// caseReports fills in the ReportIDs of cs with one query.
func (tx *tx) caseReports(ctx context.Context, cs []*haven.Case) error {
	byID := make(map[int64]*haven.Case, len(cs))
	args := make([]any, 0, len(cs))
	for _, c := range cs {
		byID[c.ID] = c
		args = append(args, c.ID)
	}
	q := `SELECT case_id, report_id FROM case_reports WHERE case_id IN (` + placeholders(len(args)) +
		`) ORDER BY case_id, report_id`
	return tx.queryPairs(ctx, q, args, func(caseID, reportID int64) error {
		c := byID[caseID]
		c.ReportIDs = append(c.ReportIDs, reportID)
		return nil
	})
}

func (tx *tx) CountCases(ctx context.Context, f haven.CaseFilter) (int, error) {
	return tx.countWhere(ctx, "cases", caseWhere(f))
}
