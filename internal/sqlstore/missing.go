package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// episodeColumns are missing_episodes' columns in the order scanEpisode reads them.
const episodeColumns = `id, child_id, report_id, missing_type, le_agency, le_case_number, ncic,
	last_seen_at, last_seen_name, last_seen_address, last_seen_city, last_seen_state, last_seen_zip,
	last_seen_with, circumstances, from_care, care_agency_id, placement_type, placement_name,
	caseworker_name, caseworker_phone, caseworker_email, found_missing_at, le_told_at,
	clearinghouse_told_at, recovered_at, recovered_name, recovered_address, recovered_city,
	recovered_state, recovered_zip, recovered_by, leave_factors, leave_factors_other, experiences,
	screening, trafficking_reported_at, follow_up, follow_up_due, recovery_recorded_by,
	recovery_recorded_at, agency_id, state, created_by, submission_key, created_at, updated_at`

var (
	qCreateEpisode = insertQuery(`INSERT INTO missing_episodes (child_id, report_id, missing_type,
	le_agency, le_case_number, ncic, last_seen_at, last_seen_name, last_seen_address, last_seen_city,
	last_seen_state, last_seen_zip, last_seen_with, circumstances, from_care, care_agency_id,
	placement_type, placement_name, caseworker_name, caseworker_phone, caseworker_email,
	found_missing_at, notify_due_at, le_told_at, clearinghouse_told_at, agency_id, state, created_by,
	submission_key, created_at, updated_at)
	VALUES (` + placeholders(31) + `) ON CONFLICT DO NOTHING`)
	qEpisodeByID         = query(`SELECT ` + episodeColumns + ` FROM missing_episodes WHERE id = ?`)
	qEpisodeBySubmission = query(`SELECT ` + episodeColumns + ` FROM missing_episodes WHERE created_by = ? AND submission_key = ?`)
	qRecordRecovery      = query(`UPDATE missing_episodes SET recovered_at = ?, recovered_name = ?,
	recovered_address = ?, recovered_city = ?, recovered_state = ?, recovered_zip = ?, recovered_by = ?,
	leave_factors = ?, leave_factors_other = ?, experiences = ?, screening = ?,
	trafficking_reported_at = ?, follow_up = ?, follow_up_due = ?, recovery_recorded_by = ?,
	recovery_recorded_at = ?, updated_at = ? WHERE id = ? AND recovered_at IS NULL`)
	qSetNotifications = query(`UPDATE missing_episodes SET le_told_at = COALESCE(le_told_at, ?),
	clearinghouse_told_at = COALESCE(clearinghouse_told_at, ?), updated_at = ? WHERE id = ?`)
	qEpisodeExists = query(`SELECT id FROM missing_episodes WHERE id = ?`)

	insertGuardians = newMultiInsert(`INSERT INTO missing_guardians (episode_id, pos, name,
	relationship, phone, email)`, 6, false)
	qEpisodeGuardians = query(`SELECT name, relationship, phone, email FROM missing_guardians
	WHERE episode_id = ? ORDER BY pos`)
)

const noEpisode = "no such missing episode"

var episodeScope = scopeColumns{ID: "id", AgencyID: "agency_id", CreatedBy: "created_by", State: "state"}

