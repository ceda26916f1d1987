package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// toPublicity plays a compressed campaign to its notice: two directly administered
// counties self-apply, Guiyang recommends two, one reviewer scores, the admin ranks and
// publishes. With the quota of 3, 520382, 520526 and 520102 are shortlisted and 520111
// is the reserve.
func (h *harness) toPublicity(admin, publicity string) {
	h.t.Helper()
	h.toRanked(admin, publicity)
	h.must(http.StatusOK, req{method: http.MethodPost, path: h.campaignPath() + "/notice", token: admin, body: map[string]any{}})
}

// toRanked plays the campaign of toPublicity up to its ranking, before the notice.
func (h *harness) toRanked(admin, publicity string) {
	h.t.Helper()
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.openCampaign(admin, 4*time.Second, time.Minute, publicity)
	for _, c := range []string{"520382", "520526", "520102", "520111"} {
		h.must(http.StatusCreated, post(h.campaignPath()+"/applications", admin, map[string]string{"county": c}))
		h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath(c) + "/materials", token: admin, body: fullMaterials()})
		h.must(http.StatusOK, post(h.appPath(c)+"/submit", admin, map[string]any{}))
	}
	h.must(http.StatusOK, post(h.appPath("520382")+"/self-apply", admin, map[string]any{}))
	h.must(http.StatusOK, post(h.appPath("520526")+"/self-apply", admin, map[string]any{}))
	h.must(http.StatusOK, post(h.campaignPath()+"/prefectures/520100/recommendation", admin, map[string]any{"counties": []string{"520102", "520111"}}))
	apitest.Eventually(h.t, 20*time.Second, "the recommendation deadline", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseReviewing, string(p)
	})
	reviewer := token(h.t, domain.RoleReviewer, "520000", "reviewer-li")
	for c, mark := range map[string]float64{"520382": 90, "520526": 85, "520102": 80, "520111": 70} {
		h.must(http.StatusOK, post(h.appPath(c)+"/scorecards", reviewer, map[string]any{"criteria": allCriteria(mark)}))
	}
	h.must(http.StatusOK, post(h.campaignPath()+"/ranking", admin, map[string]any{}))
}

// chain is every run of a workflow, newest first, walked back through continue-as-new.
func chain(t testing.TB, h *harness, id string) []*historypb.History {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var out []*historypb.History
	for runID := ""; ; {
		it := h.tc.GetWorkflowHistory(ctx, id, runID, false, 0)
		hist := &historypb.History{}
		for it.HasNext() {
			e, err := it.Next()
			if err != nil {
				t.Fatalf("history of %s %s: %v", id, runID, err)
			}
			hist.Events = append(hist.Events, e)
		}
		out = append(out, hist)
		runID = hist.Events[0].GetWorkflowExecutionStartedEventAttributes().GetContinuedExecutionRunId()
		if runID == "" {
			return out
		}
	}
}

// size is a history's event count and bytes.
func size(hist *historypb.History) (events, bytes int) {
	for _, e := range hist.Events {
		bytes += proto.Size(e)
	}
	return len(hist.Events), bytes
}

