package workflows

// The campaign workflow's entry: its state, CampaignWorkflow, the registration of its
// handlers and the run that ends in continue-as-new or the closed campaign.

import (
	"fmt"
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// activityOptions apply to every activity the workflows run. Retries are unlimited
// with a capped backoff: a write to the system of record must land eventually, even
// after PostgreSQL was down for an hour, and the activities are idempotent. A write
// takes milliseconds; the short StartToCloseTimeout bounds how long an Update waits
// when the worker running its write died (Temporal retries only after the timeout).
var activityOptions = workflow.ActivityOptions{
	StartToCloseTimeout: 10 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    time.Second,
		BackoffCoefficient: 2,
		MaximumInterval:    time.Minute,
	},
}

// acts names the activities by method value; the nil receiver is never called, the
// worker registers a real *activities.Activities under the same method names.
var acts *activities.Activities

// CaseRecord is the campaign's authoritative record of one county's case. Its fields are
// exported because the record travels in CampaignState across continue-as-new.
type CaseRecord struct {
	Div         domain.Division                    `json:"div"`
	State       domain.State                       `json:"state"`
	Exempt      bool                               `json:"exempt"`
	Materials   domain.Materials                   `json:"materials"`
	DocumentRef string                             `json:"document_ref"` // item 1, from the prefecture's filing (R6)
	Order       int                                `json:"order"`        // 1-based position in the prefecture's filing; 0 when none
	SelfApplied bool                               `json:"self_applied"`
	Cards       map[string]readmodel.ScorecardView `json:"cards"`
	Rank        int                                `json:"rank"`
	Breakdown   *domain.Breakdown                  `json:"breakdown"`
	Publicity   time.Time                          `json:"publicity"` // end of this county's publicity period (R10)
	Promoted    bool                               `json:"promoted"`
	// Settled is set once the county's publicity end was processed, so a new run after
	// continue-as-new does not wait for that timer again.
	Settled bool `json:"settled"`
	// Upheld and Open count the county's objections kept in PostgreSQL (R10): Upheld as
	// administrators decide them, Open from the count taken when the publicity ended
	// (no objection can be filed after it) minus the decisions since.
	Upheld int `json:"upheld"`
	Open   int `json:"open"`
	// Held is set while the case's workflow holds final states a correction may undo
	// (ApplicationInput.Hold), until the campaign releases it.
	Held bool `json:"held,omitempty"`
	// BeforeIneligible is the state a case had when a correction excluded its county
	// (R13), so removing the county from the list again gives the case back.
	BeforeIneligible domain.State `json:"before_ineligible,omitempty"`
	Seq              int64        `json:"seq"`
	Version          int64        `json:"version"`
	UpdatedAt        time.Time    `json:"updated_at"`
}

