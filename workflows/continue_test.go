package workflows_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/testtemporal"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestContinueAsNewKeepsTheCampaign plays the compressed campaign twice on the real
// server, once as one run and once with limits so low that the campaign and its cases
// continue as new several times, and finds the same states, ranks and timelines. Every
// run's history replays.
func TestContinueAsNewKeepsTheCampaign(t *testing.T) {
	ts := testtemporal.New(t)
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	play := func(year int, limits workflows.Limits, pause time.Duration) *recorder {
		rec := newRecorder()
		w := worker.New(c, &activities.Activities{Store: rec}, sdkworker.Options{})
		require.NoError(t, w.Start())
		defer w.Stop()
		playCompressed(t, ctx, c, rec, year, limits, pause)
		return rec
	}
	whole := play(2016, workflows.Limits{}, 0)
	chained := play(2017, workflows.Limits{UpdatesPerRun: 4, SignalsPerRun: 2}, 0)
	// 18 Updates end a run right after the ranking: the next run must not take the
	// ranked counties, whose notice is not out yet, for counties in publicity.
	afterRanking := play(2019, workflows.Limits{UpdatesPerRun: 18}, 2*time.Second)
	for county, a := range whole.apps {
		assert.Equal(t, a.State, afterRanking.apps[county].State, county)
	}

	runs := runsOf(t, ctx, c, ts.GetDefaultNamespace(), workflows.CampaignID("520000", 2017))
	assert.GreaterOrEqual(t, len(runs), 4, "the campaign continued as new several times")
	caseRuns := runsOf(t, ctx, c, ts.GetDefaultNamespace(), workflows.ApplicationID(2017, "520111"))
	assert.GreaterOrEqual(t, len(caseRuns), 2, "a case continued as new")

	for county, a := range whole.apps {
		b := chained.apps[county]
		assert.Equal(t, a.State, b.State, county)
		assert.Equal(t, a.Rank, b.Rank, county)
		assert.Equal(t, a.Total, b.Total, county)
		assert.Equal(t, timeline(whole, workflows.ApplicationID(2016, county)), timeline(chained, workflows.ApplicationID(2017, county)), county)
	}
	assert.Len(t, chained.apps, len(whole.apps))
	assert.Equal(t, timeline(whole, workflows.CampaignID("520000", 2016)), timeline(chained, workflows.CampaignID("520000", 2017)))

	for id, ids := range map[string][]string{workflows.CampaignID("520000", 2017): runs, workflows.ApplicationID(2017, "520111"): caseRuns} {
		for _, runID := range ids {
			replayer := sdkworker.NewWorkflowReplayer()
			worker.RegisterWorkflows(replayer)
			require.NoError(t, replayer.ReplayWorkflowHistory(nil, history(t, ctx, c, id, runID)), "replay %s run %s", id, runID)
		}
	}
}

// TestCampaignContinuesWhenTemporalSuggests: with default limits, a campaign continues
// as new when the server suggests it (here at 150 events) and still ends as one run
// would.
func TestCampaignContinuesWhenTemporalSuggests(t *testing.T) {
	ts := testtemporal.New(t, testtemporal.SuggestContinueAsNewAt(150))
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	rec := newRecorder()
	w := worker.New(c, &activities.Activities{Store: rec}, sdkworker.Options{})
	require.NoError(t, w.Start())
	defer w.Stop()
	final := playCompressed(t, ctx, c, rec, 2018, workflows.Limits{}, 0)
	assert.Equal(t, 2, final.Counts[domain.StateDesignated])
	assert.Equal(t, 1, final.Counts[domain.StateRemoved])
	runs := runsOf(t, ctx, c, ts.GetDefaultNamespace(), workflows.CampaignID("520000", 2018))
	assert.GreaterOrEqual(t, len(runs), 2, "the campaign continued as new on the server's suggestion")
}

// timeline is a workflow's timeline without its times, which differ between plays.
func timeline(r *recorder, id string) []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []string
	for _, e := range r.events[id] {
		from, to := e.From, e.To
		if strings.HasSuffix(e.Action, "_deadline") { // moved deadlines differ by the runs' start times
			from, to = "old", "new"
		}
		out = append(out, e.Actor+" "+e.Action+" "+from+">"+to+" "+e.Rule)
	}
	return out
}

// runsOf lists the run IDs of a workflow ID, oldest first, once the last run closed.
func runsOf(t *testing.T, ctx context.Context, c interface {
	ListWorkflow(context.Context, *workflowservice.ListWorkflowExecutionsRequest) (*workflowservice.ListWorkflowExecutionsResponse, error)
}, ns, id string) []string {
	t.Helper()
	var runs []string
	waitFor(t, ctx, "the runs of "+id, func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: `WorkflowId = "` + id + `"`})
		require.NoError(t, err)
		runs = runs[:0]
		done := false
		for _, e := range resp.GetExecutions() {
			runs = append([]string{e.GetExecution().GetRunId()}, runs...)
			if e.GetStatus() == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED {
				done = true
			}
		}
		return done
	})
	return runs
}
