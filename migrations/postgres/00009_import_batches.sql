-- The batches of bulk import files that landed, so that re-running a file
-- resumes instead of duplicating (haven.ImportBatch).

-- +goose Up
CREATE TABLE import_batches (
	file_sha256 TEXT NOT NULL,
	number      INTEGER NOT NULL,
	reports     INTEGER NOT NULL,
	landed_at   TIMESTAMPTZ NOT NULL,
	PRIMARY KEY (file_sha256, number)
);

-- +goose Down
DROP TABLE import_batches;
