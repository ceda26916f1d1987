// Package workflows holds the selection process as Temporal workflows: one campaign
// workflow per year that owns every cross-county rule, and one application workflow per
// county that carries the case's own durable state, search attributes and timeline.
package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/guizhou-commerce/selection/domain"
)

// TaskQueue is where the worker polls for every workflow and activity of the product.
const TaskQueue = "selection"

// Workflow type names, fixed so that histories recorded today replay tomorrow.
const (
	CampaignWorkflowName    = "Campaign"
	ApplicationWorkflowName = "Application"
)

// Update names: every official action of API.md is one of these, with a validator.
const (
	UpdateRegister         = "register"
	UpdateMaterials        = "materials"
	UpdateSubmit           = "submit"
	UpdateSelfApply        = "self_apply"
	UpdateRecommend        = "recommend"
	UpdateWithdraw         = "withdraw"
	UpdateScore            = "score"
	UpdateRank             = "rank"
	UpdatePublishNotice    = "publish_notice"
	UpdateObject           = "object"
	UpdateResolveObjection = "resolve_objection"
	UpdatePromoteReserve   = "promote_reserve"
	UpdateDeclineVacancies = "decline_vacancies"
	UpdateAmend            = "amend"
	UpdateReinstate        = "reinstate"
)

// Query names.
const (
	// QueryCampaign returns the CampaignView of the campaign workflow.
	QueryCampaign = "campaign"
	// QueryApplication takes a county code and returns its ApplicationView from the
	// campaign workflow, or the application workflow's own view when asked of it.
	QueryApplication = "application"
	// QueryTimeline returns an application workflow's timeline events.
	QueryTimeline = "timeline"
)

// SignalTransition carries a Transition from the campaign to an application workflow.
const SignalTransition = "transition"

// Search attributes kept current on every workflow (DESIGN.md §4).
var (
	SACampaignYear     = temporal.NewSearchAttributeKeyInt64("CampaignYear")
	SAPrefectureCode   = temporal.NewSearchAttributeKeyKeyword("PrefectureCode")
	SACountyCode       = temporal.NewSearchAttributeKeyKeyword("CountyCode")
	SAApplicationState = temporal.NewSearchAttributeKeyKeyword("ApplicationState")
)

// SearchAttributeTypes lists the custom search attributes with their index types, for
// registration on a Temporal namespace before the first workflow starts.
var SearchAttributeTypes = map[string]enumspb.IndexedValueType{
	SACampaignYear.GetName():     enumspb.INDEXED_VALUE_TYPE_INT,
	SAPrefectureCode.GetName():   enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SACountyCode.GetName():       enumspb.INDEXED_VALUE_TYPE_KEYWORD,
	SAApplicationState.GetName(): enumspb.INDEXED_VALUE_TYPE_KEYWORD,
}

// CampaignID is the workflow ID of a year's campaign.
func CampaignID(year int) string { return fmt.Sprintf("campaign/%d", year) }

// ApplicationID is the workflow ID of a county's application in a year's campaign.
func ApplicationID(year int, county string) string {
	return fmt.Sprintf("application/%d/%s", year, county)
}

// CampaignInput starts a campaign workflow, or continues one as new with Resume set.
type CampaignInput struct {
	Config    domain.Campaign `json:"config"`
	CreatedBy domain.Actor    `json:"created_by"`
	// Limits are fixed when the campaign starts and travel with it, so a worker with
	// other settings replays the same decisions to continue as new.
	Limits Limits `json:"limits,omitempty"`
	// Resume is the state of the previous run after continue-as-new.
	Resume *CampaignState `json:"resume,omitempty"`
}

// DefaultUpdatesPerRun is how many Updates one campaign run accepts before it continues
// as new: half of Temporal's 2,000 distinct Updates per run, so a run always has room
// for the Updates admitted while it drains.
const DefaultUpdatesPerRun = 1000

// DefaultSignalsPerRun bounds the transitions one application run takes in before it
// continues as new; every official action on a case sends one.
const DefaultSignalsPerRun = 1000

