package workflows

import (
	"fmt"
	"sort"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
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

// appRecord is the campaign's authoritative record of one county's case.
type appRecord struct {
	div         domain.Division
	state       domain.State
	exempt      bool
	materials   domain.Materials
	documentRef string // item 1, from the prefecture's filing (R6)
	order       int    // 1-based position in the prefecture's filing; 0 when none
	selfApplied bool
	cards       map[string]ScorecardView
	rank        int
	breakdown   *domain.Breakdown
	publicity   time.Time // end of this county's publicity period (R10)
	promoted    bool
	seq         int64
	version     int64
	updatedAt   time.Time
	child       workflow.ChildWorkflowFuture
}

// pending collects what changed since the last projection.
type pending struct {
	apps       map[string]bool
	objections map[string]bool
	events     []Event
}

// campaign is the state of the campaign workflow. It is the single writer of every
// case's state: one workflow serialises all updates, which makes the per-prefecture
// quota (R3) and the shortlist (R10) atomic without locks.
type campaign struct {
	cfg         domain.Campaign
	divs        *domain.Divisions
	createdBy   domain.Actor
	phase       domain.Phase
	overdue     bool
	apps        map[string]*appRecord
	prefectures map[string]*Prefecture
	ranked      bool
	notice      *Notice
	objections  map[string]*Objection
	objSeq      int
	rev         int64
	seq         int64
	updatedAt   time.Time
	pending     pending
	flushing    int // projections in flight; the workflow may not end before they land
}

// CampaignWorkflow runs one year's selection from the opening of applications to the
// designation of the winners (DESIGN.md §3).
func CampaignWorkflow(ctx workflow.Context, in CampaignInput) (CampaignView, error) {
	c := &campaign{
		cfg:         in.Config,
		divs:        domain.Guizhou2016(),
		createdBy:   in.CreatedBy,
		phase:       domain.PhaseOpen,
		apps:        map[string]*appRecord{},
		prefectures: map[string]*Prefecture{},
		objections:  map[string]*Objection{},
		pending:     pending{apps: map[string]bool{}, objections: map[string]bool{}},
	}
	if err := c.cfg.Validate(c.divs); err != nil {
		return CampaignView{}, toApplicationError(err)
	}
	for _, p := range c.divs.Prefectures(c.cfg.Province) {
		c.prefectures[p.Code] = &Prefecture{Code: p.Code, Name: p.Name, Status: domain.PrefectureOpen, Recommended: []string{}}
	}
	if err := c.setup(ctx); err != nil {
		return CampaignView{}, err
	}
	return c.run(ctx)
}

// setup registers every handler before the first blocking call, so no Update or Query
// that arrives with the first workflow task is lost.
func (c *campaign) setup(ctx workflow.Context) error {
	if err := workflow.SetQueryHandler(ctx, QueryCampaign, func() (CampaignView, error) { return c.view(), nil }); err != nil {
		return err
	}
	if err := workflow.SetQueryHandler(ctx, QueryApplication, func(county string) (Application, error) {
		a, ok := c.apps[county]
		if !ok {
			return Application{}, toApplicationError(notRegistered(county))
		}
		return c.appView(a), nil
	}); err != nil {
		return err
	}
	for _, err := range []error{
		setUpdate(ctx, UpdateRegister, c.checkRegister, c.register),
		setUpdate(ctx, UpdateMaterials, c.checkMaterials, c.deliverMaterials),
		setUpdate(ctx, UpdateSubmit, c.checkSubmit, c.submit),
		setUpdate(ctx, UpdateSelfApply, c.checkSelfApply, c.selfApply),
		setUpdate(ctx, UpdateRecommend, c.checkRecommend, c.recommend),
		setUpdate(ctx, UpdateWithdraw, c.checkWithdraw, c.withdraw),
		setUpdate(ctx, UpdateScore, c.checkScore, c.score),
		setUpdate(ctx, UpdateRank, c.checkRank, c.rank),
		setUpdate(ctx, UpdatePublishNotice, c.checkNotice, c.publishNotice),
		setUpdate(ctx, UpdateObject, c.checkObject, c.object),
		setUpdate(ctx, UpdateResolveObjection, c.checkResolve, c.resolve),
		setUpdate(ctx, UpdatePromoteReserve, c.checkPromote, c.promote),
	} {
		if err != nil {
			return err
		}
	}
	return nil
}

// setUpdate registers an Update whose validator and handler run the same check: the
// validator refuses without a trace in history, and the handler checks again because
// another update may have changed the state between validation and execution.
func setUpdate[In, Out any](ctx workflow.Context, name string, check func(workflow.Context, In) error, handle func(workflow.Context, In) (Out, error)) error {
	return workflow.SetUpdateHandlerWithOptions(ctx, name,
		func(ctx workflow.Context, in In) (Out, error) {
			if err := check(ctx, in); err != nil {
				var zero Out
				return zero, toApplicationError(err)
			}
			out, err := handle(ctx, in)
			return out, toApplicationError(err)
		},
		workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, in In) error {
			return toApplicationError(check(ctx, in))
		}})
}

