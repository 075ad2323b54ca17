-- The staff report page finds what a channel kept about a report by the
-- report's id: index the two report_id columns that had no index (calls
-- already has a unique one).

-- +goose Up
CREATE INDEX esp_submissions_report ON esp_submissions (report_id);
CREATE INDEX missing_episodes_report ON missing_episodes (report_id);

-- +goose Down
DROP INDEX missing_episodes_report;
DROP INDEX esp_submissions_report;
