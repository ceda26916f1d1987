package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"time"

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
func startWorker(c client.Client, st *store.Store, t worker.Tuning) (sdkworker.Worker, error) {
	w := worker.New(c, &activities.Activities{Store: st}, t.Apply(sdkworker.Options{}))
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

// httpLimits bound what one client can take of the HTTP server: how long it may take to
// send a request (headers, then the whole request), how long a response may take, how
// long an idle keep-alive connection stays, and how many connections it holds at once.
// Without them a client declaring a body and never sending it holds a connection, and
// its goroutine, forever.
type httpLimits struct {
	ReadHeader, Read, Write, Idle time.Duration
	ConnsPerClient                int
	ClientPrefix                  api.ClientPrefix
	TrustedProxies                []netip.Prefix
}

// newHTTPLimits are the limits of a serving process. Read leaves a 1 MiB body 30 s (a
// slow mobile link); Write outlasts the API's own deadline for a request, so a slow
// Update ends with the API's 504 body rather than a cut connection.
func newHTTPLimits(cfg config, requestTimeout time.Duration) httpLimits {
	return httpLimits{
		ReadHeader: 10 * time.Second, Read: 30 * time.Second, Write: requestTimeout + 15*time.Second, Idle: 2 * time.Minute,
		ConnsPerClient: cfg.MaxConnsPerClient, ClientPrefix: cfg.ClientPrefix, TrustedProxies: cfg.TrustedProxies,
	}
}

// serveHTTP serves h on l within lim until ctx ends, then shuts it down gracefully.
func serveHTTP(ctx context.Context, h http.Handler, l net.Listener, lim httpLimits) error {
	srv := &http.Server{Handler: h, ReadHeaderTimeout: lim.ReadHeader, ReadTimeout: lim.Read, WriteTimeout: lim.Write, IdleTimeout: lim.Idle}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(limitClients(l, lim.ConnsPerClient, lim.ClientPrefix, lim.TrustedProxies)) }()
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

// apiConfig builds the API's configuration. dev allows the development JWT secret, and
// any secret at all: only `run` on a loopback listener passes it.
func apiConfig(cfg config, log *slog.Logger, dev bool) (api.Config, error) {
	secret := cfg.JWTSecret
	switch {
	case secret == "" && dev:
		secret = devJWTSecret
		log.Warn("JWT_SECRET is unset: using the DEVELOPMENT secret; anyone can mint tokens. Set JWT_SECRET outside development.")
	case !dev:
		if err := checkJWTSecret(secret); err != nil {
			return api.Config{}, err
		}
	}
	return api.Config{
		JWTSecret: []byte(secret), Province: cfg.Province, RequestTimeout: api.DefaultRequestTimeout,
		ClientPrefix: cfg.ClientPrefix, TrustedProxies: cfg.TrustedProxies, Logger: log, Registry: newRegistry(),
		MaxOpenObjectionsPerCounty: cfg.ObjectionsPerCounty, MaxOpenObjectionsPerContact: cfg.ObjectionsPerContact,
		Limits: cfg.Limits,
	}, nil
}

// checkJWTSecret refuses a secret a process reachable from the network must not use.
func checkJWTSecret(secret string) error {
	const hint = "set JWT_SECRET to a random secret of at least 32 bytes, e.g. `openssl rand -base64 48`"
	switch {
	case secret == "":
		return errors.New("JWT_SECRET is unset; " + hint)
	case secret == devJWTSecret:
		return errors.New("JWT_SECRET is the development secret, which is published in the source; " + hint)
	case len(secret) < minJWTSecret:
		return fmt.Errorf("JWT_SECRET is %d bytes, shorter than %d; %s", len(secret), minJWTSecret, hint)
	}
	return nil
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
	w, err := startWorker(c, st, cfg.Worker)
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
	if err := console.Mount(e, console.Config{JWTSecret: acfg.JWTSecret, Province: acfg.Province, Logger: log}); err != nil {
		return fmt.Errorf("console: %w", err)
	}
	log.Info("API listening", "addr", l.Addr().String())
	return serveHTTP(ctx, e, l, newHTTPLimits(cfg, acfg.RequestTimeout))
}
