-- Attachments: the record of each file that came with a report. The bytes
-- live encrypted outside the database (internal/attachments).

-- +goose Up
CREATE TABLE attachments (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id      INTEGER NOT NULL REFERENCES reports (id),
	blob_id        TEXT NOT NULL UNIQUE,
	file_name      TEXT NOT NULL DEFAULT '',
	declared_type  TEXT NOT NULL DEFAULT '',
	content_type   TEXT NOT NULL DEFAULT '',
	size           INTEGER NOT NULL,
	sha256         TEXT NOT NULL,
	md5            TEXT NOT NULL,
	source         TEXT NOT NULL DEFAULT '',
	created_by     INTEGER REFERENCES users (id),
	created_at     TIMESTAMP NOT NULL
);
CREATE INDEX attachments_report ON attachments (report_id, id);
CREATE INDEX attachments_sha256 ON attachments (sha256);

-- +goose Down
DROP TABLE attachments;
