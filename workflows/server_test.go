package workflows_test

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	sdkworker "go.temporal.io/sdk/worker"
	"google.golang.org/protobuf/encoding/protojson"

	"github.com/guizhou-commerce/selection/activities"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/testtemporal"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/worker"
	"github.com/guizhou-commerce/selection/workflows"
)

var recordHistories = flag.Bool("record-histories", false, "write the histories of TestCampaignOnServer to testdata/ for the replay tests")

// historyFiles are the workflows whose histories TestCampaignOnServer records with
// -record-histories. The replay test replays every file in testdata, so the histories
// recorded by earlier versions of the code stay there and keep replaying.
var historyFiles = map[string]string{
	workflows.CampaignID("520000", 2016):    "campaign-520000-2016-v6.json",
	workflows.ApplicationID(2016, "520102"): "application-2016-520102-v6.json",
	workflows.ApplicationID(2016, "520111"): "application-2016-520111-v6.json",
}

// TestCampaignOnServer runs a compressed campaign with real, seconds-away deadlines on
// the in-process Temporal server: timers fire with nobody acting (R5, R10), and the
// search attributes are readable through visibility (DESIGN.md §4).
func TestCampaignOnServer(t *testing.T) {
	ts := testtemporal.New(t)
	c := ts.GetDefaultClient()
	rec := newRecorder()
	w := worker.New(c, &activities.Activities{Store: rec}, sdkworker.Options{})
	require.NoError(t, w.Start())
	t.Cleanup(w.Stop)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	final := playCompressed(t, ctx, c, rec, 2016, workflows.Limits{}, 0)
	assert.Equal(t, domain.PhaseClosed, final.Phase)
	assert.Equal(t, 2, final.Counts[domain.StateDesignated])
	assert.Equal(t, 1, final.Counts[domain.StateRemoved])

	// DESIGN.md §4: search attributes are current and queryable through visibility.
	expectListed(t, ctx, c, ts.GetDefaultNamespace(), `CampaignYear = 2016 AND ApplicationState = "expired"`, workflows.ApplicationID(2016, "520102"))
	expectListed(t, ctx, c, ts.GetDefaultNamespace(), `ApplicationState = "removed" AND PrefectureCode = "520300"`, workflows.ApplicationID(2016, "520382"))
	expectListed(t, ctx, c, ts.GetDefaultNamespace(), `CountyCode = "520111" AND ApplicationState = "designated"`, workflows.ApplicationID(2016, "520111"))

	// The histories replay with today's code; -record-histories keeps them for tomorrow's.
	for id, file := range historyFiles {
		h := history(t, ctx, c, id, "")
		replayer := sdkworker.NewWorkflowReplayer()
		worker.RegisterWorkflows(replayer)
		require.NoError(t, replayer.ReplayWorkflowHistory(nil, h), "replay %s", id)
		if *recordHistories {
			b, err := protojson.MarshalOptions{Multiline: true, Indent: "  "}.Marshal(h)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join("testdata", file), b, 0o644))
		}
	}
}

