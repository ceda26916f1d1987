package workflows

import (
	"sort"

	"github.com/guizhou-commerce/selection/domain"
)

// view is the campaign object of API.md, computed from the workflow's state.
func (c *campaign) view() CampaignView {
	v := CampaignView{
		Year: c.cfg.Year, Province: c.cfg.Province, Phase: c.phase, Overdue: c.overdue,
		Quota: c.cfg.Quota, PrefectureCap: c.cfg.PrefectureCap,
		Deadlines: Deadlines{
			Recommendation:  c.cfg.RecommendationDeadline,
			Notice:          c.cfg.NoticeDeadline,
			PublicityPeriod: c.cfg.PublicityPeriod.String(),
		},
		Counts:         map[domain.State]int{},
		Prefectures:    []Prefecture{},
		Excluded:       append([]string{}, c.cfg.Excluded...),
		NationalScores: map[string]float64{},
		Weights:        c.cfg.Weights,
		UpdatedAt:      c.updatedAt,
		Version:        c.rev,
	}
	for k, s := range c.cfg.NationalScores {
		v.NationalScores[k] = s
	}
	for _, s := range domain.States {
		v.Counts[s] = 0
	}
	for _, a := range c.apps {
		v.Counts[a.state]++
	}
	for _, code := range domain.SortedCodes(c.prefectures) {
		p := *c.prefectures[code]
		p.Recommended = append([]string{}, p.Recommended...)
		v.Prefectures = append(v.Prefectures, p)
	}
	if c.notice != nil {
		at, ends := c.notice.PublishedAt, c.notice.PublicityEndsAt
		v.NoticePublishedAt = &at
		v.Deadlines.PublicityEndsAt = &ends
	}
	return v
}

// appView is the application object of API.md.
func (c *campaign) appView(a *appRecord) Application {
	v := Application{
		Year: c.cfg.Year, County: a.div.Code, Name: a.div.Name, Prefecture: a.div.ParentCode,
		DirectlyAdministered: a.div.DirectlyAdministered, State: a.state, Exempt: a.exempt,
		Materials: materialsView(a), SelfApplied: a.selfApplied, Breakdown: a.breakdown,
		UpdatedAt: a.updatedAt, Version: a.version,
		Scores: ScoresView{Scorecards: []ScorecardView{}},
	}
	if a.order > 0 {
		o := a.order
		v.RecommendationOrder = &o
	}
	if n, ok := c.cfg.NationalScores[a.div.Code]; ok {
		v.Scores.National = &n
	}
	var cards []domain.Scorecard
	for _, r := range domain.SortedCodes(a.cards) {
		v.Scores.Scorecards = append(v.Scores.Scorecards, a.cards[r])
		cards = append(cards, a.cards[r].Criteria)
	}
	if len(cards) > 0 {
		review, means := domain.ReviewScore(c.cfg.Weights, cards)
		v.Scores.Review, v.Scores.CriteriaMean = &review, means
	}
	if a.rank > 0 {
		r := a.rank
		v.Rank = &r
	}
	if a.breakdown != nil {
		t := a.breakdown.Total
		v.Total = &t
	}
	if !a.publicity.IsZero() {
		p := a.publicity
		v.PublicityEndsAt = &p
	}
	return v
}

// materialsView is the checklist of §三 with what the county delivered (R6).
func materialsView(a *appRecord) MaterialsView {
	m := MaterialsView{Items: map[string]MaterialView{}, Missing: []string{}}
	for _, it := range domain.Checklist {
		mv := MaterialView{Title: it.Title, Required: it.Required, FromPrefecture: it.FromPrefecture, Copies: a.materials[it.Number].Copies}
		if it.FromPrefecture {
			mv.DocumentRef = a.documentRef
			mv.Complete = a.documentRef != ""
		} else {
			mv.Complete = mv.Copies >= domain.RequiredCopies
		}
		m.Items[it.Number] = mv
	}
	if !a.exempt {
		m.Missing = append(m.Missing, a.materials.Missing()...)
	}
	m.Complete = len(m.Missing) == 0
	return m
}

// candidates are the applications the review ranks (R7), in county order.
func (c *campaign) candidates() []domain.Candidate {
	var out []domain.Candidate
	for _, county := range c.counties() {
		a := c.apps[county]
		if !a.state.InReview() {
			continue
		}
		cand := domain.Candidate{County: county, RecommendationOrder: a.order, SelfApplied: a.selfApplied}
		if n, ok := c.cfg.NationalScores[county]; ok {
			cand.NationalScore = &n
		}
		for _, r := range domain.SortedCodes(a.cards) {
			cand.Scorecards = append(cand.Scorecards, a.cards[r].Criteria)
		}
		out = append(out, cand)
	}
	return out
}

// ranking is the current ranking as stored on the cases, best first.
func (c *campaign) ranking() domain.Ranking {
	r := domain.Ranking{Shortlist: []domain.Ranked{}, Reserve: []domain.Ranked{}}
	var all []*appRecord
	for _, a := range c.apps {
		if a.rank > 0 && a.breakdown != nil && (a.state == domain.StateShortlisted || a.state == domain.StateReserve) {
			all = append(all, a)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].rank < all[j].rank })
	for _, a := range all {
		e := domain.Ranked{County: a.div.Code, Rank: a.rank, Total: a.breakdown.Total, Breakdown: *a.breakdown}
		if a.state == domain.StateShortlisted {
			r.Shortlist = append(r.Shortlist, e)
		} else {
			r.Reserve = append(r.Reserve, e)
		}
	}
	return r
}
