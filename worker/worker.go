// Package worker registers every workflow and activity of the product in one place, so
// the `worker` and `run` commands, the tests and the replayer see the same set.
package worker

import (
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/workflows"
)

// Registry is what both a live worker and the test environment accept.
type Registry interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
	RegisterActivity(a any)
}

// RegisterWorkflows binds the workflow functions to their fixed type names.
func RegisterWorkflows(r interface {
	RegisterWorkflowWithOptions(w any, options workflow.RegisterOptions)
}) {
	r.RegisterWorkflowWithOptions(workflows.CampaignWorkflow, workflow.RegisterOptions{Name: workflows.CampaignWorkflowName})
	r.RegisterWorkflowWithOptions(workflows.ApplicationWorkflow, workflow.RegisterOptions{Name: workflows.ApplicationWorkflowName})
}

// Register binds workflows to their type names and every method of a (with its
// dependencies) as an activity named after the method.
func Register(r Registry, a *activities.Activities) {
	RegisterWorkflows(r)
	r.RegisterActivity(a)
}

// New creates a worker on the product's task queue with everything registered.
func New(c client.Client, a *activities.Activities, opts sdkworker.Options) sdkworker.Worker {
	w := sdkworker.New(c, workflows.TaskQueue, opts)
	Register(w, a)
	return w
}
