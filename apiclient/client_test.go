package apiclient_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/apiclient"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/internal/apitest"
	"github.com/guizhou-commerce/selection/readmodel"
)

func TestMain(m *testing.M) {
	code := m.Run()
	apitest.Stop()
	os.Exit(code)
}

// TestClient plays a short campaign through every typed method, once in process and
// once over a socket, so both transports carry the same requests to the same answers.
func TestClient(t *testing.T) {
	t.Run("handler", func(t *testing.T) {
		t.Parallel()
		s := apitest.NewServer(t, 2091)
		playCampaign(t, apiclient.NewHandler(s.Handler), s.Year)
	})
	t.Run("url", func(t *testing.T) {
		t.Parallel()
		s := apitest.NewServer(t, 2092)
		srv := httptest.NewServer(s.Handler)
		t.Cleanup(srv.Close)
		playCampaign(t, apiclient.New(srv.URL, nil), s.Year)
	})
}

// refused fails the test unless err is the API's refusal with that status, code and
// rule.
func refused(t *testing.T, err error, status int, code, rule string) {
	t.Helper()
	ae, ok := apiclient.AsError(err)
	if !ok {
		t.Fatalf("want API error %d %s %s, got %v", status, code, rule, err)
	}
	if ae.Status != status || ae.Code != code || ae.Rule != rule || ae.Message == "" {
		t.Fatalf("want API error %d %s %q, got %+v", status, code, rule, ae)
	}
}

// must(f())(t) is what f returned, failing the test on its error.
func must[T any](v T, err error) func(*testing.T) T {
	return func(t *testing.T) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}

