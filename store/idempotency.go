package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// IdempotencyLease is how long a reservation may stay in flight (Status 0) before it is
// taken for abandoned — its process died between Reserve and Complete — and the next
// request with the key may run instead of being refused forever.
const IdempotencyLease = 2 * time.Minute

// IdempotentResponse is what the API remembers of the first request carrying an
// Idempotency-Key (API.md "Idempotency"): the hash of its body, to refuse the same key
// with another body, and its response, to answer a retry with the very same bytes.
type IdempotentResponse struct {
	RequestHash string
	// Status is the HTTP status of the stored response; 0 while the first request is
	// still being executed.
	Status    int
	Body      []byte
	CreatedAt time.Time
}

// IdempotencyScope builds the scope a key is unique in, so that two people, or one
// person on two routes, never collide by choosing the same key.
func IdempotencyScope(method, path, subject string) string {
	return method + " " + path + " " + subject
}

const (
	// reserveIdempotencySQL claims the key; an in-flight reservation older than the
	// lease is taken over, a completed one never is.
	reserveIdempotencySQL = `
INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ($1, $2, $3)
ON CONFLICT (scope, key) DO UPDATE SET request_hash = EXCLUDED.request_hash, created_at = now()
WHERE idempotency_keys.status = 0 AND idempotency_keys.created_at < now() - make_interval(secs => $4)
RETURNING true`
	idempotencySQL = `
SELECT request_hash, status, body, created_at FROM idempotency_keys WHERE scope = $1 AND key = $2`
	completeIdempotencySQL = `
UPDATE idempotency_keys SET status = $3, body = $4 WHERE scope = $1 AND key = $2 AND status = 0`
	releaseIdempotencySQL = `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND status = 0`
)

// ReserveIdempotencyKey claims key in scope for a request whose body hashes to
// requestHash. It returns (nil, true) when the caller owns the key and must execute the
// request, then call CompleteIdempotencyKey (or ReleaseIdempotencyKey on a 5xx). When the
// key is already known it returns the stored record and false: Status 0 means the first
// request is still in flight; a RequestHash that differs from the caller's means the key
// was reused for another body (409). Concurrent reservations of one key: exactly one wins.
func (s *Store) ReserveIdempotencyKey(ctx context.Context, scope, key, requestHash string) (*IdempotentResponse, bool, error) {
	// A reservation released between our INSERT and SELECT is claimable again: retry.
	for range 5 {
		var inserted bool
		err := s.pool.QueryRow(ctx, reserveIdempotencySQL, scope, key, requestHash, IdempotencyLease.Seconds()).Scan(&inserted)
		if err == nil {
			return nil, true, nil
		}
		if !errors.Is(err, pgx.ErrNoRows) {
			return nil, false, fmt.Errorf("reserve idempotency key: %w", err)
		}
		rows, _ := s.pool.Query(ctx, idempotencySQL, scope, key)
		rec, err := pgx.CollectExactlyOneRow(rows, pgx.RowToAddrOfStructByName[IdempotentResponse])
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return nil, false, fmt.Errorf("read idempotency key: %w", err)
		}
		return rec, false, nil
	}
	return nil, false, fmt.Errorf("reserve idempotency key: reservation kept changing under concurrent requests")
}

// CompleteIdempotencyKey stores the response of the request that reserved the key, so
// retries replay it. It is ErrNotFound when the key is not in flight (never reserved,
// released, or already completed).
func (s *Store) CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, body []byte) error {
	if status < 100 || status > 599 {
		return fmt.Errorf("complete idempotency key: HTTP status %d is not a response", status)
	}
	if body == nil {
		body = []byte{}
	}
	tag, err := s.pool.Exec(ctx, completeIdempotencySQL, scope, key, status, body)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("complete idempotency key: no request in flight: %w", ErrNotFound)
	}
	return nil
}

// ReleaseIdempotencyKey forgets an in-flight reservation whose request failed with a
// server error, so a retry with the same key runs again instead of replaying the
// failure. A completed key is kept.
func (s *Store) ReleaseIdempotencyKey(ctx context.Context, scope, key string) error {
	if _, err := s.pool.Exec(ctx, releaseIdempotencySQL, scope, key); err != nil {
		return fmt.Errorf("release idempotency key: %w", err)
	}
	return nil
}
