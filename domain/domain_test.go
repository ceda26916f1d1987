package domain

import (
	"errors"
	"strings"
	"testing"
	"time"
)

var (
	sh       = Shanghai
	deadline = time.Date(2016, 8, 1, 23, 59, 59, 0, sh)
)

func cfg2016() Campaign {
	return Campaign{
		Year: 2016, Province: "520000", Quota: 12, PrefectureCap: 2,
		RecommendationDeadline: deadline,
		NoticeDeadline:         time.Date(2016, 8, 10, 23, 59, 59, 0, sh),
		PublicityPeriod:        DefaultPublicityPeriod,
		Excluded:               []string{"520123"},
		NationalScores:         map[string]float64{"520328": 86.5},
		Weights:                DefaultWeights(),
	}
}

// refusedWith checks that err is a RuleError with the given code and rule ("" = no error).
func refusedWith(t *testing.T, err error, code Code, rule string) {
	t.Helper()
	if code == "" {
		if err != nil {
			t.Fatalf("unexpected refusal: %v", err)
		}
		return
	}
	var re *RuleError
	if !errors.As(err, &re) {
		t.Fatalf("want %s %s, got %v", code, rule, err)
	}
	if re.Code != code || re.Rule != rule {
		t.Fatalf("want %s %s, got %s %s (%s)", code, rule, re.Code, re.Rule, re.Message)
	}
}

func TestReferenceData_R2_R4(t *testing.T) {
	d := MustReference("520000", "2016")
	if n := len(d.Prefectures("520000")); n != 9 {
		t.Fatalf("R2: want 9 prefectures, got %d", n)
	}
	counties := 0
	for _, p := range d.Prefectures("520000") {
		counties += len(d.Counties(p.Code))
	}
	if counties != 88 {
		t.Fatalf("R2: want 88 counties, got %d", counties)
	}
	for code, want := range map[string]bool{"520382": true, "520526": true, "520102": false} {
		div, _ := d.Get(code)
		if div.DirectlyAdministered != want {
			t.Errorf("R4: %s directly administered = %v, want %v", code, div.DirectlyAdministered, want)
		}
	}
}

func TestCampaignValidate_R1(t *testing.T) {
	tests := []struct {
		name   string
		mutate func(*Campaign)
		bad    string
	}{
		{"the_2016_notice_is_valid", func(*Campaign) {}, ""},
		{"quota_below_one_is_refused", func(c *Campaign) { c.Quota = 0 }, "quota"},
		{"cap_below_one_is_refused", func(c *Campaign) { c.PrefectureCap = 0 }, "prefecture_cap"},
		{"notice_before_recommendation_deadline_is_refused", func(c *Campaign) { c.NoticeDeadline = deadline.Add(-time.Hour) }, "before notice_deadline"},
		{"missing_deadline_is_refused", func(c *Campaign) { c.RecommendationDeadline = time.Time{} }, "recommendation_deadline is required"},
		{"non_positive_publicity_is_refused", func(c *Campaign) { c.PublicityPeriod = Period{} }, "publicity_period"},
		{"unknown_province_is_refused", func(c *Campaign) { c.Province = "110000" }, "province"},
		{"excluded_must_be_a_county", func(c *Campaign) { c.Excluded = []string{"520100"} }, "excluded"},
		{"national_score_over_100_is_refused", func(c *Campaign) { c.NationalScores = map[string]float64{"520328": 101} }, "national_scores"},
		{"negative_weight_is_refused", func(c *Campaign) { c.Weights.Criteria = map[string]float64{"logistics": -1} }, "weights"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := cfg2016()
			tt.mutate(&c)
			err := c.Validate(MustReference("520000", "2016"))
			if tt.bad == "" {
				refusedWith(t, err, "", "")
				return
			}
			refusedWith(t, err, CodeBadRequest, "R1")
			if !strings.Contains(err.Error(), tt.bad) {
				t.Fatalf("message %q does not name %q", err, tt.bad)
			}
		})
	}
}