// CampaignState is everything the campaign workflow decided so far. It is the whole
// state a new run needs after continue-as-new, so it holds no futures or channels.
type CampaignState struct {
	Phase       domain.Phase                     `json:"phase"`
	Overdue     bool                             `json:"overdue"`
	Apps        map[string]*CaseRecord           `json:"apps"`
	Prefectures map[string]*readmodel.Prefecture `json:"prefectures"`
	Ranked      bool                             `json:"ranked"`
	Notice      *readmodel.Notice                `json:"notice,omitempty"`
	// Objections are those filed as Updates by runs before objections moved to
	// PostgreSQL; new campaigns never add to it.
	Objections map[string]*readmodel.Objection `json:"objections,omitempty"`
	ObjSeq     int                             `json:"obj_seq,omitempty"`
	// NoticeDeadlineDone records that the notice deadline was handled (R9).
	NoticeDeadlineDone bool      `json:"notice_deadline_done,omitempty"`
	Rev                int64     `json:"rev"`
	Seq                int64     `json:"seq"`
	UpdatedAt          time.Time `json:"updated_at"`
	// ObjectionsInStore is set on campaigns started since public objections live in
	// PostgreSQL (objectionsChange): the workflow then counts a county's objections
	// when its publicity ends instead of taking each as an Update.
	ObjectionsInStore bool `json:"objections_in_store,omitempty"`
	// EndGame is set on campaigns started since R10 as revised (endGameChange).
	EndGame bool `json:"end_game,omitempty"`
	// TimeRules is set on campaigns started since R14 (timeRulesChange): a deadline of
	// whole seconds covers that whole second.
	TimeRules bool `json:"time_rules,omitempty"`
	// Declined counts the vacancies an administrator chose to leave unfilled (R10).
	Declined int `json:"declined,omitempty"`
	// NoticeVersion numbers the versions of the notice, 1 for the first (R10).
	NoticeVersion int64 `json:"notice_version,omitempty"`
	// Runs counts the runs of this campaign, the first being 1.
	Runs int `json:"runs"`
	// Reopenable is set on campaigns started since corrections (reopenableChange): their
	// case workflows hold undoable final states until Released.
	Reopenable bool `json:"reopenable,omitempty"`
	// Released is set once no correction or late receipt can reopen a case any more.
	Released bool `json:"released,omitempty"`
	// Swept is what the recommendation deadline changed (R5), so an act the API received
	// in time but the workflow processed after the deadline can still count (R14).
	Swept *Sweep `json:"swept,omitempty"`
	// Forfeits keeps, per forfeited prefecture, what its forfeiture ended, so a
	// reinstatement can give it back (R13).
	Forfeits map[string]*Forfeit `json:"forfeits,omitempty"`
}

// Sweep records the recommendation deadline's effect: each moved case's state before it,
// and the prefectures it declared to have given up.
type Sweep struct {
	Cases  map[string]domain.State `json:"cases"`
	GaveUp map[string]bool         `json:"gave_up"`
}

// Forfeit records what a prefecture had before its over-cap filing forfeited it (R3):
// its status and list, and each ended case's state and place in that list.
type Forfeit struct {
	Status      domain.PrefectureStatus `json:"status"`
	Recommended []string                `json:"recommended"`
	DocumentRef string                  `json:"document_ref,omitempty"`
	FiledAt     *time.Time              `json:"filed_at,omitempty"`
	Cases       map[string]CaseBefore   `json:"cases"`
}

// CaseBefore is a case's state and recommendation before a forfeiture ended it.
type CaseBefore struct {
	State       domain.State `json:"state"`
	Order       int          `json:"order,omitempty"`
	DocumentRef string       `json:"document_ref,omitempty"`
}

// campaign is the state of the campaign workflow. It is the single writer of every
// case's state: one workflow serialises all updates, which makes the per-prefecture
// quota (R3) and the shortlist (R10) atomic without locks.
type campaign struct {
	CampaignState
	cfg domain.Campaign
	// id is this workflow's ID: the year's alone for campaigns started before several
	// provinces shared a deployment, CampaignID for later ones.
	id        string
	limits    Limits
	divs      *domain.Divisions
	createdBy domain.Actor
	pending   pending
	busy      int // timer-driven work and projections in flight; a run may not end before they finish
	// settling holds the counties whose objections are being counted, so a second
	// timer of the same instant does not settle them twice.
	settling map[string]bool
	// timers holds the publicity ends this run waits for, so no period is waited for
	// twice (a resumed run and a handler of its first task may both start one).
	timers  map[int64]bool
	updates int // Updates this run accepted, bounded by limits.UpdatesPerRun
	// fast is set on runs since fastUpdatesChange. A flush then asks the flusher, which
	// writes everything pending in one local activity for all the flushes of a workflow
	// task at once (flushAsked counts the flushes asked for, flushDone those a landed
	// write covered; flushErr ends every waiting flush); a registration answers before
	// its case workflow's start is known; and a case's signals leave one after the other
	// (sent holds, per case, its start or its last signal's delivery) and are delivered
	// before the run ends.
	fast                  bool
	flushAsked, flushDone int64
	flushErr              error
	sent                  map[string]workflow.Future
	// draining is set once the run stops taking new work: the campaign closed or the run
	// is full. Validators then refuse every Update as handing over (HandingOver), which
	// the API retries on the next run, so the run's drain ends with the handlers it
	// already accepted however many Updates keep arriving.
	draining bool
	// resweep holds the cases and prefectures an act received in time reopened after the
	// recommendation deadline; the next flush applies the deadline to them again (R14).
	resweep resweep
}

