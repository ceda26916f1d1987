package workflows

import (
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
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

// pending collects what changed since the last projection.
type pending struct {
	Apps        map[string]bool
	Objections  map[string]bool
	events      []readmodel.Event
	designation *readmodel.Designation
}

func newPending() pending {
	return pending{Apps: map[string]bool{}, Objections: map[string]bool{}}
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
	cfg       domain.Campaign
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
	// resweep holds the cases and prefectures an act received in time reopened after the
	// recommendation deadline; the next flush applies the deadline to them again (R14).
	resweep resweep
}

// objectionsChange names the change that moved public objections out of the workflow
// into PostgreSQL (counted per county when its publicity ends). Runs recorded before it
// keep taking objections as Updates.
const objectionsChange = "objections-in-postgres"

// timeRulesChange names R14's reading of deadlines (domain.BeforeDeadline): an act at
// 23:59:59.5 is in time for a deadline of 23:59:59. Runs recorded before it refused it.
const timeRulesChange = "r14-time-rules"

// reopenableChange names the change that keeps a case workflow open in a final state a
// correction may undo, until the campaign releases it (R13, R14). Runs recorded before
// it start case workflows that end at every final state, and release nothing.
const reopenableChange = "r13-reopenable-cases"

// CampaignWorkflow runs one year's selection from the opening of applications to the
// designation of the winners (DESIGN.md §3). A long campaign is a chain of runs: each
// continues as new with its whole state before Temporal's per-run limits.
func CampaignWorkflow(ctx workflow.Context, in CampaignInput) (readmodel.CampaignView, error) {
	c := &campaign{
		cfg:       in.Config,
		limits:    in.Limits.withDefaults(),
		divs:      domain.Guizhou2016(),
		createdBy: in.CreatedBy,
		pending:   newPending(),
		settling:  map[string]bool{},
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
	if err := c.setup(ctx); err != nil {
		return readmodel.CampaignView{}, err
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

// setUpdate registers an Update whose validator and handler run the same check: the
// validator refuses without a trace in history, and the handler checks again because
// another update may have changed the state between validation and execution. An act
// received in time but processed after the recommendation deadline is checked against
// the cases as the deadline found them (beginLate, R14); the validator puts them back
// before it returns, so it changes nothing.
func setUpdate[In, Out any](ctx workflow.Context, c *campaign, name string, check func(workflow.Context, In) error, handle func(workflow.Context, In) (Out, error)) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in In) (Out, error) {
			var zero Out
			r, at, late, err := c.beginLate(ctx, in)
			if err != nil {
				return zero, toApplicationError(err)
			}
			if err := check(ctx, in); err != nil {
				if late {
					c.undo(r)
				}
				return zero, toApplicationError(err)
			}
			if v, ok := any(in).(interface{ validateOnly() bool }); late && ok && v.validateOnly() {
				defer c.undo(r)
			} else if late {
				c.commitReopen(ctx, r, any(in).(timedAct).actor(), at)
			}
			c.updates++
			out, err := handle(ctx, in)
			return out, toApplicationError(err)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in In) error {
			r, _, late, err := c.beginLate(ctx, in)
			if err != nil {
				return toApplicationError(err)
			}
			if late {
				defer c.undo(r)
			}
			return toApplicationError(check(ctx, in))
		}})
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
	// accepted Update is lost; Updates admitted meanwhile are retried by Temporal on
	// the next run.
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

// resumePublicity starts again the timers of the publicity periods a previous run was
// waiting for (R10).
func (c *campaign) resumePublicity(ctx workflow.Context) {
	for _, county := range c.counties() {
		a := c.Apps[county]
		// A county ranked but not yet in a published notice has no period yet.
		if a.State == domain.StateShortlisted && !a.Publicity.IsZero() && !a.Settled {
			c.startPublicity(ctx, a.Publicity)
		}
	}
}

// graceAfterDeadline is how long after a deadline its timer fires. A deadline instant is
// itself still in time (domain.BeforeDeadline), so the timer waits for the next second.
const graceAfterDeadline = time.Second

// deadlines waits for the two dates of §一(四) as durable timers: nobody needs to be
// online when they fall due (R5, R9). A correction may move a deadline that has not
// passed (R13); the wait then starts again for the new instant.
func (c *campaign) deadlines(ctx workflow.Context) error {
	if c.Phase == domain.PhaseOpen {
		if err := c.awaitDeadline(ctx, "recommendation deadline", func() time.Time { return c.cfg.RecommendationDeadline }); err != nil {
			return err
		}
		if err := c.working(ctx, c.onRecommendationDeadline); err != nil {
			return err
		}
	}
	if c.NoticeDeadlineDone {
		return nil
	}
	if err := c.awaitDeadline(ctx, "notice deadline", func() time.Time { return c.cfg.NoticeDeadline }); err != nil {
		return err
	}
	return c.working(ctx, c.onNoticeDeadline)
}

// awaitDeadline blocks until the deadline that current returns has passed, on a durable
// timer labelled for the Web UI. When an amendment moves the deadline the timer is
// cancelled and a new one, with the new label, starts (R13). Until then it issues the
// same single timer as before corrections existed, so recorded histories replay.
func (c *campaign) awaitDeadline(ctx workflow.Context, what string, current func() time.Time) error {
	for {
		at := current()
		d := at.Add(graceAfterDeadline).Sub(workflow.Now(ctx))
		if d <= 0 {
			return nil
		}
		opts := workflow.AwaitOptions{Timeout: d, TimerOptions: workflow.TimerOptions{Summary: c.deadlineSummary(what, at)}}
		if _, err := workflow.AwaitWithOptions(ctx, opts, func() bool { return !current().Equal(at) }); err != nil {
			return err
		}
	}
}

// sleepUntil blocks until t on a durable timer labelled for the Web UI; a time already
// past returns at once, which is how a restarted campaign catches up.
func sleepUntil(ctx workflow.Context, t time.Time, summary string) error {
	d := t.Sub(workflow.Now(ctx))
	if d <= 0 {
		return nil
	}
	return workflow.NewTimerWithOptions(ctx, d, workflow.TimerOptions{Summary: summary}).Get(ctx, nil)
}

// deadlineSummary names a deadline timer: the day the notice names, and the instant in
// the campaign's zone, which is what a compressed demo's deadline differs in.
func (c *campaign) deadlineSummary(what string, at time.Time) string {
	return fmt.Sprintf("%s (%s)", domain.DeadlineLabel(what, at), at.In(c.cfg.Location()).Format(time.RFC3339))
}

// working runs timer-driven work that a run must finish before it continues as new.
func (c *campaign) working(ctx workflow.Context, fn func(workflow.Context) error) error {
	c.busy++
	defer func() { c.busy-- }()
	return fn(ctx)
}

// onRecommendationDeadline applies R5: the recommended go to review, everything else
// expires, and a prefecture that filed nothing has given up. It records what it changed
// (Sweep), so an act received in time and processed after it still counts (R14).
func (c *campaign) onRecommendationDeadline(ctx workflow.Context) error {
	c.touch(ctx)
	c.Swept = &Sweep{Cases: map[string]domain.State{}, GaveUp: map[string]bool{}}
	for _, county := range c.counties() {
		c.sweepCase(ctx, c.Apps[county], "")
	}
	for _, code := range domain.SortedCodes(c.Prefectures) {
		c.sweepPrefecture(ctx, c.Prefectures[code], "")
	}
	c.setPhase(ctx, domain.PhaseReviewing, domain.System, "R5", "recommendation deadline passed; review opens")
	return c.flush(ctx)
}

// sweepCase applies the recommendation deadline to one case (R5).
func (c *campaign) sweepCase(ctx workflow.Context, a *CaseRecord, again string) {
	to, ok := domain.AtDeadline(a.State)
	if !ok {
		return
	}
	c.Swept.Cases[a.Div.Code] = a.State
	detail := "recommended in time: goes to review"
	if to == domain.StateExpired {
		detail = "not recommended by the deadline: deemed to have given up (视为自动放弃)"
	}
	c.move(ctx, a, to, domain.System, "deadline", "R5", detail+again)
}

// sweepPrefecture declares a prefecture that filed nothing by the deadline to have
// given up (R5).
func (c *campaign) sweepPrefecture(ctx workflow.Context, p *readmodel.Prefecture, again string) {
	if p.Status != domain.PrefectureOpen {
		return
	}
	c.Swept.GaveUp[p.Code] = true
	p.Status = domain.PrefectureGaveUp
	c.campaignEvent(ctx, domain.System, "prefecture_gave_up", string(domain.PrefectureOpen), string(domain.PrefectureGaveUp), "R5",
		fmt.Sprintf("%s %s filed no recommendation by the deadline%s", p.Code, p.Name, again))
}

// onNoticeDeadline applies R9: without a published notice the campaign is overdue.
func (c *campaign) onNoticeDeadline(ctx workflow.Context) error {
	c.NoticeDeadlineDone = true
	c.release(ctx)
	if !domain.NoticeOverdue(workflow.Now(ctx), c.cfg.NoticeDeadline, c.Notice != nil, c.cfg.TimeRules) {
		return nil
	}
	c.touch(ctx)
	c.Overdue = true
	c.campaignEvent(ctx, domain.System, "overdue", string(c.Phase), string(c.Phase), "R9",
		"no notice published by "+domain.DeadlineLabel("the notice deadline", c.cfg.NoticeDeadline))
	return c.flush(ctx)
}

// touch starts a change: every snapshot written after it carries a higher version.
func (c *campaign) touch(ctx workflow.Context) {
	c.Rev++
	c.UpdatedAt = workflow.Now(ctx)
}

func (c *campaign) setPhase(ctx workflow.Context, to domain.Phase, actor domain.Actor, rule, detail string) {
	from := c.Phase
	c.Phase = to
	c.campaignEvent(ctx, actor, "phase", string(from), string(to), rule, detail)
}

// campaignEvent records an event on the campaign's own timeline.
func (c *campaign) campaignEvent(ctx workflow.Context, actor domain.Actor, action, from, to, rule, detail string) {
	c.Seq++
	c.pending.events = append(c.pending.events, readmodel.Event{
		WorkflowID: CampaignID(c.cfg.Year), Seq: c.Seq, At: workflow.Now(ctx), Actor: actor.String(),
		Action: action, From: from, To: to, Rule: rule, Detail: detail,
	})
}

// move changes a case's state and records why (R11).
func (c *campaign) move(ctx workflow.Context, a *CaseRecord, to domain.State, actor domain.Actor, action, rule, detail string) {
	from := a.State
	a.State = to
	c.record(ctx, a, actor, action, string(from), string(to), rule, detail)
}

// note records an event on a case without moving it.
func (c *campaign) note(ctx workflow.Context, a *CaseRecord, actor domain.Actor, action, rule, detail string) {
	c.record(ctx, a, actor, action, string(a.State), string(a.State), rule, detail)
}

func (c *campaign) record(ctx workflow.Context, a *CaseRecord, actor domain.Actor, action, from, to, rule, detail string) {
	a.Seq++
	a.Version = c.Rev
	a.UpdatedAt = workflow.Now(ctx)
	ev := readmodel.Event{
		WorkflowID: ApplicationID(c.cfg.Year, a.Div.Code), Seq: a.Seq, At: a.UpdatedAt, Actor: actor.String(),
		Action: action, From: from, To: to, Rule: rule, Detail: detail,
	}
	c.pending.events = append(c.pending.events, ev)
	c.pending.Apps[a.Div.Code] = true
	if a.Seq > 1 { // the first event starts the case's workflow (startCase)
		c.signal(ctx, a, Transition{View: c.appView(a), Event: ev})
	}
}

// signal hands a transition to the case's own workflow. A failure is logged, not fatal:
// the campaign stays the authority and the read model is written from here.
func (c *campaign) signal(ctx workflow.Context, a *CaseRecord, t Transition) {
	f := workflow.SignalExternalWorkflow(ctx, ApplicationID(c.cfg.Year, a.Div.Code), "", SignalTransition, t)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("signal application workflow", "county", a.Div.Code, "seq", t.Event.Seq, "error", err)
		}
	})
}

