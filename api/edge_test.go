package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// TestMintToken checks the token the `selection token` command prints.
func TestMintToken(t *testing.T) {
	if _, err := api.MintToken(secret, "mayor", "520000", "x", time.Hour); err == nil {
		t.Error("unknown role accepted")
	}
	if _, err := api.MintToken(nil, domain.RoleAdmin, "520000", "x", time.Hour); err == nil {
		t.Error("empty secret accepted")
	}
	if _, err := api.MintToken(secret, domain.RoleAdmin, "520000", "", time.Hour); err == nil {
		t.Error("empty subject accepted")
	}
	e := offline(t)
	// A county token for another county is refused before anything is read.
	tok := token(t, domain.RoleCounty, "520102", "c")
	res := serve(t, e, req{method: http.MethodPost, path: "/api/v1/campaigns", token: tok, body: map[string]any{}})
	if res.Code != http.StatusForbidden || res.errorBody(t).Error.Rule != "R12" {
		t.Errorf("county creating a campaign: %s", res)
	}
	other, err := api.MintToken([]byte("other"), domain.RoleAdmin, "520000", "x", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if res := serve(t, e, req{method: http.MethodPost, path: "/api/v1/campaigns", token: other}); res.Code != http.StatusUnauthorized {
		t.Errorf("token of another secret: %s", res)
	}
}

// TestEdgeResponses covers what the API answers before any backend is involved, with
// the same error body as everything else.
func TestEdgeResponses(t *testing.T) {
	e := offline(t)
	for _, c := range []struct {
		rq     req
		status int
		code   string
	}{
		{req{method: http.MethodGet, path: "/nowhere"}, 404, "not_found"},
		{req{method: http.MethodPatch, path: "/api/v1/campaigns"}, 405, "method_not_allowed"},
		{req{method: http.MethodPost, path: "/api/v1/campaigns", body: strings.Repeat(" ", 1<<20+1)}, 413, "payload_too_large"},
		{req{method: http.MethodPost, path: "/api/v1/campaigns"}, 401, "unauthenticated"},
	} {
		res := serve(t, e, c.rq)
		if res.Code != c.status || res.errorBody(t).Error.Code != c.code {
			t.Errorf("%s %s: want %d %s, got %s", c.rq.method, c.rq.path, c.status, c.code, res)
		}
		if res.Header.Get(echo.HeaderXRequestID) == "" || res.Header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s %s: missing request ID or secure headers: %v", c.rq.method, c.rq.path, res.Header)
		}
	}
	if res := serve(t, e, req{method: http.MethodGet, path: "/healthz"}); res.Code != http.StatusOK {
		t.Errorf("healthz: %s", res)
	}
}

// failingStore is a store whose PostgreSQL is down.
type failingStore struct{ api.Store }

func (failingStore) Ping(context.Context) error { return errors.New("connection refused") }

