package store

import (
	"io/fs"
	"testing"

	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"

	"github.com/guizhou-commerce/selection/store/storetest"
)

// The down migrations must undo the up ones, or a rollback would leave a schema goose
// no longer knows about.
func TestMigrations_down_to_empty_and_up_again(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	s, err := Open(ctx, storetest.NewDatabase(t), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	fsys, err := fs.Sub(migrationFiles, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDBFromPool(s.Pool())
	defer db.Close()
	p, err := goose.NewProvider(goose.DialectPostgres, db, fsys, goose.WithDisableGlobalRegistry(true))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.DownTo(ctx, 0); err != nil {
		t.Fatalf("down: %v", err)
	}
	var tables int
	if err := s.Pool().QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'goose_db_version'`).
		Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("%d tables left after down (%v)", tables, err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("up again: %v", err)
	}
}
