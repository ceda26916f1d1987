package api_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/workflows"
)

// pagingYear is the campaign the paging tests seed; they need no Temporal, so the year
// only has to differ from nothing.
const pagingYear = 2031

// Sizes of the seeded lists: every one spans several pages at the limits the tests use,
// and the application timeline more than the default page.
const (
	seededEvents     = api.DefaultLimit + 37
	seededObjections = 45
	campaignEvents   = 12
)

// pagedAPI is the API on a database seeded straight through the projection: paging is
// the business of the read model and the edge, so it needs no workflow. Every county of
// Guizhou has an application; 520322 has a long timeline and the objections, filed in
// bursts of five at the same instant, so that ties broken by id straddle pages.
func pagedAPI(t *testing.T, secret []byte) *echo.Echo {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, storetest.NewDatabase(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	at := time.Date(pagingYear, time.July, 20, 9, 0, 0, 0, shanghai)
	p := readmodel.Projection{Year: pagingYear, Province: "520000", Campaign: &readmodel.CampaignView{WorkflowID: workflows.CampaignID("520000", pagingYear),
		Year: pagingYear, Province: "520000", Phase: domain.PhasePublicity, Quota: 12, PrefectureCap: 2,
		Counts: map[domain.State]int{}, Prefectures: []readmodel.Prefecture{}, Excluded: []string{},
		NationalScores: map[string]float64{}, Weights: domain.DefaultWeights(), UpdatedAt: at, Version: 1,
	}}
	divs := domain.MustReference("520000", "2016")
	for _, pref := range divs.Prefectures("520000") {
		for i, d := range divs.Counties(pref.Code) {
			state := domain.StateRegistered
			if i%2 == 1 {
				state = domain.StateSubmitted
			}
			p.Applications = append(p.Applications, readmodel.Application{Year: pagingYear, County: d.Code, Name: d.Name,
				Prefecture: pref.Code, State: state, Scores: readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}},
				UpdatedAt: at, Version: 1})
		}
	}
	for seq := int64(1); seq <= seededEvents; seq++ {
		p.Events = append(p.Events, readmodel.Event{WorkflowID: workflows.ApplicationID(pagingYear, "520322"), Seq: seq,
			At: at.Add(time.Duration(seq) * time.Second), Actor: "public", Action: "objection_filed", Rule: "R10", Detail: fmt.Sprint(seq)})
	}
	for seq := int64(1); seq <= campaignEvents; seq++ {
		p.Events = append(p.Events, readmodel.Event{WorkflowID: workflows.CampaignID("520000", pagingYear), Seq: seq,
			At: at.Add(time.Duration(seq) * time.Minute), Actor: "system", Action: "phase"})
	}
	for i := range seededObjections {
		status := domain.ObjectionOpen
		if i%4 == 0 {
			status = domain.ObjectionDismissed
		}
		p.Objections = append(p.Objections, readmodel.Objection{ID: fmt.Sprintf("%d-520322-%03d", pagingYear, i), Year: pagingYear,
			County: "520322", Reason: "材料不实", Status: status, FiledAt: at.Add(time.Duration(i/5) * time.Hour), Version: 1})
	}
	if err := st.ApplyProjection(ctx, p); err != nil {
		t.Fatalf("seed: %v", err)
	}
	return api.New(api.Config{JWTSecret: secret, Province: "520000", Logger: slog.New(slog.DiscardHandler)}, nil, st)
}

// page is any list body: the rows stay raw, keyed by the name of the list field.
type page struct {
	rows []json.RawMessage
	next *string
}

func readPage(t *testing.T, res response, field string) page {
	t.Helper()
	if res.Code != http.StatusOK {
		t.Fatalf("want 200, got %s", res)
	}
	var body map[string]json.RawMessage
	res.decode(t, &body)
	var p page
	if err := json.Unmarshal(body[field], &p.rows); err != nil || p.rows == nil {
		t.Fatalf("%s is not a list in %s", field, res)
	}
	if raw, ok := body["next_cursor"]; ok {
		var c string
		if err := json.Unmarshal(raw, &c); err != nil || c == "" {
			t.Fatalf("next_cursor %s is not a cursor", raw)
		}
		p.next = &c
	}
	return p
}