// TestObjectionsStayOutOfWorkflowHistory: objections from the public add nothing to the
// campaign's history and their contacts never reach Temporal (R10; before, each was an
// Update and 2,000 of them stopped the campaign). Identical objections fold into one;
// open objections are capped per contact and per county.
func TestObjectionsStayOutOfWorkflowHistory(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2031, func(c *api.Config) {
		c.MaxOpenObjectionsPerCounty, c.MaxOpenObjectionsPerContact = 8, 3
		c.ObjectionRate, c.ObjectionBurst = 1000, 1000
	})
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	h.toPublicity(admin, "1m")
	object := func(county, reason, contact string) response {
		return h.serve(req{method: http.MethodPost, path: h.appPath(county) + "/objections", body: map[string]string{"reason": reason, "contact": contact}})
	}
	// The notice's signals to the cases are delivered after its Update answered
	// (fast-updates), each adding events to the campaign's history: count from a history
	// that stopped growing, so only what the objections add is measured.
	id := workflows.CampaignID(apitest.Province, h.year)
	before, _ := size(chain(t, h, id)[0])
	for quiet, deadline := time.Now(), time.Now().Add(15*time.Second); time.Since(quiet) < time.Second && time.Now().Before(deadline); {
		time.Sleep(200 * time.Millisecond)
		if now, _ := size(chain(t, h, id)[0]); now != before {
			before, quiet = now, time.Now()
		}
	}

	const contact = "objector@example.org 13800000000"
	var first filedObjection
	res := object("520382", "物流配送中心尚未建成", contact)
	if res.Code != http.StatusAccepted {
		t.Fatalf("objection: %s", res)
	}
	res.decode(t, &first)
	var again filedObjection
	object("520382", " 物流配送中心尚未建成。", strings.ToUpper(contact)).decode(t, &again)
	if again.ID != first.ID || !again.Folded {
		t.Fatalf("an identical objection folds into the first: %+v then %+v", first, again)
	}
	for i := 2; i <= 3; i++ {
		if res := object("520382", fmt.Sprintf("理由 %d", i), contact); res.Code != http.StatusAccepted {
			t.Fatalf("objection %d of the contact: %s", i, res)
		}
	}
	h.refused(http.StatusConflict, "conflict", "R10", req{method: http.MethodPost, path: h.appPath("520382") + "/objections",
		body: map[string]string{"reason": "第四条", "contact": contact}})
	for i := 0; i < 5; i++ {
		if res := object("520382", fmt.Sprintf("匿名 %d", i), ""); res.Code != http.StatusAccepted {
			t.Fatalf("anonymous objection %d: %s", i, res)
		}
	}
	h.refused(http.StatusConflict, "conflict", "R10", req{method: http.MethodPost, path: h.appPath("520382") + "/objections",
		body: map[string]string{"reason": "over the county's cap"}})
	h.refused(http.StatusConflict, "invalid_state", "R10", req{method: http.MethodPost, path: h.appPath("520111") + "/objections",
		body: map[string]string{"reason": "the reserve is not in publicity"}})
	h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodPost, path: h.appPath("520526") + "/objections",
		body: map[string]string{"reason": "x", "contact": strings.Repeat("1", domain.MaxContact+1)}})

	after, _ := size(chain(t, h, id)[0])
	if after != before {
		t.Fatalf("objections grew the campaign's history from %d to %d events", before, after)
	}

	// The administrator sees the contact; the decision goes through the workflow.
	var o readmodel.Objection
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/objections/" + first.ID, token: admin}).decode(t, &o)
	if o.Contact != contact || o.Copies != 2 || o.Status != domain.ObjectionOpen {
		t.Fatalf("stored objection: %+v", o)
	}
	h.must(http.StatusOK, req{method: http.MethodPost, path: h.campaignPath() + "/objections/" + first.ID + "/resolution", token: admin,
		body: map[string]string{"decision": "dismissed", "note": "不属实"}}).decode(t, &o)
	if o.Status != domain.ObjectionDismissed || o.Contact != contact {
		t.Fatalf("resolved objection: %+v", o)
	}
	h.refused(http.StatusConflict, "conflict", "R10", req{method: http.MethodPost, path: h.campaignPath() + "/objections/" + first.ID + "/resolution",
		token: admin, body: map[string]string{"decision": "upheld"}})

	// No contact anywhere in Temporal, nor on the county's timeline another county reads.
	for _, hist := range chain(t, h, workflows.CampaignID(apitest.Province, h.year)) {
		b, _ := protojson.Marshal(hist)
		if strings.Contains(string(b), "13800000000") {
			t.Fatal("an objector's contact is in the campaign's history")
		}
	}
	other := token(t, domain.RoleCounty, "520526", "official-520526")
	tl := h.must(http.StatusOK, req{method: http.MethodGet, path: h.appPath("520382") + "/timeline", token: other})
	if strings.Contains(string(tl.Body), "13800000000") || !strings.Contains(string(tl.Body), "objection_dismissed") {
		t.Fatalf("timeline of 520382: %s", tl.Body)
	}
}

// filedObjection is the 202 body of an objection.
type filedObjection struct {
	ID     string `json:"id"`
	Folded bool   `json:"folded"`
}

// TestResumedRunWaitsEachPeriodOnce: with 20 Updates per run, the campaign continues as
// new right after the ranking and takes the notice in its new run's first task. Its
// publicity timer must start once (a second one designated the counties twice and left
// the campaign's read model behind), and the campaign closes with the counties decided.
func TestResumedRunWaitsEachPeriodOnce(t *testing.T) {
	t.Parallel()
	for i := range 3 {
		t.Run(fmt.Sprint(i), func(t *testing.T) {
			t.Parallel()
			admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
			h := newHarness(t, 2034+i, func(c *api.Config) { c.Limits = workflows.Limits{UpdatesPerRun: 20} })
			h.toPublicity(admin, "3s")
			got := finalStates(t, h, admin)
			for county, want := range map[string]domain.State{"520382": domain.StateDesignated, "520526": domain.StateDesignated,
				"520102": domain.StateDesignated, "520111": domain.StateNotSelected} {
				if got[county] != want {
					t.Errorf("%s is %s; want %s", county, got[county], want)
				}
			}
			for _, run := range chain(t, h, workflows.CampaignID(apitest.Province, h.year)) {
				seen := map[string]bool{}
				for _, e := range run.Events {
					if e.GetTimerStartedEventAttributes() == nil {
						continue
					}
					summary := string(e.GetUserMetadata().GetSummary().GetData())
					if seen[summary] {
						t.Errorf("a run started two timers %s", summary)
					}
					seen[summary] = true
				}
			}
		})
	}
}
