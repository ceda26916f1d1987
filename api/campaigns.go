package api

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// The campaign itself (R1): POST /campaigns, GET /campaigns/{year} and its timeline.

// campaignReadableWithin bounds how long POST /campaigns waits for the new workflow's
// first projection; it normally takes one workflow task and one activity.
const campaignReadableWithin = 10 * time.Second

// CreateCampaignRequest is the body of POST /campaigns (R1). Weights are flat overrides
// of the default formula (R7a), e.g. {"logistics":0.3}. Deadlines are dates (the whole
// day in TimeZone) or RFC 3339 instants, and the publicity period is 7d, 5wd or a Go
// duration (R14); they stay strings until config knows the zone to read them in.
//
// Every field is omitzero. The API reads an absent field as its zero, so a body without
// from_year means what it always did; with from_year an absent field is copied from that
// year, and omitzero is what lets a Go client (apiclient, the console) leave a field to
// the copy by leaving it zero. An empty, non-nil Excluded is still sent: no exclusions
// of its own.
type CreateCampaignRequest struct {
	Year                   int                `json:"year,omitzero"`
	Province               string             `json:"province,omitzero"`
	Quota                  int                `json:"quota,omitzero"`
	PrefectureCap          int                `json:"prefecture_cap,omitzero"`
	RecommendationDeadline string             `json:"recommendation_deadline,omitzero"`
	NoticeDeadline         string             `json:"notice_deadline,omitzero"`
	PublicityPeriod        string             `json:"publicity_period,omitzero"`
	TimeZone               string             `json:"time_zone,omitzero"`
	Excluded               []string           `json:"excluded,omitzero"`
	NationalScores         map[string]float64 `json:"national_scores,omitzero"`
	Weights                WeightOverrides    `json:"weights,omitzero"`
	// Edition names the edition of the division codes (GB/T 2260) the counties are
	// checked against; empty picks the province's default (domain.EditionFor).
	Edition string `json:"edition,omitzero"`
	// DirectlyAdministered lists the counties the notice names as applying on their own
	// (R4); it replaces the reference data's flags for this campaign. Empty keeps them.
	DirectlyAdministered []string `json:"directly_administered,omitzero"`
	// Department signs the notice and Contact is the office that hears objections
	// (R9, R10); empty takes the province's from the reference data.
	Department string `json:"department,omitzero"`
	Contact    string `json:"contact,omitzero"`
	// FromYear copies the configuration of that year's closed campaign and excludes
	// the counties it designated: the notice excludes earlier winners (R1, R2). The
	// fields the body names win over the copy; see copySource.
	FromYear int `json:"from_year,omitzero"`
}

// WeightOverrides are the numbers of R7a a campaign replaces. Both the flat form
// ({"logistics":0.3,"national":0.5}) and the nested form GET returns
// ({"criteria":{"logistics":0.3},"national":0.5}) are accepted, so a campaign read back
// can be posted again.
type WeightOverrides map[string]float64

// UnmarshalJSON flattens a nested "criteria" object into the override map.
func (w *WeightOverrides) UnmarshalJSON(b []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	out := WeightOverrides{}
	for k, v := range raw {
		if k == "criteria" {
			var criteria map[string]float64
			if err := json.Unmarshal(v, &criteria); err != nil {
				return fmt.Errorf("weights.criteria: %w", err)
			}
			for c, n := range criteria {
				out[c] = n
			}
			continue
		}
		var n float64
		if err := json.Unmarshal(v, &n); err != nil {
			return fmt.Errorf("weights.%s must be a number", k)
		}
		out[k] = n
	}
	*w = out
	return nil
}

