// Package api is the HTTP contract of API.md on echo. It decides nothing itself: every
// change is a Temporal Update on the campaign's workflow (the single authority, so
// quota checks stay atomic), and every read comes from the PostgreSQL read model the
// workflow writes before it answers, so a read after a write sees the write. What the
// package adds is the edge: authentication, jurisdiction (R12), request validation,
// idempotency, rate limits, error bodies, logs and metrics.
package api

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// BasePath prefixes every route of API.md.
const BasePath = "/api/v1"

// Defaults applied by New to a zero Config field.
const (
	DefaultRequestTimeout = 30 * time.Second
	DefaultObjectionRate  = 5.0
	DefaultObjectionBurst = 10
)

// Config is everything New needs besides its two backends. Zero fields take the
// defaults above, so tests set only what they tighten.
type Config struct {
	// JWTSecret verifies HS256 tokens; it must not be empty.
	JWTSecret []byte
	// Province is the deployment's province: administrators and reviewers belong to it
	// when no campaign is at hand (creating one), and its newest divisions in the
	// reference data check every official's region (R12); campaign routes use the
	// campaign's own. It must be set (the binary's PROVINCE setting).
	Province string
	// RequestTimeout bounds each request, Temporal Update included (504 after it).
	RequestTimeout time.Duration
	// ObjectionRate and ObjectionBurst limit public objections per client IP
	// (requests per second and bucket size): the only write route without a token.
	ObjectionRate  float64
	ObjectionBurst int
	// ClientPrefix is how much of a client's address names its rate-limit bucket; zero
	// fields take DefaultClientPrefixIPv4 and DefaultClientPrefixIPv6.
	ClientPrefix ClientPrefix
	// TrustedProxies are the networks of the reverse proxies in front of the API, whose
	// X-Forwarded-For is believed (see ipExtractor); empty trusts no header at all.
	TrustedProxies []netip.Prefix
	// MaxOpenObjectionsPerCounty and MaxOpenObjectionsPerContact cap the objections
	// awaiting a decision (R10); zero takes the store's defaults.
	MaxOpenObjectionsPerCounty  int
	MaxOpenObjectionsPerContact int
	// Limits bound each campaign workflow's runs; fixed into the campaign when it is
	// created, zero fields take the workflows' defaults.
	Limits workflows.Limits
	// Logger receives one JSON line per request and every internal error; nil logs
	// JSON to stderr.
	Logger *slog.Logger
	// Registry receives the HTTP metrics and is served at /metrics; nil creates one
	// with the Go and process collectors. The run command passes its own to serve
	// Temporal SDK metrics from the same endpoint.
	Registry *prometheus.Registry
}

// Store is the part of store.Store the API reads from; an interface so the package
// states exactly what it needs of PostgreSQL.
type Store interface {
	Campaign(ctx context.Context, province string, year int) (readmodel.CampaignView, error)
	Applications(ctx context.Context, province string, year int, prefecture, state string, page store.PageRequest[string]) (store.Page[readmodel.Application, string], error)
	Application(ctx context.Context, province string, year int, county string) (readmodel.Application, error)
	Timeline(ctx context.Context, workflowID string, page store.PageRequest[int64]) (store.Page[readmodel.Event, int64], error)
	Notice(ctx context.Context, province string, year int) (readmodel.Notice, error)
	Objections(ctx context.Context, province string, year int, status string, page store.PageRequest[store.ObjectionKey]) (store.Page[readmodel.Objection, store.ObjectionKey], error)
	Objection(ctx context.Context, province string, year int, id string) (readmodel.Objection, error)
	FileObjection(ctx context.Context, f store.ObjectionFiling) (store.FiledObjection, error)
	NoticeVersion(ctx context.Context, province string, year int, n int64) (readmodel.Notice, error)
	Designation(ctx context.Context, province string, year int) (readmodel.Designation, error)
	SetDesignationRef(ctx context.Context, province string, year int, timeline, ref string, actor domain.Actor, at time.Time) (readmodel.Designation, error)
	Ping(ctx context.Context) error
	ReserveIdempotencyKey(ctx context.Context, scope, key, requestHash string) (*store.IdempotentResponse, bool, error)
	CompleteIdempotencyKey(ctx context.Context, scope, key string, status int, body []byte) error
	ReleaseIdempotencyKey(ctx context.Context, scope, key string) error
}

var _ Store = (*store.Store)(nil)

// server holds the dependencies of the handlers.
type server struct {
	cfg     Config
	tc      client.Client
	st      Store
	log     *slog.Logger
	metrics *metrics
	// routes are the registered route paths, to label metrics of unknown paths. Read
	// at the first request, so routes mounted after New (the console) count too.
	routes     map[string]bool
	routesOnce sync.Once
	echo       *echo.Echo
}

