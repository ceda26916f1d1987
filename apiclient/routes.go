package apiclient

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// One method per route of API.md (v1 and v1.1), in its order. Path segments are
// escaped, so a value the API would refuse reaches it as that value, not as another
// path; probes of malformed paths use Do.

// empty is the body of the actions without arguments: {}.
type empty struct{}

// Page asks for one page of a list: at most Limit items (0: the server's default,
// api.DefaultLimit; at most api.MaxLimit) after Cursor, the NextCursor of the previous
// page ("" for the first page).
type Page struct {
	Cursor string
	Limit  int
}

func (p Page) add(q url.Values) {
	if p.Cursor != "" {
		q.Set("cursor", p.Cursor)
	}
	if p.Limit != 0 {
		q.Set("limit", strconv.Itoa(p.Limit))
	}
}

// ApplicationsQuery filters GET applications; empty fields filter nothing.
type ApplicationsQuery struct {
	Prefecture string
	State      domain.State
	Page
}

// TimelineQuery asks for a page of a timeline. After (with no Cursor) starts after the
// event of that seq, which is how a client follows a timeline that grows at its end.
type TimelineQuery struct {
	After *int64
	Page
}

// ObjectionsQuery filters GET objections by status; "" lists all.
type ObjectionsQuery struct {
	Status domain.ObjectionStatus
	Page
}

func campaignPath(year int) string { return fmt.Sprintf("/campaigns/%d", year) }

func applicationPath(year int, county string) string {
	return fmt.Sprintf("/campaigns/%d/applications/%s", year, url.PathEscape(county))
}

func withQuery(path string, q url.Values) string {
	if len(q) == 0 {
		return path
	}
	return path + "?" + q.Encode()
}

func (q TimelineQuery) values() url.Values {
	v := url.Values{}
	if q.After != nil {
		v.Set("after", strconv.FormatInt(*q.After, 10))
	}
	q.Page.add(v)
	return v
}

// CreateCampaign is POST /campaigns (admin, R1): the campaign once it is readable.
func (c *Client) CreateCampaign(ctx context.Context, req api.CreateCampaignRequest) (readmodel.CampaignView, error) {
	var out readmodel.CampaignView
	err := c.call(ctx, http.MethodPost, "/campaigns", req, &out)
	return out, err
}

// Campaign is GET /campaigns/{year}.
func (c *Client) Campaign(ctx context.Context, year int) (readmodel.CampaignView, error) {
	var out readmodel.CampaignView
	err := c.call(ctx, http.MethodGet, campaignPath(year), nil, &out)
	return out, err
}

// CampaignTimeline is a page of GET /campaigns/{year}/timeline, oldest first.
func (c *Client) CampaignTimeline(ctx context.Context, year int, q TimelineQuery) (api.EventsResponse, error) {
	var out api.EventsResponse
	err := c.call(ctx, http.MethodGet, withQuery(campaignPath(year)+"/timeline", q.values()), nil, &out)
	return out, err
}

// RegisterApplication is POST /campaigns/{year}/applications (R2).
func (c *Client) RegisterApplication(ctx context.Context, year int, req api.RegisterRequest) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/applications", req, &out)
	return out, err
}

// Applications is a page of GET /campaigns/{year}/applications.
func (c *Client) Applications(ctx context.Context, year int, q ApplicationsQuery) (api.ApplicationsResponse, error) {
	v := url.Values{}
	if q.Prefecture != "" {
		v.Set("prefecture", q.Prefecture)
	}
	if q.State != "" {
		v.Set("state", string(q.State))
	}
	q.Page.add(v)
	var out api.ApplicationsResponse
	err := c.call(ctx, http.MethodGet, withQuery(campaignPath(year)+"/applications", v), nil, &out)
	return out, err
}

// Application is GET /campaigns/{year}/applications/{county}.
func (c *Client) Application(ctx context.Context, year int, county string) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodGet, applicationPath(year, county), nil, &out)
	return out, err
}