// config turns the body into the campaign configuration, with API.md's defaults.
func (r CreateCampaignRequest) config(province string) (domain.Campaign, error) {
	cfg := domain.Campaign{
		Year: r.Year, Province: r.Province, Quota: r.Quota, PrefectureCap: r.PrefectureCap,
		PublicityPeriod: domain.DefaultPublicityPeriod, TimeZone: r.TimeZone,
		Excluded: r.Excluded, NationalScores: r.NationalScores,
		Edition: r.Edition, Department: r.Department, Contact: r.Contact,
		DirectlyAdministered: r.DirectlyAdministered,
	}
	if cfg.TimeZone == "" {
		cfg.TimeZone = domain.DefaultTimeZone
	}
	loc, err := time.LoadLocation(cfg.TimeZone)
	if err != nil || cfg.TimeZone == "Local" {
		return cfg, newError(domain.CodeBadRequest, "R14", "time_zone %q must be an IANA time zone such as Asia/Shanghai", r.TimeZone)
	}
	if cfg.RecommendationDeadline, err = domain.ParseDeadline(r.RecommendationDeadline, loc); err != nil {
		return cfg, newError(domain.CodeBadRequest, "R14", "recommendation_deadline %v", err)
	}
	if cfg.NoticeDeadline, err = domain.ParseDeadline(r.NoticeDeadline, loc); err != nil {
		return cfg, newError(domain.CodeBadRequest, "R14", "notice_deadline %v", err)
	}
	if cfg.Province == "" {
		cfg.Province = province
	}
	if cfg.Excluded == nil {
		cfg.Excluded = []string{}
	}
	if cfg.NationalScores == nil {
		cfg.NationalScores = map[string]float64{}
	}
	if r.PublicityPeriod != "" {
		p, err := domain.ParsePeriod(r.PublicityPeriod)
		if err != nil {
			return cfg, newError(domain.CodeBadRequest, "R14", "%v", err)
		}
		cfg.PublicityPeriod = p
	}
	w, err := domain.WithOverrides(r.Weights)
	if err != nil {
		return cfg, err
	}
	cfg.Weights = w
	return cfg, nil
}

// createCampaign starts a province's campaign workflow of a year (R1). The workflow ID
// names both (workflows.CampaignID), so a second campaign of a province for a year is
// refused by Temporal itself, even when two requests race. The response waits until
// the campaign is readable from PostgreSQL.
//
// The province is the path's ({province} of /provinces/{province}/campaigns), which a
// body may repeat but not contradict; on /campaigns it is the body's, else the
// deployment's.
func (s *server) createCampaign(c echo.Context) error {
	province, err := s.provinceOf(c)
	if err != nil {
		return err
	}
	caller, ok := actorOf(c)
	if !ok {
		return newError(codeUnauthenticated, "", "a bearer token is required")
	}
	if err := domain.CanAdminister(caller, "create a campaign"); err != nil {
		return err
	}
	body, err := readBody(c)
	if err != nil {
		return err
	}
	var req CreateCampaignRequest
	if err := decodeJSON(body, &req); err != nil {
		return err
	}
	if req.Province != "" {
		if c.Param("province") != "" && req.Province != province {
			return badRequest("province %q in the body contradicts the path's %s", domain.Excerpt(req.Province), province)
		}
		province = req.Province
	}
	if caller.Region != province {
		return newError(domain.CodeForbidden, "R12", "an administrator of %s may not open a campaign for province %s", caller.Region, domain.Excerpt(province))
	}
	a, err := s.official(c, province) // a province without reference data is a 400 here
	if err != nil {
		return err
	}
	ctx := c.Request().Context()
	var src *copySource
	if req.FromYear != 0 {
		if src, err = s.copySource(ctx, province, req.Year, req.FromYear, body); err != nil {
			return err
		}
		req = src.fill(req)
	}
	cfg, err := req.config(province)
	if err != nil {
		return err
	}
	if cfg, err = cfg.WithReferenceDefaults(); err != nil {
		return err
	}
	divs, err := domain.ReferenceFor(cfg)
	if err != nil {
		return err
	}
	if src != nil {
		cfg = src.carry(cfg, divs)
	}
	if err := cfg.Validate(divs); err != nil {
		return err
	}
	// The read model outlives Temporal's retention: a year it still holds is taken, or
	// the new campaign's first versions would lose to the old rows.
	if _, err := s.st.Campaign(ctx, cfg.Province, cfg.Year); err == nil {
		return newError(domain.CodeConflict, "R1", "a campaign for %d already exists in province %s", cfg.Year, cfg.Province)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err = s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       workflows.CampaignID(cfg.Province, cfg.Year),
		TaskQueue:                                workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            fmt.Sprintf("campaign %d, province %s", cfg.Year, cfg.Province),
	}, workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: a, Limits: s.cfg.Limits})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return newError(domain.CodeConflict, "R1", "a campaign for %d already exists in province %s", cfg.Year, cfg.Province)
	}
	if err != nil {
		return fmt.Errorf("start campaign %s/%d: %w", cfg.Province, cfg.Year, err)
	}
	view, err := s.awaitCampaign(ctx, cfg.Province, cfg.Year)
	if err != nil {
		return err
	}
	c.Set(zoneKey, zoneOf(view))
	c.Response().Header().Set(echo.HeaderLocation, campaignPath(c, view))
	return c.JSON(http.StatusCreated, view)
}

