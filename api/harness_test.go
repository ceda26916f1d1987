package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
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

// secret signs every token of the tests.
var secret = []byte("api-test-secret-not-for-production")

// shanghai is the offset the notice's dates are written in.
var shanghai = domain.Shanghai

// env is the one in-process Temporal server of this test binary, with one worker on
// the product's task queue. Starting a server takes seconds, so tests share it and keep
// apart by campaign year (workflow IDs are campaign/{year}) and by database.
type env struct {
	srv    *temporaltest.TestServer
	client client.Client
	worker sdkworker.Worker
	router *yearRouter
}

var (
	envOnce sync.Once
	shared  *env
	envErr  error
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared != nil {
		shared.stop()
	}
	os.Exit(code)
}

// temporalEnv starts the shared server on first use, so tests that need none (OpenAPI,
// tokens) run without it.
func temporalEnv(t testing.TB) *env {
	t.Helper()
	envOnce.Do(func() { shared, envErr = startEnv() })
	if envErr != nil {
		t.Fatalf("start Temporal test server: %v", envErr)
	}
	return shared
}

func startEnv() (e *env, err error) {
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
		Namespace: srv.GetDefaultNamespace(),
		SearchAttributes: map[string]enumspb.IndexedValueType{
			workflows.SACampaignYear.GetName():     enumspb.INDEXED_VALUE_TYPE_INT,
			workflows.SAPrefectureCode.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			workflows.SACountyCode.GetName():       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
			workflows.SAApplicationState.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
		},
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
	return &env{srv: srv, client: c, worker: w, router: r}, nil
}

func (e *env) stop() {
	e.worker.Stop()
	defer func() { _ = recover() }() // Stop logs through a nil *testing.T on shutdown errors
	e.srv.Stop()
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

// harness is one test's API: a fresh database, the shared Temporal server, one year.
type harness struct {
	t    testing.TB
	e    *echo.Echo
	st   *store.Store
	tc   client.Client
	year int
	cfg  api.Config
}

func newHarness(t testing.TB, year int, configure ...func(*api.Config)) *harness {
	t.Helper()
	env := temporalEnv(t)
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
		_ = env.client.TerminateWorkflow(ctx, workflows.CampaignID(year), "", "test over")
	})
	cfg := api.Config{JWTSecret: secret, Province: "520000", Logger: slog.New(slog.DiscardHandler)}
	for _, f := range configure {
		f(&cfg)
	}
	return &harness{t: t, e: api.New(cfg, env.client, st), st: st, tc: env.client, year: year, cfg: cfg}
}

// response is what a test reads of an HTTP answer.
type response struct {
	Code   int
	Body   []byte
	Header http.Header
}

// errorBody is API.md's error envelope.
type errorBody struct {
	Error struct {
		Code    string `json:"code"`
		Message string `json:"message"`
		Rule    string `json:"rule"`
	} `json:"error"`
}

func (r response) String() string { return fmt.Sprintf("%d %s", r.Code, r.Body) }

func (r response) errorBody(t testing.TB) errorBody {
	t.Helper()
	var b errorBody
	if err := json.Unmarshal(r.Body, &b); err != nil || b.Error.Code == "" {
		t.Fatalf("want an error body, got %s", r)
	}
	return b
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", r, err)
	}
}

// req is one request: body is JSON-encoded unless it is a string or []byte.
type req struct {
	method, path, token string
	body                any
	header              map[string]string
	remote              string
}

func (h *harness) serve(rq req) response {
	h.t.Helper()
	return serve(h.t, h.e, rq)
}

func serve(t testing.TB, e *echo.Echo, rq req) response {
	t.Helper()
	var body io.Reader
	switch b := rq.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(b)
	case []byte:
		body = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		body = bytes.NewReader(raw)
	}
	r := httptest.NewRequest(rq.method, rq.path, body)
	if body != nil {
		r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if rq.token != "" {
		r.Header.Set(echo.HeaderAuthorization, "Bearer "+rq.token)
	}
	for k, v := range rq.header {
		r.Header.Set(k, v)
	}
	if rq.remote != "" {
		r.RemoteAddr = rq.remote
	}
	w := httptest.NewRecorder()
	e.ServeHTTP(w, r)
	return response{Code: w.Code, Body: w.Body.Bytes(), Header: w.Header()}
}

