-- Background jobs, enqueued in the transaction of the write that caused
-- them (see haven.Job), and the mark an ingested report gets.

-- +goose Up
CREATE TABLE jobs (
	id           BIGSERIAL PRIMARY KEY,
	kind         TEXT NOT NULL,
	record_id    BIGINT NOT NULL DEFAULT 0,
	run_at       TIMESTAMPTZ NOT NULL,
	locked_until TIMESTAMPTZ,
	attempts     INTEGER NOT NULL DEFAULT 0,
	last_error   TEXT NOT NULL DEFAULT '',
	dead         BOOLEAN NOT NULL DEFAULT FALSE,
	created_at   TIMESTAMPTZ NOT NULL
);
CREATE INDEX jobs_due ON jobs (dead, run_at);
ALTER TABLE reports ADD COLUMN ingested_at TIMESTAMPTZ;

-- +goose Down
DROP TABLE jobs;
ALTER TABLE reports DROP COLUMN ingested_at;
