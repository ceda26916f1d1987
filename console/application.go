package console

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type materialRow struct {
	Item domain.MaterialItem
	View readmodel.MaterialView
}

type applicationView struct {
	Campaign      readmodel.CampaignView
	Div           domain.Division
	Prefecture    domain.Division
	App           *readmodel.Application
	Timeline      []readmodel.Event // one page of it, from the ?timeline= cursor on
	TimelinePager pager
	// AtTail is set when Timeline reaches the timeline's end, the seq After: only then
	// does the live fragment append new events to it.
	AtTail           bool
	After            int64
	Materials        []materialRow
	Criteria         []string
	Next             *deadlineView
	CanAct           bool
	CanEditMaterials bool
	CanSubmit        bool
	CanSelfApply     bool
	CanWithdraw      bool
}

// loadApplication reads what the application page and its live fragment show.
func (c *console) loadApplication(r *request) (applicationView, int, error) {
	var v applicationView
	year, err := r.year()
	if err != nil {
		return v, 0, err
	}
	county, err := r.code("county")
	if err != nil {
		return v, year, err
	}
	if err := r.requireUser(); err != nil {
		return v, year, err
	}
	div, ok := r.divs.CountyOf(county, r.province)
	if !ok {
		return v, year, notFound("%s is not a county of province %s", county, r.province)
	}
	v.Div = div
	v.Prefecture, _ = r.divs.Get(div.ParentCode)
	v.Criteria = domain.Criteria
	client := c.client(r)
	if v.Campaign, err = client.Campaign(r.ctx(), year); err != nil {
		return v, year, err
	}
	v.Next = nextDeadline(v.Campaign)
	if d, ok := c.divsOf(r, v.Campaign).CountyOf(county, r.province); ok {
		div, v.Div = d, d
	}
	app, err := client.Application(r.ctx(), year, county)
	switch {
	case isStatus(err, http.StatusNotFound):
	case err != nil:
		return v, year, err
	default:
		v.App = &app
		cursor := r.ec.QueryParam("timeline")
		tl, err := client.ApplicationTimeline(r.ctx(), year, county, apiclient.TimelineQuery{Page: apiclient.Page{Cursor: cursor}})
		if err != nil {
			return v, year, err
		}
		v.Timeline = tl.Events
		v.TimelinePager = pagerFor("timeline-pager", r.ec.Request().URL.Path, "timeline", cursor, tl.NextCursor, "#timeline")
		v.AtTail = tl.NextCursor == ""
		if n := len(tl.Events); n > 0 {
			v.After = tl.Events[n-1].Seq
		} else if cursor != "" {
			// An empty page after a cursor ends where the cursor points; the page does
			// not know that seq, so it leaves following the timeline to the first page.
			v.AtTail = false
		}
	}
	u := r.user
	v.CanAct = u.Role == domain.RoleAdmin || (u.Role == domain.RoleCounty && u.Region == county)
	open := v.Campaign.Phase == domain.PhaseOpen
	for _, it := range domain.Checklist {
		row := materialRow{Item: it}
		if v.App != nil {
			row.View = v.App.Materials.Items[it.Number]
		}
		v.Materials = append(v.Materials, row)
	}
	if v.App != nil && v.CanAct {
		s := v.App.State
		v.CanEditMaterials = open && (s == domain.StateRegistered || s == domain.StateSubmitted || s == domain.StateRecommended)
		v.CanSubmit = open && s == domain.StateRegistered
		v.CanSelfApply = open && div.DirectlyAdministered && s == domain.StateSubmitted
		v.CanWithdraw = !s.Final()
	}
	return v, year, nil
}

func (c *console) application(r *request) error {
	v, year, err := c.loadApplication(r)
	if err != nil {
		return err
	}
	return c.render(r, http.StatusOK, "application", pageOpts{title: "app.title", titleArgs: []any{v.Div.Name, year}, year: year}, v)
}

// liveView is the live fragment: the application's state line and the events the page
// does not show yet.
type liveView struct {
	App    *readmodel.Application
	Events []readmodel.Event
}

// applicationLive is the fragment the page polls, so an action by anyone (or a deadline
// firing) shows up without a reload. The page says what it already shows: ?version= of
// the application and, when it shows the timeline's end, ?after= its last seq. The
// answer is the state line and only the events after that seq, or 204 when nothing
// changed, so a poll costs the same however long the timeline has grown. It answers
// with bare statuses, not pages, because a script reads it.
func (c *console) applicationLive(r *request) error {
	v, changed, err := c.loadLive(r)
	if err != nil {
		status := http.StatusInternalServerError
		if ae, ok := apiclient.AsError(err); ok {
			status = ae.Status
		} else if errors.Is(err, errSignIn) {
			status = http.StatusUnauthorized
		} else {
			c.log.ErrorContext(r.ctx(), "live fragment", "error", err.Error())
		}
		return r.ec.NoContent(status)
	}
	if !changed {
		return r.ec.NoContent(http.StatusNoContent)
	}
	return c.write(r, http.StatusOK, "application", "live-update", v)
}

