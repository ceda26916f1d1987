// Package worker registers every workflow and activity of the product in one place, so
// the `worker` and `run` commands, the tests and the replayer see the same set.
package worker

import (
	"time"

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

// Defaults of Tuning, which are the SDK's own: the settings WORKER_STICKY_TIMEOUT and
// WORKER_CACHE_SIZE start from them.
const (
	DefaultStickyScheduleToStart = 5 * time.Second
	DefaultCacheSize             = 10000
)

// Tuning says how long a worker keeps a workflow's state for it between tasks. A task
// that reaches the worker that ran the workflow's last one within StickyScheduleToStart
// continues from the state in its cache; after that, or once the process's cache of
// CacheSize workflows evicted it, any worker replays the whole history first. Under a
// burst (thousands of cases sharing one deadline, BENCHMARKS.md) both decide how much of
// the work is replay. Zero fields keep the defaults above.
type Tuning struct {
	StickyScheduleToStart time.Duration
	CacheSize             int
}

// Apply returns opts with the sticky timeout, and sets the cache size, which is the
// process's for every worker started after the call.
func (t Tuning) Apply(opts sdkworker.Options) sdkworker.Options {
	if t.CacheSize > 0 {
		sdkworker.SetStickyWorkflowCacheSize(t.CacheSize)
	}
	if t.StickyScheduleToStart > 0 {
		opts.StickyScheduleToStartTimeout = t.StickyScheduleToStart
	}
	return opts
}