// Limits bound a workflow run's history (Temporal allows 2,000 distinct Updates and
// 51,200 events per run): a run continues as new when Temporal suggests it or when it
// reaches these counts. Zero fields take the defaults.
type Limits struct {
	UpdatesPerRun int `json:"updates_per_run,omitempty"`
	SignalsPerRun int `json:"signals_per_run,omitempty"`
}

func (l Limits) withDefaults() Limits {
	if l.UpdatesPerRun <= 0 {
		l.UpdatesPerRun = DefaultUpdatesPerRun
	}
	if l.SignalsPerRun <= 0 {
		l.SignalsPerRun = DefaultSignalsPerRun
	}
	return l
}

// RegisterInput registers a county's application (R2).
type RegisterInput struct {
	Actor      domain.Actor `json:"actor"`
	County     string       `json:"county"`
	ReceivedAt time.Time    `json:"received_at,omitzero"` // the API's receipt (R14)
}

// MaterialsInput merges deliveries into a county's checklist (R6).
type MaterialsInput struct {
	Actor      domain.Actor     `json:"actor"`
	County     string           `json:"county"`
	Items      domain.Materials `json:"items"`
	ReceivedAt time.Time        `json:"received_at,omitzero"` // the API's receipt (R14)
}

// SubmitInput submits a county's application (R6).
type SubmitInput struct {
	Actor      domain.Actor `json:"actor"`
	County     string       `json:"county"`
	ReceivedAt time.Time    `json:"received_at,omitzero"` // the API's receipt (R14)
}

// SelfApplyInput is a directly administered county's own application (R4).
type SelfApplyInput struct {
	Actor       domain.Actor `json:"actor"`
	County      string       `json:"county"`
	DocumentRef string       `json:"document_ref"`
	ReceivedAt  time.Time    `json:"received_at,omitzero"` // the API's receipt (R14)
}

// RecommendInput is a prefecture's ordered filing (R3); ValidateOnly checks it without
// filing, so a console can warn before an over-cap list forfeits.
type RecommendInput struct {
	Actor        domain.Actor `json:"actor"`
	Prefecture   string       `json:"prefecture"`
	Counties     []string     `json:"counties"`
	DocumentRef  string       `json:"document_ref"`
	ValidateOnly bool         `json:"validate_only"`
	ReceivedAt   time.Time    `json:"received_at,omitzero"` // the API's receipt (R14)
}

// WithdrawInput withdraws an application from any non-final state.
type WithdrawInput struct {
	Actor  domain.Actor `json:"actor"`
	County string       `json:"county"`
	Reason string       `json:"reason"`
}

// ScoreInput is one reviewer's scorecard (R8).
type ScoreInput struct {
	Actor    domain.Actor     `json:"actor"`
	County   string           `json:"county"`
	Criteria domain.Scorecard `json:"criteria"`
	Comment  string           `json:"comment"`
}

// AdminInput carries only the actor: ranking, notice and promotion take no arguments.
type AdminInput struct {
	Actor      domain.Actor `json:"actor"`
	ReceivedAt time.Time    `json:"received_at,omitzero"` // the API's receipt (R14)
}

// AmendInput corrects a running campaign (R13). Deadlines are instants the API already
// read in the campaign's time zone; zero leaves a deadline as it is.
type AmendInput struct {
	Actor                  domain.Actor        `json:"actor"`
	Reason                 string              `json:"reason"`
	RecommendationDeadline time.Time           `json:"recommendation_deadline,omitzero"`
	NoticeDeadline         time.Time           `json:"notice_deadline,omitzero"`
	NationalScores         map[string]*float64 `json:"national_scores,omitempty"`
	ExcludedAdd            []string            `json:"excluded_add,omitempty"`
	ExcludedRemove         []string            `json:"excluded_remove,omitempty"`
	ReceivedAt             time.Time           `json:"received_at,omitzero"`
}

// ReinstateInput undoes a prefecture's forfeiture (R13).
type ReinstateInput struct {
	Actor      domain.Actor `json:"actor"`
	Prefecture string       `json:"prefecture"`
	Reason     string       `json:"reason"`
	ReceivedAt time.Time    `json:"received_at,omitzero"`
}

