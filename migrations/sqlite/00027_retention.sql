-- Retention (internal/haven/retention.go, docs/retention.md): the policy
-- an administrator sets (days a closed report is kept, per channel), legal
-- holds that stop any purge, and the tombstone each purged report leaves so
-- that "what happened to report X" is still answered. Kept in step with
-- ../postgres/00027_retention.sql.

-- +goose Up
CREATE TABLE retention_rules (
	channel     TEXT PRIMARY KEY,
	days        INTEGER NOT NULL,
	updated_by  INTEGER,
	updated_at  TIMESTAMP NOT NULL
);

-- kind is report, case, esp_account or child; target_id that record's id.
-- A hold is open until released_at is set; it is never deleted.
CREATE TABLE legal_holds (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	kind            TEXT NOT NULL,
	target_id       INTEGER NOT NULL,
	reason          TEXT NOT NULL,
	reference       TEXT NOT NULL DEFAULT '',
	placed_by       INTEGER,
	placed_at       TIMESTAMP NOT NULL,
	released_by     INTEGER,
	released_at     TIMESTAMP,
	release_reason  TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_open ON legal_holds (kind, target_id) WHERE released_at IS NULL;

-- report_id is the purged report's id (no REFERENCES: the report is gone);
-- its primary key makes a second purge of one report a conflict.
CREATE TABLE report_tombstones (
	report_id    INTEGER PRIMARY KEY,
	ref          TEXT NOT NULL UNIQUE,
	channel      TEXT NOT NULL,
	received_at  TIMESTAMP NOT NULL,
	closed_at    TIMESTAMP NOT NULL,
	purged_at    TIMESTAMP NOT NULL,
	rule         TEXT NOT NULL
);

-- The purge looks for closed reports by their last change.
CREATE INDEX reports_closed ON reports (updated_at) WHERE status = 'closed';
CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);

-- +goose Down
DROP INDEX idempotency_keys_created;
DROP INDEX reports_closed;
DROP TABLE report_tombstones;
DROP TABLE legal_holds;
DROP TABLE retention_rules;
