package console

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"regexp"
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

// The console on a real read model seeded through the projection, as after a flood of
// objections against one county: its timeline and the objection list run to many pages.

const (
	floodYear   = 2016
	floodCounty = "520402"
)

var floodStart = time.Date(floodYear, time.August, 12, 9, 0, 0, 0, domain.Shanghai)

// floodedConsole is the API and the console on a database holding the campaign, the
// application of 520402 at version 1 with events seq 1..events, and objections
// objections against it.
func floodedConsole(t *testing.T, events, objections int) (*echo.Echo, *store.Store) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, storetest.NewDatabase(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	p := readmodel.Projection{Year: floodYear, Campaign: &readmodel.CampaignView{
		Year: floodYear, Province: "520000", Phase: domain.PhasePublicity, Quota: 12, PrefectureCap: 2,
		Counts: map[domain.State]int{domain.StateShortlisted: 1}, Prefectures: []readmodel.Prefecture{}, Excluded: []string{},
		NationalScores: map[string]float64{}, Weights: domain.DefaultWeights(), UpdatedAt: floodStart, Version: 1,
	}}
	p.Applications = []readmodel.Application{floodApplication(1)}
	for seq := 1; seq <= events; seq++ {
		p.Events = append(p.Events, floodEvent(int64(seq)))
	}
	for i := range objections {
		p.Objections = append(p.Objections, readmodel.Objection{ID: fmt.Sprintf("%d-%s-%04d", floodYear, floodCounty, i), Year: floodYear,
			County: floodCounty, Reason: "材料不实", Contact: "138-0000-0000", Status: domain.ObjectionOpen,
			FiledAt: floodStart.Add(time.Duration(i) * time.Second), Version: 1})
	}
	if err := st.ApplyProjection(ctx, p); err != nil {
		t.Fatalf("seed: %v", err)
	}
	quiet := slog.New(slog.DiscardHandler)
	e := api.New(api.Config{JWTSecret: testSecret, Logger: quiet, Province: "520000"}, nil, st)
	if err := Mount(e, Config{JWTSecret: testSecret, Logger: quiet, Province: "520000"}); err != nil {
		t.Fatalf("Mount: %v", err)
	}
	return e, st
}

func floodApplication(version int64) readmodel.Application {
	return readmodel.Application{Year: floodYear, County: floodCounty, Name: "西秀区", Prefecture: "520400", State: domain.StateShortlisted,
		Materials: readmodel.MaterialsView{Items: map[string]readmodel.MaterialView{}, Missing: []string{}},
		Scores:    readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}},
		UpdatedAt: floodStart.Add(time.Duration(version) * time.Minute), Version: version}
}

// floodEvent is one objection on the timeline; every one reads alike but for its seq.
func floodEvent(seq int64) readmodel.Event {
	return readmodel.Event{WorkflowID: workflows.ApplicationID(floodYear, floodCounty), Seq: seq, At: floodStart,
		Actor: "public", Action: "objection_filed", From: "shortlisted", To: "shortlisted", Rule: "R10",
		Detail: "objection: 申报材料中的网络销售数据与实际不符"}
}

