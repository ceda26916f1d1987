// Package temporalserver runs a Temporal server inside the selection process,
// so `selection run` needs no separately installed or operated Temporal
// cluster. It follows what the Temporal CLI dev server (`temporal server
// start-dev`) does: all four services in one process with static membership,
// SQLite persistence (a file, so workflows and timers survive a restart, or
// in memory), the Web UI served in-process, plus optional PostgreSQL
// persistence for deployments that want a real database.
package temporalserver

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strconv"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/dynamicconfig"
	"go.temporal.io/server/common/membership/static"
	"go.temporal.io/server/common/primitives"
	"go.temporal.io/server/temporal"
	"google.golang.org/protobuf/types/known/durationpb"
)

const (
	clusterName = "active"

	// silent is a log level above every level the server uses.
	silent = slog.LevelError + 100

	// defaultStartTimeout bounds Start when its context has no deadline.
	defaultStartTimeout = 2 * time.Minute

	// namespaceRefreshWait is how long every service takes at most to see a
	// namespace or search attribute change: the namespace registry reloads
	// every 2s (dynamic config system.namespaceCacheRefreshInterval), plus a
	// margin.
	namespaceRefreshWait = 3 * time.Second
)

// Config of the embedded server.
type Config struct {
	// DataDir holds the SQLite database (DataDir/temporal.db); it is created
	// if missing. Empty means an in-memory database that is lost on Stop.
	// A running server locks DataDir, so a second one on it fails to start.
	// Ignored when PostgresDSN is set.
	DataDir string
	// FrontendAddr is host:port of the gRPC frontend, the one address
	// workers, the temporal CLI and the UI talk to. Host must be an IP or
	// "localhost"; port 0 picks a free port (see Server.FrontendAddr).
	FrontendAddr string
	// UIAddr is host:port of the Web UI; empty means no UI. Port 0 picks a
	// free port (see Server.UIURL).
	UIAddr string
	// Namespace is created at start if missing (retention 7 days, or 24h
	// with an in-memory database). Default "default".
	Namespace string
	// SearchAttributes are registered for Namespace at start (name → type),
	// e.g. CampaignYear Int, ApplicationState Keyword, so workflows can
	// upsert them and `temporal workflow list --query` can filter on them.
	// Existing ones are kept; one that exists with another type is an error.
	SearchAttributes map[string]enumspb.IndexedValueType
	// PostgresDSN, when set, switches persistence from SQLite to PostgreSQL
	// (pgx driver), e.g. postgres://user:pw@127.0.0.1:5432/selection?sslmode=disable.
	// The schemas "temporal" and "temporal_visibility" are created in that
	// database and migrated to this server version at every start.
	PostgresDSN string
	// SuggestContinueAsNewEvents and SuggestContinueAsNewBytes are the history
	// length and size at which the server suggests that a workflow continue as new
	// (the campaign does); zero keeps Temporal's defaults (4,096 events, 4 MiB).
	SuggestContinueAsNewEvents int
	SuggestContinueAsNewBytes  int
	// Logger receives the server's warnings and errors while it runs;
	// lower levels, and everything logged during Stop, are dropped. Nil
	// discards everything.
	Logger *slog.Logger
}

// Server is a running embedded Temporal server. Stop it with Stop.
type Server struct {
	srv      temporal.Server
	ui       *webUI
	frontend string
	logLevel *slog.LevelVar
	release  func()

	stopOnce sync.Once
	stopErr  error
}

// Start starts the server and returns once the frontend answers its health
// check and the namespace and search attributes are registered, so the
// caller can immediately connect workers and start workflows.
//
// The only ports opened on other addresses than loopback are those of
// FrontendAddr and UIAddr (and the frontend's HTTP API, which the server
// binds on the frontend's IP at a free port). History, matching and worker
// services listen on free 127.0.0.1 ports picked here, and membership is
// static (no ringpop), so several servers with different FrontendAddr and
// DataDir can run side by side.
//
// ctx bounds the whole start (2 minutes if it has no deadline), except the
// services' own start-up, which the server bounds itself.
func Start(ctx context.Context, cfg Config) (*Server, error) {
	if cfg.Namespace == "" {
		cfg.Namespace = "default"
	}
	if cfg.FrontendAddr == "" {
		return nil, errors.New("temporalserver: FrontendAddr is required")
	}
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, defaultStartTimeout)
		defer cancel()
	}
	logger, logLevel := quietLogger(cfg.Logger)

	p, err := pickPorts(cfg)
	if err != nil {
		return nil, fmt.Errorf("temporalserver: %w", err)
	}
	pers, err := buildPersistence(&cfg, clusterName, logger)
	if err != nil {
		return nil, fmt.Errorf("temporalserver: %w", err)
	}
	opts, err := serverOptions(cfg, p, pers, logger)
	if err != nil {
		pers.release()
		return nil, fmt.Errorf("temporalserver: %w", err)
	}
	srv, err := temporal.NewServer(opts...)
	if err != nil {
		pers.release()
		return nil, fmt.Errorf("temporalserver: create server: %w", err)
	}
	if err := srv.Start(); err != nil {
		_ = srv.Stop()
		pers.release()
		return nil, fmt.Errorf("temporalserver: start server: %w", err)
	}
	s := &Server{srv: srv, frontend: p.frontendConnect(), logLevel: logLevel, release: pers.release}

	if cfg.UIAddr != "" {
		s.ui, err = startUI(ctx, p.uiIP, p.uiPort, s.frontend, cfg.Namespace)
		if err != nil {
			_ = s.Stop()
			return nil, fmt.Errorf("temporalserver: %w", err)
		}
	}
	if err := s.waitReady(ctx, cfg, pers.retention, logger); err != nil {
		_ = s.Stop()
		return nil, fmt.Errorf("temporalserver: %w", err)
	}
	return s, nil
}

