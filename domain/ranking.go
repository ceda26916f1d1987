package domain

import (
	"math"
	"slices"
	"sort"
	"strings"
)

// The six review criteria of R7a: §二's five principles, with §一(二)'s two focuses
// (logistics, online sales) split out so they can carry the most weight.
const (
	CriterionOrganization   = "organization"
	CriterionInfrastructure = "infrastructure"
	CriterionLogistics      = "logistics"
	CriterionOnlineSales    = "online_sales"
	CriterionImplementers   = "implementers"
	CriterionOther          = "other"
)

// Criteria lists the review criteria in the order of the notice.
var Criteria = []string{CriterionOrganization, CriterionInfrastructure, CriterionLogistics, CriterionOnlineSales, CriterionImplementers, CriterionOther}

// Weights are the numbers of the ranking formula (R7a). A campaign may override each.
type Weights struct {
	Criteria         map[string]float64 `json:"criteria"`
	National         float64            `json:"national"`
	Review           float64            `json:"review"`
	ReviewOnly       float64            `json:"review_only"`
	FirstPickBonus   float64            `json:"first_pick_bonus"`
	SecondPickBonus  float64            `json:"second_pick_bonus"`
	SelfAppliedBonus float64            `json:"self_applied_bonus"`
}

// DefaultWeights returns the documented default formula of R7a.
func DefaultWeights() Weights {
	return Weights{
		Criteria: map[string]float64{
			CriterionOrganization: 0.15, CriterionInfrastructure: 0.15, CriterionLogistics: 0.25,
			CriterionOnlineSales: 0.25, CriterionImplementers: 0.10, CriterionOther: 0.10,
		},
		National: 0.4, Review: 0.6, ReviewOnly: 1.0,
		FirstPickBonus: 3, SecondPickBonus: 1, SelfAppliedBonus: 3,
	}
}

// WeightKeys lists the names a campaign may override, flat: the six criteria and the
// formula's other numbers.
var WeightKeys = append(append([]string(nil), Criteria...), "national", "review", "review_only", "first_pick_bonus", "second_pick_bonus", "self_applied_bonus")

// WithOverrides returns the defaults with the given numbers replaced (R7a: "campaign
// weights may override each number"). Unknown names are refused so a typo cannot
// silently fall back to a default.
func WithOverrides(overrides map[string]float64) (Weights, error) {
	w := DefaultWeights()
	for _, k := range SortedCodes(overrides) {
		v := overrides[k]
		switch k {
		case "national":
			w.National = v
		case "review":
			w.Review = v
		case "review_only":
			w.ReviewOnly = v
		case "first_pick_bonus":
			w.FirstPickBonus = v
		case "second_pick_bonus":
			w.SecondPickBonus = v
		case "self_applied_bonus":
			w.SelfAppliedBonus = v
		default:
			if _, ok := w.Criteria[k]; !ok {
				return Weights{}, refuse(CodeBadRequest, "R7a", "unknown weight %q (known: %s)", Excerpt(k), strings.Join(WeightKeys, ", "))
			}
			w.Criteria[k] = v
		}
	}
	return w, w.Validate()
}

// Validate refuses weights that cannot rank: negative or non-finite numbers, or a
// criteria set other than the six of R7a.
func (w Weights) Validate() error {
	if len(w.Criteria) != len(Criteria) {
		return refuse(CodeBadRequest, "R7a", "weights must name the six criteria %s", strings.Join(Criteria, ", "))
	}
	for _, c := range Criteria {
		v, ok := w.Criteria[c]
		if !ok {
			return refuse(CodeBadRequest, "R7a", "weights miss criterion %q", c)
		}
		if bad(v) {
			return refuse(CodeBadRequest, "R7a", "weight %q must be a finite number ≥ 0", c)
		}
	}
	for name, v := range map[string]float64{"national": w.National, "review": w.Review, "review_only": w.ReviewOnly, "first_pick_bonus": w.FirstPickBonus, "second_pick_bonus": w.SecondPickBonus, "self_applied_bonus": w.SelfAppliedBonus} {
		if bad(v) {
			return refuse(CodeBadRequest, "R7a", "weight %q must be a finite number ≥ 0", name)
		}
	}
	return nil
}

func bad(v float64) bool { return math.IsNaN(v) || math.IsInf(v, 0) || v < 0 }

// Scorecard is one reviewer's marks for one candidate, each criterion 0–100 (R8).
type Scorecard map[string]float64

// ValidateScorecard requires all six criteria, each between 0 and 100, and nothing else (R8).
func ValidateScorecard(s Scorecard) error {
	var missing []string
	for _, c := range Criteria {
		v, ok := s[c]
		if !ok {
			missing = append(missing, c)
			continue
		}
		if math.IsNaN(v) || v < 0 || v > 100 {
			return refuse(CodeBadRequest, "R8", "criterion %q must be between 0 and 100, got %v", c, v)
		}
	}
	if len(missing) > 0 {
		return refuse(CodeBadRequest, "R8", "all six criteria are required; missing %s", strings.Join(missing, ", "))
	}
	for _, k := range SortedCodes(s) {
		if !slices.Contains(Criteria, k) {
			return refuse(CodeBadRequest, "R8", "unknown criterion %q (known: %s)", Excerpt(k), strings.Join(Criteria, ", "))
		}
	}
	return nil
}

// Candidate is one application entering the ranking (R7).
type Candidate struct {
	County              string
	NationalScore       *float64
	Scorecards          []Scorecard
	RecommendationOrder int // 1 or 2 for a prefecture's pick; 0 when self-applied
	SelfApplied         bool
}

