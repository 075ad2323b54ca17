-- The list of reports (/reports, GET /api/v1/reports, a search with filters
-- and no words) is newest first with an equality filter or two. An index on
-- the filter's column alone makes the database sort every report that
-- matches it to show the newest 25 (about 200 ms for one state and status
-- over 1,000,000 reports on SQLite); the same column followed by the time
-- of arrival reads them in order and stops at the page. Each replaces the
-- single-column index it extends (lookups by the column alone still use
-- it), so a report costs no more index entries to write.
-- Kept in step with ../postgres/00022_report_list_indexes.sql.

-- +goose Up
DROP INDEX reports_status;
DROP INDEX reports_state;
DROP INDEX reports_channel;
DROP INDEX reports_priority;
CREATE INDEX reports_status_received ON reports (status, received_at, id);
CREATE INDEX reports_state_received ON reports (state, received_at, id);
CREATE INDEX reports_channel_received ON reports (channel, received_at, id);
CREATE INDEX reports_priority_received ON reports (priority, received_at, id);

-- +goose Down
DROP INDEX reports_priority_received;
DROP INDEX reports_channel_received;
DROP INDEX reports_state_received;
DROP INDEX reports_status_received;
CREATE INDEX reports_priority ON reports (priority);
CREATE INDEX reports_channel ON reports (channel);
CREATE INDEX reports_state ON reports (state);
CREATE INDEX reports_status ON reports (status);
