package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// TestOpenAPIDocumentsEveryRoute keeps GET /api/v1/openapi.json in step with the
// router: every registered route is documented, and every documented operation exists.
func TestOpenAPIDocumentsEveryRoute(t *testing.T) {
	e := offline(t)
	res := serve(t, e, req{method: http.MethodGet, path: "/api/v1/openapi.json"})
	if res.Code != http.StatusOK {
		t.Fatalf("openapi.json: %s", res)
	}
	var doc struct {
		OpenAPI string                                `json:"openapi"`
		Paths   map[string]map[string]json.RawMessage `json:"paths"`
	}
	res.decode(t, &doc)
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	param := regexp.MustCompile(`:([a-z_]+)`)
	routed := map[string]bool{}
	for _, r := range e.Routes() {
		if r.Method == echo.RouteNotFound {
			continue
		}
		p := param.ReplaceAllString(r.Path, "{$1}")
		m := strings.ToLower(r.Method)
		routed[m+" "+p] = true
		if _, ok := doc.Paths[p][m]; !ok {
			t.Errorf("route %s %s is missing from openapi.json", r.Method, p)
		}
	}
	for p, ops := range doc.Paths {
		for m := range ops {
			if m == "parameters" {
				continue
			}
			if !routed[m+" "+p] {
				t.Errorf("openapi.json documents %s %s, which is not routed", strings.ToUpper(m), p)
			}
		}
	}
}
