package store_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
)

var tables = []string{"campaigns", "applications", "timeline_events", "scorecards", "objections",
	"notices", "idempotency_keys"}

func TestOpen_migrates_an_empty_database_and_migrating_again_changes_nothing(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	for _, table := range tables {
		var exists bool
		if err := s.Pool().QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&exists); err != nil || !exists {
			t.Errorf("table %s missing after Open (err %v)", table, err)
		}
	}
	versions := count(t, s, `SELECT count(*) FROM goose_db_version`)
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("second Migrate: %v", err)
	}
	if err := s.Migrate(ctx); err != nil {
		t.Fatalf("third Migrate: %v", err)
	}
	if got := count(t, s, `SELECT count(*) FROM goose_db_version`); got != versions {
		t.Errorf("re-running migrations recorded %d versions, want %d", got, versions)
	}
	if err := s.Ping(ctx); err != nil {
		t.Errorf("Ping: %v", err)
	}
}

func TestOpen_on_the_same_database_from_several_processes_at_once(t *testing.T) {
	t.Parallel()
	dbURL := storetest.NewDatabase(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Go(func() {
			s, err := store.Open(t.Context(), dbURL, testLogger(t))
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("Open #%d: %v", i, err)
		}
	}
}

func TestOpen_creates_the_database_when_the_server_lacks_it(t *testing.T) {
	t.Parallel()
	u, err := url.Parse(storetest.NewDatabase(t))
	if err != nil {
		t.Fatal(err)
	}
	name := strings.TrimPrefix(u.Path, "/") + "_created"
	u.Path = "/" + name
	t.Cleanup(func() {
		conn, err := pgx.Connect(context.Background(), storetest.ServerURL())
		if err != nil {
			t.Errorf("drop %s: %v", name, err)
			return
		}
		defer conn.Close(context.Background())
		if _, err := conn.Exec(context.Background(), "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("drop %s: %v", name, err)
		}
	})

	var logs bytes.Buffer
	s, err := store.Open(t.Context(), u.String(), slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatalf("Open on a missing database: %v", err)
	}
	defer s.Close()
	if got := count(t, s, `SELECT count(*) FROM campaigns`); got != 0 {
		t.Errorf("created database has %d campaigns, want an empty migrated schema", got)
	}
	if !strings.Contains(logs.String(), "created PostgreSQL database") {
		t.Errorf("creation not logged; logs:\n%s", logs.String())
	}
}

func TestOpen_refuses_a_malformed_url_clearly(t *testing.T) {
	t.Parallel()
	for _, u := range []string{"postgres://postgres@127.0.0.1:notaport/selection", "host=127.0.0.1 port=abc"} {
		_, err := store.Open(t.Context(), u, nil)
		if err == nil || !strings.HasPrefix(err.Error(), "DATABASE_URL is malformed: ") {
			t.Errorf("Open(%q) = %v, want DATABASE_URL is malformed", u, err)
		}
	}
}

func TestOpen_gives_up_on_an_unreachable_server_when_ctx_ends(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	var logs syncBuffer
	start := time.Now()
	_, err := store.Open(ctx, "postgres://postgres@127.0.0.1:1/selection?sslmode=disable", slog.New(slog.NewTextHandler(&logs, nil)))
	if err == nil || !strings.Contains(err.Error(), "PostgreSQL at 127.0.0.1:1 is unreachable") {
		t.Fatalf("Open = %v, want an unreachable error", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Open took %s after its ctx ended", elapsed)
	}
	if got := logs.String(); !strings.Contains(got, "PostgreSQL at 127.0.0.1:1 is unreachable, retrying in 200ms") ||
		!strings.Contains(got, "retrying in 400ms") {
		t.Errorf("retries with backoff not logged; logs:\n%s", got)
	}
}

// The reference divisions live in the binary, chosen per campaign (R2); an upgraded
// database drops the copy older versions seeded, which nothing read.
func TestOpen_keeps_no_copy_of_the_reference_divisions(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	var exists bool
	if err := s.Pool().QueryRow(t.Context(), `SELECT to_regclass('divisions') IS NOT NULL`).Scan(&exists); err != nil || exists {
		t.Errorf("divisions table exists = %v (%v), want dropped", exists, err)
	}
}

func TestWithTx_commits_on_nil_and_rolls_back_on_error(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	insert := func(key string) func(pgx.Tx) error {
		return func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO idempotency_keys (scope, key, request_hash) VALUES ('tx', $1, 'h')`, key)
			return err
		}
	}
	if err := s.WithTx(ctx, insert("kept")); err != nil {
		t.Fatalf("WithTx: %v", err)
	}
	boom := errors.New("boom")
	err := s.WithTx(ctx, func(tx pgx.Tx) error {
		if err := insert("dropped")(tx); err != nil {
			return err
		}
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("WithTx error = %v, want boom", err)
	}
	if got := count(t, s, `SELECT count(*) FROM idempotency_keys WHERE scope = 'tx'`); got != 1 {
		t.Errorf("rows after commit and rollback = %d, want 1", got)
	}
}

func TestTimeline_events_cannot_be_changed_once_written(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	if err := s.ApplyProjection(ctx, projectionV(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE timeline_events SET detail = 'rewritten'`); err == nil ||
		!strings.Contains(err.Error(), "append-only") {
		t.Errorf("UPDATE of the timeline = %v, want refused as append-only", err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM timeline_events`); err == nil {
		t.Error("DELETE of the timeline was allowed")
	}
}

// syncBuffer is a bytes.Buffer safe for a logger and a test reading it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