// DeclineInput leaves the open vacancies of the shortlist unfilled (R10).
type DeclineInput struct {
	Actor  domain.Actor `json:"actor"`
	Reason string       `json:"reason"`
}

// ObjectInput is an objection from the public (R10) as campaigns started before
// objections moved to PostgreSQL took it; their runs still accept it.
type ObjectInput struct {
	County  string `json:"county"`
	Reason  string `json:"reason"`
	Contact string `json:"contact"`
}

// ResolveInput is an administrator's decision on an objection (R10).
type ResolveInput struct {
	Actor domain.Actor `json:"actor"`
	ID    string       `json:"id"`
	// County is the objection's county as stored in PostgreSQL, where the API found it.
	County   string `json:"county,omitempty"`
	Decision string `json:"decision"`
	Note     string `json:"note"`
}

// ApplicationInput starts an application workflow; the campaign fills it from the
// reference data at registration.
type ApplicationInput struct {
	Year                 int          `json:"year"`
	County               string       `json:"county"`
	Name                 string       `json:"name"`
	Prefecture           string       `json:"prefecture"`
	DirectlyAdministered bool         `json:"directly_administered"`
	Exempt               bool         `json:"exempt"`
	Registered           Event        `json:"registered"`
	View                 *Application `json:"view"`
	// Limits bound the run before it continues as new.
	Limits Limits `json:"limits,omitempty"`
	// Hold keeps the workflow running in a final state a correction may undo (expired,
	// forfeited, ineligible: R13, R14) until the campaign releases it. Cases started
	// before corrections existed end at every final state.
	Hold bool `json:"hold,omitempty"`
	// Last is the newest timeline event a previous run took in, after continue-as-new;
	// Registered is then the zero event.
	Last *Event `json:"last,omitempty"`
}

// Transition tells an application workflow that its case moved (or an event happened on
// it without a move): the new view and the timeline event that explains it.
type Transition struct {
	View  Application `json:"view"`
	Event Event       `json:"event"`
	// Release tells a case workflow that holds a final state which a correction could
	// still undo (ApplicationInput.Hold) that nothing will undo it now; Event is then the
	// case's newest event again.
	Release bool `json:"release,omitempty"`
}

// Event is one line of a case's timeline (R11). Seq counts per workflow from 1, so
// (WorkflowID, Seq) identifies the event across activity retries.
type Event struct {
	WorkflowID string    `json:"workflow_id"`
	Seq        int64     `json:"seq"`
	At         time.Time `json:"at"`
	Actor      string    `json:"actor"`
	Action     string    `json:"action"`
	From       string    `json:"from"`
	To         string    `json:"to"`
	Rule       string    `json:"rule"`
	Detail     string    `json:"detail"`
}

// MaterialView is one checklist line of an application.
type MaterialView struct {
	Title          string `json:"title"`
	Required       bool   `json:"required"`
	FromPrefecture bool   `json:"from_prefecture,omitempty"`
	Copies         int    `json:"copies"`
	Complete       bool   `json:"complete"`
	DocumentRef    string `json:"document_ref,omitempty"`
}

// MaterialsView is the checklist of §三 as the county sees it (R6).
type MaterialsView struct {
	Items    map[string]MaterialView `json:"items"`
	Missing  []string                `json:"missing"`
	Complete bool                    `json:"complete"`
}

// ScorecardView is one reviewer's card as recorded.
type ScorecardView struct {
	Reviewer string           `json:"reviewer"`
	Criteria domain.Scorecard `json:"criteria"`
	Comment  string           `json:"comment,omitempty"`
	At       time.Time        `json:"at"`
}

// ScoresView gathers what ranks an application (R7, R8).
type ScoresView struct {
	National     *float64           `json:"national"`
	Review       *float64           `json:"review"`
	CriteriaMean map[string]float64 `json:"criteria_mean,omitempty"`
	Scorecards   []ScorecardView    `json:"scorecards"`
}

