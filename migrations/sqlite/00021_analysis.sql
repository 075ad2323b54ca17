-- Analytical support for law enforcement (internal/haven/analysis.go): an
-- officer's request for analysis for their agency, and the analytical
-- products (link chart, timeline, narrative) that answer it. A product is a
-- frozen snapshot (snapshot holds the charted data as JSON) so that later
-- changes to a network never change what was delivered. agency_id is copied
-- onto each product so that product lists are scoped like their request.

-- +goose Up
CREATE TABLE analysis_requests (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	officer_id  INTEGER REFERENCES users (id),
	agency_id   INTEGER NOT NULL REFERENCES agencies (id),
	case_number TEXT NOT NULL,
	question    TEXT NOT NULL,
	urgency     TEXT NOT NULL,
	report_ids  TEXT NOT NULL DEFAULT '[]',
	case_id     INTEGER REFERENCES cases (id),
	status      TEXT NOT NULL,
	analyst_id  INTEGER REFERENCES users (id),
	created_at  TIMESTAMP NOT NULL,
	updated_at  TIMESTAMP NOT NULL,
	answered_at TIMESTAMP,
	closed_at   TIMESTAMP
);
CREATE INDEX analysis_requests_agency ON analysis_requests (agency_id, created_at);
CREATE INDEX analysis_requests_status ON analysis_requests (status, created_at);

CREATE TABLE analytical_products (
	id         INTEGER PRIMARY KEY AUTOINCREMENT,
	request_id INTEGER NOT NULL REFERENCES analysis_requests (id),
	agency_id  INTEGER NOT NULL REFERENCES agencies (id),
	kind       TEXT NOT NULL,
	title      TEXT NOT NULL,
	body       TEXT NOT NULL DEFAULT '',
	network_id INTEGER,
	report_ids TEXT NOT NULL DEFAULT '[]',
	snapshot   TEXT NOT NULL DEFAULT '{}',
	author_id  INTEGER REFERENCES users (id),
	version    INTEGER NOT NULL,
	created_at TIMESTAMP NOT NULL,
	UNIQUE (request_id, kind, version)
);

-- +goose Down
DROP TABLE analytical_products;
DROP TABLE analysis_requests;
