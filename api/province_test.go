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
	if want := `province 520000 has no edition "1999" of the division codes (editions: 2016)`; e.Error.Message != want {
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

	d := newHarness(t, 2062)
	defaults := d.openCampaign(admin, time.Hour, 2*time.Hour, "7d")
	if defaults.Edition != "2016" || defaults.Department != "贵州省商务厅" || defaults.Contact != "省商务厅电子商务和信息化处" {
		t.Errorf("defaults = edition %q, department %q, contact %q", defaults.Edition, defaults.Department, defaults.Contact)
	}
}
