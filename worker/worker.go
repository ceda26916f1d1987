// Package worker registers every workflow and activity of the product in one place, so
// the `worker` and `run` commands, the tests and the replayer see the same set.
package worker

import (
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/workflows"
)

// Registry is what both a live worker and the test environment accept.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivityWithOptions(a any, options activity.RegisterOptions)
}

// RegisterWorkflows binds the workflow functions to their fixed type names.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(workflows.CampaignWorkflow, workflow.RegisterOptions{Name: workflows.CampaignWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ApplicationWorkflow, workflow.RegisterOptions{Name: workflows.ApplicationWorkflowName})
}

// Register binds workflows and activities (with their dependencies) to their names.
func Register(r Registry, a *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivityWithOptions(a.Project, activity.RegisterOptions{Name: workflows.ActivityProject})
	r.RegisterActivityWithOptions(a.PublishNotice, activity.RegisterOptions{Name: workflows.ActivityPublishNotice})
	r.RegisterActivityWithOptions(a.CountObjections, activity.RegisterOptions{Name: workflows.ActivityCountObjections})
	r.RegisterActivityWithOptions(a.ResolveObjection, activity.RegisterOptions{Name: workflows.ActivityResolveObjection})
}

// New creates a worker on the product's task queue with everything registered.
func New(c client.Client, a *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, a)
	return w
}
