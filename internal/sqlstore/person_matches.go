package sqlstore

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Person matching (haven.PersonMatchTx): the blocking-key index of children
// on file and the suggested matches of people in reports with them.

const matchColumns = `m.id, m.report_person_id, m.child_id, m.weight, m.probability, m.evidence, m.state,
	m.decided_by, m.decided_at, m.reason, m.created_at, rp.report_id, r.priority`

const matchFrom = ` FROM person_matches m JOIN report_people rp ON rp.id = m.report_person_id
	JOIN reports r ON r.id = rp.report_id`

var (
	qDeleteChildKeys = query(`DELETE FROM child_match_keys WHERE child_id = ?`)
	qInsertChildKey  = query(`INSERT INTO child_match_keys (match_key, child_id) VALUES (?, ?) ON CONFLICT DO NOTHING`)
	qUnfiledChildren = query(`SELECT ` + childColumns + ` FROM children c WHERE id > ?
	AND NOT EXISTS (SELECT 1 FROM child_match_keys k WHERE k.child_id = c.id) ORDER BY id LIMIT ?`)
	qSuggestMatch = insertQuery(`INSERT INTO person_matches (report_person_id, child_id, weight, probability,
	evidence, state, reason, created_at) VALUES (?, ?, ?, ?, ?, 'suggested', '', ?) ON CONFLICT DO NOTHING`)
	qMatchByID     = query(`SELECT ` + matchColumns + matchFrom + ` WHERE m.id = ?`)
	qDecideMatch   = query(`UPDATE person_matches SET state = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`)
	qSetPersonChld = query(`UPDATE report_people SET child_id = ? WHERE id = ?`)
)

const noMatch = "no such person match"

func (tx *tx) SetChildMatchKeys(ctx context.Context, childID int64, keys [][]byte) error {
	if _, err := tx.exec(ctx, qDeleteChildKeys, childID); err != nil {
		return tx.db.failure("set child match keys", err, "", "")
	}
	for _, k := range keys {
		if _, err := tx.exec(ctx, qInsertChildKey, k, childID); err != nil {
			return tx.db.failure("set child match keys", err, "", "")
		}
	}
	return nil
}

func (tx *tx) ChildrenByMatchKeys(ctx context.Context, keys [][]byte, limit int) ([]*haven.Child, error) {
	if len(keys) == 0 {
		return nil, nil
	}
	args := make([]any, 0, len(keys)+1)
	for _, k := range keys {
		args = append(args, k)
	}
	args = append(args, limit)
	q := `SELECT ` + childColumns + ` FROM children WHERE id IN (SELECT child_id FROM child_match_keys WHERE match_key IN (?` +
		strings.Repeat(", ?", len(keys)-1) + `)) ORDER BY id LIMIT ?`
	cs, err := queryAll(ctx, tx, scanChild, q, args...)
	return cs, tx.db.failure("children by match keys", err, "", "")
}

func (tx *tx) ChildrenWithoutMatchKeys(ctx context.Context, afterID int64, limit int) ([]*haven.Child, error) {
	cs, err := queryAll(ctx, tx, scanChild, qUnfiledChildren, afterID, limit)
	return cs, tx.db.failure("children without match keys", err, "", "")
}

func scanMatch(s scanner) (*haven.PersonMatch, error) {
	var m haven.PersonMatch
	var evidence string
	err := s.Scan(&m.ID, &m.ReportPersonID, &m.ChildID, &m.Weight, &m.Probability, &evidence, &m.State,
		idCol{&m.DecidedBy}, timePtrCol{&m.DecidedAt}, &m.Reason, timeCol{&m.CreatedAt}, &m.ReportID, &m.ReportPriority)
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(evidence), &m.Evidence); err != nil {
		return nil, err
	}
	return &m, nil
}

func (tx *tx) SuggestPersonMatch(ctx context.Context, m *haven.PersonMatch) (bool, error) {
	ev := m.Evidence
	if ev == nil {
		ev = []haven.MatchEvidence{}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		return false, err
	}
	id, err := tx.insert(ctx, qSuggestMatch, m.ReportPersonID, m.ChildID, m.Weight, m.Probability, string(b), tx.now)
	if errors.Is(err, errTaken) {
		return false, nil
	}
	if err != nil {
		return false, tx.db.failure("suggest person match", err, "", "")
	}
	m.ID, m.State, m.CreatedAt = id, haven.MatchSuggested, tx.now
	return true, nil
}

func (tx *tx) PersonMatchByID(ctx context.Context, id int64) (*haven.PersonMatch, error) {
	m, err := scanMatch(tx.queryRow(ctx, qMatchByID, id))
	return m, tx.db.failure("person match by id", err, noMatch, "")
}

func (tx *tx) DecidePersonMatch(ctx context.Context, id int64, state haven.MatchState, reason string, by int64) (*haven.PersonMatch, error) {
	if state != haven.MatchConfirmed && state != haven.MatchRejected {
		return nil, haven.Errorf(haven.EINVALID, "a person match is confirmed or rejected, not %q", state)
	}
	if err := tx.execOne(ctx, qDecideMatch, string(state), reason, idArg(by), tx.now, id); err != nil {
		return nil, tx.db.failure("decide person match", err, noMatch, "")
	}
	return tx.PersonMatchByID(ctx, id)
}

func (tx *tx) SetPersonChild(ctx context.Context, personID, childID int64) error {
	return tx.db.failure("set person child", tx.execOne(ctx, qSetPersonChld, idArg(childID), personID), "no such person in a report", "")
}

func (tx *tx) ListPersonMatches(ctx context.Context, f haven.PersonMatchFilter) ([]*haven.PersonMatch, error) {
	var conds []string
	var args []any
	if f.ReportID != 0 {
		conds, args = append(conds, "rp.report_id = ?"), append(args, f.ReportID)
	}
	if f.ChildID != 0 {
		conds, args = append(conds, "m.child_id = ?"), append(args, f.ChildID)
	}
	if f.State != "" {
		conds, args = append(conds, "m.state = ?"), append(args, string(f.State))
	}
	q := `SELECT ` + matchColumns + matchFrom
	if len(conds) > 0 {
		q += ` WHERE ` + strings.Join(conds, " AND ")
	}
	if f.ReportID != 0 {
		q += ` ORDER BY rp.pos, m.probability DESC, m.id`
	} else {
		// Strongest first, then the most urgent report (P1 first, no
		// priority last).
		q += ` ORDER BY m.probability DESC, CASE WHEN r.priority = 0 THEN 99 ELSE r.priority END, m.id`
	}
	if f.Limit > 0 {
		q += ` LIMIT ?`
		args = append(args, f.Limit)
	}
	ms, err := queryAll(ctx, tx, scanMatch, q, args...)
	return ms, tx.db.failure("list person matches", err, "", "")
}
