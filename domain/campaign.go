package domain

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
	_ "time/tzdata" // Asia/Shanghai must resolve on machines without a zoneinfo database.
)

// Shanghai is the time zone of every deadline of the notice (R1). Deadlines arrive with an
// explicit offset; this zone is used to name calendar days in labels and notices.
var Shanghai = mustZone("Asia/Shanghai")

func mustZone(name string) *time.Location {
	loc, err := time.LoadLocation(name)
	if err != nil {
		panic(fmt.Sprintf("load %s: %v", name, err))
	}
	return loc
}

// DefaultPublicityPeriod is the 公示 period when a campaign does not set one (R1). It
// stays the duration of 168h it was before R14, so a campaign that sets none behaves as
// it always did.
var DefaultPublicityPeriod = DurationPeriod(7 * 24 * time.Hour)

// DefaultTimeZone is the time zone of a campaign that names none (R14), and of every
// campaign recorded before R14.
const DefaultTimeZone = "Asia/Shanghai"

// Campaign is the configuration of one year's selection (R1). Every number and date of
// the notice lives here, so the same engine runs any province and year.
type Campaign struct {
	Year                   int                `json:"year"`
	Province               string             `json:"province"`
	Quota                  int                `json:"quota"`
	PrefectureCap          int                `json:"prefecture_cap"`
	RecommendationDeadline time.Time          `json:"recommendation_deadline"`
	NoticeDeadline         time.Time          `json:"notice_deadline"`
	PublicityPeriod        Period             `json:"publicity_period"`
	Excluded               []string           `json:"excluded"`
	NationalScores         map[string]float64 `json:"national_scores"`
	Weights                Weights            `json:"weights"`
	// TimeZone names the zone whose calendar days a date deadline and a day period
	// count (R14); empty means DefaultTimeZone, as for campaigns recorded before R14.
	TimeZone string `json:"time_zone,omitempty"`
	// Edition is the edition of the division codes (GB/T 2260) the campaign's counties
	// are checked against; empty (campaigns recorded before it existed) means the one
	// EditionFor picks.
	Edition string `json:"edition,omitempty"`
	// Department publishes the notice and Contact hears objections (R9, R10); empty
	// means the province's, from the reference data.
	Department string `json:"department,omitempty"`
	Contact    string `json:"contact,omitempty"`
	// FromYear is the campaign this one was copied from (POST /campaigns with
	// from_year), and Carried the counties designated there that the copy added to
	// Excluded: the notice excludes earlier winners (R1, R2).
	FromYear int      `json:"from_year,omitempty"`
	Carried  []string `json:"carried,omitempty"`
	// DirectlyAdministered lists the counties the notice names as administered by the
	// province itself, which apply on their own (R4); set, it replaces the reference
	// data's flags for this campaign (ReferenceFor), empty (every campaign recorded
	// before it existed) keeps them.
	DirectlyAdministered []string `json:"directly_administered,omitempty"`
	// TimeRules is R14's reading of deadlines: a deadline of whole seconds covers that
	// whole second. The campaign workflow sets it from a workflow.GetVersion kept in its
	// state; it never travels in JSON, so runs recorded before R14 keep reading a deadline
	// as the instant itself.
	TimeRules bool `json:"-"`
}

// Location is the campaign's time zone (R14). A name Validate would refuse falls back to
// DefaultTimeZone, so no caller has to handle an error for a campaign already running.
func (c Campaign) Location() *time.Location {
	if c.TimeZone == "" {
		return Shanghai
	}
	loc, err := time.LoadLocation(c.TimeZone)
	if err != nil {
		return Shanghai
	}
	return loc
}

// maxNoticeLine bounds the department and contact, which the notice prints on a line
// of their own.
const maxNoticeLine = 200

