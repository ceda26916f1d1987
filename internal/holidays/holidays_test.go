package holidays

import (
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
)

func TestOfficial_R14(t *testing.T) {
	tests := []struct {
		name    string
		day     string
		working bool
	}{
		{"an_ordinary_friday_is_worked", "2016-09-30", true},
		{"national_day_on_a_saturday_is_off", "2016-10-01", false},
		{"a_weekday_of_golden_week_is_off", "2016-10-05", false},
		{"the_makeup_saturday_is_worked", "2016-10-08", true},
		{"the_makeup_sunday_is_worked", "2016-10-09", true},
		{"an_ordinary_sunday_is_off", "2016-10-16", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, _ := time.ParseInLocation("2006-01-02", tt.day, domain.Shanghai)
			if got := (Official{}).IsWorkingDay(d); got != tt.working {
				t.Fatalf("R14: %s working=%v, want %v", tt.day, got, tt.working)
			}
		})
	}
}

// TestFiveWorkingDaysAcrossNationalDay2016_R14 is the example of R14: a notice published
// on Thursday 29 September 2016 with 5wd runs to the end of Tuesday 11 October (30 Sep,
// then the make-up 8 and 9 Oct, then 10 and 11 Oct).
func TestFiveWorkingDaysAcrossNationalDay2016_R14(t *testing.T) {
	published := time.Date(2016, 9, 29, 15, 0, 0, 0, domain.Shanghai)
	got := domain.WorkingDays(5).End(published, domain.Shanghai, Official{})
	want := time.Date(2016, 10, 11, 23, 59, 59, 999999000, domain.Shanghai)
	if !got.Equal(want) {
		t.Fatalf("R14: ends %s, want %s", got, want)
	}
}