// FrontendAddr is the host:port clients dial to reach the gRPC frontend
// (a wildcard bind address is reported as loopback).
func (s *Server) FrontendAddr() string { return s.frontend }

// UIURL is the base URL of the Web UI, "" when the UI is not served.
func (s *Server) UIURL() string {
	if s.ui == nil {
		return ""
	}
	return s.ui.url
}

// Stop stops the UI and all server services and waits for them to finish.
// It is safe to call more than once.
func (s *Server) Stop() error {
	s.stopOnce.Do(func() {
		// Shutdown makes the services log a burst of expected failures
		// (pollers losing their connection as warnings, in-flight calls
		// canceled as errors). None is actionable, so the server is
		// silenced from here on; a failed stop is reported by the return
		// value.
		s.logLevel.Set(silent)
		if s.ui != nil {
			s.ui.stop()
		}
		s.stopErr = s.srv.Stop()
		s.release()
	})
	return s.stopErr
}

// ports are the listening ports of one server.
type ports struct {
	frontendIP   string
	frontendPort int
	frontendHTTP int // on frontendIP: the server binds HTTP next to gRPC
	history      int // internal ones on loopback
	matching     int
	worker       int
	uiIP         string
	uiPort       int
}

func (p ports) frontendConnect() string {
	return net.JoinHostPort(connectHost(p.frontendIP), strconv.Itoa(p.frontendPort))
}

func pickPorts(cfg Config) (ports, error) {
	var p ports
	var err error
	p.frontendIP, p.frontendPort, err = splitAddr(cfg.FrontendAddr)
	if err != nil {
		return p, fmt.Errorf("FrontendAddr %q: %w", cfg.FrontendAddr, err)
	}
	if cfg.UIAddr != "" {
		p.uiIP, p.uiPort, err = splitAddr(cfg.UIAddr)
		if err != nil {
			return p, fmt.Errorf("UIAddr %q: %w", cfg.UIAddr, err)
		}
	}

	// Free ports are picked one after another; the TIME_WAIT trick in
	// freePort keeps the kernel from returning the same one twice, and the
	// set below guards against it anyway.
	used := map[int]bool{}
	pick := func(ip string, fixed int) (int, error) {
		if fixed != 0 {
			if err := checkPortFree(ip, fixed); err != nil {
				return 0, err
			}
			used[fixed] = true
			return fixed, nil
		}
		for range 10 {
			port, err := freePort(ip)
			if err != nil {
				return 0, err
			}
			if !used[port] {
				used[port] = true
				return port, nil
			}
		}
		return 0, fmt.Errorf("no free port on %s", ip)
	}
	if p.frontendPort, err = pick(p.frontendIP, p.frontendPort); err != nil {
		return p, fmt.Errorf("FrontendAddr %q: %w", cfg.FrontendAddr, err)
	}
	if cfg.UIAddr != "" {
		if p.uiPort, err = pick(p.uiIP, p.uiPort); err != nil {
			return p, fmt.Errorf("UIAddr %q: %w", cfg.UIAddr, err)
		}
	}
	if p.frontendHTTP, err = pick(p.frontendIP, 0); err != nil {
		return p, err
	}
	for _, port := range []*int{&p.history, &p.matching, &p.worker} {
		if *port, err = pick(loopback, 0); err != nil {
			return p, err
		}
	}
	return p, nil
}

