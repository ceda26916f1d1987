package api_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// R1, R2: a campaign names the edition of the division codes it is checked against and
// the Department and objections office its notice names; left out, they come from the
// province's reference data, and the campaign object shows what was chosen.
func TestCampaignConfiguration_R1_R2_reference_data_and_notice_signature(t *testing.T) {
	t.Parallel()
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	now := time.Now()

	h := newHarness(t, 2061)
	body := campaignBody(h.year, now.Add(time.Hour), now.Add(2*time.Hour), "7d")
	body["edition"] = "1999"
	e := h.refused(http.StatusBadRequest, "bad_request", "R2", req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body})
	if want := `province 520000 has no edition "1999" of the division codes (editions: 2016, 2023)`; e.Error.Message != want {
		t.Errorf("message = %q, want %q", e.Error.Message, want)
	}
	body["edition"], body["department"] = "2016", "贵州省商务厅\n附件"
	h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body})

	body["department"], body["contact"] = "贵州省商务厅", "省商务厅电子商务和信息化处（0851-00000000）"
	var v readmodel.CampaignView
	h.must(http.StatusCreated, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body}).decode(t, &v)
	if v.Edition != "2016" || v.Department != "贵州省商务厅" || v.Contact != "省商务厅电子商务和信息化处（0851-00000000）" {
		t.Errorf("configured campaign = edition %q, department %q, contact %q", v.Edition, v.Department, v.Contact)
	}

	// A Guizhou campaign that names no edition takes the customer's 2016 file, whatever
	// its year (provinces.csv's default_edition).
	d := newHarness(t, 2062)
	defaults := d.openCampaign(admin, time.Hour, 2*time.Hour, "7d")
	if defaults.Edition != "2016" || defaults.Department != "贵州省商务厅" || defaults.Contact != "省商务厅电子商务和信息化处" {
		t.Errorf("defaults = edition %q, department %q, contact %q", defaults.Edition, defaults.Department, defaults.Contact)
	}
}

// R4: a campaign that lists its directly administered counties replaces the reference
// data's flags: with only 仁怀 520382 listed, 威宁 520526 is recommended by 毕节 like any
// county and may not apply on its own.
func TestCampaignConfiguration_R4_directly_administered_list(t *testing.T) {
	t.Parallel()
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	now := time.Now()
	h := newHarness(t, 2063)
	body := campaignBody(h.year, now.Add(time.Hour), now.Add(2*time.Hour), "7d")
	body["directly_administered"] = []string{"520382", "999999"}
	h.refused(http.StatusBadRequest, "bad_request", "", req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body})
	body["directly_administered"] = []string{"520382"}
	var v readmodel.CampaignView
	h.must(http.StatusCreated, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body}).decode(t, &v)
	if len(v.DirectlyAdministered) != 1 || v.DirectlyAdministered[0] != "520382" {
		t.Fatalf("campaign directly_administered = %v", v.DirectlyAdministered)
	}
	weining := token(t, domain.RoleCounty, "520526", "official-520526")
	post := func(path, tok string, body any) req {
		return req{method: http.MethodPost, path: path, token: tok, body: body}
	}
	h.must(http.StatusCreated, post(h.campaignPath()+"/applications", weining, map[string]string{"county": "520526"}))
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath("520526") + "/materials", token: weining, body: fullMaterials()})
	h.must(http.StatusOK, post(h.appPath("520526")+"/submit", weining, nil))
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R4", post(h.appPath("520526")+"/self-apply", weining, map[string]string{"document_ref": "威府呈〔2063〕1号"}))
	bijie := token(t, domain.RolePrefecture, "520500", "bijie-official")
	h.must(http.StatusOK, post(h.campaignPath()+"/prefectures/520500/recommendation", bijie,
		map[string]any{"counties": []string{"520526"}, "document_ref": "毕商发〔2063〕1号"}))
	if a := h.application(admin, "520526"); a.DirectlyAdministered || a.State != domain.StateRecommended {
		t.Errorf("520526 = directly administered %v, state %s; want a recommended county of 毕节", a.DirectlyAdministered, a.State)
	}
}
