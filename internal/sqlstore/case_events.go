package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/haven-oss/haven/internal/haven"
)

// The case workbench's events, notes, tasks and determinations (see
// haven.CaseWorkbenchTx); merges are in case_merges.go.

var (
	qAddCaseEvent = query(`INSERT INTO case_events (case_id, kind, at, actor_id, actor, summary, record_kind, record_id)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qListCaseEvents = query(`SELECT id, case_id, kind, at, actor_id, actor, summary, record_kind, record_id
	FROM case_events WHERE case_id = ? ORDER BY at, id`)
	qAddCaseReport = query(`INSERT INTO case_reports (case_id, report_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	qCasesOfReport = query(`SELECT cr.case_id FROM case_reports cr JOIN cases c ON c.id = cr.case_id
	WHERE cr.report_id = ? AND c.merged_into IS NULL ORDER BY cr.case_id`)

	qCreateCaseNote = query(`INSERT INTO case_notes (case_id, body, shareable, created_by, created_at)
	VALUES (?, ?, ?, ?, ?) RETURNING id`)
	qListCaseNotes = query(`SELECT id, case_id, body, shareable, created_by, created_at
	FROM case_notes WHERE case_id = ? ORDER BY created_at, id`)

	caseTaskColumns = `id, case_id, title, owner_id, due_at, done_at, done_by, created_by, created_at`
	qCreateCaseTask = query(`INSERT INTO case_tasks (case_id, title, owner_id, due_at, done_at, done_by, created_by, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qCaseTaskByID   = query(`SELECT ` + caseTaskColumns + ` FROM case_tasks WHERE id = ?`)
	qUpdateCaseTask = query(`UPDATE case_tasks SET done_at = ?, done_by = ? WHERE id = ?`)
	qListCaseTasks  = query(`SELECT ` + caseTaskColumns + ` FROM case_tasks WHERE case_id = ? ORDER BY id`)

	determinationColumns = `id, case_id, determination, rationale, indicators, state, recorded_by, recorded_at,
	decided_by, decided_at, decision_reason`
	qCreateDetermination = query(`INSERT INTO case_determinations (case_id, determination, rationale, indicators, state,
	recorded_by, recorded_at, decided_by, decided_at, decision_reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qDeterminationByID   = query(`SELECT ` + determinationColumns + ` FROM case_determinations WHERE id = ?`)
	qDecideDetermination = query(`UPDATE case_determinations SET state = ?, decided_by = ?, decided_at = ?,
	decision_reason = ? WHERE id = ?`)
	qListDeterminations   = query(`SELECT ` + determinationColumns + ` FROM case_determinations WHERE case_id = ? ORDER BY id`)
	qSetCaseDetermination = query(`UPDATE cases SET determination = ?, determination_id = ?, updated_at = ? WHERE id = ?`)
)

func (tx *tx) AddCaseEvent(ctx context.Context, e *haven.CaseEvent) error {
	e.At = stamp(e.At, tx.now)
	err := tx.queryRow(ctx, qAddCaseEvent, e.CaseID, string(e.Kind), e.At, idArg(e.ActorID), e.Actor, e.Summary,
		e.RecordKind, idArg(e.RecordID)).Scan(&e.ID)
	return tx.db.failure("add case event", err, "", "")
}

func scanCaseEvent(s scanner) (*haven.CaseEvent, error) {
	var e haven.CaseEvent
	err := s.Scan(&e.ID, &e.CaseID, &e.Kind, timeCol{&e.At}, idCol{&e.ActorID}, &e.Actor, &e.Summary, &e.RecordKind, idCol{&e.RecordID})
	return &e, err
}

func (tx *tx) ListCaseEvents(ctx context.Context, caseID int64) ([]*haven.CaseEvent, error) {
	es, err := queryAll(ctx, tx, scanCaseEvent, qListCaseEvents, caseID)
	return es, tx.db.failure("list case events", err, "", "")
}

func (tx *tx) AddCaseReports(ctx context.Context, caseID int64, reportIDs []int64) error {
	ids := slices.Clone(reportIDs)
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		if _, err := tx.exec(ctx, qAddCaseReport, caseID, id); err != nil {
			return tx.db.failure("add case report", err, "", "")
		}
	}
	return nil
}

func (tx *tx) CasesOfReport(ctx context.Context, reportID int64) ([]int64, error) {
	ids, err := queryAll(ctx, tx, scanInt64, qCasesOfReport, reportID)
	return ids, tx.db.failure("cases of report", err, "", "")
}

func (tx *tx) CreateCaseNote(ctx context.Context, n *haven.CaseNote) error {
	n.CreatedAt = stamp(n.CreatedAt, tx.now)
	err := tx.queryRow(ctx, qCreateCaseNote, n.CaseID, n.Body, n.Shareable, idArg(n.CreatedBy), n.CreatedAt).Scan(&n.ID)
	if err == nil {
		err = tx.indexCase(ctx, n.CaseID) // its notes are searched
	}
	return tx.db.failure("create case note", err, "", "")
}

func scanCaseNote(s scanner) (*haven.CaseNote, error) {
	var n haven.CaseNote
	err := s.Scan(&n.ID, &n.CaseID, &n.Body, &n.Shareable, idCol{&n.CreatedBy}, timeCol{&n.CreatedAt})
	return &n, err
}

func (tx *tx) ListCaseNotes(ctx context.Context, caseID int64) ([]*haven.CaseNote, error) {
	ns, err := queryAll(ctx, tx, scanCaseNote, qListCaseNotes, caseID)
	return ns, tx.db.failure("list case notes", err, "", "")
}

func (tx *tx) CreateCaseTask(ctx context.Context, t *haven.CaseTask) error {
	t.CreatedAt = stamp(t.CreatedAt, tx.now)
	err := tx.queryRow(ctx, qCreateCaseTask, t.CaseID, t.Title, idArg(t.OwnerID), timePtrArg(t.DueAt), timePtrArg(t.DoneAt),
		idArg(t.DoneBy), idArg(t.CreatedBy), t.CreatedAt).Scan(&t.ID)
	return tx.db.failure("create case task", err, "", "")
}

func scanCaseTask(s scanner) (*haven.CaseTask, error) {
	var t haven.CaseTask
	err := s.Scan(&t.ID, &t.CaseID, &t.Title, idCol{&t.OwnerID}, timePtrCol{&t.DueAt}, timePtrCol{&t.DoneAt},
		idCol{&t.DoneBy}, idCol{&t.CreatedBy}, timeCol{&t.CreatedAt})
	return &t, err
}

func (tx *tx) CaseTaskByID(ctx context.Context, id int64) (*haven.CaseTask, error) {
	t, err := scanCaseTask(tx.queryRow(ctx, qCaseTaskByID, id))
	if err != nil {
		return nil, tx.db.failure("case task by id", err, "no such task", "")
	}
	return t, nil
}

func (tx *tx) UpdateCaseTask(ctx context.Context, t *haven.CaseTask) error {
	err := tx.execOne(ctx, qUpdateCaseTask, timePtrArg(t.DoneAt), idArg(t.DoneBy), t.ID)
	return tx.db.failure("update case task", err, "no such task", "")
}

func (tx *tx) ListCaseTasks(ctx context.Context, caseID int64) ([]*haven.CaseTask, error) {
	ts, err := queryAll(ctx, tx, scanCaseTask, qListCaseTasks, caseID)
	return ts, tx.db.failure("list case tasks", err, "", "")
}

func (tx *tx) CreateDetermination(ctx context.Context, d *haven.CaseDetermination) error {
	d.RecordedAt = stamp(d.RecordedAt, tx.now)
	err := tx.queryRow(ctx, qCreateDetermination, d.CaseID, string(d.Determination), d.Rationale, listArg(d.Indicators),
		string(d.State), idArg(d.RecordedBy), d.RecordedAt, idArg(d.DecidedBy), timePtrArg(d.DecidedAt), d.DecisionReason).Scan(&d.ID)
	return tx.db.failure("create determination", err, "", "")
}

func scanDetermination(s scanner) (*haven.CaseDetermination, error) {
	var d haven.CaseDetermination
	err := s.Scan(&d.ID, &d.CaseID, &d.Determination, &d.Rationale, listCol{&d.Indicators}, &d.State, idCol{&d.RecordedBy},
		timeCol{&d.RecordedAt}, idCol{&d.DecidedBy}, timePtrCol{&d.DecidedAt}, &d.DecisionReason)
	return &d, err
}

func (tx *tx) DeterminationByID(ctx context.Context, id int64) (*haven.CaseDetermination, error) {
	d, err := scanDetermination(tx.queryRow(ctx, qDeterminationByID, id))
	if err != nil {
		return nil, tx.db.failure("determination by id", err, "no such determination", "")
	}
	return d, nil
}

func (tx *tx) DecideDetermination(ctx context.Context, d *haven.CaseDetermination) error {
	err := tx.execOne(ctx, qDecideDetermination, string(d.State), idArg(d.DecidedBy), timePtrArg(d.DecidedAt), d.DecisionReason, d.ID)
	return tx.db.failure("decide determination", err, "no such determination", "")
}

func (tx *tx) ListDeterminations(ctx context.Context, caseID int64) ([]*haven.CaseDetermination, error) {
	ds, err := queryAll(ctx, tx, scanDetermination, qListDeterminations, caseID)
	return ds, tx.db.failure("list determinations", err, "", "")
}

func (tx *tx) SetCaseDetermination(ctx context.Context, caseID int64, d haven.Determination, determinationID int64) error {
	err := tx.execOne(ctx, qSetCaseDetermination, string(d), idArg(determinationID), tx.now, caseID)
	return tx.db.failure("set case determination", err, noCase, "")
}

// CountDeterminations counts approved determinations of cases that are not
// merged away, joined with their children for the child's attributes.
func (tx *tx) CountDeterminations(ctx context.Context, f haven.DeterminationCountFilter) (map[haven.Determination]int, error) {
	w := &where{}
	cond, args := scopeSQL(f.Scope, scopeColumns{ID: "c.id", AgencyID: "c.agency_id", AssignedTo: "c.assigned_to",
		CreatedBy: "c.created_by", State: "c.state"})
	w.add(cond, args...)
	w.add("c.determination_id IS NOT NULL")
	w.add("c.merged_into IS NULL")
	eq(w, "c.state", f.State)
	eq(w, "ch.sex", string(f.ChildSex))
	w.between("c.opened_at", f.OpenedFrom, f.OpenedTo)
	q := `SELECT c.determination, COUNT(*) FROM cases c JOIN children ch ON ch.id = c.child_id` + w.String() +
		` GROUP BY c.determination`
	out := map[haven.Determination]int{}
	err := queryEach(ctx, tx, q, w.args, func(s scanner) error {
		var d string
		var n int
		if err := s.Scan(&d, &n); err != nil {
			return err
		}
		out[haven.Determination(d)] = n
		return nil
	})
	return out, tx.db.failure("count determinations", err, "", "")
}

// idsArg encodes a list of ids as a JSON array; idsCol scans one.
func idsArg(ids []int64) string {
	if len(ids) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(ids)
	return string(b)
}

type idsCol struct{ p *[]int64 }

func (c idsCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case nil:
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		return fmt.Errorf("cannot scan %T into a list of ids", src)
	}
	*c.p = nil
	if len(b) == 0 || string(b) == "[]" {
		return nil
	}
	return json.Unmarshal(b, c.p)
}
