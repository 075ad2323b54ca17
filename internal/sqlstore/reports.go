package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

const reportColumns = `id, ref, channel, incident_type, missing_type, missing_from_care,
	received_at, incident_at, incident_time_text, narrative, state, reporter_anonymous,
	reporter_name, reporter_phone, reporter_email, reporter_organization,
	reporter_relationship, reporter_language, indicators, priority, status, agency_id,
	created_by, assigned_to, created_at, updated_at, ingested_at, due_at, escalation`

var (
	qCreateReport = insertQuery(`INSERT INTO reports (` + strings.TrimPrefix(reportColumns, "id, ") + `)
	VALUES (` + placeholders(28) + `) ON CONFLICT DO NOTHING`)
	qMarkReportIngested = query(`UPDATE reports SET ingested_at = ? WHERE id = ?`)
	// qAssignReport and qReleaseReport change the assignee only if it is
	// still the one the caller saw (none being 0 on both sides).
	qAssignReport = query(`UPDATE reports SET assigned_to = ?,
	status = CASE WHEN status = 'new' THEN 'in_review' ELSE status END,
	first_action_at = COALESCE(first_action_at, ?), updated_at = ?
	WHERE id = ? AND COALESCE(assigned_to, 0) = COALESCE(?, 0)`)
	qReleaseReport = query(`UPDATE reports SET assigned_to = NULL, updated_at = ? WHERE id = ? AND COALESCE(assigned_to, 0) = COALESCE(?, 0)`)
	qReportByID    = query(`SELECT ` + reportColumns + ` FROM reports WHERE id = ?`)
	qReportByRef   = query(`SELECT ` + reportColumns + ` FROM reports WHERE ref = ?`)

	insertPlaces = newMultiInsert(`INSERT INTO report_places (report_id, pos, role, name, address,
	city, county, state, zip, country, lat, lon)`, 12, false)
	insertPeople = newMultiInsert(`INSERT INTO report_people (report_id, pos, role, first_name,
	last_name, nickname, date_of_birth, age, sex, description, city, state, child_id)`, 13, true)
	insertIdentifiers = newMultiInsert(`INSERT INTO report_identifiers (report_id, pos, kind, value,
	platform, raw, source)`, 7, true)

	qReportPlaces = query(`SELECT role, name, address, city, county, state, zip, country, lat, lon
	FROM report_places WHERE report_id = ? ORDER BY pos`)
	qReportPeople = query(`SELECT id, report_id, role, first_name, last_name, nickname,
	date_of_birth, age, sex, description, city, state, child_id
	FROM report_people WHERE report_id = ? ORDER BY pos`)
	qReportIdentifiers = query(`SELECT id, report_id, kind, value, platform, raw, source
	FROM report_identifiers WHERE report_id = ? ORDER BY pos`)
)

const noReport = "no such report"

func scanReport(s scanner) (*haven.Report, error) {
	var r haven.Report
	if err := s.Scan(reportDest(&r)...); err != nil {
		return nil, err
	}
	return &r, nil
}

// reportDest returns the scan targets of reportColumns in r.
func reportDest(r *haven.Report) []any {
	c := &r.Reporter
	return []any{&r.ID, &r.Ref, &r.Channel, &r.IncidentType, &r.MissingType, &r.MissingFromCare,
		timeCol{&r.ReceivedAt}, timePtrCol{&r.IncidentAt}, &r.IncidentTimeText, &r.Narrative, &r.State,
		&c.Anonymous, &c.Name, &c.Phone, &c.Email, &c.Organization, &c.Relationship, &c.Language,
		listCol{&r.Indicators}, &r.Priority, &r.Status, idCol{&r.AgencyID}, idCol{&r.CreatedBy},
		idCol{&r.AssignedTo}, timeCol{&r.CreatedAt}, timeCol{&r.UpdatedAt}, timePtrCol{&r.IngestedAt},
		timePtrCol{&r.DueAt}, &r.Escalation}
}

func (tx *tx) CreateReport(ctx context.Context, r *haven.Report) error {
	if err := tx.createReport(ctx, r); err != nil {
		return tx.db.failure("create report", err, "", "that report reference is already in use")
	}
	return nil
}

