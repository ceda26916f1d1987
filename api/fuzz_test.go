package api_test

import (
	"bytes"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
)

// fuzzRoute is a mutating route aimed, with an authorized caller, at a target the
// campaign refuses whatever the body says: the fixture's campaign is past its
// recommendation deadline, 520102 has expired and 520382 waits for review without a
// scorecard. Any body must therefore be refused with a 4xx and change nothing.
type fuzzRoute struct {
	method, path, tok string
}

// FuzzRequestBodies posts arbitrary bodies to every mutating route and requires that
// nothing answers 5xx and nothing changes the campaign: malformed input must be refused
// at the edge or by a validator, never reach a handler that half-applies it. The seed
// corpus in testdata/fuzz/FuzzRequestBodies runs in every `go test`.
func FuzzRequestBodies(f *testing.F) {
	h := newHarness(f, 2020)
	admin := token(f, domain.RoleAdmin, "520000", "admin")
	reviewer := token(f, domain.RoleReviewer, "520000", "reviewer")
	zunyi := token(f, domain.RolePrefecture, "520300", "zunyi")
	nanming := token(f, domain.RoleCounty, "520102", "nanming")
	renhuai := token(f, domain.RoleCounty, "520382", "renhuai")

	h.openCampaign(admin, 3*time.Second, time.Hour, "")
	apps := h.campaignPath() + "/applications"
	h.must(http.StatusCreated, req{method: http.MethodPost, path: apps, token: admin, body: map[string]string{"county": "520102"}})
	h.must(http.StatusCreated, req{method: http.MethodPost, path: apps, token: renhuai, body: map[string]string{"county": "520382"}})
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath("520382") + "/materials", token: renhuai, body: fullMaterials()})
	h.must(http.StatusOK, req{method: http.MethodPost, path: h.appPath("520382") + "/submit", token: renhuai})
	h.must(http.StatusOK, req{method: http.MethodPost, path: h.appPath("520382") + "/self-apply", token: renhuai})
	apitest.Eventually(f, 15*time.Second, "recommendation deadline", func() (bool, string) {
		v := h.campaign(admin)
		return v.Phase == domain.PhaseReviewing, string(v.Phase)
	})

	routes := []fuzzRoute{
		{http.MethodPost, "/api/v1/campaigns", admin},
		{http.MethodPost, apps, admin},
		{http.MethodPut, h.appPath("520102") + "/materials", admin},
		{http.MethodPost, h.appPath("520102") + "/submit", nanming},
		{http.MethodPost, h.appPath("520382") + "/self-apply", renhuai},
		{http.MethodPost, h.campaignPath() + "/prefectures/520300/recommendation", zunyi},
		{http.MethodPost, h.campaignPath() + "/prefectures/520300/recommendation?validate_only=true", zunyi},
		{http.MethodPost, h.appPath("520102") + "/withdraw", nanming},
		{http.MethodPost, h.appPath("520102") + "/scorecards", reviewer},
		{http.MethodPost, h.campaignPath() + "/ranking", admin},
		{http.MethodPost, h.campaignPath() + "/notice", admin},
		{http.MethodPost, h.appPath("520382") + "/objections", ""},
		{http.MethodPost, h.campaignPath() + "/objections/2020-520382-1/resolution", admin},
		{http.MethodPost, h.campaignPath() + "/reserve/promote", admin},
	}
	snapshot := func(t testing.TB) []byte {
		return serve(t, h.e, req{method: http.MethodGet, path: h.campaignPath(), token: admin}).Body
	}
	before := snapshot(f)

	f.Fuzz(func(t *testing.T, route uint8, body []byte) {
		r := routes[int(route)%len(routes)]
		if r.path == "/api/v1/campaigns" {
			// Decoded the way the API decodes it (case-insensitive names, last key
			// wins): a valid body for another year would open a campaign in the shared
			// Temporal server, which no fuzzer should do.
			var y struct {
				Year int `json:"year"`
			}
			if json.Unmarshal(body, &y) == nil && y.Year != 0 && y.Year != h.year {
				t.Skip("body would open another year's campaign")
			}
		}
		res := serve(t, h.e, req{method: r.method, path: r.path, token: r.tok, body: body})
		if res.Code >= 500 || res.Code < 400 {
			t.Fatalf("%s %s with %q: want a 4xx refusal, got %s", r.method, r.path, body, res)
		}
		var b errorBody
		if err := json.Unmarshal(res.Body, &b); err != nil || b.Error.Code == "" || b.Error.Message == "" {
			t.Fatalf("%s %s with %q: not an error body: %s", r.method, r.path, body, res)
		}
		if after := snapshot(t); !bytes.Equal(before, after) {
			t.Fatalf("%s %s with %q changed the campaign:\nbefore %s\nafter  %s", r.method, r.path, body, before, after)
		}
	})
}
