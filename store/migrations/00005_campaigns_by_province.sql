-- One deployment serves many provinces (issue 14): a campaign is a province's year, so
-- what was keyed by the year alone is keyed by (province, year). Applications and
-- objections need no new key, since a county code is unique across provinces, but they
-- are listed per campaign: their province is the county code's first two digits
-- (GB/T 2260), kept as a generated column so no writer can get it wrong.
--
-- Campaigns remember their workflow's ID: those started before keep the year's ID alone
-- ("campaign/2016"), later ones name the province ("campaign/520000/2016"). A batch or
-- notice recorded before this migration names no province; its campaign is the one whose
-- workflow ID is the year's alone (see projection.go).

-- +goose Up
ALTER TABLE campaigns ADD COLUMN workflow_id text;
UPDATE campaigns SET workflow_id = 'campaign/' || year;
ALTER TABLE campaigns ALTER COLUMN workflow_id SET NOT NULL;
ALTER TABLE campaigns DROP CONSTRAINT campaigns_pkey;
ALTER TABLE campaigns ADD PRIMARY KEY (province, year);
ALTER TABLE campaigns ADD CONSTRAINT campaigns_workflow_id_key UNIQUE (workflow_id);

ALTER TABLE applications ADD COLUMN province text GENERATED ALWAYS AS (left(county, 2) || '0000') STORED;
DROP INDEX applications_year_state_idx;
DROP INDEX applications_year_prefecture_idx;
CREATE INDEX applications_campaign_county_idx ON applications (province, year, county);
CREATE INDEX applications_campaign_state_idx ON applications (province, year, state);
CREATE INDEX applications_campaign_prefecture_idx ON applications (province, year, prefecture);

ALTER TABLE objections ADD COLUMN province text GENERATED ALWAYS AS (left(county, 2) || '0000') STORED;
DROP INDEX objections_year_status_idx;
DROP INDEX objections_year_filed_idx;
DROP INDEX objections_year_contact_status_idx;
CREATE INDEX objections_campaign_status_idx ON objections (province, year, status);
CREATE INDEX objections_campaign_filed_idx ON objections (province, year, filed_at, id);
CREATE INDEX objections_campaign_contact_status_idx ON objections (province, year, contact_key, status) WHERE contact_key <> '';

ALTER TABLE notices ADD COLUMN province text;
UPDATE notices n SET province = c.province FROM campaigns c WHERE c.year = n.year;
ALTER TABLE notices ALTER COLUMN province SET NOT NULL;
ALTER TABLE notices DROP CONSTRAINT notices_pkey;
ALTER TABLE notices ADD PRIMARY KEY (province, year);

ALTER TABLE notice_versions ADD COLUMN province text;
UPDATE notice_versions n SET province = c.province FROM campaigns c WHERE c.year = n.year;
ALTER TABLE notice_versions ALTER COLUMN province SET NOT NULL;
ALTER TABLE notice_versions DROP CONSTRAINT notice_versions_pkey;
ALTER TABLE notice_versions ADD PRIMARY KEY (province, year, version);

ALTER TABLE designations ADD COLUMN province text;
UPDATE designations d SET province = c.province FROM campaigns c WHERE c.year = d.year;
ALTER TABLE designations ALTER COLUMN province SET NOT NULL;
ALTER TABLE designations DROP CONSTRAINT designations_pkey;
ALTER TABLE designations ADD PRIMARY KEY (province, year);

-- +goose Down
ALTER TABLE designations DROP CONSTRAINT designations_pkey;
ALTER TABLE designations ADD PRIMARY KEY (year);
ALTER TABLE designations DROP COLUMN province;
ALTER TABLE notice_versions DROP CONSTRAINT notice_versions_pkey;
ALTER TABLE notice_versions ADD PRIMARY KEY (year, version);
ALTER TABLE notice_versions DROP COLUMN province;
ALTER TABLE notices DROP CONSTRAINT notices_pkey;
ALTER TABLE notices ADD PRIMARY KEY (year);
ALTER TABLE notices DROP COLUMN province;
DROP INDEX objections_campaign_contact_status_idx;
DROP INDEX objections_campaign_filed_idx;
DROP INDEX objections_campaign_status_idx;
ALTER TABLE objections DROP COLUMN province;
CREATE INDEX objections_year_status_idx ON objections (year, status);
CREATE INDEX objections_year_filed_idx ON objections (year, filed_at, id);
CREATE INDEX objections_year_contact_status_idx ON objections (year, contact_key, status) WHERE contact_key <> '';
DROP INDEX applications_campaign_prefecture_idx;
DROP INDEX applications_campaign_state_idx;
DROP INDEX applications_campaign_county_idx;
ALTER TABLE applications DROP COLUMN province;
CREATE INDEX applications_year_state_idx ON applications (year, state);
CREATE INDEX applications_year_prefecture_idx ON applications (year, prefecture);
ALTER TABLE campaigns DROP CONSTRAINT campaigns_workflow_id_key;
ALTER TABLE campaigns DROP CONSTRAINT campaigns_pkey;
ALTER TABLE campaigns ADD PRIMARY KEY (year);
ALTER TABLE campaigns DROP COLUMN workflow_id;
