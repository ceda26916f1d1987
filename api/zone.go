package api

import (
	"reflect"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// Every time the API returns carries the campaign's offset (R14): officials read
// Beijing time, and "2016-08-01T23:59:59+08:00" is the deadline as the notice wrote it,
// where "2016-08-01T15:59:59Z" is the same instant no official recognises. PostgreSQL and
// Temporal hand times back in UTC, so the response writer moves every time.Time of a
// body into the campaign's zone just before encoding it.

// zoneKey holds the time zone of the campaign a request concerns.
const zoneKey = "campaign_zone"

// zonedJSON is echo's JSON serializer with every time in the request's campaign zone
// (the default zone when the request concerns no campaign).
type zonedJSON struct{ echo.DefaultJSONSerializer }

func (z zonedJSON) Serialize(c echo.Context, i any, indent string) error {
	loc, ok := c.Get(zoneKey).(*time.Location)
	if !ok {
		loc = domain.Shanghai
	}
	return z.DefaultJSONSerializer.Serialize(c, inZone(i, loc), indent)
}

var timeType = reflect.TypeFor[time.Time]()

// inZone returns a copy of v with every time.Time it holds (in fields, pointers,
// slices, arrays, maps and interfaces) moved into loc; other values are shared.
func inZone(v any, loc *time.Location) any {
	if v == nil {
		return nil
	}
	out := zoned(reflect.ValueOf(v), loc)
	if !out.IsValid() {
		return v
	}
	return out.Interface()
}

func zoned(v reflect.Value, loc *time.Location) reflect.Value {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == timeType {
			t := v.Interface().(time.Time)
			if t.IsZero() {
				return v
			}
			return reflect.ValueOf(t.In(loc))
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if f := out.Field(i); f.CanSet() {
				f.Set(zoned(v.Field(i), loc))
			}
		}
		return out
	case reflect.Pointer:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type().Elem())
		out.Elem().Set(zoned(v.Elem(), loc))
		return out
	case reflect.Interface:
		if v.IsNil() {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(zoned(v.Elem(), loc))
		return out
	case reflect.Slice:
		if v.IsNil() || !holdsTime(v.Type().Elem()) {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(zoned(v.Index(i), loc))
		}
		return out
	case reflect.Array:
		if !holdsTime(v.Type().Elem()) {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		for i := range v.Len() {
			out.Index(i).Set(zoned(v.Index(i), loc))
		}
		return out
	case reflect.Map:
		if v.IsNil() || !holdsTime(v.Type().Elem()) {
			return v
		}
		out := reflect.MakeMapWithSize(v.Type(), v.Len())
		for it := v.MapRange(); it.Next(); {
			out.SetMapIndex(it.Key(), zoned(it.Value(), loc))
		}
		return out
	}
	return v
}

// holdsTime reports whether values of t may contain a time.Time, so slices and maps of
// numbers and strings are shared instead of copied.
func holdsTime(t reflect.Type) bool {
	return holdsTimeSeen(t, map[reflect.Type]bool{})
}

func holdsTimeSeen(t reflect.Type, seen map[reflect.Type]bool) bool {
	if seen[t] {
		return false
	}
	seen[t] = true
	switch t.Kind() {
	case reflect.Struct:
		if t == timeType {
			return true
		}
		for i := range t.NumField() {
			if f := t.Field(i); f.IsExported() && holdsTimeSeen(f.Type, seen) {
				return true
			}
		}
	case reflect.Pointer, reflect.Slice, reflect.Array, reflect.Map:
		return holdsTimeSeen(t.Elem(), seen)
	case reflect.Interface:
		return true
	}
	return false
}

// zoneOf is the campaign's time zone (R14); a name that does not load falls back to the
// default zone, as domain.Campaign.Location does.
func zoneOf(v readmodel.CampaignView) *time.Location {
	if loc, err := time.LoadLocation(v.Deadlines.TimeZone); err == nil && v.Deadlines.TimeZone != "" && v.Deadlines.TimeZone != "Local" {
		return loc
	}
	return domain.Shanghai
}