func scanEpisode(s scanner) (*haven.MissingEpisode, error) {
	var (
		e        haven.MissingEpisode
		f        haven.FromCare
		r        haven.Recovery
		fromCare bool
		key      sql.NullString

		foundAt, recoveredAt, recordedAt *time.Time
	)
	le, ls, rp := &e.LawEnforcement, &e.LastSeen, &r.Place
	err := s.Scan(&e.ID, &e.ChildID, &e.ReportID, &e.MissingType, &le.AgencyName, &le.CaseNumber, &le.NCIC,
		timeCol{&e.LastSeenAt}, &ls.Name, &ls.Address, &ls.City, &ls.State, &ls.ZIP,
		&e.LastSeenWith, &e.Circumstances, &fromCare, idCol{&f.AgencyID}, &f.PlacementType, &f.PlacementName,
		&f.CaseworkerName, &f.CaseworkerPhone, &f.CaseworkerEmail, timePtrCol{&foundAt}, timePtrCol{&f.LawEnforcementToldAt},
		timePtrCol{&f.ClearinghouseToldAt}, timePtrCol{&recoveredAt}, &rp.Name, &rp.Address, &rp.City,
		&rp.State, &rp.ZIP, &r.RecoveredBy, listCol{&r.Factors}, &r.FactorsOther, &r.Experiences,
		&r.Screening, timePtrCol{&r.TraffickingReportedAt}, &r.FollowUp, timePtrCol{&r.FollowUpDue}, idCol{&r.RecordedBy},
		timePtrCol{&recordedAt}, idCol{&e.AgencyID}, &e.State, idCol{&e.CreatedBy}, &key,
		timeCol{&e.CreatedAt}, timeCol{&e.UpdatedAt})
	if err != nil {
		return nil, err
	}
	ls.Role = haven.PlaceLastSeen
	e.SubmissionKey = key.String
	if fromCare {
		if foundAt != nil {
			f.FoundMissingAt = *foundAt
		}
		e.FromCare = &f
	}
	if recoveredAt != nil {
		r.RecoveredAt = *recoveredAt
		if recordedAt != nil {
			r.RecordedAt = *recordedAt
		}
		rp.Role = haven.PlaceRecovered
		e.Recovery = &r
	}
	return &e, nil
}

func (tx *tx) CreateEpisode(ctx context.Context, e *haven.MissingEpisode) error {
	if err := tx.createEpisode(ctx, e); err != nil {
		return tx.db.failure("create missing episode", err, "", "this form was sent already")
	}
	return nil
}

func (tx *tx) createEpisode(ctx context.Context, e *haven.MissingEpisode) error {
	e.CreatedAt, e.UpdatedAt = tx.now, tx.now
	f := e.FromCare
	var (
		careAgency                              any
		placementType                           string
		placementName, cwName, cwPhone, cwEmail string
		found, due, leTold, chTold              any
	)
	if f != nil {
		careAgency, placementType, placementName = idArg(f.AgencyID), string(f.PlacementType), f.PlacementName
		cwName, cwPhone, cwEmail = f.CaseworkerName, f.CaseworkerPhone, f.CaseworkerEmail
		found, due = timeArg(f.FoundMissingAt), timeArg(f.NotifyDue())
		leTold, chTold = timePtrArg(f.LawEnforcementToldAt), timePtrArg(f.ClearinghouseToldAt)
	}
	var key any
	if e.SubmissionKey != "" {
		key = e.SubmissionKey
	}
	le, ls := &e.LawEnforcement, &e.LastSeen
	id, err := tx.insert(ctx, qCreateEpisode, e.ChildID, e.ReportID, string(e.MissingType),
		le.AgencyName, le.CaseNumber, le.NCIC, timeArg(e.LastSeenAt), ls.Name, ls.Address, ls.City,
		ls.State, ls.ZIP, e.LastSeenWith, e.Circumstances, f != nil, careAgency, placementType,
		placementName, cwName, cwPhone, cwEmail, found, due, leTold, chTold, idArg(e.AgencyID), e.State,
		idArg(e.CreatedBy), key, e.CreatedAt, e.UpdatedAt)
	if err != nil {
		return err
	}
	e.ID = id
	return tx.insertRows(ctx, insertGuardians, len(e.Guardians), func(args []any, i int) []any {
		g := &e.Guardians[i]
		return append(args, e.ID, i, g.Name, g.Relationship, g.Phone, g.Email)
	}, nil)
}

func (tx *tx) EpisodeByID(ctx context.Context, id int64) (*haven.MissingEpisode, error) {
	e, err := tx.episodeWith(ctx, qEpisodeByID, id)
	return e, tx.db.failure("missing episode by id", err, noEpisode, "")
}

func (tx *tx) EpisodeBySubmission(ctx context.Context, createdBy int64, key string) (*haven.MissingEpisode, error) {
	e, err := tx.episodeWith(ctx, qEpisodeBySubmission, createdBy, key)
	return e, tx.db.failure("missing episode by submission", err, noEpisode, "")
}