// Application is the view of one county's case, the "application" object of API.md.
type Application struct {
	Year                 int               `json:"year"`
	County               string            `json:"county"`
	Name                 string            `json:"name"`
	Prefecture           string            `json:"prefecture"`
	DirectlyAdministered bool              `json:"directly_administered"`
	State                domain.State      `json:"state"`
	Exempt               bool              `json:"exempt"`
	Materials            MaterialsView     `json:"materials"`
	RecommendationOrder  *int              `json:"recommendation_order"`
	SelfApplied          bool              `json:"self_applied"`
	Scores               ScoresView        `json:"scores"`
	Rank                 *int              `json:"rank"`
	Total                *float64          `json:"total"`
	Breakdown            *domain.Breakdown `json:"breakdown,omitempty"`
	PublicityEndsAt      *time.Time        `json:"publicity_ends_at,omitempty"`
	UpdatedAt            time.Time         `json:"updated_at"`
	// Version grows with every change of the campaign, so a projection never lets an
	// older snapshot overwrite a newer one.
	Version int64 `json:"version"`
}

// Prefecture is what a prefecture did with its quota (R3, R5).
type Prefecture struct {
	Code        string                  `json:"code"`
	Name        string                  `json:"name"`
	Status      domain.PrefectureStatus `json:"status"`
	Recommended []string                `json:"recommended"`
	DocumentRef string                  `json:"document_ref,omitempty"`
	FiledAt     *time.Time              `json:"filed_at,omitempty"`
	// Forfeiting lists the over-cap filing that forfeited the prefecture.
	Forfeiting []string `json:"forfeiting,omitempty"`
}

// RecommendResult answers a filing: the prefecture as it now stands (or would stand,
// when ValidateOnly).
type RecommendResult struct {
	Prefecture
	ValidateOnly bool `json:"validate_only"`
}

// Deadlines are the campaign's dates as configured (R1).
type Deadlines struct {
	Recommendation  time.Time  `json:"recommendation"`
	Notice          time.Time  `json:"notice"`
	PublicityPeriod string     `json:"publicity_period"`
	PublicityEndsAt *time.Time `json:"publicity_ends_at,omitempty"`
	// TimeZone is the zone whose days date deadlines and day periods count (R14).
	TimeZone string `json:"time_zone,omitempty"`
}

// CampaignView is the "campaign" object of API.md.
type CampaignView struct {
	Year              int                  `json:"year"`
	Province          string               `json:"province"`
	Phase             domain.Phase         `json:"phase"`
	Overdue           bool                 `json:"overdue"`
	Quota             int                  `json:"quota"`
	PrefectureCap     int                  `json:"prefecture_cap"`
	Deadlines         Deadlines            `json:"deadlines"`
	Counts            map[domain.State]int `json:"counts"`
	Prefectures       []Prefecture         `json:"prefectures"`
	Excluded          []string             `json:"excluded"`
	NationalScores    map[string]float64   `json:"national_scores"`
	Weights           domain.Weights       `json:"weights"`
	NoticePublishedAt *time.Time           `json:"notice_published_at,omitempty"`
	// ObjectionsInStore tells the API that this campaign keeps public objections in
	// PostgreSQL; campaigns started before took them as workflow Updates.
	ObjectionsInStore bool `json:"objections_in_store,omitempty"`
	// Vacancies are the places of the quota nobody holds and nobody declined (R10);
	// Declined the places an administrator chose to leave unfilled.
	Vacancies int       `json:"vacancies"`
	Declined  int       `json:"declined"`
	UpdatedAt time.Time `json:"updated_at"`
	Version   int64     `json:"version"`
}

// NoticeEntry is one line of the public notice (R9, R11).
type NoticeEntry struct {
	County          string           `json:"county"`
	Name            string           `json:"name"`
	Prefecture      string           `json:"prefecture"`
	Rank            int              `json:"rank"`
	Total           float64          `json:"total"`
	Breakdown       domain.Breakdown `json:"breakdown"`
	PublicityEndsAt time.Time        `json:"publicity_ends_at"`
	Promoted        bool             `json:"promoted"`
	// Status is where the county stands: shortlisted, designated, removed or withdrawn.
	Status string `json:"status,omitempty"`
}

