// Package storetest gives tests of any package a real, empty PostgreSQL database of
// their own (DESIGN.md §5), so tests run in parallel and leave nothing behind.
package storetest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// DefaultServerURL is the server of dev and CI machines (trust auth); TEST_DATABASE_URL
// overrides it. It names the maintenance database, from which test databases are made.
const DefaultServerURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable"

// startHint tells a developer how to bring the local server up when tests cannot reach it.
const startHint = "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"

// ServerURL is the server tests create their databases on.
func ServerURL() string {
	if u := os.Getenv("TEST_DATABASE_URL"); u != "" {
		return u
	}
	return DefaultServerURL
}

// NewDatabase creates a fresh, uniquely named database (selection_test_<random>) on the
// test server and returns its URL; the database is dropped, even with connections still
// open, when the test ends. The test fails with instructions when the server is down.
func NewDatabase(t testing.TB) string {
	t.Helper()
	base := ServerURL()
	u, err := url.Parse(base)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		t.Fatalf("storetest: TEST_DATABASE_URL %q is not a postgres:// URL", base)
	}
	var b [8]byte
	_, _ = rand.Read(b[:])
	name := "selection_test_" + hex.EncodeToString(b[:])

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn := connect(ctx, t, base, u.Host)
	defer func() { _ = conn.Close(context.Background()) }()
	if err := createDatabase(ctx, conn, name); err != nil {
		t.Fatalf("storetest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, base)
		if err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
			return
		}
		defer func() { _ = conn.Close(context.Background()) }()
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
			t.Errorf("storetest: drop database %s: %v", name, err)
		}
	})

	du := *u
	du.Path = "/" + name
	du.RawPath = ""
	return du.String()
}

// connect reaches the test server or fails the test saying how to start it.
func connect(ctx context.Context, t testing.TB, base, host string) *pgx.Conn {
	t.Helper()
	cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(cctx, base)
	if err != nil {
		t.Fatalf("storetest: PostgreSQL at %s is not reachable (%v); these tests need a real server, %s", host, err, startHint)
	}
	return conn
}

// createDatabase retries while the template database is briefly in use by another
// CREATE DATABASE, which happens when many tests start at once.
func createDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	var err error
	for range 20 {
		_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
		var pgErr *pgconn.PgError
		if !errors.As(err, &pgErr) || pgErr.Code != "55006" { // object_in_use
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}
