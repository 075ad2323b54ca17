-- The case workbench (issue 5): what happened on a case (case_events, the
-- timeline's own entries, written in the same transaction as each change),
-- its notes and tasks, the determinations recorded on it and their
-- supervisor's decision, and merges of two cases about the same child with
-- what moved, so that a split restores the absorbed case exactly (kept in
-- step with ../postgres/00019_case_workbench.sql).

-- +goose Up
-- No REFERENCES here: SQLite cannot drop a column that is in a foreign key
-- (the Down migration does); the store only ever writes a case's id.
ALTER TABLE cases ADD COLUMN merged_into INTEGER;
-- determination_id is the approved determination Case.Determination holds
-- (NULL until a supervisor approves one): statistics count only those.
ALTER TABLE cases ADD COLUMN determination_id INTEGER;
CREATE INDEX cases_merged_into ON cases (merged_into);

CREATE TABLE case_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	kind        TEXT NOT NULL,
	at          TIMESTAMP NOT NULL,
	actor_id    INTEGER REFERENCES users (id),
	actor       TEXT NOT NULL DEFAULT '',
	summary     TEXT NOT NULL DEFAULT '',
	record_kind TEXT NOT NULL DEFAULT '',
	record_id   INTEGER
);
CREATE INDEX case_events_case ON case_events (case_id, at, id);

CREATE TABLE case_notes (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	body        TEXT NOT NULL,
	shareable   INTEGER NOT NULL DEFAULT 0,
	created_by  INTEGER REFERENCES users (id),
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_notes_case ON case_notes (case_id, created_at, id);

CREATE TABLE case_tasks (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id     INTEGER NOT NULL REFERENCES cases (id),
	title       TEXT NOT NULL,
	owner_id    INTEGER REFERENCES users (id),
	due_at      TIMESTAMP,
	done_at     TIMESTAMP,
	done_by     INTEGER REFERENCES users (id),
	created_by  INTEGER REFERENCES users (id),
	created_at  TIMESTAMP NOT NULL
);
CREATE INDEX case_tasks_case ON case_tasks (case_id, id);
CREATE INDEX case_tasks_owner ON case_tasks (owner_id, done_at);

CREATE TABLE case_determinations (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	case_id         INTEGER NOT NULL REFERENCES cases (id),
	determination   TEXT NOT NULL,
	rationale       TEXT NOT NULL,
	indicators      TEXT NOT NULL DEFAULT '[]', -- JSON array of taxonomy indicator ids
	state           TEXT NOT NULL,              -- pending, approved, returned
	recorded_by     INTEGER REFERENCES users (id),
	recorded_at     TIMESTAMP NOT NULL,
	decided_by      INTEGER REFERENCES users (id),
	decided_at      TIMESTAMP,
	decision_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_determinations_case ON case_determinations (case_id, id);

CREATE TABLE case_merges (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	surviving_id INTEGER NOT NULL REFERENCES cases (id),
	absorbed_id  INTEGER NOT NULL REFERENCES cases (id),
	merged_by    INTEGER REFERENCES users (id),
	merged_at    TIMESTAMP NOT NULL,
	reason       TEXT NOT NULL DEFAULT '',
	-- What moved (JSON arrays of ids): a split moves exactly these back.
	report_ids        TEXT NOT NULL DEFAULT '[]',
	note_ids          TEXT NOT NULL DEFAULT '[]',
	task_ids          TEXT NOT NULL DEFAULT '[]',
	event_ids         TEXT NOT NULL DEFAULT '[]',
	determination_ids TEXT NOT NULL DEFAULT '[]',
	split_by     INTEGER REFERENCES users (id),
	split_at     TIMESTAMP
);
CREATE INDEX case_merges_surviving ON case_merges (surviving_id);
CREATE INDEX case_merges_absorbed ON case_merges (absorbed_id);

-- +goose Down
DROP TABLE case_merges;
DROP TABLE case_determinations;
DROP TABLE case_tasks;
DROP TABLE case_notes;
DROP TABLE case_events;
DROP INDEX cases_merged_into;
ALTER TABLE cases DROP COLUMN determination_id;
ALTER TABLE cases DROP COLUMN merged_into;