// loadLive reads what the live fragment shows, and whether the page lacks any of it.
func (c *console) loadLive(r *request) (liveView, bool, error) {
	var v liveView
	year, county, _, err := r.appAction()
	if err != nil {
		return v, false, err
	}
	if err := r.requireUser(); err != nil {
		return v, false, err
	}
	version, err := optionalSeq(r, "version")
	if err != nil {
		return v, false, err
	}
	after, err := optionalSeq(r, "after")
	if err != nil {
		return v, false, err
	}
	client := c.client(r)
	app, err := client.Application(r.ctx(), year, county)
	if err != nil {
		return v, false, err
	}
	v.App = &app
	if after != nil {
		tl, err := client.ApplicationTimeline(r.ctx(), year, county, apiclient.TimelineQuery{After: after})
		if err != nil {
			return v, false, err
		}
		v.Events = tl.Events
	}
	return v, version == nil || *version != app.Version || len(v.Events) > 0, nil
}

// optionalSeq reads a query parameter that is absent (nil) or a whole number from 0.
func optionalSeq(r *request, name string) (*int64, error) {
	raw := r.ec.QueryParam(name)
	if raw == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil || n < 0 {
		return nil, badPath("%s %q must be a whole number from 0", name, raw)
	}
	return &n, nil
}

// appAction reads the year and county of an application form's path.
func (r *request) appAction() (year int, county, page string, err error) {
	if year, err = r.year(); err != nil {
		return
	}
	if county, err = r.code("county"); err != nil {
		return
	}
	return year, county, fmt.Sprintf("/campaigns/%d/applications/%s", year, county), nil
}

func (c *console) register(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	return c.act(r, page, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.RegisterApplication(ctx, year, api.RegisterRequest{County: county}))
	}, "flash.registered")
}

// materials turns the checklist form into PUT materials (R6): one number of copies per
// item the county delivers; item 1 is the prefecture's and never sent.
func (c *console) materials(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	items := domain.Materials{}
	for _, it := range domain.Checklist {
		if it.FromPrefecture {
			continue
		}
		raw := strings.TrimSpace(r.ec.FormValue("copies_" + it.Number))
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n < 0 {
			c.setFlash(r.ec, flash{Kind: "error", Err: badPath("item %s: %q is not a number of copies", it.Number, raw)})
			return r.ec.Redirect(http.StatusSeeOther, page)
		}
		items[it.Number] = domain.Delivery{Copies: n}
	}
	return c.act(r, page, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.PutMaterials(ctx, year, county, api.MaterialsRequest{Items: items}))
	}, "flash.materials_saved")
}

func (c *console) submit(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	return c.act(r, page, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Submit(ctx, year, county))
	}, "flash.submitted")
}

func (c *console) selfApply(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	req := api.SelfApplyRequest{DocumentRef: strings.TrimSpace(r.ec.FormValue("document_ref"))}
	return c.act(r, page, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.SelfApply(ctx, year, county, req))
	}, "flash.self_applied")
}

func (c *console) withdraw(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	req := api.WithdrawRequest{Reason: strings.TrimSpace(r.ec.FormValue("reason"))}
	return c.act(r, page, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Withdraw(ctx, year, county, req))
	}, "flash.withdrawn")
}

// scorecard posts one reviewer's card (R8) and returns to the page the form was on.
func (c *console) scorecard(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	back := page
	if b := localPath(r.ec.FormValue("back")); strings.HasPrefix(b, fmt.Sprintf("/campaigns/%d/", year)) {
		back = b + "#cand-" + county
	}
	criteria := domain.Scorecard{}
	for _, k := range domain.Criteria {
		raw := strings.TrimSpace(r.ec.FormValue("c_" + k))
		if raw == "" {
			continue // the API names every missing criterion (R8)
		}
		v, err := strconv.ParseFloat(raw, 64)
		if err != nil {
			c.setFlash(r.ec, flash{Kind: "error", Err: badPath("criterion %s: %q is not a number", k, raw)})
			return r.ec.Redirect(http.StatusSeeOther, back)
		}
		criteria[k] = v
	}
	req := api.ScoreRequest{Criteria: criteria, Comment: strings.TrimSpace(r.ec.FormValue("comment"))}
	return c.act(r, back, func(ctx context.Context, cl *apiclient.Client) error {
		return errOnly(cl.Score(ctx, year, county, req))
	}, "flash.scored", divisionName(county))
}
