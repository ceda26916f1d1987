package api_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
)

// closedSource plays the harness's campaign to closed with a compressed calendar, the
// way toPublicity does, with a configuration of its own (zone, weights, contact) so a
// copy of it can be told from the defaults. It answers the campaign as it closed and
// its final list.
func closedSource(h *harness, admin string) (readmodel.CampaignView, readmodel.Designation) {
	h.t.Helper()
	post := func(path string, body any) req {
		return req{method: http.MethodPost, path: path, token: admin, body: body}
	}
	now := time.Now()
	body := campaignBody(h.year, now.Add(4*time.Second), now.Add(time.Minute), "3s")
	body["time_zone"] = "Asia/Urumqi"
	body["weights"] = map[string]float64{"self_applied_bonus": 2}
	body["contact"] = "省商务厅电子商务处（0851-00000001）"
	h.must(http.StatusCreated, post("/api/v1/campaigns", body))
	for _, c := range []string{"520382", "520526", "520102", "520111"} {
		h.must(http.StatusCreated, post(h.campaignPath()+"/applications", map[string]string{"county": c}))
		h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath(c) + "/materials", token: admin, body: fullMaterials()})
		h.must(http.StatusOK, post(h.appPath(c)+"/submit", map[string]any{}))
	}
	h.must(http.StatusOK, post(h.appPath("520382")+"/self-apply", map[string]any{}))
	h.must(http.StatusOK, post(h.appPath("520526")+"/self-apply", map[string]any{}))
	h.must(http.StatusOK, post(h.campaignPath()+"/prefectures/520100/recommendation", map[string]any{"counties": []string{"520102", "520111"}}))
	apitest.Eventually(h.t, 20*time.Second, "the recommendation deadline", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseReviewing, string(p)
	})
	reviewer := token(h.t, domain.RoleReviewer, "520000", "reviewer-li")
	for c, mark := range map[string]float64{"520382": 90, "520526": 85, "520102": 80, "520111": 70} {
		h.must(http.StatusOK, req{method: http.MethodPost, path: h.appPath(c) + "/scorecards", token: reviewer, body: map[string]any{"criteria": allCriteria(mark)}})
	}
	h.must(http.StatusOK, post(h.campaignPath()+"/ranking", map[string]any{}))
	h.must(http.StatusOK, post(h.campaignPath()+"/notice", map[string]any{}))
	apitest.Eventually(h.t, 30*time.Second, "the campaign closes", func() (bool, string) {
		p := h.campaign(admin).Phase
		return p == domain.PhaseClosed, string(p)
	})
	var d readmodel.Designation
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.campaignPath() + "/designation"}).decode(h.t, &d)
	return h.campaign(admin), d
}

// holding gives a harness's database the closed campaign of another year. Each test's
// harness routes one year's projections to a database of its own, so the source year's
// final batch is written into the new year's database, as one deployment's read model
// holds every year it ran.
func (h *harness) holding(v readmodel.CampaignView, d readmodel.Designation) {
	h.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := h.st.ApplyProjection(ctx, readmodel.Projection{Year: v.Year, Campaign: &v, Designation: &d}); err != nil {
		h.t.Fatalf("copy campaign %d into the database of %d: %v", v.Year, h.year, err)
	}
}

