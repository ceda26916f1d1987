package bench

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/workflows"
)

// BareWorkflowName is the workflow type of the floor.
const BareWorkflowName = "BenchBare"

// bareUpdate is the floor's only Update: no validator, no state, no activity.
const bareUpdate = "noop"

// BareInput says how many Updates a bare workflow takes and how many timers it fires
// before it completes.
type BareInput struct {
	Updates int `json:"updates"`
	Timers  int `json:"timers"`
}

// BareWorkflow is the floor: the same number of Updates and timers as a campaign
// workflow handles, with no rules, no child workflows, no activities. What the product
// costs beyond it is the price of its logic and of writing the read model.
func BareWorkflow(ctx workflow.Context, in BareInput) error {
	received := 0
	if err := workflow.SetUpdateHandler(ctx, bareUpdate, func(ctx workflow.Context) error {
		received++
		return nil
	}); err != nil {
		return err
	}
	// Timers fire between shares of the Updates, as the deadline and the end of
	// publicity fall between the phases of a campaign.
	for i := range in.Timers {
		threshold := in.Updates * (i + 1) / (in.Timers + 1)
		if err := workflow.Await(ctx, func() bool { return received >= threshold }); err != nil {
			return err
		}
		if err := workflow.Sleep(ctx, time.Millisecond); err != nil {
			return err
		}
	}
	return workflow.Await(ctx, func() bool { return received >= in.Updates && workflow.AllHandlersFinished(ctx) })
}

// Floor is bare Temporal doing the lifecycle's Updates and timers on the same
// deployment, with the same concurrency.
type Floor struct {
	Workflows            int     `json:"workflows"`
	Updates              int64   `json:"updates"`
	Timers               int     `json:"timers"`
	Seconds              float64 `json:"seconds"`
	AppsPerSecondEquiv   float64 `json:"applications_per_s_equivalent"`
	StateTransitions     int64   `json:"state_transitions"`
	TransitionsPerSecond float64 `json:"state_transitions_per_s"`
	UpdatesPerSecond     float64 `json:"updates_per_s"`
	UpdateLatency        Latency `json:"update_latency"`
	CPU                  CPU     `json:"cpu"`
}

// floor replays the lifecycle's load on bare workflows: one per campaign, each taking
// the Updates its campaign took and firing its two timers.
func (r *runner) floor(ctx context.Context, e *env, plans []*campaignPlan) (Floor, error) {
	sh := e.shards[0]
	run := uuid.NewString()[:8]
	f := Floor{Workflows: len(plans)}
	d := newDriver()
	cpu0 := sampleCPU()
	start := time.Now()
	ids := make([]string, len(plans))
	err := forEach(ctx, indexes(len(plans)), r.parallel(), func(ctx context.Context, i int) error {
		id := fmt.Sprintf("bench-floor/%s/%d", run, i)
		ids[i] = id
		updates := int(plans[i].updates.Load())
		wr, err := sh.client.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: workflows.TaskQueue},
			BareWorkflowName, BareInput{Updates: updates, Timers: 2})
		if err != nil {
			return fmt.Errorf("start %s: %w", id, err)
		}
		if err := forEach(ctx, indexes(updates), r.cfg.PerWorkflow, func(ctx context.Context, _ int) error {
			t := time.Now()
			h, err := sh.client.UpdateWorkflow(ctx, client.UpdateWorkflowOptions{
				WorkflowID: id, UpdateName: bareUpdate, UpdateID: uuid.NewString(), WaitForStage: client.WorkflowUpdateStageCompleted,
			})
			if err == nil {
				err = h.Get(ctx, nil)
			}
			if err != nil {
				return fmt.Errorf("update %s: %w", id, err)
			}
			d.record(bareUpdate, time.Since(t))
			return nil
		}); err != nil {
			return err
		}
		return wr.Get(ctx, nil)
	})
	if err != nil {
		return f, fmt.Errorf("floor: %w", err)
	}
	took := time.Since(start)
	f.CPU = cpuSince(cpu0)
	f.Updates = d.updates.Load()
	f.Timers = 2 * len(plans)
	f.Seconds = seconds(took)
	f.AppsPerSecondEquiv = rate(float64(r.cfg.N), took)
	f.UpdatesPerSecond = rate(float64(f.Updates), took)
	f.UpdateLatency = summarize(d.latencies[bareUpdate])
	if f.StateTransitions, _, err = describeAll(ctx, sh, ids); err != nil {
		return f, err
	}
	f.TransitionsPerSecond = rate(float64(f.StateTransitions), took)
	r.progress("%s: floor: %d Updates and %d timers on %d bare workflows in %.2f s", e.name, f.Updates, f.Timers, f.Workflows, f.Seconds)
	return f, nil
}

func indexes(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}
