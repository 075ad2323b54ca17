-- Idempotency keys of API requests: a retried request returns what the
-- first one created instead of creating a duplicate.

-- +goose Up
CREATE TABLE idempotency_keys (
	actor_id     INTEGER NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	record_id    INTEGER NOT NULL,
	created_at   TIMESTAMP NOT NULL,
	PRIMARY KEY (actor_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
