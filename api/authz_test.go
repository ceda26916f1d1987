package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
)

// TestAuthorizationMatrix checks R12 on every mutating route: each role, in its own
// region and in another, gets 403 (rule R12) or passes the jurisdiction check. Allowed
// callers are aimed at targets the campaign refuses for another reason (a county with
// no application, a phase not reached), so the matrix changes no state and every
// expected status is exact. Registration, the one route that must succeed, goes last.
func TestAuthorizationMatrix(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2017)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	h.openCampaign(admin, time.Hour, 2*time.Hour, "")

	// The target county 520111 (花溪区, prefecture 520100) never registers.
	const county, prefecture = "520111", "520100"
	actors := []struct {
		name, tok string
	}{
		{"county own", token(t, domain.RoleCounty, county, "c-own")},
		{"county other", token(t, domain.RoleCounty, "520102", "c-other")},
		{"prefecture own", token(t, domain.RolePrefecture, prefecture, "p-own")},
		{"prefecture other", token(t, domain.RolePrefecture, "520300", "p-other")},
		{"reviewer", token(t, domain.RoleReviewer, "520000", "rev")},
		{"reviewer outside province", token(t, domain.RoleReviewer, prefecture, "rev-bad")},
		{"admin", admin},
		{"admin outside province", token(t, domain.RoleAdmin, county, "admin-bad")},
		{"county token naming a prefecture", token(t, domain.RoleCounty, prefecture, "c-bad")},
	}
	const F = http.StatusForbidden
	app := h.appPath(county)
	type route struct {
		name, method, path string
		body               any
		want               map[string]int // by actor name; absent means 403
	}
	routes := []route{
		{"materials", http.MethodPut, app + "/materials", fullMaterials(),
			map[string]int{"county own": 404, "admin": 404}},
		{"submit", http.MethodPost, app + "/submit", nil,
			map[string]int{"county own": 404, "admin": 404}},
		{"self-apply", http.MethodPost, app + "/self-apply", map[string]string{"document_ref": "x"},
			map[string]int{"county own": 404, "admin": 404}},
		{"withdraw", http.MethodPost, app + "/withdraw", map[string]string{"reason": "x"},
			map[string]int{"county own": 404, "admin": 404}},
		{"scorecards", http.MethodPost, app + "/scorecards", map[string]any{"criteria": allCriteria(80)},
			map[string]int{"reviewer": 404, "admin": 404}},
		{"recommendation", http.MethodPost, h.campaignPath() + "/prefectures/" + prefecture + "/recommendation", map[string]any{"counties": []string{county}},
			map[string]int{"prefecture own": 409, "admin": 409}},
		{"ranking", http.MethodPost, h.campaignPath() + "/ranking", nil, map[string]int{"admin": 409}},
		{"notice", http.MethodPost, h.campaignPath() + "/notice", nil, map[string]int{"admin": 409}},
		{"promote", http.MethodPost, h.campaignPath() + "/reserve/promote", nil, map[string]int{"admin": 409}},
		{"resolution", http.MethodPost, h.campaignPath() + "/objections/2017-520111-1/resolution", map[string]string{"decision": "upheld"},
			map[string]int{"admin": 404}},
		{"objections list", http.MethodGet, h.campaignPath() + "/objections", nil, map[string]int{"admin": 200}},
		{"create campaign", http.MethodPost, "/api/v1/campaigns", campaignBody(2017, time.Now().Add(time.Hour), time.Now().Add(2*time.Hour), ""),
			map[string]int{"admin": 409}},
		{"register other county", http.MethodPost, h.campaignPath() + "/applications", map[string]string{"county": county},
			map[string]int{}}, // registers nothing: every caller below is refused or aims elsewhere
	}
	for _, r := range routes {
		// Without a token, every route but the public ones is 401.
		res := h.serve(req{method: r.method, path: r.path, body: r.body})
		if res.Code != http.StatusUnauthorized || res.errorBody(t).Error.Code != "unauthenticated" {
			t.Errorf("%s without token: %s", r.name, res)
		}
		for _, a := range actors {
			want, ok := r.want[a.name]
			if !ok {
				want = F
			}
			if r.name == "register other county" && (a.name == "county own" || a.name == "admin") {
				continue // allowed, registers: covered below
			}
			res := h.serve(req{method: r.method, path: r.path, token: a.tok, body: r.body})
			if res.Code != want {
				t.Errorf("%s by %s: want %d, got %s", r.name, a.name, want, res)
				continue
			}
			if want == F {
				if b := res.errorBody(t); b.Error.Code != "forbidden" || b.Error.Rule != "R12" {
					t.Errorf("%s by %s: want forbidden R12, got %s", r.name, a.name, res)
				}
			}
		}
	}

	// Reads: any valid official; no token is 401; an inconsistent token is 403.
	reads := []string{
		h.campaignPath(), h.campaignPath() + "/timeline", h.campaignPath() + "/applications",
		h.campaignPath() + "/applications?prefecture=520100&state=registered", h.campaignPath() + "/ranking",
	}
	for _, p := range reads {
		for _, a := range actors {
			want := http.StatusOK
			switch a.name {
			case "reviewer outside province", "admin outside province", "county token naming a prefecture":
				want = F
			}
			if res := h.serve(req{method: http.MethodGet, path: p, token: a.tok}); res.Code != want {
				t.Errorf("GET %s by %s: want %d, got %s", p, a.name, want, res)
			}
		}
		if res := h.serve(req{method: http.MethodGet, path: p}); res.Code != http.StatusUnauthorized {
			t.Errorf("GET %s without token: %s", p, res)
		}
	}
	// The public routes need no token.
	h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.campaignPath() + "/notice"})
	h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodPost, path: app + "/objections", body: map[string]string{"reason": "x"}})

	// Registration: own county and admin succeed; then the application is readable by
	// every official, including the prefecture (a prefecture may read any application).
	h.must(http.StatusCreated, req{method: http.MethodPost, path: h.campaignPath() + "/applications", token: actors[0].tok, body: map[string]string{"county": county}})
	h.must(http.StatusCreated, req{method: http.MethodPost, path: h.campaignPath() + "/applications", token: admin, body: map[string]string{"county": "520102"}})
	for _, a := range actors {
		want := http.StatusOK
		switch a.name {
		case "reviewer outside province", "admin outside province", "county token naming a prefecture":
			want = F
		}
		for _, p := range []string{app, app + "/timeline", h.appPath("520102")} {
			if res := h.serve(req{method: http.MethodGet, path: p, token: a.tok}); res.Code != want {
				t.Errorf("GET %s by %s: want %d, got %s", p, a.name, want, res)
			}
		}
	}
	// Now the county's own official passes on its application, another county does not.
	h.must(http.StatusOK, req{method: http.MethodPut, path: app + "/materials", token: actors[0].tok, body: fullMaterials()})
	h.refused(F, "forbidden", "R12", req{method: http.MethodPut, path: app + "/materials", token: actors[1].tok, body: fullMaterials()})
	h.refused(F, "forbidden", "R12", req{method: http.MethodPost, path: app + "/submit", token: actors[2].tok})
}