// PutMaterials is PUT …/applications/{county}/materials: deliveries merged into the
// checklist (R6).
func (c *Client) PutMaterials(ctx context.Context, year int, county string, req api.MaterialsRequest) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPut, applicationPath(year, county)+"/materials", req, &out)
	return out, err
}

// Submit is POST …/applications/{county}/submit (R6).
func (c *Client) Submit(ctx context.Context, year int, county string) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, applicationPath(year, county)+"/submit", empty{}, &out)
	return out, err
}

// SelfApply is POST …/applications/{county}/self-apply (R4).
func (c *Client) SelfApply(ctx context.Context, year int, county string, req api.SelfApplyRequest) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, applicationPath(year, county)+"/self-apply", req, &out)
	return out, err
}

// Withdraw is POST …/applications/{county}/withdraw.
func (c *Client) Withdraw(ctx context.Context, year int, county string, req api.WithdrawRequest) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, applicationPath(year, county)+"/withdraw", req, &out)
	return out, err
}

// Score is POST …/applications/{county}/scorecards (R8).
func (c *Client) Score(ctx context.Context, year int, county string, req api.ScoreRequest) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, applicationPath(year, county)+"/scorecards", req, &out)
	return out, err
}

// ApplicationTimeline is a page of GET …/applications/{county}/timeline (R11).
func (c *Client) ApplicationTimeline(ctx context.Context, year int, county string, q TimelineQuery) (api.EventsResponse, error) {
	var out api.EventsResponse
	err := c.call(ctx, http.MethodGet, withQuery(applicationPath(year, county)+"/timeline", q.values()), nil, &out)
	return out, err
}

// Object is POST …/applications/{county}/objections: a public objection (no token,
// rate-limited; R10), answered 202 with its id (that of the first, when folded).
func (c *Client) Object(ctx context.Context, year int, county string, req api.ObjectionRequest) (store.FiledObjection, error) {
	var out store.FiledObjection
	err := c.call(ctx, http.MethodPost, applicationPath(year, county)+"/objections", req, &out)
	return out, err
}

func recommendationPath(year int, prefecture string) string {
	return fmt.Sprintf("%s/prefectures/%s/recommendation", campaignPath(year), url.PathEscape(prefecture))
}

// Recommend is POST /campaigns/{year}/prefectures/{code}/recommendation: the
// prefecture's formal filing (R3, R5).
func (c *Client) Recommend(ctx context.Context, year int, prefecture string, req api.RecommendRequest) (readmodel.RecommendResult, error) {
	var out readmodel.RecommendResult
	err := c.call(ctx, http.MethodPost, recommendationPath(year, prefecture), req, &out)
	return out, err
}

// ValidateRecommendation is the same route with ?validate_only=true: the filing checked
// without being filed (422 over_cap for a list over the cap).
func (c *Client) ValidateRecommendation(ctx context.Context, year int, prefecture string, req api.RecommendRequest) (readmodel.RecommendResult, error) {
	var out readmodel.RecommendResult
	err := c.call(ctx, http.MethodPost, recommendationPath(year, prefecture)+"?validate_only=true", req, &out)
	return out, err
}

// Reinstate is POST /campaigns/{year}/prefectures/{code}/reinstate (R13).
func (c *Client) Reinstate(ctx context.Context, year int, prefecture string, req api.ReasonRequest) (readmodel.CampaignView, error) {
	var out readmodel.CampaignView
	path := fmt.Sprintf("%s/prefectures/%s/reinstate", campaignPath(year), url.PathEscape(prefecture))
	err := c.call(ctx, http.MethodPost, path, req, &out)
	return out, err
}

// Amend is POST /campaigns/{year}/amendments: a correction of the campaign (R13).
func (c *Client) Amend(ctx context.Context, year int, req api.AmendmentRequest) (readmodel.CampaignView, error) {
	var out readmodel.CampaignView
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/amendments", req, &out)
	return out, err
}

