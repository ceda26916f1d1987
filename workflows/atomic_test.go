package workflows_test

import (
	"context"
	"fmt"
	"sort"
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
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestConcurrentFilingsAreAtomic sends many filings of one prefecture at once (R3): the
// campaign workflow serialises them, so whichever lands last is the list, exactly its
// counties are recommended, and the cap is never exceeded in between. Each county's case
// workflow ends up with the campaign's decision.
func TestConcurrentFilingsAreAtomic(t *testing.T) {
	ts := testtemporal.New(t)
	c := ts.GetDefaultClient()
	rec := newRecorder()
	w := worker.New(c, &activities.Activities{Store: rec}, sdkworker.Options{})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cfg := campaign2016()
	now := time.Now()
	cfg.RecommendationDeadline, cfg.NoticeDeadline = now.Add(time.Hour), now.Add(2*time.Hour)
	_, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignID("520000", 2016), TaskQueue: workflows.TaskQueue},
		workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin})
	require.NoError(t, err)
	update := func(id, name string, in, out any) error {
		return workflows.Send(ctx, c, client.UpdateWorkflowOptions{WorkflowID: workflows.CampaignID("520000", 2016), UpdateName: name,
			UpdateID: id, Args: []any{in}}, out)
	}
	counties := []string{"520102", "520103", "520111", "520112", "520113"}
	for _, code := range counties {
		require.NoError(t, update("reg-"+code, workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: code}, nil))
		require.NoError(t, update("mat-"+code, workflows.UpdateMaterials, workflows.MaterialsInput{Actor: admin, County: code, Items: complete()}, nil))
		require.NoError(t, update("sub-"+code, workflows.UpdateSubmit, workflows.SubmitInput{Actor: admin, County: code}, nil))
	}
	var wg sync.WaitGroup
	for i := range 12 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			list := []string{counties[i%5], counties[(i+1)%5]}
			err := update(fmt.Sprintf("file-%d", i), workflows.UpdateRecommend,
				workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520100", Counties: list}, nil)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	v, err := c.QueryWorkflow(ctx, workflows.CampaignID("520000", 2016), "", workflows.QueryCampaign)
	require.NoError(t, err)
	var cv readmodel.CampaignView
	require.NoError(t, v.Get(&cv))
	var filed []string
	for _, p := range cv.Prefectures {
		if p.Code == "520100" {
			filed = append(filed, p.Recommended...)
		}
	}
	require.Len(t, filed, 2, "the cap holds")
	var recommended []string
	for _, code := range counties {
		v, err := c.QueryWorkflow(ctx, workflows.CampaignID("520000", 2016), "", workflows.QueryApplication, code)
		require.NoError(t, err)
		var a readmodel.Application
		require.NoError(t, v.Get(&a))
		if a.State == domain.StateRecommended {
			recommended = append(recommended, code)
		}
		// The case's own workflow answers its query without an argument and catches up
		// with the campaign's decision as the transitions are signalled.
		assert.Eventually(t, func() bool {
			v, err := c.QueryWorkflow(ctx, workflows.ApplicationID(2016, code), "", workflows.QueryCase)
			var own readmodel.Application
			return err == nil && v.Get(&own) == nil && own.State == a.State
		}, 10*time.Second, 50*time.Millisecond, "the case workflow of %s sees its state", code)
	}
	sort.Strings(recommended)
	sort.Strings(filed)
	assert.Equal(t, filed, recommended, "exactly the last list's counties are recommended")
	assert.Equal(t, 2, cv.Counts[domain.StateRecommended])
}