func (c *campaign) run(ctx workflow.Context) (CampaignView, error) {
	if err := workflow.UpsertTypedSearchAttributes(ctx, SACampaignYear.ValueSet(int64(c.cfg.Year))); err != nil {
		return CampaignView{}, err
	}
	c.touch(ctx)
	c.campaignEvent(ctx, c.createdBy, "campaign_opened", "", string(domain.PhaseOpen), "R1",
		fmt.Sprintf("quota %d, %d per prefecture; %s; %s", c.cfg.Quota, c.cfg.PrefectureCap,
			domain.DeadlineLabel("recommendation deadline", c.cfg.RecommendationDeadline), domain.DeadlineLabel("notice deadline", c.cfg.NoticeDeadline)))
	if err := c.flush(ctx); err != nil {
		return CampaignView{}, err
	}
	var failed error
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := c.deadlines(ctx); err != nil {
			failed = err
		}
	})
	if err := workflow.Await(ctx, func() bool { return c.phase == domain.PhaseClosed || failed != nil }); err != nil {
		return CampaignView{}, err
	}
	if failed != nil {
		return CampaignView{}, failed
	}
	if err := workflow.Await(ctx, func() bool { return workflow.AllHandlersFinished(ctx) && c.flushing == 0 }); err != nil {
		return CampaignView{}, err
	}
	return c.view(), nil
}

// graceAfterDeadline is how long after a deadline its timer fires. A deadline instant is
// itself still in time (domain.BeforeDeadline), so the timer waits for the next second.
const graceAfterDeadline = time.Second

// deadlines waits for the two dates of §一(四) as durable timers: nobody needs to be
// online when they fall due (R5, R9).
func (c *campaign) deadlines(ctx workflow.Context) error {
	if err := sleepUntil(ctx, c.cfg.RecommendationDeadline.Add(graceAfterDeadline), domain.DeadlineLabel("recommendation deadline", c.cfg.RecommendationDeadline)); err != nil {
		return err
	}
	if err := c.onRecommendationDeadline(ctx); err != nil {
		return err
	}
	if err := sleepUntil(ctx, c.cfg.NoticeDeadline.Add(graceAfterDeadline), domain.DeadlineLabel("notice deadline", c.cfg.NoticeDeadline)); err != nil {
		return err
	}
	return c.onNoticeDeadline(ctx)
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

// onRecommendationDeadline applies R5: the recommended go to review, everything else
// expires, and a prefecture that filed nothing has given up.
func (c *campaign) onRecommendationDeadline(ctx workflow.Context) error {
	c.touch(ctx)
	for _, county := range c.counties() {
		a := c.apps[county]
		if to, ok := domain.AtDeadline(a.state); ok {
			detail := "recommended in time: goes to review"
			if to == domain.StateExpired {
				detail = "not recommended by the deadline: deemed to have given up (视为自动放弃)"
			}
			c.move(ctx, a, to, domain.System, "deadline", "R5", detail)
		}
	}
	for _, code := range domain.SortedCodes(c.prefectures) {
		p := c.prefectures[code]
		if p.Status == domain.PrefectureOpen {
			p.Status = domain.PrefectureGaveUp
			c.campaignEvent(ctx, domain.System, "prefecture_gave_up", string(domain.PrefectureOpen), string(domain.PrefectureGaveUp), "R5",
				fmt.Sprintf("%s %s filed no recommendation by the deadline", p.Code, p.Name))
		}
	}
	c.setPhase(ctx, domain.PhaseReviewing, domain.System, "R5", "recommendation deadline passed; review opens")
	return c.flush(ctx)
}

// onNoticeDeadline applies R9: without a published notice the campaign is overdue.
func (c *campaign) onNoticeDeadline(ctx workflow.Context) error {
	if !domain.NoticeOverdue(workflow.Now(ctx), c.cfg.NoticeDeadline, c.notice != nil) {
		return nil
	}
	c.touch(ctx)
	c.overdue = true
	c.campaignEvent(ctx, domain.System, "overdue", string(c.phase), string(c.phase), "R9",
		"no notice published by "+domain.DeadlineLabel("the notice deadline", c.cfg.NoticeDeadline))
	return c.flush(ctx)
}

// touch starts a change: every snapshot written after it carries a higher version.
func (c *campaign) touch(ctx workflow.Context) {
	c.rev++
	c.updatedAt = workflow.Now(ctx)
}

func (c *campaign) setPhase(ctx workflow.Context, to domain.Phase, actor domain.Actor, rule, detail string) {
	from := c.phase
	c.phase = to
	c.campaignEvent(ctx, actor, "phase", string(from), string(to), rule, detail)
}

// campaignEvent records an event on the campaign's own timeline.
func (c *campaign) campaignEvent(ctx workflow.Context, actor domain.Actor, action, from, to, rule, detail string) {
	c.seq++
	c.pending.events = append(c.pending.events, Event{
		WorkflowID: CampaignID(c.cfg.Year), Seq: c.seq, At: workflow.Now(ctx), Actor: actor.String(),
		Action: action, From: from, To: to, Rule: rule, Detail: detail,
	})
}

// move changes a case's state and records why (R11).
func (c *campaign) move(ctx workflow.Context, a *appRecord, to domain.State, actor domain.Actor, action, rule, detail string) {
	from := a.state
	a.state = to
	c.record(ctx, a, actor, action, string(from), string(to), rule, detail)
}

// note records an event on a case without moving it.
func (c *campaign) note(ctx workflow.Context, a *appRecord, actor domain.Actor, action, rule, detail string) {
	c.record(ctx, a, actor, action, string(a.state), string(a.state), rule, detail)
}

func (c *campaign) record(ctx workflow.Context, a *appRecord, actor domain.Actor, action, from, to, rule, detail string) {
	a.seq++
	a.version = c.rev
	a.updatedAt = workflow.Now(ctx)
	ev := Event{
		WorkflowID: ApplicationID(c.cfg.Year, a.div.Code), Seq: a.seq, At: a.updatedAt, Actor: actor.String(),
		Action: action, From: from, To: to, Rule: rule, Detail: detail,
	}
	c.pending.events = append(c.pending.events, ev)
	c.pending.apps[a.div.Code] = true
	if a.child != nil {
		c.signal(ctx, a, Transition{View: c.appView(a), Event: ev})
	}
}

// signal hands a transition to the case's own workflow. A failure is logged, not fatal:
// the campaign stays the authority and the read model is written from here.
func (c *campaign) signal(ctx workflow.Context, a *appRecord, t Transition) {
	f := a.child.SignalChildWorkflow(ctx, SignalTransition, t)
	workflow.Go(ctx, func(ctx workflow.Context) {
		if err := f.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Warn("signal application workflow", "county", a.div.Code, "seq", t.Event.Seq, "error", err)
		}
	})
}

