package api_test

import (
	"context"
	"encoding/json"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/converter"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// utcTime matches a time written in UTC ("…Z"), which R14 rules out of every response.
var utcTime = regexp.MustCompile(`"\d{4}-\d\d-\d\dT[0-9:.]+Z"`)

// TestCorrectionsThroughHTTP: R13 through the API. A forfeiture filed by mistake is
// reinstated with a reason; an amendment without a reason or without a change is
// refused; the recommendation deadline moves, its durable timer with it (the Web UI's
// timer summary names the new instant); once it has passed nothing of it can change.
// Every time in the answers carries +08:00 (R14).
func TestCorrectionsThroughHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2051)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	zunyi := token(t, domain.RolePrefecture, "520300", "zunyi")
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.openCampaign(admin, time.Hour, 2*time.Hour, "168h")
	for _, c := range []string{"520322", "520324", "520326"} {
		h.must(http.StatusCreated, post(h.campaignPath()+"/applications", admin, map[string]string{"county": c}))
		h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath(c) + "/materials", token: admin, body: fullMaterials()})
		h.must(http.StatusOK, post(h.appPath(c)+"/submit", admin, map[string]any{}))
	}
	reinstate := h.campaignPath() + "/prefectures/520300/reinstate"
	h.refused(http.StatusConflict, "invalid_state", "R13", post(reinstate, admin, map[string]string{"reason": "nothing forfeited"}))
	h.must(http.StatusOK, post(h.campaignPath()+"/prefectures/520300/recommendation", zunyi, map[string]any{"counties": []string{"520322", "520324", "520326"}}))
	if s := h.application(admin, "520322").State; s != domain.StateForfeited {
		t.Fatalf("over the cap forfeits (R3): %s", s)
	}
	h.refused(http.StatusBadRequest, "bad_request", "R13", post(reinstate, admin, map[string]string{}))
	h.refused(http.StatusBadRequest, "bad_request", "", post(reinstate, admin, map[string]string{"reason": "x", "extra": "y"}))
	h.refused(http.StatusForbidden, "forbidden", "", post(reinstate, zunyi, map[string]string{"reason": "我们填错了"}))
	var v readmodel.CampaignView
	h.must(http.StatusOK, post(reinstate, admin, map[string]string{"reason": "管理员代填时误报三县"})).decode(t, &v)
	if p := prefectureIn(v, "520300"); p.Status != domain.PrefectureOpen || len(p.Recommended) != 0 {
		t.Fatalf("reinstated prefecture: %+v", p)
	}
	if s := h.application(admin, "520326").State; s != domain.StateSubmitted {
		t.Fatalf("a reinstated case returns to its earlier state (R13): %s", s)
	}
	if e := lastEvent(t, h, admin, h.appPath("520326")); e.Action != "reinstated" || e.Rule != "R13" || !strings.Contains(e.Detail, "管理员代填时误报三县") {
		t.Fatalf("the case's timeline: %+v", e)
	}

	amend := h.campaignPath() + "/amendments"
	h.refused(http.StatusBadRequest, "bad_request", "R13", post(amend, admin, map[string]any{"recommendation_deadline": "2099-08-01"}))
	h.refused(http.StatusBadRequest, "bad_request", "R13", post(amend, admin, map[string]any{"reason": "nothing"}))
	h.refused(http.StatusBadRequest, "bad_request", "R14", post(amend, admin, map[string]any{"reason": "x", "notice_deadline": "next week"}))
	h.refused(http.StatusForbidden, "forbidden", "", post(amend, zunyi, map[string]any{"reason": "x", "recommendation_deadline": "2099-08-01"}))
	h.refused(http.StatusConflict, "deadline_passed", "R13", post(amend, admin, map[string]any{"reason": "x", "recommendation_deadline": "2016-08-05"}))
	h.must(http.StatusOK, post(amend, admin, map[string]any{"reason": "national list", "national_scores": map[string]any{"520322": 91, "520328": nil}}))
	v = h.campaign(admin)
	if v.NationalScores["520322"] != 91 || len(v.NationalScores) != 1 || !h.application(admin, "520322").Exempt {
		t.Fatalf("corrected national scores: %+v", v.NationalScores)
	}
	moved := time.Now().Add(5 * time.Second).Truncate(time.Second)
	h.must(http.StatusOK, post(amend, admin, map[string]any{"reason": "提前截止", "recommendation_deadline": moved.Format(time.RFC3339)})).decode(t, &v)
	if !v.Deadlines.Recommendation.Equal(moved) {
		t.Fatalf("moved deadline: %v, want %v", v.Deadlines.Recommendation, moved)
	}
	summaries := timerSummaries(t, h)
	if len(summaries) < 2 || !strings.Contains(summaries[len(summaries)-1], moved.In(shanghai).Format(time.RFC3339)) {
		t.Fatalf("the durable timer moves with the deadline (R13): %q", summaries)
	}
	apitest.Eventually(t, 30*time.Second, "the moved deadline", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseReviewing, string(p)
	})
	if s := h.application(admin, "520324").State; s != domain.StateExpired {
		t.Fatalf("the moved deadline expires what was not recommended (R5): %s", s)
	}
	h.refused(http.StatusConflict, "deadline_passed", "R13", post(amend, admin, map[string]any{"reason": "x", "recommendation_deadline": "2099-08-01"}))
	h.refused(http.StatusConflict, "invalid_state", "R13", post(amend, admin, map[string]any{"reason": "x", "excluded_add": []string{"520111"}}))
	h.refused(http.StatusConflict, "deadline_passed", "R13", post(reinstate, admin, map[string]string{"reason": "x"}))

	// R14: every time the API returns carries the campaign's offset, never Z.
	for _, path := range []string{h.campaignPath(), h.appPath("520322"), h.appPath("520322") + "/timeline", h.campaignPath() + "/timeline", h.campaignPath() + "/applications"} {
		body := h.must(http.StatusOK, req{method: http.MethodGet, path: path, token: admin}).Body
		if m := utcTime.Find(body); m != nil || !strings.Contains(string(body), "+08:00") {
			t.Errorf("GET %s returns a time in UTC (%s) or none in +08:00", path, m)
		}
	}
}

