-- The foundation: accounts, agencies, reports with their places, people and
-- identifiers, children, cases and the audit chain.
--
-- Conventions (kept in step with ../postgres/00001_foundation.sql):
--   * Times are declared TIMESTAMP so that modernc.org/sqlite parses them back
--     to time.Time; the store writes them in UTC with microsecond precision,
--     so text order is time order.
--   * A reference to "nobody" (no agency, unassigned, entered by the public)
--     is NULL, never 0, so that foreign keys hold.
--   * Lists of short strings (jurisdiction states, indicators, nicknames) are
--     JSON arrays in TEXT.
--   * Booleans are INTEGER 0/1.

-- +goose Up
CREATE TABLE agencies (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	name        TEXT NOT NULL UNIQUE,
	kind        TEXT NOT NULL,
	level       TEXT NOT NULL,
	state       TEXT NOT NULL DEFAULT '',
	states      TEXT NOT NULL DEFAULT '[]',
	phone_24x7  TEXT NOT NULL DEFAULT '',
	email       TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX agencies_kind ON agencies (kind);
CREATE INDEX agencies_state ON agencies (state);

CREATE TABLE users (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	username        TEXT NOT NULL UNIQUE,
	display_name    TEXT NOT NULL DEFAULT '',
	email           TEXT NOT NULL DEFAULT '',
	role            TEXT NOT NULL,
	agency_id       INTEGER REFERENCES agencies (id),
	password_hash   TEXT NOT NULL DEFAULT '',
	totp_secret     BLOB,
	totp_enrolled   INTEGER NOT NULL DEFAULT 0,
	totp_last_step  INTEGER NOT NULL DEFAULT 0,
	disabled        INTEGER NOT NULL DEFAULT 0,
	failed_logins   INTEGER NOT NULL DEFAULT 0,
	locked_until    TIMESTAMP,
	last_login_at   TIMESTAMP,
	created_at      TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);
CREATE INDEX users_agency ON users (agency_id);
CREATE INDEX users_role ON users (role);

CREATE TABLE sessions (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	token_hash    BLOB NOT NULL UNIQUE,
	user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	mfa_verified  INTEGER NOT NULL DEFAULT 0,
	created_at    TIMESTAMP NOT NULL,
	last_seen_at  TIMESTAMP NOT NULL,
	ip            TEXT NOT NULL DEFAULT '',
	user_agent    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE api_tokens (
	id            INTEGER PRIMARY KEY AUTOINCREMENT,
	user_id       INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	name          TEXT NOT NULL DEFAULT '',
	token_hash    BLOB NOT NULL UNIQUE,
	created_at    TIMESTAMP NOT NULL,
	last_used_at  TIMESTAMP,
	revoked_at    TIMESTAMP
);
CREATE INDEX api_tokens_user ON api_tokens (user_id);

CREATE TABLE reports (
	id                     INTEGER PRIMARY KEY AUTOINCREMENT,
	ref                    TEXT NOT NULL UNIQUE,
	channel                TEXT NOT NULL,
	incident_type          TEXT NOT NULL,
	missing_type           TEXT NOT NULL DEFAULT '',
	missing_from_care      INTEGER NOT NULL DEFAULT 0,
	received_at            TIMESTAMP NOT NULL,
	incident_at            TIMESTAMP,
	incident_time_text     TEXT NOT NULL DEFAULT '',
	narrative              TEXT NOT NULL DEFAULT '',
	state                  TEXT NOT NULL DEFAULT '',
	reporter_anonymous     INTEGER NOT NULL DEFAULT 0,
	reporter_name          TEXT NOT NULL DEFAULT '',
	reporter_phone         TEXT NOT NULL DEFAULT '',
	reporter_email         TEXT NOT NULL DEFAULT '',
	reporter_organization  TEXT NOT NULL DEFAULT '',
	reporter_relationship  TEXT NOT NULL DEFAULT '',
	reporter_language      TEXT NOT NULL DEFAULT '',
	indicators             TEXT NOT NULL DEFAULT '[]',
	priority               INTEGER NOT NULL DEFAULT 0,
	status                 TEXT NOT NULL,
	agency_id              INTEGER REFERENCES agencies (id),
	created_by             INTEGER REFERENCES users (id),
	assigned_to            INTEGER REFERENCES users (id),
	created_at             TIMESTAMP NOT NULL,
	updated_at             TIMESTAMP NOT NULL
);
CREATE INDEX reports_received ON reports (received_at);
CREATE INDEX reports_priority ON reports (priority);
CREATE INDEX reports_status ON reports (status);
CREATE INDEX reports_state ON reports (state);
CREATE INDEX reports_channel ON reports (channel);
CREATE INDEX reports_agency ON reports (agency_id);
CREATE INDEX reports_assigned ON reports (assigned_to);
CREATE INDEX reports_created_by ON reports (created_by);

CREATE TABLE report_places (
	report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	role       TEXT NOT NULL DEFAULT '',
	name       TEXT NOT NULL DEFAULT '',
	address    TEXT NOT NULL DEFAULT '',
	city       TEXT NOT NULL DEFAULT '',
	county     TEXT NOT NULL DEFAULT '',
	state      TEXT NOT NULL DEFAULT '',
	zip        TEXT NOT NULL DEFAULT '',
	country    TEXT NOT NULL DEFAULT '',
	lat        REAL,
	lon        REAL,
	PRIMARY KEY (report_id, pos)
);

CREATE TABLE children (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	first_name     TEXT NOT NULL DEFAULT '',
	last_name      TEXT NOT NULL DEFAULT '',
	nicknames      TEXT NOT NULL DEFAULT '[]',
	date_of_birth  TIMESTAMP,
	sex            TEXT NOT NULL DEFAULT '',
	description    TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL DEFAULT '',
	agency_id      INTEGER REFERENCES agencies (id),
	in_care        INTEGER NOT NULL DEFAULT 0,
	created_by     INTEGER REFERENCES users (id),
	created_at     TIMESTAMP NOT NULL,
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX children_state ON children (state);
CREATE INDEX children_agency ON children (agency_id);
CREATE INDEX children_created_by ON children (created_by);

CREATE TABLE report_people (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id      INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	pos            INTEGER NOT NULL,
	role           TEXT NOT NULL,
	first_name     TEXT NOT NULL DEFAULT '',
	last_name      TEXT NOT NULL DEFAULT '',
	nickname       TEXT NOT NULL DEFAULT '',
	date_of_birth  TIMESTAMP,
	age            INTEGER,
	sex            TEXT NOT NULL DEFAULT '',
	description    TEXT NOT NULL DEFAULT '',
	city           TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL DEFAULT '',
	child_id       INTEGER REFERENCES children (id),
	UNIQUE (report_id, pos)
);
CREATE INDEX report_people_child ON report_people (child_id) WHERE child_id IS NOT NULL;

CREATE TABLE report_identifiers (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id  INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	pos        INTEGER NOT NULL,
	kind       TEXT NOT NULL,
	value      TEXT NOT NULL,
	platform   TEXT NOT NULL DEFAULT '',
	raw        TEXT NOT NULL DEFAULT '',
	source     TEXT NOT NULL DEFAULT '',
	UNIQUE (report_id, pos)
);
CREATE INDEX report_identifiers_value ON report_identifiers (kind, value);

CREATE TABLE cases (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	child_id       INTEGER NOT NULL REFERENCES children (id),
	title          TEXT NOT NULL DEFAULT '',
	status         TEXT NOT NULL,
	determination  TEXT NOT NULL,
	agency_id      INTEGER REFERENCES agencies (id),
	assigned_to    INTEGER REFERENCES users (id),
	created_by     INTEGER REFERENCES users (id),
	state          TEXT NOT NULL DEFAULT '',
	opened_at      TIMESTAMP NOT NULL,
	closed_at      TIMESTAMP,
	updated_at     TIMESTAMP NOT NULL
);
CREATE INDEX cases_child ON cases (child_id);
CREATE INDEX cases_status ON cases (status);
CREATE INDEX cases_agency ON cases (agency_id);
CREATE INDEX cases_assigned ON cases (assigned_to);
CREATE INDEX cases_created_by ON cases (created_by);
CREATE INDEX cases_opened ON cases (opened_at);

CREATE TABLE case_reports (
	case_id    INTEGER NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
	report_id  INTEGER NOT NULL REFERENCES reports (id),
	PRIMARY KEY (case_id, report_id)
);
CREATE INDEX case_reports_report ON case_reports (report_id);

-- The audit log is append-only: seq is assigned by the store from
-- audit_head, without gaps, and each hash chains to the previous one.
CREATE TABLE audit_events (
	seq        INTEGER PRIMARY KEY,
	at         TIMESTAMP NOT NULL,
	actor_id   INTEGER NOT NULL DEFAULT 0,
	actor      TEXT NOT NULL DEFAULT '',
	role       TEXT NOT NULL DEFAULT '',
	via        TEXT NOT NULL DEFAULT '',
	ip         TEXT NOT NULL DEFAULT '',
	action     TEXT NOT NULL,
	outcome    TEXT NOT NULL DEFAULT '',
	kind       TEXT NOT NULL DEFAULT '',
	record_id  INTEGER NOT NULL DEFAULT 0,
	reason     TEXT NOT NULL DEFAULT '',
	detail     TEXT NOT NULL DEFAULT '',
	prev_hash  BLOB NOT NULL,
	hash       BLOB NOT NULL
);
CREATE INDEX audit_events_actor ON audit_events (actor);
CREATE INDEX audit_events_action ON audit_events (action);
CREATE INDEX audit_events_record ON audit_events (kind, record_id);
CREATE INDEX audit_events_at ON audit_events (at);

-- The head of the audit chain: the newest seq and hash, moved in the same
-- transaction as each append. Deleting the newest events leaves the head
-- pointing past the end of the log, which verification reports.
CREATE TABLE audit_head (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	seq   INTEGER NOT NULL,
	hash  BLOB NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, X'');

-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit_events;
DROP TABLE case_reports;
DROP TABLE cases;
DROP TABLE report_identifiers;
DROP TABLE report_people;
DROP TABLE children;
DROP TABLE report_places;
DROP TABLE reports;
DROP TABLE api_tokens;
DROP TABLE sessions;
DROP TABLE users;
DROP TABLE agencies;