func TestEligibility_R2(t *testing.T) {
	tests := []struct {
		name, county string
		code         Code
	}{
		{"a_county_of_the_province_may_apply", "520102", ""},
		{"a_directly_administered_county_may_apply", "520382", ""},
		{"an_excluded_demonstration_county_cannot_apply", "520123", CodeIneligible},
		{"a_prefecture_is_not_a_candidate", "520100", CodeIneligible},
		{"a_county_of_another_province_cannot_apply", "110101", CodeIneligible},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := CheckEligible(cfg2016(), MustReference("520000", "2016"), tt.county)
			rule := ""
			if tt.code != "" {
				rule = "R2"
			}
			refusedWith(t, err, tt.code, rule)
		})
	}
}

func TestFiling_R3_R4_R5(t *testing.T) {
	submitted := map[string]State{"520102": StateSubmitted, "520111": StateSubmitted, "520112": StateSubmitted, "520113": StateRegistered}
	before := time.Date(2016, 7, 20, 9, 0, 0, 0, sh)
	tests := []struct {
		name         string
		now          time.Time
		status       PrefectureStatus
		counties     []string
		validateOnly bool
		code         Code
		rule         string
		forfeits     bool
	}{
		{"two_submitted_counties_in_order_are_filed", before, PrefectureOpen, []string{"520111", "520102"}, false, "", "", false},
		{"a_filed_list_may_be_replaced_before_the_deadline", before, PrefectureFiled, []string{"520112"}, false, "", "", false},
		{"third_county_over_cap_forfeits_prefecture", before, PrefectureOpen, []string{"520102", "520111", "520112"}, false, "", "", true},
		{"over_cap_validate_only_warns_without_forfeiting", before, PrefectureOpen, []string{"520102", "520111", "520112"}, true, CodeOverCap, "R3", false},
		{"forfeiture_is_final", before, PrefectureForfeited, []string{"520102"}, false, CodeInvalidState, "R3", false},
		{"a_county_of_another_prefecture_cannot_be_recommended", before, PrefectureOpen, []string{"520302"}, false, CodeIneligible, "R3", false},
		{"a_directly_administered_county_cannot_be_recommended", before, PrefectureOpen, []string{"520382"}, false, CodeIneligible, "R4", false},
		{"a_county_without_a_submitted_application_cannot_be_recommended", before, PrefectureOpen, []string{"520113"}, false, CodeInvalidState, "R3", false},
		{"an_empty_list_is_malformed", before, PrefectureOpen, nil, false, CodeBadRequest, "R3", false},
		{"a_county_listed_twice_is_malformed", before, PrefectureOpen, []string{"520102", "520102"}, false, CodeBadRequest, "R3", false},
		{"a_filing_at_the_deadline_instant_is_in_time", deadline, PrefectureOpen, []string{"520102"}, false, "", "", false},
		{"a_filing_after_the_deadline_is_refused", deadline.Add(time.Second), PrefectureOpen, []string{"520102"}, false, CodeDeadlinePassed, "R5", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pref := "520100"
			if tt.name == "a_directly_administered_county_cannot_be_recommended" {
				pref = "520300"
			}
			d, err := CheckFiling(tt.now, cfg2016(), MustReference("520000", "2016"), tt.status, Filing{Prefecture: pref, Counties: tt.counties}, submitted, tt.validateOnly)
			refusedWith(t, err, tt.code, tt.rule)
			if d.Forfeits != tt.forfeits {
				t.Fatalf("forfeits = %v, want %v", d.Forfeits, tt.forfeits)
			}
		})
	}
}

