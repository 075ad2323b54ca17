-- +goose Up
-- A search's full-text match drives the query (internal/sqlstore/search.go):
-- every report the words match is checked against the filters and the
-- reader's scope. Read from the reports table, each check fetches a whole
-- report row (narrative and all); this index holds exactly the columns the
-- checks read, keyed by id, so a check is one seek in a narrow index. At
-- 1,000,000 reports a very common word with three filters checks 250,000
-- matches (docs/benchmarks.md, section 6). The search names the index
-- (INDEXED BY): SQLite would otherwise prefer the rowid.
CREATE INDEX reports_search_filter ON reports (id, status, priority, channel, incident_type, state,
	assigned_to, agency_id, created_by, received_at);

-- +goose Down
DROP INDEX reports_search_filter;
