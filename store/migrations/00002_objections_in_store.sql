-- Public objections move out of the campaign workflow into this table, their system of
-- record (R10): the API files them here, folds identical ones into one and caps the
-- open ones per county and per contact; the workflow counts a county's objections when
-- its publicity ends and records administrators' decisions. Nothing the public sends
-- reaches Temporal's history, and the objectors' contacts stay in PostgreSQL.

-- +goose Up
CREATE SEQUENCE objection_numbers;
ALTER TABLE objections
    ADD COLUMN fingerprint text,
    ADD COLUMN contact_key text NOT NULL DEFAULT '',
    ADD COLUMN copies integer NOT NULL DEFAULT 1;
CREATE UNIQUE INDEX objections_year_fingerprint_idx ON objections (year, fingerprint);
CREATE INDEX objections_year_county_status_idx ON objections (year, county, status);
CREATE INDEX objections_year_contact_status_idx ON objections (year, contact_key, status) WHERE contact_key <> '';
-- The objection list is paged by (filed_at, id) within a year.
CREATE INDEX objections_year_filed_idx ON objections (year, filed_at, id);

-- +goose Down
DROP INDEX objections_year_filed_idx;
DROP INDEX objections_year_contact_status_idx;
DROP INDEX objections_year_county_status_idx;
DROP INDEX objections_year_fingerprint_idx;
ALTER TABLE objections DROP COLUMN copies, DROP COLUMN contact_key, DROP COLUMN fingerprint;
DROP SEQUENCE objection_numbers;
