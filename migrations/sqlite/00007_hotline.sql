-- The hotline console: calls to the 24/7 line, each with the report it
-- produced, and the in-app notifications an imminent-danger call raises.
-- details is the console's entries as a JSON object (haven.CallDetails).

-- +goose Up
CREATE TABLE calls (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	specialist_id  INTEGER NOT NULL REFERENCES users (id),
	report_id      INTEGER REFERENCES reports (id),
	started_at     TIMESTAMP NOT NULL,
	ended_at       TIMESTAMP,
	caller_type    TEXT NOT NULL DEFAULT '',
	language       TEXT NOT NULL DEFAULT 'en',
	disposition    TEXT NOT NULL DEFAULT '',
	imminent       INTEGER NOT NULL DEFAULT 0,
	imminent_at    TIMESTAMP,
	details        TEXT NOT NULL DEFAULT '{}',
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX calls_specialist ON calls (specialist_id, started_at);
CREATE INDEX calls_started ON calls (started_at);
CREATE UNIQUE INDEX calls_report ON calls (report_id);

CREATE TABLE notifications (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	recipient_id  INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	kind          TEXT NOT NULL,
	report_id     INTEGER REFERENCES reports (id),
	call_id       INTEGER REFERENCES calls (id),
	message       TEXT NOT NULL DEFAULT '',
	created_at    TIMESTAMP NOT NULL,
	read_at       TIMESTAMP
);
CREATE INDEX notifications_recipient ON notifications (recipient_id, created_at);

-- +goose Down
DROP TABLE notifications;
DROP TABLE calls;
