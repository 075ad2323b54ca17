-- ESP reporting API: online service providers' accounts, their unfinished
-- and finished submissions (the original XML, encrypted) and the files
-- uploaded to them, which exist before the haven report does.

-- +goose Up
CREATE TABLE esp_accounts (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	name           TEXT NOT NULL UNIQUE,
	password_hash  TEXT NOT NULL,
	disabled       INTEGER NOT NULL DEFAULT 0,
	created_at     TIMESTAMP NOT NULL,
	updated_at     TIMESTAMP NOT NULL
);

CREATE TABLE esp_submissions (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	account_id   INTEGER NOT NULL REFERENCES esp_accounts (id),
	body_hash    BLOB NOT NULL,
	xml          BLOB NOT NULL,
	state        TEXT NOT NULL,
	report_id    INTEGER REFERENCES reports (id),
	opened_at    TIMESTAMP NOT NULL,
	changed_at   TIMESTAMP NOT NULL,
	finished_at  TIMESTAMP
);
CREATE INDEX esp_submissions_body ON esp_submissions (account_id, body_hash, opened_at);
-- One open submission per account and document: concurrent retries of a
-- submit cannot open two.
CREATE UNIQUE INDEX esp_submissions_open_body ON esp_submissions (account_id, body_hash) WHERE state = 'open';

CREATE TABLE esp_files (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	submission_id  INTEGER NOT NULL REFERENCES esp_submissions (id) ON DELETE CASCADE,
	file_id        TEXT NOT NULL UNIQUE,
	blob_id        TEXT NOT NULL DEFAULT '',
	file_name      TEXT NOT NULL DEFAULT '',
	declared_type  TEXT NOT NULL DEFAULT '',
	content_type   TEXT NOT NULL DEFAULT '',
	size           INTEGER NOT NULL,
	md5            TEXT NOT NULL,
	sha256         TEXT NOT NULL,
	details        BLOB,
	attachment_id  INTEGER REFERENCES attachments (id),
	created_at     TIMESTAMP NOT NULL,
	UNIQUE (submission_id, sha256)
);

-- +goose Down
DROP TABLE esp_files;
DROP TABLE esp_submissions;
DROP TABLE esp_accounts;
