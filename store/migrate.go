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

	"github.com/guizhou-commerce/selection/domain"
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

// seedDivisionsSQL upserts the whole reference file in one statement; rows that already
// hold the same facts are not rewritten, so a restart writes nothing.
const seedDivisionsSQL = `
INSERT INTO divisions (code, name, level, parent_code, directly_administered)
SELECT code, name, level, NULLIF(parent_code, ''), directly_administered
FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::boolean[])
    AS d(code, name, level, parent_code, directly_administered)
ON CONFLICT (code) DO UPDATE SET
    name = EXCLUDED.name,
    level = EXCLUDED.level,
    parent_code = EXCLUDED.parent_code,
    directly_administered = EXCLUDED.directly_administered
WHERE (divisions.name, divisions.level, divisions.parent_code, divisions.directly_administered)
    IS DISTINCT FROM (EXCLUDED.name, EXCLUDED.level, EXCLUDED.parent_code, EXCLUDED.directly_administered)`

// seedDivisions loads the divisions the rules use (domain.Guizhou2016, parsed from the
// same embedded CSV), so the database and the workflows agree on every code.
func (s *Store) seedDivisions(ctx context.Context) error {
	all := domain.Guizhou2016().All()
	codes := make([]string, len(all))
	names := make([]string, len(all))
	levels := make([]string, len(all))
	parents := make([]string, len(all))
	direct := make([]bool, len(all))
	for i, d := range all {
		codes[i], names[i], levels[i], parents[i], direct[i] = d.Code, d.Name, d.Level, d.ParentCode, d.DirectlyAdministered
	}
	if _, err := s.pool.Exec(ctx, seedDivisionsSQL, codes, names, levels, parents, direct); err != nil {
		return fmt.Errorf("seed divisions: %w", err)
	}
	return nil
}
