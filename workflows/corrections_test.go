package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// prepare registers, completes and submits each county on the calendar's current date.
func (c *calendar) prepare(counties ...string) {
	for _, code := range counties {
		c.file(code)
	}
}

// finish scores the candidates under review, ranks them and publishes the notice on the
// given day; the publicity period then closes the campaign (quota 12: no reserve).
func (c *calendar) finish(day time.Time, candidates ...string) {
	c.at(day, func() {
		for _, code := range candidates {
			c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: code, Criteria: card(80, 80, 80, 80, 80, 80)}, nil)
		}
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, nil)
	})
}

// lastEvent is the newest event of a workflow's timeline in the read model.
func (r *recorder) lastEvent(workflowID string) readmodel.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	evs := r.events[workflowID]
	if len(evs) == 0 {
		return readmodel.Event{}
	}
	return evs[len(evs)-1]
}

func (r *recorder) app(county string) readmodel.Application {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.apps[county]
}

func pts(f float64) *float64 { return &f }

// TestCorrections_R13 plays R13 on the 2016 calendar: a national score corrected, a
// county excluded and readmitted, a forfeiture filed by mistake reinstated, and the
// recommendation deadline extended while it has not passed, its durable timer moving
// with it; once the new deadline passed, nothing of it can change. Before R13 none of
// these existed: a forfeiture was final and the deadline fired on 1 August.
func TestCorrections_R13(t *testing.T) {
	c := newCalendar(t)
	c.at(date(time.July, 2, 9), func() {
		c.prepare("520102", "520322", "520324", "520326")
		c.ok(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520111"}, nil)
	})
	c.at(date(time.July, 10, 9), func() {
		c.refused(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, NationalScores: map[string]*float64{"520322": pts(75)}}, domain.CodeBadRequest, "R13")
		c.refused(workflows.UpdateAmend, workflows.AmendInput{Actor: prefecture("520300"), Reason: "x", NationalScores: map[string]*float64{"520322": pts(75)}}, domain.CodeForbidden, "R12")
		c.ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "national list of 2016 corrected", NationalScores: map[string]*float64{"520322": pts(75)}}, nil)
		c.then(func() {
			assert.Equal(t, 75.0, c.query().NationalScores["520322"])
			assert.True(t, c.rec.app("520322").Exempt, "R6: a county with a national score is exempt")
			last := c.rec.lastEvent(workflows.ApplicationID(2016, "520322"))
			assert.Equal(t, "amended_national_score", last.Action)
			assert.Contains(t, last.Detail, "none → 75")
			assert.Contains(t, last.Detail, "national list of 2016 corrected")
			camp := c.rec.lastEvent(workflows.CampaignID("520000", 2016))
			assert.Equal(t, "R13", camp.Rule)
			assert.Equal(t, []string{"none", "75"}, []string{camp.From, camp.To})
		})
		c.ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "designated in 2015", ExcludedAdd: []string{"520111", "520113"}}, nil)
		c.expectState("520111", domain.StateIneligible)
		c.refused(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: admin, County: "520111", Items: complete()}, domain.CodeInvalidState, "R6")
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520113"}, domain.CodeIneligible, "R2")
		c.ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "it was 2014's list, not 2015's", ExcludedRemove: []string{"520111", "520113"}}, nil)
		c.expectState("520111", domain.StateRegistered)
	})
	// 15 July: the administrator files for the wrong prefecture, over its cap.
	c.at(date(time.July, 15, 9), func() {
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: []string{"520322", "520324"}}, nil)
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: []string{"520322", "520324", "520326"}}, nil)
		c.expectState("520322", domain.StateForfeited)
		c.refused(workflows.UpdateReinstate, workflows.ReinstateInput{Actor: admin, Prefecture: "520300"}, domain.CodeBadRequest, "R13")
		c.refused(workflows.UpdateReinstate, workflows.ReinstateInput{Actor: admin, Prefecture: "520100", Reason: "x"}, domain.CodeInvalidState, "R13")
		c.ok(workflows.UpdateReinstate, workflows.ReinstateInput{Actor: admin, Prefecture: "520300", Reason: "filed by mistake for 遵义市"}, nil)
		c.expectState("520322", domain.StateRecommended)
		c.expectState("520324", domain.StateRecommended)
		c.expectState("520326", domain.StateSubmitted)
		c.then(func() {
			p := prefectureOf(c.query(), "520300")
			assert.Equal(t, domain.PrefectureFiled, p.Status, "R13: back to filed with its last list")
			assert.Equal(t, []string{"520322", "520324"}, p.Recommended)
			assert.Equal(t, 1, *c.rec.app("520322").RecommendationOrder)
		})
		c.refused(workflows.UpdateReinstate, workflows.ReinstateInput{Actor: admin, Prefecture: "520300", Reason: "again"}, domain.CodeInvalidState, "R13")
	})
	// 20 July: floods; the deadline moves to 5 August (a date: the whole day, R14).
	newDeadline := time.Date(2016, 8, 5, 23, 59, 59, 0, sh)
	c.at(date(time.July, 20, 9), func() {
		c.refused(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "x", RecommendationDeadline: date(time.July, 19, 9)}, domain.CodeDeadlinePassed, "R13")
		c.ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "floods in 遵义", RecommendationDeadline: newDeadline}, nil)
		c.then(func() {
			assert.True(t, c.query().Deadlines.Recommendation.Equal(newDeadline))
			assert.Equal(t, "amended_recommendation_deadline", c.rec.lastEvent(workflows.ApplicationID(2016, "520326")).Action, "R13: every open case hears of the new deadline")
		})
	})
	// 3 August: the old deadline has passed, the new one has not.
	c.at(date(time.August, 3, 9), func() {
		c.expectState("520111", domain.StateRegistered)
		c.then(func() { assert.Equal(t, domain.PhaseOpen, c.query().Phase, "R13: the timer moved with the deadline") })
		c.ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: admin, County: "520111", Items: complete()}, nil)
		c.ok(workflows.UpdateSubmit, workflows.SubmitInput{Actor: admin, County: "520111"}, nil)
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520100", Counties: []string{"520102", "520111"}}, nil)
	})
	c.at(date(time.August, 6, 9), func() {
		c.then(func() { assert.Equal(t, domain.PhaseReviewing, c.query().Phase) })
		c.expectState("520111", domain.StateUnderReview)
		c.expectState("520326", domain.StateExpired)
		c.refused(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "x", RecommendationDeadline: date(time.August, 9, 9)}, domain.CodeDeadlinePassed, "R13")
		c.refused(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "x", ExcludedAdd: []string{"520113"}}, domain.CodeInvalidState, "R13")
		c.ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "review takes longer", NoticeDeadline: time.Date(2016, 8, 12, 23, 59, 59, 0, sh)}, nil)
	})
	c.finish(date(time.August, 12, 9), "520102", "520111", "520322", "520324")
	v := c.run(campaign2016())
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.False(t, v.Overdue, "R13: the notice deadline moved to 12 August")
	assert.Equal(t, 4, v.Counts[domain.StateDesignated])
}

