package workflows_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestCampaignOfItsConfiguration runs a campaign that names its edition of the division
// codes, its Department and the office that hears objections: the campaign's view
// carries them, and its notice sends objections to that office and is signed by the
// Department (R9, R10).
func TestCampaignOfItsConfiguration(t *testing.T) {
	c := newCalendar(t)
	c.rankRenhuaiAlone()
	var n readmodel.Notice
	c.at(date(time.August, 4, 9), func() {
		c.ok(workflows.UpdatePublishNotice, workflows.AdminInput{Actor: admin}, &n)
	})
	cfg := campaign2016()
	cfg.Edition, cfg.Department, cfg.Contact = "2016", "贵州省商务厅", "省商务厅电子商务和信息化处（0851-86000000）"
	v := c.run(cfg)
	assert.Equal(t, domain.PhaseClosed, v.Phase)
	assert.Equal(t, []string{"2016", "贵州省商务厅", "省商务厅电子商务和信息化处（0851-86000000）"}, []string{v.Edition, v.Department, v.Contact})
	assert.Contains(t, n.Text, "\n1. 仁怀市（遵义市）综合得分 ")
	assert.Contains(t, n.Text, "\n公示期内如有异议，请向省商务厅电子商务和信息化处（0851-86000000）反映。\n")
	assert.Contains(t, n.Text, "\n贵州省商务厅\n")
}

// TestCampaignWithoutReferenceData: a campaign naming an edition of the division codes
// the reference data lacks does not start; the refusal is the config's (R2).
func TestCampaignWithoutReferenceData(t *testing.T) {
	c := newCalendar(t)
	cfg := campaign2016()
	cfg.Edition = "1999"
	c.env.ExecuteWorkflow(workflows.CampaignWorkflowName, workflows.CampaignInput{Config: cfg, CreatedBy: admin})
	require.True(t, c.env.IsWorkflowCompleted())
	re, ok := workflows.RuleErrorOf(c.env.GetWorkflowError())
	require.True(t, ok, "a rule's refusal: %v", c.env.GetWorkflowError())
	assert.Equal(t, domain.CodeBadRequest, re.Code)
	assert.Equal(t, "R2", re.Rule)
}
