package sqlstore

import (
	"context"

	"github.com/haven-oss/haven/internal/haven"
)

const childColumns = `id, first_name, last_name, nicknames, date_of_birth, sex, description,
	state, agency_id, in_care, created_by, created_at, updated_at`

var (
	qCreateChild = query(`INSERT INTO children (first_name, last_name, nicknames, date_of_birth,
	sex, description, state, agency_id, in_care, created_by, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id`)
	qChildByID = query(`SELECT ` + childColumns + ` FROM children WHERE id = ?`)
)

func scanChild(s scanner) (*haven.Child, error) {
	var c haven.Child
	err := s.Scan(&c.ID, &c.FirstName, &c.LastName, listCol{&c.Nicknames}, timePtrCol{&c.DateOfBirth},
		&c.Sex, &c.Description, &c.State, idCol{&c.AgencyID}, &c.InCare, idCol{&c.CreatedBy},
		timeCol{&c.CreatedAt}, timeCol{&c.UpdatedAt})
	if err != nil {
		return nil, err
	}
	return &c, nil
}

func (tx *tx) CreateChild(ctx context.Context, c *haven.Child) error {
	err := tx.queryRow(ctx, qCreateChild, c.FirstName, c.LastName, listArg(c.Nicknames),
		timePtrArg(c.DateOfBirth), string(c.Sex), c.Description, c.State, idArg(c.AgencyID),
		c.InCare, idArg(c.CreatedBy), tx.now, tx.now).Scan(&c.ID)
	if err != nil {
		return tx.db.failure("create child", err, "", "")
	}
	c.CreatedAt, c.UpdatedAt = tx.now, tx.now
	return nil
}

func (tx *tx) ChildByID(ctx context.Context, id int64) (*haven.Child, error) {
	c, err := scanChild(tx.queryRow(ctx, qChildByID, id))
	return c, tx.db.failure("child by id", err, "no such child", "")
}

func childWhere(f haven.ChildFilter) *where {
	w := &where{}
	w.scope(f.Scope, childScope)
	eq(w, "state", f.State)
	if f.InCare != nil {
		w.add("in_care = ?", *f.InCare)
	}
	return w
}

var childListing = listing[*haven.Child]{"children", childColumns, "created_at DESC, id DESC", scanChild}

func (tx *tx) ListChildren(ctx context.Context, f haven.ChildFilter) ([]*haven.Child, error) {
	return list(ctx, tx, childListing, childWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountChildren(ctx context.Context, f haven.ChildFilter) (int, error) {
	return tx.countWhere(ctx, "children", childWhere(f))
}
