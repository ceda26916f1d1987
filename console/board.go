package console

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

type countyCell struct {
	Div      domain.Division
	State    domain.State
	Excluded bool
	Direct   bool
	Href     string
}

type prefCell struct {
	Div         domain.Division
	Status      domain.PrefectureStatus
	Recommended []string
	Counties    []countyCell
}

type stateCount struct {
	State domain.State
	N     int
}

type boardView struct {
	Campaign readmodel.CampaignView
	Next     *deadlineView
	Counts   []stateCount
	Grid     []prefCell
	Legend   []domain.State
}

// board is the province's dashboard: phase, the next deadline counting down, overdue
// (R9) in red, counts by state, and every prefecture with its counties' states.
func (c *console) board(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	if err := r.requireUser(); err != nil {
		return err
	}
	cv, err := c.client(r).Campaign(r.ctx(), year)
	if err != nil {
		return err
	}
	apps, err := c.applications(r, year, apiclient.ApplicationsQuery{})
	if err != nil {
		return err
	}
	states := map[string]domain.State{}
	for _, a := range apps {
		states[a.County] = a.State
	}
	v := boardView{Campaign: cv, Next: nextDeadline(cv), Legend: domain.States}
	for _, s := range domain.States {
		if n := cv.Counts[s]; n > 0 {
			v.Counts = append(v.Counts, stateCount{State: s, N: n})
		}
	}
	prefs := map[string]readmodel.Prefecture{}
	for _, p := range cv.Prefectures {
		prefs[p.Code] = p
	}
	divs := c.divsOf(r, cv)
	for _, p := range divs.Prefectures(cv.Province) {
		cell := prefCell{Div: p, Status: domain.PrefectureOpen}
		if fp, ok := prefs[p.Code]; ok {
			cell.Status = fp.Status
			for _, code := range fp.Recommended {
				cell.Recommended = append(cell.Recommended, divisionName(code))
			}
		}
		for _, d := range divs.Counties(p.Code) {
			cell.Counties = append(cell.Counties, countyCell{Div: d, State: states[d.Code], Excluded: slices.Contains(cv.Excluded, d.Code),
				Direct: d.DirectlyAdministered, Href: fmt.Sprintf("/campaigns/%d/applications/%s", year, d.Code)})
		}
		v.Grid = append(v.Grid, cell)
	}
	return c.render(r, http.StatusOK, "board", pageOpts{title: "board.title", titleArgs: []any{year}, year: year}, v)
}
