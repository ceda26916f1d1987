package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/console"
	"github.com/guizhou-commerce/selection/internal/sdkmetrics"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/worker"
)

const shutdownTimeout = 15 * time.Second

// dialTemporal connects to the frontend, retrying with backoff while it is not up yet
// (a worker may start before its cluster), until ctx ends.
// Its SDK metrics go to reg when given (served by the API's /metrics).
func dialTemporal(ctx context.Context, addr, namespace string, log *slog.Logger, reg *prometheus.Registry) (client.Client, error) {
	opts := client.Options{HostPort: addr, Namespace: namespace, Logger: sdklog.NewStructuredLogger(log)}
	if reg != nil {
		opts.MetricsHandler = sdkmetrics.New(reg)
	}
	delay := 500 * time.Millisecond
	for {
		c, err := client.DialContext(ctx, opts)
		if err == nil {
			return c, nil
		}
		log.Warn("Temporal frontend unreachable, retrying", "address", addr, "retry_in", delay.String(), "error", err)
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("connect to Temporal at %s: %w", addr, err)
		case <-time.After(delay):
		}
		delay = min(2*delay, 10*time.Second)
	}
}

// startWorker runs the product's worker against c until Stop.
func startWorker(c client.Client, st *store.Store) (sdkworker.Worker, error) {
	w := worker.New(c, &activities.Activities{Store: st}, sdkworker.Options{})
	if err := w.Start(); err != nil {
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return w, nil
}

// listenHTTP opens the API's listener first, so a taken port fails the start at once.
func listenHTTP(addr string) (net.Listener, error) {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on HTTP_ADDR %s: %w", addr, err)
	}
	return l, nil
}

// serveHTTP serves e on l until ctx ends, then shuts it down gracefully.
func serveHTTP(ctx context.Context, e *echo.Echo, l net.Listener) error {
	srv := &http.Server{Handler: e, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(l) }()
	select {
	case err := <-errc:
		return fmt.Errorf("serve HTTP: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("shut down HTTP: %w", err)
	}
	return nil
}

// newRegistry is the Prometheus registry of a process serving /metrics: HTTP, Temporal
// SDK, Go runtime and process series together.
func newRegistry() *prometheus.Registry {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return reg
}

// apiConfig builds the API's configuration; dev allows the development JWT secret.
func apiConfig(cfg config, log *slog.Logger, dev bool) (api.Config, error) {
	secret := cfg.JWTSecret
	if secret == "" {
		if !dev {
			return api.Config{}, errors.New("JWT_SECRET is required for the API process")
		}
		secret = devJWTSecret
		log.Warn("JWT_SECRET is unset: using the DEVELOPMENT secret; anyone can mint tokens. Set JWT_SECRET outside development.")
	}
	return api.Config{JWTSecret: []byte(secret), Logger: log, Registry: newRegistry()}, nil
}

// runWorker is the production worker process: it needs a Temporal cluster
// (TEMPORAL_ADDRESS) and PostgreSQL (DATABASE_URL).
func runWorker(ctx context.Context, _ []string) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := cfg.logger(os.Stderr)
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := dialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, log, nil)
	if err != nil {
		return err
	}
	defer c.Close()
	w, err := startWorker(c, st)
	if err != nil {
		return err
	}
	log.Info("worker started", "temporal", cfg.TemporalAddress, "namespace", cfg.TemporalNamespace)
	<-ctx.Done()
	w.Stop()
	return nil
}

// runAPI is the production API process.
func runAPI(ctx context.Context, _ []string) error {
	cfg, err := loadConfig()
	if err != nil {
		return err
	}
	log := cfg.logger(os.Stderr)
	acfg, err := apiConfig(cfg, log, false)
	if err != nil {
		return err
	}
	l, err := listenHTTP(cfg.HTTPAddr)
	if err != nil {
		return err
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, log)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := dialTemporal(ctx, cfg.TemporalAddress, cfg.TemporalNamespace, log, acfg.Registry)
	if err != nil {
		return err
	}
	defer c.Close()
	e := api.New(acfg, c, st)
	if err := console.Mount(e, console.Config{JWTSecret: acfg.JWTSecret, Logger: log}); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	log.Info("API listening", "addr", l.Addr().String())
	return serveHTTP(ctx, e, l)
}
