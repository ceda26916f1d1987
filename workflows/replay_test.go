package workflows_test

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/worker"
)

// TestReplayRecordedHistories replays every history recorded from the compressed 2016
// campaign by this and earlier versions of the code (go test ./workflows -run
// TestCampaignOnServer -record-histories writes the current version's). A failure
// means a change to workflow code is not deterministic for running campaigns: guard it
// with workflow.GetVersion.
func TestReplayRecordedHistories(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.json"))
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(files), 18, "the histories of every version are kept")
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistoryFromJSONFile(nil, file), "replay %s", file)
		})
	}
}
