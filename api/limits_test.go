package api_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// oneCampaign is a read model holding the 2016 campaign and nothing else: enough for
// the routes to pass authentication and jurisdiction and reach what a test probes,
// without Temporal (a request that gets further panics on the nil client: a 500).
type oneCampaign struct{ api.Store }

func (oneCampaign) Campaign(_ context.Context, _ string, year int) (readmodel.CampaignView, error) {
	if year != 2016 {
		return readmodel.CampaignView{}, store.ErrNotFound
	}
	return readmodel.CampaignView{Year: 2016, Province: "520000", Phase: domain.PhaseReviewing}, nil
}

func limitsAPI(t *testing.T, configure func(*api.Config)) *echo.Echo {
	t.Helper()
	cfg := api.Config{JWTSecret: secret, Province: "520000", Logger: slog.New(slog.DiscardHandler)}
	if configure != nil {
		configure(&cfg)
	}
	return api.New(cfg, nil, oneCampaign{})
}

// TestBodyLimitIsOneMiB: API.md's "over 1 MiB → 413" means 1,048,576 bytes, with and
// without a Content-Length.
func TestBodyLimitIsOneMiB(t *testing.T) {
	e := limitsAPI(t, nil)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	body := func(size int) []byte {
		const head, tail = `{"province":"`, `"}`
		return []byte(head + strings.Repeat("x", size-len(head)-len(tail)) + tail)
	}
	for _, chunked := range []bool{false, true} {
		for size, want := range map[int]int{
			1 << 20:     http.StatusForbidden, // read whole: the province is not the admin's (R12)
			1<<20 + 1:   http.StatusRequestEntityTooLarge,
			2 << 20:     http.StatusRequestEntityTooLarge,
			1<<20 - 100: http.StatusForbidden,
		} {
			r := httptest.NewRequest(http.MethodPost, "/api/v1/campaigns", bytes.NewReader(body(size)))
			if chunked {
				r.ContentLength = -1
			}
			r.Header.Set(echo.HeaderAuthorization, "Bearer "+admin)
			r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
			w := httptest.NewRecorder()
			e.ServeHTTP(w, r)
			res := response{Code: w.Code, Body: w.Body.Bytes(), Header: w.Header()}
			if res.Code != want {
				t.Errorf("%d-byte body (chunked %v): want %d, got %.300s", size, chunked, want, res)
				continue
			}
			if want == http.StatusRequestEntityTooLarge && res.errorBody(t).Error.Code != "payload_too_large" {
				t.Errorf("%d-byte body (chunked %v): %s", size, chunked, res)
			}
		}
	}
}

// TestErrorBodiesQuoteOnlyAnExcerpt sends a megabyte of input wherever a refusal names
// its input — field names, values, path segments, query parameters, rule checks — and
// requires a short error body that still names it.
func TestErrorBodiesQuoteOnlyAnExcerpt(t *testing.T) {
	e := limitsAPI(t, nil)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	reviewer := token(t, domain.RoleReviewer, "520000", "reviewer")
	huge := strings.Repeat("x", 1<<19)
	criteria := allCriteria(50)
	criteria[huge] = 1
	for name, rq := range map[string]req{
		"unknown field":        {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"` + huge + `":1}`},
		"unknown nested field": {method: http.MethodPut, path: "/api/v1/campaigns/2016/applications/520322/materials", token: admin, body: `{"items":{"3":{"` + huge + `":1}}}`},
		"wrong type":           {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"year":1` + strings.Repeat("0", 1<<19) + `}`},
		"bad query value":      {method: http.MethodGet, path: "/api/v1/campaigns/2016/applications?state=" + huge, token: admin},
		"bad query flag":       {method: http.MethodPost, path: "/api/v1/campaigns/2016/prefectures/520300/recommendation?validate_only=" + huge, token: admin, body: `{}`},
		"bad path year":        {method: http.MethodGet, path: "/api/v1/campaigns/" + huge, token: admin},
		"bad path county":      {method: http.MethodGet, path: "/api/v1/campaigns/2016/applications/" + huge, token: admin},
		"foreign province":     {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"province":"` + huge + `"}`},
		"bad publicity period": {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"publicity_period":"` + huge + `"}`},
		"unknown criterion":    {method: http.MethodPost, path: "/api/v1/campaigns/2016/applications/520322/scorecards", token: reviewer, body: map[string]any{"criteria": criteria}},
	} {
		res := serve(t, e, rq)
		b := res.errorBody(t)
		if res.Code != http.StatusBadRequest && res.Code != http.StatusForbidden {
			t.Errorf("%s: want a 400 or 403 refusal, got %.300s", name, res)
		}
		if len(res.Body) >= 1024 {
			t.Errorf("%s: %d-byte error body: %.300s…", name, len(res.Body), res.Body)
		}
		if strings.Contains(b.Error.Message, "xxx") && !strings.Contains(b.Error.Message, strings.Repeat("x", domain.MaxExcerpt)+"…") {
			t.Errorf("%s: the message should quote a %d-character excerpt: %s", name, domain.MaxExcerpt, b.Error.Message)
		}
	}
}

