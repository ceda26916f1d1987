package console

import (
	"net/http"
	"sort"

	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type reviewRow struct {
	App  readmodel.Application
	Mine *readmodel.ScorecardView
}

type reviewView struct {
	Campaign readmodel.CampaignView
	Rows     []reviewRow
	Criteria []string
	Next     *deadlineView
	CanScore bool
	Open     bool
}

// review lists the candidates in review with a scorecard form each, prefilled with the
// reviewer's own card: re-scoring replaces it (R8).
func (c *console) review(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	if err := r.requireUser(); err != nil {
		return err
	}
	v := reviewView{Criteria: domain.Criteria}
	if v.Campaign, err = c.client(r).Campaign(r.ctx(), year); err != nil {
		return err
	}
	apps, err := c.applications(r, year, apiclient.ApplicationsQuery{})
	if err != nil {
		return err
	}
	for _, a := range apps {
		if !a.State.InReview() {
			continue
		}
		row := reviewRow{App: a}
		for i := range a.Scores.Scorecards {
			if a.Scores.Scorecards[i].Reviewer == r.user.Sub {
				row.Mine = &a.Scores.Scorecards[i]
			}
		}
		v.Rows = append(v.Rows, row)
	}
	sort.Slice(v.Rows, func(i, j int) bool { return v.Rows[i].App.County < v.Rows[j].App.County })
	v.CanScore = r.user.Role == domain.RoleReviewer || r.user.Role == domain.RoleAdmin
	v.Open = v.Campaign.Phase == domain.PhaseReviewing || v.Campaign.Phase == domain.PhaseRanked
	v.Next = nextDeadline(v.Campaign)
	return c.render(r, http.StatusOK, "review", pageOpts{title: "review.title", titleArgs: []any{year}, year: year}, v)
}
