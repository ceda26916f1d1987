package api_test

import (
	"context"
	"net/http"
	"slices"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestCampaign2016ThroughHTTP plays the whole 2016 campaign of the notice with a
// compressed calendar (deadlines seconds away, publicity 4s), through HTTP only: every
// step is what an official or the public would send.
func TestCampaign2016ThroughHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2016)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	reviewer1 := token(t, domain.RoleReviewer, "520000", "reviewer-li")
	reviewer2 := token(t, domain.RoleReviewer, "520000", "reviewer-wang")
	zunyi := token(t, domain.RolePrefecture, "520300", "zunyi-official")
	guiyang := token(t, domain.RolePrefecture, "520100", "guiyang-official")
	anshun := token(t, domain.RolePrefecture, "520400", "anshun-official")
	county := func(code string) string { return token(t, domain.RoleCounty, code, "official-"+code) }
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}

	camp := h.openCampaign(admin, 6*time.Second, 12*time.Second, "4s")
	if camp.Phase != domain.PhaseOpen || camp.Quota != 3 || camp.Deadlines.PublicityPeriod != "4s" {
		t.Fatalf("new campaign: %+v", camp)
	}
	h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.campaignPath() + "/notice"})

	// Registrations (R2): county officials for their own county, the admin for any.
	for _, c := range []string{"520322", "520328", "520323", "520382", "520526", "520402", "520112"} {
		a := struct{ State domain.State }{}
		h.must(http.StatusCreated, post(h.campaignPath()+"/applications", county(c), map[string]string{"county": c})).decode(t, &a)
		if a.State != domain.StateRegistered {
			t.Fatalf("register %s: state %s", c, a.State)
		}
	}
	for _, c := range []string{"520102", "520103", "520111"} {
		h.must(http.StatusCreated, post(h.campaignPath()+"/applications", admin, map[string]string{"county": c}))
	}
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", post(h.campaignPath()+"/applications", county("520123"), map[string]string{"county": "520123"}))

	// Materials (R6): 湄潭 520328 is exempt (national score); the rest deliver three copies.
	h.refused(http.StatusUnprocessableEntity, "materials_incomplete", "R6", post(h.appPath("520322")+"/submit", county("520322"), nil))
	for _, c := range []string{"520322", "520323", "520382", "520402", "520102", "520103", "520111"} {
		h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath(c) + "/materials", token: county(c), body: fullMaterials()})
	}
	if a := h.application(admin, "520328"); !a.Exempt || !a.Materials.Complete {
		t.Fatalf("520328 should be exempt with a complete checklist: %+v", a.Materials)
	}
	for _, c := range []string{"520322", "520328", "520323", "520382", "520402", "520102", "520103", "520111"} {
		var a readmodel.Application
		h.must(http.StatusOK, post(h.appPath(c)+"/submit", county(c), map[string]any{})).decode(t, &a)
		if a.State != domain.StateSubmitted {
			t.Fatalf("submit %s: %s", c, a.State)
		}
	}

	// 乌当 520112 withdraws.
	var withdrawn readmodel.Application
	h.must(http.StatusOK, post(h.appPath("520112")+"/withdraw", county("520112"), map[string]string{"reason": "not ready this year"})).decode(t, &withdrawn)
	if withdrawn.State != domain.StateWithdrawn {
		t.Fatalf("withdraw: %s", withdrawn.State)
	}

	// Recommendations (R3): a validate-only list over the cap is refused, the formal
	// list of two files; Guiyang files three and forfeits; Anshun files one.
	recommendation := func(pref string) string { return h.campaignPath() + "/prefectures/" + pref + "/recommendation" }
	three := map[string]any{"counties": []string{"520328", "520322", "520323"}, "document_ref": "遵商发〔2016〕12号"}
	h.refused(http.StatusUnprocessableEntity, "over_cap", "R3", post(recommendation("520300")+"?validate_only=true", zunyi, three))
	var filed readmodel.RecommendResult
	h.must(http.StatusOK, post(recommendation("520300"), zunyi, map[string]any{"counties": []string{"520328", "520322"}, "document_ref": "遵商发〔2016〕12号"})).decode(t, &filed)
	if filed.Status != domain.PrefectureFiled || !slices.Equal(filed.Recommended, []string{"520328", "520322"}) {
		t.Fatalf("Zunyi filing: %+v", filed)
	}
	var forfeited readmodel.RecommendResult
	h.must(http.StatusOK, post(recommendation("520100"), guiyang, map[string]any{"counties": []string{"520102", "520103", "520111"}})).decode(t, &forfeited)
	if forfeited.Status != domain.PrefectureForfeited {
		t.Fatalf("Guiyang over the cap should forfeit: %+v", forfeited)
	}
	for _, c := range []string{"520102", "520103", "520111"} {
		if s := h.application(admin, c).State; s != domain.StateForfeited {
			t.Fatalf("%s after Guiyang's over-cap filing: %s", c, s)
		}
	}
	h.must(http.StatusOK, post(recommendation("520400"), anshun, map[string]any{"counties": []string{"520402"}}))

	// 仁怀 520382 is directly administered and applies on its own (R4).
	var self readmodel.Application
	h.must(http.StatusOK, post(h.appPath("520382")+"/self-apply", county("520382"), map[string]string{"document_ref": "仁府呈〔2016〕5号"})).decode(t, &self)
	if self.State != domain.StateRecommended || !self.SelfApplied {
		t.Fatalf("self-apply: %+v", self)
	}

	// The recommendation deadline falls with nobody online (R5).
	apitest.Eventually(t, 15*time.Second, "phase reviewing after the recommendation deadline", func() (bool, string) {
		v := h.campaign(admin)
		return v.Phase == domain.PhaseReviewing, string(v.Phase)
	})
	states := map[string]domain.State{
		"520322": domain.StateUnderReview, "520328": domain.StateUnderReview, "520382": domain.StateUnderReview,
		"520402": domain.StateUnderReview, "520323": domain.StateExpired, "520526": domain.StateExpired,
		"520112": domain.StateWithdrawn, "520102": domain.StateForfeited,
	}
	for c, want := range states {
		if got := h.application(admin, c).State; got != want {
			t.Errorf("%s after the deadline: want %s, got %s", c, want, got)
		}
	}
	camp = h.campaign(admin)
	for _, p := range camp.Prefectures {
		want := domain.PrefectureGaveUp
		switch p.Code {
		case "520300", "520400":
			want = domain.PrefectureFiled
		case "520100":
			want = domain.PrefectureForfeited
		}
		if p.Status != want {
			t.Errorf("prefecture %s: want %s, got %s", p.Code, want, p.Status)
		}
	}
	// Late filings are refused (R5).
	h.refused(http.StatusConflict, "deadline_passed", "R5", post(recommendation("520300"), zunyi, map[string]any{"counties": []string{"520328"}}))
	h.refused(http.StatusConflict, "deadline_passed", "R5", post(h.campaignPath()+"/applications", county("520324"), map[string]string{"county": "520324"}))

	// Review (R8): ranking needs a scorecard per candidate.
	h.refused(http.StatusConflict, "invalid_state", "R8", post(h.campaignPath()+"/ranking", admin, nil))
	h.refused(http.StatusBadRequest, "bad_request", "R8", post(h.appPath("520322")+"/scorecards", reviewer1,
		map[string]any{"criteria": map[string]float64{"organization": 80}}))
	marks := map[string]float64{"520382": 85, "520328": 80, "520322": 84, "520402": 70}
	for c, m := range marks {
		for _, r := range []string{reviewer1, reviewer2} {
			h.must(http.StatusOK, post(h.appPath(c)+"/scorecards", r, map[string]any{"criteria": allCriteria(m), "comment": "物流和网销基础较好"}))
		}
	}
	var ranking domain.Ranking
	h.must(http.StatusOK, post(h.campaignPath()+"/ranking", admin, map[string]any{})).decode(t, &ranking)
	var order []string
	for _, r := range ranking.Shortlist {
		order = append(order, r.County)
	}
	if !slices.Equal(order, []string{"520382", "520328", "520322"}) || len(ranking.Reserve) != 1 || ranking.Reserve[0].County != "520402" {
		t.Fatalf("ranking: shortlist %v reserve %+v", order, ranking.Reserve)
	}

	// The notice (R9) is public.
	var notice readmodel.Notice
	h.must(http.StatusOK, post(h.campaignPath()+"/notice", admin, nil)).decode(t, &notice)
	if len(notice.Shortlist) != 3 || notice.Late {
		t.Fatalf("notice: %+v", notice)
	}
	var public readmodel.Notice
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice"}).decode(t, &public)
	if !public.PublishedAt.Equal(notice.PublishedAt) || len(public.Shortlist) != 3 {
		t.Fatalf("public notice: %+v", public)
	}

	// Objections from the public (R10): one upheld, one dismissed; the best reserve is
	// promoted into the vacancy before the dismissal, so the campaign cannot close first.
	var o1, o2 struct{ ID string }
	h.must(http.StatusAccepted, post(h.appPath("520322")+"/objections", "", map[string]string{"reason": "申报材料数据不实", "contact": "138-0000-0000"})).decode(t, &o1)
	h.must(http.StatusAccepted, post(h.appPath("520382")+"/objections", "", map[string]string{"reason": "物流体系尚未建成"})).decode(t, &o2)
	h.refused(http.StatusConflict, "invalid_state", "R10", post(h.appPath("520402")+"/objections", "", map[string]string{"reason": "reserve is not in publicity"}))
	var upheld readmodel.Objection
	h.must(http.StatusOK, post(h.campaignPath()+"/objections/"+o1.ID+"/resolution", admin, map[string]string{"decision": "upheld", "note": "核实属实"})).decode(t, &upheld)
	if upheld.Status != domain.ObjectionUpheld {
		t.Fatalf("resolution: %+v", upheld)
	}
	var promoted readmodel.Application
	h.must(http.StatusOK, post(h.campaignPath()+"/reserve/promote", admin, nil)).decode(t, &promoted)
	if promoted.County != "520402" || promoted.State != domain.StateShortlisted {
		t.Fatalf("promoted: %+v", promoted)
	}
	h.must(http.StatusOK, post(h.campaignPath()+"/objections/"+o2.ID+"/resolution", admin, map[string]string{"decision": "dismissed"}))
	h.refused(http.StatusConflict, "conflict", "R10", post(h.campaignPath()+"/objections/"+o2.ID+"/resolution", admin, map[string]string{"decision": "upheld"}))
	var objs struct{ Objections []readmodel.Objection }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/objections", token: admin}).decode(t, &objs)
	if len(objs.Objections) != 2 {
		t.Fatalf("objections: %+v", objs)
	}

	// Publicity ends (R10): designated, removed, and the promoted county after its own
	// period; then the campaign closes.
	apitest.Eventually(t, 20*time.Second, "campaign closed", func() (bool, string) {
		v := h.campaign(admin)
		return v.Phase == domain.PhaseClosed, string(v.Phase)
	})
	final := map[string]domain.State{
		"520382": domain.StateDesignated, "520328": domain.StateDesignated, "520402": domain.StateDesignated,
		"520322": domain.StateRemoved,
	}
	for c, want := range final {
		if got := h.application(reviewer1, c).State; got != want {
			t.Errorf("%s at the end: want %s, got %s", c, want, got)
		}
	}
	camp = h.campaign(admin)
	if camp.Counts[domain.StateDesignated] != 3 || camp.Overdue {
		t.Errorf("final campaign: counts %v overdue %v", camp.Counts, camp.Overdue)
	}
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice"}).decode(t, &public)
	if len(public.Shortlist) != 4 || !public.Shortlist[3].Promoted {
		t.Errorf("notice after promotion: %+v", public.Shortlist)
	}

	// The timeline tells the removed county's story, oldest first (R11).
	var tl struct{ Events []readmodel.Event }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.appPath("520322") + "/timeline", token: county("520322")}).decode(t, &tl)
	var actions []string
	for i, e := range tl.Events {
		if i > 0 && e.Seq <= tl.Events[i-1].Seq {
			t.Fatalf("timeline not oldest first: %+v", tl.Events)
		}
		actions = append(actions, e.Action)
	}
	last := tl.Events[len(tl.Events)-1]
	if last.To != string(domain.StateRemoved) || last.Rule != "R10" || !slices.Contains(actions, "recommend") || !slices.Contains(actions, "objection_upheld") {
		t.Errorf("timeline of 520322: %v, last %+v", actions, last)
	}
	var ctl struct{ Events []readmodel.Event }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/timeline", token: guiyang}).decode(t, &ctl)
	var cactions []string
	for _, e := range ctl.Events {
		cactions = append(cactions, e.Action)
	}
	for _, want := range []string{"campaign_opened", "prefecture_forfeited", "prefecture_gave_up", "phase"} {
		if !slices.Contains(cactions, want) {
			t.Errorf("campaign timeline lacks %s: %v", want, cactions)
		}
	}
	var rv struct{ Shortlist, Reserve, Others []struct{ County string } }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/ranking", token: anshun}).decode(t, &rv)
	if len(rv.Shortlist) != 3 || len(rv.Others) != 1 || rv.Others[0].County != "520322" {
		t.Errorf("ranking view at the end: %+v", rv)
	}

	// A closed campaign's workflow completes and takes no more changes.
	apitest.Eventually(t, 10*time.Second, "campaign workflow completed", func() (bool, string) {
		d, err := h.tc.DescribeWorkflowExecution(context.Background(), workflows.CampaignID(apitest.Province, h.year), "")
		if err != nil {
			return false, err.Error()
		}
		st := d.GetWorkflowExecutionInfo().GetStatus()
		return st == enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, st.String()
	})
	h.refused(http.StatusConflict, "conflict", "R10", post(h.appPath("520382")+"/objections", "", map[string]string{"reason": "too late"}))
	h.refused(http.StatusConflict, "conflict", "R10", post(h.campaignPath()+"/reserve/promote", admin, nil))
}