func adminSession(t *testing.T) []*http.Cookie {
	t.Helper()
	tok, err := api.MintToken(testSecret, domain.RoleAdmin, "520000", "admin-zhang", time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	return []*http.Cookie{{Name: sessionCookie, Value: tok}}
}

var (
	eventRow   = regexp.MustCompile(`<tr data-action="[a-z_]+" data-seq="([0-9]+)"`)
	dataAfter  = regexp.MustCompile(`id="timeline" data-after="([0-9]+)"`)
	nextLink   = regexp.MustCompile(`href="([^"]+)" class="pager-next"`)
	objRow     = regexp.MustCompile(`<tr data-objection="([^"]+)"`)
	appPath    = fmt.Sprintf("/campaigns/%d/applications/%s", floodYear, floodCounty)
	livePath   = appPath + "/live"
	adminPath  = fmt.Sprintf("/campaigns/%d/admin", floodYear)
	htmlEscape = strings.NewReplacer("&amp;", "&")
)

func seqs(body string) []string {
	var out []string
	for _, m := range eventRow.FindAllStringSubmatch(body, -1) {
		out = append(out, m[1])
	}
	return out
}

func TestLiveFragment_size_does_not_grow_with_old_events(t *testing.T) {
	t.Parallel()
	cookies := adminSession(t)
	sizes := map[int]int{}
	for _, old := range []int{5, 2000} {
		e, st := floodedConsole(t, old, 0)
		at := fmt.Sprintf("%s?version=1&after=%d", livePath, old)
		if res := serve(e, http.MethodGet, at, nil, cookies, nil); res.code != http.StatusNoContent || res.body != "" {
			t.Fatalf("%d old events, page up to date: %d %d bytes, want 204 and nothing", old, res.code, len(res.body))
		}
		// The case moves on: one objection more.
		if err := st.ApplyProjection(t.Context(), readmodel.Projection{Year: floodYear,
			Applications: []readmodel.Application{floodApplication(2)}, Events: []readmodel.Event{floodEvent(int64(old + 1))}}); err != nil {
			t.Fatal(err)
		}
		res := serve(e, http.MethodGet, at, nil, cookies, nil)
		if res.code != http.StatusOK {
			t.Fatalf("%d old events, one new: %d %s", old, res.code, res.body)
		}
		if got := seqs(res.body); len(got) != 1 || got[0] != fmt.Sprint(old+1) {
			t.Fatalf("%d old events, one new: the fragment carries events %v, want only %d", old, got, old+1)
		}
		if !strings.Contains(res.body, `class="live-state" data-version="2"`) {
			t.Errorf("%d old events: the fragment lacks the new state line: %s", old, res.body)
		}
		sizes[old] = len(res.body)
		// A page that does not show the timeline's end only follows the state line.
		if res := serve(e, http.MethodGet, livePath+"?version=1", nil, cookies, nil); res.code != http.StatusOK || len(seqs(res.body)) != 0 {
			t.Errorf("%d old events, no after: %d with events %v, want the state line alone", old, res.code, seqs(res.body))
		}
	}
	// The seq of the one new event has more digits; nothing else may differ.
	if sizes[2000] > sizes[5]+16 {
		t.Errorf("fragment of one new event: %d bytes after 2000 old events, %d after 5; it must not grow with old events", sizes[2000], sizes[5])
	}
}

func TestLiveFragment_refuses_a_malformed_position(t *testing.T) {
	t.Parallel()
	e, _ := floodedConsole(t, 3, 0)
	for _, q := range []string{"?after=x", "?after=-1", "?version=1.5"} {
		if res := serve(e, http.MethodGet, livePath+q, nil, adminSession(t), nil); res.code != http.StatusBadRequest {
			t.Errorf("GET live%s: %d, want 400", q, res.code)
		}
	}
}

func TestApplicationPage_shows_the_timeline_a_page_at_a_time(t *testing.T) {
	t.Parallel()
	const events = 2*api.DefaultLimit + 10
	e, _ := floodedConsole(t, events, 0)
	cookies := adminSession(t)
	var got []string
	path := appPath
	for pages := 1; ; pages++ {
		res := serve(e, http.MethodGet, path, nil, cookies, nil)
		if res.code != http.StatusOK {
			t.Fatalf("GET %s: %d", path, res.code)
		}
		page := seqs(res.body)
		if len(page) > api.DefaultLimit {
			t.Fatalf("page %d shows %d events, more than a page of %d", pages, len(page), api.DefaultLimit)
		}
		got = append(got, page...)
		next := nextLink.FindStringSubmatch(res.body)
		after := dataAfter.FindStringSubmatch(res.body)
		if next == nil {
			// The timeline's end: the live fragment may append after its last seq.
			if after == nil || after[1] != fmt.Sprint(events) {
				t.Errorf("last page: data-after %v, want %d", after, events)
			}
			if pages != 3 || !strings.Contains(res.body, `class="pager-first"`) {
				t.Errorf("last page is page %d (link to the first: %v), want page 3 with one", pages, strings.Contains(res.body, `class="pager-first"`))
			}
			break
		}
		if after != nil {
			t.Errorf("page %d is not the timeline's end but carries data-after=%s", pages, after[1])
		}
		if pages > 3 {
			t.Fatalf("still paging after %d pages", pages)
		}
		path, _, _ = strings.Cut(htmlEscape.Replace(next[1]), "#") // a browser keeps the anchor to itself
	}
	if len(got) != events || got[0] != "1" || got[events-1] != fmt.Sprint(events) {
		t.Errorf("pages showed %d events (%v … %v), want 1..%d", len(got), got[:1], got[len(got)-1:], events)
	}
	if res := serve(e, http.MethodGet, appPath+"?timeline=forged.cursor", nil, cookies, nil); res.code != http.StatusBadRequest || !strings.Contains(res.body, `data-code="bad_request"`) {
		t.Errorf("a forged timeline cursor: %d, want the API's 400 as a banner", res.code)
	}
}

func TestAdminPage_shows_the_objections_a_page_at_a_time(t *testing.T) {
	t.Parallel()
	const objections = api.DefaultLimit + 20
	e, _ := floodedConsole(t, 0, objections)
	cookies := adminSession(t)
	res := serve(e, http.MethodGet, adminPath, nil, cookies, nil)
	first := objRow.FindAllStringSubmatch(res.body, -1)
	next := nextLink.FindStringSubmatch(res.body)
	if res.code != http.StatusOK || len(first) != api.DefaultLimit || next == nil || !strings.Contains(next[1], "#objections") {
		t.Fatalf("admin page: %d, %d objections, next %v; want the first %d and a link to the rest", res.code, len(first), next, api.DefaultLimit)
	}
	path, _, _ := strings.Cut(htmlEscape.Replace(next[1]), "#")
	res = serve(e, http.MethodGet, path, nil, cookies, nil)
	rest := objRow.FindAllStringSubmatch(res.body, -1)
	if res.code != http.StatusOK || len(rest) != objections-api.DefaultLimit || nextLink.MatchString(res.body) {
		t.Fatalf("second page: %d, %d objections (more: %v), want the last %d", res.code, len(rest), nextLink.MatchString(res.body), objections-api.DefaultLimit)
	}
	if want := fmt.Sprintf("%d-%s-%04d", floodYear, floodCounty, api.DefaultLimit); rest[0][1] != want {
		t.Errorf("second page starts at %s, want %s", rest[0][1], want)
	}
}