// CampaignWorkflow runs one year's selection from the opening of applications to the
// designation of the winners (DESIGN.md §3). A long campaign is a chain of runs: each
// continues as new with its whole state before Temporal's per-run limits.
func CampaignWorkflow(ctx workflow.Context, in CampaignInput) (readmodel.CampaignView, error) {
	divs, err := domain.ReferenceFor(in.Config)
	if err != nil {
		return readmodel.CampaignView{}, toApplicationError(err)
	}
	c := &campaign{
		cfg:       in.Config,
		id:        workflow.GetInfo(ctx).WorkflowExecution.ID,
		limits:    in.Limits.withDefaults(),
		divs:      divs,
		createdBy: in.CreatedBy,
		pending:   newPending(),
		settling:  map[string]bool{},
		sent:      map[string]workflow.Future{},
		timers:    map[int64]bool{},
	}
	if err := c.cfg.Validate(c.divs); err != nil {
		return readmodel.CampaignView{}, toApplicationError(err)
	}
	if in.Resume != nil {
		c.CampaignState = *in.Resume
		c.Runs++
	} else {
		c.CampaignState = CampaignState{
			Phase: domain.PhaseOpen, Apps: map[string]*CaseRecord{}, Prefectures: map[string]*readmodel.Prefecture{},
			Objections: map[string]*readmodel.Objection{}, Runs: 1,
			ObjectionsInStore: workflow.GetVersion(ctx, objectionsChange, workflow.DefaultVersion, 1) == 1,
			EndGame:           workflow.GetVersion(ctx, endGameChange, workflow.DefaultVersion, 1) == 1,
			TimeRules:         workflow.GetVersion(ctx, timeRulesChange, workflow.DefaultVersion, 1) == 1,
			Reopenable:        workflow.GetVersion(ctx, reopenableChange, workflow.DefaultVersion, 1) == 1,
		}
		for _, p := range c.divs.Prefectures(c.cfg.Province) {
			c.Prefectures[p.Code] = &readmodel.Prefecture{Code: p.Code, Name: p.Name, Status: domain.PrefectureOpen, Recommended: []string{}}
		}
	}
	if c.Objections == nil {
		c.Objections = map[string]*readmodel.Objection{}
	}
	c.cfg.TimeRules = c.TimeRules // every rule that reads a deadline gets it with the config
	// Decided per run, so a campaign recorded before the change takes it up when it
	// next continues as new.
	c.fast = workflow.GetVersion(ctx, fastUpdatesChange, workflow.DefaultVersion, 1) == 1
	if err := c.setup(ctx); err != nil {
		return readmodel.CampaignView{}, err
	}
	if c.fast {
		workflow.Go(ctx, c.flusher)
	}
	return c.run(ctx, in.Resume != nil)
}