func (tx *tx) createReport(ctx context.Context, r *haven.Report) error {
	r.ReceivedAt = stamp(r.ReceivedAt, tx.now)
	r.CreatedAt, r.UpdatedAt = tx.now, tx.now
	c := &r.Reporter
	id, err := tx.insert(ctx, qCreateReport, r.Ref, string(r.Channel), string(r.IncidentType),
		string(r.MissingType), r.MissingFromCare, r.ReceivedAt, timePtrArg(r.IncidentAt),
		r.IncidentTimeText, r.Narrative, r.State, c.Anonymous, c.Name, c.Phone, c.Email,
		c.Organization, c.Relationship, c.Language, listArg(r.Indicators), int64(r.Priority),
		string(r.Status), idArg(r.AgencyID), idArg(r.CreatedBy), idArg(r.AssignedTo),
		r.CreatedAt, r.UpdatedAt, timePtrArg(r.IngestedAt), timePtrArg(r.DueAt), r.Escalation)
	if err != nil {
		return err
	}
	r.ID = id
	if err := tx.insertReportParts(ctx, r); err != nil {
		return err
	}
	return tx.indexReport(ctx, r.ID)
}

// insertReportParts inserts the report's places, people and identifiers,
// setting their ids.
func (tx *tx) insertReportParts(ctx context.Context, r *haven.Report) error {
	err := tx.insertRows(ctx, insertPlaces, len(r.Places), func(args []any, i int) []any {
		p := &r.Places[i]
		return append(args, r.ID, i, string(p.Role), p.Name, p.Address, p.City, p.County,
			p.State, p.ZIP, p.Country, ptrArg(p.Lat), ptrArg(p.Lon))
	}, nil)
	if err != nil {
		return err
	}
	err = tx.insertRows(ctx, insertPeople, len(r.People), func(args []any, i int) []any {
		p := &r.People[i]
		p.ReportID = r.ID
		return append(args, r.ID, i, string(p.Role), p.FirstName, p.LastName, p.Nickname,
			timePtrArg(p.DateOfBirth), ptrArg(p.Age), string(p.Sex), p.Description, p.City,
			p.State, idArg(p.ChildID))
	}, func(i int, id int64) { r.People[i].ID = id })
	if err != nil {
		return err
	}
	return tx.insertRows(ctx, insertIdentifiers, len(r.Identifiers), func(args []any, i int) []any {
		id := &r.Identifiers[i]
		id.ReportID = r.ID
		return append(args, r.ID, i, string(id.Kind), id.Value, id.Platform, id.Raw, id.Source)
	}, func(i int, id int64) { r.Identifiers[i].ID = id })
}

func (tx *tx) ReportByID(ctx context.Context, id int64) (*haven.Report, error) {
	r, err := tx.reportWith(ctx, qReportByID, id)
	return r, tx.db.failure("report by id", err, noReport, "")
}

func (tx *tx) ReportByRef(ctx context.Context, ref string) (*haven.Report, error) {
	r, err := tx.reportWith(ctx, qReportByRef, ref)
	return r, tx.db.failure("report by ref", err, noReport, "")
}

// reportWith loads one report by q and then its places, people and identifiers.
func (tx *tx) reportWith(ctx context.Context, q string, key any) (*haven.Report, error) {
	r, err := scanReport(tx.queryRow(ctx, q, key))
	if err != nil {
		return nil, err
	}
	places, err := queryAll(ctx, tx, scanPlace, qReportPlaces, r.ID)
	if err != nil {
		return nil, err
	}
	people, err := queryAll(ctx, tx, scanPerson, qReportPeople, r.ID)
	if err != nil {
		return nil, err
	}
	ids, err := queryAll(ctx, tx, scanIdentifier, qReportIdentifiers, r.ID)
	if err != nil {
		return nil, err
	}
	r.Places, r.People, r.Identifiers = places, people, ids
	return r, nil
}

func scanPlace(s scanner) (haven.Place, error) {
	var p haven.Place
	err := s.Scan(&p.Role, &p.Name, &p.Address, &p.City, &p.County, &p.State, &p.ZIP, &p.Country,
		ptrCol[float64]{&p.Lat}, ptrCol[float64]{&p.Lon})
	return p, err
}

func scanPerson(s scanner) (haven.PersonMention, error) {
	var p haven.PersonMention
	err := s.Scan(&p.ID, &p.ReportID, &p.Role, &p.FirstName, &p.LastName, &p.Nickname,
		timePtrCol{&p.DateOfBirth}, ptrCol[int]{&p.Age}, &p.Sex, &p.Description, &p.City, &p.State,
		idCol{&p.ChildID})
	return p, err
}

