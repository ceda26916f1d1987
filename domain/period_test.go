package domain

import (
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// fakeCalendar is Monday to Friday, less the listed days off, plus the listed make-up
// working days: the shape of the State Council calendar, with days a test chooses.
type fakeCalendar struct{ off, makeUp map[string]bool }

func (f fakeCalendar) IsWorkingDay(d time.Time) bool {
	key := d.Format("2006-01-02")
	if f.makeUp[key] {
		return true
	}
	wd := d.Weekday()
	return wd != time.Saturday && wd != time.Sunday && !f.off[key]
}

// golden2016 is the National Day week of 2016 as the State Council set it: 1–7 October
// off, Saturday 8 and Sunday 9 October worked in exchange.
var golden2016 = fakeCalendar{
	off:    map[string]bool{"2016-10-03": true, "2016-10-04": true, "2016-10-05": true, "2016-10-06": true, "2016-10-07": true},
	makeUp: map[string]bool{"2016-10-08": true, "2016-10-09": true},
}

func TestPeriodParse_R14(t *testing.T) {
	tests := []struct {
		name, in, want string
		bad            bool
	}{
		{"seven_calendar_days", "7d", "7d", false},
		{"five_working_days", "5wd", "5wd", false},
		{"a_go_duration_for_compressed_demos", "168h", "168h0m0s", false},
		{"seconds_for_the_fastest_demo", "4s", "4s", false},
		{"zero_days_is_no_period", "0d", "", true},
		{"a_negative_day_count_is_refused", "-7d", "", true},
		{"a_period_of_decades_is_refused", "7000d", "", true},
		{"weeks_are_not_a_form", "1w", "", true},
		{"a_day_count_without_digits_is_refused", "d", "", true},
		{"empty_is_refused", "", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := ParsePeriod(tt.in)
			if tt.bad {
				if err == nil {
					t.Fatalf("R14: %q parsed as %s", tt.in, p)
				}
				return
			}
			if err != nil || p.String() != tt.want || !p.Positive() {
				t.Fatalf("R14: %q gave %s, %v", tt.in, p, err)
			}
		})
	}
}

func TestPeriodEnd_R14(t *testing.T) {
	thu := time.Date(2016, 9, 29, 10, 30, 0, 0, sh)
	tests := []struct {
		name      string
		period    Period
		published time.Time
		loc       *time.Location
		want      time.Time
	}{
		{"a_duration_ends_exactly_its_length_later", DurationPeriod(7 * 24 * time.Hour), thu, sh, thu.Add(7 * 24 * time.Hour)},
		{"seven_days_count_from_the_next_day_and_end_at_its_last_instant", Days(7), thu, sh, time.Date(2016, 10, 6, 23, 59, 59, 999999000, sh)},
		{"a_notice_of_23h59_still_counts_from_the_next_day", Days(1), time.Date(2016, 9, 29, 23, 59, 0, 0, sh), sh, time.Date(2016, 9, 30, 23, 59, 59, 999999000, sh)},
		{"days_are_those_of_the_campaign_zone_not_of_the_instant", Days(1), time.Date(2016, 9, 29, 17, 0, 0, 0, time.UTC), sh, time.Date(2016, 10, 1, 23, 59, 59, 999999000, sh)},
		{"working_days_skip_national_day_and_count_the_makeup_weekend", WorkingDays(5), thu, sh, time.Date(2016, 10, 11, 23, 59, 59, 999999000, sh)},
		{"working_days_skip_an_ordinary_weekend", WorkingDays(2), time.Date(2016, 9, 22, 9, 0, 0, 0, sh), sh, time.Date(2016, 9, 26, 23, 59, 59, 999999000, sh)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := tt.period.End(tt.published, tt.loc, golden2016)
			if !got.Equal(tt.want) {
				t.Fatalf("R14: %s published %s ends %s, want %s", tt.period, tt.published, got, tt.want)
			}
		})
	}
}

