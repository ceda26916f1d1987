package api

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
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

// campaignReadableWithin bounds how long POST /campaigns waits for the new workflow's
// first projection; it normally takes one workflow task and one activity.
const campaignReadableWithin = 10 * time.Second

// CreateCampaignRequest is the body of POST /campaigns (R1). Weights are flat overrides
// of the default formula (R7a), e.g. {"logistics":0.3}. Deadlines are dates (the whole
// day in TimeZone) or RFC 3339 instants, and the publicity period is 7d, 5wd or a Go
// duration (R14); they stay strings until config knows the zone to read them in.
type CreateCampaignRequest struct {
	Year                   int                `json:"year"`
	Province               string             `json:"province"`
	Quota                  int                `json:"quota"`
	PrefectureCap          int                `json:"prefecture_cap"`
	RecommendationDeadline string             `json:"recommendation_deadline"`
	NoticeDeadline         string             `json:"notice_deadline"`
	PublicityPeriod        string             `json:"publicity_period"`
	TimeZone               string             `json:"time_zone"`
	Excluded               []string           `json:"excluded"`
	NationalScores         map[string]float64 `json:"national_scores"`
	Weights                WeightOverrides    `json:"weights"`
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

// createCampaign starts the year's campaign workflow (R1). The workflow ID is the year,
// so a second campaign for a year is refused by Temporal itself, even when two requests
// race. The response waits until the campaign is readable from PostgreSQL.
func (s *server) createCampaign(c echo.Context) error {
	a, err := s.official(c, s.cfg.Province)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "create a campaign"); err != nil {
		return err
	}
	var req CreateCampaignRequest
	if err := bindJSON(c, &req); err != nil {
		return err
	}
	cfg, err := req.config(s.cfg.Province)
	if err != nil {
		return err
	}
	if cfg.Province != a.Region {
		return newError(domain.CodeForbidden, "R12", "an administrator of %s may not open a campaign for province %s", a.Region, cfg.Province)
	}
	if err := cfg.Validate(s.divs); err != nil {
		return err
	}
	ctx := c.Request().Context()
	// The read model outlives Temporal's retention: a year it still holds is taken, or
	// the new campaign's first versions would lose to the old rows.
	if _, err := s.st.Campaign(ctx, cfg.Year); err == nil {
		return newError(domain.CodeConflict, "R1", "a campaign for %d already exists", cfg.Year)
	} else if !errors.Is(err, store.ErrNotFound) {
		return err
	}
	_, err = s.tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
		ID:                                       workflows.CampaignID(cfg.Year),
		TaskQueue:                                workflows.TaskQueue,
		WorkflowIDReusePolicy:                    enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE,
		WorkflowIDConflictPolicy:                 enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL,
		WorkflowExecutionErrorWhenAlreadyStarted: true,
		StaticSummary:                            fmt.Sprintf("campaign %d, province %s", cfg.Year, cfg.Province),
	}, workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: a, Limits: s.cfg.Limits})
	var started *serviceerror.WorkflowExecutionAlreadyStarted
	if errors.As(err, &started) {
		return newError(domain.CodeConflict, "R1", "a campaign for %d already exists", cfg.Year)
	}
	if err != nil {
		return fmt.Errorf("start campaign %d: %w", cfg.Year, err)
	}
	view, err := s.awaitCampaign(ctx, cfg.Year)
	if err != nil {
		return err
	}
	c.Set(zoneKey, zoneOf(view))
	c.Response().Header().Set(echo.HeaderLocation, fmt.Sprintf("%s/campaigns/%d", BasePath, cfg.Year))
	return c.JSON(http.StatusCreated, view)
}