// serverOptions is the server configuration, close to the CLI dev server's.
func serverOptions(cfg Config, p ports, pers *persistence, logger *slog.Logger) ([]temporal.ServerOption, error) {
	frontend := p.frontendConnect()
	frontendHTTP := net.JoinHostPort(connectHost(p.frontendIP), strconv.Itoa(p.frontendHTTP))
	internal := func(port int) string { return net.JoinHostPort(loopback, strconv.Itoa(port)) }

	var conf config.Config
	conf.Global.Membership.MaxJoinDuration = 30 * time.Second
	conf.Global.Membership.BroadcastAddress = loopback
	// No Global.Metrics and PProf.Port 0: no metrics or pprof listener.
	conf.Persistence = pers.conf
	conf.ClusterMetadata = &cluster.Config{
		EnableGlobalNamespace:    false,
		FailoverVersionIncrement: 10,
		MasterClusterName:        clusterName,
		CurrentClusterName:       clusterName,
		ClusterInformation: map[string]cluster.ClusterInformation{
			clusterName: {
				Enabled:                true,
				InitialFailoverVersion: 1,
				RPCAddress:             frontend,
				HTTPAddress:            frontendHTTP,
			},
		},
	}
	conf.DCRedirectionPolicy.Policy = "noop"
	conf.Services = map[string]config.Service{
		string(primitives.FrontendService): {RPC: config.RPC{
			GRPCPort: p.frontendPort, HTTPPort: p.frontendHTTP, BindOnIP: p.frontendIP,
		}},
		string(primitives.HistoryService):  {RPC: config.RPC{GRPCPort: p.history, BindOnIP: loopback}},
		string(primitives.MatchingService): {RPC: config.RPC{GRPCPort: p.matching, BindOnIP: loopback}},
		string(primitives.WorkerService):   {RPC: config.RPC{GRPCPort: p.worker, BindOnIP: loopback}},
	}
	conf.Archival.History.State = "disabled"
	conf.Archival.Visibility.State = "disabled"
	conf.NamespaceDefaults.Archival.History.State = "disabled"
	conf.NamespaceDefaults.Archival.Visibility.State = "disabled"
	// The worker service's own SDK clients (schedules, batch, ...) dial this.
	conf.PublicClient.HostPort = frontend
	conf.PublicClient.HTTPHostPort = frontendHTTP

	slogger := serverLogger{l: logger}
	authorizer, err := authorization.GetAuthorizerFromConfig(&conf.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&conf.Global.Authorization, slogger)
	if err != nil {
		return nil, fmt.Errorf("claim mapper: %w", err)
	}

	dyn := dynamicconfig.StaticClient{
		// Same tuning as the CLI dev server.
		dynamicconfig.HistoryCacheHostLevelMaxSize.Key():                 8096,
		dynamicconfig.FrontendMaxNamespaceVisibilityRPSPerInstance.Key(): 100,
		// One matching service in one process gains nothing from four task-queue
		// partitions. With PostgreSQL persistence this shortened a 10,000-case
		// deadline burst's tail (one run: max 76 s → 6 s); on SQLite it did not
		// (BENCHMARKS.md), where the sticky schedule-to-start timeout is the limit.
		dynamicconfig.MatchingNumTaskqueueReadPartitions.Key():  1,
		dynamicconfig.MatchingNumTaskqueueWritePartitions.Key(): 1,
	}
	if cfg.SuggestContinueAsNewEvents > 0 {
		dyn[dynamicconfig.HistoryCountSuggestContinueAsNew.Key()] = cfg.SuggestContinueAsNewEvents
	}
	if cfg.SuggestContinueAsNewBytes > 0 {
		dyn[dynamicconfig.HistorySizeSuggestContinueAsNew.Key()] = cfg.SuggestContinueAsNewBytes
	}

	return []temporal.ServerOption{
		temporal.WithConfig(&conf),
		temporal.ForServices(temporal.DefaultServices),
		// Static membership: services find each other at these fixed
		// addresses, and no ringpop gossip port is opened.
		temporal.WithStaticHosts(map[primitives.ServiceName]static.Hosts{
			primitives.FrontendService: static.SingleLocalHost(frontend),
			primitives.HistoryService:  static.SingleLocalHost(internal(p.history)),
			primitives.MatchingService: static.SingleLocalHost(internal(p.matching)),
			primitives.WorkerService:   static.SingleLocalHost(internal(p.worker)),
		}),
		temporal.WithLogger(slogger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
		temporal.WithDynamicConfigClient(dyn),
	}, nil
}

// waitReady waits for the frontend to pass its health check, then makes
// sure the namespace and search attributes exist.
func (s *Server) waitReady(ctx context.Context, cfg Config, retention time.Duration, logger *slog.Logger) error {
	c, err := dialHealthy(ctx, s.frontend, cfg.Namespace, logger)
	if err != nil {
		return err
	}
	defer c.Close()

	registered, err := ensureNamespace(ctx, c.WorkflowService(), cfg.Namespace, retention)
	if err != nil {
		return err
	}
	added, err := ensureSearchAttributes(ctx, c.OperatorService(), cfg.Namespace, cfg.SearchAttributes)
	if err != nil {
		return err
	}
	if registered || added {
		// Let every service's namespace cache pick up the change, so a
		// workflow started right after Start can use the namespace and
		// upsert the attributes.
		select {
		case <-time.After(namespaceRefreshWait):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// dialHealthy connects an SDK client and polls the frontend's gRPC health
// check until it reports serving.
func dialHealthy(ctx context.Context, addr, namespace string, logger *slog.Logger) (client.Client, error) {
	var lastErr error
	for {
		attemptCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		c, err := client.DialContext(attemptCtx, client.Options{
			HostPort:  addr,
			Namespace: namespace,
			Logger:    sdklog.NewStructuredLogger(logger),
		})
		if err == nil {
			_, err = c.CheckHealth(attemptCtx, &client.CheckHealthRequest{})
			if err == nil {
				cancel()
				return c, nil
			}
			c.Close()
		}
		cancel()
		lastErr = err
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("frontend %s not healthy: %w (last error: %v)", addr, ctx.Err(), lastErr)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

// ensureNamespace registers namespace unless it exists and reports whether
// it did.
func ensureNamespace(ctx context.Context, wf workflowservice.WorkflowServiceClient, namespace string, retention time.Duration) (bool, error) {
	var registered bool
	err := retryTransient(ctx, func() error {
		_, err := wf.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: namespace})
		var notFound *serviceerror.NamespaceNotFound
		if !errors.As(err, &notFound) {
			return err
		}
		_, err = wf.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
			Namespace:                        namespace,
			WorkflowExecutionRetentionPeriod: durationpb.New(retention),
		})
		var exists *serviceerror.NamespaceAlreadyExists
		if err == nil || errors.As(err, &exists) {
			registered = true
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("namespace %q: %w", namespace, err)
	}
	return registered, nil
}

// ensureSearchAttributes registers the custom search attributes of want
// that namespace lacks, and reports whether it added any. With SQL
// visibility (SQLite, PostgreSQL) custom search attributes are aliases of
// pre-allocated columns kept per namespace, hence the namespace in every
// request.
func ensureSearchAttributes(ctx context.Context, op operatorservice.OperatorServiceClient, namespace string, want map[string]enumspb.IndexedValueType) (bool, error) {
	if len(want) == 0 {
		return false, nil
	}
	var have *operatorservice.ListSearchAttributesResponse
	err := retryTransient(ctx, func() (err error) {
		have, err = op.ListSearchAttributes(ctx, &operatorservice.ListSearchAttributesRequest{Namespace: namespace})
		return err
	})
	if err != nil {
		return false, fmt.Errorf("list search attributes: %w", err)
	}
	missing := map[string]enumspb.IndexedValueType{}
	for name, typ := range want {
		if _, ok := have.GetSystemAttributes()[name]; ok {
			return false, fmt.Errorf("search attribute %s: name is taken by a system search attribute", name)
		}
		cur, ok := have.GetCustomAttributes()[name]
		switch {
		case !ok:
			missing[name] = typ
		case cur != typ:
			return false, fmt.Errorf("search attribute %s is registered as %s, want %s", name, cur, typ)
		}
	}
	if len(missing) == 0 {
		return false, nil
	}
	err = retryTransient(ctx, func() error {
		_, err := op.AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace:        namespace,
			SearchAttributes: missing,
		})
		var exists *serviceerror.AlreadyExists
		if errors.As(err, &exists) {
			return nil
		}
		return err
	})
	if err != nil {
		return false, fmt.Errorf("add search attributes: %w", err)
	}
	return true, nil
}

// retryTransient runs f until it succeeds, fails with a non-transient
// error, or ctx ends. Right after start some internal services may still be
// connecting, which shows as Unavailable, and a namespace registered a
// moment ago is NamespaceNotFound to the operator service until the
// namespace cache refreshes.
func retryTransient(ctx context.Context, f func() error) error {
	for {
		err := f()
		var unavailable *serviceerror.Unavailable
		var deadline *serviceerror.DeadlineExceeded
		var notFound *serviceerror.NamespaceNotFound
		if err == nil || !(errors.As(err, &unavailable) || errors.As(err, &deadline) || errors.As(err, &notFound)) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w (last error: %v)", ctx.Err(), err)
		case <-time.After(250 * time.Millisecond):
		}
	}
}
