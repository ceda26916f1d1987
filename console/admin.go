package console

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type rankedEntry struct {
	County     string           `json:"county"`
	Rank       int              `json:"rank"`
	Total      float64          `json:"total"`
	Breakdown  domain.Breakdown `json:"breakdown"`
	Name       string           `json:"name"`
	Prefecture string           `json:"prefecture"`
	State      domain.State     `json:"state"`
	Promoted   bool             `json:"promoted"`
}

type rankingView struct {
	Shortlist []rankedEntry `json:"shortlist"`
	Reserve   []rankedEntry `json:"reserve"`
	Others    []rankedEntry `json:"others"`
}

type rankGroup struct {
	Key     string // i18n key of the group's heading
	Class   string
	Entries []rankedEntry
}

type adminView struct {
	Campaign   *readmodel.CampaignView
	Create     *createForm
	Next       *deadlineView
	Ranking    rankingView
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
	var cv readmodel.CampaignView
	err = c.get(r, fmt.Sprintf("/campaigns/%d", year), &cv)
	if isStatus(err, http.StatusNotFound) {
		return c.render(r, http.StatusOK, "admin", opts, adminView{Create: defaultCreateForm(year)})
	}
	if err != nil {
		return err
	}
	v := adminView{Campaign: &cv, Next: nextDeadline(cv)}
	self := r.ec.Request().URL.Path
	cursor := r.ec.QueryParam("objections")
	var objs objectionsPage
	if err := c.get(r, withQuery(fmt.Sprintf("/campaigns/%d/objections", year), "cursor", cursor), &objs); err != nil {
		return err
	}
	v.Objections = objs.Objections
	v.ObjPager = pagerFor("objections-pager", self, "objections", cursor, objs.NextCursor, "#objections")
	if v.Upheld, err = c.upheldCounties(r, year); err != nil {
		return err
	}
	if err := c.get(r, fmt.Sprintf("/campaigns/%d/ranking", year), &v.Ranking); err != nil {
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
	var tl eventsPage
	if err := c.get(r, withQuery(fmt.Sprintf("/campaigns/%d/timeline", year), "cursor", cursor), &tl); err != nil {
		return err
	}
	v.Events = tl.Events
	v.EventPager = pagerFor("campaign-timeline-pager", self, "timeline", cursor, tl.NextCursor, "#campaign-timeline")
	if cv.Phase == domain.PhaseReviewing || cv.Phase == domain.PhaseRanked {
		apps, err := c.applications(r, year, "state", string(domain.StateUnderReview))
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
		var d readmodel.Designation
		switch err := c.get(r, fmt.Sprintf("/campaigns/%d/designation", year), &d); {
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
	cursor := ""
	for {
		var p objectionsPage
		path := withQuery(fmt.Sprintf("/campaigns/%d/objections", year), "status", string(domain.ObjectionUpheld),
			"limit", strconv.Itoa(api.MaxLimit), "cursor", cursor)
		if err := c.get(r, path, &p); err != nil {
			return nil, err
		}
		for _, o := range p.Objections {
			upheld[o.County] = true
		}
		if p.NextCursor == "" {
			return upheld, nil
		}
		cursor = p.NextCursor
	}
}

func (c *console) adminAction(r *request, what, okKey string) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year),
		call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/%s", year, what), body: map[string]any{}}, okKey)
}

func (c *console) rank(r *request) error    { return c.adminAction(r, "ranking", "flash.ranked") }
func (c *console) publish(r *request) error { return c.adminAction(r, "notice", "flash.published") }
func (c *console) promote(r *request) error {
	return c.adminAction(r, "reserve/promote", "flash.promoted")
}

// decline leaves the open vacancies unfilled, with the administrator's reason (R10).
func (c *console) decline(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year),
		call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/vacancies/decline", year),
			body: map[string]string{"reason": strings.TrimSpace(r.ec.FormValue("reason"))}}, "flash.declined")
}

// designationRef records the document reference of the Department's decision on the
// final list of a closed campaign (R10).
func (c *console) designationRef(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin", year),
		call{method: http.MethodPut, path: fmt.Sprintf("/campaigns/%d/designation", year),
			body: map[string]string{"document_ref": strings.TrimSpace(r.ec.FormValue("document_ref"))}}, "flash.designation_ref")
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
	return c.act(r, fmt.Sprintf("/campaigns/%d/admin#objections", year),
		call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/objections/%s/resolution", year, url.PathEscape(id)),
			body: map[string]string{"decision": decision, "note": strings.TrimSpace(r.ec.FormValue("note"))}},
		"flash.resolved", id, decision)
}
