package bench

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/internal/temporalserver"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// Persistence names of the embedded Temporal server, as TEMPORAL_PERSISTENCE spells them.
const (
	PersistenceSQLite   = "sqlite"
	PersistencePostgres = "postgres"
)

// Years a deployment can hold: R1 (domain.Campaign.Validate) accepts 2000–2100, and a
// year has one campaign workflow and one row per county. The top years hold the
// warm-up campaigns; a step needing more campaigns than the rest spreads them over
// shards (a Temporal namespace plus a read-model database each).
const (
	firstYear = 2000
	lastYear  = 2100
	// maxWarmupCampaigns is how many years at the top of the range the warm-up may use.
	maxWarmupCampaigns = 8
	// warmupYear is the first warm-up campaign, whose cases the HTTP overhead step
	// updates.
	warmupYear    = lastYear
	yearsPerShard = lastYear - maxWarmupCampaigns - firstYear + 1
)

// namespaceRefreshWait is how long the embedded server's services take to see a newly
// registered namespace or search attribute (its namespace cache reloads every 2 s).
const namespaceRefreshWait = 3 * time.Second

// env is one measured deployment: an embedded Temporal server, and per shard a
// namespace, a fresh PostgreSQL database with the product's schema, a client and the
// product's worker. Every step that compares figures runs on its own env, so earlier
// steps' timers and histories do not weigh on it.
type env struct {
	logLevel    *slog.LevelVar
	name        string
	persistence string
	dataDir     string
	srv         *temporalserver.Server
	shards      []*shard
}

// shard is one namespace of an env with its own read-model database.
type shard struct {
	idx       int
	namespace string
	dbName    string
	dbURL     string
	store     *store.Store
	counted   *countingStore
	client    client.Client
	worker    sdkworker.Worker
}

// countingStore counts the read-model transactions the activities commit, so the
// lifecycle's PostgreSQL load can be set against the commit ceiling exactly, without
// counting the read queries pg_stat_database lumps in with them.
type countingStore struct {
	inner   activities.Store
	commits atomic.Int64
}

func (c *countingStore) ApplyProjection(ctx context.Context, p readmodel.Projection) error {
	err := c.inner.ApplyProjection(ctx, p)
	if err == nil {
		c.commits.Add(1)
	}
	return err
}

func (c *countingStore) SaveNotice(ctx context.Context, n readmodel.Notice) error {
	err := c.inner.SaveNotice(ctx, n)
	if err == nil {
		c.commits.Add(1)
	}
	return err
}

func (c *countingStore) CountObjections(ctx context.Context, year int, county string, ends time.Time) (readmodel.ObjectionCount, error) {
	return c.inner.CountObjections(ctx, year, county, ends)
}

func (c *countingStore) ResolveObjection(ctx context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error) {
	o, err := c.inner.ResolveObjection(ctx, in)
	if err == nil {
		c.commits.Add(1)
	}
	return o, err
}

