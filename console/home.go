package console

import (
	"net/http"
	"time"

	"github.com/guizhou-commerce/selection/domain"
)

// homeYears is how far the home page looks for campaigns and notices. The API has no
// list of campaigns (API.md), so the console asks for each recent year; a year costs
// one indexed read.
const homeYearsBack = 12

type campaignSummary struct {
	Year    int
	Phase   domain.Phase
	Overdue bool
	Next    *deadlineView
	Links   []navLink
}

type homeView struct {
	Campaigns []campaignSummary
	Notices   []int
	Create    *createForm
}

func (c *console) home(r *request) error {
	var v homeView
	now := time.Now().In(displayZone)
	first, last := now.Year()+1, now.Year()-homeYearsBack
	if r.user != nil {
		for y := first; y >= last; y-- {
			cv, err := c.client(r).Campaign(r.ctx(), y)
			if isStatus(err, http.StatusNotFound) {
				continue
			}
			if err != nil {
				return err
			}
			v.Campaigns = append(v.Campaigns, campaignSummary{Year: y, Phase: cv.Phase, Overdue: cv.Overdue,
				Next: nextDeadline(cv), Links: c.nav(r, y)})
		}
		if r.user.Role == domain.RoleAdmin {
			next := now.Year()
			for _, s := range v.Campaigns {
				if s.Year >= next {
					next = s.Year + 1
				}
			}
			v.Create = c.defaultCreateForm(r, next)
		}
	}
	for y := first; y >= last; y-- {
		if _, err := c.public(r).Notice(r.ctx(), y, 0); err == nil {
			v.Notices = append(v.Notices, y)
		}
	}
	return c.render(r, http.StatusOK, "home", pageOpts{title: "home.title"}, v)
}
