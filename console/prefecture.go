package console

import (
	"fmt"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type prefCounty struct {
	Div      domain.Division
	App      *readmodel.Application
	Excluded bool
	Eligible bool
	Order    int
}

type prefectureView struct {
	Campaign    readmodel.CampaignView
	Div         domain.Division
	Pref        readmodel.Prefecture
	Counties    []prefCounty
	Orders      []int
	Next        *deadlineView
	CanFile     bool
	DocumentRef string
	Preview     *readmodel.RecommendResult
	OverCap     bool
}

// loadPrefecture reads the prefecture page; orders, when not nil, are the form's choices
// to show again after a validate-only preview instead of the filed order.
func (c *console) loadPrefecture(r *request, orders map[string]int) (prefectureView, int, error) {
	var v prefectureView
	year, err := r.year()
	if err != nil {
		return v, 0, err
	}
	code, err := r.code("code")
	if err != nil {
		return v, year, err
	}
	if err := r.requireUser(); err != nil {
		return v, year, err
	}
	div, ok := r.divs.Get(code)
	if !ok || div.Level != domain.LevelPrefecture || div.ParentCode != r.province {
		return v, year, notFound("%s is not a prefecture of province %s", code, r.province)
	}
	v.Div = div
	if v.Campaign, err = c.client(r).Campaign(r.ctx(), year); err != nil {
		return v, year, err
	}
	v.Next = nextDeadline(v.Campaign)
	v.Pref = readmodel.Prefecture{Code: code, Name: div.Name, Status: domain.PrefectureOpen}
	for _, p := range v.Campaign.Prefectures {
		if p.Code == code {
			v.Pref = p
		}
	}
	list, err := c.applications(r, year, apiclient.ApplicationsQuery{Prefecture: code})
	if err != nil {
		return v, year, err
	}
	apps := map[string]*readmodel.Application{}
	for i := range list {
		apps[list[i].County] = &list[i]
	}
	eligible := 0
	for _, d := range c.divsOf(r, v.Campaign).Counties(code) {
		pc := prefCounty{Div: d, App: apps[d.Code], Excluded: slices.Contains(v.Campaign.Excluded, d.Code)}
		if pc.App != nil && !d.DirectlyAdministered && (pc.App.State == domain.StateSubmitted || pc.App.State == domain.StateRecommended) {
			pc.Eligible = true
			eligible++
			if orders != nil {
				pc.Order = orders[d.Code]
			} else if pc.App.State == domain.StateRecommended && pc.App.RecommendationOrder != nil {
				pc.Order = *pc.App.RecommendationOrder
			}
		}
		v.Counties = append(v.Counties, pc)
	}
	// Offer one place more than the cap, so an over-cap list can be previewed (R3).
	for i := 1; i <= max(eligible, v.Campaign.PrefectureCap+1); i++ {
		v.Orders = append(v.Orders, i)
	}
	u := r.user
	v.CanFile = (u.Role == domain.RoleAdmin || (u.Role == domain.RolePrefecture && u.Region == code)) &&
		v.Campaign.Phase == domain.PhaseOpen && v.Pref.Status != domain.PrefectureForfeited
	v.DocumentRef = v.Pref.DocumentRef
	return v, year, nil
}

func (c *console) prefecture(r *request) error {
	v, year, err := c.loadPrefecture(r, nil)
	if err != nil {
		return err
	}
	return c.render(r, http.StatusOK, "prefecture", pageOpts{title: "pref.title", titleArgs: []any{v.Div.Name, year}, year: year}, v)
}

// recommend files the ordered list (R3), or with mode=validate only checks it: the
// preview page keeps the chosen order and shows the API's over_cap refusal as a
// warning before anything forfeits.
func (c *console) recommend(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	code, err := r.code("code")
	if err != nil {
		return err
	}
	if err := r.requireUser(); err != nil {
		return err
	}
	ec := r.ec
	orders := map[string]int{}
	type pick struct {
		county string
		order  int
	}
	var picks []pick
	for _, d := range r.divs.Counties(code) {
		raw := ec.FormValue("order_" + d.Code)
		if raw == "" {
			continue
		}
		n, err := strconv.Atoi(raw)
		if err != nil || n <= 0 {
			continue
		}
		orders[d.Code] = n
		picks = append(picks, pick{d.Code, n})
	}
	sort.SliceStable(picks, func(i, j int) bool {
		if picks[i].order != picks[j].order {
			return picks[i].order < picks[j].order
		}
		return picks[i].county < picks[j].county
	})
	counties := []string{}
	for _, p := range picks {
		counties = append(counties, p.county)
	}
	docRef := strings.TrimSpace(ec.FormValue("document_ref"))
	req := api.RecommendRequest{Counties: counties, DocumentRef: docRef}
	page := fmt.Sprintf("/campaigns/%d/prefectures/%s", year, code)

	if ec.FormValue("mode") != "validate" {
		res, err := c.client(r).Recommend(r.formCtx(), year, code, req)
		if ae, ok := apiclient.AsError(err); ok && ae.Status != http.StatusUnauthorized {
			c.setFlash(ec, flash{Kind: "error", Err: ae})
			return ec.Redirect(http.StatusSeeOther, page)
		}
		if err != nil {
			return err
		}
		if res.Status == domain.PrefectureForfeited {
			c.setFlash(ec, flash{Kind: "error", Key: "flash.forfeited"})
		} else {
			c.setFlash(ec, flash{Kind: "ok", Key: "flash.filed", Args: []string{namesOf(res.Recommended)}})
		}
		return ec.Redirect(http.StatusSeeOther, page)
	}

	res, verr := c.client(r).ValidateRecommendation(r.ctx(), year, code, req)
	ae, refused := apiclient.AsError(verr)
	if verr != nil && (!refused || ae.Status == http.StatusUnauthorized) {
		return verr
	}
	v, _, err := c.loadPrefecture(r, orders)
	if err != nil {
		return err
	}
	v.DocumentRef = docRef
	opts := pageOpts{title: "pref.title", titleArgs: []any{v.Div.Name, year}, year: year, self: page}
	if refused {
		opts.err = ae
		v.OverCap = ae.Code == string(domain.CodeOverCap)
		return c.render(r, ae.Status, "prefecture", opts, v)
	}
	v.Preview = &res
	return c.render(r, http.StatusOK, "prefecture", opts, v)
}

func namesOf(codes []string) string {
	names := make([]string, len(codes))
	for i, code := range codes {
		names[i] = divisionName(code)
	}
	return strings.Join(names, "、")
}
