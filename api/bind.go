package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

var (
	yearPattern = regexp.MustCompile(`^[0-9]{4}$`)
	// codePattern is a GB/T 2260 division code.
	codePattern = regexp.MustCompile(`^[0-9]{6}$`)
	// objectionIDPattern admits the IDs the campaign workflow mints ("2016-520322-1")
	// and nothing that could smuggle path or SQL syntax.
	objectionIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)
)

// pathYear reads {year}; anything but four digits is a 400, before any backend is asked.
func pathYear(c echo.Context) (int, error) {
	raw := c.Param("year")
	if !yearPattern.MatchString(raw) {
		return 0, badRequest("year %q in the path must be a four-digit year", raw)
	}
	y, _ := strconv.Atoi(raw)
	return y, nil
}

// pathCode reads a division code parameter ({county}, {code}).
func pathCode(c echo.Context, name string) (string, error) {
	raw := c.Param(name)
	if !codePattern.MatchString(raw) {
		return "", badRequest("%s %q in the path must be a 6-digit division code", name, raw)
	}
	return raw, nil
}

// checkCode validates a division code given in a body or query.
func checkCode(field, v string) error {
	if !codePattern.MatchString(v) {
		return badRequest("%s %q must be a 6-digit division code", field, v)
	}
	return nil
}

// readBody reads the whole body under the BodyLimit middleware, whose overflow error
// (413) must survive as such.
func readBody(c echo.Context) ([]byte, error) {
	body, err := io.ReadAll(c.Request().Body)
	if err != nil {
		var he *echo.HTTPError
		if errors.As(err, &he) {
			return nil, he
		}
		return nil, badRequest("the request body could not be read")
	}
	return body, nil
}

// bindJSON decodes a JSON object body strictly: unknown fields, wrong types, trailing
// data and anything but an object are 400s, so a typo in a field name is refused
// instead of silently ignored. An empty body counts as {} (the routes whose body is {}).
// Strings holding NUL are refused too: PostgreSQL cannot store them, and a projection
// that can never be written would wedge the campaign workflow on a retrying activity.
func bindJSON(c echo.Context, dst any) error {
	body, err := readBody(c)
	if err != nil {
		return err
	}
	return decodeJSON(body, dst)
}

func decodeJSON(body []byte, dst any) error {
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) == 0 {
		trimmed = []byte("{}")
	}
	if trimmed[0] != '{' {
		return badRequest("the request body must be a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(trimmed))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return decodeError(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return badRequest("the request body must hold exactly one JSON object")
	}
	if err := exactNames(trimmed, reflect.TypeOf(dst), ""); err != nil {
		return err
	}
	if path, ok := findNUL(reflect.ValueOf(dst), ""); !ok {
		return badRequest("field %s must not contain NUL characters", strings.TrimPrefix(path, "."))
	}
	return nil
}

// decodeError explains a decoding failure in terms of the client's input only.
func decodeError(err error) error {
	var (
		syntax *json.SyntaxError
		typ    *json.UnmarshalTypeError
		tparse *time.ParseError
	)
	switch {
	case errors.As(err, &syntax):
		return badRequest("malformed JSON at byte %d", syntax.Offset)
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return badRequest("field %s must be %s, not %s", field, jsonKind(typ.Type), typ.Value)
	case errors.As(err, &tparse):
		return badRequest("times must be RFC 3339 with an offset, e.g. 2016-08-01T23:59:59+08:00")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return badRequest("malformed JSON: the body ends too early")
	}
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		if unquoted, err := strconv.Unquote(name); err == nil {
			name = unquoted
		}
		return badRequest("unknown field %q", name)
	}
	return badRequest("malformed JSON body")
}

// jsonKind names a Go type the way a JSON client thinks of it.
func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Map, reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return "an RFC 3339 time"
		}
		return "an object"
	}
	return "of another type"
}

