// Package readmodel holds what the product shows and stores: the views of a campaign and
// of each county's case, the timeline events, the notice, objections and the final list,
// and the projection batches that carry them from the workflows to PostgreSQL. The
// workflows compute these values, the activities write them, the store serves them, and
// the API and console return them, so none of those needs another's code to share them.
//
// The JSON shapes are part of recorded workflow histories (projection batches, Update
// results, continue-as-new state): a field may be added, never renamed or retyped.
package readmodel

import (
	"time"

	"github.com/guizhou-commerce/selection/domain"
)

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
	Year     int    `json:"year"`
	Province string `json:"province"`
	// WorkflowID is the campaign workflow's ID, which Updates address. Campaigns started
	// before several provinces shared a deployment have the year's ID alone
	// ("campaign/2016"), later ones name the province too (workflows.CampaignID); the
	// store keeps it beside the view, so the API never rebuilds it.
	WorkflowID string `json:"workflow_id,omitempty"`
	// Edition, Department and Contact are the campaign's reference data and the notice's
	// signature and objections office (empty for campaigns recorded before they were
	// configurable, which use the province's defaults).
	Edition    string `json:"edition,omitempty"`
	Department string `json:"department,omitempty"`
	Contact    string `json:"contact,omitempty"`
	// FromYear and Carried tell where a copied campaign came from and which of that
	// year's designated counties it excluded (R1, R2).
	FromYear int      `json:"from_year,omitempty"`
	Carried  []string `json:"carried,omitempty"`
	// DirectlyAdministered is the notice's list of counties applying on their own
	// (R4), when the campaign names one in place of the reference data's flags.
	DirectlyAdministered []string             `json:"directly_administered,omitempty"`
	Phase                domain.Phase         `json:"phase"`
	Overdue              bool                 `json:"overdue"`
	Quota                int                  `json:"quota"`
	PrefectureCap        int                  `json:"prefecture_cap"`
	Deadlines            Deadlines            `json:"deadlines"`
	Counts               map[domain.State]int `json:"counts"`
	Prefectures          []Prefecture         `json:"prefectures"`
	Excluded             []string             `json:"excluded"`
	NationalScores       map[string]float64   `json:"national_scores"`
	Weights              domain.Weights       `json:"weights"`
	NoticePublishedAt    *time.Time           `json:"notice_published_at,omitempty"`
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
	Year int `json:"year"`
	// Province keys the notice with Year; empty only in notices recorded before a
	// deployment served several provinces (the store then takes the campaign's).
	Province        string        `json:"province,omitempty"`
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
	Year int `json:"year"`
	// Province keys the final list with Year, as it does the notice.
	Province    string             `json:"province,omitempty"`
	ClosedAt    time.Time          `json:"closed_at"`
	DocumentRef *string            `json:"document_ref"`
	Designated  []DesignationEntry `json:"designated"`
	NotSelected []DesignationEntry `json:"not_selected"`
}

// Projection is one batch of changes for the read model: snapshots carry versions, events
// carry (workflow, seq), so applying a batch twice or out of order changes nothing.
type Projection struct {
	Year int `json:"year"`
	// Province names the campaign the batch belongs to with Year; it is empty in batches
	// recorded before a deployment served several provinces, whose campaign is the one
	// whose workflow ID is the year's alone.
	Province     string        `json:"province,omitempty"`
	Campaign     *CampaignView `json:"campaign,omitempty"`
	Applications []Application `json:"applications,omitempty"`
	Events       []Event       `json:"events,omitempty"`
	Objections   []Objection   `json:"objections,omitempty"`
	// Designation is set once, by the batch that closes a campaign (R10 as revised).
	Designation *Designation `json:"designation,omitempty"`
}

// ObjectionCount is what the store holds about a county's objections.
type ObjectionCount struct {
	Open   int `json:"open"`
	Upheld int `json:"upheld"`
}

// ObjectionDecision records an administrator's decision on an objection kept in
// PostgreSQL (R10). Version is the campaign revision of the decision, so a retried
// activity recognises its own earlier write.
type ObjectionDecision struct {
	Year       int       `json:"year"`
	ID         string    `json:"id"`
	County     string    `json:"county"`
	Decision   string    `json:"decision"`
	Note       string    `json:"note"`
	ResolvedBy string    `json:"resolved_by"`
	At         time.Time `json:"at"`
	Version    int64     `json:"version"`
}
