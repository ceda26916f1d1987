package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Backoff between connection attempts while PostgreSQL is not up yet (containers and
// services often start together); the cap keeps a long outage from going unnoticed.
const (
	firstRetryDelay = 200 * time.Millisecond
	maxRetryDelay   = 10 * time.Second
	// connectTimeout bounds one attempt when the URL sets no connect_timeout, so a
	// black-holed address is retried instead of hanging until ctx ends.
	connectTimeout = 5 * time.Second
)

// SQLSTATE codes Open reacts to.
const (
	codeInvalidCatalogName = "3D000" // database does not exist
	codeDuplicateDatabase  = "42P04"
	codeUniqueViolation    = "23505" // concurrent CREATE DATABASE of the same name
	codeCannotConnectNow   = "57P03" // server starting up or shutting down
	codeTooManyConnections = "53300"
)

// Open makes the store ready to serve: it parses url (DefaultURL when empty), creates
// the database when the server does not have it yet, waits for the server with
// exponential backoff until ctx is done (logging every retry), and applies the embedded
// migrations. A process can therefore start before
// its database and on an empty server.
func Open(ctx context.Context, url string, log *slog.Logger) (*Store, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	if url == "" {
		url = DefaultURL
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL is malformed: %w", err)
	}
	if cfg.ConnConfig.ConnectTimeout == 0 {
		cfg.ConnConfig.ConnectTimeout = connectTimeout
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("create PostgreSQL pool: %w", err)
	}
	s := &Store{pool: pool, log: log}
	if err := s.waitReady(ctx, cfg.ConnConfig); err != nil {
		pool.Close()
		return nil, err
	}
	if err := s.Migrate(ctx); err != nil {
		pool.Close()
		return nil, err
	}
	return s, nil
}

// waitReady pings until the server answers, creating the database once when the server
// says it does not exist. Errors the server reports about us (authentication,
// permissions) end the wait at once: retrying cannot fix them.
func (s *Store) waitReady(ctx context.Context, cc *pgx.ConnConfig) error {
	addr := address(cc)
	delay := firstRetryDelay
	created := false
	for attempt := 1; ; attempt++ {
		err := s.pool.Ping(ctx)
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("PostgreSQL at %s is unreachable (gave up after %d attempts): %w", addr, attempt, err)
		}
		var pgErr *pgconn.PgError
		if errors.As(err, &pgErr) {
			switch pgErr.Code {
			case codeInvalidCatalogName:
				if created {
					return fmt.Errorf("connect to database %q at %s after creating it: %w", cc.Database, addr, err)
				}
				if err := s.createDatabase(ctx, cc); err != nil {
					return err
				}
				created = true
				continue
			case codeCannotConnectNow, codeTooManyConnections:
			default:
				return fmt.Errorf("connect to PostgreSQL at %s: %w", addr, err)
			}
		}
		s.log.WarnContext(ctx, fmt.Sprintf("PostgreSQL at %s is unreachable, retrying in %s", addr, delay),
			slog.Int("attempt", attempt), slog.String("error", err.Error()))
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
			return fmt.Errorf("PostgreSQL at %s is unreachable (gave up after %d attempts): %w", addr, attempt, err)
		case <-t.C:
		}
		delay = min(2*delay, maxRetryDelay)
	}
}

// createDatabase connects to the `postgres` maintenance database of the same server and
// creates the configured one; another process creating it at the same time is fine.
func (s *Store) createDatabase(ctx context.Context, cc *pgx.ConnConfig) error {
	name := cc.Database
	if name == "" {
		name = cc.User
	}
	mc := cc.Copy()
	mc.Database = "postgres"
	conn, err := pgx.ConnectConfig(ctx, mc)
	if err != nil {
		return fmt.Errorf("connect to maintenance database to create %q: %w", name, err)
	}
	defer func() { _ = conn.Close(context.WithoutCancel(ctx)) }()
	_, err = conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && (pgErr.Code == codeDuplicateDatabase || pgErr.Code == codeUniqueViolation) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("create database %q: %w", name, err)
	}
	s.log.InfoContext(ctx, "created PostgreSQL database", slog.String("database", name), slog.String("server", address(cc)))
	return nil
}

// address names the server in log lines and errors as host:port.
func address(cc *pgx.ConnConfig) string {
	if strings.HasPrefix(cc.Host, "/") { // Unix socket directory
		return cc.Host + ":" + strconv.Itoa(int(cc.Port))
	}
	return net.JoinHostPort(cc.Host, strconv.Itoa(int(cc.Port)))
}
