package console

import (
	"testing"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// A campaign's pages judge its counties by the campaign's own edition and list of
// directly administered counties (R2, R4), not by the deployment's regions.
func TestDivsOf_R2_R4_the_campaigns_own_divisions(t *testing.T) {
	regions, err := domain.Current("520000")
	if err != nil {
		t.Fatal(err)
	}
	c := &console{}
	r := &request{province: "520000", divs: regions}
	listed := c.divsOf(r, readmodel.CampaignView{Year: 2016, Province: "520000", Edition: "2016", DirectlyAdministered: []string{"520382"}})
	if d, _ := listed.Get("520526"); d.DirectlyAdministered {
		t.Error("威宁 520526 badged directly administered in a campaign that lists only 520382")
	}
	if d, _ := listed.Get("520382"); !d.DirectlyAdministered {
		t.Error("仁怀 520382 not directly administered in a campaign that lists it")
	}
	legacy := c.divsOf(r, readmodel.CampaignView{Year: 2016, Province: "520000"})
	if _, ok := legacy.CountyOf("520222", "520000"); !ok {
		t.Error("a campaign recorded without an edition lost 盘县 520222 of the 2016 codes")
	}
	if _, ok := legacy.CountyOf("520281", "520000"); ok {
		t.Error("a 2016 campaign shows 盘州市 520281 of the 2023 codes")
	}
	if got := c.divsOf(r, readmodel.CampaignView{Year: 2016, Province: "520000", Edition: "1999"}); got != regions {
		t.Error("an edition without data does not fall back to the deployment's regions")
	}
}