func playCampaign(t *testing.T, c *apiclient.Client, year int) {
	ctx := context.Background()
	tok := func(role domain.Role, region string) *apiclient.Client {
		return c.WithToken(apitest.Token(t, role, region, string(role)+"-"+region))
	}
	admin := tok(domain.RoleAdmin, apitest.Province)
	reviewer := tok(domain.RoleReviewer, apitest.Province)
	zunyi := tok(domain.RolePrefecture, "520300")
	county := func(code string) *apiclient.Client { return tok(domain.RoleCounty, code) }
	public := c

	if err := public.Health(ctx); err != nil {
		t.Fatalf("health: %v", err)
	}
	if r := must(public.Ready(ctx))(t); r.Status != "ok" || r.Checks["postgres"] != "ok" || r.Checks["temporal"] != "ok" {
		t.Fatalf("ready: %+v", r)
	}
	var doc struct{ OpenAPI string }
	if err := json.Unmarshal(must(public.OpenAPI(ctx))(t), &doc); err != nil || !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi document: %q %v", doc.OpenAPI, err)
	}

	now := time.Now().In(domain.Shanghai)
	create := api.CreateCampaignRequest{
		Year: year, Province: apitest.Province, Quota: 1, PrefectureCap: 2,
		RecommendationDeadline: now.Add(8 * time.Second).Format(time.RFC3339Nano),
		NoticeDeadline:         now.Add(time.Minute).Format(time.RFC3339Nano),
		PublicityPeriod:        "6s",
		Excluded:               []string{"520123"},
		NationalScores:         map[string]float64{"520328": 86.5},
	}
	camp := must(admin.CreateCampaign(ctx, create))(t)
	if camp.Year != year || camp.Phase != domain.PhaseOpen || camp.Quota != 1 || camp.Deadlines.PublicityPeriod != "6s" {
		t.Fatalf("new campaign: %+v", camp)
	}
	_, err := admin.CreateCampaign(ctx, create)
	refused(t, err, http.StatusConflict, "conflict", "R1")
	_, err = public.Campaign(ctx, year)
	refused(t, err, http.StatusUnauthorized, "unauthenticated", "")
	_, err = admin.Campaign(ctx, 1999)
	refused(t, err, http.StatusNotFound, "not_found", "")

	// Registrations, materials, submissions (R2, R6), one under an idempotency key.
	for _, code := range []string{"520322", "520382"} {
		a := must(county(code).RegisterApplication(ctx, year, api.RegisterRequest{County: code}))(t)
		if a.County != code || a.State != domain.StateRegistered {
			t.Fatalf("register %s: %+v", code, a)
		}
	}
	_, err = county("520123").RegisterApplication(ctx, year, api.RegisterRequest{County: "520123"})
	refused(t, err, http.StatusUnprocessableEntity, "ineligible", "R2")
	_, err = county("520322").RegisterApplication(ctx, year, api.RegisterRequest{County: "520323"})
	refused(t, err, http.StatusForbidden, "forbidden", "R12")
	keyed := apiclient.WithIdempotencyKey(ctx, "register-520323")
	first := must(admin.RegisterApplication(keyed, year, api.RegisterRequest{County: "520323"}))(t)
	again, err := admin.Do(keyed, http.MethodPost, "/campaigns/"+strconv.Itoa(year)+"/applications", []byte(`{"county":"520323"}`), nil)
	if err != nil || again.StatusCode != http.StatusCreated || again.Header.Get(api.HeaderIdempotentReplayed) != "true" {
		t.Fatalf("replayed registration: %+v %v", again, err)
	}
	var replayed readmodel.Application
	if err := json.Unmarshal(again.Body, &replayed); err != nil || replayed.County != first.County || replayed.Version != first.Version {
		t.Fatalf("replayed registration body: %+v %v", replayed, err)
	}
	_, err = admin.Do(ctx, http.MethodPost, "/campaigns/"+strconv.Itoa(year)+"/applications", []byte(`{"county":`), nil)
	refused(t, err, http.StatusBadRequest, "bad_request", "")

	_, err = county("520322").Submit(ctx, year, "520322")
	refused(t, err, http.StatusUnprocessableEntity, "materials_incomplete", "R6")
	for _, code := range []string{"520322", "520382"} {
		if a := must(county(code).PutMaterials(ctx, year, code, apitest.FullMaterials()))(t); !a.Materials.Complete {
			t.Fatalf("materials of %s: %+v", code, a.Materials)
		}
		if a := must(county(code).Submit(ctx, year, code))(t); a.State != domain.StateSubmitted {
			t.Fatalf("submit %s: %s", code, a.State)
		}
	}
	if a := must(admin.Withdraw(ctx, year, "520323", api.WithdrawRequest{Reason: "not ready this year"}))(t); a.State != domain.StateWithdrawn {
		t.Fatalf("withdraw: %s", a.State)
	}

	// Corrections (R13) and the filings (R3, R4).
	amended := must(admin.Amend(ctx, year, api.AmendmentRequest{Reason: "520111 was excluded by the Department", ExcludedAdd: []string{"520111"}}))(t)
	if !slices.Contains(amended.Excluded, "520111") {
		t.Fatalf("amended exclusions: %v", amended.Excluded)
	}
	_, err = admin.Amend(ctx, year, api.AmendmentRequest{ExcludedAdd: []string{"520112"}})
	refused(t, err, http.StatusBadRequest, "bad_request", "R13")
	_, err = admin.Reinstate(ctx, year, "520100", api.ReasonRequest{Reason: "filed in error"})
	refused(t, err, http.StatusConflict, "invalid_state", "R13")
	_, err = zunyi.ValidateRecommendation(ctx, year, "520300", api.RecommendRequest{Counties: []string{"520322", "520323", "520328"}})
	refused(t, err, http.StatusUnprocessableEntity, "over_cap", "R3")
	if r := must(zunyi.ValidateRecommendation(ctx, year, "520300", api.RecommendRequest{Counties: []string{"520322"}}))(t); !r.ValidateOnly || !slices.Equal(r.Recommended, []string{"520322"}) {
		t.Fatalf("validated filing: %+v", r)
	}
	if r := must(zunyi.Recommend(ctx, year, "520300", api.RecommendRequest{Counties: []string{"520322"}, DocumentRef: "遵商发〔2016〕12号"}))(t); r.Status != domain.PrefectureFiled {
		t.Fatalf("filing: %+v", r)
	}
	if a := must(county("520382").SelfApply(ctx, year, "520382", api.SelfApplyRequest{DocumentRef: "仁府呈〔2016〕5号"}))(t); a.State != domain.StateRecommended {
		t.Fatalf("self-apply: %+v", a)
	}

	// Lists a page at a time.
	p1 := must(admin.Applications(ctx, year, apiclient.ApplicationsQuery{Prefecture: "520300", Page: apiclient.Page{Limit: 2}}))(t)
	if len(p1.Applications) != 2 || p1.NextCursor == "" {
		t.Fatalf("first page of applications: %+v", p1)
	}
	p2 := must(admin.Applications(ctx, year, apiclient.ApplicationsQuery{Prefecture: "520300", Page: apiclient.Page{Limit: 2, Cursor: p1.NextCursor}}))(t)
	if len(p2.Applications) != 1 || p2.NextCursor != "" {
		t.Fatalf("last page of applications: %+v", p2)
	}
	_, err = admin.Applications(ctx, year, apiclient.ApplicationsQuery{Page: apiclient.Page{Cursor: p1.NextCursor}})
	refused(t, err, http.StatusBadRequest, "bad_request", "")
	if w := must(admin.Applications(ctx, year, apiclient.ApplicationsQuery{State: domain.StateWithdrawn}))(t); len(w.Applications) != 1 || w.Applications[0].County != "520323" {
		t.Fatalf("withdrawn applications: %+v", w)
	}

	apitest.Eventually(t, 20*time.Second, "phase reviewing after the recommendation deadline", func() (bool, string) {
		v := must(admin.Campaign(ctx, year))(t)
		return v.Phase == domain.PhaseReviewing, string(v.Phase)
	})
	_, err = zunyi.Recommend(ctx, year, "520300", api.RecommendRequest{Counties: []string{"520322"}})
	refused(t, err, http.StatusConflict, "deadline_passed", "R5")

	// Review, ranking and notice (R7–R9).
	_, err = admin.Rank(ctx, year)
	refused(t, err, http.StatusConflict, "invalid_state", "R8")
	for code, mark := range map[string]float64{"520382": 90, "520322": 80} {
		a := must(reviewer.Score(ctx, year, code, api.ScoreRequest{Criteria: apitest.Scorecard(mark), Comment: "物流和网销基础较好"}))(t)
		if len(a.Scores.Scorecards) != 1 {
			t.Fatalf("scorecards of %s: %+v", code, a.Scores)
		}
	}
	ranking := must(admin.Rank(ctx, year))(t)
	if len(ranking.Shortlist) != 1 || ranking.Shortlist[0].County != "520382" || len(ranking.Reserve) != 1 || ranking.Reserve[0].County != "520322" {
		t.Fatalf("ranking: %+v", ranking)
	}
	if rv := must(zunyi.Ranking(ctx, year))(t); len(rv.Shortlist) != 1 || len(rv.Reserve) != 1 || rv.Reserve[0].Name == "" {
		t.Fatalf("ranking view: %+v", rv)
	}
	_, err = public.Notice(ctx, year, 0)
	refused(t, err, http.StatusNotFound, "not_found", "")
	notice := must(admin.PublishNotice(ctx, year))(t)
	if len(notice.Shortlist) != 1 || notice.Version != 1 {
		t.Fatalf("notice: %+v", notice)
	}
	_, err = admin.DeclineVacancies(ctx, year, api.ReasonRequest{Reason: "nothing vacant"})
	refused(t, err, http.StatusConflict, "invalid_state", "R10")

	// An objection upheld removes the county; the reserve is promoted (R10).
	filed := must(public.Object(ctx, year, "520382", api.ObjectionRequest{Reason: "物流体系尚未建成", Contact: "138-0000-0000"}))(t)
	if filed.ID == "" {
		t.Fatalf("objection filed without an id: %+v", filed)
	}
	_, err = public.Object(ctx, year, "520322", api.ObjectionRequest{Reason: "the reserve is not in publicity"})
	refused(t, err, http.StatusConflict, "invalid_state", "R10")
	_, err = county("520382").Objections(ctx, year, apiclient.ObjectionsQuery{})
	refused(t, err, http.StatusForbidden, "forbidden", "R12")
	if open := must(admin.Objections(ctx, year, apiclient.ObjectionsQuery{Status: domain.ObjectionOpen}))(t); len(open.Objections) != 1 || open.Objections[0].ID != filed.ID {
		t.Fatalf("open objections: %+v", open)
	}
	if o := must(admin.Objection(ctx, year, filed.ID))(t); o.County != "520382" || o.Contact != "138-0000-0000" {
		t.Fatalf("objection: %+v", o)
	}
	if o := must(admin.Resolve(ctx, year, filed.ID, api.ResolutionRequest{Decision: "upheld", Note: "核实属实"}))(t); o.Status != domain.ObjectionUpheld {
		t.Fatalf("resolution: %+v", o)
	}
	_, err = admin.Resolve(ctx, year, filed.ID, api.ResolutionRequest{Decision: "dismissed"})
	refused(t, err, http.StatusConflict, "conflict", "R10")
	if a := must(admin.Promote(ctx, year))(t); a.County != "520322" || a.State != domain.StateShortlisted {
		t.Fatalf("promoted: %+v", a)
	}
	if n := must(public.Notice(ctx, year, 1))(t); n.Version != 1 || n.Shortlist[0].Status != "shortlisted" {
		t.Fatalf("first notice version: %+v", n)
	}
	if n := must(public.Notice(ctx, year, 0))(t); n.Version < 2 || len(n.Shortlist) != 2 {
		t.Fatalf("current notice: %+v", n)
	}

	// The promoted county's publicity ends, the campaign closes and publishes its list.
	_, err = public.Designation(ctx, year)
	refused(t, err, http.StatusNotFound, "not_found", "")
	apitest.Eventually(t, 30*time.Second, "the campaign closes", func() (bool, string) {
		v := must(admin.Campaign(ctx, year))(t)
		return v.Phase == domain.PhaseClosed, string(v.Phase)
	})
	if d := must(public.Designation(ctx, year))(t); len(d.Designated) != 1 || d.Designated[0].County != "520322" || !d.Designated[0].Promoted || d.DocumentRef != nil {
		t.Fatalf("final list: %+v", d)
	}
	if d := must(admin.RecordDesignationRef(ctx, year, api.DesignationRequest{DocumentRef: "黔商发〔2016〕88号"}))(t); d.DocumentRef == nil || *d.DocumentRef != "黔商发〔2016〕88号" {
		t.Fatalf("document reference: %+v", d)
	}
	_, err = admin.Amend(ctx, year, api.AmendmentRequest{Reason: "x", NoticeDeadline: "2099-01-01"})
	refused(t, err, http.StatusConflict, "deadline_passed", "R13")

	// Timelines a page at a time, and followed after a seq (R11).
	tl := must(county("520322").ApplicationTimeline(ctx, year, "520322", apiclient.TimelineQuery{Page: apiclient.Page{Limit: 2}}))(t)
	if len(tl.Events) != 2 || tl.NextCursor == "" || tl.Events[0].Seq >= tl.Events[1].Seq {
		t.Fatalf("first page of the timeline: %+v", tl)
	}
	after := tl.Events[1].Seq
	rest := must(county("520322").ApplicationTimeline(ctx, year, "520322", apiclient.TimelineQuery{After: &after, Page: apiclient.Page{Limit: api.MaxLimit}}))(t)
	if len(rest.Events) == 0 || rest.Events[0].Seq != after+1 || rest.NextCursor != "" {
		t.Fatalf("timeline after %d: %+v", after, rest)
	}
	if last := rest.Events[len(rest.Events)-1]; last.To != string(domain.StateDesignated) {
		t.Fatalf("last event of 520322: %+v", last)
	}
	ctl := must(zunyi.CampaignTimeline(ctx, year, apiclient.TimelineQuery{}))(t)
	if !slices.ContainsFunc(ctl.Events, func(e readmodel.Event) bool { return e.Action == "campaign_opened" }) {
		t.Fatalf("campaign timeline: %+v", ctl.Events)
	}
	_, err = zunyi.CampaignTimeline(ctx, year, apiclient.TimelineQuery{After: &after, Page: apiclient.Page{Cursor: tl.NextCursor}})
	refused(t, err, http.StatusBadRequest, "bad_request", "")

	metrics := string(must(public.Metrics(ctx))(t))
	if !strings.Contains(metrics, "# TYPE") {
		t.Fatalf("metrics: %.200s", metrics)
	}
}

