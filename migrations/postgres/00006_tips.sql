-- Public tips: the hash of each tip's follow-up code with its failed
-- attempts, and the supplements reporters add later with that code. A
-- supplement never changes its report.

-- +goose Up
CREATE TABLE tip_followups (
	report_id    BIGINT PRIMARY KEY REFERENCES reports (id),
	code_hash    BYTEA NOT NULL,
	failures     INTEGER NOT NULL DEFAULT 0,
	locked_until TIMESTAMPTZ,
	created_at   TIMESTAMPTZ NOT NULL
);

CREATE TABLE report_supplements (
	id          BIGSERIAL PRIMARY KEY,
	report_id   BIGINT NOT NULL REFERENCES reports (id),
	text        TEXT NOT NULL DEFAULT '',
	language    TEXT NOT NULL DEFAULT '',
	identifiers TEXT NOT NULL DEFAULT '[]',
	ip          TEXT NOT NULL DEFAULT '',
	created_at  TIMESTAMPTZ NOT NULL
);
CREATE INDEX report_supplements_report ON report_supplements (report_id, id);

CREATE TABLE report_supplement_attachments (
	supplement_id BIGINT NOT NULL REFERENCES report_supplements (id),
	attachment_id BIGINT NOT NULL UNIQUE REFERENCES attachments (id),
	pos           INTEGER NOT NULL,
	PRIMARY KEY (supplement_id, pos)
);

-- +goose Down
DROP TABLE report_supplement_attachments;
DROP TABLE report_supplements;
DROP TABLE tip_followups;
