package workflows

// The county case workflows as the campaign drives them: their start at registration,
// the transitions signalled to them, and the release of the final states they hold.

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/readmodel"
)

// reopenableChange names the change that keeps a case workflow open in a final state a
// correction may undo, until the campaign releases it (R13, R14). Runs recorded before
// it start case workflows that end at every final state, and release nothing.
const reopenableChange = "r13-reopenable-cases"

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
	started := child.GetChildWorkflowExecution()
	if !c.fast {
		return started.Get(ctx, nil)
	}
	// The registration answers without waiting for the start (one workflow task
	// sooner, the largest part of its latency in BENCHMARKS.md). The run may not end
	// before the start is known: a new run after continue-as-new signals its cases
	// directly.
	c.sent[a.Div.Code] = started
	c.busy++
	workflow.Go(ctx, func(ctx workflow.Context) {
		defer func() { c.busy-- }()
		if err := started.Get(ctx, nil); err != nil {
			workflow.GetLogger(ctx).Error("start application workflow", "county", a.Div.Code, "error", err)
		}
	})
	return nil
}

// signal hands a transition to the case's own workflow. A failure is logged, not fatal:
// the campaign stays the authority and the read model is written from here.
//
// On fast runs each signal to a case leaves only once the case has everything sent
// before it: its start, if this run started it, and the delivery of its previous
// signal. Temporal delivers the signals of one workflow task in no fixed order, and a
// case takes an event older than its last as a duplicate; on fast runs a handler's
// signals to a case can share a workflow task. Each signal counts as busy until it was
// delivered, since Temporal drops a signal whose sender closed before its delivery.
func (c *campaign) signal(ctx workflow.Context, a *CaseRecord, t Transition) {
	if !c.fast {
		f := workflow.SignalExternalWorkflow(ctx, ApplicationID(c.cfg.Year, a.Div.Code), "", SignalTransition, t)
		workflow.Go(ctx, func(ctx workflow.Context) { c.delivered(ctx, f, a, t) })
		return
	}
	c.busy++
	before := c.sent[a.Div.Code]
	done, settle := workflow.NewFuture(ctx)
	c.sent[a.Div.Code] = done
	workflow.Go(ctx, func(ctx workflow.Context) {
		var failed error // the case's start failed (logged by startCase): nothing to signal
		defer func() { c.busy--; settle.Set(nil, failed) }()
		if before != nil {
			if failed = before.Get(ctx, nil); failed != nil {
				return
			}
		}
		f := workflow.SignalExternalWorkflow(ctx, ApplicationID(c.cfg.Year, a.Div.Code), "", SignalTransition, t)
		c.delivered(ctx, f, a, t)
	})
}

// delivered waits for a signal's delivery and logs a failure.
func (c *campaign) delivered(ctx workflow.Context, f workflow.Future, a *CaseRecord, t Transition) {
	if err := f.Get(ctx, nil); err != nil {
		workflow.GetLogger(ctx).Warn("signal application workflow", "county", a.Div.Code, "seq", t.Event.Seq, "error", err)
	}
}

// release tells every case workflow that holds an undoable final state that the state
// is final now. It runs when the ranking begins (a late receipt can no longer join the
// review, and forfeitures and exclusions stand since the recommendation deadline) or,
// without a ranking, at the notice deadline.
func (c *campaign) release(ctx workflow.Context) {
	if !c.Reopenable || c.Released {
		return
	}
	c.Released = true
	for _, county := range c.counties() {
		a := c.Apps[county]
		if !a.Held {
			continue
		}
		a.Held = false
		if a.State.Final() {
			c.signal(ctx, a, Transition{View: c.appView(a), Event: readmodel.Event{WorkflowID: ApplicationID(c.cfg.Year, county), Seq: a.Seq}, Release: true})
		}
	}
}