func prefectureIn(v readmodel.CampaignView, code string) readmodel.Prefecture {
	for _, p := range v.Prefectures {
		if p.Code == code {
			return p
		}
	}
	return readmodel.Prefecture{}
}

func lastEvent(t *testing.T, h *harness, tok, path string) readmodel.Event {
	t.Helper()
	var body struct {
		Events []readmodel.Event `json:"events"`
	}
	h.must(http.StatusOK, req{method: http.MethodGet, path: path + "/timeline", token: tok}).decode(t, &body)
	if len(body.Events) == 0 {
		t.Fatalf("no events at %s", path)
	}
	return body.Events[len(body.Events)-1]
}

// timerSummaries are the summaries of the campaign's timers as the Web UI shows them,
// oldest first.
func timerSummaries(t *testing.T, h *harness) []string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var out []string
	it := h.tc.GetWorkflowHistory(ctx, workflows.CampaignID(apitest.Province, h.year), "", false, enumspb.HISTORY_EVENT_FILTER_TYPE_ALL_EVENT)
	for it.HasNext() {
		e, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if e.GetEventType() != enumspb.EVENT_TYPE_TIMER_STARTED {
			continue
		}
		var s string
		if p := e.GetUserMetadata().GetSummary(); p != nil {
			if err := converter.GetDefaultDataConverter().FromPayload(p, &s); err != nil {
				t.Fatal(err)
			}
		}
		out = append(out, s)
	}
	return out
}

