package e2e

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
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
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

// flakyStore commits a projection and then reports failure for the first few calls,
// the way a worker that dies after PostgreSQL committed but before Temporal heard of
// it looks to the activity: Temporal retries a write that already landed.
type flakyStore struct {
	*store.Store
	failAfterCommit atomic.Int32
}

func (f *flakyStore) ApplyProjection(ctx context.Context, p readmodel.Projection) error {
	if err := f.Store.ApplyProjection(ctx, p); err != nil {
		return err
	}
	if f.failAfterCommit.Add(-1) >= 0 {
		return errors.New("connection lost after commit")
	}
	return nil
}

var admin = domain.Actor{Sub: "zeng", Role: domain.RoleAdmin, Region: "520000"}

func all(counties ...string) []string { return counties }

// TestCampaignInPostgres runs a compressed campaign on the in-process Temporal server
// with the PostgreSQL activities; halfway the worker is stopped and a new one takes
// over, and writes are retried after they committed. The read model ends as the
// workflows decided, and every timeline in PostgreSQL equals the case's own timeline in
// its workflow: no duplicate, no gap (R11).
func TestCampaignInPostgres(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	st, err := store.Open(ctx, storetest.NewDatabase(t), nil)
	require.NoError(t, err)
	t.Cleanup(st.Close)
	ts := testtemporal.New(t)
	c := ts.GetDefaultClient()
	fs := &flakyStore{Store: st}
	fs.failAfterCommit.Store(3)
	newWorker := func() sdkworker.Worker {
		w := worker.New(c, &activities.Activities{Store: fs}, sdkworker.Options{})
		require.NoError(t, w.Start())
		return w
	}
	w := newWorker()

	now := time.Now().In(domain.Shanghai).Truncate(time.Second)
	cfg := domain.Campaign{
		Year: 2016, Province: "520000", Quota: 2, PrefectureCap: 2,
		RecommendationDeadline: now.Add(15 * time.Second), NoticeDeadline: now.Add(45 * time.Second),
		PublicityPeriod: domain.DurationPeriod(3 * time.Second), Excluded: []string{"520123"},
		NationalScores: map[string]float64{"520328": 86.5}, Weights: domain.DefaultWeights(),
	}
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignID("520000", 2016), TaskQueue: workflows.TaskQueue},
		workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin})
	require.NoError(t, err)
	n := 0
	ok := func(name string, in, out any) {
		t.Helper()
		n++
		require.NoError(t, workflows.Send(ctx, c, client.UpdateWorkflowOptions{WorkflowID: workflows.CampaignID("520000", 2016), UpdateName: name,
			UpdateID: fmt.Sprintf("e2e-%d", n), Args: []any{in}}, out), name)
	}
	items := domain.Materials{"2": {Copies: 3}, "3": {Copies: 3}, "4": {Copies: 3}, "5": {Copies: 3}, "6": {Copies: 3}, "7": {Copies: 3}, "9": {Copies: 3}}
	for _, code := range all("520102", "520111", "520112", "520328", "520302") {
		ok(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: code}, nil)
		if code != "520328" {
			ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: admin, County: code, Items: items}, nil)
		}
		ok(workflows.UpdateSubmit, workflows.SubmitInput{Actor: admin, County: code}, nil)
	}
	ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520100", Counties: all("520111", "520112")}, nil)
	ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520300", Counties: all("520328", "520302")}, nil)

	// The worker goes away mid-campaign; the deadline falls due while nobody runs.
	w.Stop()
	time.Sleep(time.Until(cfg.RecommendationDeadline.Add(2 * time.Second)))
	w = newWorker()
	defer w.Stop()
	waitFor(t, ctx, "the deadline's expiry in PostgreSQL", func() bool {
		a, err := st.Application(ctx, "520000", 2016, "520102")
		return err == nil && a.State == domain.StateExpired
	})

	card := func(v float64) domain.Scorecard {
		return domain.Scorecard{"organization": v, "infrastructure": v, "logistics": v, "online_sales": v, "implementers": v, "other": v}
	}
	for code, v := range map[string]float64{"520111": 90, "520112": 70, "520328": 80, "520302": 60} {
		ok(workflows.UpdateScore, workflows.ScoreInput{Actor: admin, County: code, Criteria: card(v)}, nil)
	}
	ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, nil)
	ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, nil)
	var final readmodel.CampaignView
	require.NoError(t, run.Get(ctx, &final))

	// The read model holds what the workflows decided.
	want := map[string]domain.State{"520102": domain.StateExpired, "520111": domain.StateDesignated, "520328": domain.StateDesignated,
		"520112": domain.StateNotSelected, "520302": domain.StateNotSelected}
	apps, err := st.Applications(ctx, "520000", 2016, "", "", store.PageRequest[string]{Limit: len(want) + 1})
	require.NoError(t, err)
	require.Len(t, apps.Items, len(want))
	for _, a := range apps.Items {
		assert.Equal(t, want[a.County], a.State, a.County)
	}
	cv, err := st.Campaign(ctx, "520000", 2016)
	require.NoError(t, err)
	assert.Equal(t, domain.PhaseClosed, cv.Phase)
	assert.Equal(t, 2, cv.Counts[domain.StateDesignated])
	notice, err := st.Notice(ctx, "520000", 2016)
	require.NoError(t, err)
	assert.Len(t, notice.Shortlist, 2)
	assert.Contains(t, notice.Text, "入围名单公示")

	// R11: PostgreSQL's timeline of each case is exactly the case workflow's own. The
	// campaign signals each case its transitions and may complete before Temporal has
	// delivered the last ones, so a case's own timeline catches up within moments.
	for county := range want {
		id := workflows.ApplicationID(2016, county)
		page, err := st.Timeline(ctx, id, store.PageRequest[int64]{Limit: 100})
		require.NoError(t, err)
		require.Nil(t, page.Next, "%s: the timeline fits one page", id)
		rows := page.Items
		var own []readmodel.Event
		waitFor(t, ctx, id+"'s own timeline to hold every event", func() bool {
			// A finished case answers queries from its history, on the live worker.
			v, err := c.QueryWorkflow(ctx, id, "", workflows.QueryTimeline)
			require.NoError(t, err, id)
			own = nil
			require.NoError(t, v.Get(&own))
			return len(own) >= len(rows)
		})
		require.Len(t, rows, len(own), "%s: rows in PostgreSQL vs events in the workflow", id)
		for i := range rows {
			assert.Equal(t, int64(i+1), rows[i].Seq, id)
			assert.Equal(t, own[i].Action, rows[i].Action, id)
			assert.Equal(t, own[i].To, rows[i].To, id)
		}
	}
	assert.LessOrEqual(t, fs.failAfterCommit.Load(), int32(0), "the retried-after-commit writes happened")
}

func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(100 * time.Millisecond):
		}
	}
}
