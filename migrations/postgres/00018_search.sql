-- Search over reports and cases (issue 5): a tsvector of each report's text
-- and of each case's, with GIN indexes, kept in step by the store
-- (sqlstore.indexReport and indexCase, called from every write of the
-- indexed text) and kept in step with ../sqlite/00018_search.sql.
--
-- What is indexed is what the report page already shows to whoever may
-- open the report: its reference, the incident time as told, the
-- narrative, the people mentioned (names, nicknames, descriptions, city),
-- the places and the identifiers as given. The reporter's own details are
-- not indexed.
--
-- The 'english' configuration stems words (running finds run), as SQLite's
-- porter tokenizer does; names are stemmed the same way on both sides, so
-- an exact name still finds itself. haven_search_text folds the accents of
-- Latin letters (by translate: the unaccent extension would need creating
-- in a schema every connection's search_path has) and turns ASCII
-- punctuation into spaces, so that text splits
-- into words as haven.ParseSearch splits the query and as SQLite's
-- unicode61 does (202-555-0147 is the phrase 202 555 0147; PostgreSQL's
-- parser would otherwise keep emails, hosts and hyphenated words whole).
-- References, people and identifiers weigh more (A) than the narrative and
-- places (B) in ts_rank.
--
-- The *_search_doc views say what each record's document is, in one place:
-- the backfill below and the store's reindexing both select from them.

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION haven_search_text(t text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$ SELECT regexp_replace(translate(t, 'ÀÁÂÃÄÅàáâãäåÇçÈÉÊËèéêëÌÍÎÏìíîïÑñÒÓÔÕÖØòóôõöøÙÚÛÜùúûüÝýÿ', 'AAAAAAaaaaaaCcEEEEeeeeIIIIiiiiNnOOOOOOooooooUUUUuuuuYyy'),
	'[\x21-\x2f\x3a-\x40\x5b-\x60\x7b-\x7e]+', ' ', 'g') $$;
-- +goose StatementEnd

CREATE VIEW report_search_doc AS
SELECT r.id,
	setweight(to_tsvector('english', haven_search_text(concat_ws(' ', r.ref, people.t, ids.t))), 'A') ||
	setweight(to_tsvector('english', haven_search_text(concat_ws(' ', r.incident_time_text, r.narrative, places.t))), 'B') AS doc
FROM reports r
LEFT JOIN LATERAL (SELECT string_agg(concat_ws(' ', p.first_name, p.last_name, p.nickname, p.description, p.city), ' ') AS t
	FROM report_people p WHERE p.report_id = r.id) people ON true
LEFT JOIN LATERAL (SELECT string_agg(concat_ws(' ', pl.name, pl.address, pl.city, pl.county, pl.zip), ' ') AS t
	FROM report_places pl WHERE pl.report_id = r.id) places ON true
LEFT JOIN LATERAL (SELECT string_agg(concat_ws(' ', i.value, i.raw), ' ') AS t
	FROM report_identifiers i WHERE i.report_id = r.id) ids ON true;

ALTER TABLE reports ADD COLUMN search tsvector;
UPDATE reports r SET search = d.doc FROM report_search_doc d WHERE d.id = r.id;
CREATE INDEX reports_search ON reports USING gin (search);

CREATE VIEW case_search_doc AS
SELECT c.id, setweight(to_tsvector('english', haven_search_text(c.title)), 'A') AS doc FROM cases c;

ALTER TABLE cases ADD COLUMN search tsvector;
UPDATE cases c SET search = d.doc FROM case_search_doc d WHERE d.id = c.id;
CREATE INDEX cases_search ON cases USING gin (search);

-- +goose Down
DROP INDEX cases_search;
ALTER TABLE cases DROP COLUMN search;
DROP VIEW case_search_doc;
DROP INDEX reports_search;
ALTER TABLE reports DROP COLUMN search;
DROP VIEW report_search_doc;
DROP FUNCTION haven_search_text(text);
