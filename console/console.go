// Package console is the web console of every role of R12 — county, prefecture, reviewer,
// administrator — and of the public notice, served by the same binary at / on the API's
// port. It is built on the HTTP API and nothing else: each handler turns a page or a form
// into requests to the API echo instance through the typed client of package apiclient
// (in-process, through the instance's ServeHTTP, with the user's bearer token), so
// authentication, jurisdiction, validation, idempotency and the rules themselves stay in
// one place and the console cannot drift into a second path to the data or a second
// declaration of the API's bodies. Pages are server-rendered html/template (embedded), Simplified Chinese by
// default with an English switch, with a little vanilla JS for countdowns and the live
// timeline; there is no front-end build step.
package console

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
)

// Config is what Mount needs besides the echo instance holding the API.
type Config struct {
	// JWTSecret is the API's HS256 secret. The console reads a pasted token's claims to
	// show who is signed in and which pages fit, and in Dev mode mints tokens with it;
	// the API verifies every token again on each call.
	JWTSecret []byte
	// Dev enables the role/region picker on the sign-in page: anyone reaching the
	// console can then sign in as anyone, so it is for `selection run` on a developer's
	// machine only.
	Dev bool
	// Logger receives the console's internal errors; nil discards them.
	Logger *slog.Logger
	// Province is the deployment's default province: the one the public sees until it
	// picks another. A signed-in official always sees the province of their own
	// region, so one console serves every province the API serves.
	Province string
}

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// console holds the console's dependencies: the client of the API instance it calls and
// its pages.
type console struct {
	cfg Config
	api *apiclient.Client
	// regions holds every province's divisions (newest edition of the reference data),
	// by province code: for sign-in, jurisdiction and the layout of a province's pages.
	regions map[string]*domain.Divisions
	pages   map[string]map[string]pageTemplate // page -> lang -> template
	log     *slog.Logger
}

// reserved are the paths the API owns; Mount refuses to register anything under them, and
// a test checks they still answer after Mount.
var reserved = []string{api.BasePath, "/healthz", "/readyz", "/metrics"}

// Mount adds the console's routes to e, which already serves the API under /api/v1 (the
// console calls that very instance for every read and write). Routes are registered one
// by one with their own middleware — never e.Use — so the API's routes, /healthz,
// /readyz and /metrics are untouched and CSRF protection covers console forms only.
func Mount(e *echo.Echo, cfg Config) error {
	if e == nil {
		return errors.New("console: nil echo instance")
	}
	if len(cfg.JWTSecret) == 0 {
		return errors.New("console: Config.JWTSecret is empty")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	pages, err := parseTemplates()
	if err != nil {
		return err
	}
	if _, err := domain.Current(cfg.Province); err != nil {
		return fmt.Errorf("console: province: %w", err)
	}
	regions := map[string]*domain.Divisions{}
	for _, p := range domain.Provinces() {
		d, err := domain.Current(p)
		if err != nil {
			return fmt.Errorf("console: province %s: %w", p, err)
		}
		regions[p] = d
	}
	c := &console{cfg: cfg, api: apiclient.NewHandler(e), regions: regions, pages: pages, log: cfg.Logger}
	static, err := fs.Sub(staticFS, "static")
	if err != nil {
		return fmt.Errorf("console: static assets: %w", err)
	}
	return c.mount(e, static)
}

// route is one console route, kept in a table so Mount can check none of them shadows
// the API before registering any.
type route struct {
	method, path string
	h            handlerFunc
}

func (c *console) routes() []route {
	const y = "/campaigns/:year"
	const app = y + "/applications/:county"
	return []route{
		{http.MethodGet, "/", c.home},
		{http.MethodGet, "/signin", c.signinPage},
		{http.MethodPost, "/signin", c.signin},
		{http.MethodPost, "/signout", c.signout},
		{http.MethodPost, "/campaigns", c.createCampaign},
		{http.MethodGet, y, c.board},
		{http.MethodGet, app, c.application},
		{http.MethodGet, app + "/live", c.applicationLive},
		{http.MethodPost, app + "/register", c.register},
		{http.MethodPost, app + "/materials", c.materials},
		{http.MethodPost, app + "/submit", c.submit},
		{http.MethodPost, app + "/self-apply", c.selfApply},
		{http.MethodPost, app + "/withdraw", c.withdraw},
		{http.MethodPost, app + "/scorecards", c.scorecard},
		{http.MethodGet, y + "/prefectures/:code", c.prefecture},
		{http.MethodPost, y + "/prefectures/:code/recommendation", c.recommend},
		{http.MethodGet, y + "/review", c.review},
		{http.MethodGet, y + "/admin", c.admin},
		{http.MethodPost, y + "/admin/ranking", c.rank},
		{http.MethodPost, y + "/admin/notice", c.publish},
		{http.MethodPost, y + "/admin/promote", c.promote},
		{http.MethodPost, y + "/admin/decline", c.decline},
		{http.MethodPost, y + "/admin/designation", c.designationRef},
		{http.MethodPost, y + "/admin/amendments", c.amend},
		{http.MethodPost, y + "/admin/prefectures/:code/reinstate", c.reinstate},
		{http.MethodPost, y + "/admin/objections/:id", c.resolve},
		{http.MethodGet, "/notices/:year", c.notice},
		{http.MethodPost, "/notices/:year/objections", c.object},
	}
}

func (c *console) mount(e *echo.Echo, static fs.FS) error {
	rs := c.routes()
	for _, r := range rs {
		for _, p := range reserved {
			if r.path == p || strings.HasPrefix(r.path, p+"/") {
				return fmt.Errorf("console: route %s would shadow %s", r.path, p)
			}
		}
	}
	csrf := c.csrf
	for _, r := range rs {
		e.Add(r.method, r.path, c.wrap(r.h), csrf)
	}
	assets := http.StripPrefix("/static/", http.FileServer(http.FS(static)))
	e.GET("/static/*", echo.WrapHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Assets change only with the binary; an hour keeps pages snappy without
		// serving a stale script for long after an upgrade.
		if strings.HasSuffix(r.URL.Path, "/") { // no directory listings
			http.NotFound(w, r)
			return
		}
		w.Header().Set("Cache-Control", "public, max-age=3600")
		assets.ServeHTTP(w, r)
	})))
	return nil
}
