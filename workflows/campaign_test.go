package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// candidates2016 are the counties that reach the review in the 2016 scenario, with the
// review score their two uniform scorecards average to (illustrative marks).
var candidates2016 = map[string]float64{
	"520328": 91, "520382": 89, "522635": 85, "520111": 84, "520526": 83, "520402": 80, "520502": 80,
	"520602": 79, "522301": 78, "520112": 79, "520302": 78, "520422": 77, "520521": 76, "520603": 75,
	"522322": 74, "522601": 73,
}

// TestCampaign2016 plays the whole 2016 calendar of the notice on the time-skipping
// test environment, R1 through R12.
func TestCampaign2016(t *testing.T) {
	c := newCalendar(t)
	reg := func(code string) {
		c.ok(workflows.UpdateRegister, workflows.RegisterInput{Actor: county(code), County: code}, nil)
	}
	deliver := func(code string) {
		c.ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: county(code), County: code, Items: complete()}, nil)
	}
	submit := func(code string) {
		c.ok(workflows.UpdateSubmit, workflows.SubmitInput{Actor: county(code), County: code}, nil)
	}
	recommend := func(pref string, counties ...string) *readmodel.RecommendResult {
		var r readmodel.RecommendResult
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture(pref), Prefecture: pref, Counties: counties, DocumentRef: "商发〔2016〕" + pref}, &r)
		return &r
	}
	everyone := []string{"520102", "520111", "520112", "520201", "520203", "520221", "520302", "520328", "520382",
		"520402", "520422", "520502", "520521", "520526", "520602", "520603", "522301", "522322", "522601", "522635", "522701"}

	// 2 July: registrations (R2, R12).
	c.at(date(time.July, 2, 9), func() {
		for _, code := range everyone {
			reg(code)
		}
		reg("520181")
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: county("520123"), County: "520123"}, domain.CodeIneligible, "R2") // R2: excluded
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "110101"}, domain.CodeIneligible, "R2")            // R2: not of the province
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520300"}, domain.CodeIneligible, "R2")            // R2: a prefecture is no candidate
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520102"}, domain.CodeConflict, "")
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: county("520102"), County: "520103"}, domain.CodeForbidden, "R12")
		var a readmodel.Application
		c.ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: county("520328"), County: "520328", Items: domain.Materials{"8": {Copies: 1}}}, &a)
		c.then(func() {
			assert.True(t, a.Exempt, "R6: a county of the national selection is exempt")
			assert.True(t, a.Materials.Complete)
		})
	})
	// 3 July: a withdrawal, and materials (R6).
	c.at(date(time.July, 3, 9), func() {
		c.ok(workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: county("520181"), County: "520181", Reason: "县政府决定不参选"}, nil)
		c.refused(workflows.UpdateWithdraw, workflows.WithdrawInput{Actor: county("520181"), County: "520181"}, domain.CodeInvalidState, "")
		c.refused(workflows.UpdateSubmit, workflows.SubmitInput{Actor: county("520111"), County: "520111"}, domain.CodeMaterialsIncomplete, "R6")
		c.refused(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: county("520111"), County: "520111", Items: domain.Materials{"1": {Copies: 3}}}, domain.CodeBadRequest, "R6")
		items := complete()
		items["5"] = domain.Delivery{Copies: 2} // 一式三份: two copies are not enough
		c.ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: county("520111"), County: "520111", Items: items}, nil)
		c.refused(workflows.UpdateSubmit, workflows.SubmitInput{Actor: county("520111"), County: "520111"}, domain.CodeMaterialsIncomplete, "R6")
		for _, code := range everyone {
			if code != "520328" && code != "522635" {
				deliver(code)
			}
		}
		for _, code := range everyone {
			submit(code)
		}
		c.refused(workflows.UpdateSubmit, workflows.SubmitInput{Actor: county("520111"), County: "520111"}, domain.CodeInvalidState, "R6")
	})
	// 15 July: first filings (R3, R4).
	c.at(date(time.July, 15, 9), func() {
		r := recommend("520100", "520102", "520111")
		c.then(func() { assert.Equal(t, domain.PrefectureFiled, r.Status) })
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520300"), Prefecture: "520300", Counties: []string{"520382"}}, domain.CodeIneligible, "R4")
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520100", Counties: []string{"520302"}}, domain.CodeIneligible, "R3")
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520300", Counties: []string{"520302"}}, domain.CodeForbidden, "R12")
		// R3: a validate-only list over the cap warns; the formal one forfeits the prefecture.
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520200"), Prefecture: "520200", Counties: []string{"520201", "520203", "520221"}, ValidateOnly: true}, domain.CodeOverCap, "R3")
		c.expectState("520201", domain.StateSubmitted)
		r2 := recommend("520200", "520201", "520203", "520221")
		c.then(func() { assert.Equal(t, domain.PrefectureForfeited, r2.Status) })
		for _, code := range []string{"520201", "520203", "520221"} {
			c.expectState(code, domain.StateForfeited)
		}
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520200"), Prefecture: "520200", Counties: []string{"520201"}}, domain.CodeInvalidState, "R3")
		recommend("520300", "520328", "520302")
		c.refused(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: county("520402"), County: "520402"}, domain.CodeIneligible, "R4")
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: county("520382"), County: "520382", DocumentRef: "仁府呈〔2016〕8号"}, nil)
		c.ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: county("520526"), County: "520526"}, nil)
		recommend("520400", "520402", "520422")
		recommend("520500", "520502", "520521")
		recommend("520600", "520602", "520603")
		recommend("522300", "522301", "522322")
		recommend("522600", "522635", "522601")
	})
	// 20 July: Guiyang replaces its list before the deadline (R3).
	c.at(date(time.July, 20, 9), func() {
		var pv readmodel.RecommendResult
		c.ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520100", Counties: []string{"520111", "520112"}, ValidateOnly: true}, &pv)
		c.then(func() { assert.True(t, pv.ValidateOnly) })
		c.expectState("520112", domain.StateSubmitted)
		recommend("520100", "520111", "520112")
		c.expectState("520102", domain.StateSubmitted)
		c.expectState("520112", domain.StateRecommended)
	})
	// 2 August: the deadline has passed with nobody online (R5).
	c.at(date(time.August, 2, 9), func() {
		c.then(func() {
			v := c.query()
			assert.Equal(t, domain.PhaseReviewing, v.Phase)
			c.assertState("520102", domain.StateExpired)
			c.assertState("522701", domain.StateExpired)
			c.assertState("520111", domain.StateUnderReview)
			c.assertState("520382", domain.StateUnderReview)
			for _, p := range v.Prefectures {
				switch p.Code {
				case "522700":
					assert.Equal(t, domain.PrefectureGaveUp, p.Status, "R5: a prefecture that filed nothing gave up")
				case "520200":
					assert.Equal(t, domain.PrefectureForfeited, p.Status)
				default:
					assert.Equal(t, domain.PrefectureFiled, p.Status, p.Code)
				}
			}
			assert.Equal(t, len(candidates2016), v.Counts[domain.StateUnderReview])
		})
		c.refused(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520100", Counties: []string{"520111"}}, domain.CodeDeadlinePassed, "R5")
		c.refused(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520103"}, domain.CodeDeadlinePassed, "R5")
	})
	// 3–5 August: review (R7a, R8).
	c.at(date(time.August, 3, 9), func() {
		c.refused(workflows.UpdateScore, workflows.ScoreInput{Actor: county("520111"), County: "520111", Criteria: card(1, 1, 1, 1, 1, 1)}, domain.CodeForbidden, "R12")
		c.refused(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520111", Criteria: domain.Scorecard{"logistics": 90}}, domain.CodeBadRequest, "R8")
		c.refused(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520102", Criteria: card(1, 1, 1, 1, 1, 1)}, domain.CodeInvalidState, "R8")
		c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520111", Criteria: card(10, 10, 10, 10, 10, 10)}, nil)
		c.refused(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, domain.CodeInvalidState, "R8")
		for code, review := range candidates2016 {
			c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: code, Criteria: card(review-1, review-1, review-1, review-1, review-1, review-1)}, nil)
			c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("wang"), County: code, Criteria: card(review+1, review+1, review+1, review+1, review+1, review+1)}, nil)
		}
		var a readmodel.Application
		c.ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("wang"), County: "520111", Criteria: card(85, 85, 85, 85, 85, 85), Comment: "re-scored"}, &a)
		c.then(func() {
			require.NotNil(t, a.Scores.Review)
			assert.InDelta(t, 84, *a.Scores.Review, 1e-9, "R8: a re-score replaces the reviewer's own card")
			assert.Len(t, a.Scores.Scorecards, 2)
		})
	})
	c.at(date(time.August, 5, 9), func() {
		var r domain.Ranking
		c.ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, &r)
		c.then(func() {
			want := []struct {
				county string
				total  float64
			}{
				{"520328", 92.2}, {"520382", 92}, {"520111", 87}, {"522635", 86}, {"520526", 86}, {"520402", 83},
				{"520502", 83}, {"520602", 82}, {"522301", 81}, {"520112", 80}, {"520302", 79}, {"520422", 78},
				{"520521", 77}, {"520603", 76}, {"522322", 75}, {"522601", 74},
			}
			require.Len(t, r.Shortlist, 12)
			require.Len(t, r.Reserve, 4)
			all := append(append([]domain.Ranked{}, r.Shortlist...), r.Reserve...)
			for i, w := range want {
				assert.Equal(t, w.county, all[i].County, "rank %d", i+1)
				assert.Equal(t, i+1, all[i].Rank)
				assert.InDelta(t, w.total, all[i].Total, 1e-9, "R7a total of %s", w.county)
			}
			b := all[0].Breakdown
			assert.InDelta(t, 34.6, b.NationalTerm, 1e-9)
			assert.InDelta(t, 54.6, b.ReviewTerm, 1e-9)
			assert.InDelta(t, 3, b.OrderBonus, 1e-9)
		})
		c.expectState("520422", domain.StateShortlisted)
		c.expectState("520521", domain.StateReserve)
	})
	// 8 August: the notice, in time (R9).
	c.at(date(time.August, 8, 10), func() {
		var n readmodel.Notice
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, &n)
		c.then(func() {
			assert.Len(t, n.Shortlist, 12)
			assert.False(t, n.Late)
			assert.Equal(t, date(time.August, 15, 10), n.PublicityEndsAt.In(sh))
		})
		c.refused(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, domain.CodeConflict, "R9")
		c.refused(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: "520111", Criteria: card(1, 1, 1, 1, 1, 1)}, domain.CodeConflict, "R8")
		c.refused(workflows.UpdatePromoteReserve, workflows.AdminInput{Actor: admin}, domain.CodeInvalidState, "R10")
	})
	// 9 August: objections (R10), filed by the public into the system of record.
	var upheld, dismissed string
	c.at(date(time.August, 9, 10), func() {
		c.then(func() {
			upheld = c.rec.file(t, "520602", "物流配送中心尚未建成", "")
			dismissed = c.rec.file(t, "520111", "网销数据存疑", "138")
		})
		// The Update of campaigns started before objections moved to the store is closed.
		c.refused(workflows.UpdateObject, workflows.ObjectInput{County: "520111", Reason: "x"}, domain.CodeConflict, "R10")
		c.ok(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: upheld, County: "520602", Decision: domain.DecisionUpheld, Note: "核实属实"}
		}, nil)
		c.ok(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: dismissed, County: "520111", Decision: domain.DecisionDismissed}
		}, nil)
		c.refused(workflows.UpdateResolveObjection, func() any {
			return workflows.ResolveInput{Actor: admin, ID: dismissed, County: "520111", Decision: domain.DecisionUpheld}
		}, domain.CodeConflict, "R10")
		c.refused(workflows.UpdateResolveObjection, workflows.ResolveInput{Actor: admin, ID: "nope", Decision: domain.DecisionUpheld}, domain.CodeNotFound, "")
		c.expectState("520602", domain.StateRemoved) // R10 as revised: removed at once
	})
	// 10 August: the best reserve fills the vacancy, with its own publicity (R10).
	c.at(date(time.August, 10, 10), func() {
		var a readmodel.Application
		c.ok(workflows.UpdatePromoteReserve, workflows.AdminInput{Actor: admin}, &a)
		c.then(func() {
			assert.Equal(t, "520521", a.County)
			assert.Equal(t, domain.StateShortlisted, a.State)
			require.NotNil(t, a.PublicityEndsAt)
			assert.Equal(t, date(time.August, 17, 10), a.PublicityEndsAt.In(sh))
		})
		c.refused(workflows.UpdatePromoteReserve, workflows.AdminInput{Actor: admin}, domain.CodeInvalidState, "R10")
	})
	c.at(date(time.August, 11, 10), func() {
		c.then(func() { assert.False(t, c.query().Overdue, "R9: the notice came in time") })
	})
	// 16 August: the first publicity has ended (R10).
	c.at(date(time.August, 16, 10), func() {
		c.expectState("520602", domain.StateRemoved)
		c.expectState("520111", domain.StateDesignated)
		c.expectState("520521", domain.StateShortlisted)
		c.then(func() { assert.Equal(t, domain.PhasePublicity, c.query().Phase) })
	})

	v := c.run(campaign2016())

	// 17 August: the promoted county's publicity ended; the campaign closed.
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.Equal(t, 12, v.Counts[domain.StateDesignated])
	assert.Equal(t, 1, v.Counts[domain.StateRemoved])
	assert.Equal(t, 3, v.Counts[domain.StateNotSelected])
	c.assertState("520521", domain.StateDesignated)
	c.assertState("522601", domain.StateNotSelected)

	// R11: every transition is on the case's timeline, in order.
	var actions []string
	for _, e := range c.rec.events[workflows.ApplicationID(2016, "520102")] {
		actions = append(actions, e.Action+":"+e.To)
	}
	assert.Equal(t, []string{"register:registered", "materials:registered", "submit:submitted", "recommend:recommended",
		"recommendation_replaced:submitted", "deadline:expired"}, actions)
	for id, evs := range c.rec.events {
		for i, e := range evs {
			assert.Equal(t, int64(i+1), e.Seq, "%s: seq without gaps", id)
		}
	}
}

// TestNoticeOverdue plays R9: no notice by 10 August flags the campaign overdue until
// one is published; the late notice says so.
func TestNoticeOverdue(t *testing.T) {
	c := newCalendar(t)
	c.rankRenhuaiAlone()
	c.at(date(time.August, 10, 23), func() { c.then(func() { assert.False(t, c.query().Overdue) }) })
	c.at(date(time.August, 11, 9), func() { c.then(func() { assert.True(t, c.query().Overdue, "R9") }) })
	c.at(date(time.August, 12, 9), func() {
		var n readmodel.Notice
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, &n)
		c.then(func() {
			assert.True(t, n.Late)
			assert.False(t, c.query().Overdue)
		})
	})
	v := c.run(campaign2016())
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.Equal(t, 1, v.Counts[domain.StateDesignated])
}
