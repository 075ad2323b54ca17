-- +goose Up
-- SQLite's search checks its full-text matches against a narrow covering
-- index (migrations/sqlite/00026); PostgreSQL combines the GIN index with
-- the filters' indexes in a bitmap and needs none. This file keeps the two
-- dialects' migrations numbered alike.
SELECT 1;

-- +goose Down
SELECT 1;