// TestObjectionOpenAtPeriodEndThenUpheld: R10 as revised through the API. An objection
// still open when the county's publicity ends holds the county; upheld afterwards, it
// removes the county at once and leaves a vacancy the reserve fills, with a publicity
// of its own, instead of closing the campaign short of its quota.
func TestObjectionOpenAtPeriodEndThenUpheld(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2052)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.toPublicity(admin, "4s")
	var filed filedObjection
	h.must(http.StatusAccepted, post(h.appPath("520382")+"/objections", "", map[string]string{"reason": "网销数据存疑"})).decode(t, &filed)
	apitest.Eventually(t, 30*time.Second, "the publicity period ends", func() (bool, string) {
		s := h.application(admin, "520526").State
		return s == domain.StateDesignated, string(s)
	})
	if s := h.application(admin, "520382").State; s != domain.StateShortlisted {
		t.Fatalf("an open objection holds the county at the period's end (R10): %s", s)
	}
	h.must(http.StatusOK, post(h.campaignPath()+"/objections/"+filed.ID+"/resolution", admin, map[string]string{"decision": "upheld", "note": "属实"}))
	if s := h.application(admin, "520382").State; s != domain.StateRemoved {
		t.Fatalf("upheld removes at once (R10): %s", s)
	}
	v := h.campaign(admin)
	if v.Phase != domain.PhasePublicity || v.Vacancies != 1 {
		t.Fatalf("a vacancy with a reserve left keeps the campaign open (R10): %s, %d vacancies", v.Phase, v.Vacancies)
	}
	var promoted readmodel.Application
	h.must(http.StatusOK, post(h.campaignPath()+"/reserve/promote", admin, map[string]any{})).decode(t, &promoted)
	if promoted.County != "520111" || promoted.State != domain.StateShortlisted {
		t.Fatalf("promoted: %+v", promoted)
	}
	apitest.Eventually(t, 30*time.Second, "the campaign closes", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseClosed, string(p)
	})
	var d readmodel.Designation
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/designation"}).decode(t, &d)
	if len(d.Designated) != 3 || !d.Designated[2].Promoted || d.Designated[2].County != "520111" {
		t.Fatalf("the quota is met with the promoted reserve: %+v", d)
	}
	var n readmodel.Notice
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice"}).decode(t, &n)
	statuses := map[string]string{}
	for _, e := range n.Shortlist {
		statuses[e.County] = e.Status
	}
	if statuses["520382"] != "removed" || statuses["520111"] != "designated" {
		t.Fatalf("the current notice marks the removed and the promoted: %+v", n.Shortlist)
	}
}

// TestWithdrawalBeforeNotice: R10 as revised through the API. A shortlisted county that
// withdraws after the ranking and before the notice makes the ranking stale: the notice
// is refused until the ranking runs again, and the new shortlist is full again.
func TestWithdrawalBeforeNotice(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2053)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.toRanked(admin, "168h")
	h.must(http.StatusOK, post(h.appPath("520526")+"/withdraw", admin, map[string]string{"reason": "县里决定明年再报"}))
	if p := h.campaign(admin).Phase; p != domain.PhaseReviewing {
		t.Fatalf("the ranking is stale after a withdrawal (R10): %s", p)
	}
	h.refused(http.StatusConflict, "conflict", "R9", post(h.campaignPath()+"/notice", admin, map[string]any{}))
	var r struct {
		Shortlist []json.RawMessage `json:"shortlist"`
		Reserve   []json.RawMessage `json:"reserve"`
	}
	h.must(http.StatusOK, post(h.campaignPath()+"/ranking", admin, map[string]any{})).decode(t, &r)
	if len(r.Shortlist) != 3 || len(r.Reserve) != 0 {
		t.Fatalf("the new ranking: %d shortlisted, %d in reserve", len(r.Shortlist), len(r.Reserve))
	}
	var n readmodel.Notice
	h.must(http.StatusOK, post(h.campaignPath()+"/notice", admin, map[string]any{})).decode(t, &n)
	if len(n.Shortlist) != 3 {
		t.Fatalf("the notice lists the full quota: %+v", n.Shortlist)
	}
	if utcTime.Match(h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice"}).Body) {
		t.Error("the public notice returns times in UTC (R14)")
	}
}
