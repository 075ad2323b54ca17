package sqlstore

import (
	"context"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// An agency is a row of agencies and rows of four child tables: its
// contacts, and its jurisdiction as agency_states (the states it covers
// whole, Agency.StateWide), agency_counties and agency_zips, each indexed by
// its value so that AgenciesCovering is an index look-up. agencies.states
// keeps the States field exactly as entered, and agencies.nationwide says
// what an empty jurisdiction means (Agency.Nationwide); every write sets
// both from the Agency, so they cannot disagree with the child tables.

const agencyColumns = `id, name, kind, level, state, states, phone_24x7, email, address, city, active,
	created_at, updated_at`

var (
	qCreateAgency = insertQuery(`INSERT INTO agencies (name, kind, level, state, states, phone_24x7,
	email, address, city, active, nationwide, created_at, updated_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qUpdateAgency = query(`UPDATE agencies SET name = ?, kind = ?, level = ?, state = ?, states = ?,
	phone_24x7 = ?, email = ?, address = ?, city = ?, active = ?, nationwide = ?, updated_at = ? WHERE id = ?`)
	qAgencyByID   = query(`SELECT ` + agencyColumns + ` FROM agencies WHERE id = ?`)
	qAgencyByName = query(`SELECT ` + agencyColumns + ` FROM agencies WHERE name = ?`)

	qDeleteAgencyStates   = query(`DELETE FROM agency_states WHERE agency_id = ?`)
	qDeleteAgencyCounties = query(`DELETE FROM agency_counties WHERE agency_id = ?`)
	qDeleteAgencyZIPs     = query(`DELETE FROM agency_zips WHERE agency_id = ?`)
	qDeleteAgencyContacts = query(`DELETE FROM agency_contacts WHERE agency_id = ?`)
	qInsertAgencyState    = query(`INSERT INTO agency_states (agency_id, state) VALUES (?, ?)`)
	qInsertAgencyCounty   = query(`INSERT INTO agency_counties (agency_id, fips) VALUES (?, ?)`)
	qInsertAgencyZIP      = query(`INSERT INTO agency_zips (agency_id, zip) VALUES (?, ?)`)
	qInsertAgencyContact  = query(`INSERT INTO agency_contacts (agency_id, position, name, title, phone, email)
	VALUES (?, ?, ?, ?, ?, ?)`)

	// qAgenciesCovering ranks each agency by the most specific part of its
	// jurisdiction that covers the place (1 zip … 4 nationwide).
	qAgenciesCovering = query(`SELECT ` + prefixed("a.", agencyColumns) + `, m.match_rank
	FROM agencies a JOIN (
		SELECT agency_id, MIN(match_rank) AS match_rank FROM (
			SELECT agency_id, 1 AS match_rank FROM agency_zips WHERE zip = ?
			UNION ALL SELECT agency_id, 2 FROM agency_counties WHERE fips = ?
			UNION ALL SELECT agency_id, 3 FROM agency_states WHERE state = ?
			UNION ALL SELECT id, 4 FROM agencies WHERE nationwide = ?
		) u GROUP BY agency_id
	) m ON m.agency_id = a.id
	WHERE a.active = ? AND (? = '' OR a.kind = ?)
	ORDER BY m.match_rank, a.name`)
)

// prefixed qualifies each of a comma-separated list of columns with p.
func prefixed(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

const noAgency = "no such agency"

func scanAgency(s scanner, extra ...any) (*haven.Agency, error) {
	var a haven.Agency
	var updated *time.Time
	active := true
	dest := append([]any{&a.ID, &a.Name, &a.Kind, &a.Level, &a.State, listCol{&a.States}, &a.Phone24x7,
		&a.Email, &a.Address, &a.City, &active, timeCol{&a.CreatedAt}, timePtrCol{&updated}}, extra...)
	if err := s.Scan(dest...); err != nil {
		return nil, err
	}
	a.Inactive = !active
	a.UpdatedAt = a.CreatedAt
	if updated != nil {
		a.UpdatedAt = *updated
	}
	return &a, nil
}

func (tx *tx) CreateAgency(ctx context.Context, a *haven.Agency) error {
	id, err := tx.insert(ctx, qCreateAgency, a.Name, string(a.Kind), string(a.Level), a.State,
		listArg(a.States), a.Phone24x7, a.Email, a.Address, a.City, !a.Inactive, a.Nationwide(), tx.now, tx.now)
	if err != nil {
		return tx.db.failure("create agency", err, "", "an agency with that name already exists")
	}
	if err := tx.writeAgencyParts(ctx, id, a); err != nil {
		return tx.db.failure("create agency", err, "", "")
	}
	a.ID, a.CreatedAt, a.UpdatedAt = id, tx.now, tx.now
	return nil
}

func (tx *tx) UpdateAgency(ctx context.Context, a *haven.Agency) error {
	// A taken name fails the statement: guard keeps a PostgreSQL
	// transaction usable, as on SQLite, so the caller may go on.
	err := tx.guard(ctx, func() error {
		return tx.execOne(ctx, qUpdateAgency, a.Name, string(a.Kind), string(a.Level), a.State,
			listArg(a.States), a.Phone24x7, a.Email, a.Address, a.City, !a.Inactive, a.Nationwide(), tx.now, a.ID)
	})
	if err != nil {
		return tx.db.failure("update agency", err, noAgency, "an agency with that name already exists")
	}
	if err := tx.writeAgencyParts(ctx, a.ID, a); err != nil {
		return tx.db.failure("update agency", err, "", "")
	}
	a.UpdatedAt = tx.now
	return nil
}

// writeAgencyParts replaces the agency's jurisdiction and contact rows.
func (tx *tx) writeAgencyParts(ctx context.Context, id int64, a *haven.Agency) error {
	for _, q := range []string{qDeleteAgencyStates, qDeleteAgencyCounties, qDeleteAgencyZIPs, qDeleteAgencyContacts} {
		if _, err := tx.exec(ctx, q, id); err != nil {
			return err
		}
	}
	insertEach := func(q string, vals []string) error {
		seen := map[string]bool{}
		for _, v := range vals {
			if seen[v] {
				continue
			}
			seen[v] = true
			if _, err := tx.exec(ctx, q, id, v); err != nil {
				return err
			}
		}
		return nil
	}
	if err := insertEach(qInsertAgencyState, a.StateWide()); err != nil {
		return err
	}
	if err := insertEach(qInsertAgencyCounty, a.Counties); err != nil {
		return err
	}
	if err := insertEach(qInsertAgencyZIP, a.ZIPs); err != nil {
		return err
	}
	for i, c := range a.Contacts {
		if _, err := tx.exec(ctx, qInsertAgencyContact, id, i, c.Name, c.Title, c.Phone, c.Email); err != nil {
			return err
		}
	}
	return nil
}

// loadAgencyParts reads the counties, ZIPs and contacts of agencies.
func (tx *tx) loadAgencyParts(ctx context.Context, agencies []*haven.Agency) error {
	const chunk = 500
	for start := 0; start < len(agencies); start += chunk {
		part := agencies[start:min(start+chunk, len(agencies))]
		byID := make(map[int64]*haven.Agency, len(part))
		args := make([]any, len(part))
		for i, a := range part {
			byID[a.ID], args[i] = a, a.ID
		}
		in := " WHERE agency_id IN (" + placeholders(len(part)) + ")"
		err := queryEach(ctx, tx, `SELECT agency_id, fips FROM agency_counties`+in+` ORDER BY agency_id, fips`, args, func(s scanner) error {
			var id int64
			var v string
			err := s.Scan(&id, &v)
			byID[id].Counties = append(byID[id].Counties, v)
			return err
		})
		if err != nil {
			return err
		}
		err = queryEach(ctx, tx, `SELECT agency_id, zip FROM agency_zips`+in+` ORDER BY agency_id, zip`, args, func(s scanner) error {
			var id int64
			var v string
			err := s.Scan(&id, &v)
			byID[id].ZIPs = append(byID[id].ZIPs, v)
			return err
		})
		if err != nil {
			return err
		}
		err = queryEach(ctx, tx, `SELECT agency_id, name, title, phone, email FROM agency_contacts`+in+` ORDER BY agency_id, position`, args, func(s scanner) error {
			var id int64
			var c haven.AgencyContact
			err := s.Scan(&id, &c.Name, &c.Title, &c.Phone, &c.Email)
			byID[id].Contacts = append(byID[id].Contacts, c)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

func (tx *tx) agencyBy(ctx context.Context, op, q string, arg any) (*haven.Agency, error) {
	a, err := scanAgency(tx.queryRow(ctx, q, arg))
	if err == nil {
		err = tx.loadAgencyParts(ctx, []*haven.Agency{a})
	}
	if err != nil {
		return nil, tx.db.failure(op, err, noAgency, "")
	}
	return a, nil
}

func (tx *tx) AgencyByID(ctx context.Context, id int64) (*haven.Agency, error) {
	return tx.agencyBy(ctx, "agency by id", qAgencyByID, id)
}

func (tx *tx) AgencyByName(ctx context.Context, name string) (*haven.Agency, error) {
	return tx.agencyBy(ctx, "agency by name", qAgencyByName, name)
}

// agencyWhere compiles an AgencyFilter. State matches the home state, a
// state covered whole, or the state of a listed county.
func agencyWhere(f haven.AgencyFilter) *where {
	w := &where{}
	eq(w, "kind", string(f.Kind))
	eq(w, "level", string(f.Level))
	if f.State != "" {
		st := strings.ToUpper(strings.TrimSpace(f.State))
		cond := `(state = ? OR EXISTS (SELECT 1 FROM agency_states s WHERE s.agency_id = agencies.id AND s.state = ?)`
		args := []any{st, st}
		if gs, ok := geo.StateByCode(st); ok {
			cond += ` OR EXISTS (SELECT 1 FROM agency_counties c WHERE c.agency_id = agencies.id AND c.fips >= ? AND c.fips < ?)`
			args = append(args, gs.FIPS+"000", gs.FIPS+"999z")
		}
		w.add(cond+")", args...)
	}
	if f.County != "" {
		w.add(`EXISTS (SELECT 1 FROM agency_counties c WHERE c.agency_id = agencies.id AND c.fips = ?)`, strings.TrimSpace(f.County))
	}
	if t := strings.TrimSpace(f.Text); t != "" {
		w.add(`LOWER(name) LIKE ? ESCAPE '\'`, "%"+LikeEscaper.Replace(strings.ToLower(t))+"%")
	}
	switch f.Status {
	case haven.AgencyActive:
		w.add("active = ?", true)
	case haven.AgencyInactive:
		w.add("active = ?", false)
	}
	return w
}

func (tx *tx) ListAgencies(ctx context.Context, f haven.AgencyFilter) ([]*haven.Agency, error) {
	w := agencyWhere(f)
	q, args := w.list(`SELECT `+agencyColumns+` FROM agencies`, "name", f.Limit, f.Offset)
	as, err := queryAll(ctx, tx, func(s scanner) (*haven.Agency, error) { return scanAgency(s) }, q, args...)
	if err == nil {
		err = tx.loadAgencyParts(ctx, as)
	}
	return as, tx.db.failure("list agencies", err, "", "")
}

func (tx *tx) CountAgencies(ctx context.Context, f haven.AgencyFilter) (int, error) {
	return tx.countWhere(ctx, "agencies", agencyWhere(f))
}

var matchByRank = map[int]haven.CoverageMatch{1: haven.CoverZIP, 2: haven.CoverCounty, 3: haven.CoverState, 4: haven.CoverNationwide}

func (tx *tx) AgenciesCovering(ctx context.Context, q haven.CoverageQuery) ([]haven.AgencyCoverage, error) {
	var out []haven.AgencyCoverage
	var as []*haven.Agency
	err := queryEach(ctx, tx, qAgenciesCovering, []any{strings.TrimSpace(q.ZIP), strings.TrimSpace(q.CountyFIPS),
		strings.ToUpper(strings.TrimSpace(q.State)), true, true, string(q.Kind), string(q.Kind)}, func(s scanner) error {
		var rank int
		a, err := scanAgency(s, &rank)
		if err != nil {
			return err
		}
		as = append(as, a)
		out = append(out, haven.AgencyCoverage{Agency: a, Match: matchByRank[rank]})
		return nil
	})
	if err == nil {
		err = tx.loadAgencyParts(ctx, as)
	}
	return out, tx.db.failure("agencies covering", err, "", "")
}