// Validate checks a campaign against the reference data (R1, R2, R4). It returns every
// problem at once, joined in one bad_request, so an administrator fixes the form in one go.
func (c Campaign) Validate(d *Divisions) error {
	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	if c.Year < 2000 || c.Year > 2100 {
		add("year %d is out of range 2000–2100", c.Year)
	}
	if div, ok := d.Get(c.Province); !ok || div.Level != LevelProvince {
		add("province %q is not a province of the reference data", Excerpt(c.Province))
	}
	if c.Quota < 1 {
		add("quota must be at least 1")
	}
	if c.PrefectureCap < 1 {
		add("prefecture_cap must be at least 1")
	}
	if c.RecommendationDeadline.IsZero() {
		add("recommendation_deadline is required")
	}
	if c.NoticeDeadline.IsZero() {
		add("notice_deadline is required")
	}
	if !c.RecommendationDeadline.IsZero() && !c.NoticeDeadline.IsZero() && !c.RecommendationDeadline.Before(c.NoticeDeadline) {
		add("recommendation_deadline must be before notice_deadline")
	}
	if !c.PublicityPeriod.Positive() {
		add("publicity_period must be positive")
	}
	if c.TimeZone != "" {
		// "Local" is whatever zone a worker's machine has: replays elsewhere would differ.
		if _, err := time.LoadLocation(c.TimeZone); err != nil || c.TimeZone == "Local" {
			add("time_zone %q is not a time zone of the IANA database, such as Asia/Shanghai", Excerpt(c.TimeZone))
		}
	}
	seen := map[string]bool{}
	for _, code := range c.Excluded {
		if _, ok := d.CountyOf(code, c.Province); !ok {
			add("excluded %q is not a county of province %s", Excerpt(code), Excerpt(c.Province))
		}
		if seen[code] {
			add("excluded %q is listed twice", Excerpt(code))
		}
		seen[code] = true
	}
	listed := map[string]bool{}
	for _, code := range c.DirectlyAdministered {
		if _, ok := d.CountyOf(code, c.Province); !ok {
			add("directly_administered %q is not a county of province %s", Excerpt(code), Excerpt(c.Province))
		}
		if listed[code] {
			add("directly_administered %q is listed twice", Excerpt(code))
		}
		listed[code] = true
	}
	for _, code := range SortedCodes(c.NationalScores) {
		s := c.NationalScores[code]
		if _, ok := d.CountyOf(code, c.Province); !ok {
			add("national_scores %q is not a county of province %s", Excerpt(code), Excerpt(c.Province))
		}
		if math.IsNaN(s) || s < 0 || s > 100 {
			add("national_scores %q must be between 0 and 100", Excerpt(code))
		}
	}
	for _, f := range []struct{ name, value string }{{"department", c.Department}, {"contact", c.Contact}} {
		if err := CheckText(f.name, f.value, false, maxNoticeLine); err != nil {
			add("%v", err.(*RuleError).Message)
		} else if strings.ContainsAny(f.value, "\r\n") {
			add("%s must be one line", f.name)
		}
	}
	if err := c.Weights.Validate(); err != nil {
		add("%v", err)
	}
	if len(problems) > maxProblems {
		problems = append(problems[:maxProblems], fmt.Sprintf("and %d more problems", len(problems)-maxProblems))
	}
	if len(problems) > 0 {
		return refuse(CodeBadRequest, "R1", "invalid campaign: %s", joinSentences(problems))
	}
	return nil
}

// maxProblems bounds the problems Validate lists: a form has a dozen fields, and a body
// of a hundred thousand bad codes must not come back as a hundred thousand sentences.
const maxProblems = 10

// Exempt reports whether a county took part in the national competitive selection and
// so delivers no materials (R6): its national score is known.
func (c Campaign) Exempt(county string) bool {
	_, ok := c.NationalScores[county]
	return ok
}

// IsExcluded reports whether a county is on the exclusion list (R2).
func (c Campaign) IsExcluded(county string) bool {
	for _, e := range c.Excluded {
		if e == county {
			return true
		}
	}
	return false
}

// DeadlineLabel names a deadline by its calendar day in Asia/Shanghai, the way the
// notice does ("recommendation deadline 2016-08-01").
func DeadlineLabel(what string, t time.Time) string {
	return fmt.Sprintf("%s %s", what, t.In(Shanghai).Format("2006-01-02"))
}

// SortedCodes returns a map's keys in order: workflows must never range over a map
// directly, or replays would diverge.
func SortedCodes[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func joinSentences(parts []string) string {
	out := ""
	for i, p := range parts {
		if i > 0 {
			out += "; "
		}
		out += p
	}
	return out
}