// playCompressed plays the compressed campaign of year on the server: registrations,
// a refusal, filings, the deadline on its own, scores, ranking, the notice, an upheld
// objection from the public, a promotion, and both publicity periods ending on their
// timers. It pauses between the ranking and the notice. It returns the campaign's final
// view.
func playCompressed(t *testing.T, ctx context.Context, c client.Client, rec *recorder, year int, limits workflows.Limits, pauseBeforeNotice time.Duration) readmodel.CampaignView {
	t.Helper()
	now := time.Now().In(domain.Shanghai).Truncate(time.Second)
	cfg := campaign2016()
	cfg.Year = year
	// Eighteen Updates come before the deadline, in the chained play a continue-as-new
	// every four: 10 seconds leave room for a loaded machine (the deadline then passes
	// on its own, which the play waits for).
	cfg.RecommendationDeadline = now.Add(10 * time.Second)
	cfg.NoticeDeadline = now.Add(30 * time.Second)
	cfg.PublicityPeriod = domain.DurationPeriod(3 * time.Second)
	cfg.Quota = 2
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: workflows.CampaignID("520000", year), TaskQueue: workflows.TaskQueue},
		workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin, Limits: limits})
	require.NoError(t, err)

	n := 0
	update := func(name string, in, out any) error {
		n++
		return workflows.Send(ctx, c, client.UpdateWorkflowOptions{
			WorkflowID: workflows.CampaignID("520000", year), UpdateName: name, UpdateID: fmt.Sprintf("test-%d", n), Args: []any{in},
		}, out)
	}
	ok := func(name string, in, out any) {
		t.Helper()
		require.NoError(t, update(name, in, out), name)
	}
	for _, code := range []string{"520102", "520111", "520112", "520382"} {
		ok(workflows.UpdateRegister, workflows.RegisterInput{Actor: county(code), County: code}, nil)
		ok(workflows.UpdateMaterials, workflows.MaterialsInput{Actor: county(code), County: code, Items: complete()}, nil)
		ok(workflows.UpdateSubmit, workflows.SubmitInput{Actor: county(code), County: code}, nil)
	}
	err = update(workflows.UpdateRegister, workflows.RegisterInput{Actor: admin, County: "520123"}, nil)
	re, refused := workflows.RuleErrorOf(err)
	require.True(t, refused, "a validator's refusal crosses the wire as a rule error: %v", err)
	assert.Equal(t, domain.CodeIneligible, re.Code)
	assert.Equal(t, "R2", re.Rule)
	// R13: a forfeiture filed by mistake is reinstated; the deadline moves 3 seconds
	// later and a national score is corrected, each with a reason.
	ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: admin, Prefecture: "520100", Counties: []string{"520102", "520111", "520112"}}, nil)
	ok(workflows.UpdateReinstate, workflows.ReinstateInput{Actor: admin, Prefecture: "520100", Reason: "filed by mistake"}, nil)
	ok(workflows.UpdateAmend, workflows.AmendInput{Actor: admin, Reason: "one more day", RecommendationDeadline: cfg.RecommendationDeadline.Add(3 * time.Second),
		NationalScores: map[string]*float64{"520328": pts(87)}}, nil)
	ok(workflows.UpdateRecommend, workflows.RecommendInput{Actor: prefecture("520100"), Prefecture: "520100", Counties: []string{"520111", "520112"}, ReceivedAt: time.Now()}, nil)
	ok(workflows.UpdateSelfApply, workflows.SelfApplyInput{Actor: county("520382"), County: "520382"}, nil)

	// R5: the deadline passes with nobody acting.
	waitFor(t, ctx, "the recommendation deadline", func() bool { return rec.state("520102") == domain.StateExpired })
	for _, code := range []string{"520111", "520112", "520382"} {
		review := map[string]float64{"520111": 90, "520112": 70, "520382": 80}[code]
		ok(workflows.UpdateScore, workflows.ScoreInput{Actor: reviewer("li"), County: code, Criteria: card(review, review, review, review, review, review)}, nil)
	}
	var r domain.Ranking
	ok(workflows.UpdateRank, workflows.AdminInput{Actor: admin}, &r)
	require.Len(t, r.Shortlist, 2)
	assert.Equal(t, "520111", r.Shortlist[0].County)
	assert.InDelta(t, 93, r.Shortlist[0].Total, 1e-9)
	time.Sleep(pauseBeforeNotice)
	for _, code := range []string{"520111", "520382"} {
		assert.Equal(t, domain.StateShortlisted, rec.state(code), "ranked, and no notice yet")
	}
	ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, nil)
	id := rec.file(t, "520382", "材料不实", "")
	ok(workflows.UpdateResolveObjection, workflows.ResolveInput{Actor: admin, ID: id, County: "520382", Decision: domain.DecisionUpheld}, nil)
	var promoted readmodel.Application
	ok(workflows.UpdatePromoteReserve, workflows.AdminInput{Actor: admin}, &promoted)
	assert.Equal(t, "520112", promoted.County)

	// R10: both publicity periods end on their timers; the campaign closes.
	var final readmodel.CampaignView
	require.NoError(t, run.Get(ctx, &final))
	return final
}

func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("gave up waiting for %s", what)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// expectListed polls visibility (eventually consistent) until the query lists id.
func expectListed(t *testing.T, ctx context.Context, c client.Client, ns, query, id string) {
	t.Helper()
	waitFor(t, ctx, "visibility: "+query, func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: ns, Query: query})
		if err != nil {
			t.Fatalf("list %q: %v", query, err)
		}
		for _, e := range resp.GetExecutions() {
			if e.GetExecution().GetWorkflowId() == id {
				return true
			}
		}
		return false
	})
}

// history fetches a run's history; runID "" is the latest run.
func history(t *testing.T, ctx context.Context, c client.Client, id, runID string) *historypb.History {
	t.Helper()
	it := c.GetWorkflowHistory(ctx, id, runID, false, 0)
	h := &historypb.History{}
	for it.HasNext() {
		e, err := it.Next()
		if err != nil && !errors.Is(err, context.Canceled) {
			require.NoError(t, err)
		}
		h.Events = append(h.Events, e)
	}
	return h
}