func TestPeriodJSON_R14(t *testing.T) {
	tests := []struct {
		name, stored, written string
		want                  Period
	}{
		{"a_duration_recorded_before_r14_is_a_number", "604800000000000", "604800000000000", DurationPeriod(168 * time.Hour)},
		{"working_days_are_their_string", `"5wd"`, `"5wd"`, WorkingDays(5)},
		{"calendar_days_are_their_string", `"7d"`, `"7d"`, Days(7)},
		{"a_duration_given_as_a_string_is_written_as_the_number", `"4s"`, "4000000000", DurationPeriod(4 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Period
			if err := json.Unmarshal([]byte(tt.stored), &p); err != nil || p != tt.want {
				t.Fatalf("R14: %s read as %s, %v", tt.stored, p, err)
			}
			b, err := json.Marshal(p)
			if err != nil || string(b) != tt.written {
				t.Fatalf("R14: %s written as %s, %v", p, b, err)
			}
		})
	}
	var p Period
	if err := json.Unmarshal([]byte(`true`), &p); err == nil {
		t.Error("R14: a boolean is no period")
	}
}

func TestDeadline_R14(t *testing.T) {
	half := time.Date(2016, 8, 1, 23, 59, 59, 500_000_000, sh)
	midnight := time.Date(2016, 8, 2, 0, 0, 0, 0, sh)
	tests := []struct {
		name      string
		now       time.Time
		timeRules bool
		inTime    bool
	}{
		{"half_a_second_into_the_deadline_second_is_in_time", half, true, true},
		{"midnight_of_2_august_is_late", midnight, true, false},
		{"the_deadline_instant_is_in_time", deadline, true, true},
		{"before_r14_half_a_second_past_the_instant_stays_late", half, false, false},
		{"before_r14_the_deadline_instant_is_in_time", deadline, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg2016()
			c.TimeRules = tt.timeRules
			err := CheckInTime(tt.now, c, "a submission")
			if tt.inTime {
				refusedWith(t, err, "", "")
			} else {
				refusedWith(t, err, CodeDeadlinePassed, "R5")
			}
		})
	}
	fraction := deadline.Add(500 * time.Millisecond)
	if BeforeDeadline(fraction.Add(time.Millisecond), fraction, true) {
		t.Error("R14: a deadline with a fraction of a second is its instant, not a whole second")
	}
}

func TestParseDeadline_R14(t *testing.T) {
	utc := time.UTC
	tests := []struct {
		name, in string
		loc      *time.Location
		want     time.Time
		bad      bool
	}{
		{"a_date_is_the_whole_day_in_shanghai", "2016-08-01", sh, deadline, false},
		{"a_date_is_the_whole_day_in_the_campaign_zone", "2016-08-01", utc, time.Date(2016, 8, 1, 23, 59, 59, 0, utc), false},
		{"an_instant_keeps_its_offset", "2016-08-01T23:59:59+08:00", utc, deadline, false},
		{"empty_is_no_deadline", "", sh, time.Time{}, false},
		{"a_date_of_february_30_is_refused", "2016-02-30", sh, time.Time{}, true},
		{"an_instant_without_offset_is_refused", "2016-08-01T23:59:59", sh, time.Time{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseDeadline(tt.in, tt.loc)
			if tt.bad != (err != nil) || !got.Equal(tt.want) {
				t.Fatalf("R14: %q gave %s, %v", tt.in, got, err)
			}
		})
	}
	// A date deadline read by R14 covers its day to the last instant, and no further.
	d, _ := ParseDeadline("2016-08-01", sh)
	if !BeforeDeadline(time.Date(2016, 8, 1, 23, 59, 59, 999_999_999, sh), d, true) || BeforeDeadline(time.Date(2016, 8, 2, 0, 0, 0, 0, sh), d, true) {
		t.Error("R14: a date covers the whole day")
	}
}

func TestCampaignTimeZone_R14(t *testing.T) {
	d := MustReference("520000", "2016")
	c := cfg2016()
	if c.Location() != Shanghai {
		t.Error("R14: a campaign without time_zone is in Asia/Shanghai")
	}
	c.TimeZone = "Asia/Urumqi"
	if err := c.Validate(d); err != nil || c.Location().String() != "Asia/Urumqi" {
		t.Errorf("R14: a named zone is the campaign's: %v", err)
	}
	for _, bad := range []string{"Mars/Olympus", "Local"} {
		c.TimeZone = bad
		if err := c.Validate(d); err == nil || !strings.Contains(err.Error(), "time_zone") {
			t.Errorf("R14: time_zone %q must be refused, got %v", bad, err)
		}
	}
}