// copySource is the closed campaign POST /campaigns with from_year copies (R1), and
// which fields the body names itself. What a body names wins: JSON presence, as in an
// amendment, so an explicit "excluded":[] drops the source's list (its designated
// counties are still carried) while an absent one copies it; a null names nothing.
// Copied unless named: quota, prefecture_cap, publicity_period, time_zone, weights,
// department, contact, excluded, directly_administered, and both deadlines, moved on
// by the years between the campaigns. Never copied: national_scores (a year's own
// national review) and edition (the new year's codes, which WithReferenceDefaults
// picks).
type copySource struct {
	view       readmodel.CampaignView
	designated []string
	named      map[string]bool
}

// copySource reads the province's campaign of from for a new campaign of year: it must
// be an earlier year (400), exist (404) and have closed with its final list (409), since
// only then are the counties it designated known.
func (s *server) copySource(ctx context.Context, province string, year, from int, body []byte) (*copySource, error) {
	if from >= year {
		return nil, newError(domain.CodeBadRequest, "R1", "from_year %d must be before year %d: a campaign copies an earlier year's", from, year)
	}
	v, err := s.st.Campaign(ctx, province, from)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError(domain.CodeNotFound, "R1", "from_year %d: there is no campaign of %d to copy", from, from)
	}
	if err != nil {
		return nil, err
	}
	d, err := s.st.Designation(ctx, province, from)
	if errors.Is(err, store.ErrNotFound) {
		return nil, newError(domain.CodeInvalidState, "R1", "campaign %d has not closed: its designated counties are not final yet, so it cannot be copied", from)
	}
	if err != nil {
		return nil, err
	}
	src := &copySource{view: v, named: namedFields(body)}
	for _, e := range d.Designated {
		src.designated = append(src.designated, e.County)
	}
	return src, nil
}

// namedFields are the fields of a JSON object body that hold a value; null holds none,
// as bindJSON reads it. The body has been decoded already, so it is an object (or empty).
func namedFields(body []byte) map[string]bool {
	var fields map[string]json.RawMessage
	_ = json.Unmarshal(body, &fields)
	named := map[string]bool{}
	for k, v := range fields {
		named[k] = string(bytes.TrimSpace(v)) != "null"
	}
	return named
}

// fill puts the source's values into the fields the body left out, before config reads
// the body: the zone too, since the body's own date deadlines are days in it (R14).
func (src *copySource) fill(r CreateCampaignRequest) CreateCampaignRequest {
	v := src.view
	if !src.named["quota"] {
		r.Quota = v.Quota
	}
	if !src.named["prefecture_cap"] {
		r.PrefectureCap = v.PrefectureCap
	}
	if !src.named["publicity_period"] {
		r.PublicityPeriod = v.Deadlines.PublicityPeriod
	}
	if !src.named["time_zone"] {
		r.TimeZone = v.Deadlines.TimeZone
	}
	if !src.named["department"] {
		r.Department = v.Department
	}
	if !src.named["contact"] {
		r.Contact = v.Contact
	}
	if !src.named["excluded"] {
		r.Excluded = v.Excluded
	}
	if !src.named["directly_administered"] {
		r.DirectlyAdministered = v.DirectlyAdministered
	}
	return r
}

// carry completes the copy on the configuration. A deadline the body left out is the
// source's moved on by the years between the campaigns, on the calendar of the new
// campaign's zone (2016-08-01 23:59:59+08:00 becomes 2017-08-01 23:59:59+08:00; a
// 29 February normalises to 1 March, as AddDate does). Weights the body left out are
// the source's (weights it names override the default formula, as without from_year).
// The source's designated counties join the exclusion list and are Carried; one that is
// not a county of the new campaign's divisions (a code the new edition no longer has)
// is left out of both, since it cannot apply anyway.
func (src *copySource) carry(cfg domain.Campaign, divs *domain.Divisions) domain.Campaign {
	v := src.view
	years := cfg.Year - v.Year
	loc := cfg.Location()
	if !src.named["recommendation_deadline"] {
		cfg.RecommendationDeadline = v.Deadlines.Recommendation.In(loc).AddDate(years, 0, 0)
	}
	if !src.named["notice_deadline"] {
		cfg.NoticeDeadline = v.Deadlines.Notice.In(loc).AddDate(years, 0, 0)
	}
	if !src.named["weights"] {
		cfg.Weights = v.Weights
	}
	var carried []string
	for _, code := range src.designated {
		if _, ok := divs.CountyOf(code, cfg.Province); ok {
			carried = append(carried, code)
		}
	}
	slices.Sort(carried)
	cfg.Carried = slices.Compact(carried)
	excluded := append(slices.Clone(cfg.Excluded), cfg.Carried...)
	slices.Sort(excluded)
	cfg.Excluded = slices.Compact(excluded)
	cfg.FromYear = v.Year
	return cfg
}

