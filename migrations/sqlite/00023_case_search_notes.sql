-- A case is found by its child's names and its notes too, not its title
-- alone: whoever may open a case sees both on its page, so a search over
-- the cases one may open shows nothing new. The store reindexes a case
-- when a note is added and when notes move in a merge or a split.
-- Kept in step with ../postgres/00023_case_search_notes.sql.

-- +goose Up
DROP VIEW case_search_doc;
CREATE VIEW case_search_doc AS
SELECT c.id AS id,
	c.title || ' ' || COALESCE(ch.first_name, '') || ' ' || COALESCE(ch.last_name, '') || ' ' || COALESCE(ch.nicknames, '') AS title,
	COALESCE((SELECT group_concat(n.body, ' ') FROM case_notes n WHERE n.case_id = c.id), '') AS notes
FROM cases c LEFT JOIN children ch ON ch.id = c.child_id;
DELETE FROM case_search;
INSERT INTO case_search (rowid, title, notes) SELECT id, title, notes FROM case_search_doc;

-- +goose Down
DROP VIEW case_search_doc;
CREATE VIEW case_search_doc AS SELECT c.id AS id, c.title AS title, '' AS notes FROM cases c;
DELETE FROM case_search;
INSERT INTO case_search (rowid, title, notes) SELECT id, title, notes FROM case_search_doc;
