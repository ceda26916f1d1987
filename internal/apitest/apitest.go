// Package apitest runs the API the way tests of it need it: one in-process Temporal
// server per test binary, with one worker on the product's task queue, and per test a
// fresh PostgreSQL database and a campaign year of its own. Starting a Temporal server
// takes seconds, so a binary's tests share it and keep apart by year (workflow IDs are
// campaign/{province}/{year} and application/{year}/{county}) and by database.
package apitest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/server/temporaltest"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// Secret signs every token of the tests.
var Secret = []byte("api-test-secret-not-for-production")

// Province is the province of the tests' campaigns (Guizhou).
const Province = "520000"

// Env is the shared Temporal server of a test binary and its worker.
type Env struct {
	Server *temporaltest.TestServer
	Client client.Client
	worker sdkworker.Worker
	router *yearRouter
}

var (
	envOnce sync.Once
	shared  *Env
	envErr  error
)

// Shared starts the binary's Temporal server on first use, so tests that need none
// (documents, tokens, routing) run without it.
func Shared(t testing.TB) *Env {
	t.Helper()
	envOnce.Do(func() { shared, envErr = start() })
	if envErr != nil {
		t.Fatalf("start Temporal test server: %v", envErr)
	}
	return shared
}

// Stop ends the shared server, if one was started; TestMain calls it after m.Run. The
// server outlives each test because the tests share it, so no t.Cleanup can stop it.
func Stop() {
	if shared != nil {
		shared.stop()
	}
}

func start() (e *Env, err error) {
	defer func() {
		if r := recover(); r != nil { // temporaltest panics without a *testing.T
			err = fmt.Errorf("%v", r)
		}
	}()
	quiet := sdklog.NewStructuredLogger(slog.New(slog.DiscardHandler))
	srv := temporaltest.NewServer(temporaltest.WithBaseClientOptions(client.Options{Logger: quiet}))
	c := srv.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.OperatorService().AddSearchAttributes(ctx, &operatorservice.AddSearchAttributesRequest{
		Namespace:        srv.GetDefaultNamespace(),
		SearchAttributes: workflows.SearchAttributeTypes,
	}); err != nil {
		srv.Stop()
		return nil, fmt.Errorf("add search attributes: %w", err)
	}
	r := &yearRouter{stores: map[int]activities.Store{}}
	w := worker.New(c, &activities.Activities{Store: r}, sdkworker.Options{})
	if err := w.Start(); err != nil {
		srv.Stop()
		return nil, fmt.Errorf("start worker: %w", err)
	}
	return &Env{Server: srv, Client: c, worker: w, router: r}, nil
}

func (e *Env) stop() {
	e.worker.Stop()
	defer func() { _ = recover() }() // Stop logs through a nil *testing.T on shutdown errors
	e.Server.Stop()
}

// Server is one test's API: a fresh database, the shared Temporal server, one year.
type Server struct {
	Handler  *echo.Echo
	Store    *store.Store
	Temporal client.Client
	Year     int
	Config   api.Config
}

// NewServer builds the API over a new database for year, whose campaign workflow is
// terminated when the test ends. The config has Secret, Province and a silent logger;
// configure tightens the rest.
func NewServer(t testing.TB, year int, configure ...func(*api.Config)) *Server {
	t.Helper()
	env := Shared(t)
	url := storetest.NewDatabase(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := store.Open(ctx, url, nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	env.router.add(year, st)
	t.Cleanup(func() { env.router.remove(year) })
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = env.Client.TerminateWorkflow(ctx, workflows.CampaignID(Province, year), "", "test over")
	})
	cfg := api.Config{JWTSecret: Secret, Province: Province, Logger: slog.New(slog.DiscardHandler)}
	for _, f := range configure {
		f(&cfg)
	}
	return &Server{Handler: api.New(cfg, env.Client, st), Store: st, Temporal: env.Client, Year: year, Config: cfg}
}

// Token mints a token signed with Secret, valid for an hour.
func Token(t testing.TB, role domain.Role, region, sub string) string {
	t.Helper()
	tok, err := api.MintToken(Secret, role, region, sub, time.Hour)
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	return tok
}

// yearRouter sends each campaign's projections to the database of the test that owns
// the year: one worker serves every test, each test has its own database.
type yearRouter struct {
	mu     sync.RWMutex
	stores map[int]activities.Store
}

func (r *yearRouter) add(year int, s activities.Store) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.stores[year] = s
}

func (r *yearRouter) remove(year int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.stores, year)
}

func (r *yearRouter) get(year int) activities.Store {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.stores[year]
}

// ApplyProjection drops the writes of a year whose test has ended (its database is gone
// and a timer of its campaign may still fire).
func (r *yearRouter) ApplyProjection(ctx context.Context, p readmodel.Projection) error {
	if s := r.get(p.Year); s != nil {
		return s.ApplyProjection(ctx, p)
	}
	return nil
}

func (r *yearRouter) SaveNotice(ctx context.Context, n readmodel.Notice) error {
	if s := r.get(n.Year); s != nil {
		return s.SaveNotice(ctx, n)
	}
	return nil
}

// CountObjections of a year whose test has ended counts nothing.
func (r *yearRouter) CountObjections(ctx context.Context, year int, county string, ends time.Time) (readmodel.ObjectionCount, error) {
	if s := r.get(year); s != nil {
		return s.CountObjections(ctx, year, county, ends)
	}
	return readmodel.ObjectionCount{}, nil
}

func (r *yearRouter) ResolveObjection(ctx context.Context, in readmodel.ObjectionDecision) (readmodel.Objection, error) {
	if s := r.get(in.Year); s != nil {
		return s.ResolveObjection(ctx, in)
	}
	return readmodel.Objection{}, nil
}
