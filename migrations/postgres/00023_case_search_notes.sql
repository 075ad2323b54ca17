-- A case is found by its child's names and its notes too, not its title
-- alone: whoever may open a case sees both on its page, so a search over
-- the cases one may open shows nothing new. The store reindexes a case
-- when a note is added and when notes move in a merge or a split.
-- Kept in step with ../sqlite/00023_case_search_notes.sql.

-- +goose Up
CREATE OR REPLACE VIEW case_search_doc AS
SELECT c.id,
	setweight(to_tsvector('english', haven_search_text(concat_ws(' ', c.title, ch.first_name, ch.last_name, ch.nicknames))), 'A') ||
	setweight(to_tsvector('english', haven_search_text(COALESCE((SELECT string_agg(n.body, ' ') FROM case_notes n WHERE n.case_id = c.id), ''))), 'B') AS doc
FROM cases c LEFT JOIN children ch ON ch.id = c.child_id;
UPDATE cases c SET search = d.doc FROM case_search_doc d WHERE d.id = c.id;

-- +goose Down
CREATE OR REPLACE VIEW case_search_doc AS
SELECT c.id, setweight(to_tsvector('english', haven_search_text(c.title)), 'A') AS doc FROM cases c;
UPDATE cases c SET search = d.doc FROM case_search_doc d WHERE d.id = c.id;