// TestObjectionRateLimitSaysWhenToRetry: an exhausted bucket is a 503 with the error
// body of API.md and a Retry-After computed from the limiter (one objection per 10 s
// here), and the refused request takes nothing from the bucket.
func TestObjectionRateLimitSaysWhenToRetry(t *testing.T) {
	e := limitsAPI(t, func(c *api.Config) { c.ObjectionRate, c.ObjectionBurst = 0.1, 1 })
	objection := req{method: http.MethodPost, path: "/api/v1/campaigns/2099/applications/520322/objections", body: map[string]string{"reason": "x"}, remote: "198.51.100.7:4000"}
	if res := serve(t, e, objection); res.Code != http.StatusNotFound {
		t.Fatalf("first objection should pass the limit (and find no campaign 2099): %s", res)
	}
	for range 3 {
		res := serve(t, e, objection)
		if res.Code != http.StatusServiceUnavailable || res.errorBody(t).Error.Code != "rate_limited" {
			t.Fatalf("objection over the limit: %s", res)
		}
		if got := res.Header.Get("Retry-After"); got != "10" {
			t.Fatalf("Retry-After %q, want 10 (seconds until the bucket holds a token)", got)
		}
	}
}

// TestClientAddressTrustsOnlyConfiguredProxies: X-Forwarded-For is ignored unless the
// connection comes from a configured proxy (private networks included), and the
// client prefix makes neighbouring addresses share a bucket.
func TestClientAddressTrustsOnlyConfiguredProxies(t *testing.T) {
	objection := func(remote, xff string) req {
		r := req{method: http.MethodPost, path: "/api/v1/campaigns/2099/applications/520322/objections", body: map[string]string{"reason": "x"}, remote: remote}
		if xff != "" {
			r.header = map[string]string{echo.HeaderXForwardedFor: xff}
		}
		return r
	}
	type step struct {
		remote, xff string
		limited     bool
	}
	for name, tt := range map[string]struct {
		configure func(*api.Config)
		steps     []step
	}{
		"no trusted proxy: the header is ignored": {nil, []step{
			{"198.51.100.7:4000", "203.0.113.1", false},
			{"198.51.100.7:4001", "203.0.113.2", true},
			{"10.0.0.1:4000", "203.0.113.3", false},
			{"10.0.0.1:4000", "203.0.113.4", true},
		}},
		"trusted proxy: the client it names": {func(c *api.Config) {
			c.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:ffff::/48")}
		}, []step{
			{"10.1.2.3:4000", "203.0.113.1", false},
			{"10.9.9.9:4000", "203.0.113.1", true},
			{"10.1.2.3:4000", "203.0.113.2", false},
			{"[2001:db8:ffff::1]:4000", "203.0.113.3", false},
			{"10.1.2.3:4000", "203.0.113.4, 10.7.7.7", false},
			{"10.1.2.3:4000", "203.0.113.4", true},
			// Not a configured proxy, private or not: its header is the client's word.
			{"192.168.1.1:4000", "203.0.113.5", false},
			{"192.168.1.1:4000", "203.0.113.6", true},
			{"198.51.100.9:4000", "203.0.113.7", false},
			{"198.51.100.9:4000", "203.0.113.8", true},
		}},
		"default prefix: one IPv4 address, one IPv6 /64": {nil, []step{
			{"198.51.100.7:4000", "", false},
			{"198.51.100.8:4000", "", false},
			{"[2001:db8:1:2::1]:4000", "", false},
			{"[2001:db8:1:2:ffff::9]:4000", "", true},
			{"[2001:db8:1:3::1]:4000", "", false},
		}},
		"wider prefix: a /24 shares one bucket": {func(c *api.Config) { c.ClientPrefix = api.ClientPrefix{IPv4: 24, IPv6: 48} }, []step{
			{"198.51.100.7:4000", "", false},
			{"198.51.100.200:4000", "", true},
			{"198.51.101.7:4000", "", false},
			{"[2001:db8:1:2::1]:4000", "", false},
			{"[2001:db8:1:3::1]:4000", "", true},
		}},
	} {
		t.Run(name, func(t *testing.T) {
			e := limitsAPI(t, func(c *api.Config) {
				c.ObjectionRate, c.ObjectionBurst = 0.001, 1
				if tt.configure != nil {
					tt.configure(c)
				}
			})
			for i, s := range tt.steps {
				res := serve(t, e, objection(s.remote, s.xff))
				if limited := res.Code == http.StatusServiceUnavailable; limited != s.limited {
					t.Errorf("step %d from %s (X-Forwarded-For %q): limited %v, want %v: %s", i+1, s.remote, s.xff, limited, s.limited, res)
				}
			}
		})
	}
}

