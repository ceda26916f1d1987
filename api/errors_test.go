package api_test

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
)

// TestEveryErrorCode produces each error code of API.md through HTTP and checks the
// body shape {"error":{"code","message","rule"}} with the rule that refused it.
func TestEveryErrorCode(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2018)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	zunyi := token(t, domain.RolePrefecture, "520300", "zunyi")
	tongzi := token(t, domain.RoleCounty, "520322", "tongzi")
	renhuai := token(t, domain.RoleCounty, "520382", "renhuai")
	h.openCampaign(admin, 4*time.Second, time.Hour, "")
	apps := h.campaignPath() + "/applications"
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}

	t.Run("bad_request", func(t *testing.T) {
		h := *h
		h.t = t
		for name, body := range map[string]any{
			"malformed JSON":  `{"county":`,
			"unknown field":   `{"county":"520322","extra":1}`,
			"wrong type":      `{"county":520322}`,
			"not an object":   `["520322"]`,
			"null":            `null`,
			"trailing data":   `{"county":"520322"} {}`,
			"bad county code": `{"county":"5203"}`,
			"missing county":  `{}`,
			"name in caps":    `{"County":"520322"}`,
		} {
			b := h.refused(http.StatusBadRequest, "bad_request", "", post(apps, admin, body))
			if b.Error.Message == "" {
				t.Errorf("%s: empty message", name)
			}
		}
		h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodGet, path: "/api/v1/campaigns/20x6", token: admin})
		h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodGet, path: h.appPath("52032"), token: admin})
		h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodGet, path: apps + "?state=sleeping", token: admin})
		h.refused(http.StatusBadRequest, "bad_request", "", post(h.campaignPath()+"/prefectures/520300/recommendation?validate_only=maybe", zunyi, map[string]any{"counties": []string{"520322"}}))
		h.refused(http.StatusBadRequest, "bad_request", "", post(h.appPath("520322")+"/withdraw", tongzi, `{"reason":"a\u0000b"}`))
		h.refused(http.StatusBadRequest, "bad_request", "", post(h.appPath("520322")+"/submit", tongzi, `{"force":true}`))
		h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodPut, path: h.appPath("520322") + "/materials", token: tongzi,
			body: `{"items":{"3":{"Copies":3}}}`})
		long := req{method: http.MethodPost, path: apps, token: tongzi, body: map[string]string{"county": "520322"},
			header: map[string]string{api.HeaderIdempotencyKey: strings.Repeat("k", 129)}}
		h.refused(http.StatusBadRequest, "bad_request", "", long)

		body := campaignBody(2040, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "")
		body["quota"] = 0
		h.refused(http.StatusBadRequest, "bad_request", "R1", post("/api/v1/campaigns", admin, body))
		body = campaignBody(2040, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "7 days")
		h.refused(http.StatusBadRequest, "bad_request", "R14", post("/api/v1/campaigns", admin, body))
		body = campaignBody(2040, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "")
		body["weights"] = map[string]float64{"charisma": 1}
		h.refused(http.StatusBadRequest, "bad_request", "R7a", post("/api/v1/campaigns", admin, body))
		body = campaignBody(2040, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "")
		body["recommendation_deadline"] = "2016-08-32" // a date is a deadline since R14, a 32nd is not
		h.refused(http.StatusBadRequest, "bad_request", "R14", post("/api/v1/campaigns", admin, body))
	})

	t.Run("unauthenticated", func(t *testing.T) {
		h := *h
		h.t = t
		sign := func(method jwt.SigningMethod, key any, claims jwt.Claims) string {
			s, err := jwt.NewWithClaims(method, claims).SignedString(key)
			if err != nil {
				t.Fatal(err)
			}
			return s
		}
		exp := jwt.NewNumericDate(time.Now().Add(time.Hour))
		claims := func(sub string, e *jwt.NumericDate) api.Claims {
			return api.Claims{Role: domain.RoleAdmin, Region: "520000", RegisteredClaims: jwt.RegisteredClaims{Subject: sub, ExpiresAt: e}}
		}
		tokens := map[string]string{
			"garbage":      "not-a-jwt",
			"expired":      sign(jwt.SigningMethodHS256, secret, claims("a", jwt.NewNumericDate(time.Now().Add(-time.Minute)))),
			"no exp":       sign(jwt.SigningMethodHS256, secret, claims("a", nil)),
			"no sub":       sign(jwt.SigningMethodHS256, secret, claims("", exp)),
			"wrong secret": sign(jwt.SigningMethodHS256, []byte("another secret"), claims("a", exp)),
			"HS512":        sign(jwt.SigningMethodHS512, secret, claims("a", exp)),
			"alg none":     sign(jwt.SigningMethodNone, jwt.UnsafeAllowNoneSignatureType, claims("a", exp)),
		}
		h.refused(http.StatusUnauthorized, "unauthenticated", "", req{method: http.MethodGet, path: h.campaignPath()})
		for name, tok := range tokens {
			res := h.serve(req{method: http.MethodGet, path: h.campaignPath(), token: tok})
			if res.Code != http.StatusUnauthorized || res.errorBody(t).Error.Code != "unauthenticated" {
				t.Errorf("%s token: %s", name, res)
			}
			if res.Header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s token: no WWW-Authenticate header", name)
			}
		}
	})

	t.Run("forbidden", func(t *testing.T) {
		h := *h
		h.t = t
		h.refused(http.StatusForbidden, "forbidden", "R12", post(apps, tongzi, map[string]string{"county": "520323"}))
		h.refused(http.StatusForbidden, "forbidden", "R12", post(h.campaignPath()+"/prefectures/520100/recommendation", zunyi, map[string]any{"counties": []string{"520102"}}))
	})

	t.Run("not_found", func(t *testing.T) {
		h := *h
		h.t = t
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: "/api/v1/campaigns/2999", token: admin})
		h.refused(http.StatusNotFound, "not_found", "", post("/api/v1/campaigns/2999/applications", admin, map[string]string{"county": "520322"}))
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: "/api/v1/campaigns/2999/notice"})
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.appPath("520329"), token: admin})
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.appPath("520329") + "/timeline", token: admin})
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: "/api/v1/no/such/route"})
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.campaignPath() + "/objections/2018-520322-9", token: admin})
	})

	t.Run("method_not_allowed", func(t *testing.T) {
		h := *h
		h.t = t
		res := h.serve(req{method: http.MethodDelete, path: h.campaignPath(), token: admin})
		if res.Code != http.StatusMethodNotAllowed || res.errorBody(t).Error.Code != "method_not_allowed" || res.Header.Get("Allow") == "" {
			t.Errorf("DELETE campaign: %s (Allow %q)", res, res.Header.Get("Allow"))
		}
	})

	t.Run("payload_too_large", func(t *testing.T) {
		h := *h
		h.t = t
		big := `{"county":"` + strings.Repeat("x", 2<<20) + `"}`
		h.refused(http.StatusRequestEntityTooLarge, "payload_too_large", "", post(apps, tongzi, big))
		// Without a Content-Length the limit is enforced while reading.
		r := httptest.NewRequest(http.MethodPost, apps, bytes.NewReader([]byte(big)))
		r.ContentLength = -1
		r.Header.Set("Authorization", "Bearer "+tongzi)
		w := httptest.NewRecorder()
		h.e.ServeHTTP(w, r)
		if w.Code != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked 2 MiB body: %d %s", w.Code, w.Body)
		}
	})

	// Refusals of the rules, before the recommendation deadline.
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", post(apps, admin, map[string]string{"county": "520123"}))
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", post(apps, admin, map[string]string{"county": "520100"}))
	h.refused(http.StatusUnprocessableEntity, "over_cap", "R3", post(h.campaignPath()+"/prefectures/520300/recommendation?validate_only=true", zunyi,
		map[string]any{"counties": []string{"520322", "520323", "520324"}}))
	h.must(http.StatusCreated, post(apps, tongzi, map[string]string{"county": "520322"}))
	h.refused(http.StatusConflict, "conflict", "", post(apps, tongzi, map[string]string{"county": "520322"}))
	h.refused(http.StatusConflict, "conflict", "R1", post("/api/v1/campaigns", admin, campaignBody(h.year, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), "")))
	h.refused(http.StatusUnprocessableEntity, "materials_incomplete", "R6", post(h.appPath("520322")+"/submit", tongzi, nil))
	h.must(http.StatusCreated, post(apps, renhuai, map[string]string{"county": "520382"}))
	h.refused(http.StatusConflict, "invalid_state", "R4", post(h.appPath("520382")+"/self-apply", renhuai, map[string]string{"document_ref": "x"}))
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath("520322") + "/materials", token: tongzi, body: fullMaterials()})
	h.must(http.StatusOK, post(h.appPath("520322")+"/submit", tongzi, nil))
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R4", post(h.appPath("520322")+"/self-apply", tongzi, nil))
	h.refused(http.StatusConflict, "conflict", "R8", post(h.appPath("520322")+"/scorecards", admin, map[string]any{"criteria": allCriteria(50)}))

	// After the recommendation deadline (R5).
	apitest.Eventually(t, 15*time.Second, "recommendation deadline", func() (bool, string) {
		v := h.campaign(admin)
		return v.Phase == domain.PhaseReviewing, string(v.Phase)
	})
	h.refused(http.StatusConflict, "deadline_passed", "R5", post(h.campaignPath()+"/prefectures/520300/recommendation", zunyi, map[string]any{"counties": []string{"520322"}}))
	h.refused(http.StatusConflict, "deadline_passed", "R5", req{method: http.MethodPut, path: h.appPath("520382") + "/materials", token: renhuai, body: fullMaterials()})
	h.refused(http.StatusConflict, "invalid_state", "", post(h.appPath("520322")+"/withdraw", tongzi, nil))

	// Public objections are rate-limited per client address.
	limited := api.New(api.Config{JWTSecret: secret, Province: "520000", ObjectionRate: 0.001, ObjectionBurst: 1, Logger: h.cfg.Logger}, h.tc, h.st)
	objection := req{method: http.MethodPost, path: h.appPath("520322") + "/objections", body: map[string]string{"reason": "x"}, remote: "198.51.100.7:4000"}
	if res := serve(t, limited, objection); res.Code != http.StatusConflict {
		t.Fatalf("first objection: %s", res)
	}
	res := serve(t, limited, objection)
	if res.Code != http.StatusServiceUnavailable || res.errorBody(t).Error.Code != "rate_limited" {
		t.Fatalf("second objection: %s", res)
	}
	objection.remote = "198.51.100.8:4000"
	if res := serve(t, limited, objection); res.Code != http.StatusConflict {
		t.Fatalf("objection from another address: %s", res)
	}
}
