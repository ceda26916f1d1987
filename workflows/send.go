package workflows

import (
	"context"
	"time"

	"go.temporal.io/sdk/client"
)

// Send runs an Update on a campaign's workflow and waits for its outcome, the way every
// client of the campaign must: an Update refused because the run was handing over to
// its next run (HandingOver) is sent again, with the same Update ID, after a short wait
// that doubles up to half a second, until it reaches the next run or ctx ends. A run
// hands over within a few workflow tasks, so the wait is short; when ctx ends first, the
// error still reports HandingOver and the caller answers "try again".
func Send(ctx context.Context, tc client.Client, opts client.UpdateWorkflowOptions, out any) error {
	opts.WaitForStage = client.WorkflowUpdateStageCompleted
	wait := 20 * time.Millisecond
	for {
		h, err := tc.UpdateWorkflow(ctx, opts)
		if err == nil {
			err = h.Get(ctx, out)
		}
		if !HandingOver(err) {
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(wait):
		}
		wait = min(2*wait, 500*time.Millisecond)
	}
}
