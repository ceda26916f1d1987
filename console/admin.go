package console

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type rankGroup struct {
	Key     string // i18n key of the group's heading
	Class   string
	Entries []api.RankedEntry
}

type adminView struct {
	Campaign   *readmodel.CampaignView
	Create     *createForm
	Next       *deadlineView
	Ranking    api.RankingResponse
	RankGroups []rankGroup
	Objections []readmodel.Objection // one page, from the ?objections= cursor on
	ObjPager   pager
	Upheld     map[string]bool   // counties with an upheld objection: removed when publicity ends (R10)
	Events     []readmodel.Event // one page of the campaign timeline, from the ?timeline= cursor on
	EventPager pager
	Unscored   []string
	CanRank    bool
	CanPublish bool
	CanPromote bool
	CanDecline bool
	// CanAmend shows the correction form (R13): some deadline has not passed yet.
	CanAmend bool
	// Forfeited are the prefectures a reinstatement can give back (R13).
	Forfeited []readmodel.Prefecture
	// Designation is the final list of a closed campaign (R10), nil before.
	Designation *readmodel.Designation
}

// admin is the administrator's desk: create the campaign, run the ranking, publish the
// notice, resolve objections and promote from the reserve. Its reads are admin-only in
// the API (objections carry contacts), so another role gets the API's 403 as a banner.
func (c *console) admin(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	if err := r.requireUser(); err != nil {
		return err
	}
	opts := pageOpts{title: "admin.title", titleArgs: []any{year}, year: year}
	client := c.client(r)
	cv, err := client.Campaign(r.ctx(), year)
	if isStatus(err, http.StatusNotFound) {
		return c.render(r, http.StatusOK, "admin", opts, adminView{Create: c.defaultCreateForm(r, year)})
	}
	if err != nil {
		return err
	}
	v := adminView{Campaign: &cv, Next: nextDeadline(cv)}
	self := r.ec.Request().URL.Path
	cursor := r.ec.QueryParam("objections")
	objs, err := client.Objections(r.ctx(), year, apiclient.ObjectionsQuery{Page: apiclient.Page{Cursor: cursor}})
	if err != nil {
		return err
	}
	v.Objections = objs.Objections
	v.ObjPager = pagerFor("objections-pager", self, "objections", cursor, objs.NextCursor, "#objections")
	if v.Upheld, err = c.upheldCounties(r, year); err != nil {
		return err
	}
	if v.Ranking, err = client.Ranking(r.ctx(), year); err != nil {
		return err
	}
	for _, g := range []rankGroup{
		{"admin.group_shortlist", "shortlist", v.Ranking.Shortlist},
		{"admin.group_reserve", "reserve", v.Ranking.Reserve},
		{"admin.group_others", "others", v.Ranking.Others},
	} {
		if len(g.Entries) > 0 {
			v.RankGroups = append(v.RankGroups, g)
		}
	}
	cursor = r.ec.QueryParam("timeline")
	tl, err := client.CampaignTimeline(r.ctx(), year, apiclient.TimelineQuery{Page: apiclient.Page{Cursor: cursor}})
	if err != nil {
		return err
	}
	v.Events = tl.Events
	v.EventPager = pagerFor("campaign-timeline-pager", self, "timeline", cursor, tl.NextCursor, "#campaign-timeline")
	if cv.Phase == domain.PhaseReviewing || cv.Phase == domain.PhaseRanked {
		apps, err := c.applications(r, year, apiclient.ApplicationsQuery{State: domain.StateUnderReview})
		if err != nil {
			return err
		}
		for _, a := range apps {
			if len(a.Scores.Scorecards) == 0 {
				v.Unscored = append(v.Unscored, a.County)
			}
		}
	}
	v.CanRank = cv.Phase == domain.PhaseReviewing || cv.Phase == domain.PhaseRanked
	v.CanPublish = cv.Phase == domain.PhaseRanked
	v.CanPromote = cv.Phase == domain.PhasePublicity && len(v.Ranking.Reserve) > 0
	v.CanDecline = cv.Phase == domain.PhasePublicity && cv.Vacancies > 0
	v.CanAmend, v.Forfeited = amendable(cv)
	if cv.Phase == domain.PhaseClosed {
		switch d, err := client.Designation(r.ctx(), year); {
		case err == nil:
			v.Designation = &d
		case !isStatus(err, http.StatusNotFound): // a campaign closed before final lists existed has none
			return err
		}
	}
	return c.render(r, http.StatusOK, "admin", opts, v)
}

// upheldCounties are the counties with an upheld objection, for the ranking's tags. It
// follows every page of the upheld objections: the page of objections on show may hold
// none of them, and each one is an administrator's decision, not the public's, so they
// stay few however many objections are filed.
func (c *console) upheldCounties(r *request, year int) (map[string]bool, error) {
	upheld := map[string]bool{}
	q := apiclient.ObjectionsQuery{Status: domain.ObjectionUpheld, Page: apiclient.Page{Limit: api.MaxLimit}}
	for {
		p, err := c.client(r).Objections(r.ctx(), year, q)
		if err != nil {
			return nil, err
		}
		for _, o := range p.Objections {
			upheld[o.County] = true
		}
		if p.NextCursor == "" {
			return upheld, nil
		}
		q.Cursor = p.NextCursor
	}
}

// adminAction runs one of the admin page's buttons and answers with the admin page.
func (c *console) adminAction(r *request, call func(ctx context.Context, cl *apiclient.Client, year int) error, okKey string) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year),
		func(ctx context.Context, cl *apiclient.Client) error { return call(ctx, cl, year) }, okKey)
}

func (c *console) rank(r *request) error {
	return c.adminAction(r, func(ctx context.Context, cl *apiclient.Client, year int) error {
		return errOnly(cl.Rank(ctx, year))
	}, "flash.ranked")
}

func (c *console) publish(r *request) error {
	return c.adminAction(r, func(ctx context.Context, cl *apiclient.Client, year int) error {
		return errOnly(cl.PublishNotice(ctx, year))
	}, "flash.published")
}

func (c *console) promote(r *request) error {
	return c.adminAction(r, func(ctx context.Context, cl *apiclient.Client, year int) error {
		return errOnly(cl.Promote(ctx, year))
	}, "flash.promoted")
}

// decline leaves the open vacancies unfilled, with the administrator's reason (R10).
func (c *console) decline(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	req := api.ReasonRequest{Reason: strings.TrimSpace(r.ec.FormValue("reason"))}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year), func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.DeclineVacancies(ctx, year, req))
	}, "flash.declined")
}

// designationRef records the document reference of the Department's decision on the
// final list of a closed campaign (R10).
func (c *console) designationRef(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	req := api.DesignationRequest{DocumentRef: strings.TrimSpace(r.ec.FormValue("document_ref"))}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year), func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.RecordDesignationRef(ctx, year, req))
	}, "flash.designation_ref")
}

var objectionIDPattern = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

func (c *console) resolve(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	id := r.ec.Param("id")
	if !objectionIDPattern.MatchString(id) {
		return badPath("objection id %q is malformed", id)
	}
	decision := r.ec.FormValue("decision")
	req := api.ResolutionRequest{Decision: decision, Note: strings.TrimSpace(r.ec.FormValue("note"))}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin#objections", year), func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Resolve(ctx, year, id, req))
	}, "flash.resolved", id, decision)
}
