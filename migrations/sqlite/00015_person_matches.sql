-- Person matching: the blocking-key index of children on file (each key a
-- keyed MAC of a personmatch blocking key, so that no name is kept in
-- clear here) and the suggested matches of people mentioned in reports with
-- children on file, with the analyst's decision (kept in step with
-- ../postgres/00015_person_matches.sql). Nothing here ever merges children.

-- +goose Up
CREATE TABLE child_match_keys (
	match_key BLOB NOT NULL,
	child_id INTEGER NOT NULL REFERENCES children (id) ON DELETE CASCADE,
	PRIMARY KEY (match_key, child_id)
) WITHOUT ROWID;
CREATE INDEX child_match_keys_child ON child_match_keys (child_id);

CREATE TABLE person_matches (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	report_person_id INTEGER NOT NULL REFERENCES report_people (id) ON DELETE CASCADE,
	child_id         INTEGER NOT NULL REFERENCES children (id) ON DELETE CASCADE,
	weight           REAL NOT NULL,
	probability      REAL NOT NULL,
	evidence         TEXT NOT NULL DEFAULT '[]', -- JSON: [{field, level, weight}]
	state            TEXT NOT NULL DEFAULT 'suggested', -- suggested, confirmed, rejected
	decided_by       INTEGER REFERENCES users (id),
	decided_at       TIMESTAMP,
	reason           TEXT NOT NULL DEFAULT '',
	created_at       TIMESTAMP NOT NULL,
	UNIQUE (report_person_id, child_id)
);
CREATE INDEX person_matches_child ON person_matches (child_id);
CREATE INDEX person_matches_pending ON person_matches (probability) WHERE state = 'suggested';

-- +goose Down
DROP TABLE person_matches;
DROP TABLE child_match_keys;
