-- R10 as revised: every change to the shortlist publishes a new version of the notice,
-- and older versions stay readable; a closed campaign publishes its final list, on which
-- the administrator records the document reference of the Department's decision.

-- +goose Up
CREATE TABLE notice_versions (
    year    integer NOT NULL,
    version bigint NOT NULL,
    view    jsonb NOT NULL,
    PRIMARY KEY (year, version)
);
INSERT INTO notice_versions (year, version, view) SELECT year, version, view FROM notices;

CREATE TABLE designations (
    year         integer PRIMARY KEY,
    closed_at    timestamptz NOT NULL,
    document_ref text,
    recorded_by  text NOT NULL DEFAULT '',
    recorded_at  timestamptz,
    view         jsonb NOT NULL
);

-- +goose Down
DROP TABLE designations;
DROP TABLE notice_versions;
