-- The system of record next to Temporal (DESIGN.md §5): reference data, the read model the
-- HTTP API lists from, the append-only audit timeline, published notices and the
-- idempotency keys of the API. Read-model tables carry the workflow's version so that a
-- projection applied twice, late or concurrently never regresses a row; they have no
-- foreign keys to reference data, because the read model must accept whatever the
-- workflow decided (a refused projection would only be retried forever).

-- +goose Up

-- Reference data (GB/T 2260), seeded at start from the CSV embedded in the binary.
CREATE TABLE divisions (
    code                  text PRIMARY KEY,
    name                  text NOT NULL,
    level                 text NOT NULL CHECK (level IN ('province', 'prefecture', 'county')),
    parent_code           text REFERENCES divisions (code),
    directly_administered boolean NOT NULL DEFAULT false
);
CREATE INDEX divisions_parent_code_idx ON divisions (parent_code);

-- One row per campaign year; view is the whole CampaignView the workflow computed.
CREATE TABLE campaigns (
    year       integer PRIMARY KEY,
    province   text NOT NULL,
    phase      text NOT NULL,
    overdue    boolean NOT NULL DEFAULT false,
    view       jsonb NOT NULL,
    version    bigint NOT NULL,
    updated_at timestamptz NOT NULL DEFAULT now()
);

-- One row per county application; the columns exist for filtering and reporting, view is
-- the whole Application served by the API.
CREATE TABLE applications (
    year                  integer NOT NULL,
    county                text NOT NULL,
    prefecture            text NOT NULL,
    state                 text NOT NULL,
    exempt                boolean NOT NULL DEFAULT false,
    directly_administered boolean NOT NULL DEFAULT false,
    materials             jsonb NOT NULL DEFAULT '{}',
    recommendation_order  integer,
    review_score          double precision,
    total                 double precision,
    rank                  integer,
    view                  jsonb NOT NULL,
    version               bigint NOT NULL,
    updated_at            timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (year, county)
);
CREATE INDEX applications_year_state_idx ON applications (year, state);
CREATE INDEX applications_year_prefecture_idx ON applications (year, prefecture);

-- The audit timeline (R11): one row per (workflow, seq), never changed once written.
CREATE TABLE timeline_events (
    workflow_id text NOT NULL,
    seq         bigint NOT NULL CHECK (seq > 0),
    year        integer NOT NULL,
    county      text,
    at          timestamptz NOT NULL,
    actor       text NOT NULL DEFAULT '',
    action      text NOT NULL,
    from_state  text NOT NULL DEFAULT '',
    to_state    text NOT NULL DEFAULT '',
    rule        text NOT NULL DEFAULT '',
    detail      text NOT NULL DEFAULT '',
    PRIMARY KEY (workflow_id, seq)
);
CREATE INDEX timeline_events_year_county_idx ON timeline_events (year, county);

-- +goose StatementBegin
CREATE FUNCTION timeline_events_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'timeline_events is append-only (R11): % refused', TG_OP
        USING ERRCODE = 'restrict_violation';
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER timeline_events_append_only
    BEFORE UPDATE OR DELETE ON timeline_events
    FOR EACH ROW EXECUTE FUNCTION timeline_events_append_only();

-- Reviewers' scorecards (R8), mirrored from Application.Scores.Scorecards; version is the
-- application's version that last wrote the card.
CREATE TABLE scorecards (
    year     integer NOT NULL,
    county   text NOT NULL,
    reviewer text NOT NULL,
    criteria jsonb NOT NULL,
    comment  text NOT NULL DEFAULT '',
    at       timestamptz NOT NULL,
    version  bigint NOT NULL,
    PRIMARY KEY (year, county, reviewer),
    FOREIGN KEY (year, county) REFERENCES applications (year, county) ON DELETE CASCADE
);

-- Objections from the public (R10).
CREATE TABLE objections (
    id          text PRIMARY KEY,
    year        integer NOT NULL,
    county      text NOT NULL,
    reason      text NOT NULL,
    contact     text NOT NULL DEFAULT '',
    status      text NOT NULL,
    note        text NOT NULL DEFAULT '',
    resolved_by text NOT NULL DEFAULT '',
    filed_at    timestamptz NOT NULL,
    resolved_at timestamptz,
    version     bigint NOT NULL
);
CREATE INDEX objections_year_status_idx ON objections (year, status);

-- The published notice (R9): text, shortlist with its explanation, and the whole view.
CREATE TABLE notices (
    year              integer PRIMARY KEY,
    published_at      timestamptz NOT NULL,
    publicity_ends_at timestamptz NOT NULL,
    late              boolean NOT NULL DEFAULT false,
    text              text NOT NULL DEFAULT '',
    shortlist         jsonb NOT NULL DEFAULT '[]',
    view              jsonb NOT NULL,
    version           bigint NOT NULL
);

-- Idempotency-Key of the API: status 0 while the first request is in flight, then the
-- response to replay.
CREATE TABLE idempotency_keys (
    scope        text NOT NULL,
    key          text NOT NULL,
    request_hash text NOT NULL,
    status       integer NOT NULL DEFAULT 0,
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, key)
);
CREATE INDEX idempotency_keys_created_at_idx ON idempotency_keys (created_at);

-- +goose Down
DROP TABLE idempotency_keys;
DROP TABLE notices;
DROP TABLE objections;
DROP TABLE scorecards;
DROP TABLE timeline_events;
DROP FUNCTION timeline_events_append_only();
DROP TABLE applications;
DROP TABLE campaigns;
DROP TABLE divisions;