// New builds the echo instance: every route of API.md under BasePath, plus /healthz,
// /readyz and /metrics. It panics only on a programming error (empty JWT secret, a
// province without reference data).
func New(cfg Config, tc client.Client, st Store) *echo.Echo {
	if len(cfg.JWTSecret) == 0 {
		panic("api: Config.JWTSecret is empty")
	}
	if _, err := domain.Current(cfg.Province); err != nil {
		panic(fmt.Sprintf("api: Config.Province: %v", err))
	}
	if cfg.RequestTimeout <= 0 {
		cfg.RequestTimeout = DefaultRequestTimeout
	}
	if cfg.ObjectionRate <= 0 {
		cfg.ObjectionRate = DefaultObjectionRate
	}
	if cfg.ObjectionBurst <= 0 {
		cfg.ObjectionBurst = DefaultObjectionBurst
	}
	if cfg.ClientPrefix.IPv4 <= 0 {
		cfg.ClientPrefix.IPv4 = DefaultClientPrefixIPv4
	}
	if cfg.ClientPrefix.IPv6 <= 0 {
		cfg.ClientPrefix.IPv6 = DefaultClientPrefixIPv6
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	s := &server{cfg: cfg, tc: tc, st: st, log: cfg.Logger, routes: map[string]bool{}}
	s.metrics = newMetrics(cfg.Registry)

	e := echo.New()
	e.HideBanner, e.HidePort = true, true
	e.HTTPErrorHandler = s.handleError
	e.JSONSerializer = zonedJSON{}
	e.IPExtractor = ipExtractor(cfg.TrustedProxies)

	// Outermost first: the request ID exists before anything logs; observe sees the
	// final status (it hands errors to the error handler itself); Recover turns a panic
	// into a 500 that observe still logs.
	e.Use(middleware.RequestID())
	e.Use(s.observe)
	e.Use(middleware.RecoverWithConfig(middleware.RecoverConfig{
		DisableStackAll: true,
		LogErrorFunc: func(c echo.Context, err error, stack []byte) error {
			s.log.ErrorContext(c.Request().Context(), "panic in handler", slog.String("request_id", requestID(c)),
				slog.String("error", err.Error()), slog.String("stack", string(stack)))
			return err
		},
	}))
	e.Use(middleware.Secure())
	e.Use(middleware.BodyLimit("1MiB")) // API.md: 1,048,576 bytes; "1M" would be 10^6
	e.Use(s.timeout)

	s.mount(e)
	s.echo = e
	return e
}

// mount binds every route. Middleware is attached per route rather than per group:
// a group middleware would also guard unknown paths, turning a 404 into a 401.
func (s *server) mount(e *echo.Echo) {
	e.GET("/healthz", s.healthz)
	e.GET("/readyz", s.readyz)
	e.GET("/metrics", s.metricsHandler())
	e.GET(BasePath+"/openapi.json", s.openapi)

	// The routes of API.md serve the deployment's province as written, and every
	// province under /provinces/{province} (issue 14); one handler serves both.
	limit := s.objectionLimiter()
	s.mountCampaigns(e, BasePath, limit)
	s.mountCampaigns(e, BasePath+provincePrefix, limit)
}

// mountCampaigns binds the campaign routes under base. Both bases share one objection
// limiter, so a client cannot double its rate by spelling the path the other way.
func (s *server) mountCampaigns(e *echo.Echo, base string, limit echo.MiddlewareFunc) {
	auth := s.authenticate()
	idem := s.idempotent

	c := base + "/campaigns"
	y := c + "/:year"
	app := y + "/applications/:county"

	e.POST(c, s.createCampaign, auth, idem)
	e.GET(y, s.getCampaign, auth)
	e.GET(y+"/timeline", s.campaignTimeline, auth)

	e.POST(y+"/applications", s.registerApplication, auth, idem)
	e.GET(y+"/applications", s.listApplications, auth)
	e.GET(app, s.getApplication, auth)
	e.PUT(app+"/materials", s.materials, auth, idem)
	e.POST(app+"/submit", s.submit, auth, idem)
	e.POST(app+"/self-apply", s.selfApply, auth, idem)
	e.POST(app+"/withdraw", s.withdraw, auth, idem)
	e.POST(app+"/scorecards", s.score, auth, idem)
	e.GET(app+"/timeline", s.applicationTimeline, auth)
	e.POST(app+"/objections", s.object, limit, idem)

	e.POST(y+"/prefectures/:code/recommendation", s.recommend, auth, idem)
	e.POST(y+"/prefectures/:code/reinstate", s.reinstate, auth, idem)
	e.POST(y+"/amendments", s.amend, auth, idem)

	e.POST(y+"/ranking", s.rank, auth, idem)
	e.GET(y+"/ranking", s.getRanking, auth)
	e.POST(y+"/notice", s.publishNotice, auth, idem)
	e.GET(y+"/notice", s.getNotice)
	e.GET(y+"/objections", s.listObjections, auth)
	e.GET(y+"/objections/:id", s.getObjection, auth)
	e.POST(y+"/objections/:id/resolution", s.resolve, auth, idem)
	e.POST(y+"/reserve/promote", s.promote, auth, idem)
	e.POST(y+"/vacancies/decline", s.declineVacancies, auth, idem)
	e.GET(y+"/designation", s.getDesignation)
	e.PUT(y+"/designation", s.recordDesignationRef, auth, idem)
}
