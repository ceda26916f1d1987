package main

import (
	"context"
	"flag"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/console"
	"github.com/guizhou-commerce/selection/internal/temporalserver"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// runAll is `selection run`: embedded Temporal (SQLite under DATA_DIR, or PostgreSQL),
// its Web UI, the worker and the API in one process. Shutdown goes in the reverse
// order of dependencies: HTTP, worker, client, Temporal, pool.
func runAll(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("run", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	started := time.Now()
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := cfg.logger(os.Stderr)
	l, err := listenHTTP(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	defer l.Close()
	dev, err := devSignIn(cfg, l.Addr())
	if err != nil {
		return err
	}
	acfg, err := apiConfig(cfg, log, dev)
	if err != nil {
		return err
	}
	dbURL, stopPG, err := localPostgres(ctx, cfg, localPGAddr, log)
	if err != nil {
		return err
	}
	defer stopPG()
	st, err := store.Open(ctx, dbURL, log)
	if err != nil {
		return err
	}
	defer st.Close()

	if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
		return fmt.Errorf("DATA_DIR %s: %w", cfg.DataDir, err)
	}
	tcfg := temporalserver.Config{
		DataDir: cfg.DataDir, FrontendAddr: cfg.FrontendAddr, UIAddr: cfg.UIAddr,
		Namespace: cfg.TemporalNamespace, SearchAttributes: workflows.SearchAttributeTypes, Logger: log,
		SuggestContinueAsNewEvents: cfg.SuggestCANEvents, SuggestContinueAsNewBytes: cfg.SuggestCANBytes,
	}
	if cfg.TemporalPersistence == "postgres" {
		tcfg.PostgresDSN = dbURL
	}
	srv, err := temporalserver.Start(ctx, tcfg)
	if err != nil {
		return fmt.Errorf("start embedded Temporal: %w", err)
	}
	defer func() {
		if err := srv.Stop(); err != nil {
			log.Error("stop embedded Temporal", "error", err)
		}
	}()
	c, err := dialTemporal(ctx, srv.FrontendAddr(), cfg.TemporalNamespace, log, acfg.Registry)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := startWorker(c, st, cfg.Worker)
	if err != nil {
		return err
	}
	defer w.Stop()

	e := api.New(acfg, c, st)
	if err := console.Mount(e, console.Config{JWTSecret: acfg.JWTSecret, Province: acfg.Province, Dev: dev && cfg.JWTSecret == "", Logger: log}); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	banner(cfg, srv, l.Addr().String(), dbURL, time.Since(started))
	return serveHTTP(ctx, e, l, newHTTPLimits(cfg, acfg.RequestTimeout))
}

// devSignIn decides whether `run` is a developer's machine: listening on loopback only,
// where the development secret and the console's role picker (which mints any token for
// anyone who reaches it) harm nobody. Beyond loopback it needs a real JWT_SECRET, as
// `api` does, and refuses to start without one.
func devSignIn(cfg config, addr net.Addr) (bool, error) {
	if loopback(addr) {
		return true, nil
	}
	if cfg.JWTSecret == "" {
		return false, fmt.Errorf("JWT_SECRET is unset and HTTP_ADDR %s listens beyond this machine (%s): the development sign-in would let anyone who reaches it act as an administrator; set JWT_SECRET (at least %d random bytes) or listen on 127.0.0.1", cfg.HTTPAddr, addr, minJWTSecret)
	}
	return false, checkJWTSecret(cfg.JWTSecret)
}

// loopback reports whether a listener's address is reachable from this machine only.
func loopback(addr net.Addr) bool {
	tcp, ok := addr.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

func banner(cfg config, srv *temporalserver.Server, httpAddr, dbURL string, took time.Duration) {
	dataDir, _ := filepath.Abs(cfg.DataDir)
	ui := srv.UIURL()
	if ui == "" {
		ui = "(disabled: TEMPORAL_UI_ADDR is empty)"
	}
	fmt.Printf(`
  selection is running (started in %s)

  Console        http://%s/
  API            http://%s/api/v1      (OpenAPI: /api/v1/openapi.json)
  Temporal       %s  (namespace %s; temporal CLI: --address %s)
  Temporal UI    %s
  PostgreSQL     %s
  Data           %s (persistence: %s)

  Get a token:   selection token --role admin --region %s
  Try:           curl -H "Authorization: Bearer $TOKEN" http://%s/api/v1/campaigns/2016
  Stop:          Ctrl-C

`, took.Round(time.Millisecond), httpAddr, httpAddr, srv.FrontendAddr(), cfg.TemporalNamespace, srv.FrontendAddr(), ui, redact(dbURL), dataDir, cfg.TemporalPersistence, cfg.Province, httpAddr)
}