// flush writes everything pending to the system of record and waits for it, so an
// Update answers only after its effect is readable.
func (c *campaign) flush(ctx workflow.Context) error {
	p := Projection{Year: c.cfg.Year, Events: c.pending.events}
	v := c.view()
	p.Campaign = &v
	for _, county := range domain.SortedCodes(c.pending.apps) {
		p.Applications = append(p.Applications, c.appView(c.apps[county]))
	}
	for _, id := range domain.SortedCodes(c.pending.objections) {
		p.Objections = append(p.Objections, *c.objections[id])
	}
	c.pending = pending{apps: map[string]bool{}, objections: map[string]bool{}}
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	c.flushing++
	defer func() { c.flushing-- }()
	return workflow.ExecuteActivity(actx, ActivityProject, p).Get(ctx, nil)
}

// counties lists registered counties by code, the deterministic order of every sweep.
func (c *campaign) counties() []string { return domain.SortedCodes(c.apps) }

func notRegistered(county string) error {
	return &domain.RuleError{Code: domain.CodeNotFound, Message: fmt.Sprintf("county %s has no application in this campaign", county)}
}

// startCase starts the county's own workflow with its search attributes (DESIGN.md §4).
func (c *campaign) startCase(ctx workflow.Context, a *appRecord, first Event) error {
	opts := workflow.ChildWorkflowOptions{
		WorkflowID:        ApplicationID(c.cfg.Year, a.div.Code),
		ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		StaticSummary:     fmt.Sprintf("%d %s %s", c.cfg.Year, a.div.Code, a.div.Name),
		TypedSearchAttributes: temporal.NewSearchAttributes(
			SACampaignYear.ValueSet(int64(c.cfg.Year)),
			SAPrefectureCode.ValueSet(a.div.ParentCode),
			SACountyCode.ValueSet(a.div.Code),
			SAApplicationState.ValueSet(string(a.state)),
		),
	}
	view := c.appView(a)
	a.child = workflow.ExecuteChildWorkflow(workflow.WithChildOptions(ctx, opts), ApplicationWorkflowName, ApplicationInput{
		Year: c.cfg.Year, County: a.div.Code, Name: a.div.Name, Prefecture: a.div.ParentCode,
		DirectlyAdministered: a.div.DirectlyAdministered, Exempt: a.exempt, Registered: first, View: &view,
	})
	return a.child.GetChildWorkflowExecution().Get(ctx, nil)
}

// objectionsOf counts a county's upheld and open objections (R10).
func (c *campaign) objectionsOf(county string) (upheld, open int) {
	for _, o := range c.objections {
		if o.County != county {
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
func sortedObjectionIDs(m map[string]*Objection) []string {
	ids := make([]string, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool {
		return m[ids[i]].FiledAt.Before(m[ids[j]].FiledAt) || (m[ids[i]].FiledAt.Equal(m[ids[j]].FiledAt) && ids[i] < ids[j])
	})
	return ids
}
