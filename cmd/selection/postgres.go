package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"path/filepath"
	"time"

	"github.com/guizhou-commerce/selection/internal/pgcluster"
	"github.com/guizhou-commerce/selection/store"
)

// localPGAddr is where `selection run` looks for a PostgreSQL server when DATABASE_URL
// is unset.
const localPGAddr = "127.0.0.1:5432"

// localPostgres picks the PostgreSQL of `selection run` (issue: one command on a fresh
// machine): DATABASE_URL when set; else the local server on 127.0.0.1:5432 when it
// answers; else a private cluster under DATA_DIR/postgres when the server binaries are
// installed; else an error that says what to install. The returned func stops a
// cluster this process started.
func localPostgres(ctx context.Context, cfg config, probe string, log *slog.Logger) (string, func(), error) {
	noop := func() {}
	if cfg.DatabaseURLSet {
		return cfg.DatabaseURL, noop, nil
	}
	if answers(probe) {
		return store.DefaultURL, noop, nil
	}
	if _, _, err := pgcluster.Binaries(); err != nil {
		return "", noop, fmt.Errorf("no PostgreSQL: nothing answers on %s, DATABASE_URL is unset, and %v", probe, err)
	}
	dir := filepath.Join(cfg.DataDir, "postgres")
	log.Info("no PostgreSQL on "+probe+"; starting a private cluster", "dir", dir)
	c, err := pgcluster.Start(ctx, dir)
	if err != nil {
		return "", noop, fmt.Errorf("start private PostgreSQL in %s: %w", dir, err)
	}
	return c.URL("selection"), func() {
		if err := c.Stop(); err != nil {
			log.Error("stop private PostgreSQL", "error", err)
		}
	}, nil
}

func answers(addr string) bool {
	c, err := net.DialTimeout("tcp", addr, time.Second)
	if err != nil {
		return false
	}
	_ = c.Close()
	return true
}

// redact hides a password in a database URL for the banner and logs.
func redact(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(unparseable URL)"
	}
	return u.Redacted()
}
