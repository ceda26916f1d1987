package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"os/exec"
	"time"

	"github.com/guizhou-commerce/selection/store"
)

// localPostgres picks the PostgreSQL of `selection run`: DATABASE_URL when set, else
// the local server on 127.0.0.1:5432 when it answers, else the machine's own cluster
// started through pg_ctlcluster. The returned func stops what this process started.
func localPostgres(ctx context.Context, cfg config, log *slog.Logger) (string, func(), error) {
	noop := func() {}
	if cfg.DatabaseURLSet {
		return cfg.DatabaseURL, noop, nil
	}
	if answers("127.0.0.1:5432") {
		return store.DefaultURL, noop, nil
	}
	if ctl, err := exec.LookPath("pg_ctlcluster"); err == nil {
		log.Info("PostgreSQL on 127.0.0.1:5432 is down; starting the local cluster", "with", ctl)
		out, err := exec.CommandContext(ctx, "sh", "-c", "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql | sort -V | tail -1) main start").CombinedOutput()
		if err != nil {
			return "", noop, fmt.Errorf("start local PostgreSQL: %v: %s", err, out)
		}
		for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(200 * time.Millisecond) {
			if answers("127.0.0.1:5432") {
				return store.DefaultURL, noop, nil
			}
		}
		return "", noop, fmt.Errorf("local PostgreSQL started but does not answer on 127.0.0.1:5432")
	}
	return "", noop, fmt.Errorf("no PostgreSQL: set DATABASE_URL, or install the PostgreSQL server (Debian: apt-get install postgresql) so one answers on 127.0.0.1:5432")
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