// episodeWith loads one episode by q and then its guardians.
func (tx *tx) episodeWith(ctx context.Context, q string, args ...any) (*haven.MissingEpisode, error) {
	e, err := scanEpisode(tx.queryRow(ctx, q, args...))
	if err != nil {
		return nil, err
	}
	e.Guardians, err = queryAll(ctx, tx, scanGuardian, qEpisodeGuardians, e.ID)
	return e, err
}

func scanGuardian(s scanner) (haven.Guardian, error) {
	var g haven.Guardian
	err := s.Scan(&g.Name, &g.Relationship, &g.Phone, &g.Email)
	return g, err
}

func (tx *tx) RecordRecovery(ctx context.Context, episodeID int64, r *haven.Recovery) error {
	p := &r.Place
	err := tx.execOne(ctx, qRecordRecovery, timeArg(r.RecoveredAt), p.Name, p.Address, p.City, p.State,
		p.ZIP, r.RecoveredBy, listArg(r.Factors), r.FactorsOther, r.Experiences, string(r.Screening),
		timePtrArg(r.TraffickingReportedAt), r.FollowUp, timePtrArg(r.FollowUpDue), idArg(r.RecordedBy),
		stamp(r.RecordedAt, tx.now), tx.now, episodeID)
	if errors.Is(err, sql.ErrNoRows) {
		// No open episode with that id: is there one at all?
		var id int64
		if xerr := tx.queryRow(ctx, qEpisodeExists, episodeID).Scan(&id); xerr == nil {
			err = errTaken
		}
	}
	return tx.db.failure("record recovery", err, noEpisode, "the recovery of this child was recorded already")
}

func (tx *tx) SetEpisodeNotifications(ctx context.Context, episodeID int64, le, ch *time.Time) error {
	err := tx.execOne(ctx, qSetNotifications, timePtrArg(le), timePtrArg(ch), tx.now, episodeID)
	return tx.db.failure("set episode notifications", err, noEpisode, "")
}

func episodeWhere(f haven.EpisodeFilter) *where {
	w := &where{}
	w.scope(f.Scope, episodeScope)
	eq(w, "child_id", f.ChildID)
	if f.Open != nil {
		if *f.Open {
			w.add("recovered_at IS NULL")
		} else {
			w.add("recovered_at IS NOT NULL")
		}
	}
	if f.FromCare != nil {
		w.add("from_care = ?", *f.FromCare)
	}
	if f.OverdueAt != nil {
		// MissingEpisode.Overdue, as SQL: due and past, a notification
		// still owed, and the child not back by the due time.
		at := timeArg(*f.OverdueAt)
		w.add(`from_care = ? AND notify_due_at < ? AND (le_told_at IS NULL OR clearinghouse_told_at IS NULL)
	AND (recovered_at IS NULL OR recovered_at > notify_due_at)`, true, at)
	}
	return w
}

// episodeOrder lists one child's episodes in the order they happened, the
// overdue ones longest overdue first, and any other list newest first.
func episodeOrder(f haven.EpisodeFilter) string {
	switch {
	case f.ChildID != 0:
		return "last_seen_at, id"
	case f.OverdueAt != nil:
		return "notify_due_at, id"
	}
	return "created_at DESC, id DESC"
}

func (tx *tx) ListEpisodes(ctx context.Context, f haven.EpisodeFilter) ([]*haven.MissingEpisode, error) {
	l := listing[*haven.MissingEpisode]{"missing_episodes", episodeColumns, episodeOrder(f), scanEpisode}
	es, err := list(ctx, tx, l, episodeWhere(f), f.Limit, f.Offset)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if e.Guardians, err = queryAll(ctx, tx, scanGuardian, qEpisodeGuardians, e.ID); err != nil {
			return nil, tx.db.failure("list missing episodes", err, "", "")
		}
	}
	return es, nil
}

func (tx *tx) CountEpisodes(ctx context.Context, f haven.EpisodeFilter) (int, error) {
	return tx.countWhere(ctx, "missing_episodes", episodeWhere(f))
}