func TestSelfApply_R4(t *testing.T) {
	d := MustReference("520000", "2016")
	renhuai, _ := d.Get("520382")
	nanming, _ := d.Get("520102")
	in := time.Date(2016, 7, 20, 9, 0, 0, 0, sh)
	refusedWith(t, CheckSelfApply(in, cfg2016(), renhuai, StateSubmitted), "", "")
	refusedWith(t, CheckSelfApply(in, cfg2016(), nanming, StateSubmitted), CodeIneligible, "R4")
	refusedWith(t, CheckSelfApply(in, cfg2016(), renhuai, StateRegistered), CodeInvalidState, "R4")
	refusedWith(t, CheckSelfApply(deadline.Add(time.Second), cfg2016(), renhuai, StateSubmitted), CodeDeadlinePassed, "R5")
}

func TestAtDeadline_R5(t *testing.T) {
	tests := []struct {
		from, to State
		moves    bool
	}{
		{StateRegistered, StateExpired, true},
		{StateSubmitted, StateExpired, true},
		{StateRecommended, StateUnderReview, true},
		{StateWithdrawn, StateWithdrawn, false},
		{StateForfeited, StateForfeited, false},
	}
	for _, tt := range tests {
		t.Run(string(tt.from)+"_at_the_deadline", func(t *testing.T) {
			to, moves := AtDeadline(tt.from)
			if to != tt.to || moves != tt.moves {
				t.Fatalf("got %s %v, want %s %v", to, moves, tt.to, tt.moves)
			}
		})
	}
}

func TestMaterials_R6(t *testing.T) {
	full := Materials{"2": {3}, "3": {3}, "4": {3}, "5": {3}, "6": {3}, "7": {3}, "9": {3}}
	tests := []struct {
		name   string
		exempt bool
		m      Materials
		code   Code
	}{
		{"required_items_in_three_copies_are_complete", false, full, ""},
		{"optional_items_8_and_10_are_not_needed", false, full, ""},
		{"a_required_item_in_two_copies_is_incomplete", false, full.Merge(Materials{"5": {2}}), CodeMaterialsIncomplete},
		{"a_missing_required_item_blocks_submission", false, Materials{"2": {3}}, CodeMaterialsIncomplete},
		{"a_county_of_the_national_selection_is_exempt", true, Materials{}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rule := ""
			if tt.code != "" {
				rule = "R6"
			}
			refusedWith(t, CheckSubmittable(tt.exempt, tt.m), tt.code, rule)
		})
	}
	refusedWith(t, ValidateDelivery(Materials{"1": {3}}), CodeBadRequest, "R6")
	refusedWith(t, ValidateDelivery(Materials{"11": {3}}), CodeBadRequest, "R6")
	refusedWith(t, ValidateDelivery(Materials{"3": {-1}}), CodeBadRequest, "R6")
	refusedWith(t, ValidateDelivery(Materials{"8": {1}, "10": {3}}), "", "")
	if got := full.Merge(Materials{"5": {0}}).Missing(); len(got) != 1 || got[0] != "5" {
		t.Fatalf("missing = %v, want [5]", got)
	}
	if got := SortedItemNumbers(Materials{"10": {}, "2": {}, "9": {}}); strings.Join(got, ",") != "2,9,10" {
		t.Fatalf("item order = %v", got)
	}
}

func uniform(v float64) Scorecard {
	return Scorecard{CriterionOrganization: v, CriterionInfrastructure: v, CriterionLogistics: v, CriterionOnlineSales: v, CriterionImplementers: v, CriterionOther: v}
}