// TestNullIsNoValue: null where the API expects a number (a criterion, a weight) or
// any other plain value is a 400, not a silent 0.
func TestNullIsNoValue(t *testing.T) {
	e := limitsAPI(t, nil)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	reviewer := token(t, domain.RoleReviewer, "520000", "reviewer")
	card := func(nulled string) string {
		var parts []string
		for _, c := range domain.Criteria {
			v := "80"
			if c == nulled {
				v = "null"
			}
			parts = append(parts, fmt.Sprintf("%q:%s", c, v))
		}
		return `{"criteria":{` + strings.Join(parts, ",") + `}}`
	}
	scorecards := "/api/v1/campaigns/2016/applications/520322/scorecards"
	for name, rq := range map[string]req{
		"null criterion":      {method: http.MethodPost, path: scorecards, token: reviewer, body: card("organization")},
		"null last criterion": {method: http.MethodPost, path: scorecards, token: reviewer, body: card("other")},
		"null comment":        {method: http.MethodPost, path: scorecards, token: reviewer, body: `{"criteria":{},"comment":null}`},
		"null weight":         {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"weights":{"logistics":null}}`},
		"null national score": {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"national_scores":{"520328":null}}`},
		"null year":           {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"year":null}`},
		"null in a list":      {method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"excluded":[null]}`},
	} {
		res := serve(t, e, rq)
		if res.Code != http.StatusBadRequest || res.errorBody(t).Error.Code != "bad_request" || !strings.Contains(res.errorBody(t).Error.Message, "null") {
			t.Errorf("%s: want 400 bad_request naming the null, got %s", name, res)
		}
	}
	// null stays "absent" where Go has a none: an omitted list or map.
	res := serve(t, e, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: `{"province":"110000","excluded":null,"national_scores":null,"weights":null}`})
	if res.Code != http.StatusForbidden {
		t.Errorf("null lists and maps: want the R12 refusal of a foreign province, got %s", res)
	}
}
