package workflows_test

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/testsuite"
	"go.temporal.io/sdk/workflow"

	"github.com/guizhou-commerce/selection/workflows"
)

// TestFullRunRefusesAsHandingOver: once a run accepted its share of Updates it takes no
// more (DESIGN.md §5, continue-as-new): the next Update is refused as handing over, which
// is no rule's refusal (workflows.Send sends it again to the next run), and the run
// continues as new with the one it accepted applied.
func TestFullRunRefusesAsHandingOver(t *testing.T) {
	c := newCalendar(t)
	var accepted, refused error
	acceptedDone := false
	c.at(date(time.July, 2, 9), func() {
		c.then(func() {
			c.env.UpdateWorkflow(workflows.UpdateRegister, "first", &testsuite.TestUpdateCallback{
				OnAccept: func() {}, OnReject: func(err error) { accepted = err },
				OnComplete: func(_ any, err error) { accepted, acceptedDone = err, true },
			}, workflows.RegisterInput{Actor: admin, County: "520102"})
			c.env.UpdateWorkflow(workflows.UpdateRegister, "second", &testsuite.TestUpdateCallback{
				OnAccept: func() { t.Error("the second Update was accepted by a full run") },
				OnReject: func(err error) { refused = err }, OnComplete: func(any, error) {},
			}, workflows.RegisterInput{Actor: admin, County: "520111"})
		})
	})
	cfg := campaign2016()
	// The run ends in continue-as-new while its case workflow still runs; the test
	// environment must not wait for that abandoned child.
	c.env.SetDetachedChildWait(false)
	c.env.SetStartWorkflowOptions(client.StartWorkflowOptions{ID: workflows.CampaignID(cfg.Province, cfg.Year)})
	c.env.ExecuteWorkflow(workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin, Limits: workflows.Limits{UpdatesPerRun: 1}})

	require.True(t, c.env.IsWorkflowCompleted())
	var can *workflow.ContinueAsNewError
	require.True(t, errors.As(c.env.GetWorkflowError(), &can), "the full run continues as new, got %v", c.env.GetWorkflowError())
	assert.True(t, acceptedDone, "the first registration completed before the run ended")
	assert.NoError(t, accepted)
	require.Error(t, refused)
	assert.True(t, workflows.HandingOver(refused), "refused with %v", refused)
	_, isRule := workflows.RuleErrorOf(refused)
	assert.False(t, isRule, "handing over is no rule's refusal")
	assert.Equal(t, "registered", string(c.rec.state("520102")))
	assert.Empty(t, string(c.rec.state("520111")))
}
