package api_test

import (
	"encoding/json"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
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

// TestOpenAPIDocumentsPaging keeps the document's page sizes those of the code, and
// every operation answering a paged list (a schema with next_cursor) documents limit
// and cursor.
func TestOpenAPIDocumentsPaging(t *testing.T) {
	res := serve(t, offline(t), req{method: http.MethodGet, path: "/api/v1/openapi.json"})
	type ref struct {
		Ref string `json:"$ref"`
	}
	var doc struct {
		Paths map[string]map[string]struct {
			Parameters []ref `json:"parameters"`
			Responses  map[string]struct {
				Content map[string]struct {
					Schema ref `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
		Components struct {
			Parameters map[string]json.RawMessage `json:"parameters"`
			Schemas    map[string]struct {
				Properties map[string]json.RawMessage `json:"properties"`
			} `json:"schemas"`
		} `json:"components"`
	}
	res.decode(t, &doc)
	var limit struct {
		Description string `json:"description"`
		Schema      struct {
			Minimum, Maximum, Default int
		} `json:"schema"`
	}
	if err := json.Unmarshal(doc.Components.Parameters["limit"], &limit); err != nil {
		t.Fatalf("parameter limit: %v", err)
	}
	if limit.Schema.Minimum != 1 || limit.Schema.Maximum != api.MaxLimit || limit.Schema.Default != api.DefaultLimit {
		t.Errorf("limit is documented as %d..%d default %d; the code pages 1..%d default %d",
			limit.Schema.Minimum, limit.Schema.Maximum, limit.Schema.Default, api.MaxLimit, api.DefaultLimit)
	}
	for _, n := range []int{api.MaxLimit, api.DefaultLimit} {
		if !strings.Contains(limit.Description, strconv.Itoa(n)) {
			t.Errorf("limit's description %q does not say %d", limit.Description, n)
		}
	}
	paged := 0
	for p, ops := range doc.Paths {
		op, ok := ops["get"]
		if !ok {
			continue
		}
		schema := strings.TrimPrefix(op.Responses["200"].Content["application/json"].Schema.Ref, "#/components/schemas/")
		if _, ok := doc.Components.Schemas[schema].Properties["next_cursor"]; !ok {
			continue
		}
		paged++
		for _, want := range []string{"limit", "cursor"} {
			if !slices.Contains(op.Parameters, ref{"#/components/parameters/" + want}) {
				t.Errorf("GET %s answers a page (%s) but does not document ?%s=", p, schema, want)
			}
		}
	}
	if paged < 4 {
		t.Errorf("%d operations answer a paged list; want at least applications, both timelines and objections", paged)
	}
}
