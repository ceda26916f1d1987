package api

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// openapiSource is the document as written: the routes of API.md under /api/v1.
//
//go:embed openapi.json
var openapiSource []byte

// openapiJSON is the document the server publishes: the source plus, for every campaign
// route, its twin under /provinces/{province} (issue 14), derived here so the two can
// never drift apart.
var openapiJSON = mustWithProvinceRoutes(openapiSource)

// OpenAPIDocument returns the OpenAPI 3 document GET /api/v1/openapi.json serves, for
// the reference rendered from it (docs/http.md).
func OpenAPIDocument() []byte { return slices.Clone(openapiJSON) }

// provinceParameter is the {province} path parameter of the province routes.
var provinceParameter = map[string]any{
	"name": "province", "in": "path", "required": true,
	"description": "The province's GB/T 2260 code (e.g. 410000). The routes without it serve the deployment's province (the PROVINCE setting).",
	"schema":      map[string]any{"type": "string", "pattern": "^[0-9]{6}$"},
}

func mustWithProvinceRoutes(src []byte) []byte {
	out, err := withProvinceRoutes(src)
	if err != nil {
		panic(fmt.Sprintf("api: openapi.json: %v", err))
	}
	return out
}

// withProvinceRoutes adds to the document, for every path under /api/v1/campaigns, the
// same operations under /api/v1/provinces/{province}/campaigns with the province as
// their first parameter and operation IDs of their own.
func withProvinceRoutes(src []byte) ([]byte, error) {
	var doc map[string]any
	if err := json.Unmarshal(src, &doc); err != nil {
		return nil, err
	}
	paths, ok := doc["paths"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no paths")
	}
	components, ok := doc["components"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no components")
	}
	params, ok := components["parameters"].(map[string]any)
	if !ok {
		return nil, fmt.Errorf("no components.parameters")
	}
	params["province"] = provinceParameter
	const campaigns = BasePath + "/campaigns"
	for _, p := range slices.Sorted(maps.Keys(paths)) {
		if p != campaigns && !strings.HasPrefix(p, campaigns+"/") {
			continue
		}
		var item map[string]any
		if err := deepCopy(paths[p], &item); err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		for method, raw := range item {
			op, ok := raw.(map[string]any)
			if !ok {
				continue
			}
			if id, ok := op["operationId"].(string); ok {
				op["operationId"] = id + "InProvince"
			}
			list, _ := op["parameters"].([]any)
			op["parameters"] = append([]any{map[string]any{"$ref": "#/components/parameters/province"}}, list...)
			desc, _ := op["description"].(string)
			op["description"] = strings.TrimSpace(fmt.Sprintf("As %s %s, for the campaigns of {province} instead of the deployment's province. %s",
				strings.ToUpper(method), p, desc))
		}
		paths[BasePath+"/provinces/{province}"+strings.TrimPrefix(p, BasePath)] = item
	}
	return json.MarshalIndent(doc, "", "  ")
}

func deepCopy(v any, out any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
