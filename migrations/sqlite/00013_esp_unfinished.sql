-- Unfinished ESP submissions expire through a periodic sweep instead of one
-- job per submission; the sweep reads this index, which holds only the
-- unfinished ones (a few, whatever the volume of finished reports).

-- +goose Up
CREATE INDEX esp_submissions_unfinished ON esp_submissions (changed_at, id) WHERE state <> 'finished';
DELETE FROM jobs WHERE kind = 'esp.expire';

-- +goose Down
DROP INDEX esp_submissions_unfinished;