// must sends a request and fails the test unless it answers want.
func (h *harness) must(want int, rq req) response {
	h.t.Helper()
	res := h.serve(rq)
	if res.Code != want {
		h.t.Fatalf("%s %s: want %d, got %s", rq.method, rq.path, want, res)
	}
	return res
}

// refused sends a request and checks the error code (and rule, when given).
func (h *harness) refused(status int, code, rule string, rq req) errorBody {
	h.t.Helper()
	res := h.serve(rq)
	if res.Code != status {
		h.t.Fatalf("%s %s: want %d %s, got %s", rq.method, rq.path, status, code, res)
	}
	b := res.errorBody(h.t)
	if b.Error.Code != code || (rule != "" && b.Error.Rule != rule) {
		h.t.Fatalf("%s %s: want code %s rule %q, got %s", rq.method, rq.path, code, rule, res)
	}
	return b
}

func token(t testing.TB, role domain.Role, region, sub string) string {
	t.Helper()
	tok, err := api.MintToken(secret, role, region, sub, time.Hour)
	if err != nil {
		t.Fatalf("mint token: %v", err)
	}
	return tok
}

// paths of a year's campaign.
func (h *harness) campaignPath() string { return fmt.Sprintf("/api/v1/campaigns/%d", h.year) }
func (h *harness) appPath(county string) string {
	return fmt.Sprintf("%s/applications/%s", h.campaignPath(), county)
}

// campaignBody is a POST /campaigns body with the 2016 numbers and the given deadlines.
func campaignBody(year int, recommendation, notice time.Time, publicity string) map[string]any {
	return map[string]any{
		"year": year, "province": "520000", "quota": 3, "prefecture_cap": 2,
		"recommendation_deadline": recommendation.In(shanghai).Format(time.RFC3339Nano),
		"notice_deadline":         notice.In(shanghai).Format(time.RFC3339Nano),
		"publicity_period":        publicity,
		"excluded":                []string{"520123"},
		"national_scores":         map[string]float64{"520328": 86.5},
	}
}

// openCampaign creates the harness's campaign with deadlines relative to now.
func (h *harness) openCampaign(admin string, recommendation, notice time.Duration, publicity string) readmodel.CampaignView {
	h.t.Helper()
	now := time.Now()
	res := h.must(http.StatusCreated, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin,
		body: campaignBody(h.year, now.Add(recommendation), now.Add(notice), publicity)})
	var v readmodel.CampaignView
	res.decode(h.t, &v)
	return v
}

func (h *harness) campaign(tok string) readmodel.CampaignView {
	h.t.Helper()
	var v readmodel.CampaignView
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath(), token: tok}).decode(h.t, &v)
	return v
}

func (h *harness) application(tok, county string) readmodel.Application {
	h.t.Helper()
	var a readmodel.Application
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.appPath(county), token: tok}).decode(h.t, &a)
	return a
}

// eventually polls cond until it holds or the deadline passes: timers fire on the
// server's clock, so tests wait for their effect instead of sleeping a fixed time.
func eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last: %s", what, within, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// allCriteria is a scorecard giving every criterion the same mark, so its review score
// is that mark (the default weights sum to 1).
func allCriteria(mark float64) map[string]float64 {
	out := map[string]float64{}
	for _, c := range domain.Criteria {
		out[c] = mark
	}
	return out
}

// fullMaterials delivers every required item in three copies (R6).
func fullMaterials() map[string]any {
	items := map[string]any{}
	for _, it := range domain.Checklist {
		if it.Required {
			items[it.Number] = map[string]int{"copies": domain.RequiredCopies}
		}
	}
	return map[string]any{"items": items}
}

// offline builds the API without backends, for what needs neither Temporal nor
// PostgreSQL: routing, the document, tokens, limits.
func offline(t *testing.T) *echo.Echo {
	t.Helper()
	return api.New(api.Config{JWTSecret: secret, Logger: slog.New(slog.DiscardHandler)}, nil, nil)
}
