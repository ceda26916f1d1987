package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
)

// TestEndGameThroughHTTP: R10 as revised through the API. An upheld objection removes
// the county at once and the notice gets a new version marking it (the first stays
// readable); the vacancy is declined with a reason; the campaign closes and publishes
// its final list, on which the administrator records the decision's document reference.
func TestEndGameThroughHTTP(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2037)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.toPublicity(admin, "6s")
	h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.campaignPath() + "/designation"})
	h.refused(http.StatusConflict, "invalid_state", "R10", req{method: http.MethodPut, path: h.campaignPath() + "/designation", token: admin,
		body: map[string]string{"document_ref": "黔商发〔2016〕88号"}})
	h.refused(http.StatusConflict, "invalid_state", "R10", post(h.campaignPath()+"/vacancies/decline", admin, map[string]string{"reason": "nothing vacant"}))

	var filed filedObjection
	h.must(http.StatusAccepted, post(h.appPath("520382")+"/objections", "", map[string]string{"reason": "物流体系尚未建成"})).decode(t, &filed)
	h.must(http.StatusOK, post(h.campaignPath()+"/objections/"+filed.ID+"/resolution", admin, map[string]string{"decision": "upheld"}))
	if s := h.application(admin, "520382").State; s != domain.StateRemoved {
		t.Fatalf("an upheld objection removes at once (R10): %s", s)
	}
	var n1, n2 readmodel.Notice
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice?version=1"}).decode(t, &n1)
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/notice"}).decode(t, &n2)
	if n1.Version != 1 || n2.Version != 2 || n1.Shortlist[0].Status != "shortlisted" || n2.Shortlist[0].Status != "removed" {
		t.Fatalf("notice versions: v%d %+v / v%d %+v", n1.Version, n1.Shortlist[0], n2.Version, n2.Shortlist[0])
	}
	h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: h.campaignPath() + "/notice?version=99"})
	h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodGet, path: h.campaignPath() + "/notice?version=x"})

	h.refused(http.StatusBadRequest, "bad_request", "", post(h.campaignPath()+"/vacancies/decline", admin, map[string]string{}))
	var v readmodel.CampaignView
	h.must(http.StatusOK, post(h.campaignPath()+"/vacancies/decline", admin, map[string]string{"reason": "递补县材料不足"})).decode(t, &v)
	if v.Declined != 1 || v.Vacancies != 0 {
		t.Fatalf("declined: %+v", v)
	}
	apitest.Eventually(t, 30*time.Second, "the campaign closes", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseClosed, string(p)
	})
	// R13 on a closed campaign: every deadline has passed.
	h.refused(http.StatusConflict, "deadline_passed", "R13", post(h.campaignPath()+"/amendments", admin, map[string]string{"reason": "x", "notice_deadline": "2099-01-01"}))
	h.refused(http.StatusConflict, "invalid_state", "R13", post(h.campaignPath()+"/amendments", admin, map[string]any{"reason": "x", "excluded_add": []string{"520113"}}))
	h.refused(http.StatusConflict, "deadline_passed", "R13", post(h.campaignPath()+"/prefectures/520100/reinstate", admin, map[string]string{"reason": "x"}))
	var d readmodel.Designation
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/designation"}).decode(t, &d)
	if len(d.Designated) != 2 || d.Designated[0].County != "520526" || len(d.NotSelected) != 1 || d.DocumentRef != nil {
		t.Fatalf("final list: %+v", d)
	}
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.campaignPath() + "/designation", token: admin,
		body: map[string]string{"document_ref": "黔商发〔2016〕88号"}}).decode(t, &d)
	if d.DocumentRef == nil || *d.DocumentRef != "黔商发〔2016〕88号" {
		t.Fatalf("document reference: %+v", d)
	}
	h.refused(http.StatusForbidden, "forbidden", "", req{method: http.MethodPut, path: h.campaignPath() + "/designation",
		token: token(t, domain.RoleCounty, "520526", "x"), body: map[string]string{"document_ref": "x"}})
}
