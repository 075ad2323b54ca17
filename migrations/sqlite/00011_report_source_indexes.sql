-- The staff report page finds what a channel kept about a report by the
-- report's id: index the two report_id columns that had no index (calls
-- already has a unique one). Only finished submissions have a report, so
-- the index holds only theirs.

-- +goose Up
CREATE INDEX esp_submissions_report ON esp_submissions (report_id) WHERE report_id IS NOT NULL;
CREATE INDEX missing_episodes_report ON missing_episodes (report_id);

-- +goose Down
DROP INDEX missing_episodes_report;
DROP INDEX esp_submissions_report;
