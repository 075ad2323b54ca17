-- Referrals (internal/haven/referral.go): a report referred to a partner
-- agency, with the package frozen when it was sent (package holds it as
-- JSON, so that later edits never change what the agency received), and
-- each referral's history. One open referral per report and agency: a
-- retried send finds the open one instead of making a second.

-- +goose Up
CREATE TABLE referrals (
	id               INTEGER PRIMARY KEY AUTOINCREMENT,
	report_id        INTEGER NOT NULL REFERENCES reports (id),
	case_id          INTEGER REFERENCES cases (id),
	agency_id        INTEGER NOT NULL REFERENCES agencies (id),
	state            TEXT NOT NULL,
	outcome          TEXT NOT NULL DEFAULT '',
	outcome_note     TEXT NOT NULL DEFAULT '',
	note             TEXT NOT NULL DEFAULT '',
	sent_by          INTEGER REFERENCES users (id),
	sent_at          TIMESTAMP NOT NULL,
	received_at      TIMESTAMP,
	acknowledged_at  TIMESTAMP,
	acknowledged_by  INTEGER REFERENCES users (id),
	outcome_at       TIMESTAMP,
	outcome_by       INTEGER REFERENCES users (id),
	escalated_at     TIMESTAMP,
	transferred_to   INTEGER REFERENCES referrals (id),
	transferred_from INTEGER REFERENCES referrals (id),
	package          TEXT NOT NULL DEFAULT '{}'
);
CREATE UNIQUE INDEX referrals_open ON referrals (report_id, agency_id)
	WHERE state IN ('sent', 'received', 'acknowledged');
-- The lists, newest first: all referrals (staff), one agency's (the portal).
CREATE INDEX referrals_sent ON referrals (sent_at, id);
CREATE INDEX referrals_agency ON referrals (agency_id, sent_at, id);
CREATE INDEX referrals_report ON referrals (report_id, sent_at);
CREATE INDEX referrals_unacknowledged ON referrals (sent_at) WHERE state IN ('sent', 'received');

CREATE TABLE referral_events (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	referral_id INTEGER NOT NULL REFERENCES referrals (id),
	kind        TEXT NOT NULL,
	at          TIMESTAMP NOT NULL,
	actor_id    INTEGER REFERENCES users (id),
	actor       TEXT NOT NULL DEFAULT '',
	message     TEXT NOT NULL DEFAULT ''
);
CREATE INDEX referral_events_referral ON referral_events (referral_id, id);

-- +goose Down
DROP TABLE referral_events;
DROP TABLE referrals;
