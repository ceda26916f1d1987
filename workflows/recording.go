package workflows

// Recording: every change starts with touch, leaves timeline events on the campaign and
// its cases (R11), and reaches PostgreSQL as one projection batch in flush.

import (
	"time"

	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

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
		WorkflowID: c.id, Seq: c.Seq, At: workflow.Now(ctx), Actor: actor.String(),
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

// fastUpdatesChange names the change that answers Updates sooner (BENCHMARKS.md,
// issue 14). The read model is written through the flusher: one local activity for
// every flush of a workflow task instead of one activity per flush, so an Update no
// longer waits for an activity task to travel through Temporal's matching service and
// back (about 45 ms each), and Updates that arrive together share one transaction. A
// registration no longer waits for its case workflow's start (startCase), and a run
// ends only after its signals were delivered (signal). Runs recorded before it keep one
// activity per flush and wait for each start.
const fastUpdatesChange = "fast-updates"

// localActivityOptions are the local projection's first try: four attempts within two
// seconds. A local activity holds its workflow task open, and with it every command of
// the campaign (signals to cases, timers, child starts) and every Update, so it must not
// retry for long: when PostgreSQL is down the campaign must still move its cases at a
// deadline (fault.TestPostgresDownAcrossDeadline). A batch the local activity could not
// write goes to an ordinary activity, retried without end (project).
var localActivityOptions = workflow.LocalActivityOptions{
	StartToCloseTimeout:    time.Second,
	ScheduleToCloseTimeout: 2 * time.Second,
	RetryPolicy: &temporal.RetryPolicy{
		InitialInterval:    100 * time.Millisecond,
		BackoffCoefficient: 2,
		MaximumAttempts:    4,
	},
}

// flush writes everything pending to the system of record and waits for it, so an
// Update answers only after its effect is readable.
func (c *campaign) flush(ctx workflow.Context) error {
	if !c.fast {
		return c.project(ctx)
	}
	c.flushAsked++
	ask := c.flushAsked
	c.busy++
	defer func() { c.busy-- }()
	if err := workflow.Await(ctx, func() bool { return c.flushDone >= ask || c.flushErr != nil }); err != nil {
		return err
	}
	return c.flushErr
}

// flusher runs for the whole of a fast run: whenever flushes were asked for since its
// last write, it writes everything pending in one projection and marks them done. The
// flushes of one workflow task all ask before it runs, so they share one write.
func (c *campaign) flusher(ctx workflow.Context) {
	for {
		if err := workflow.Await(ctx, func() bool { return c.flushAsked > c.flushDone }); err != nil {
			return
		}
		ask := c.flushAsked
		if err := c.project(ctx); err != nil {
			c.flushErr = err
			return
		}
		c.flushDone = ask
	}
}

// project writes everything pending as one batch: on fast runs through a local
// activity, and through an ordinary activity when that failed (the write is idempotent,
// so a local attempt that committed before failing does no harm); else through an
// activity.
func (c *campaign) project(ctx workflow.Context) error {
	// Every batch gets a version of its own: a timer-driven step and a handler may
	// interleave within one touch, and two snapshots of one version with different
	// contents would leave the read model at the first that landed.
	c.sweepAgain(ctx)
	c.Rev++
	for county := range c.pending.Apps {
		c.Apps[county].Version = c.Rev
	}
	p := readmodel.Projection{Year: c.cfg.Year, Province: c.cfg.Province, Events: c.pending.events}
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
	c.busy++
	defer func() { c.busy-- }()
	if c.fast {
		lctx := workflow.WithLocalActivityOptions(ctx, localActivityOptions)
		err := workflow.ExecuteLocalActivity(lctx, acts.Project, p).Get(ctx, nil)
		if err == nil {
			return nil
		}
		workflow.GetLogger(ctx).Warn("local projection failed; writing it through an activity", "error", err)
	}
	actx := workflow.WithActivityOptions(ctx, activityOptions)
	return workflow.ExecuteActivity(actx, acts.Project, p).Get(ctx, nil)
}