// withQuery adds query parameters to a path that may already have some.
func withQuery(path string, kv ...string) string {
	u, _ := url.Parse(path)
	q := u.Query()
	for i := 0; i < len(kv); i += 2 {
		q.Set(kv[i], kv[i+1])
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// keys reads one field of every row, the list's sort key (or a part of it).
func keys(t *testing.T, rows []json.RawMessage, field string) []string {
	t.Helper()
	var out []string
	for _, r := range rows {
		var m map[string]any
		if err := json.Unmarshal(r, &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(m[field]))
	}
	return out
}

// pagedList is one list route, with what the seed says it holds in order.
type pagedList struct {
	name, path, field, key string
	want                   []string
}

func pagedLists() []pagedList {
	y := fmt.Sprintf("/api/v1/campaigns/%d", pagingYear)
	var counties, zunyiSubmitted, events, campaign, objections, open []string
	divs := domain.MustReference("520000", "2016")
	for _, pref := range divs.Prefectures("520000") {
		for i, d := range divs.Counties(pref.Code) {
			counties = append(counties, d.Code)
			if pref.Code == "520300" && i%2 == 1 {
				zunyiSubmitted = append(zunyiSubmitted, d.Code)
			}
		}
	}
	slices.Sort(counties)
	slices.Sort(zunyiSubmitted)
	for seq := 1; seq <= seededEvents; seq++ {
		events = append(events, fmt.Sprint(seq))
	}
	for seq := 1; seq <= campaignEvents; seq++ {
		campaign = append(campaign, fmt.Sprint(seq))
	}
	for i := range seededObjections {
		id := fmt.Sprintf("%d-520322-%03d", pagingYear, i)
		objections = append(objections, id)
		if i%4 != 0 {
			open = append(open, id)
		}
	}
	return []pagedList{
		{"applications", y + "/applications", "applications", "county", counties},
		{"applications of a prefecture and state", y + "/applications?prefecture=520300&state=submitted", "applications", "county", zunyiSubmitted},
		{"application timeline", y + "/applications/520322/timeline", "events", "seq", events},
		{"campaign timeline", y + "/timeline", "events", "seq", campaign},
		{"objections", y + "/objections", "objections", "id", objections},
		{"open objections", y + "/objections?status=open", "objections", "id", open},
	}
}

func TestListRoutes_page_through_every_row_once_in_order(t *testing.T) {
	t.Parallel()
	e := pagedAPI(t, secret)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	for _, l := range pagedLists() {
		for _, limit := range []int{7, len(l.want)} {
			t.Run(fmt.Sprintf("%s by %d", l.name, limit), func(t *testing.T) {
				var got []string
				path := withQuery(l.path, "limit", fmt.Sprint(limit))
				for pages := 1; ; pages++ {
					p := readPage(t, serve(t, e, req{method: http.MethodGet, path: path, token: admin}), l.field)
					if len(p.rows) > limit || (p.next != nil && len(p.rows) < limit) {
						t.Fatalf("page %d holds %d rows at limit %d (more follow: %v)", pages, len(p.rows), limit, p.next != nil)
					}
					got = append(got, keys(t, p.rows, l.key)...)
					if p.next == nil {
						if want := (len(l.want) + limit - 1) / limit; pages != want {
							t.Errorf("%d pages, want %d", pages, want)
						}
						break
					}
					if pages > len(l.want) {
						t.Fatalf("still paging after %d pages", pages)
					}
					path = withQuery(path, "cursor", *p.next)
				}
				if !slices.Equal(got, l.want) {
					t.Errorf("rows %v\nwant %v", got, l.want)
				}
			})
		}
	}
}

func TestListRoutes_default_and_maximum_limits(t *testing.T) {
	t.Parallel()
	e := pagedAPI(t, secret)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	path := fmt.Sprintf("/api/v1/campaigns/%d/applications/520322/timeline", pagingYear)
	p := readPage(t, serve(t, e, req{method: http.MethodGet, path: path, token: admin}), "events")
	if len(p.rows) != api.DefaultLimit || p.next == nil {
		t.Errorf("no limit: %d events (more: %v), want the default %d and a next_cursor", len(p.rows), p.next != nil, api.DefaultLimit)
	}
	p = readPage(t, serve(t, e, req{method: http.MethodGet, path: withQuery(path, "limit", fmt.Sprint(api.MaxLimit)), token: admin}), "events")
	if len(p.rows) != seededEvents || p.next != nil {
		t.Errorf("limit=%d: %d events (more: %v), want all %d and no next_cursor", api.MaxLimit, len(p.rows), p.next != nil, seededEvents)
	}
}

func TestTimeline_after_a_seq_answers_only_later_events(t *testing.T) {
	t.Parallel()
	e := pagedAPI(t, secret)
	county := token(t, domain.RoleCounty, "520322", "official")
	path := fmt.Sprintf("/api/v1/campaigns/%d/applications/520322/timeline", pagingYear)
	p := readPage(t, serve(t, e, req{method: http.MethodGet, path: withQuery(path, "after", fmt.Sprint(seededEvents-3)), token: county}), "events")
	if got := keys(t, p.rows, "seq"); !slices.Equal(got, []string{fmt.Sprint(seededEvents - 2), fmt.Sprint(seededEvents - 1), fmt.Sprint(seededEvents)}) || p.next != nil {
		t.Errorf("after=%d: seq %v (more: %v), want the last three and no next_cursor", seededEvents-3, got, p.next != nil)
	}
	p = readPage(t, serve(t, e, req{method: http.MethodGet, path: withQuery(path, "after", fmt.Sprint(seededEvents)), token: county}), "events")
	if len(p.rows) != 0 || p.next != nil {
		t.Errorf("after the last seq: %d events (more: %v), want [] and no next_cursor", len(p.rows), p.next != nil)
	}
	p = readPage(t, serve(t, e, req{method: http.MethodGet, path: withQuery(path, "after", "0", "limit", "2"), token: county}), "events")
	if got := keys(t, p.rows, "seq"); !slices.Equal(got, []string{"1", "2"}) || p.next == nil {
		t.Errorf("after=0&limit=2: seq %v (more: %v), want 1, 2 and a next_cursor", got, p.next != nil)
	}
}

func TestListRoutes_refuse_bad_limits_and_cursors(t *testing.T) {
	t.Parallel()
	e := pagedAPI(t, secret)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	y := fmt.Sprintf("/api/v1/campaigns/%d", pagingYear)
	// cursorOf is the next_cursor of the first page of two rows of a list.
	cursorOf := func(e *echo.Echo, tok, path, field string) string {
		t.Helper()
		p := readPage(t, serve(t, e, req{method: http.MethodGet, path: withQuery(path, "limit", "2"), token: tok}), field)
		if p.next == nil {
			t.Fatalf("%s by 2 has no next page", path)
		}
		return *p.next
	}
	apps := y + "/applications"
	appsCursor := cursorOf(e, admin, apps, "applications")
	// An edited key under the original MAC: a client guessing where another page starts.
	payload, mac, _ := strings.Cut(appsCursor, ".")
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		t.Fatalf("cursor %q: %v", appsCursor, err)
	}
	edited := base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(string(raw), "5201", "5203", 1))) + "." + mac
	if edited == appsCursor {
		t.Fatalf("fixture: the first page of applications should end in Guiyang (5201…), cursor %s", raw)
	}
	otherSecret := []byte("another-secret")
	otherAdmin, err := api.MintToken(otherSecret, domain.RoleAdmin, "520000", "admin", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	other := cursorOf(pagedAPI(t, otherSecret), otherAdmin, apps, "applications")

	for _, tc := range []struct{ name, path string }{
		{"limit 0", apps + "?limit=0"},
		{"negative limit", apps + "?limit=-1"},
		{"limit over the maximum", fmt.Sprintf("%s?limit=%d", apps, api.MaxLimit+1)},
		{"limit not a number", apps + "?limit=ten"},
		{"fractional limit", y + "/objections?limit=2.5"},
		{"limit on a timeline", y + "/timeline?limit=-5"},
		{"cursor not base64", apps + "?cursor=%25%25%25"},
		{"cursor without a MAC", apps + "?cursor=" + payload},
		{"cursor with its MAC cut short", apps + "?cursor=" + appsCursor[:len(appsCursor)-2]},
		{"cursor with an edited key", apps + "?cursor=" + edited},
		{"cursor of another server", apps + "?cursor=" + other},
		{"cursor of another filter", apps + "?state=submitted&cursor=" + appsCursor},
		{"cursor of the objections on applications", apps + "?cursor=" + cursorOf(e, admin, y+"/objections", "objections")},
		{"cursor of one status on another", y + "/objections?status=dismissed&cursor=" + cursorOf(e, admin, y+"/objections?status=open", "objections")},
		{"cursor of one timeline on another", y + "/applications/520328/timeline?cursor=" + cursorOf(e, admin, y+"/applications/520322/timeline", "events")},
		{"cursor of the campaign timeline on a case", y + "/applications/520322/timeline?cursor=" + cursorOf(e, admin, y+"/timeline", "events")},
		{"after not a number", y + "/timeline?after=last"},
		{"negative after", y + "/timeline?after=-1"},
		{"after with a cursor", y + "/timeline?after=3&cursor=" + cursorOf(e, admin, y+"/timeline", "events")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := serve(t, e, req{method: http.MethodGet, path: tc.path, token: admin})
			if res.Code != http.StatusBadRequest {
				t.Fatalf("GET %s: want 400, got %s", tc.path, res)
			}
			if b := res.errorBody(t); b.Error.Code != "bad_request" || b.Error.Message == "" {
				t.Errorf("GET %s: error body %s", tc.path, res.Body)
			}
		})
	}
}
