-- Idempotency keys of API requests: a retried request returns what the
-- first one created instead of creating a duplicate.

-- +goose Up
CREATE TABLE idempotency_keys (
	actor_id     BIGINT NOT NULL,
	key          TEXT NOT NULL,
	request_hash TEXT NOT NULL,
	record_id    BIGINT NOT NULL,
	created_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (actor_id, key)
);

-- +goose Down
DROP TABLE idempotency_keys;
