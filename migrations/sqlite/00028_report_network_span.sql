-- A network's span (its first and last report, networks.first_report_at and
-- last_report_at) must be found again when the report at either end leaves
-- it, which happens whenever an identifier stops linking. Read through the
-- reports table that is a scan of the whole network (21,000 reports in a load
-- test, at every such flag); with each member's time beside its network in
-- an index, it is two seeks (internal/sqlstore/network_split.go). Kept in step
-- with ../postgres/00028_report_network_span.sql.

-- +goose Up
ALTER TABLE report_network ADD COLUMN received_at TIMESTAMP;
UPDATE report_network SET received_at = (SELECT r.received_at FROM reports r WHERE r.id = report_network.report_id);
CREATE INDEX report_network_span ON report_network (network_id, received_at);
DROP INDEX report_network_network;

-- +goose Down
CREATE INDEX report_network_network ON report_network (network_id);
DROP INDEX report_network_span;
ALTER TABLE report_network DROP COLUMN received_at;
