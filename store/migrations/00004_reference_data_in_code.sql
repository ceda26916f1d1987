-- The reference divisions live in the binary (domain's embedded data files), chosen per
-- campaign by province and edition of GB/T 2260; one table keyed by code alone cannot
-- hold two editions, and nothing read it. The store keeps no copy.

-- +goose Up
DROP TABLE divisions;

-- +goose Down
CREATE TABLE divisions (
    code                  text PRIMARY KEY,
    name                  text NOT NULL,
    level                 text NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code           text REFERENCES divisions (code),
    directly_administered boolean NOT NULL DEFAULT false
);
CREATE INDEX divisions_parent_code_idx ON divisions (parent_code);
