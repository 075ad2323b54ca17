-- The agency directory grows into what routing needs: each agency's
-- jurisdiction as rows (states, counties by five-digit FIPS, ZIP codes) so
-- that "which agencies cover county X / ZIP Z / state S" is an index
-- look-up, its contacts, its address, and an active flag (a deactivated
-- agency stays for the reports, cases and accounts that name it, but is no
-- longer suggested).
--
-- agencies.states (a JSON array) stays the States field exactly as entered;
-- agency_states holds the agency's state-wide coverage derived from it by
-- the store on every write (States, or the home state alone when neither
-- States, counties nor ZIPs are given; nothing for a nationwide agency,
-- which is the nationwide flag instead). The backfill below applies the
-- same rule to the rows already there.
-- Kept in step with ../sqlite/00024_agency_directory.sql.

-- +goose Up
ALTER TABLE agencies ADD COLUMN address text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN city text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN zip text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN website text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN notes text NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN active boolean NOT NULL DEFAULT true;
ALTER TABLE agencies ADD COLUMN nationwide boolean NOT NULL DEFAULT false;
ALTER TABLE agencies ADD COLUMN updated_at timestamptz;
UPDATE agencies SET updated_at = created_at;
CREATE INDEX agencies_level ON agencies (level);

CREATE TABLE agency_states (
	agency_id bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
	state     text NOT NULL,
	PRIMARY KEY (agency_id, state)
);
CREATE INDEX agency_states_state ON agency_states (state, agency_id);

CREATE TABLE agency_counties (
	agency_id bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
	fips      text NOT NULL,
	PRIMARY KEY (agency_id, fips)
);
CREATE INDEX agency_counties_fips ON agency_counties (fips, agency_id);

CREATE TABLE agency_zips (
	agency_id bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
	zip       text NOT NULL,
	PRIMARY KEY (agency_id, zip)
);
CREATE INDEX agency_zips_zip ON agency_zips (zip, agency_id);

CREATE TABLE agency_contacts (
	agency_id bigint NOT NULL REFERENCES agencies (id) ON DELETE CASCADE,
	position  integer NOT NULL,
	name      text NOT NULL,
	title     text NOT NULL DEFAULT '',
	phone     text NOT NULL DEFAULT '',
	email     text NOT NULL DEFAULT '',
	PRIMARY KEY (agency_id, position)
);

INSERT INTO agency_states (agency_id, state)
SELECT DISTINCT a.id, j.value FROM agencies a, jsonb_array_elements_text(a.states::jsonb) j WHERE a.states <> '[]';
INSERT INTO agency_states (agency_id, state)
SELECT id, state FROM agencies WHERE states = '[]' AND state <> '' AND level <> 'federal';
UPDATE agencies SET nationwide = true WHERE states = '[]' AND (state = '' OR level = 'federal');

-- +goose Down
DROP TABLE agency_contacts;
DROP TABLE agency_zips;
DROP TABLE agency_counties;
DROP TABLE agency_states;
DROP INDEX agencies_level;
ALTER TABLE agencies DROP COLUMN updated_at;
ALTER TABLE agencies DROP COLUMN nationwide;
ALTER TABLE agencies DROP COLUMN active;
ALTER TABLE agencies DROP COLUMN notes;
ALTER TABLE agencies DROP COLUMN website;
ALTER TABLE agencies DROP COLUMN zip;
ALTER TABLE agencies DROP COLUMN city;
ALTER TABLE agencies DROP COLUMN address;
