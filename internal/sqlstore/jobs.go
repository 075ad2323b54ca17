package sqlstore

import (
	"context"
	"database/sql"
	"sort"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

const jobColumns = `id, kind, record_id, run_at, attempts, last_error, dead, created_at`

var (
	qEnqueueJob = insertQuery(`INSERT INTO jobs (kind, record_id, run_at, attempts, last_error, dead,
	created_at) VALUES (?, ?, ?, 0, '', ?, ?)`)
	// The outer conditions repeat the inner ones so that PostgreSQL, which
	// re-checks them on a row another runner changed meanwhile, never lets
	// two runners claim one job.
	qClaimJobs = query(`UPDATE jobs SET locked_until = ?, attempts = attempts + 1
	WHERE id IN (SELECT id FROM jobs WHERE dead = ? AND run_at <= ?
		AND (locked_until IS NULL OR locked_until <= ?) ORDER BY run_at, id LIMIT ?)
	AND dead = ? AND (locked_until IS NULL OR locked_until <= ?)
	RETURNING ` + jobColumns)
	qFinishJob        = query(`DELETE FROM jobs WHERE id = ?`)
	qReleaseJobLeases = query(`UPDATE jobs SET locked_until = NULL WHERE locked_until IS NOT NULL`)
	qRenewJobLeases   = newInList(`UPDATE jobs SET locked_until = ? WHERE locked_until IS NOT NULL AND id IN (`, `)`)
	qRetryJob         = query(`UPDATE jobs SET run_at = ?, locked_until = NULL, last_error = ?, dead = ? WHERE id = ?`)
	qListJobs         = query(`SELECT ` + jobColumns + ` FROM jobs WHERE (kind = ? OR ? = '') AND dead = ?
	ORDER BY run_at, id LIMIT ?`)
	qCountJobs = query(`SELECT kind, dead, COUNT(*) FROM jobs GROUP BY kind, dead ORDER BY kind, dead`)
)

const noJob = "no such job"

func scanJob(s scanner) (*haven.Job, error) {
	var j haven.Job
	err := s.Scan(&j.ID, &j.Kind, &j.RecordID, timeCol{&j.RunAt}, &j.Attempts, &j.LastError, &j.Dead, timeCol{&j.CreatedAt})
	if err != nil {
		return nil, err
	}
	return &j, nil
}

func (tx *tx) EnqueueJob(ctx context.Context, j *haven.Job) error {
	j.RunAt = stamp(j.RunAt, tx.now)
	j.CreatedAt = tx.now
	id, err := tx.insert(ctx, qEnqueueJob, j.Kind, j.RecordID, j.RunAt, false, j.CreatedAt)
	if err != nil {
		return tx.db.failure("enqueue job", err, "", "")
	}
	j.ID = id
	return nil
}

func (tx *tx) ClaimJobs(ctx context.Context, now time.Time, lease time.Duration, limit int) ([]*haven.Job, error) {
	now = timeArg(now)
	rows, err := tx.query(ctx, qClaimJobs, timeArg(now.Add(lease)), false, now, now, limit, false, now)
	if err != nil {
		return nil, tx.db.failure("claim jobs", err, "", "")
	}
	return collectJobs(rows, "claim jobs", tx)
}

func (tx *tx) FinishJob(ctx context.Context, id int64) error {
	return tx.db.failure("finish job", tx.execOne(ctx, qFinishJob, id), noJob, "")
}

func (tx *tx) RetryJob(ctx context.Context, id int64, runAt time.Time, lastError string, dead bool) error {
	return tx.db.failure("retry job", tx.execOne(ctx, qRetryJob, timeArg(runAt), lastError, dead, id), noJob, "")
}

func (tx *tx) ListJobs(ctx context.Context, kind string, dead bool, limit int) ([]*haven.Job, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := tx.query(ctx, qListJobs, kind, kind, dead, limit)
	if err != nil {
		return nil, tx.db.failure("list jobs", err, "", "")
	}
	return collectJobs(rows, "list jobs", tx)
}

func (tx *tx) CountJobs(ctx context.Context) ([]haven.JobCount, error) {
	out, err := queryAll(ctx, tx, func(s scanner) (haven.JobCount, error) {
		var c haven.JobCount
		err := s.Scan(&c.Kind, &c.Dead, &c.Count)
		return c, err
	}, qCountJobs)
	return out, tx.db.failure("count jobs", err, "", "")
}

func collectJobs(rows *sql.Rows, op string, tx *tx) ([]*haven.Job, error) {
	defer rows.Close()
	var js []*haven.Job
	for rows.Next() {
		j, err := scanJob(rows)
		if err != nil {
			return nil, tx.db.failure(op, err, "", "")
		}
		js = append(js, j)
	}
	if err := rows.Err(); err != nil {
		return nil, tx.db.failure(op, err, "", "")
	}
	// RETURNING gives no order: oldest first, as documented.
	sort.Slice(js, func(a, b int) bool {
		if !js[a].RunAt.Equal(js[b].RunAt) {
			return js[a].RunAt.Before(js[b].RunAt)
		}
		return js[a].ID < js[b].ID
	})
	return js, nil
}

func (tx *tx) RenewJobLeases(ctx context.Context, ids []int64, until time.Time) (int, error) {
	n := 0
	for start := 0; start < len(ids); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(ids))
		args := []any{timeArg(until)}
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		res, err := tx.exec(ctx, qRenewJobLeases[end-start], args...)
		if err != nil {
			return n, tx.db.failure("renew job leases", err, "", "")
		}
		m, err := res.RowsAffected()
		if err != nil {
			return n, tx.db.failure("renew job leases", err, "", "")
		}
		n += int(m)
	}
	return n, nil
}

func (tx *tx) ReleaseJobLeases(ctx context.Context) (int, error) {
	res, err := tx.exec(ctx, qReleaseJobLeases)
	if err != nil {
		return 0, tx.db.failure("release job leases", err, "", "")
	}
	n, err := res.RowsAffected()
	return int(n), tx.db.failure("release job leases", err, "", "")
}
