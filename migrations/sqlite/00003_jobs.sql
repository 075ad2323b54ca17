-- Background jobs, enqueued in the transaction of the write that caused
-- them (see haven.Job), and the mark an ingested report gets.

-- +goose Up
CREATE TABLE jobs (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	kind        TEXT NOT NULL,
	record_id   INTEGER NOT NULL DEFAULT 0,
	run_at      TIMESTAMP NOT NULL,
	locked_until TIMESTAMP,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	dead        INTEGER NOT NULL DEFAULT 0,
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX jobs_due ON jobs (dead, run_at);
ALTER TABLE reports ADD COLUMN ingested_at TIMESTAMP;

-- +goose Down
DROP TABLE jobs;
ALTER TABLE reports DROP COLUMN ingested_at;