// findNUL walks decoded values and reports the first string (or map key) holding a NUL
// byte; ok is false when one was found.
func findNUL(v reflect.Value, path string) (string, bool) {
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return "", true
		}
		return findNUL(v.Elem(), path)
	case reflect.String:
		if strings.IndexByte(v.String(), 0) >= 0 {
			return path, false
		}
	case reflect.Struct:
		t := v.Type()
		for i := range v.NumField() {
			if !t.Field(i).IsExported() {
				continue
			}
			name := t.Field(i).Name
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ","); tag != "" {
				name = tag
			}
			if p, ok := findNUL(v.Field(i), path+"."+name); !ok {
				return p, false
			}
		}
	case reflect.Slice, reflect.Array:
		for i := range v.Len() {
			if p, ok := findNUL(v.Index(i), fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
	case reflect.Map:
		iter := v.MapRange()
		for iter.Next() {
			if p, ok := findNUL(iter.Key(), path+".<key>"); !ok {
				return p, false
			}
			if p, ok := findNUL(iter.Value(), fmt.Sprintf("%s.%v", path, iter.Key())); !ok {
				return p, false
			}
		}
	}
	return "", true
}

// exactNames refuses field names that encoding/json matched only case-insensitively
// ("County" for "county"): JSON names are case-sensitive, and API.md refuses unknown
// fields. It refuses null where Go has no "none" to hold it, too: encoding/json leaves
// such a value zero, so {"organization": null} in a scorecard would count as a mark of
// 0. It runs after a successful Decode, so raw is known to fit t.
func exactNames(raw []byte, t reflect.Type, path string) error {
	if bytes.Equal(bytes.TrimSpace(raw), []byte("null")) {
		switch t.Kind() {
		case reflect.Pointer, reflect.Interface, reflect.Map, reflect.Slice:
			return nil // decoded as nil: absent
		}
		return badRequest("field %s must not be null", strings.TrimPrefix(path, "."))
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		if t == reflect.TypeFor[time.Time]() {
			return nil
		}
		var fields map[string]json.RawMessage
		if err := json.Unmarshal(raw, &fields); err != nil {
			return nil // not an object here: Decode already judged it
		}
		names := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if !f.IsExported() || name == "-" {
				continue
			}
			if name == "" {
				name = f.Name
			}
			names[name] = f.Type
		}
		for k, v := range fields {
			ft, ok := names[k]
			if !ok {
				return badRequest("unknown field %q", strings.TrimPrefix(path+"."+k, "."))
			}
			if err := exactNames(v, ft, path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Map:
		var entries map[string]json.RawMessage
		if err := json.Unmarshal(raw, &entries); err != nil {
			return nil
		}
		for k, v := range entries {
			if err := exactNames(v, t.Elem(), path+"."+k); err != nil {
				return err
			}
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil
		}
		for i, v := range items {
			if err := exactNames(v, t.Elem(), fmt.Sprintf("%s[%d]", path, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// provincePrefix is where the routes of a province other than the deployment's live:
// /api/v1/provinces/{province}/campaigns/….
const provincePrefix = "/provinces/:province"

// provinceOf is the province a request's campaign belongs to: {province} of
// /provinces/{province}/…, else the deployment's (the routes of API.md as written).
// A code that is no province of the reference data is a 404, as an unknown year is.
func (s *server) provinceOf(c echo.Context) (string, error) {
	raw := c.Param("province")
	if raw == "" {
		return s.cfg.Province, nil
	}
	if !codePattern.MatchString(raw) {
		return "", badRequest("province %q in the path must be a 6-digit division code", raw)
	}
	if _, ok := domain.ProvinceOf(raw); !ok {
		return "", notFound("province %s is not a province of the reference data", raw)
	}
	return raw, nil
}

// campaignPath is the path of a campaign in the form the request used: under
// /provinces/{province} when it came that way, else under /campaigns alone.
func campaignPath(c echo.Context, v readmodel.CampaignView) string {
	if c.Param("province") != "" {
		return fmt.Sprintf("%s/provinces/%s/campaigns/%d", BasePath, v.Province, v.Year)
	}
	return fmt.Sprintf("%s/campaigns/%d", BasePath, v.Year)
}
