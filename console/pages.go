package console

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

var (
	yearPattern = regexp.MustCompile(`^[0-9]{4}$`)
	codePattern = regexp.MustCompile(`^[0-9]{6}$`)
)

func badPath(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusBadRequest, Code: "bad_request", Message: fmt.Sprintf(format, args...)}
}

func notFound(format string, args ...any) *apiError {
	return &apiError{Status: http.StatusNotFound, Code: "not_found", Message: fmt.Sprintf(format, args...)}
}

// year reads :year; the console checks the path's shape itself only so that a typo
// gets a page instead of an API call.
func (r *request) year() (int, error) {
	raw := r.ec.Param("year")
	if !yearPattern.MatchString(raw) {
		return 0, badPath("year %q must be a four-digit year", raw)
	}
	y, _ := strconv.Atoi(raw)
	return y, nil
}

func (r *request) code(name string) (string, error) {
	raw := r.ec.Param(name)
	if !codePattern.MatchString(raw) {
		return "", badPath("%s %q must be a 6-digit division code", name, raw)
	}
	return raw, nil
}

// get reads one API resource with the user's token.
func (c *console) get(r *request, path string, out any) error {
	return c.do(r, call{method: http.MethodGet, path: path, token: r.token()}, out)
}

func isStatus(err error, status int) bool {
	ae, ok := asAPIError(err)
	return ok && ae.Status == status
}

// nextDeadline is what a campaign waits for now: the recommendation deadline while
// open, the notice deadline while reviewing (R9), the end of publicity (R10).
func nextDeadline(v readmodel.CampaignView) *deadlineView {
	switch v.Phase {
	case domain.PhaseOpen:
		return &deadlineView{Key: "deadline.recommendation", At: v.Deadlines.Recommendation}
	case domain.PhaseReviewing, domain.PhaseRanked:
		return &deadlineView{Key: "deadline.notice", At: v.Deadlines.Notice}
	case domain.PhasePublicity:
		if v.Deadlines.PublicityEndsAt != nil {
			return &deadlineView{Key: "deadline.publicity_end", At: *v.Deadlines.PublicityEndsAt}
		}
	}
	return nil
}

// ---------------------------------------------------------------- home

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
			var cv readmodel.CampaignView
			err := c.get(r, fmt.Sprintf("/campaigns/%d", y), &cv)
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
			v.Create = defaultCreateForm(next)
		}
	}
	for y := first; y >= last; y-- {
		var n readmodel.Notice
		if err := c.do(r, call{method: http.MethodGet, path: fmt.Sprintf("/campaigns/%d/notice", y)}, &n); err == nil {
			v.Notices = append(v.Notices, y)
		}
	}
	return c.render(r, http.StatusOK, "home", pageOpts{title: "home.title"}, v)
}

// ---------------------------------------------------------------- create campaign

// createForm holds the create-campaign form's fields as typed, so a refused form comes
// back filled in.
type createForm struct {
	Year           int
	Quota          int
	Cap            int
	Recommendation string // datetime-local, Beijing time
	Notice         string
	Publicity      string
	Excluded       string
	National       string
}

// defaultCreateForm proposes the 2016 notice's numbers and calendar (R1) for a year.
func defaultCreateForm(year int) *createForm {
	return &createForm{Year: year, Quota: 12, Cap: 2,
		Recommendation: fmt.Sprintf("%d-08-01T23:59:59", year), Notice: fmt.Sprintf("%d-08-10T23:59:59", year),
		Publicity: "168h"}
}

const localLayout = "2006-01-02T15:04:05"