// Notice is the published 公示 (R9): the shortlist with its explanation.
type Notice struct {
	Year            int           `json:"year"`
	PublishedAt     time.Time     `json:"published_at"`
	PublicityEndsAt time.Time     `json:"publicity_ends_at"`
	Late            bool          `json:"late"`
	Shortlist       []NoticeEntry `json:"shortlist"`
	Text            string        `json:"text"`
	Version         int64         `json:"version"`
}

// Objection is an objection against a shortlisted county (R10).
type Objection struct {
	ID         string                 `json:"id"`
	Year       int                    `json:"year"`
	County     string                 `json:"county"`
	Reason     string                 `json:"reason"`
	Contact    string                 `json:"contact,omitempty"`
	Status     domain.ObjectionStatus `json:"status"`
	Note       string                 `json:"note,omitempty"`
	ResolvedBy string                 `json:"resolved_by,omitempty"`
	FiledAt    time.Time              `json:"filed_at"`
	ResolvedAt *time.Time             `json:"resolved_at,omitempty"`
	Version    int64                  `json:"version"`
	// Copies counts identical filings folded into this one.
	Copies int `json:"copies,omitempty"`
}

// DesignationEntry is one county of the final list (R10).
type DesignationEntry struct {
	County     string `json:"county"`
	Name       string `json:"name"`
	Prefecture string `json:"prefecture"`
	Rank       int    `json:"rank"`
	Promoted   bool   `json:"promoted"`
}

// Designation is the public final list, published when the campaign closes (R10); the
// administrator records the Department's document reference on it afterwards.
type Designation struct {
	Year        int                `json:"year"`
	ClosedAt    time.Time          `json:"closed_at"`
	DocumentRef *string            `json:"document_ref"`
	Designated  []DesignationEntry `json:"designated"`
	NotSelected []DesignationEntry `json:"not_selected"`
}

// Projection is one batch of changes for the read model: snapshots carry versions, events
// carry (workflow, seq), so applying a batch twice or out of order changes nothing.
type Projection struct {
	Year         int           `json:"year"`
	Campaign     *CampaignView `json:"campaign,omitempty"`
	Applications []Application `json:"applications,omitempty"`
	Events       []Event       `json:"events,omitempty"`
	Objections   []Objection   `json:"objections,omitempty"`
	// Designation is set once, by the batch that closes a campaign (R10 as revised).
	Designation *Designation `json:"designation,omitempty"`
}

// ObjectResult is the answer to an objection from the public.
type ObjectResult struct {
	ID string `json:"id"`
}

// CountObjectionsInput asks for a county's objections when its publicity ends (R10).
type CountObjectionsInput struct {
	Year   int    `json:"year"`
	County string `json:"county"`
	// Ends is the end of the county's publicity period: the store refuses to count
	// before its own clock has passed it, so no objection accepted in the period is
	// left out.
	Ends time.Time `json:"ends"`
}

// ObjectionCount is what the store holds about a county's objections.
type ObjectionCount struct {
	Open   int `json:"open"`
	Upheld int `json:"upheld"`
}

// ResolveObjectionInput records an administrator's decision on an objection kept in
// PostgreSQL (R10). Version is the campaign revision of the decision, so a retried
// activity recognises its own earlier write.
type ResolveObjectionInput struct {
	Year       int       `json:"year"`
	ID         string    `json:"id"`
	County     string    `json:"county"`
	Decision   string    `json:"decision"`
	Note       string    `json:"note"`
	ResolvedBy string    `json:"resolved_by"`
	At         time.Time `json:"at"`
	Version    int64     `json:"version"`
}

// Activity names. Workflows call activities by name so this package does not import the
// activities package (which imports the types above); worker.Register binds the names.
const (
	ActivityProject          = "Project"
	ActivityPublishNotice    = "PublishNotice"
	ActivityCountObjections  = "CountObjections"
	ActivityResolveObjection = "ResolveObjection"
)