// awaitCampaign polls the read model until the new campaign's first projection lands.
func (s *server) awaitCampaign(parent context.Context, year int) (readmodel.CampaignView, error) {
	ctx, cancel := context.WithTimeout(parent, campaignReadableWithin)
	defer cancel()
	delay := 20 * time.Millisecond
	for {
		v, err := s.st.Campaign(ctx, year)
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

// campaignOf reads the year of the path and its campaign; a year without a campaign is
// a 404 on every route.
func (s *server) campaignOf(c echo.Context) (readmodel.CampaignView, error) {
	year, err := pathYear(c)
	if err != nil {
		return readmodel.CampaignView{}, err
	}
	v, err := s.st.Campaign(c.Request().Context(), year)
	if errors.Is(err, store.ErrNotFound) {
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
	return s.timeline(c, workflows.CampaignID(v.Year))
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

// emptyRequest is the body of actions without arguments: {} (or nothing), and no field.
type emptyRequest struct{}

// adminAction runs an argument-less administrator Update (ranking, notice, promotion).
func (s *server) adminAction(c echo.Context, what, update string, out any) (int, error) {
	v, a, err := s.officialOf(c)
	if err != nil {
		return 0, err
	}
	if err := domain.CanAdminister(a, what); err != nil {
		return 0, err
	}
	if err := bindJSON(c, &emptyRequest{}); err != nil {
		return 0, err
	}
	return v.Year, s.update(c, v.Year, update, workflows.AdminInput{Actor: a, ReceivedAt: receivedAt(c)}, out)
}

// rank runs the ranking (R7, R8).
func (s *server) rank(c echo.Context) error {
	var r domain.Ranking
	if _, err := s.adminAction(c, "rank the candidates", workflows.UpdateRank, &r); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, r)
}

// RankedEntry is one line of GET ranking: the ranking's figures and where the case
// stands now.
type RankedEntry struct {
	domain.Ranked
	Name       string       `json:"name"`
	Prefecture string       `json:"prefecture"`
	State      domain.State `json:"state"`
	Promoted   bool         `json:"promoted,omitempty"`
}

// RankingResponse groups ranked cases by where they stand: holding a place (shortlisted
// or designated), waiting in reserve, or out (removed, withdrawn, not selected).
type RankingResponse struct {
	Shortlist []RankedEntry `json:"shortlist"`
	Reserve   []RankedEntry `json:"reserve"`
	Others    []RankedEntry `json:"others"`
}

// getRanking shows the current ranking from the read model, so every official can see
// the explanation (R7, R11) without rerunning it.
func (s *server) getRanking(c echo.Context) error {
	v, _, err := s.officialOf(c)
	if err != nil {
		return err
	}
	apps, err := s.allApplications(c.Request().Context(), v.Year)
	if err != nil {
		return err
	}
	var ranked []readmodel.Application
	for _, a := range apps {
		if a.Rank != nil && a.Breakdown != nil {
			ranked = append(ranked, a)
		}
	}
	sort.Slice(ranked, func(i, j int) bool { return *ranked[i].Rank < *ranked[j].Rank })
	out := RankingResponse{Shortlist: []RankedEntry{}, Reserve: []RankedEntry{}, Others: []RankedEntry{}}
	for _, a := range ranked {
		e := RankedEntry{
			Ranked: domain.Ranked{County: a.County, Rank: *a.Rank, Total: a.Breakdown.Total, Breakdown: *a.Breakdown},
			Name:   a.Name, Prefecture: a.Prefecture, State: a.State,
			Promoted: *a.Rank > v.Quota && (a.State == domain.StateShortlisted || a.State == domain.StateDesignated),
		}
		switch a.State {
		case domain.StateShortlisted, domain.StateDesignated:
			out.Shortlist = append(out.Shortlist, e)
		case domain.StateReserve:
			out.Reserve = append(out.Reserve, e)
		default:
			out.Others = append(out.Others, e)
		}
	}
	return c.JSON(http.StatusOK, out)
}

// publishNotice publishes the shortlist and starts publicity (R9, R10).
func (s *server) publishNotice(c echo.Context) error {
	var n readmodel.Notice
	if _, err := s.adminAction(c, "publish the notice", workflows.UpdatePublishNotice, &n); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

// getNotice is public: the 公示 and its explanation are for everyone (R9, R11).
func (s *server) getNotice(c echo.Context) error {
	v, err := s.campaignOf(c)
	if err != nil {
		return err
	}
	var n readmodel.Notice
	if raw := c.QueryParam("version"); raw != "" {
		version, perr := strconv.ParseInt(raw, 10, 64)
		if perr != nil || version < 1 {
			return badRequest("version %q must be a whole number from 1", raw)
		}
		n, err = s.st.NoticeVersion(c.Request().Context(), v.Year, version)
		if errors.Is(err, store.ErrNotFound) {
			return notFound("the notice of %d has no version %d", v.Year, version)
		}
	} else {
		n, err = s.st.Notice(c.Request().Context(), v.Year)
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound("the notice of %d is not published yet", v.Year)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, n)
}

// promote moves the best reserve candidate into a vacancy (R10).
func (s *server) promote(c echo.Context) error {
	var app readmodel.Application
	if _, err := s.adminAction(c, "promote a reserve candidate", workflows.UpdatePromoteReserve, &app); err != nil {
		return err
	}
	return c.JSON(http.StatusOK, app)
}

// ObjectionsResponse lists objections in filing order, a page at a time.
type ObjectionsResponse struct {
	Objections []readmodel.Objection `json:"objections"`
	NextCursor string                `json:"next_cursor,omitempty"`
}

var objectionStatuses = map[string]bool{
	string(domain.ObjectionOpen): true, string(domain.ObjectionUpheld): true,
	string(domain.ObjectionDismissed): true, string(domain.ObjectionMoot): true,
}

// listObjections is for administrators, who decide them; objections carry the
// objector's contact, so other officials do not see them.
func (s *server) listObjections(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "read objections"); err != nil {
		return err
	}
	status := c.QueryParam("status")
	if status != "" && !objectionStatuses[status] {
		return badRequest("status %q must be one of open, upheld, dismissed, moot", status)
	}
	list := fmt.Sprintf("objections %d status=%s", v.Year, status)
	page, err := pageRequest[store.ObjectionKey](s, c, list)
	if err != nil {
		return err
	}
	p, err := s.st.Objections(c.Request().Context(), v.Year, status, page)
	if err != nil {
		return err
	}
	next, err := nextCursor(s, list, p)
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, ObjectionsResponse{Objections: nonNil(p.Items), NextCursor: next})
}

func pathObjectionID(c echo.Context) (string, error) {
	id := c.Param("id")
	if !objectionIDPattern.MatchString(id) {
		return "", badRequest("objection id %q is malformed", id)
	}
	return id, nil
}

func (s *server) getObjection(c echo.Context) error {
	v, a, err := s.officialOf(c)
	if err != nil {
		return err
	}
	if err := domain.CanAdminister(a, "read objections"); err != nil {
		return err
	}
	id, err := pathObjectionID(c)
	if err != nil {
		return err
	}
	o, err := s.st.Objection(c.Request().Context(), v.Year, id)
	if errors.Is(err, store.ErrNotFound) {
		return notFound("objection %s does not exist", id)
	}
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, o)
}

// nonNil makes an empty list encode as [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
