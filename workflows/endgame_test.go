package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestEndGame_R10 plays R10 as revised on the 2016 calendar: a withdrawal between the
// ranking and the notice makes the ranking stale; an objection still open when the
// period ends and upheld afterwards removes the county at once and leaves a vacancy
// (before, the campaign closed in that Update and the place was lost); the county's
// other objections are moot; each shortlist change publishes a new notice version; the
// campaign closes only once the vacancy is declined, and publishes its final list.
func TestEndGame_R10(t *testing.T) {
	c := newCalendar(t)
	candidates := map[string]float64{"520382": 90, "520526": 85, "520102": 80, "520111": 70}
	c.at(date(time.July, 2, 9), func() {
		for code := range candidates {
			c.file(code)
		}
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: admin, County: "520382"}, nil)
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: admin, County: "520526"}, nil)
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520100", Counties: []string{"520102", "520111"}}, nil)
	})
	c.at(date(time.August, 3, 9), func() {
		for code, mark := range candidates {
			c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: code, Criteria: card(mark, mark, mark, mark, mark, mark)}, nil)
		}
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
		c.expectState("520526", domain.StateShortlisted)
	})
	// 4 August: a shortlisted county withdraws before the notice: the ranking is stale.
	c.at(date(time.August, 4, 9), func() {
		c.ok(workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: admin, County: "520526", Reason: "not ready"}, nil)
		c.then(func() { assert.Equal(t, domain.PhaseReviewing, c.query().Phase, "R10: the ranking lost a candidate") })
		c.expectState("520382", domain.StateUnderReview)
		c.refused(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, domain.CodeConflict, "R9")
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
		c.expectState("520102", domain.StateShortlisted)
		c.expectState("520111", domain.StateReserve)
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, nil)
	})
	var a1, a2, b1 string
	c.at(date(time.August, 6, 9), func() {
		c.then(func() {
			a1 = c.rec.file(t, "520382", "物流配送中心尚未建成", "")
			a2 = c.rec.file(t, "520382", "网销数据存疑", "")
			b1 = c.rec.file(t, "520102", "材料不全", "")
		})
	})
	// 12 August, after the period (ends 11 August 09:00): designation waits for the
	// open objections.
	c.at(date(time.August, 12, 9), func() {
		c.expectState("520382", domain.StateShortlisted)
		c.ok(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: b1, County: "520102", Decision: domain.DecisionDismissed}
		}, nil)
		c.expectState("520102", domain.StateDesignated)
		c.ok(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: a1, County: "520382", Decision: domain.DecisionUpheld, Note: "属实"}
		}, nil)
		c.expectState("520382", domain.StateRemoved)
		c.then(func() {
			v := c.query()
			assert.Equal(t, domain.PhasePublicity, v.Phase, "R10: a vacancy with a reserve left keeps the campaign open")
			assert.Equal(t, 1, v.Vacancies)
			assert.Equal(t, domain.ObjectionMoot, c.rec.objs[a2].Status, "R10: the removed county's other objections are moot")
		})
		c.refused(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: a2, County: "520382", Decision: domain.DecisionUpheld}
		}, domain.CodeConflict, "R10")
		c.refused(workflows.UpdateDeclineVacancies, workflows.DeclineInput{Actor: admin}, domain.CodeBadRequest, "")
		c.ok(workflows.UpdateDeclineVacancies, workflows.DeclineInput{Actor: admin, Reason: "递补县材料不足"}, nil)
	})

	v := c.run(campaign2016WithQuota(2))
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.Equal(t, 1, v.Declined)
	c.assertState("520111", domain.StateNotSelected)
	require.NotNil(t, c.rec.final, "the final list is published on closing")
	require.Len(t, c.rec.final.Designated, 1)
	assert.Equal(t, "520102", c.rec.final.Designated[0].County)
	assert.Nil(t, c.rec.final.DocumentRef)

	// Every shortlist change published a new version; the last marks the removal.
	require.GreaterOrEqual(t, len(c.rec.notices), 3)
	for i, n := range c.rec.notices {
		assert.Equal(t, int64(i+1), n.Version)
	}
	last := c.rec.notices[len(c.rec.notices)-1]
	status := map[string]string{}
	for _, e := range last.Shortlist {
		status[e.County] = e.Status
	}
	assert.Equal(t, map[string]string{"520382": "removed", "520102": "designated"}, status)
	assert.Contains(t, last.Text, "异议成立，取消入围")
}

func campaign2016WithQuota(q int) domain.Campaign {
	cfg := campaign2016()
	cfg.Quota = q
	return cfg
}
