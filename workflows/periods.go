package workflows

import (
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/holidays"
)

// officialCalendar counts the working days of a "5wd" publicity (R14). Workflow code may
// ask it: its tables are compiled into the binary, so a replay gets the answers the first
// run got (see internal/holidays on bumping the library).
var officialCalendar domain.Calendar = holidays.Official{}

// publicityEnds is when a publicity period that starts at from ends (R10, R14). A
// duration period ends exactly as it did before R14, so recorded histories replay; day
// periods end at the last instant of their last day in the campaign's time zone.
func (c *campaign) publicityEnds(from time.Time) time.Time {
	return c.cfg.PublicityPeriod.End(from, c.cfg.Location(), officialCalendar)
}
