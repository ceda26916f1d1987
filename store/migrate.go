package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"log/slog"
	"path"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

// migrationFiles is the schema, versioned by goose and shipped inside the binary so a
// deployment cannot run code against a schema it does not know.
//
//go:embed migrations/*.sql
var migrationFiles embed.FS

// Migrate brings the schema up to date. Several processes may start at once: a
// PostgreSQL advisory lock makes one of them migrate while the others wait, and
// re-running on an up-to-date schema changes nothing.
func (s *Store) Migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker(lock.WithLockTimeout(1, 300))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	db := stdlib.OpenDBFromPool(s.pool)
	defer func() { _ = db.Close() }() // closes the *sql.DB wrapper only, not the pool
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys,
		goose.WithSessionLocker(locker), goose.WithDisableGlobalRegistry(true))
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	results, err := p.Up(ctx)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	for _, r := range results {
		s.log.InfoContext(ctx, "applied database migration",
			slog.Int64("version", r.Source.Version), slog.String("file", path.Base(r.Source.Path)),
			slog.Duration("duration", r.Duration))
	}
	return nil
}
