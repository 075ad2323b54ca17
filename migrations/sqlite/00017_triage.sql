-- Triage (internal/haven/triage.go, internal/triage): on each report, the
-- rules' decision (their priority, the rules that fired with their evidence
-- as JSON, the rule set's version, when evaluated), a supervisor's override
-- with its reason, and the due time of the first action. reports.priority
-- holds the effective priority (the override when set, else the rules'), so
-- that every list, filter and queue reads one column. escalation is what an
-- online service provider wrote in escalateToHighPriority (a triage fact).
-- Kept in step with ../postgres/00017_triage.sql.

-- +goose Up
ALTER TABLE reports ADD COLUMN due_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN escalation TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN rules_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN triage_rules TEXT NOT NULL DEFAULT '[]';
ALTER TABLE reports ADD COLUMN triage_version TEXT NOT NULL DEFAULT '';
ALTER TABLE reports ADD COLUMN triaged_at TIMESTAMP;
ALTER TABLE reports ADD COLUMN override_priority INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN override_reason TEXT NOT NULL DEFAULT '';
-- override_by names a user; no REFERENCES, so that SQLite can drop it again.
ALTER TABLE reports ADD COLUMN override_by INTEGER;
ALTER TABLE reports ADD COLUMN override_at TIMESTAMP;
-- Queues sort by priority, then due time.
CREATE INDEX reports_priority_due ON reports (priority, due_at);

-- +goose Down
DROP INDEX reports_priority_due;
ALTER TABLE reports DROP COLUMN override_at;
ALTER TABLE reports DROP COLUMN override_by;
ALTER TABLE reports DROP COLUMN override_reason;
ALTER TABLE reports DROP COLUMN override_priority;
ALTER TABLE reports DROP COLUMN triaged_at;
ALTER TABLE reports DROP COLUMN triage_version;
ALTER TABLE reports DROP COLUMN triage_rules;
ALTER TABLE reports DROP COLUMN rules_priority;
ALTER TABLE reports DROP COLUMN escalation;
ALTER TABLE reports DROP COLUMN due_at;
