-- Person matching: the models fitted by EM on Haven's own people (children
-- on file and children mentioned in reports); the newest row is the model
-- every node scores with (kept in step with
-- ../postgres/00016_person_models.sql).

-- +goose Up
CREATE TABLE person_models (
	id              INTEGER PRIMARY KEY AUTOINCREMENT,
	fitted_at       TIMESTAMP NOT NULL,
	records         INTEGER NOT NULL,
	candidate_pairs INTEGER NOT NULL,
	iterations      INTEGER NOT NULL,
	model           TEXT NOT NULL -- JSON: personmatch.Model
);

-- +goose Down
DROP TABLE person_models;
