package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/worker"
)

// TestReplayRecordedHistories replays histories recorded from the compressed 2016
// campaign (go test ./workflows -run TestCampaignOnServer -record-histories). A failure
// means a change to workflow code is not deterministic for running campaigns: guard it
// with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	for id, file := range historyFiles {
		t.Run(file, func(t *testing.T) {
			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, filepath.Join("testdata", file)), "replay %s", id)
		})
	}
}