func parseLocal(s string) (time.Time, error) {
	for _, layout := range []string{localLayout, "2006-01-02T15:04"} {
		if t, err := time.ParseInLocation(layout, strings.TrimSpace(s), displayZone); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("%q is not a date and time (YYYY-MM-DDTHH:MM[:SS])", s)
}

var listSeparators = regexp.MustCompile(`[\s,，、;；]+`)

func splitList(s string) []string {
	var out []string
	for _, f := range listSeparators.Split(strings.TrimSpace(s), -1) {
		if f != "" {
			out = append(out, f)
		}
	}
	return out
}

// parseScores reads "520328=86.5" pairs (also "520328:86.5"), separated by lines,
// commas or spaces.
func parseScores(s string) (map[string]float64, error) {
	out := map[string]float64{}
	for _, f := range splitList(s) {
		code, score, ok := strings.Cut(strings.ReplaceAll(f, ":", "="), "=")
		if !ok {
			return nil, fmt.Errorf("national score %q must look like 520328=86.5", f)
		}
		v, err := strconv.ParseFloat(score, 64)
		if err != nil {
			return nil, fmt.Errorf("national score %q: %q is not a number", f, score)
		}
		out[code] = v
	}
	return out, nil
}

func (c *console) createCampaign(r *request) error {
	if err := r.requireUser(); err != nil {
		return err
	}
	ec := r.ec
	f := createForm{Recommendation: ec.FormValue("recommendation_deadline"), Notice: ec.FormValue("notice_deadline"),
		Publicity: strings.TrimSpace(ec.FormValue("publicity_period")), Excluded: ec.FormValue("excluded"), National: ec.FormValue("national_scores")}
	f.Year, _ = strconv.Atoi(ec.FormValue("year"))
	f.Quota, _ = strconv.Atoi(ec.FormValue("quota"))
	f.Cap, _ = strconv.Atoi(ec.FormValue("prefecture_cap"))
	refuse := func(ae *apiError) error {
		return c.render(r, httpStatus(ae), "admin", pageOpts{title: "admin.title", titleArgs: []any{f.Year}, err: ae,
			self: fmt.Sprintf("/campaigns/%d/admin", f.Year), year: f.Year}, adminView{Create: &f})
	}
	if f.Year < 1000 || f.Year > 9999 {
		return refuse(badPath("year %q must be a four-digit year", ec.FormValue("year")))
	}
	rec, err := parseLocal(f.Recommendation)
	if err != nil {
		return refuse(badPath("recommendation deadline: %v", err))
	}
	notice, err := parseLocal(f.Notice)
	if err != nil {
		return refuse(badPath("notice deadline: %v", err))
	}
	scores, err := parseScores(f.National)
	if err != nil {
		return refuse(badPath("%v", err))
	}
	body := map[string]any{
		"year": f.Year, "province": c.cfg.Province, "quota": f.Quota, "prefecture_cap": f.Cap,
		"recommendation_deadline": rec.Format(time.RFC3339), "notice_deadline": notice.Format(time.RFC3339),
		"publicity_period": f.Publicity, "excluded": nonNil(splitList(f.Excluded)), "national_scores": scores,
	}
	err = c.do(r, call{method: http.MethodPost, path: "/campaigns", token: r.token(), body: body, idem: ec.FormValue(idemField)}, nil)
	admin := fmt.Sprintf("/campaigns/%d/admin", f.Year)
	if ae, ok := asAPIError(err); ok && ae.Status != http.StatusUnauthorized {
		if ae.Status == http.StatusConflict {
			c.setFlash(ec, flash{Kind: "error", Err: ae})
			return ec.Redirect(http.StatusSeeOther, admin)
		}
		return refuse(ae)
	}
	if err != nil {
		return err
	}
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.campaign_created", Args: []string{strconv.Itoa(f.Year)}})
	return ec.Redirect(http.StatusSeeOther, admin)
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// ---------------------------------------------------------------- board

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
	var cv readmodel.CampaignView
	if err := c.get(r, fmt.Sprintf("/campaigns/%d", year), &cv); err != nil {
		return err
	}
	apps, err := c.applications(r, year)
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
	for _, p := range c.divs.Prefectures(cv.Province) {
		cell := prefCell{Div: p, Status: domain.PrefectureOpen}
		if fp, ok := prefs[p.Code]; ok {
			cell.Status = fp.Status
			for _, code := range fp.Recommended {
				cell.Recommended = append(cell.Recommended, divisionName(code))
			}
		}
		for _, d := range c.divs.Counties(p.Code) {
			cell.Counties = append(cell.Counties, countyCell{Div: d, State: states[d.Code], Excluded: slices.Contains(cv.Excluded, d.Code),
				Direct: d.DirectlyAdministered, Href: fmt.Sprintf("/campaigns/%d/applications/%s", year, d.Code)})
		}
		v.Grid = append(v.Grid, cell)
	}
	return c.render(r, http.StatusOK, "board", pageOpts{title: "board.title", titleArgs: []any{year}, year: year}, v)
}

// ---------------------------------------------------------------- application

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
	div, ok := c.divs.CountyOf(county, c.cfg.Province)
	if !ok {
		return v, year, notFound("%s is not a county of province %s", county, c.cfg.Province)
	}
	v.Div = div
	v.Prefecture, _ = c.divs.Get(div.ParentCode)
	v.Criteria = domain.Criteria
	if err := c.get(r, fmt.Sprintf("/campaigns/%d", year), &v.Campaign); err != nil {
		return v, year, err
	}
	v.Next = nextDeadline(v.Campaign)
	var app readmodel.Application
	err = c.get(r, fmt.Sprintf("/campaigns/%d/applications/%s", year, county), &app)
	switch {
	case isStatus(err, http.StatusNotFound):
	case err != nil:
		return v, year, err
	default:
		v.App = &app
		cursor := r.ec.QueryParam("timeline")
		var tl eventsPage
		if err := c.get(r, withQuery(fmt.Sprintf("/campaigns/%d/applications/%s/timeline", year, county), "cursor", cursor), &tl); err != nil {
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
		if ae, ok := asAPIError(err); ok {
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
	var app readmodel.Application
	if err := c.get(r, fmt.Sprintf("/campaigns/%d/applications/%s", year, county), &app); err != nil {
		return v, false, err
	}
	v.App = &app
	if after != nil {
		var tl eventsPage
		path := withQuery(fmt.Sprintf("/campaigns/%d/applications/%s/timeline", year, county), "after", strconv.FormatInt(*after, 10))
		if err := c.get(r, path, &tl); err != nil {
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

// act runs one form's API call and answers Post/Redirect/Get: the result or the
// refusal travels in a flash to the page the browser is sent back to.
func (c *console) act(r *request, back string, cl call, okKey string, okArgs ...string) error {
	if err := r.requireUser(); err != nil {
		return err
	}
	cl.token = r.token()
	if cl.idem == "" {
		cl.idem = r.ec.FormValue(idemField)
	}
	err := c.do(r, cl, nil)
	if ae, ok := asAPIError(err); ok && ae.Status != http.StatusUnauthorized {
		c.setFlash(r.ec, flash{Kind: "error", Err: ae})
		return r.ec.Redirect(http.StatusSeeOther, back)
	}
	if err != nil {
		return err
	}
	c.setFlash(r.ec, flash{Kind: "ok", Key: okKey, Args: okArgs})
	return r.ec.Redirect(http.StatusSeeOther, back)
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
	return c.act(r, page, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications", year),
		body: map[string]string{"county": county}}, "flash.registered")
}

// materials turns the checklist form into PUT materials (R6): one number of copies per
// item the county delivers; item 1 is the prefecture's and never sent.
func (c *console) materials(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	items := map[string]domain.Delivery{}
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
	return c.act(r, page, call{method: http.MethodPut, path: fmt.Sprintf("/campaigns/%d/applications/%s/materials", year, county),
		body: map[string]any{"items": items}}, "flash.materials_saved")
}

func (c *console) submit(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	return c.act(r, page, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/submit", year, county),
		body: map[string]any{}}, "flash.submitted")
}

func (c *console) selfApply(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	return c.act(r, page, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/self-apply", year, county),
		body: map[string]string{"document_ref": strings.TrimSpace(r.ec.FormValue("document_ref"))}}, "flash.self_applied")
}

func (c *console) withdraw(r *request) error {
	year, county, page, err := r.appAction()
	if err != nil {
		return err
	}
	return c.act(r, page, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/withdraw", year, county),
		body: map[string]string{"reason": strings.TrimSpace(r.ec.FormValue("reason"))}}, "flash.withdrawn")
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
	criteria := map[string]float64{}
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
	return c.act(r, back, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/scorecards", year, county),
		body: map[string]any{"criteria": criteria, "comment": strings.TrimSpace(r.ec.FormValue("comment"))}}, "flash.scored", divisionName(county))
}

// ---------------------------------------------------------------- prefecture

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
	div, ok := c.divs.Get(code)
	if !ok || div.Level != domain.LevelPrefecture || div.ParentCode != c.cfg.Province {
		return v, year, notFound("%s is not a prefecture of province %s", code, c.cfg.Province)
	}
	v.Div = div
	if err := c.get(r, fmt.Sprintf("/campaigns/%d", year), &v.Campaign); err != nil {
		return v, year, err
	}
	v.Next = nextDeadline(v.Campaign)
	v.Pref = readmodel.Prefecture{Code: code, Name: div.Name, Status: domain.PrefectureOpen}
	for _, p := range v.Campaign.Prefectures {
		if p.Code == code {
			v.Pref = p
		}
	}
	list, err := c.applications(r, year, "prefecture", code)
	if err != nil {
		return v, year, err
	}
	apps := map[string]*readmodel.Application{}
	for i := range list {
		apps[list[i].County] = &list[i]
	}
	eligible := 0
	for _, d := range c.divs.Counties(code) {
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
	for _, d := range c.divs.Counties(code) {
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
	body := map[string]any{"counties": counties, "document_ref": docRef}
	path := fmt.Sprintf("/campaigns/%d/prefectures/%s/recommendation", year, code)
	page := fmt.Sprintf("/campaigns/%d/prefectures/%s", year, code)

	if ec.FormValue("mode") != "validate" {
		var res readmodel.RecommendResult
		err := c.do(r, call{method: http.MethodPost, path: path, token: r.token(), body: body, idem: ec.FormValue(idemField)}, &res)
		if ae, ok := asAPIError(err); ok && ae.Status != http.StatusUnauthorized {
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

	var res readmodel.RecommendResult
	verr := c.do(r, call{method: http.MethodPost, path: path + "?validate_only=true", token: r.token(), body: body}, &res)
	ae, refused := asAPIError(verr)
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

// ---------------------------------------------------------------- review

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
	if err := c.get(r, fmt.Sprintf("/campaigns/%d", year), &v.Campaign); err != nil {
		return err
	}
	apps, err := c.applications(r, year)
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

// ---------------------------------------------------------------- admin

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

// ---------------------------------------------------------------- public notice

type noticeView struct {
	Notice *readmodel.Notice
	Open   bool
}

// notice is the public 公示 (R9, R11): no sign-in, the shortlist with each score's
// explanation, and the objection form while publicity runs (R10).
func (c *console) notice(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	var v noticeView
	var n readmodel.Notice
	path := fmt.Sprintf("/campaigns/%d/notice", year)
	if ver := r.ec.QueryParam("version"); ver != "" {
		// An earlier version of the notice (R10); the API judges the number.
		path = withQuery(path, "version", ver)
	}
	err = c.do(r, call{method: http.MethodGet, path: path}, &n)
	switch {
	case isStatus(err, http.StatusNotFound):
	case err != nil:
		return err
	default:
		v.Notice = &n
		now := time.Now()
		for _, e := range n.Shortlist {
			if now.Before(e.PublicityEndsAt) && (e.Status == "" || e.Status == "shortlisted") {
				v.Open = true
			}
		}
	}
	return c.render(r, http.StatusOK, "notice", pageOpts{title: "notice.title", titleArgs: []any{year}, year: year}, v)
}

// object files a public objection through the API's public route; the browser's
// address goes along, so the API's rate limit counts the real client (R10).
func (c *console) object(r *request) error {
	year, err := r.year()
	if err != nil {
		return err
	}
	ec := r.ec
	page := fmt.Sprintf("/notices/%d", year)
	county := ec.FormValue("county")
	if !codePattern.MatchString(county) {
		c.setFlash(ec, flash{Kind: "error", Err: badPath("county %q must be a 6-digit division code", county)})
		return ec.Redirect(http.StatusSeeOther, page+"#objection")
	}
	var res workflows.ObjectResult
	err = c.do(r, call{method: http.MethodPost, path: fmt.Sprintf("/campaigns/%d/applications/%s/objections", year, county),
		body: map[string]string{"reason": strings.TrimSpace(ec.FormValue("reason")), "contact": strings.TrimSpace(ec.FormValue("contact"))},
		idem: ec.FormValue(idemField)}, &res)
	if ae, ok := asAPIError(err); ok {
		c.setFlash(ec, flash{Kind: "error", Err: ae})
		return ec.Redirect(http.StatusSeeOther, page+"#objection")
	}
	if err != nil {
		return err
	}
	c.setFlash(ec, flash{Kind: "ok", Key: "flash.objection_filed", Args: []string{res.ID, divisionName(county)}})
	return ec.Redirect(http.StatusSeeOther, page)
}
