package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// secret signs every token of the tests.
var secret = apitest.Secret

// shanghai is the offset the notice's dates are written in.
var shanghai = domain.Shanghai

func TestMain(m *testing.M) {
	code := m.Run()
	apitest.Stop()
	os.Exit(code)
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
	s := apitest.NewServer(t, year, configure...)
	return &harness{t: t, e: s.Handler, st: s.Store, tc: s.Temporal, year: year, cfg: s.Config}
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
	return apitest.Token(t, role, region, sub)
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
	return api.New(api.Config{JWTSecret: secret, Province: "520000", Logger: slog.New(slog.DiscardHandler)}, nil, nil)
}