// Breakdown explains one candidate's total term by term (R7, R11: the explanation is public).
type Breakdown struct {
	Scorecards     int                `json:"scorecards"`
	CriteriaMean   map[string]float64 `json:"criteria_mean"`
	Review         float64            `json:"review"`
	National       *float64           `json:"national"`
	NationalWeight float64            `json:"national_weight"`
	ReviewWeight   float64            `json:"review_weight"`
	NationalTerm   float64            `json:"national_term"`
	ReviewTerm     float64            `json:"review_term"`
	Order          int                `json:"order"`
	SelfApplied    bool               `json:"self_applied"`
	OrderBonus     float64            `json:"order_bonus"`
	Focus          float64            `json:"focus"`
	Total          float64            `json:"total"`
}

// Ranked is a candidate's place in the result.
type Ranked struct {
	County    string    `json:"county"`
	Rank      int       `json:"rank"`
	Total     float64   `json:"total"`
	Breakdown Breakdown `json:"breakdown"`
}

// Ranking is the result of R7: the top quota are shortlisted, the rest are the reserve.
type Ranking struct {
	Shortlist []Ranked `json:"shortlist"`
	Reserve   []Ranked `json:"reserve"`
}

// precision is where ranking figures are rounded: well below any mark a reviewer
// gives, well above float noise, so equal inputs give equal totals and ties are real ties.
const precision = 1e6

func round(v float64) float64 { return math.Round(v*precision) / precision }

// ReviewScore is the mean over scorecards of Σ weight×criterion (R7a, R8), with the
// per-criterion means that explain it.
func ReviewScore(w Weights, cards []Scorecard) (review float64, means map[string]float64) {
	means = map[string]float64{}
	if len(cards) == 0 {
		return 0, means
	}
	for _, c := range Criteria {
		sum := 0.0
		for _, card := range cards {
			sum += card[c]
		}
		means[c] = round(sum / float64(len(cards)))
	}
	total := 0.0
	for _, card := range cards {
		s := 0.0
		for _, c := range Criteria {
			s += w.Criteria[c] * card[c]
		}
		total += s
	}
	return round(total / float64(len(cards))), means
}

// Explain computes one candidate's breakdown by R7a.
func Explain(w Weights, c Candidate) Breakdown {
	review, means := ReviewScore(w, c.Scorecards)
	b := Breakdown{Scorecards: len(c.Scorecards), CriteriaMean: means, Review: review, Order: c.RecommendationOrder, SelfApplied: c.SelfApplied}
	if c.NationalScore != nil {
		n := *c.NationalScore
		b.National = &n
		b.NationalWeight, b.ReviewWeight = w.National, w.Review
	} else {
		b.ReviewWeight = w.ReviewOnly
	}
	if b.National != nil {
		b.NationalTerm = round(b.NationalWeight * *b.National)
	}
	b.ReviewTerm = round(b.ReviewWeight * review)
	switch {
	case c.SelfApplied:
		b.OrderBonus = w.SelfAppliedBonus
	case c.RecommendationOrder == 1:
		b.OrderBonus = w.FirstPickBonus
	case c.RecommendationOrder == 2:
		b.OrderBonus = w.SecondPickBonus
	}
	b.Focus = round((means[CriterionLogistics] + means[CriterionOnlineSales]) / 2)
	b.Total = round(b.NationalTerm + b.ReviewTerm + b.OrderBonus)
	return b
}

// effectiveOrder ranks a self-applied county with a first pick for the tie-break: both
// carry the top bonus of R7a. Unordered candidates come last.
func effectiveOrder(b Breakdown) int {
	if b.SelfApplied {
		return 1
	}
	if b.Order <= 0 {
		return math.MaxInt
	}
	return b.Order
}

// Rank orders candidates by R7a: total, then higher focus mean (logistics+online_sales),
// then better recommendation order (self-applied counts as first), then lower county
// code. The first quota are the shortlist, the rest the reserve. Every candidate must
// have at least one scorecard (R8); those without are named in the refusal.
func Rank(w Weights, quota int, candidates []Candidate) (Ranking, error) {
	var unscored []string
	for _, c := range candidates {
		if len(c.Scorecards) == 0 {
			unscored = append(unscored, c.County)
		}
	}
	if len(unscored) > 0 {
		sort.Strings(unscored)
		return Ranking{}, refuse(CodeInvalidState, "R8", "ranking needs a scorecard for every candidate; none yet for %s", strings.Join(unscored, ", "))
	}
	all := make([]Ranked, 0, len(candidates))
	for _, c := range candidates {
		b := Explain(w, c)
		all = append(all, Ranked{County: c.County, Total: b.Total, Breakdown: b})
	}
	sort.SliceStable(all, func(i, j int) bool {
		a, b := all[i], all[j]
		if a.Total != b.Total {
			return a.Total > b.Total
		}
		if a.Breakdown.Focus != b.Breakdown.Focus {
			return a.Breakdown.Focus > b.Breakdown.Focus
		}
		if oa, ob := effectiveOrder(a.Breakdown), effectiveOrder(b.Breakdown); oa != ob {
			return oa < ob
		}
		return a.County < b.County
	})
	r := Ranking{Shortlist: []Ranked{}, Reserve: []Ranked{}}
	for i := range all {
		all[i].Rank = i + 1
		if i < quota {
			r.Shortlist = append(r.Shortlist, all[i])
		} else {
			r.Reserve = append(r.Reserve, all[i])
		}
	}
	return r, nil
}