// TestFromYearCarriesWinners: POST /campaigns with from_year copies a closed campaign's
// configuration, moves its deadlines on by the years between, and adds the counties it
// designated to the exclusion list (R1, R2), shown as carried; a carried county cannot
// register, a county the source did not select can. What the body names wins.
func TestFromYearCarriesWinners(t *testing.T) {
	t.Parallel()
	src := newHarness(t, 2071)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	srcView, final := closedSource(src, admin)
	var designated []string
	for _, e := range final.Designated {
		designated = append(designated, e.County)
	}
	slices.Sort(designated)
	if len(designated) != 3 || len(final.NotSelected) != 1 || final.NotSelected[0].County != "520111" {
		t.Fatalf("the source's final list: %+v", final)
	}
	urumqi, err := time.LoadLocation("Asia/Urumqi")
	if err != nil {
		t.Fatal(err)
	}

	h := newHarness(t, 2072)
	h.holding(srcView, final)
	// Through the typed client: the request's zero fields stay out of the body
	// (omitzero), so they are copied rather than sent as zero.
	v, err := apiclient.NewHandler(h.e).WithToken(admin).CreateCampaign(context.Background(),
		api.CreateCampaignRequest{Year: 2072, FromYear: 2071, Quota: 2})
	if err != nil {
		t.Fatalf("create 2072 from 2071: %v", err)
	}
	wantExcluded := append([]string{"520123"}, designated...)
	slices.Sort(wantExcluded)
	moved := func(at time.Time) time.Time { return at.In(urumqi).AddDate(1, 0, 0) }
	switch {
	case v.FromYear != 2071 || !slices.Equal(v.Carried, designated) || !slices.Equal(v.Excluded, wantExcluded):
		t.Fatalf("from_year %d, carried %v, excluded %v; want 2071, %v, %v", v.FromYear, v.Carried, v.Excluded, designated, wantExcluded)
	case v.Quota != 2 || v.PrefectureCap != srcView.PrefectureCap || v.Deadlines.PublicityPeriod != "3s" || v.Deadlines.TimeZone != "Asia/Urumqi":
		t.Fatalf("quota is the body's, the rest the source's: %+v", v)
	case !v.Deadlines.Recommendation.Equal(moved(srcView.Deadlines.Recommendation)) || !v.Deadlines.Notice.Equal(moved(srcView.Deadlines.Notice)):
		t.Fatalf("deadlines %v / %v, want the source's %v / %v a year on", v.Deadlines.Recommendation, v.Deadlines.Notice,
			srcView.Deadlines.Recommendation, srcView.Deadlines.Notice)
	case !reflect.DeepEqual(v.Weights, srcView.Weights) || v.Weights.SelfAppliedBonus != 2 || v.Contact != srcView.Contact || v.Department != srcView.Department:
		t.Fatalf("weights and signature are copied: %+v / %s %s", v.Weights, v.Department, v.Contact)
	case len(v.NationalScores) != 0:
		t.Fatalf("national scores are a year's own review, never copied: %v", v.NationalScores)
	}
	if want, _ := domain.EditionFor("520000", 2072); v.Edition != want {
		t.Fatalf("edition %q, want the new year's %q", v.Edition, want)
	}
	if got := h.campaign(admin); got.FromYear != 2071 || !slices.Equal(got.Carried, designated) {
		t.Fatalf("GET shows the copy: %d %v", got.FromYear, got.Carried)
	}
	county := token(t, domain.RoleCounty, designated[0], "official-"+designated[0])
	h.refused(http.StatusUnprocessableEntity, "ineligible", "R2", req{method: http.MethodPost, path: h.campaignPath() + "/applications",
		token: county, body: map[string]string{"county": designated[0]}})
	h.must(http.StatusCreated, req{method: http.MethodPost, path: h.campaignPath() + "/applications", token: admin,
		body: map[string]string{"county": "520111"}})

	// The body's own exclusion list and deadlines win; the winners are carried all the
	// same, once each even when the body lists one of them. Null weights name none, as
	// bindJSON reads a null list or map: copied.
	own := newHarness(t, 2073)
	own.holding(srcView, final)
	own.must(http.StatusCreated, req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin,
		body: map[string]any{"year": 2073, "from_year": 2071, "excluded": []string{designated[1], "520113"},
			"recommendation_deadline": "2073-08-01", "notice_deadline": "2073-08-10", "weights": nil}}).decode(t, &v)
	wantExcluded = append([]string{"520113"}, designated...)
	slices.Sort(wantExcluded)
	if !slices.Equal(v.Excluded, wantExcluded) || !slices.Equal(v.Carried, designated) || v.Weights.SelfAppliedBonus != 2 {
		t.Fatalf("excluded %v carried %v, want %v %v", v.Excluded, v.Carried, wantExcluded, designated)
	}
	if want := time.Date(2073, 8, 1, 23, 59, 59, 0, urumqi); !v.Deadlines.Recommendation.Equal(want) || v.Deadlines.TimeZone != "Asia/Urumqi" {
		t.Fatalf("a date deadline of the body is a day in the copied zone: %v %s", v.Deadlines.Recommendation, v.Deadlines.TimeZone)
	}
}

// TestFromYearRefusals: from_year must name an earlier campaign (400) that exists (404)
// and has closed with its final list (409), all R1, and nothing is started.
func TestFromYearRefusals(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2074)
	admin := token(t, domain.RoleAdmin, "520000", "admin-zhang")
	h.openCampaign(admin, time.Hour, 2*time.Hour, "168h")
	create := func(body map[string]any) req {
		return req{method: http.MethodPost, path: "/api/v1/campaigns", token: admin, body: body}
	}
	b := h.refused(http.StatusConflict, "invalid_state", "R1", create(map[string]any{"year": 2075, "from_year": 2074}))
	if want := "campaign 2074 has not closed: its designated counties are not final yet, so it cannot be copied"; b.Error.Message != want {
		t.Fatalf("message %q, want %q", b.Error.Message, want)
	}
	h.refused(http.StatusNotFound, "not_found", "R1", create(map[string]any{"year": 2076, "from_year": 2075}))
	h.refused(http.StatusBadRequest, "bad_request", "R1", create(map[string]any{"year": 2077, "from_year": 2077}))
	h.refused(http.StatusBadRequest, "bad_request", "R1", create(map[string]any{"year": 2077, "from_year": 2079}))
	h.refused(http.StatusBadRequest, "bad_request", "", create(map[string]any{"year": 2077, "from_year": "2074"}))
	for _, y := range []int{2075, 2076, 2077} {
		h.refused(http.StatusNotFound, "not_found", "", req{method: http.MethodGet, path: fmt.Sprintf("/api/v1/campaigns/%d", y), token: admin})
	}
}