// Rank is POST /campaigns/{year}/ranking: the ranking run (R7, R8).
func (c *Client) Rank(ctx context.Context, year int) (domain.Ranking, error) {
	var out domain.Ranking
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/ranking", empty{}, &out)
	return out, err
}

// Ranking is GET /campaigns/{year}/ranking: the ranked cases by where they stand now.
func (c *Client) Ranking(ctx context.Context, year int) (api.RankingResponse, error) {
	var out api.RankingResponse
	err := c.call(ctx, http.MethodGet, campaignPath(year)+"/ranking", nil, &out)
	return out, err
}

// PublishNotice is POST /campaigns/{year}/notice (R9): publicity starts.
func (c *Client) PublishNotice(ctx context.Context, year int) (readmodel.Notice, error) {
	var out readmodel.Notice
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/notice", empty{}, &out)
	return out, err
}

// Notice is GET /campaigns/{year}/notice (public): the current notice for version 0,
// else ?version=N.
func (c *Client) Notice(ctx context.Context, year int, version int64) (readmodel.Notice, error) {
	path := campaignPath(year) + "/notice"
	if version != 0 {
		path += "?version=" + strconv.FormatInt(version, 10)
	}
	var out readmodel.Notice
	err := c.call(ctx, http.MethodGet, path, nil, &out)
	return out, err
}

// Objections is a page of GET /campaigns/{year}/objections (admin), in filing order.
func (c *Client) Objections(ctx context.Context, year int, q ObjectionsQuery) (api.ObjectionsResponse, error) {
	v := url.Values{}
	if q.Status != "" {
		v.Set("status", string(q.Status))
	}
	q.Page.add(v)
	var out api.ObjectionsResponse
	err := c.call(ctx, http.MethodGet, withQuery(campaignPath(year)+"/objections", v), nil, &out)
	return out, err
}

func objectionPath(year int, id string) string {
	return fmt.Sprintf("%s/objections/%s", campaignPath(year), url.PathEscape(id))
}

// Objection is GET /campaigns/{year}/objections/{id} (admin).
func (c *Client) Objection(ctx context.Context, year int, id string) (readmodel.Objection, error) {
	var out readmodel.Objection
	err := c.call(ctx, http.MethodGet, objectionPath(year, id), nil, &out)
	return out, err
}

// Resolve is POST /campaigns/{year}/objections/{id}/resolution (R10).
func (c *Client) Resolve(ctx context.Context, year int, id string, req api.ResolutionRequest) (readmodel.Objection, error) {
	var out readmodel.Objection
	err := c.call(ctx, http.MethodPost, objectionPath(year, id)+"/resolution", req, &out)
	return out, err
}

// Promote is POST /campaigns/{year}/reserve/promote (R10): the promoted application.
func (c *Client) Promote(ctx context.Context, year int) (readmodel.Application, error) {
	var out readmodel.Application
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/reserve/promote", empty{}, &out)
	return out, err
}

// DeclineVacancies is POST /campaigns/{year}/vacancies/decline (R10).
func (c *Client) DeclineVacancies(ctx context.Context, year int, req api.ReasonRequest) (readmodel.CampaignView, error) {
	var out readmodel.CampaignView
	err := c.call(ctx, http.MethodPost, campaignPath(year)+"/vacancies/decline", req, &out)
	return out, err
}

// Designation is GET /campaigns/{year}/designation (public): the final list, 404 until
// the campaign closed.
func (c *Client) Designation(ctx context.Context, year int) (readmodel.Designation, error) {
	var out readmodel.Designation
	err := c.call(ctx, http.MethodGet, campaignPath(year)+"/designation", nil, &out)
	return out, err
}

// RecordDesignationRef is PUT /campaigns/{year}/designation: the document reference of
// the Department's decision on the final list (R10).
func (c *Client) RecordDesignationRef(ctx context.Context, year int, req api.DesignationRequest) (readmodel.Designation, error) {
	var out readmodel.Designation
	err := c.call(ctx, http.MethodPut, campaignPath(year)+"/designation", req, &out)
	return out, err
}
