package sqlstore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/haven-oss/haven/internal/haven"
)

// Person-matching models (haven.PersonModelTx): the models fitted by EM on
// the people on file, newest current, and the people they are fitted on.

var (
	qAddPersonModel = insertQuery(`INSERT INTO person_models (fitted_at, records, candidate_pairs, iterations, model)
	VALUES (?, ?, ?, ?, ?)`)
	qLatestPersonModel = query(`SELECT id, fitted_at, records, candidate_pairs, iterations, model
	FROM person_models ORDER BY id DESC LIMIT 1`)
	qLatestPersonModelID = query(`SELECT COALESCE(MAX(id), 0) FROM person_models`)
	qMatchPopulation     = query(`SELECT (SELECT COUNT(*) FROM children) +
	(SELECT COUNT(*) FROM report_people WHERE role = 'child')`)
	qChildrenAfter      = query(`SELECT ` + childColumns + ` FROM children WHERE id > ? ORDER BY id LIMIT ?`)
	qChildMentionsAfter = query(`SELECT rp.id, rp.report_id, rp.role, rp.first_name, rp.last_name, rp.nickname,
	rp.date_of_birth, rp.age, rp.sex, rp.description, rp.city, rp.state, rp.child_id, r.received_at
	FROM report_people rp JOIN reports r ON r.id = rp.report_id
	WHERE rp.role = 'child' AND rp.id > ? ORDER BY rp.id LIMIT ?`)
)

func (tx *tx) AddPersonModel(ctx context.Context, m *haven.PersonModel) error {
	id, err := tx.insert(ctx, qAddPersonModel, m.FittedAt.UTC(), m.Records, m.CandidatePairs, m.Iterations, string(m.Model))
	if err != nil {
		return tx.db.failure("add person model", err, "", "")
	}
	m.ID = id
	return nil
}

func (tx *tx) LatestPersonModel(ctx context.Context) (*haven.PersonModel, error) {
	var m haven.PersonModel
	var model string
	err := tx.queryRow(ctx, qLatestPersonModel).Scan(&m.ID, timeCol{&m.FittedAt}, &m.Records, &m.CandidatePairs,
		&m.Iterations, &model)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, tx.db.failure("latest person model", err, "", "")
	}
	m.Model = []byte(model)
	return &m, nil
}

func (tx *tx) LatestPersonModelID(ctx context.Context) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, qLatestPersonModelID).Scan(&id)
	return id, tx.db.failure("latest person model id", err, "", "")
}

func (tx *tx) MatchPopulation(ctx context.Context) (int, error) {
	var n int
	err := tx.queryRow(ctx, qMatchPopulation).Scan(&n)
	return n, tx.db.failure("match population", err, "", "")
}

func (tx *tx) ChildrenAfter(ctx context.Context, afterID int64, limit int) ([]*haven.Child, error) {
	cs, err := queryAll(ctx, tx, scanChild, qChildrenAfter, afterID, limit)
	return cs, tx.db.failure("children after", err, "", "")
}

func (tx *tx) ChildMentionsAfter(ctx context.Context, afterID int64, limit int) ([]haven.ChildMention, error) {
	ms, err := queryAll(ctx, tx, func(s scanner) (haven.ChildMention, error) {
		var m haven.ChildMention
		p := &m.Person
		err := s.Scan(&p.ID, &p.ReportID, &p.Role, &p.FirstName, &p.LastName, &p.Nickname,
			timePtrCol{&p.DateOfBirth}, ptrCol[int]{&p.Age}, &p.Sex, &p.Description, &p.City, &p.State,
			idCol{&p.ChildID}, timeCol{&m.ReceivedAt})
		return m, err
	}, qChildMentionsAfter, afterID, limit)
	return ms, tx.db.failure("child mentions after", err, "", "")
}
