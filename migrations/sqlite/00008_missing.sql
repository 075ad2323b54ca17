-- Missing episodes: each time a child goes missing, from the missing-child
-- report to the recovery and its debrief (internal/haven/missing.go). The
-- missing-from-care details and the recovery are columns of the episode
-- (NULL when absent); guardians have their own table.
--
-- notify_due_at is found_missing_at + 24 hours, stored so that the query for
-- overdue statutory notifications is a plain comparison on both databases.

-- +goose Up
CREATE TABLE missing_episodes (
	id                       INTEGER PRIMARY KEY AUTOINCREMENT,
	child_id                 INTEGER NOT NULL REFERENCES children (id),
	report_id                INTEGER NOT NULL REFERENCES reports (id),
	missing_type             TEXT NOT NULL,
	le_agency                TEXT NOT NULL DEFAULT '',
	le_case_number           TEXT NOT NULL DEFAULT '',
	ncic                     TEXT NOT NULL DEFAULT '',
	last_seen_at             TIMESTAMP NOT NULL,
	last_seen_name           TEXT NOT NULL DEFAULT '',
	last_seen_address        TEXT NOT NULL DEFAULT '',
	last_seen_city           TEXT NOT NULL DEFAULT '',
	last_seen_state          TEXT NOT NULL DEFAULT '',
	last_seen_zip            TEXT NOT NULL DEFAULT '',
	last_seen_with           TEXT NOT NULL DEFAULT '',
	circumstances            TEXT NOT NULL DEFAULT '',
	from_care                INTEGER NOT NULL DEFAULT 0,
	care_agency_id           INTEGER REFERENCES agencies (id),
	placement_type           TEXT NOT NULL DEFAULT '',
	placement_name           TEXT NOT NULL DEFAULT '',
	caseworker_name          TEXT NOT NULL DEFAULT '',
	caseworker_phone         TEXT NOT NULL DEFAULT '',
	caseworker_email         TEXT NOT NULL DEFAULT '',
	found_missing_at         TIMESTAMP,
	notify_due_at            TIMESTAMP,
	le_told_at               TIMESTAMP,
	clearinghouse_told_at    TIMESTAMP,
	recovered_at             TIMESTAMP,
	recovered_name           TEXT NOT NULL DEFAULT '',
	recovered_address        TEXT NOT NULL DEFAULT '',
	recovered_city           TEXT NOT NULL DEFAULT '',
	recovered_state          TEXT NOT NULL DEFAULT '',
	recovered_zip            TEXT NOT NULL DEFAULT '',
	recovered_by             TEXT NOT NULL DEFAULT '',
	leave_factors            TEXT NOT NULL DEFAULT '[]',
	leave_factors_other      TEXT NOT NULL DEFAULT '',
	experiences              TEXT NOT NULL DEFAULT '',
	screening                TEXT NOT NULL DEFAULT '',
	trafficking_reported_at  TIMESTAMP,
	follow_up                TEXT NOT NULL DEFAULT '',
	follow_up_due            TIMESTAMP,
	recovery_recorded_by     INTEGER REFERENCES users (id),
	recovery_recorded_at     TIMESTAMP,
	agency_id                INTEGER REFERENCES agencies (id),
	state                    TEXT NOT NULL DEFAULT '',
	created_by               INTEGER REFERENCES users (id),
	submission_key           TEXT,
	created_at               TIMESTAMP NOT NULL,
	updated_at               TIMESTAMP NOT NULL,
	UNIQUE (created_by, submission_key)
);
CREATE INDEX missing_episodes_child ON missing_episodes (child_id, last_seen_at);
CREATE INDEX missing_episodes_agency ON missing_episodes (agency_id);
CREATE INDEX missing_episodes_created_by ON missing_episodes (created_by);
CREATE INDEX missing_episodes_notify_due ON missing_episodes (notify_due_at);

CREATE TABLE missing_guardians (
	episode_id    INTEGER NOT NULL REFERENCES missing_episodes (id) ON DELETE CASCADE,
	pos           INTEGER NOT NULL,
	name          TEXT NOT NULL,
	relationship  TEXT NOT NULL DEFAULT '',
	phone         TEXT NOT NULL DEFAULT '',
	email         TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (episode_id, pos)
);

-- +goose Down
DROP TABLE missing_guardians;
DROP TABLE missing_episodes;
