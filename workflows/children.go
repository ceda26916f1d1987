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
	return child.GetChildWorkflowExecution().Get(ctx, nil)
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
