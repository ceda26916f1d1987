package domain

import (
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Amendment is an administrator's correction of a running campaign (R13). Zero fields
// change nothing; NationalScores maps a county to its corrected score, or to nil to
// strike a score entered by mistake.
type Amendment struct {
	Reason                 string
	RecommendationDeadline time.Time
	NoticeDeadline         time.Time
	NationalScores         map[string]*float64
	ExcludedAdd            []string
	ExcludedRemove         []string
}

// Change is one value an amendment changed, old and new as the timeline shows them.
// County is set for a change that concerns one county's case.
type Change struct {
	Field  string
	County string
	Old    string
	New    string
}

// The fields a Change names.
const (
	FieldRecommendationDeadline = "recommendation_deadline"
	FieldNoticeDeadline         = "notice_deadline"
	FieldNationalScore          = "national_score"
	FieldExcluded               = "excluded"
)

// AmendmentState is what of the running campaign an amendment is judged against.
type AmendmentState struct {
	// RecommendationOpen is false once the recommendation deadline's sweep ran (R5).
	RecommendationOpen bool
	// NoticeDeadlineDone is true once the notice deadline was handled (R9).
	NoticeDeadlineDone bool
}

// CheckAmendment applies R13 to an amendment made at now: a reason, at least one change,
// deadlines that have not passed moved to instants that have not passed either, scores and
// exclusions only before the recommendation deadline, and a configuration that still
// validates. It returns the corrected configuration and every change, in a fixed order.
func CheckAmendment(now time.Time, c Campaign, st AmendmentState, d *Divisions, am Amendment) (Campaign, []Change, error) {
	if err := CheckText("reason", am.Reason, true, MaxText); err != nil {
		return c, nil, withRule(err, "R13")
	}
	next := c
	var changes []Change
	loc := c.Location()
	stamp := func(t time.Time) string { return t.In(loc).Format(time.RFC3339) }
	recOpen := st.RecommendationOpen && BeforeDeadline(now, c.RecommendationDeadline, c.TimeRules)
	if !am.RecommendationDeadline.IsZero() && !am.RecommendationDeadline.Equal(c.RecommendationDeadline) {
		if !recOpen {
			return c, nil, refuse(CodeDeadlinePassed, "R13", "the recommendation deadline %s has passed and can no longer move", stamp(c.RecommendationDeadline))
		}
		if !BeforeDeadline(now, am.RecommendationDeadline, c.TimeRules) {
			return c, nil, refuse(CodeDeadlinePassed, "R13", "the new recommendation deadline %s is already past", stamp(am.RecommendationDeadline))
		}
		next.RecommendationDeadline = am.RecommendationDeadline
		changes = append(changes, Change{Field: FieldRecommendationDeadline, Old: stamp(c.RecommendationDeadline), New: stamp(am.RecommendationDeadline)})
	}
	if !am.NoticeDeadline.IsZero() && !am.NoticeDeadline.Equal(c.NoticeDeadline) {
		if st.NoticeDeadlineDone || !BeforeDeadline(now, c.NoticeDeadline, c.TimeRules) {
			return c, nil, refuse(CodeDeadlinePassed, "R13", "the notice deadline %s has passed and can no longer move", stamp(c.NoticeDeadline))
		}
		if !BeforeDeadline(now, am.NoticeDeadline, c.TimeRules) {
			return c, nil, refuse(CodeDeadlinePassed, "R13", "the new notice deadline %s is already past", stamp(am.NoticeDeadline))
		}
		next.NoticeDeadline = am.NoticeDeadline
		changes = append(changes, Change{Field: FieldNoticeDeadline, Old: stamp(c.NoticeDeadline), New: stamp(am.NoticeDeadline)})
	}
	if len(am.NationalScores) > 0 || len(am.ExcludedAdd) > 0 || len(am.ExcludedRemove) > 0 {
		if !recOpen {
			return c, nil, refuse(CodeInvalidState, "R13", "national scores and the exclusion list can be corrected only before the recommendation deadline %s", stamp(c.RecommendationDeadline))
		}
	}
	if len(am.NationalScores) > 0 {
		next.NationalScores = make(map[string]float64, len(c.NationalScores)+len(am.NationalScores))
		for k, v := range c.NationalScores {
			next.NationalScores[k] = v
		}
		for _, county := range SortedCodes(am.NationalScores) {
			old, had := c.NationalScores[county]
			score := am.NationalScores[county]
			ch := Change{Field: FieldNationalScore, County: county, Old: scoreText(old, had)}
			switch {
			case score == nil && !had:
				return c, nil, refuse(CodeBadRequest, "R13", "national_scores %q: the county has no national score to strike", Excerpt(county))
			case score == nil:
				delete(next.NationalScores, county)
			case had && *score == old:
				continue
			default:
				next.NationalScores[county] = *score
				ch.New = scoreText(*score, true)
			}
			changes = append(changes, ch)
		}
	}
	if len(am.ExcludedAdd) > 0 || len(am.ExcludedRemove) > 0 {
		for _, county := range am.ExcludedAdd {
			if slices.Contains(am.ExcludedRemove, county) {
				return c, nil, refuse(CodeBadRequest, "R13", "county %q is both added to and removed from the exclusion list", Excerpt(county))
			}
		}
		next.Excluded = slices.Clone(c.Excluded)
		for _, county := range am.ExcludedRemove {
			i := slices.Index(next.Excluded, county)
			if i < 0 {
				return c, nil, refuse(CodeBadRequest, "R13", "excluded_remove %q is not on the exclusion list", Excerpt(county))
			}
			next.Excluded = slices.Delete(next.Excluded, i, i+1)
			changes = append(changes, Change{Field: FieldExcluded, County: county, Old: "excluded", New: "eligible"})
		}
		for _, county := range am.ExcludedAdd {
			if slices.Contains(next.Excluded, county) {
				return c, nil, refuse(CodeBadRequest, "R13", "excluded_add %q is already on the exclusion list", Excerpt(county))
			}
			next.Excluded = append(next.Excluded, county)
			changes = append(changes, Change{Field: FieldExcluded, County: county, Old: "eligible", New: "excluded"})
		}
	}
	if len(changes) == 0 {
		return c, nil, refuse(CodeBadRequest, "R13", "an amendment needs at least one change to the campaign")
	}
	if err := next.Validate(d); err != nil {
		return c, nil, err
	}
	return next, changes, nil
}

// CheckReinstate applies R13 to a prefecture's reinstatement at now: only a forfeited
// prefecture, only before the recommendation deadline, only with a reason.
func CheckReinstate(now time.Time, c Campaign, recommendationOpen bool, prefecture string, status PrefectureStatus, reason string) error {
	if err := CheckText("reason", reason, true, MaxText); err != nil {
		return withRule(err, "R13")
	}
	if !recommendationOpen || !BeforeDeadline(now, c.RecommendationDeadline, c.TimeRules) {
		return refuse(CodeDeadlinePassed, "R13", "the recommendation deadline %s has passed: a forfeiture stands",
			c.RecommendationDeadline.In(c.Location()).Format(time.RFC3339))
	}
	if status != PrefectureForfeited {
		return refuse(CodeInvalidState, "R13", "prefecture %s is %s, not forfeited: there is nothing to reinstate", prefecture, status)
	}
	return nil
}

func scoreText(s float64, ok bool) string {
	if !ok {
		return "none"
	}
	return strconv.FormatFloat(s, 'f', -1, 64)
}

// withRule names the rule on a refusal that came without one.
func withRule(err error, rule string) error {
	if re, ok := err.(*RuleError); ok && re.Rule == "" {
		return &RuleError{Code: re.Code, Rule: rule, Message: re.Message}
	}
	return err
}

// String names a change the way the timeline's detail reads it.
func (ch Change) String() string {
	if ch.County != "" {
		return fmt.Sprintf("%s of %s: %s → %s", ch.Field, ch.County, ch.Old, ch.New)
	}
	return fmt.Sprintf("%s: %s → %s", ch.Field, ch.Old, ch.New)
}