// awaitCampaign polls the read model until the new campaign's first projection lands.
func (s *server) awaitCampaign(parent context.Context, province string, year int) (readmodel.CampaignView, error) {
	ctx, cancel := context.WithTimeout(parent, campaignReadableWithin)
	defer cancel()
	delay := 20 * time.Millisecond
	for {
		v, err := s.st.Campaign(ctx, province, year)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, store.ErrNotFound) && ctx.Err() == nil {
			return v, err
		}
		if perr := parent.Err(); perr != nil {
			return v, perr
		}
		if ctx.Err() != nil {
			return v, newError(codeUnavailable, "", "campaign %d was started but is not readable yet; GET it again shortly", year)
		}
		t := time.NewTimer(delay)
		select {
		case <-ctx.Done():
			t.Stop()
		case <-t.C:
		}
		delay = min(2*delay, 250*time.Millisecond)
	}
}

// campaignOf reads the province and year of the path and their campaign; a year
// without a campaign is a 404 on every route.
func (s *server) campaignOf(c echo.Context) (readmodel.CampaignView, error) {
	province, err := s.provinceOf(c)
	if err != nil {
		return readmodel.CampaignView{}, err
	}
	year, err := pathYear(c)
	if err != nil {
		return readmodel.CampaignView{}, err
	}
	v, err := s.st.Campaign(c.Request().Context(), province, year)
	if errors.Is(err, store.ErrNotFound) {
		if province != s.cfg.Province {
			return v, notFound("province %s has no campaign of %d", province, year)
		}
		return v, notFound("campaign %d does not exist", year)
	}
	if err == nil {
		c.Set(zoneKey, zoneOf(v))
	}
	return v, err
}

// officialOf is campaignOf plus the caller's R12 consistency check for that campaign.
func (s *server) officialOf(c echo.Context) (readmodel.CampaignView, domain.Actor, error) {
	v, err := s.campaignOf(c)
	if err != nil {
		return v, domain.Actor{}, err
	}
	a, err := s.official(c, v.Province)
	return v, a, err
}

func (s *server) getCampaign(c echo.Context) error {
	v, _, err := s.officialOf(c)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// getCampaignAfterWrite answers with the campaign as the write left it.
func (s *server) getCampaignAfterWrite(c echo.Context, before readmodel.CampaignView) error {
	v, err := s.st.Campaign(c.Request().Context(), before.Province, before.Year)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, v)
}

// EventsResponse is the timeline body of API.md, oldest first, a page at a time.
type EventsResponse struct {
	Events     []readmodel.Event `json:"events"`
	NextCursor string            `json:"next_cursor,omitempty"`
}

// campaignTimeline shows the campaign's own events (phases, filings, forfeits, R11).
func (s *server) campaignTimeline(c echo.Context) error {
	v, _, err := s.officialOf(c)
	if err != nil {
		return err
	}
	return s.timeline(c, v.WorkflowID)
}

// timeline answers a page of a workflow's timeline. Besides ?cursor=, ?after=SEQ starts
// after an event the client already holds: a timeline grows at its end, where the last
// page has no next_cursor, so a client following it live asks for what came after the
// last seq it shows.
func (s *server) timeline(c echo.Context, workflowID string) error {
	list := "timeline " + workflowID
	page, err := pageRequest[int64](s, c, list)
	if err != nil {
		return err
	}
	if raw := c.QueryParam("after"); raw != "" {
		if page.After != nil {
			return badRequest("after and cursor cannot be combined; pass one of them")
		}
		seq, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || seq < 0 {
			return badRequest("after %q must be the seq of an event, a whole number from 0", raw)
		}
		page.After = &seq
	}
	p, err := s.st.Timeline(c.Request().Context(), workflowID, page)
	if err != nil {
		return err
	}
	next, err := nextCursor(s, list, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, EventsResponse{Events: nonNil(p.Items), NextCursor: next})
}
