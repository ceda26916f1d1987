package workflows_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/testtemporal"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestConcurrentRegistrationsStartEveryCase registers a prefecture's counties at once,
// so that several registrations share a workflow task: each answers before its case
// workflow's start is known (fast-updates), and every case workflow still starts and
// holds its registration.
func TestConcurrentRegistrationsStartEveryCase(t *testing.T) {
	ts := testtemporal.New(t)
	c := ts.GetDefaultClient()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := worker.New(c, &activities.Activities{Store: newRecorder()}, sdkworker.Options{})
	require.NoError(t, w.Start())
	defer w.Stop()
	cfg := campaign2016()
	now := time.Now().In(sh)
	cfg.RecommendationDeadline, cfg.NoticeDeadline = now.Add(time.Hour), now.Add(2*time.Hour)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignID("520000", 2016), TaskQueue: workflows.TaskQueue},
		workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin})
	require.NoError(t, err)
	divs, err := domain.ReferenceFor(cfg)
	require.NoError(t, err)
	var counties []string
	for _, d := range divs.Counties("520300") { // 遵义市
		counties = append(counties, d.Code)
	}
	require.Greater(t, len(counties), 8)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for _, code := range counties {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			assert.NoError(t, workflows.Send(ctx, c, client.UpdateWorkflowOptions{WorkflowID: workflows.CampaignID("520000", 2016),
				UpdateName: workflows.UpdateRegister, UpdateID: "reg-" + code, Args: []any{workflows.RegisterInput{Actor: admin, County: code}}}, nil), code)
		}()
	}
	wg.Wait()
	for _, code := range counties {
		id := workflows.ApplicationID(2016, code)
		waitFor(t, ctx, id+" to start", func() bool {
			_, err := c.DescribeWorkflowExecution(ctx, id, "")
			return err == nil
		})
		v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryCase)
		require.NoError(t, err, id)
		var app struct{ State domain.State }
		require.NoError(t, v.Get(&app))
		assert.Equal(t, domain.StateRegistered, app.State, id)
	}
}
