package sqlstore

import (
	"context"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

const agencyColumns = `id, name, kind, level, state, states, phone_24x7, email, created_at`

var (
	qCreateAgency = insertQuery(`INSERT INTO agencies (name, kind, level, state, states, phone_24x7,
	email, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qAgencyByID   = query(`SELECT ` + agencyColumns + ` FROM agencies WHERE id = ?`)
	qAgencyByName = query(`SELECT ` + agencyColumns + ` FROM agencies WHERE name = ?`)
)

const noAgency = "no such agency"

func scanAgency(s scanner) (*haven.Agency, error) {
	var a haven.Agency
	err := s.Scan(&a.ID, &a.Name, &a.Kind, &a.Level, &a.State, listCol{&a.States}, &a.Phone24x7,
		&a.Email, timeCol{&a.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func (tx *tx) CreateAgency(ctx context.Context, a *haven.Agency) error {
	id, err := tx.insert(ctx, qCreateAgency, a.Name, string(a.Kind), string(a.Level), a.State,
		listArg(a.States), a.Phone24x7, a.Email, tx.now)
	if err != nil {
		return tx.db.failure("create agency", err, "", "an agency with that name already exists")
	}
	a.ID, a.CreatedAt = id, tx.now
	return nil
}

func (tx *tx) AgencyByID(ctx context.Context, id int64) (*haven.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, qAgencyByID, id))
	return a, tx.db.failure("agency by id", err, noAgency, "")
}

func (tx *tx) AgencyByName(ctx context.Context, name string) (*haven.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, qAgencyByName, name))
	return a, tx.db.failure("agency by name", err, noAgency, "")
}

// agencyWhere filters on kind and on State: the agency's home state, or a
// state in its jurisdiction list.
func agencyWhere(f haven.AgencyFilter) *where {
	w := &where{}
	eq(w, "kind", string(f.Kind))
	if f.State != "" {
		// Postal codes are stored in upper case; SQLite's LIKE ignores case
		// and PostgreSQL's does not, so compare upper case in both.
		st := strings.ToUpper(f.State)
		// states is a JSON array of postal codes: a quoted code is an element.
		w.add(`(state = ? OR states LIKE ? ESCAPE '\')`, st, `%"`+LikeEscaper.Replace(st)+`"%`)
	}
	return w
}

var agencyListing = listing[*haven.Agency]{"agencies", agencyColumns, "name", scanAgency}

func (tx *tx) ListAgencies(ctx context.Context, f haven.AgencyFilter) ([]*haven.Agency, error) {
	return list(ctx, tx, agencyListing, agencyWhere(f), f.Limit, 0)
}

func (tx *tx) CountAgencies(ctx context.Context, f haven.AgencyFilter) (int, error) {
	return tx.countWhere(ctx, "agencies", agencyWhere(f))
}
