package api_test

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// One deployment serves many provinces (issue 14): 河南省 410000 runs its own campaign
// end to end under /api/v1/provinces/410000/…, in the same year as the deployment's
// Guizhou campaign on the routes of API.md, with the notice's own list of directly
// administered counties (R4: 巩义 410181 and 兰考 410225, which the reference data
// files under their prefectures), officials confined to their province (R12), and
// nothing of one campaign visible in the other.
func TestProvinces_Henan_runs_a_campaign_beside_Guizhou_in_the_same_year(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2075)
	henan := fmt.Sprintf("/api/v1/provinces/410000/campaigns/%d", h.year)
	app := func(county string) string { return henan + "/applications/" + county }
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = h.tc.TerminateWorkflow(ctx, workflows.CampaignID("410000", h.year), "", "test over")
	})
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	get := func(path, tok string) req { return req{method: http.MethodGet, path: path, token: tok} }

	admin := token(t, domain.RoleAdmin, "410000", "admin-henan")
	guizhouAdmin := token(t, domain.RoleAdmin, "520000", "admin-guizhou")
	reviewer := token(t, domain.RoleReviewer, "410000", "reviewer-henan")
	zhengzhou := token(t, domain.RolePrefecture, "410100", "zhengzhou-official")
	county := func(code string) string { return token(t, domain.RoleCounty, code, "official-"+code) }

	now := time.Now()
	body := map[string]any{
		"year": h.year, "quota": 3, "prefecture_cap": 2,
		"recommendation_deadline": now.Add(8 * time.Second).In(shanghai).Format(time.RFC3339Nano),
		"notice_deadline":         now.Add(time.Hour).In(shanghai).Format(time.RFC3339Nano),
		"publicity_period":        "2s",
		"excluded":                []string{"410185"},
		"national_scores":         map[string]float64{"410182": 88},
		"directly_administered":   []string{"410181", "410225"},
	}
	// R12: Guizhou's administrator opens no campaign for Henan; a body that names
	// another province than the path is refused.
	h.refused(http.StatusForbidden, "forbidden", "R12", post("/api/v1/provinces/410000/campaigns", guizhouAdmin, body))
	body["province"] = "520000"
	h.refused(http.StatusBadRequest, "bad_request", "", post("/api/v1/provinces/410000/campaigns", admin, body))
	delete(body, "province")
	h.refused(http.StatusNotFound, "not_found", "", get("/api/v1/provinces/990000/campaigns/2075", admin))

	res := h.must(http.StatusCreated, post("/api/v1/provinces/410000/campaigns", admin, body))
	if loc := res.Header.Get("Location"); loc != henan {
		t.Errorf("Location = %q, want %q", loc, henan)
	}
	var v readmodel.CampaignView
	res.decode(t, &v)
	if v.Province != "410000" || v.Department != "河南省商务厅" || v.WorkflowID != workflows.CampaignID("410000", h.year) ||
		!slices.Equal(v.DirectlyAdministered, []string{"410181", "410225"}) || len(v.Prefectures) != 18 {
		t.Fatalf("Henan's campaign = province %s, department %s, workflow %s, directly administered %v, %d prefectures",
			v.Province, v.Department, v.WorkflowID, v.DirectlyAdministered, len(v.Prefectures))
	}
	h.refused(http.StatusConflict, "conflict", "R1", post("/api/v1/provinces/410000/campaigns", admin, body))

	// The deployment's own province opens the same year on the routes of API.md.
	guizhou := h.openCampaign(guizhouAdmin, time.Hour, 2*time.Hour, "7d")
	if guizhou.Province != "520000" || guizhou.WorkflowID != workflows.CampaignID("520000", h.year) {
		t.Fatalf("Guizhou's campaign = %s %s", guizhou.Province, guizhou.WorkflowID)
	}
	h.refused(http.StatusForbidden, "forbidden", "R12", get(h.campaignPath(), admin))
	h.refused(http.StatusForbidden, "forbidden", "R12", get(henan, guizhouAdmin))
	h.refused(http.StatusForbidden, "forbidden", "R12", get(henan, county("520322")))

	// Counties register, deliver and submit (R2, R6); 410182 has a national score and is
	// exempt from materials. An excluded county (R2) and Guizhou's county are refused.
	for _, c := range []string{"410181", "410182", "410183", "410184", "410225"} {
		h.must(http.StatusCreated, post(henan+"/applications", county(c), map[string]string{"county": c}))
		if c != "410182" {
			h.must(http.StatusOK, req{method: http.MethodPut, path: app(c) + "/materials", token: county(c), body: fullMaterials()})
		}
		h.must(http.StatusOK, post(app(c)+"/submit", county(c), nil))
	}
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", post(henan+"/applications", admin, map[string]string{"county": "410185"}))
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", post(henan+"/applications", admin, map[string]string{"county": "520322"}))
	h.refused(http.StatusNotFound, "not_found", "", get(app("520322"), admin))

	// R3, R4: 郑州 recommends two of its counties; 巩义 is one of its counties in the
	// data, but the notice lists it as directly administered, so 郑州 may not.
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R4", post(henan+"/prefectures/410100/recommendation", zhengzhou,
		map[string]any{"counties": []string{"410181"}, "document_ref": "郑商发〔2075〕1号"}))
	h.must(http.StatusOK, post(henan+"/prefectures/410100/recommendation", zhengzhou,
		map[string]any{"counties": []string{"410183", "410182"}, "document_ref": "郑商发〔2075〕2号"}))
	for _, c := range []string{"410181", "410225"} {
		var a readmodel.Application
		h.must(http.StatusOK, post(app(c)+"/self-apply", county(c), map[string]string{"document_ref": "自荐〔2075〕1号"})).decode(t, &a)
		if a.State != domain.StateRecommended || !a.DirectlyAdministered {
			t.Fatalf("%s self-applied: %s, directly administered %v", c, a.State, a.DirectlyAdministered)
		}
	}

	// R5: the deadline falls with nobody online; 新郑 410184 was never recommended.
	apitest.Eventually(t, 20*time.Second, "Henan reviewing after its deadline", func() (bool, string) {
		var v readmodel.CampaignView
		h.must(http.StatusOK, get(henan, admin)).decode(t, &v)
		return v.Phase == domain.PhaseReviewing, string(v.Phase)
	})
	var expired readmodel.Application
	h.must(http.StatusOK, get(app("410184"), admin)).decode(t, &expired)
	if expired.State != domain.StateExpired {
		t.Errorf("410184 after the deadline = %s, want expired", expired.State)
	}
	if g := h.campaign(guizhouAdmin); g.Phase != domain.PhaseOpen {
		t.Errorf("Guizhou's campaign after Henan's deadline = %s, want open", g.Phase)
	}

	// R7, R8, R9: scores, ranking and the public notice, all of Henan.
	marks := map[string]float64{"410181": 90, "410182": 70, "410183": 80, "410225": 60}
	for c, m := range marks {
		h.must(http.StatusOK, post(app(c)+"/scorecards", reviewer, map[string]any{"criteria": allCriteria(m)}))
	}
	var ranking domain.Ranking
	h.must(http.StatusOK, post(henan+"/ranking", admin, nil)).decode(t, &ranking)
	var order []string
	for _, r := range ranking.Shortlist {
		order = append(order, r.County)
	}
	if len(order) != 3 || len(ranking.Reserve) != 1 {
		t.Fatalf("ranking: shortlist %v, reserve %v", order, ranking.Reserve)
	}
	h.must(http.StatusOK, post(henan+"/notice", admin, nil))
	var notice readmodel.Notice
	h.must(http.StatusOK, get(henan+"/notice", "")).decode(t, &notice)
	if len(notice.Shortlist) != 3 || notice.Province != "410000" {
		t.Fatalf("Henan's public notice: province %q, %d counties", notice.Province, len(notice.Shortlist))
	}
	h.refused(http.StatusNotFound, "not_found", "", get(h.campaignPath()+"/notice", ""))

	// R10: publicity ends, the campaign closes and publishes its final list.
	apitest.Eventually(t, 20*time.Second, "Henan closed", func() (bool, string) {
		var v readmodel.CampaignView
		h.must(http.StatusOK, get(henan, admin)).decode(t, &v)
		return v.Phase == domain.PhaseClosed, string(v.Phase)
	})
	var d readmodel.Designation
	h.must(http.StatusOK, get(henan+"/designation", "")).decode(t, &d)
	var designated []string
	for _, e := range d.Designated {
		designated = append(designated, e.County)
	}
	slices.Sort(designated)
	sorted := slices.Sorted(slices.Values(order))
	if !slices.Equal(designated, sorted) || len(d.NotSelected) != 1 {
		t.Errorf("Henan designated %v (not selected %v), want the shortlist %v", designated, d.NotSelected, sorted)
	}
	h.must(http.StatusOK, req{method: http.MethodPut, path: henan + "/designation", token: admin, body: map[string]string{"document_ref": "豫商发〔2075〕9号"}})
	var tl struct{ Events []readmodel.Event }
	h.must(http.StatusOK, get(henan+"/timeline", admin)).decode(t, &tl)
	if n := len(tl.Events); n == 0 || tl.Events[n-1].Action != "document_ref_recorded" || tl.Events[0].WorkflowID != v.WorkflowID {
		t.Errorf("Henan's campaign timeline: %+v", tl.Events)
	}

	// Nothing of Henan's shows in Guizhou's campaign of the year.
	var list struct{ Applications []readmodel.Application }
	h.must(http.StatusOK, get(h.campaignPath()+"/applications", guizhouAdmin)).decode(t, &list)
	if len(list.Applications) != 0 {
		t.Errorf("Guizhou's applications list %d, want none", len(list.Applications))
	}
	h.refused(http.StatusNotFound, "not_found", "", get(h.campaignPath()+"/designation", ""))
}
