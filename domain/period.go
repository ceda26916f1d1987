package domain

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Calendar tells working days from days off (R14). domain names the question only, so
// it stays standard library; the official State Council calendar, with its make-up
// working days (调休), is an adapter outside domain (internal/holidays).
type Calendar interface {
	// IsWorkingDay answers for the calendar day date names by its Year, Month and Day.
	IsWorkingDay(date time.Time) bool
}

type periodKind int

const (
	periodDuration periodKind = iota
	periodDays
	periodWorkingDays
)

// Period is the length of a 公示 (R14): calendar days ("7d"), working days ("5wd") or,
// for compressed demos, a Go duration ("168h"). The zero Period is a zero duration,
// which Validate refuses.
type Period struct {
	kind periodKind
	n    int           // days, for the day kinds
	d    time.Duration // for periodDuration
}

// DurationPeriod is a period of a fixed length, ending exactly d after publication: the
// only form before R14, kept for compressed demos and for campaigns recorded with it.
func DurationPeriod(d time.Duration) Period { return Period{kind: periodDuration, d: d} }

// Days is a period of n calendar days counted from the day after publication.
func Days(n int) Period { return Period{kind: periodDays, n: n} }

// WorkingDays is a period of n working days counted from the day after publication.
func WorkingDays(n int) Period { return Period{kind: periodWorkingDays, n: n} }

// maxPeriodDays bounds day periods: a 公示 lasts days or weeks, and a typo of 7000d must
// not hold a campaign open for twenty years (nor walk a calendar that far).
const maxPeriodDays = 366

// ParsePeriod reads the forms of R14: "7d", "5wd" or a Go duration such as "168h".
func ParsePeriod(s string) (Period, error) {
	for _, f := range []struct {
		suffix string
		period func(int) Period
	}{{"wd", WorkingDays}, {"d", Days}} {
		digits, ok := strings.CutSuffix(s, f.suffix)
		if !ok || digits == "" || strings.Trim(digits, "0123456789") != "" {
			continue
		}
		n, err := strconv.Atoi(digits)
		if err != nil || n < 1 || n > maxPeriodDays {
			return Period{}, fmt.Errorf("publicity_period %q must count from 1 to %d days", Excerpt(s), maxPeriodDays)
		}
		return f.period(n), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return Period{}, fmt.Errorf("publicity_period %q must be calendar days (7d), working days (5wd) or a Go duration (168h)", Excerpt(s))
	}
	return DurationPeriod(d), nil
}

// String is the form ParsePeriod reads back; a duration keeps time.Duration's spelling
// ("168h0m0s"), which GET /campaigns showed before R14.
func (p Period) String() string {
	switch p.kind {
	case periodDays:
		return fmt.Sprintf("%dd", p.n)
	case periodWorkingDays:
		return fmt.Sprintf("%dwd", p.n)
	}
	return p.d.String()
}

// Positive reports whether the period lasts at all (R1).
func (p Period) Positive() bool {
	if p.kind == periodDuration {
		return p.d > 0
	}
	return p.n > 0
}

// End is the instant a period published at published ends (R14). A duration ends exactly
// its length later, as before R14. A day period counts its days from the day after
// publication (in loc), calendar days or the working days of cal, and ends at the last
// instant of its last day: 23:59:59.999999, the last microsecond, because PostgreSQL keeps
// microseconds and the workflow, the read model and the objection count must name one
// instant.
func (p Period) End(published time.Time, loc *time.Location, cal Calendar) time.Time {
	if p.kind == periodDuration {
		return published.Add(p.d)
	}
	local := published.In(loc)
	day := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, loc)
	if p.kind == periodDays {
		day = day.AddDate(0, 0, p.n)
	} else {
		for counted := 0; counted < p.n; {
			day = day.AddDate(0, 0, 1)
			if cal.IsWorkingDay(day) {
				counted++
			}
		}
	}
	return EndOfDay(day)
}

// EndOfDay is the last instant of t's calendar day in t's location, to the microsecond.
func EndOfDay(t time.Time) time.Time {
	next := time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, t.Location())
	return next.Add(-time.Microsecond)
}

// MarshalJSON writes a duration as its nanoseconds, the number workflow inputs held
// before R14, so a campaign with a duration serializes exactly as it always did; day
// periods are written as their string form.
func (p Period) MarshalJSON() ([]byte, error) {
	if p.kind == periodDuration {
		return json.Marshal(int64(p.d))
	}
	return json.Marshal(p.String())
}

// UnmarshalJSON reads both the number of histories recorded before R14 and the strings
// of ParsePeriod.
func (p *Period) UnmarshalJSON(b []byte) error {
	var ns int64
	if err := json.Unmarshal(b, &ns); err == nil {
		*p = DurationPeriod(time.Duration(ns))
		return nil
	}
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("publicity_period must be a number of nanoseconds or a string such as \"7d\"")
	}
	parsed, err := ParsePeriod(s)
	if err != nil {
		return err
	}
	*p = parsed
	return nil
}
