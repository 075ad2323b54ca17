-- What a retried API request must get back that its record cannot give
-- again: the follow-up code of a tip (shown once), sealed with the key
-- file's AEAD key, so that a retry of a lost response returns it.

-- +goose Up
ALTER TABLE idempotency_keys ADD COLUMN result BLOB;

-- +goose Down
ALTER TABLE idempotency_keys DROP COLUMN result;