// flush writes everything pending to the system of record and waits for it, so an
// Update answers only after its effect is readable.
func (c *campaign) flush(ctx workflow.Context) error {
	// Every batch gets a version of its own: a timer-driven step and a handler may
	// interleave within one touch, and two snapshots of one version with different
	// contents would leave the read model at the first that landed.
	c.sweepAgain(ctx)
	c.Rev++
	for county := range c.pending.Apps {
		c.Apps[county].Version = c.Rev
	}
	p := readmodel.Projection{Year: c.cfg.Year, Events: c.pending.events}
	v := c.view()
	p.Campaign = &v
	for _, county := range domain.SortedCodes(c.pending.Apps) {
		p.Applications = append(p.Applications, c.appView(c.Apps[county]))
	}
	for _, id := range domain.SortedCodes(c.pending.Objections) {
		p.Objections = append(p.Objections, *c.Objections[id])
	}
	p.Designation = c.pending.designation
	c.pending = newPending()
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	c.busy++
	defer func() { c.busy-- }()
	return workflow.ExecuteActivity(actx, acts.Project, p).Get(ctx, nil)
}

// counties lists registered counties by code, the deterministic order of every sweep.
func (c *campaign) counties() []string { return domain.SortedCodes(c.Apps) }

func notRegistered(county string) error {
	return &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("county %s has no application in this campaign", county)}
}

