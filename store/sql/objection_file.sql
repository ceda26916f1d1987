-- File one objection from the public (R10), in the transaction that holds the county's
-- application row FOR UPDATE. An identical objection (same fingerprint) is folded into
-- the first: its copies grow and its id is returned.
INSERT INTO objections (id, year, county, reason, contact, contact_key, fingerprint, status, filed_at, version)
VALUES ($1::integer || '-' || $2 || '-' || nextval('objection_numbers'), $1, $2, $3, $4, $5, $6, 'open', clock_timestamp(), 0)
ON CONFLICT (year, fingerprint) DO UPDATE SET copies = objections.copies + 1
RETURNING id, copies > 1 AS folded