// setup registers every handler before the first blocking call, so no Update or Query
// that arrives with the first workflow task is lost.
func (c *campaign) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryCampaign, func() (readmodel.CampaignView, error) { return c.view(), nil }); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryApplication, func(county string) (readmodel.Application, error) {
		a, ok := c.Apps[county]
		if !ok {
			return readmodel.Application{}, toApplicationError(notRegistered(county))
		}
		return c.appView(a), nil
	}); err != nil {
		return err
	}
	for _, err := range []error{
		setUpdate(ctx, c, UpdateRegister, c.checkRegister, c.register),
		setUpdate(ctx, c, UpdateMaterials, c.checkMaterials, c.deliverMaterials),
		setUpdate(ctx, c, UpdateSubmit, c.checkSubmit, c.submit),
		setUpdate(ctx, c, UpdateSelfApply, c.checkSelfApply, c.selfApply),
		setUpdate(ctx, c, UpdateRecommend, c.checkRecommend, c.recommend),
		setUpdate(ctx, c, UpdateWithdraw, c.checkWithdraw, c.withdraw),
		setUpdate(ctx, c, UpdateScore, c.checkScore, c.score),
		setUpdate(ctx, c, UpdateRank, c.checkRank, c.rankCandidates),
		setUpdate(ctx, c, UpdatePublishNotice, c.checkNotice, c.publishNotice),
		setUpdate(ctx, c, UpdateObject, c.checkObject, c.object),
		setUpdate(ctx, c, UpdateResolveObjection, c.checkResolve, c.resolve),
		setUpdate(ctx, c, UpdatePromoteReserve, c.checkPromote, c.promote),
		setUpdate(ctx, c, UpdateDeclineVacancies, c.checkDecline, c.declineVacancies),
		setUpdate(ctx, c, UpdateAmend, c.checkAmend, c.amend),
		setUpdate(ctx, c, UpdateReinstate, c.checkReinstate, c.reinstate),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

func (c *campaign) run(ctx workflow.Context, resumed bool) (readmodel.CampaignView, error) {
	if !resumed {
		if err := workflow.UpsertTypedSearchAttributes(ctx, SACampaignYear.ValueSet(int64(c.cfg.Year))); err != nil {
			return readmodel.CampaignView{}, err
		}
		c.touch(ctx)
		c.campaignEvent(ctx, c.createdBy, "campaign_opened", "", string(domain.PhaseOpen), "R1",
			fmt.Sprintf("quota %d, %d per prefecture; %s; %s", c.cfg.Quota, c.cfg.PrefectureCap,
				domain.DeadlineLabel("recommendation deadline", c.cfg.RecommendationDeadline), domain.DeadlineLabel("notice deadline", c.cfg.NoticeDeadline)))
		if err := c.flush(ctx); err != nil {
			return readmodel.CampaignView{}, err
		}
	} else {
		workflow.GetLogger(ctx).Info("campaign continued as new", "year", c.cfg.Year, "run", c.Runs, "phase", c.Phase)
		c.resumePublicity(ctx)
	}
	var failed error
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := c.deadlines(ctx); err != nil {
			failed = err
		}
	})
	if err := workflow.Await(ctx, func() bool { return c.Phase == domain.PhaseClosed || failed != nil || c.runIsFull(ctx) }); err != nil {
		return readmodel.CampaignView{}, err
	}
	if failed != nil {
		return readmodel.CampaignView{}, failed
	}
	// Every handler finishes (and every projection lands) before the run ends, so no
	// accepted Update is lost; Updates that arrive meanwhile are refused as handing
	// over, and the API sends them again to the next run.
	c.draining = true
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && c.busy == 0 }); err != nil {
		return readmodel.CampaignView{}, err
	}
	if c.Phase != domain.PhaseClosed {
		return readmodel.CampaignView{}, workflow.NewContinueAsNewError(ctx, CampaignWorkflowName, CampaignInput{
			Config: c.cfg, CreatedBy: c.createdBy, Limits: c.limits, Resume: &c.CampaignState,
		})
	}
	return c.view(), nil
}

// runIsFull reports that this run should hand over to a new one: Temporal suggests it
// (history events or bytes past its thresholds) or the run accepted its share of
// Updates.
func (c *campaign) runIsFull(ctx workflow.Context) bool {
	return c.updates >= c.limits.UpdatesPerRun || workflow.GetInfo(ctx).GetContinueAsNewSuggested()
}

// counties lists registered counties by code, the deterministic order of every sweep.
func (c *campaign) counties() []string { return domain.SortedCodes(c.Apps) }

func (c *campaign) app(county string) (*CaseRecord, error) {
	a, ok := c.Apps[county]
	if !ok {
		return nil, notRegistered(county)
	}
	return a, nil
}

func notRegistered(county string) error {
	return &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("county %s has no application in this campaign", county)}
}
