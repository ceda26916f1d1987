// Package store is the PostgreSQL system of record next to Temporal (DESIGN.md §5):
// reference data, the read model the HTTP API lists from, the append-only audit timeline,
// published notices and the API's idempotency keys. Workflows decide; this package only
// remembers what they decided, idempotently, so activities may be retried at will.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// DefaultURL is where a developer machine runs PostgreSQL (trust auth), so `run` works
// without configuration.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/selection?sslmode=disable"

// ErrNotFound tells the API to answer 404: the row it asked for was never projected.
var ErrNotFound = errors.New("not found")

// Store owns the one connection pool of the process; every read and write of the
// product's PostgreSQL data goes through it.
type Store struct {
	pool *pgxpool.Pool
	log  *slog.Logger
}

// Close releases the pool; call it last at shutdown, after the HTTP server and the
// worker have stopped using the store.
func (s *Store) Close() { s.pool.Close() }

// Pool exposes the pool for readiness checks and for code (tests, tools) that needs SQL
// this package does not offer.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Ping reports whether PostgreSQL answers, for GET /readyz.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return fmt.Errorf("ping PostgreSQL: %w", err)
	}
	return nil
}

// WithTx runs fn in one transaction, committed when fn returns nil and rolled back
// otherwise (also on panic), so callers cannot forget the rollback or lose a commit error.
func (s *Store) WithTx(ctx context.Context, fn func(pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("begin transaction: %w", err)
	}
	// Rollback after a successful commit is a no-op.
	defer func() { _ = tx.Rollback(ctx) }()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("commit transaction: %w", err)
	}
	return nil
}
