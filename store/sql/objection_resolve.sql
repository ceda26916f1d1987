-- Record an administrator's decision on an open objection of the county (R10). A retry
-- of the same decision (same campaign version) finds the row it wrote and returns it.
UPDATE objections SET status = $4, note = $5, resolved_by = $6, resolved_at = $7, version = $8
WHERE year = $1 AND id = $2 AND county = $3
    AND (status = 'open' OR (status = $4 AND version = $8))
RETURNING id, year, county, reason, '' AS contact, status, note, resolved_by, filed_at, resolved_at, version, copies