func scanIdentifier(s scanner) (haven.Identifier, error) {
	var id haven.Identifier
	err := s.Scan(&id.ID, &id.ReportID, &id.Kind, &id.Value, &id.Platform, &id.Raw, &id.Source)
	return id, err
}

func reportWhere(f haven.ReportFilter) *where {
	w := &where{}
	w.scope(f.Scope, reportScope)
	eq(w, "channel", string(f.Channel))
	eq(w, "incident_type", string(f.IncidentType))
	eq(w, "priority", int64(f.Priority))
	eq(w, "status", string(f.Status))
	eq(w, "state", f.State)
	eq(w, "assigned_to", f.AssignedTo)
	if f.Unassigned {
		w.add("assigned_to IS NULL")
	}
	w.between("received_at", f.ReceivedFrom, f.ReceivedTo)
	if f.Open {
		// Written as the queue's partial index is (migration 00020).
		w.add("status IN ('new', 'in_review')")
	}
	if f.AwaitingAction {
		w.add("first_action_at IS NULL")
	}
	w.between("due_at", f.DueFrom, f.DueBefore)
	return w
}

var (
	reportListing = listing[*haven.Report]{"reports", reportColumns, "received_at DESC, id DESC", scanReport}
	// reportsByUrgency is the queue's order: priority (0, not yet
	// triaged, first), the first action's due time, arrival.
	reportsByUrgency = listing[*haven.Report]{"reports", reportColumns, "priority, due_at, id", scanReport}
)

func (tx *tx) ListReports(ctx context.Context, f haven.ReportFilter) ([]*haven.Report, error) {
	l := reportListing
	switch f.Order {
	case haven.OrderReceived:
	case haven.OrderUrgency:
		l = reportsByUrgency
	default:
		return nil, haven.Errorf(haven.EINVALID, "reports cannot be listed in the order %q", f.Order)
	}
	return list(ctx, tx, l, reportWhere(f), f.Limit, f.Offset)
}

func (tx *tx) SetReportAssignee(ctx context.Context, id, from, to int64, at time.Time) error {
	var err error
	if to == 0 {
		err = tx.execOne(ctx, qReleaseReport, timeArg(at), id, idArg(from))
	} else {
		err = tx.execOne(ctx, qAssignReport, idArg(to), timeArg(at), timeArg(at), id, idArg(from))
	}
	if errors.Is(err, sql.ErrNoRows) {
		err = haven.Errorf(haven.ECONFLICT, "Someone else changed who has this report meanwhile: look again.")
	}
	return tx.db.failure("set report assignee", err, "", "")
}

func (tx *tx) CountReports(ctx context.Context, f haven.ReportFilter) (int, error) {
	return tx.countWhere(ctx, "reports", reportWhere(f))
}

func (tx *tx) CountReportsUpTo(ctx context.Context, f haven.ReportFilter, max int) (int, error) {
	w := reportWhere(f)
	var n int
	// The cap is written into the SQL, not bound: PostgreSQL's generic
	// plan for "LIMIT $n" guesses a tenth of the table and scans it all.
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM (SELECT 1 FROM reports`+w.String()+` LIMIT `+strconv.Itoa(max)+`) AS capped`, w.args...).Scan(&n)
	return n, tx.db.failure("count reports", err, "", "")
}

// reportGroupColumns are the columns CountReportsBy may group by.
var reportGroupColumns = map[string]bool{"channel": true, "priority": true, "status": true, "state": true, "incident_type": true}

func (tx *tx) CountReportsBy(ctx context.Context, f haven.ReportFilter, column string) (map[string]int, error) {
	if !reportGroupColumns[column] {
		return nil, haven.Errorf(haven.EINVALID, "reports cannot be counted by %q", column)
	}
	w := reportWhere(f)
	rows, err := tx.query(ctx, `SELECT `+column+`, COUNT(*) FROM reports`+w.String()+` GROUP BY `+column, w.args...)
	if err != nil {
		return nil, tx.db.failure("count reports by "+column, err, "", "")
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var (
			key any
			n   int
		)
		if err := rows.Scan(&key, &n); err != nil {
			return nil, tx.db.failure("count reports by "+column, err, "", "")
		}
		out[keyString(key)] += n
	}
	return out, tx.db.failure("count reports by "+column, rows.Err(), "", "")
}

func (tx *tx) MarkReportIngested(ctx context.Context, id int64, at time.Time) error {
	return tx.db.failure("mark report ingested", tx.execOne(ctx, qMarkReportIngested, timeArg(at), id), noReport, "")
}
