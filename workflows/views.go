package workflows

import (
	"sort"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// view is the campaign object of API.md, computed from the workflow's state.
func (c *campaign) view() readmodel.CampaignView {
	v := readmodel.CampaignView{
		Year: c.cfg.Year, Province: c.cfg.Province, WorkflowID: c.id, Edition: c.cfg.Edition, Department: c.cfg.Department, Contact: c.cfg.Contact,
		FromYear: c.cfg.FromYear, Carried: c.cfg.Carried, DirectlyAdministered: c.cfg.DirectlyAdministered,
		Phase: c.Phase, Overdue: c.Overdue,
		Quota: c.cfg.Quota, PrefectureCap: c.cfg.PrefectureCap,
		Deadlines: readmodel.Deadlines{
			Recommendation:  c.cfg.RecommendationDeadline,
			Notice:          c.cfg.NoticeDeadline,
			PublicityPeriod: c.cfg.PublicityPeriod.String(),
			TimeZone:        c.cfg.Location().String(),
		},
		Counts:            map[domain.State]int{},
		Prefectures:       []readmodel.Prefecture{},
		Excluded:          append([]string{}, c.cfg.Excluded...),
		NationalScores:    map[string]float64{},
		Weights:           c.cfg.Weights,
		UpdatedAt:         c.UpdatedAt,
		Version:           c.Rev,
		ObjectionsInStore: c.ObjectionsInStore,
	}
	if c.EndGame && c.Notice != nil {
		v.Vacancies, v.Declined = c.vacancies(), c.Declined
	}
	for k, s := range c.cfg.NationalScores {
		v.NationalScores[k] = s
	}
	for _, s := range domain.States {
		v.Counts[s] = 0
	}
	for _, a := range c.Apps {
		v.Counts[a.State]++
	}
	for _, code := range domain.SortedCodes(c.Prefectures) {
		p := *c.Prefectures[code]
		p.Recommended = append([]string{}, p.Recommended...)
		v.Prefectures = append(v.Prefectures, p)
	}
	if c.Notice != nil {
		at, ends := c.Notice.PublishedAt, c.Notice.PublicityEndsAt
		v.NoticePublishedAt = &at
		v.Deadlines.PublicityEndsAt = &ends
	}
	return v
}

// appView is the application object of API.md.
func (c *campaign) appView(a *CaseRecord) readmodel.Application {
	v := readmodel.Application{
		Year: c.cfg.Year, County: a.Div.Code, Name: a.Div.Name, Prefecture: a.Div.ParentCode,
		DirectlyAdministered: a.Div.DirectlyAdministered, State: a.State, Exempt: a.Exempt,
		Materials: materialsView(a), SelfApplied: a.SelfApplied, Breakdown: a.Breakdown,
		UpdatedAt: a.UpdatedAt, Version: a.Version,
		Scores: readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}},
	}
	if a.Order > 0 {
		o := a.Order
		v.RecommendationOrder = &o
	}
	if n, ok := c.cfg.NationalScores[a.Div.Code]; ok {
		v.Scores.National = &n
	}
	var cards []domain.Scorecard
	for _, r := range domain.SortedCodes(a.Cards) {
		v.Scores.Scorecards = append(v.Scores.Scorecards, a.Cards[r])
		cards = append(cards, a.Cards[r].Criteria)
	}
	if len(cards) > 0 {
		review, means := domain.ReviewScore(c.cfg.Weights, cards)
		v.Scores.Review, v.Scores.CriteriaMean = &review, means
	}
	if a.Rank > 0 {
		r := a.Rank
		v.Rank = &r
	}
	if a.Breakdown != nil {
		t := a.Breakdown.Total
		v.Total = &t
	}
	if !a.Publicity.IsZero() {
		p := a.Publicity
		v.PublicityEndsAt = &p
	}
	return v
}

// materialsView is the checklist of §三 with what the county delivered (R6).
func materialsView(a *CaseRecord) readmodel.MaterialsView {
	m := readmodel.MaterialsView{Items: map[string]readmodel.MaterialView{}, Missing: []string{}}
	for _, it := range domain.Checklist {
		mv := readmodel.MaterialView{Title: it.Title, Required: it.Required, FromPrefecture: it.FromPrefecture, Copies: a.Materials[it.Number].Copies}
		if it.FromPrefecture {
			mv.DocumentRef = a.DocumentRef
			mv.Complete = a.DocumentRef != ""
		} else {
			mv.Complete = mv.Copies >= domain.RequiredCopies
		}
		m.Items[it.Number] = mv
	}
	if !a.Exempt {
		m.Missing = append(m.Missing, a.Materials.Missing()...)
	}
	m.Complete = len(m.Missing) == 0
	return m
}

// candidates are the applications the review ranks (R7), in county order.
func (c *campaign) candidates() []domain.Candidate {
	var out []domain.Candidate
	for _, county := range c.counties() {
		a := c.Apps[county]
		if !a.State.InReview() {
			continue
		}
		cand := domain.Candidate{County: county, RecommendationOrder: a.Order, SelfApplied: a.SelfApplied}
		if n, ok := c.cfg.NationalScores[county]; ok {
			cand.NationalScore = &n
		}
		for _, r := range domain.SortedCodes(a.Cards) {
			cand.Scorecards = append(cand.Scorecards, a.Cards[r].Criteria)
		}
		out = append(out, cand)
	}
	return out
}

// ranking is the current ranking as stored on the cases, best first.
func (c *campaign) ranking() domain.Ranking {
	r := domain.Ranking{Shortlist: []domain.Ranked{}, Reserve: []domain.Ranked{}}
	var all []*CaseRecord
	for _, a := range c.Apps {
		if a.Rank > 0 && a.Breakdown != nil && (a.State == domain.StateShortlisted || a.State == domain.StateReserve) {
			all = append(all, a)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Rank < all[j].Rank })
	for _, a := range all {
		e := domain.Ranked{County: a.Div.Code, Rank: a.Rank, Total: a.Breakdown.Total, Breakdown: *a.Breakdown}
		if a.State == domain.StateShortlisted {
			r.Shortlist = append(r.Shortlist, e)
		} else {
			r.Reserve = append(r.Reserve, e)
		}
	}
	return r
}
