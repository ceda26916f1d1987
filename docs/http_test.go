package docs

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"unicode"

	"github.com/guizhou-commerce/selection/api"
)

var update = flag.Bool("update", false, "rewrite http.md from the document the API serves (../api/openapi.json and its province routes)")

// TestHTTPReferenceIsTheOpenAPIDocument keeps http.md the rendering of the OpenAPI
// document the server publishes (and the API's own test keeps in step with its routes),
// so the reference a reader trusts is the contract the server answers by.
func TestHTTPReferenceIsTheOpenAPIDocument(t *testing.T) {
	doc, err := parseOpenAPI(api.OpenAPIDocument())
	if err != nil {
		t.Fatalf("api/openapi.json: %v", err)
	}
	got := renderHTTP(doc)
	if *update {
		if err := os.WriteFile("http.md", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile("http.md")
	if err != nil {
		t.Fatalf("%v (go test ./docs -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("docs/http.md is not what api/openapi.json renders to (first difference at line %d); run go test ./docs -update", firstDifferentLine(got, want))
	}
}

// TestHTTPReferenceShowsEveryOperation guards the renderer itself: every path and method
// of the document has its own section in the reference.
func TestHTTPReferenceShowsEveryOperation(t *testing.T) {
	doc, err := parseOpenAPI(api.OpenAPIDocument())
	if err != nil {
		t.Fatal(err)
	}
	out := string(renderHTTP(doc))
	for path, item := range doc.Paths {
		for _, m := range item.methods() {
			if !strings.Contains(out, "\n### "+m.method+" "+path+"\n") {
				t.Errorf("no section for %s %s", m.method, path)
			}
		}
	}
}

func firstDifferentLine(a, b []byte) int {
	la, lb := bytes.Split(a, []byte("\n")), bytes.Split(b, []byte("\n"))
	for i := range min(len(la), len(lb)) {
		if !bytes.Equal(la[i], lb[i]) {
			return i + 1
		}
	}
	return min(len(la), len(lb)) + 1
}

// renderHTTP writes the reference: authentication, the error answers, an index of the
// operations, one section per operation (path order, then GET, PUT, POST), and the
// schemas. Every list is sorted, so the output depends on the document alone.
func renderHTTP(d *openAPI) []byte {
	var b strings.Builder
	w := func(format string, args ...any) { fmt.Fprintf(&b, format, args...) }

	w("<!-- Generated from api/openapi.json by `go test ./docs -update`; edit that document, not this file. `go test ./docs` fails while the two differ. -->\n")
	w("# HTTP reference\n\n")
	w("%s, version %s (OpenAPI %s). %s\n\n", d.Info.Title, d.Info.Version, d.OpenAPI, d.Info.Description)
	w("The customer's contract is [API.md](API.md); this reference is the document the server publishes at `GET /api/v1/openapi.json`, rendered.")
	var urls []string
	for _, s := range d.Servers {
		urls = append(urls, "`"+s.URL+"`")
	}
	if len(urls) > 0 {
		w(" Server: %s.", strings.Join(urls, ", "))
	}
	w("\n\n")

	w("## Authentication\n\n")
	w("Every operation requires %s unless its section says it is public.\n\n", securityText(d.Security))
	w("| scheme | type | format | description |\n|---|---|---|---|\n")
	for _, name := range sortedKeys(d.Components.SecuritySchemes) {
		s := d.Components.SecuritySchemes[name]
		w("| `%s` | %s %s | %s | %s |\n", name, s.Type, s.Scheme, s.BearerFormat, cell(s.Description))
	}
	w("\n")

	w("## Errors\n\n")
	errSchema := d.Components.Schemas["Error"]
	if errSchema != nil {
		w("Every error answer has the body [Error](#%s):\n\n", slug("Schema: Error"))
		d.fieldTable(&b, errSchema)
		w("\n")
	}
	w("The shared error answers the operations refer to:\n\n")
	w("| response | description | headers | body |\n|---|---|---|---|\n")
	for _, name := range sortedKeys(d.Components.Responses) {
		r := d.Components.Responses[name]
		w("| `%s` | %s | %s | %s |\n", name, cell(r.Description), headersText(r.Headers), d.contentText(r.Content))
	}
	w("\n")

	if len(d.Tags) > 0 {
		w("## Tags\n\n| tag | description |\n|---|---|\n")
		for _, t := range d.Tags {
			w("| %s | %s |\n", t.Name, cell(t.Description))
		}
		w("\n")
	}

	paths := sortedKeys(d.Paths)
	w("## Operations\n\n| method | path | summary | security |\n|---|---|---|---|\n")
	for _, p := range paths {
		for _, m := range d.Paths[p].methods() {
			w("| %s | [`%s`](#%s) | %s | %s |\n", m.method, p, slug(m.method+" "+p), cell(m.op.Summary), d.operationSecurity(m.op))
		}
	}
	w("\n")
	for _, p := range paths {
		for _, m := range d.Paths[p].methods() {
			d.renderOperation(&b, m.method, p, m.op)
		}
	}

	w("## Schemas\n\n")
	for _, name := range sortedKeys(d.Components.Schemas) {
		s := d.Components.Schemas[name]
		w("### Schema: %s\n\n", name)
		if s.Description != "" {
			w("%s\n\n", s.Description)
		}
		d.schemaBody(&b, s)
		w("\n")
	}
	return []byte(b.String())
}

func (d *openAPI) renderOperation(b *strings.Builder, method, path string, op *operation) {
	w := func(format string, args ...any) { fmt.Fprintf(b, format, args...) }
	w("### %s %s\n\n", method, path)
	w("**%s** (`%s`", op.Summary, op.OperationID)
	if len(op.Tags) > 0 {
		w(", tag %s", strings.Join(op.Tags, ", "))
	}
	w(")\n\n")
	if op.Description != "" {
		w("%s\n\n", op.Description)
	}
	w("Security: %s.\n\n", d.operationSecurity(op))

	if len(op.Parameters) > 0 {
		w("| parameter | in | required | type | description |\n|---|---|---|---|---|\n")
		for _, p := range op.Parameters {
			p = d.parameter(p)
			w("| `%s` | %s | %s | %s | %s |\n", p.Name, p.In, yesNo(p.Required), d.typeText(p.Schema), cell(joinNotes(p.Description, constraints(p.Schema))))
		}
		w("\n")
	}

	if rb := op.RequestBody; rb != nil {
		for _, ct := range sortedKeys(rb.Content) {
			s, name := d.schema(rb.Content[ct].Schema)
			w("Request body (`%s`, %s): %s", ct, requiredText(rb.Required), d.typeText(rb.Content[ct].Schema))
			if name != "" && s.Description != "" {
				w(" — %s", s.Description)
			}
			w("\n\n")
			if rb.Description != "" {
				w("%s\n\n", rb.Description)
			}
			d.schemaBody(b, s)
			w("\n")
		}
	}

	w("| status | description | headers | body |\n|---|---|---|---|\n")
	for _, code := range sortedKeys(op.Responses) {
		r, name := d.response(op.Responses[code])
		desc := cell(r.Description)
		if name != "" {
			desc = fmt.Sprintf("`%s`: %s", name, desc)
		}
		w("| %s | %s | %s | %s |\n", code, desc, headersText(r.Headers), d.contentText(r.Content))
	}
	w("\n")
}

// schemaBody shows what a schema holds: its fields as a table, what an allOf combines, or
// its type when it is not an object of named fields.
func (d *openAPI) schemaBody(b *strings.Builder, s *schema) {
	switch {
	case s == nil:
	case len(s.AllOf) > 0:
		var parts []string
		for _, p := range s.AllOf {
			if p.Ref != "" {
				parts = append(parts, d.typeText(p))
			}
		}
		if len(parts) > 0 {
			fmt.Fprintf(b, "Every field of %s, and:\n\n", strings.Join(parts, " and "))
		}
		merged := &schema{Properties: map[string]*schema{}}
		for _, p := range s.AllOf {
			if p.Ref == "" {
				for k, v := range p.Properties {
					merged.Properties[k] = v
				}
				merged.Required = append(merged.Required, p.Required...)
			}
		}
		d.fieldTable(b, merged)
	case len(s.Properties) > 0:
		d.fieldTable(b, s)
		if s.AdditionalProperties != nil && !s.AdditionalProperties.allowed {
			b.WriteString("\nOther fields are refused.\n")
		}
	case s.Type.is("object") && s.AdditionalProperties != nil && !s.AdditionalProperties.allowed:
		b.WriteString("No fields.\n")
	default:
		fmt.Fprintf(b, "Type: %s.", d.typeText(s))
		if c := constraints(s); c != "" {
			fmt.Fprintf(b, " %s.", c)
		}
		b.WriteString("\n")
	}
}

type fieldRow struct {
	name, typ, required, notes string
}

func (d *openAPI) fieldTable(b *strings.Builder, s *schema) {
	var rows []fieldRow
	d.fields("", s, &rows)
	b.WriteString("| field | type | required | notes |\n|---|---|---|---|\n")
	for _, r := range rows {
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", r.name, r.typ, r.required, cell(r.notes))
	}
}

// fields lists a schema's fields, and those of the objects it holds inline, by their path
// in the JSON (`a.b`, `a[].b` for an array's elements, `a.*.b` for a map's values).
func (d *openAPI) fields(prefix string, s *schema, rows *[]fieldRow) {
	for _, name := range sortedKeys(s.Properties) {
		p := s.Properties[name]
		full := prefix + name
		notes := joinNotes(p.Description, constraints(p))
		if p.AdditionalProperties != nil && !p.AdditionalProperties.allowed && len(p.Properties) > 0 {
			notes = joinNotes(notes, "other fields refused")
		}
		*rows = append(*rows, fieldRow{full, d.typeText(p), yesNo(slices.Contains(s.Required, name)), notes})
		switch {
		case p.Ref != "":
		case len(p.Properties) > 0:
			d.fields(full+".", p, rows)
		case p.Items != nil && p.Items.Ref == "" && len(p.Items.Properties) > 0:
			d.fields(full+"[].", p.Items, rows)
		case p.AdditionalProperties != nil && p.AdditionalProperties.schema != nil &&
			p.AdditionalProperties.schema.Ref == "" && len(p.AdditionalProperties.schema.Properties) > 0:
			d.fields(full+".*.", p.AdditionalProperties.schema, rows)
		}
	}
}

// typeText names a schema's type; a reference to a component schema links its section.
func (d *openAPI) typeText(s *schema) string {
	if s == nil {
		return "—"
	}
	if s.Ref != "" {
		_, name := d.schema(s)
		return fmt.Sprintf("[%s](#%s)", name, slug("Schema: "+name))
	}
	if len(s.AllOf) > 0 {
		var parts []string
		for _, p := range s.AllOf {
			parts = append(parts, d.typeText(p))
		}
		return strings.Join(parts, " + ")
	}
	var names []string
	for _, t := range s.Type {
		switch {
		case t == "array":
			names = append(names, "array of "+d.typeText(s.Items))
		case t == "object" && s.AdditionalProperties != nil && s.AdditionalProperties.schema != nil:
			names = append(names, "map of string to "+d.typeText(s.AdditionalProperties.schema))
		case s.Format != "" && t != "null":
			names = append(names, t+" ("+s.Format+")")
		default:
			names = append(names, t)
		}
	}
	if len(names) == 0 {
		names = append(names, "any")
	}
	if s.Nullable {
		names = append(names, "null")
	}
	return strings.Join(names, " or ")
}

// constraints says what a schema allows beyond its type, in the order a reader checks a
// value: its values, its shape, its bounds, then its default and an example.
func constraints(s *schema) string {
	if s == nil {
		return ""
	}
	var out []string
	if len(s.Enum) > 0 {
		var vs []string
		for _, v := range s.Enum {
			vs = append(vs, "`"+valueText(v)+"`")
		}
		out = append(out, "one of "+strings.Join(vs, ", "))
	}
	if s.Pattern != "" {
		out = append(out, "pattern `"+s.Pattern+"`")
	}
	if s.Minimum != nil {
		out = append(out, "minimum "+s.Minimum.String())
	}
	if s.Maximum != nil {
		out = append(out, "maximum "+s.Maximum.String())
	}
	if s.MinLength != nil {
		out = append(out, "at least "+count(*s.MinLength, "character"))
	}
	if s.MaxLength != nil {
		out = append(out, "at most "+count(*s.MaxLength, "character"))
	}
	if s.MinItems != nil {
		out = append(out, "at least "+count(*s.MinItems, "item"))
	}
	if s.MaxItems != nil {
		out = append(out, "at most "+count(*s.MaxItems, "item"))
	}
	if s.Default != nil {
		out = append(out, "default `"+valueText(s.Default)+"`")
	}
	if s.Example != nil {
		out = append(out, "example `"+valueText(s.Example)+"`")
	}
	return strings.Join(out, "; ")
}

func count(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func valueText(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

func (d *openAPI) operationSecurity(op *operation) string {
	if op.Security == nil {
		return securityText(d.Security)
	}
	return securityText(*op.Security)
}

// securityText reads a security requirement list: any one entry suffices, and an empty
// list means no credentials at all.
func securityText(reqs []map[string][]string) string {
	if len(reqs) == 0 {
		return "public (no token)"
	}
	var alts []string
	for _, req := range reqs {
		var all []string
		for _, name := range sortedKeys(req) {
			s := "`" + name + "`"
			if scopes := req[name]; len(scopes) > 0 {
				s += " (" + strings.Join(scopes, ", ") + ")"
			}
			all = append(all, s)
		}
		alts = append(alts, strings.Join(all, " and "))
	}
	return "bearer token " + strings.Join(alts, " or ")
}

func (d *openAPI) contentText(content map[string]mediaType) string {
	var out []string
	for _, ct := range sortedKeys(content) {
		out = append(out, d.typeText(content[ct].Schema)+" (`"+ct+"`)")
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

func headersText(hs map[string]header) string {
	var out []string
	for _, name := range sortedKeys(hs) {
		out = append(out, "`"+name+"`: "+cell(hs[name].Description))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, "; ")
}

func joinNotes(a, b string) string {
	switch {
	case a == "":
		return b
	case b == "":
		return a
	}
	return strings.TrimSuffix(a, ".") + "; " + b
}

func requiredText(b bool) string {
	if b {
		return "required"
	}
	return "optional"
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// cell makes text safe inside a Markdown table row: one line, pipes escaped.
func cell(s string) string {
	return strings.ReplaceAll(strings.Join(strings.Fields(s), " "), "|", `\|`)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// slug is the anchor GitHub gives a heading: lower case, spaces to hyphens, punctuation
// other than hyphens and underscores dropped.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}
