-- File one objection from the public (R10), in the transaction that holds the county's
-- application row FOR UPDATE; that lock also orders it after any identical filing, which
-- FileObjection folds before it gets here.
INSERT INTO objections (id, year, county, reason, contact, contact_key, fingerprint, status, filed_at, version)
VALUES ($1::integer || '-' || $2 || '-' || nextval('objection_numbers'), $1, $2, $3, $4, $5, $6, 'open', clock_timestamp(), 0)
RETURNING id