// TestReadinessAndMetrics checks /readyz against the real backends and a failed one,
// and that /metrics counts requests by route template.
func TestReadinessAndMetrics(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2021)
	if res := h.serve(req{method: http.MethodGet, path: "/readyz"}); res.Code != http.StatusOK {
		t.Fatalf("readyz: %s", res)
	}
	down := api.New(api.Config{JWTSecret: secret, Province: "520000", Logger: h.cfg.Logger}, h.tc, failingStore{})
	res := serve(t, down, req{method: http.MethodGet, path: "/readyz"})
	var ready struct{ Checks map[string]string }
	res.decode(t, &ready)
	if res.Code != http.StatusServiceUnavailable || ready.Checks["postgres"] != "unreachable" || ready.Checks["temporal"] != "ok" {
		t.Fatalf("readyz with PostgreSQL down: %s", res)
	}

	reg := prometheus.NewRegistry()
	e := api.New(api.Config{JWTSecret: secret, Province: "520000", Logger: h.cfg.Logger, Registry: reg}, h.tc, h.st)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	serve(t, e, req{method: http.MethodGet, path: "/api/v1/campaigns/2021", token: admin})
	serve(t, e, req{method: http.MethodGet, path: "/api/v1/campaigns/2099", token: admin})
	serve(t, e, req{method: http.MethodGet, path: "/no/such/thing"})
	// A second API on the same registry (a restart in one process) shares the series.
	api.New(api.Config{JWTSecret: secret, Province: "520000", Logger: h.cfg.Logger, Registry: reg}, h.tc, h.st)
	m := serve(t, e, req{method: http.MethodGet, path: "/metrics"})
	for _, want := range []string{
		`selection_http_requests_total{method="GET",route="/api/v1/campaigns/:year",status="404"} 2`,
		`selection_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`selection_http_request_duration_seconds_bucket{method="GET",route="/api/v1/campaigns/:year",status="404",le="+Inf"} 2`,
	} {
		if !strings.Contains(string(m.Body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

// stubStore fails in chosen ways and keeps idempotency keys in memory, to check what
// the API makes of backend failures without breaking a real backend.
type stubStore struct {
	api.Store
	campaign func(ctx context.Context) error
	mu       sync.Mutex
	keys     map[string]*store.IdempotentResponse
	released int
}

func (s *stubStore) Campaign(ctx context.Context, province string, year int) (readmodel.CampaignView, error) {
	return readmodel.CampaignView{}, s.campaign(ctx)
}

func (s *stubStore) ReserveIdempotencyKey(_ context.Context, scope, key, hash string) (*store.IdempotentResponse, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.keys[scope+key]; ok {
		return r, false, nil
	}
	s.keys[scope+key] = &store.IdempotentResponse{RequestHash: hash}
	return nil, true, nil
}

func (s *stubStore) CompleteIdempotencyKey(_ context.Context, scope, key string, status int, body []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.keys[scope+key].Status, s.keys[scope+key].Body = status, body
	return nil
}

func (s *stubStore) ReleaseIdempotencyKey(_ context.Context, scope, key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.keys, scope+key)
	s.released++
	return nil
}

// TestBackendFailures checks the 5xx side of the error handler: internals are logged
// with the request ID and never shown, an unreachable backend is a 503, the request
// deadline a 504, and a failed keyed request releases its key so a retry runs again.
func TestBackendFailures(t *testing.T) {
	var logs bytes.Buffer
	st := &stubStore{keys: map[string]*store.IdempotentResponse{}}
	e := api.New(api.Config{JWTSecret: secret, Province: "520000", RequestTimeout: 200 * time.Millisecond,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))}, nil, st)
	admin := token(t, domain.RoleAdmin, "520000", "admin-chen")

	st.campaign = func(context.Context) error { return errors.New("pq: relation campaigns is secret") }
	keyed := req{method: http.MethodPost, path: "/api/v1/campaigns/2016/notice", token: admin,
		header: map[string]string{api.HeaderIdempotencyKey: "k1"}}
	res := serve(t, e, keyed)
	b := res.errorBody(t)
	if res.Code != http.StatusInternalServerError || b.Error.Code != "internal" || strings.Contains(string(res.Body), "secret") {
		t.Fatalf("internal error: %s", res)
	}
	id := res.Header.Get(echo.HeaderXRequestID)
	if !strings.Contains(b.Error.Message, id) || !strings.Contains(logs.String(), "relation campaigns is secret") || !strings.Contains(logs.String(), id) {
		t.Fatalf("internal error not logged with request ID %s: %s", id, logs.String())
	}
	if st.released != 1 {
		t.Fatalf("a 500 must release the idempotency key; released %d", st.released)
	}
	// The retry runs again (and now finds the campaign missing: a 4xx, stored).
	st.campaign = func(context.Context) error { return store.ErrNotFound }
	if res := serve(t, e, keyed); res.Code != http.StatusNotFound || res.Header.Get(api.HeaderIdempotentReplayed) != "" {
		t.Fatalf("retry after a released key: %s", res)
	}
	if res := serve(t, e, keyed); res.Code != http.StatusNotFound || res.Header.Get(api.HeaderIdempotentReplayed) != "true" {
		t.Fatalf("second retry should replay the stored 404: %s", res)
	}

	st.campaign = func(context.Context) error {
		return &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	if res := serve(t, e, req{method: http.MethodGet, path: "/api/v1/campaigns/2016", token: admin}); res.Code != http.StatusServiceUnavailable || res.errorBody(t).Error.Code != "unavailable" {
		t.Fatalf("unreachable PostgreSQL: %s", res)
	}
	st.campaign = func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
	if res := serve(t, e, req{method: http.MethodGet, path: "/api/v1/campaigns/2016", token: admin}); res.Code != http.StatusGatewayTimeout || res.errorBody(t).Error.Code != "timeout" {
		t.Fatalf("request deadline: %s", res)
	}

	st.campaign = func(context.Context) error { panic("boom") }
	if res := serve(t, e, req{method: http.MethodGet, path: "/api/v1/campaigns/2016", token: admin}); res.Code != http.StatusInternalServerError || strings.Contains(string(res.Body), "boom") {
		t.Fatalf("panic: %s", res)
	}
	if !strings.Contains(logs.String(), "panic in handler") {
		t.Fatalf("panic not logged: %s", logs.String())
	}

	// One JSON line per request, naming route, status and actor.
	var line struct {
		RequestID string `json:"request_id"`
		Route     string `json:"route"`
		Status    int    `json:"status"`
		ActorSub  string `json:"actor_sub"`
		ActorRole string `json:"actor_role"`
	}
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if err := json.Unmarshal([]byte(lines[len(lines)-1]), &line); err != nil {
		t.Fatalf("log line: %v: %s", err, lines[len(lines)-1])
	}
	if line.Route != "/api/v1/campaigns/:year" || line.Status != http.StatusInternalServerError || line.ActorSub != "admin-chen" || line.ActorRole != "admin" || line.RequestID == "" {
		t.Fatalf("log line: %+v", line)
	}
}
