// Package holidays is the official State Council holiday calendar, with its make-up
// working days (调休), for working-day periods (R14). It adapts github.com/6tail/lunar-go,
// whose tables are compiled into the binary: the answer for a day depends on the module
// version only, never on the network or the clock, so workflow code may ask it and replay
// the same answers. Nothing in this program calls HolidayUtil.Fix, which would change the
// tables at run time; bumping lunar-go is a change for workflow.GetVersion if it alters a
// day a running campaign has counted.
package holidays

import (
	"time"

	"github.com/6tail/lunar-go/HolidayUtil"
)

// Official is the State Council calendar as lunar-go records it (2001 through the last
// year it lists; later years have weekends only until the library adds them).
type Official struct{}

// IsWorkingDay reports whether people work on date's calendar day: a make-up working
// day on a weekend is one, a holiday on a weekday is not, and otherwise Monday to Friday.
func (Official) IsWorkingDay(date time.Time) bool {
	if h := HolidayUtil.GetHolidayByYmd(date.Year(), int(date.Month()), date.Day()); h != nil {
		return h.IsWork()
	}
	wd := date.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}
