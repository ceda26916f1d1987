package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestTimeRules2016_R14 plays R14 on the 2016 calendar: a self-application half a second
// into the deadline second 23:59:59 is in time, and a notice published on Thursday
// 29 September with 5wd holds its publicity to the end of Tuesday 11 October, across
// National Day and its make-up weekend.
func TestTimeRules2016_R14(t *testing.T) {
	c := newCalendar(t)
	c.at(date(time.July, 2, 9), func() {
		c.file("520382")
	})
	c.at(time.Date(2016, 8, 1, 23, 59, 59, 500_000_000, sh), func() {
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: admin, County: "520382"}, nil)
	})
	c.at(date(time.August, 3, 9), func() {
		c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520382", Criteria: card(80, 80, 80, 80, 80, 80)}, nil)
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
	})
	var n readmodel.Notice
	c.at(time.Date(2016, 9, 29, 15, 0, 0, 0, sh), func() {
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, &n)
	})
	c.at(time.Date(2016, 10, 11, 23, 0, 0, 0, sh), func() {
		c.then(func() {
			assert.Equal(t, domain.PhasePublicity, c.query().Phase, "R14: publicity runs through 11 October")
		})
	})
	cfg := campaign2016()
	cfg.NoticeDeadline = time.Date(2016, 9, 30, 23, 59, 59, 0, sh)
	cfg.PublicityPeriod = domain.WorkingDays(5)
	v := c.run(cfg)
	assert.True(t, n.PublicityEndsAt.Equal(time.Date(2016, 10, 11, 23, 59, 59, 999999000, sh)), "R14: ends %s", n.PublicityEndsAt)
	assert.Equal(t, "5wd", v.Deadlines.PublicityPeriod)
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.Equal(t, 1, v.Counts[domain.StateDesignated], "R14: the self-application at 23:59:59.5 was in time")
}
