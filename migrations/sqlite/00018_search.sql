-- Search over reports and cases (issue 5): an FTS5 index of each report's
-- text and of each case's, kept in step by the store (sqlstore.indexReport
-- and indexCase, called from every write of the indexed text) and kept in
-- step with ../postgres/00018_search.sql.
--
-- What is indexed is what the report page already shows to whoever may
-- open the report: its reference, the incident time as told, the
-- narrative, the people mentioned (names, nicknames, descriptions, city),
-- the places and the identifiers as given. The reporter's own details are
-- not indexed. Words are split on anything but letters and digits
-- (unicode61), accents folded, and English words stemmed (porter), as
-- haven.ParseSearch splits the query.
--
-- The *_search_doc views say what each record's document is, in one place:
-- the backfill below and the store's reindexing both select from them, so
-- a later migration that indexes more (case notes, say) redefines a view
-- and reindexes.

-- +goose Up
CREATE VIEW report_search_doc AS
SELECT r.id AS id,
	r.ref AS ref,
	r.incident_time_text || ' ' || r.narrative AS narrative,
	COALESCE((SELECT group_concat(p.first_name || ' ' || p.last_name || ' ' || p.nickname || ' ' ||
		p.description || ' ' || p.city, ' ') FROM report_people p WHERE p.report_id = r.id), '') AS people,
	COALESCE((SELECT group_concat(pl.name || ' ' || pl.address || ' ' || pl.city || ' ' || pl.county || ' ' ||
		pl.zip, ' ') FROM report_places pl WHERE pl.report_id = r.id), '') AS places,
	COALESCE((SELECT group_concat(i.value || ' ' || i.raw, ' ') FROM report_identifiers i
		WHERE i.report_id = r.id), '') AS identifiers
FROM reports r;

CREATE VIRTUAL TABLE report_search USING fts5(ref, narrative, people, places, identifiers,
	tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO report_search (rowid, ref, narrative, people, places, identifiers)
	SELECT id, ref, narrative, people, places, identifiers FROM report_search_doc;

-- notes is empty until case notes are indexed.
CREATE VIEW case_search_doc AS SELECT c.id AS id, c.title AS title, '' AS notes FROM cases c;

CREATE VIRTUAL TABLE case_search USING fts5(title, notes,
	tokenize = 'porter unicode61 remove_diacritics 2');
INSERT INTO case_search (rowid, title, notes) SELECT id, title, notes FROM case_search_doc;

-- +goose Down
DROP TABLE case_search;
DROP VIEW case_search_doc;
DROP TABLE report_search;
DROP VIEW report_search_doc;
