package workflows

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// TestNoticeTextOfRecordedCampaigns renders again every notice the recorded campaigns
// published, from the notice and the campaign's configuration as recorded: a running
// campaign's next version of its notice reads exactly as its earlier ones (R9, R10).
func TestNoticeTextOfRecordedCampaigns(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "campaign-*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	dc := converter.GetDefaultDataConverter()
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			f, err := os.Open(file)
			require.NoError(t, err)
			defer f.Close()
			h, err := client.HistoryFromJSON(f, client.HistoryJSONOptions{})
			require.NoError(t, err)
			var in CampaignInput
			notices := 0
			for _, e := range h.GetEvents() {
				switch e.GetEventType() {
				case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED:
					require.NoError(t, dc.FromPayloads(e.GetWorkflowExecutionStartedEventAttributes().GetInput(), &in))
				case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
					a := e.GetActivityTaskScheduledEventAttributes()
					if a.GetActivityType().GetName() != "PublishNotice" {
						continue
					}
					var n readmodel.Notice
					require.NoError(t, dc.FromPayloads(a.GetInput(), &n))
					divs, err := domain.ReferenceFor(in.Config)
					require.NoError(t, err)
					c := &campaign{cfg: in.Config, divs: divs}
					c.Notice = &n
					assert.Equal(t, n.Text, c.noticeText(), "notice version %d, event %d", n.Version, e.GetEventId())
					notices++
				}
			}
			assert.Positive(t, notices, "the history publishes a notice")
		})
	}
}

// TestNoticeText covers what the recorded campaigns do not: a withdrawn and a designated
// entry, a prefecture the reference data lacks, and a shortlist left empty. The text is
// the one the workflow wrote before the wording became reference data.
func TestNoticeText(t *testing.T) {
	ends := time.Date(2016, 9, 7, 23, 59, 59, 0, domain.Shanghai)
	cfg := domain.Campaign{Year: 2016, Province: "520000"}
	divs, err := domain.ReferenceFor(cfg)
	require.NoError(t, err)
	c := &campaign{cfg: cfg, divs: divs}
	c.Notice = &readmodel.Notice{PublicityEndsAt: ends.UTC(), Shortlist: []readmodel.NoticeEntry{
		{County: "520111", Name: "花溪区", Prefecture: "520100", Rank: 1, Total: 93, Status: "designated"},
		{County: "520382", Name: "仁怀市", Prefecture: "520300", Rank: 2, Total: 82.25, Status: "withdrawn"},
		{County: "520113", Name: "白云区", Prefecture: "520100", Rank: 3, Total: 80.5, Status: "removed"},
		{County: "520112", Name: "乌当区", Prefecture: "529900", Rank: 4, Total: 71, Status: "shortlisted", Promoted: true, PublicityEndsAt: ends.Add(72 * time.Hour).UTC()},
	}}
	assert.Equal(t, "2016年省级电子商务进农村综合示范县入围名单公示\n\n"+
		"经各市（州）推荐、省直管县自行申报和评审，现将入围名单公示如下（公示期至2016年9月7日 23:59）：\n\n"+
		"1. 花溪区（贵阳市）综合得分 93.00\n"+
		"2. 仁怀市（遵义市）综合得分 82.25（已主动退出）\n"+
		"3. 白云区（贵阳市）综合得分 80.50（异议成立，取消入围）\n"+
		"4. 乌当区（）综合得分 71.00（递补，公示期至2016年9月10日 23:59）\n\n"+
		"公示期内如有异议，请向省商务厅电子商务和信息化处反映。\n", c.noticeText())
	c.Notice.Shortlist = nil
	assert.Equal(t, "2016年省级电子商务进农村综合示范县入围名单公示\n\n"+
		"经各市（州）推荐、省直管县自行申报和评审，现将入围名单公示如下（公示期至2016年9月7日 23:59）：\n\n"+
		"\n公示期内如有异议，请向省商务厅电子商务和信息化处反映。\n", c.noticeText())
}