// startEnv brings up a deployment with the given number of shards. Its databases are
// created through r, which drops them at the end of the run.
func (r *runner) startEnv(ctx context.Context, name, persistence string, shards int) (*env, error) {
	e := &env{name: name, persistence: persistence, logLevel: r.logLevel}
	ok := false
	defer func() {
		if !ok {
			e.stop()
		}
	}()
	dbName, dbURL, err := r.createDatabase(ctx, name)
	if err != nil {
		return nil, err
	}
	tcfg := temporalserver.Config{
		FrontendAddr:     "127.0.0.1:0",
		Namespace:        "default",
		SearchAttributes: workflows.SearchAttributeTypes,
		Logger:           r.errLog,
	}
	switch persistence {
	case PersistenceSQLite:
		e.dataDir, err = os.MkdirTemp("", "selection-bench-"+name+"-")
		if err != nil {
			return nil, err
		}
		tcfg.DataDir = e.dataDir
	case PersistencePostgres:
		tcfg.PostgresDSN = dbURL
	default:
		return nil, fmt.Errorf("persistence %q: want sqlite or postgres", persistence)
	}
	r.progress("%s: starting embedded Temporal (%s persistence)", name, persistence)
	start := time.Now()
	e.srv, err = temporalserver.Start(ctx, tcfg)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	r.progress("%s: Temporal up in %s on %s", name, time.Since(start).Round(time.Millisecond), e.srv.FrontendAddr())
	for i := range shards {
		sh := &shard{idx: i, namespace: "default", dbName: dbName, dbURL: dbURL}
		if i > 0 {
			sh.namespace = fmt.Sprintf("bench-%d", i)
			if sh.dbName, sh.dbURL, err = r.createDatabase(ctx, fmt.Sprintf("%s_s%d", name, i)); err != nil {
				return nil, err
			}
			if err := registerNamespace(ctx, e.shards[0].client, sh.namespace); err != nil {
				return nil, err
			}
		}
		e.shards = append(e.shards, sh)
		if sh.store, err = store.Open(ctx, sh.dbURL, nil); err != nil {
			return nil, fmt.Errorf("%s: open read model %s: %w", name, sh.dbName, err)
		}
		sh.counted = &countingStore{inner: sh.store}
		if sh.client, err = client.DialContext(ctx, client.Options{
			HostPort: e.srv.FrontendAddr(), Namespace: sh.namespace, Logger: sdklog.NewStructuredLogger(r.errLog),
		}); err != nil {
			return nil, fmt.Errorf("%s: dial Temporal: %w", name, err)
		}
		// The product's worker with the run's tuning (the product's defaults unless
		// --sticky-timeout or --cache-size say otherwise); the floor's bare workflow rides
		// on the same worker, so both see the same pollers and cache.
		sh.worker = worker.New(sh.client, &activities.Activities{Store: sh.counted}, r.cfg.Worker.Apply(sdkworker.Options{}))
		sh.worker.RegisterWorkflowWithOptions(BareWorkflow, workflow.RegisterOptions{Name: BareWorkflowName})
		if err := sh.worker.Start(); err != nil {
			return nil, fmt.Errorf("%s: start worker: %w", name, err)
		}
	}
	ok = true
	return e, nil
}

// registerNamespace adds a namespace with the product's search attributes and waits
// until every service of the embedded server sees it.
func registerNamespace(ctx context.Context, c client.Client, namespace string) error {
	_, err := c.WorkflowService().RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: namespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	})
	var exists *serviceerror.NamespaceAlreadyExists
	if err != nil && !errors.As(err, &exists) {
		return fmt.Errorf("register namespace %s: %w", namespace, err)
	}
	for {
		_, err = c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
			Namespace: namespace, SearchAttributes: workflows.SearchAttributeTypes,
		})
		var nf *serviceerror.NamespaceNotFound
		var already *serviceerror.AlreadyExists
		if err == nil || errors.As(err, &already) {
			break
		}
		if !errors.As(err, &nf) {
			return fmt.Errorf("search attributes of %s: %w", namespace, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(250 * time.Millisecond):
		}
	}
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(namespaceRefreshWait):
	}
	return nil
}

// stop shuts the env down in the order of `selection run`: worker, client, Temporal,
// pools. The databases stay until the run drops them.
func (e *env) stop() {
	// Stopping cancels calls in flight, which the server logs as errors; none is news.
	prev := e.logLevel.Level()
	e.logLevel.Set(slog.LevelError + 100)
	defer e.logLevel.Set(prev)
	for _, sh := range e.shards {
		if sh.worker != nil {
			sh.worker.Stop()
		}
		if sh.client != nil {
			sh.client.Close()
		}
	}
	if e.srv != nil {
		_ = e.srv.Stop()
	}
	for _, sh := range e.shards {
		if sh.store != nil {
			sh.store.Close()
		}
	}
	if e.dataDir != "" {
		_ = os.RemoveAll(e.dataDir)
	}
}

// temporalBytes is the size of Temporal's persistence: the SQLite files, or the two
// schemas in the env's first database.
func (e *env) temporalBytes(ctx context.Context) int64 {
	if e.dataDir != "" {
		var n int64
		matches, _ := filepath.Glob(filepath.Join(e.dataDir, "temporal.db*"))
		for _, m := range matches {
			if st, err := os.Stat(m); err == nil {
				n += st.Size()
			}
		}
		return n
	}
	var n int64
	_ = e.shards[0].store.Pool().QueryRow(ctx, `
SELECT COALESCE(sum(pg_total_relation_size(c.oid)), 0)::bigint
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('temporal', 'temporal_visibility') AND c.relkind IN ('r', 'm')`).Scan(&n)
	return n
}
