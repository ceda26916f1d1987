package domain

import (
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func TestExcerpt(t *testing.T) {
	for in, want := range map[string]string{
		"":                          "",
		"520322":                    "520322",
		strings.Repeat("a", 64):     strings.Repeat("a", 64),
		strings.Repeat("a", 65):     strings.Repeat("a", 64) + "…",
		strings.Repeat("遵", 100):    strings.Repeat("遵", 64) + "…",
		strings.Repeat("\xff", 100): strings.Repeat("\xff", 64) + "…",
	} {
		if got := Excerpt(in); got != want {
			t.Errorf("Excerpt(%d bytes) = %q, want %q", len(in), got, want)
		}
	}
	if got := Excerpt("a" + strings.Repeat("遵", 70)); !utf8.ValidString(got) {
		t.Errorf("a cut split a character: %q", got)
	}
}

// TestRefusals_quote_an_excerpt_of_the_input feeds each rule that names its input a
// megabyte of it: the refusal still names it, in a message of at most a few lines.
func TestRefusals_quote_an_excerpt_of_the_input(t *testing.T) {
	huge := strings.Repeat("x", 1<<20)
	manyCodes := make([]string, 10000)
	for i := range manyCodes {
		manyCodes[i] = strings.Repeat("9", 100)
	}
	before := time.Date(2016, 7, 20, 9, 0, 0, 0, sh)
	d := MustReference("520000", "2016")
	card := Scorecard{}
	for _, c := range Criteria {
		card[c] = 50
	}
	card[huge] = 1
	cut := strings.Repeat("x", MaxExcerpt) + "…"
	for name, tt := range map[string]struct {
		err   error
		names string // what the message still says
	}{
		"unknown_criterion":   {ValidateScorecard(card), cut},
		"unknown_item":        {ValidateDelivery(Materials{huge: {Copies: 3}}), cut},
		"unknown_decision":    {CheckDecision(huge), cut},
		"unknown_weight":      {func() error { _, err := WithOverrides(map[string]float64{huge: 1}); return err }(), cut},
		"unknown_role":        {ValidateActor(Actor{Role: Role(huge), Region: "520000"}, d, "520000"), cut},
		"bad_county_region":   {ValidateActor(Actor{Role: RoleCounty, Region: huge}, d, "520000"), cut},
		"bad_province_region": {ValidateActor(Actor{Role: RoleAdmin, Region: huge}, d, "520000"), cut},
		"bad_province": {func() error {
			c := cfg2016()
			c.Province = huge
			return c.Validate(d)
		}(), cut},
		"bad_national_score_code": {func() error {
			c := cfg2016()
			c.NationalScores = map[string]float64{huge: 50}
			return c.Validate(d)
		}(), cut},
		"ten_thousand_bad_exclusions": {func() error {
			c := cfg2016()
			c.Excluded = manyCodes
			return c.Validate(d)
		}(), "and 19989 more problems"},
		"foreign_county_filed": {func() error {
			_, err := CheckFiling(before, cfg2016(), d, PrefectureOpen, Filing{Prefecture: "520100", Counties: []string{huge}}, nil, false)
			return err
		}(), cut},
	} {
		re, ok := tt.err.(*RuleError)
		if !ok {
			t.Errorf("%s: want a refusal, got %v", name, tt.err)
			continue
		}
		if len(re.Message) > 2048 || !strings.Contains(re.Message, tt.names) {
			t.Errorf("%s: want a short message naming %q, got %d bytes: %.300q", name, tt.names, len(re.Message), re.Message)
		}
	}
}