func prefectureOf(v readmodel.CampaignView, code string) readmodel.Prefecture {
	for _, p := range v.Prefectures {
		if p.Code == code {
			return p
		}
	}
	return readmodel.Prefecture{}
}

// TestReceiptTime_R14: lateness is judged when the API received an act, not when the
// workflow processed it. A filing received at 23:59:59.5 on 1 August that reaches the
// campaign half a minute after midnight (a busy worker, a restart) counts; before R14 it
// was refused because the deadline's timer had already fired. A stamp older than the
// window, or from the future, is not believed.
func TestReceiptTime_R14(t *testing.T) {
	c := newCalendar(t)
	c.at(date(time.July, 2, 9), func() {
		c.prepare("520102", "520111", "520322")
	})
	inTime := time.Date(2016, 8, 1, 23, 59, 59, 500_000_000, sh)
	// Each step takes a minute of the calendar: the two acts received in time run at
	// 00:00:30 and 00:01:30, within the receipt window.
	c.at(time.Date(2016, 8, 2, 0, 0, 30, 0, sh), func() {
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520100", Counties: []string{"520102"}, ReceivedAt: inTime}, nil)
		// A refused filing received in time leaves the swept cases as they were.
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: []string{"520111"}, ReceivedAt: inTime}, domain.CodeIneligible, "R3")
		c.then(func() {
			v := c.query()
			assert.Equal(t, domain.PhaseReviewing, v.Phase)
			assert.Equal(t, domain.PrefectureFiled, prefectureOf(v, "520100").Status)
			assert.Equal(t, domain.PrefectureGaveUp, prefectureOf(v, "520300").Status)
			evs := c.rec.events[workflows.ApplicationID(2016, "520102")]
			var actions []string
			for _, e := range evs[len(evs)-4:] {
				actions = append(actions, e.Action)
			}
			assert.Equal(t, []string{"deadline", "reopened_for_receipt", "recommend", "deadline"}, actions)
		})
		c.expectState("520102", domain.StateUnderReview)
		c.expectState("520111", domain.StateExpired)
		c.expectState("520322", domain.StateExpired)
		// A stamp outside the window, or ahead of the workflow's clock, is not believed.
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: []string{"520322"}, ReceivedAt: inTime.Add(-domain.ReceiptWindow)}, domain.CodeDeadlinePassed, "R5")
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: []string{"520322"}, ReceivedAt: time.Date(2016, 8, 3, 0, 0, 0, 0, sh)}, domain.CodeDeadlinePassed, "R5")
	})
	c.finish(date(time.August, 3, 9), "520102")
	v := c.run(campaign2016())
	assert.Equal(t, 1, v.Counts[domain.StateDesignated])
}