// startCase starts the county's own workflow with its search attributes (DESIGN.md §4).
func (c *campaign) startCase(ctx workflow.Context, a *CaseRecord, first readmodel.Event) error {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:        ApplicationID(c.cfg.Year, a.Div.Code),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("%d %s %s", c.cfg.Year, a.Div.Code, a.Div.Name),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SACampaignYear.ValueSet(int64(c.cfg.Year)),
			SAPrefectureCode.ValueSet(a.Div.ParentCode),
			SACountyCode.ValueSet(a.Div.Code),
			SAApplicationState.ValueSet(string(a.State)),
		),
	}
	view := c.appView(a)
	a.Held = c.Reopenable
	child := workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), ApplicationWorkflowName, ApplicationInput{
		Year: c.cfg.Year, County: a.Div.Code, Name: a.Div.Name, Prefecture: a.Div.ParentCode,
		DirectlyAdministered: a.Div.DirectlyAdministered, Exempt: a.Exempt, Registered: first, View: &view,
		Limits: c.limits, Hold: c.Reopenable,
	})
	return child.GetChildWorkflowExecution().Get(ctx, nil)
}

// objectionsOf counts a county's upheld and open objections (R10): from the counts
// the store gave, or from the objections a campaign of the old kind took in itself.
func (c *campaign) objectionsOf(a *CaseRecord) (upheld, open int) {
	if c.ObjectionsInStore {
		return a.Upheld, a.Open
	}
	for _, o := range c.Objections {
		if o.County != a.Div.Code {
			continue
		}
		switch o.Status {
		case domain.ObjectionUpheld:
			upheld++
		case domain.ObjectionOpen:
			open++
		}
	}
	return upheld, open
}

// sortedObjectionIDs orders objections by filing time, the deterministic order of sweeps.
func sortedObjectionIDs(m map[string]*readmodel.Objection) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return m[ids[i]].FiledAt.Before(m[ids[j]].FiledAt) || (m[ids[i]].FiledAt.Equal(m[ids[j]].FiledAt) && ids[i] < ids[j])
	})
	return ids
}