func TestRanking_R7a(t *testing.T) {
	w := DefaultWeights()
	national := 86.5
	lowFocus := Scorecard{CriterionOrganization: 90, CriterionInfrastructure: 90, CriterionLogistics: 70, CriterionOnlineSales: 70, CriterionImplementers: 90, CriterionOther: 90}
	cands := []Candidate{
		{County: "520328", NationalScore: &national, Scorecards: []Scorecard{uniform(90), uniform(92)}, RecommendationOrder: 1}, // 0.4×86.5 + 0.6×91 + 3 = 92.2
		{County: "520382", Scorecards: []Scorecard{uniform(89)}, SelfApplied: true},                                             // 89 + 3
		{County: "520502", Scorecards: []Scorecard{uniform(80)}, RecommendationOrder: 1},                                        // 83, ties 520402 on everything: lower code wins
		{County: "520402", Scorecards: []Scorecard{uniform(80)}, RecommendationOrder: 1},                                        // 83
		{County: "520602", Scorecards: []Scorecard{lowFocus}, RecommendationOrder: 1},                                           // 83 with focus 70: behind on the focus mean
		{County: "520112", Scorecards: []Scorecard{uniform(82)}, RecommendationOrder: 2},                                        // 83 as a second pick: behind on order
		{County: "522301", Scorecards: []Scorecard{uniform(70)}, RecommendationOrder: 2},                                        // 71
	}
	r, err := Rank(w, 5, cands)
	refusedWith(t, err, "", "")
	want := []struct {
		county string
		total  float64
	}{{"520328", 92.2}, {"520382", 92}, {"520112", 83}, {"520402", 83}, {"520502", 83}, {"520602", 83}, {"522301", 71}}
	all := append(append([]Ranked{}, r.Shortlist...), r.Reserve...)
	if len(r.Shortlist) != 5 || len(r.Reserve) != 2 {
		t.Fatalf("R7: top quota shortlisted, the rest reserve: got %d/%d", len(r.Shortlist), len(r.Reserve))
	}
	for i, w := range want {
		if all[i].County != w.county || all[i].Total != w.total || all[i].Rank != i+1 {
			t.Errorf("rank %d: got %s %.6f (#%d), want %s %.6f", i+1, all[i].County, all[i].Total, all[i].Rank, w.county, w.total)
		}
	}
	b := all[0].Breakdown
	if b.NationalTerm != 34.6 || b.ReviewTerm != 54.6 || b.OrderBonus != 3 || b.Review != 91 || b.NationalWeight != 0.4 || b.ReviewWeight != 0.6 {
		t.Errorf("R7a breakdown of 520328 = %+v", b)
	}
	if b := all[1].Breakdown; b.National != nil || b.ReviewWeight != 1 || b.OrderBonus != 3 {
		t.Errorf("R7a: without a national score review weighs 1.0 and self-applying earns +3: %+v", b)
	}
}

func TestRanking_weights_override_R7a(t *testing.T) {
	w, err := WithOverrides(map[string]float64{"logistics": 0.5, "second_pick_bonus": 0})
	refusedWith(t, err, "", "")
	if w.Criteria[CriterionLogistics] != 0.5 || w.SecondPickBonus != 0 || w.FirstPickBonus != 3 {
		t.Fatalf("override applied wrongly: %+v", w)
	}
	_, err = WithOverrides(map[string]float64{"logistic": 0.5})
	refusedWith(t, err, CodeBadRequest, "R7a")
}

func TestReview_R8(t *testing.T) {
	_, err := Rank(DefaultWeights(), 12, []Candidate{{County: "520402", Scorecards: []Scorecard{uniform(1)}}, {County: "520102"}})
	refusedWith(t, err, CodeInvalidState, "R8")
	if !strings.Contains(err.Error(), "520102") {
		t.Fatalf("R8: the refusal names the candidate without a scorecard: %v", err)
	}
	review, _ := ReviewScore(DefaultWeights(), []Scorecard{uniform(80), uniform(90)})
	if review != 85 {
		t.Fatalf("R8: review is the mean of the scorecards, got %v", review)
	}
	refusedWith(t, ValidateScorecard(uniform(100)), "", "")
	refusedWith(t, ValidateScorecard(Scorecard{CriterionLogistics: 90}), CodeBadRequest, "R8")
	bad := uniform(50)
	bad[CriterionOther] = 101
	refusedWith(t, ValidateScorecard(bad), CodeBadRequest, "R8")
	extra := uniform(50)
	extra["charm"] = 1
	refusedWith(t, ValidateScorecard(extra), CodeBadRequest, "R8")
}

