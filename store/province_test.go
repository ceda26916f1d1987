package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// One deployment serves many provinces (issue 14): two provinces' campaigns of one
// year keep apart in every read, and each remembers the workflow that runs it.
func TestCampaigns_of_two_provinces_in_one_year_keep_apart(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	guizhou := projectionV(1)
	henan := readmodel.Projection{Year: year, Province: "410000", Campaign: &readmodel.CampaignView{
		Year: year, Province: "410000", WorkflowID: workflows.CampaignID("410000", year), Phase: domain.PhaseOpen,
		Quota: 10, PrefectureCap: 2, Counts: map[domain.State]int{}, Prefectures: []readmodel.Prefecture{},
		Excluded: []string{}, NationalScores: map[string]float64{}, Weights: domain.DefaultWeights(), Version: 1,
	}, Applications: []readmodel.Application{application("410181", "410100", domain.StateRegistered, 1)}}
	for _, p := range []readmodel.Projection{guizhou, henan} {
		if err := s.ApplyProjection(ctx, p); err != nil {
			t.Fatalf("ApplyProjection %s: %v", p.Province, err)
		}
	}
	for province, want := range map[string]int{"520000": 3, "410000": 1} {
		v, err := s.Campaign(ctx, province, year)
		if err != nil || v.Province != province || v.WorkflowID != workflows.CampaignID(province, year) {
			t.Errorf("Campaign(%s) = %s %s, %v", province, v.Province, v.WorkflowID, err)
		}
		apps, err := s.Applications(ctx, province, year, "", "", store.PageRequest[string]{Limit: 100})
		if err != nil || len(apps.Items) != want {
			t.Errorf("Applications(%s) = %d, %v; want %d", province, len(apps.Items), err, want)
		}
	}
	if _, err := s.Application(ctx, "410000", year, "520322"); !errorsIsNotFound(err) {
		t.Errorf("Guizhou's county read as Henan's = %v, want ErrNotFound", err)
	}
	if _, err := s.Campaign(ctx, "130000", year); !errorsIsNotFound(err) {
		t.Errorf("a province without a campaign = %v, want ErrNotFound", err)
	}
}

// A campaign started before provinces has the year's workflow ID alone, and an activity
// of that time may still deliver a notice or a batch that names no province: the store
// files it under the province of the campaign whose workflow ID is the year's.
func TestBatches_without_a_province_belong_to_the_campaign_of_the_years_id(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	legacy := projectionV(1)
	legacy.Province = ""
	legacy.Campaign.WorkflowID = ""
	if err := s.ApplyProjection(ctx, legacy); err != nil {
		t.Fatalf("ApplyProjection: %v", err)
	}
	v, err := s.Campaign(ctx, "520000", year)
	if err != nil || v.WorkflowID != "campaign/2016" {
		t.Fatalf("legacy campaign = %q, %v; want the workflow ID campaign/2016", v.WorkflowID, err)
	}
	at := time.Date(year, time.August, 9, 10, 0, 0, 0, shanghai)
	if err := s.SaveNotice(ctx, readmodel.Notice{Year: year, PublishedAt: at, PublicityEndsAt: at.Add(7 * 24 * time.Hour), Version: 1}); err != nil {
		t.Fatalf("SaveNotice without a province: %v", err)
	}
	if _, err := s.Notice(ctx, "520000", year); err != nil {
		t.Errorf("the notice is not the legacy campaign's: %v", err)
	}
	if _, err := s.NoticeVersion(ctx, "520000", year, 1); err != nil {
		t.Errorf("the notice's version 1 is not the legacy campaign's: %v", err)
	}
	closing := readmodel.Projection{Year: year, Designation: &readmodel.Designation{Year: year, ClosedAt: at,
		Designated: []readmodel.DesignationEntry{}, NotSelected: []readmodel.DesignationEntry{}}}
	if err := s.ApplyProjection(ctx, closing); err != nil {
		t.Fatalf("ApplyProjection of the designation: %v", err)
	}
	if _, err := s.Designation(ctx, "520000", year); err != nil {
		t.Errorf("the designation is not the legacy campaign's: %v", err)
	}
}
