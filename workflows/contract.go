// Package workflows holds the selection process as Temporal workflows: one campaign
// workflow per province and year that owns every cross-county rule, and one application workflow per
// county that carries the case's own durable state, search attributes and timeline.
package workflows

import (
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
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
	// QueryApplication takes a county code and returns that county's Application as the
	// campaign workflow, which decides every case, holds it.
	QueryApplication = "application"
	// QueryCase takes no argument and returns an application workflow's own view of its
	// case, as the campaign last signalled it.
	QueryCase = "case"
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

// CampaignID is the workflow ID of a province's campaign of a year. Campaigns started
// before one deployment served several provinces keep the year's ID alone
// ("campaign/2016"); the read model holds each campaign's ID (CampaignView.WorkflowID),
// so callers address a campaign by what it was started with.
func CampaignID(province string, year int) string {
	return fmt.Sprintf("campaign/%s/%d", province, year)
}

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
	Year                 int                    `json:"year"`
	County               string                 `json:"county"`
	Name                 string                 `json:"name"`
	Prefecture           string                 `json:"prefecture"`
	DirectlyAdministered bool                   `json:"directly_administered"`
	Exempt               bool                   `json:"exempt"`
	Registered           readmodel.Event        `json:"registered"`
	View                 *readmodel.Application `json:"view"`
	// Limits bound the run before it continues as new.
	Limits Limits `json:"limits,omitempty"`
	// Hold keeps the workflow running in a final state a correction may undo (expired,
	// forfeited, ineligible: R13, R14) until the campaign releases it. Cases started
	// before corrections existed end at every final state.
	Hold bool `json:"hold,omitempty"`
	// Last is the newest timeline event a previous run took in, after continue-as-new;
	// Registered is then the zero event.
	Last *readmodel.Event `json:"last,omitempty"`
}

// Transition tells an application workflow that its case moved (or an event happened on
// it without a move): the new view and the timeline event that explains it.
type Transition struct {
	View  readmodel.Application `json:"view"`
	Event readmodel.Event       `json:"event"`
	// Release tells a case workflow that holds a final state which a correction could
	// still undo (ApplicationInput.Hold) that nothing will undo it now; Event is then the
	// case's newest event again.
	Release bool `json:"release,omitempty"`
}

// ObjectResult is the answer to an objection from the public.
type ObjectResult struct {
	ID string `json:"id"`
}