// TestRequestAndErrorShapes checks what the client sends and how it reads an answer
// that is not the API's, against a stand-in handler: no backend needed.
func TestRequestAndErrorShapes(t *testing.T) {
	var got *http.Request
	var body []byte
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html>bad gateway</html>")
	})
	c := apiclient.NewHandler(h).WithToken("tok").WithRequestHook(func(r *http.Request) {
		r.RemoteAddr = "198.51.100.7:4242"
		r.Header.Set("X-Request-ID", "req-1")
	})
	ctx := apiclient.WithIdempotencyKey(context.Background(), "key-1")
	_, err := c.Withdraw(ctx, 2016, "520322", api.WithdrawRequest{Reason: "not ready"})
	refused(t, err, http.StatusBadGateway, "http_502", "")
	if ae, _ := apiclient.AsError(err); ae.Message != "<html>bad gateway</html>" {
		t.Errorf("message of a foreign error page: %q", ae.Message)
	}
	if got.Method != http.MethodPost || got.URL.Path != "/api/v1/campaigns/2016/applications/520322/withdraw" {
		t.Errorf("request line: %s %s", got.Method, got.URL.Path)
	}
	for k, want := range map[string]string{
		"Authorization": "Bearer tok", "Idempotency-Key": "key-1", "X-Request-ID": "req-1", "Content-Type": "application/json",
	} {
		if v := got.Header.Get(k); v != want {
			t.Errorf("header %s: want %q, got %q", k, want, v)
		}
	}
	if got.RemoteAddr != "198.51.100.7:4242" || string(body) != `{"reason":"not ready"}` {
		t.Errorf("remote %s, body %s", got.RemoteAddr, body)
	}
	if _, err := c.WithToken("").Notice(context.Background(), 2016, 2); err == nil || got.Header.Get("Authorization") != "" || got.URL.RawQuery != "version=2" {
		t.Errorf("public request: %v, Authorization %q, query %q", err, got.Header.Get("Authorization"), got.URL.RawQuery)
	}
	// InProvince addresses another province's campaigns (issue 14).
	if _, err := c.InProvince("410000").Notice(context.Background(), 2016, 2); err == nil || got.URL.Path != "/api/v1/provinces/410000/campaigns/2016/notice" {
		t.Errorf("a province's request: %v, path %q", err, got.URL.Path)
	}
}
