// Package docs holds the project's own documents. It has no code: its tests keep the
// documents true, so http.md cannot drift from the OpenAPI document the server publishes,
// a link in the README or in docs/ cannot point outside the repository, and the Go names
// architecture.md and rules.md cite cannot outlive a rename.
package docs

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
)

// openAPI is the part of OpenAPI 3 that api/openapi.json uses. It is decoded with unknown
// fields refused, so a keyword added to the document that the reference would not show
// fails the test instead of vanishing from http.md.
type openAPI struct {
	OpenAPI    string                `json:"openapi"`
	Info       info                  `json:"info"`
	Servers    []server              `json:"servers"`
	Security   []map[string][]string `json:"security"`
	Tags       []tag                 `json:"tags"`
	Paths      map[string]pathItem   `json:"paths"`
	Components components            `json:"components"`
}

type info struct {
	Title       string `json:"title"`
	Version     string `json:"version"`
	Description string `json:"description"`
}

type server struct {
	URL string `json:"url"`
}

type tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

type pathItem struct {
	Get    *operation `json:"get"`
	Put    *operation `json:"put"`
	Post   *operation `json:"post"`
	Delete *operation `json:"delete"`
	Patch  *operation `json:"patch"`
}

// methods lists a path's operations in the order the reference shows them: reads first.
func (p pathItem) methods() []methodOp {
	var out []methodOp
	for _, m := range []methodOp{{"GET", p.Get}, {"PUT", p.Put}, {"POST", p.Post}, {"DELETE", p.Delete}, {"PATCH", p.Patch}} {
		if m.op != nil {
			out = append(out, m)
		}
	}
	return out
}

type methodOp struct {
	method string
	op     *operation
}

type operation struct {
	OperationID string   `json:"operationId"`
	Summary     string   `json:"summary"`
	Description string   `json:"description"`
	Tags        []string `json:"tags"`
	// Security is nil when the operation inherits the document's security and empty when
	// it is public, which is why it is a pointer.
	Security    *[]map[string][]string `json:"security"`
	Parameters  []parameter            `json:"parameters"`
	RequestBody *requestBody           `json:"requestBody"`
	Responses   map[string]response    `json:"responses"`
}

type parameter struct {
	Ref         string  `json:"$ref"`
	Name        string  `json:"name"`
	In          string  `json:"in"`
	Required    bool    `json:"required"`
	Description string  `json:"description"`
	Schema      *schema `json:"schema"`
}

type requestBody struct {
	Required    bool                 `json:"required"`
	Description string               `json:"description"`
	Content     map[string]mediaType `json:"content"`
}

type mediaType struct {
	Schema *schema `json:"schema"`
}

type response struct {
	Ref         string               `json:"$ref"`
	Description string               `json:"description"`
	Headers     map[string]header    `json:"headers"`
	Content     map[string]mediaType `json:"content"`
}

type header struct {
	Description string  `json:"description"`
	Schema      *schema `json:"schema"`
}

type components struct {
	SecuritySchemes map[string]securityScheme `json:"securitySchemes"`
	Parameters      map[string]parameter      `json:"parameters"`
	Responses       map[string]response       `json:"responses"`
	Schemas         map[string]*schema        `json:"schemas"`
}

type securityScheme struct {
	Type         string `json:"type"`
	Scheme       string `json:"scheme"`
	BearerFormat string `json:"bearerFormat"`
	Description  string `json:"description"`
}

type schema struct {
	Ref                  string             `json:"$ref"`
	Type                 schemaType         `json:"type"`
	Format               string             `json:"format"`
	Description          string             `json:"description"`
	Enum                 []any              `json:"enum"`
	Pattern              string             `json:"pattern"`
	Minimum              *json.Number       `json:"minimum"`
	Maximum              *json.Number       `json:"maximum"`
	MinLength            *int               `json:"minLength"`
	MaxLength            *int               `json:"maxLength"`
	MinItems             *int               `json:"minItems"`
	MaxItems             *int               `json:"maxItems"`
	Default              any                `json:"default"`
	Example              any                `json:"example"`
	Nullable             bool               `json:"nullable"`
	Items                *schema            `json:"items"`
	Properties           map[string]*schema `json:"properties"`
	AdditionalProperties *additional        `json:"additionalProperties"`
	Required             []string           `json:"required"`
	AllOf                []*schema          `json:"allOf"`
}

// schemaType is a schema's type, which OpenAPI 3.1 also allows as a list
// (["string", "null"]).
type schemaType []string

func (t *schemaType) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*t = schemaType{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("type: %w", err)
	}
	*t = many
	return nil
}

func (t schemaType) is(name string) bool {
	for _, n := range t {
		if n == name {
			return true
		}
	}
	return false
}

// additional is additionalProperties: false (other fields refused), true, or the schema
// of every other field's value (a map).
type additional struct {
	allowed bool
	schema  *schema
}

func (a *additional) UnmarshalJSON(b []byte) error {
	if err := json.Unmarshal(b, &a.allowed); err == nil {
		return nil
	}
	a.allowed = true
	a.schema = new(schema)
	return strictDecode(b, a.schema)
}

// parseOpenAPI decodes the document strictly and checks that every $ref names a component
// that exists, so the renderer may look components up without failing.
func parseOpenAPI(b []byte) (*openAPI, error) {
	var doc openAPI
	if err := strictDecode(b, &doc); err != nil {
		return nil, err
	}
	var raw any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, err
	}
	var missing []string
	eachRef(raw, func(ref string) {
		if !doc.hasComponent(ref) {
			missing = append(missing, ref)
		}
	})
	if len(missing) > 0 {
		return nil, fmt.Errorf("$ref to no component: %s", strings.Join(missing, ", "))
	}
	return &doc, nil
}

func strictDecode(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	return dec.Decode(v)
}

func eachRef(v any, f func(string)) {
	switch v := v.(type) {
	case map[string]any:
		for k, e := range v {
			if s, ok := e.(string); ok && k == "$ref" {
				f(s)
			}
			eachRef(e, f)
		}
	case []any:
		for _, e := range v {
			eachRef(e, f)
		}
	}
}

const (
	schemaRef    = "#/components/schemas/"
	parameterRef = "#/components/parameters/"
	responseRef  = "#/components/responses/"
)

func (d *openAPI) hasComponent(ref string) bool {
	var ok bool
	switch {
	case strings.HasPrefix(ref, schemaRef):
		_, ok = d.Components.Schemas[strings.TrimPrefix(ref, schemaRef)]
	case strings.HasPrefix(ref, parameterRef):
		_, ok = d.Components.Parameters[strings.TrimPrefix(ref, parameterRef)]
	case strings.HasPrefix(ref, responseRef):
		_, ok = d.Components.Responses[strings.TrimPrefix(ref, responseRef)]
	}
	return ok
}

func (d *openAPI) parameter(p parameter) parameter {
	if p.Ref == "" {
		return p
	}
	return d.Components.Parameters[strings.TrimPrefix(p.Ref, parameterRef)]
}

func (d *openAPI) response(r response) (response, string) {
	if r.Ref == "" {
		return r, ""
	}
	name := strings.TrimPrefix(r.Ref, responseRef)
	return d.Components.Responses[name], name
}

func (d *openAPI) schema(s *schema) (*schema, string) {
	if s == nil || s.Ref == "" {
		return s, ""
	}
	name := strings.TrimPrefix(s.Ref, schemaRef)
	return d.Components.Schemas[name], name
}
