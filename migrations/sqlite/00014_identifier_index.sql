-- Linking: the identifier index (a blind index: kind and platform in clear,
-- the normalised value only as a keyed MAC), the links of reports to the
-- identifiers they carry, and the networks of reports linked through shared
-- identifiers (kept in step with ../postgres/00014_identifier_index.sql).
--
-- An identifier's plain value is never stored here: pages show it from the
-- report's own identifier row (identifier_links.identifier_id), which the
-- viewer may see because they may see that report.

-- +goose Up
CREATE TABLE identifier_keys (
	id           INTEGER PRIMARY KEY AUTOINCREMENT,
	kind         TEXT NOT NULL,
	platform     TEXT NOT NULL DEFAULT '',
	mac          BLOB NOT NULL,
	report_count INTEGER NOT NULL DEFAULT 0,
	first_seen   TIMESTAMP NOT NULL,
	last_seen    TIMESTAMP NOT NULL,
	state        TEXT NOT NULL DEFAULT 'active', -- active, flagged, excluded
	reason       TEXT NOT NULL DEFAULT '',
	decided_by   INTEGER REFERENCES users (id),
	decided_at   TIMESTAMP,
	UNIQUE (kind, mac)
);
-- The review queue (flagged) and the excluded: few, whatever the index's size.
CREATE INDEX identifier_keys_review ON identifier_keys (state, report_count) WHERE state <> 'active';

CREATE TABLE identifier_links (
	key_id        INTEGER NOT NULL REFERENCES identifier_keys (id),
	report_id     INTEGER NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
	identifier_id INTEGER NOT NULL REFERENCES report_identifiers (id) ON DELETE CASCADE,
	linked_at     TIMESTAMP NOT NULL,
	PRIMARY KEY (key_id, report_id)
) WITHOUT ROWID;
CREATE INDEX identifier_links_report ON identifier_links (report_id, key_id);

CREATE TABLE networks (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	size            INTEGER NOT NULL,
	first_report_at TIMESTAMP NOT NULL,
	last_report_at  TIMESTAMP NOT NULL,
	updated_at      TIMESTAMP NOT NULL
);

CREATE TABLE report_network (
	report_id  INTEGER PRIMARY KEY REFERENCES reports (id) ON DELETE CASCADE,
	network_id INTEGER NOT NULL REFERENCES networks (id)
);
CREATE INDEX report_network_network ON report_network (network_id);

-- +goose Down
DROP TABLE report_network;
DROP TABLE networks;
DROP TABLE identifier_links;
DROP TABLE identifier_keys;