func TestNoticeDeadline_R9(t *testing.T) {
	nd := cfg2016().NoticeDeadline
	if NoticeOverdue(nd, nd, false, false) {
		t.Error("R9: the deadline instant itself is in time")
	}
	if !NoticeOverdue(nd.Add(time.Second), nd, false, false) {
		t.Error("R9: no notice after the deadline is overdue")
	}
	if NoticeOverdue(nd.Add(time.Hour), nd, true, false) {
		t.Error("R9: a published notice is not overdue")
	}
	// R14: 23:59:59.5 is still within the deadline's last second.
	if !NoticeOverdue(nd.Add(500*time.Millisecond), nd, false, false) || NoticeOverdue(nd.Add(500*time.Millisecond), nd, false, true) {
		t.Error("R14: the whole-second reading keeps 23:59:59.5 in time, the old reading does not")
	}
}

func TestPublicity_R10(t *testing.T) {
	tests := []struct {
		name         string
		upheld, open int
		want         State
		decided      bool
	}{
		{"no_objection_is_designated", 0, 0, StateDesignated, true},
		{"an_upheld_objection_removes", 1, 0, StateRemoved, true},
		{"an_open_objection_makes_designation_wait", 0, 1, StateShortlisted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, decided := PublicityOutcome(tt.upheld, tt.open)
			if got != tt.want || decided != tt.decided {
				t.Fatalf("got %s %v", got, decided)
			}
		})
	}
	refusedWith(t, CheckDecision("maybe"), CodeBadRequest, "R10")
	if Vacancies(12, 11) != 1 || Vacancies(12, 12) != 0 {
		t.Error("R10: a vacancy is a quota place nobody holds")
	}
	ends := time.Date(2016, 8, 15, 10, 0, 0, 0, sh)
	if !InPublicity(ends, ends) || InPublicity(ends.Add(time.Second), ends) {
		t.Error("R10: objections are accepted until the period's end")
	}
}

func TestJurisdiction_R12(t *testing.T) {
	d := MustReference("520000", "2016")
	countyOfficial := Actor{Sub: "a", Role: RoleCounty, Region: "520102"}
	prefOfficial := Actor{Sub: "b", Role: RolePrefecture, Region: "520100"}
	reviewer := Actor{Sub: "c", Role: RoleReviewer, Region: "520000"}
	admin := Actor{Sub: "d", Role: RoleAdmin, Region: "520000"}
	tests := []struct {
		name string
		err  error
		ok   bool
	}{
		{"a_county_official_acts_on_their_county", CanActForCounty(countyOfficial, "520102", "submit"), true},
		{"a_county_official_cannot_act_on_another", CanActForCounty(countyOfficial, "520103", "submit"), false},
		{"an_admin_acts_on_any_county", CanActForCounty(admin, "520103", "submit"), true},
		{"a_prefecture_official_recommends_for_its_prefecture", CanRecommend(prefOfficial, "520100"), true},
		{"a_prefecture_official_cannot_recommend_for_another", CanRecommend(prefOfficial, "520300"), false},
		{"a_county_official_cannot_recommend", CanRecommend(countyOfficial, "520100"), false},
		{"a_reviewer_scores", CanScore(reviewer), true},
		{"a_prefecture_official_cannot_score", CanScore(prefOfficial), false},
		{"a_reviewer_cannot_administer", CanAdminister(reviewer, "rank"), false},
		{"a_county_region_must_be_a_county", ValidateActor(Actor{Role: RoleCounty, Region: "520100"}, d, "520000"), false},
		{"an_admin_region_must_be_the_province", ValidateActor(Actor{Role: RoleAdmin, Region: "520100"}, d, "520000"), false},
		{"an_unknown_role_is_refused", ValidateActor(Actor{Role: "mayor", Region: "520000"}, d, "520000"), false},
		{"a_prefecture_official_is_valid", ValidateActor(prefOfficial, d, "520000"), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.ok {
				refusedWith(t, tt.err, "", "")
			} else {
				refusedWith(t, tt.err, CodeForbidden, "R12")
			}
		})
	}
}
