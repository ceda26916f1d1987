package console_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/console"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/workflows"
)

// TestLiveTimelineOfALongCaseInBrowser opens, in headless Chromium, a case whose
// timeline runs to three pages (a flood of objections, seeded straight into the read
// model) and checks the live timeline against it: the first page follows the state line
// but appends nothing (its "next page" link leads on), the last page appends each new
// event exactly once, in order, after the rows it shows.
func TestLiveTimelineOfALongCaseInBrowser(t *testing.T) {
	chromium := ensureChromium(t)
	const (
		year   = 2016
		county = "520402"
		old    = 2*api.DefaultLimit + 5
	)
	at := time.Date(year, time.August, 12, 9, 0, 0, 0, domain.Shanghai)
	app := func(version int64) readmodel.Application {
		return readmodel.Application{Year: year, County: county, Name: "西秀区", Prefecture: "520400", State: domain.StateShortlisted,
			Materials: readmodel.MaterialsView{Items: map[string]readmodel.MaterialView{}, Missing: []string{}},
			Scores:    readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}}, UpdatedAt: at.Add(time.Duration(version) * time.Minute), Version: version}
	}
	event := func(seq int64) readmodel.Event {
		return readmodel.Event{WorkflowID: workflows.ApplicationID(year, county), Seq: seq, At: at.Add(time.Duration(seq) * time.Second),
			Actor: "public", Action: "objection_filed", From: "shortlisted", To: "shortlisted", Rule: "R10", Detail: fmt.Sprintf("objection %d", seq)}
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	st, err := store.Open(ctx, storetest.NewDatabase(t), nil)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	t.Cleanup(st.Close)
	seed := readmodel.Projection{Year: year, Applications: []readmodel.Application{app(1)}, Campaign: &readmodel.CampaignView{
		Year: year, Province: "520000", Phase: domain.PhasePublicity, Quota: 12, PrefectureCap: 2, Counts: map[domain.State]int{},
		Prefectures: []readmodel.Prefecture{}, Excluded: []string{}, NationalScores: map[string]float64{}, Weights: domain.DefaultWeights(),
		UpdatedAt: at, Version: 1}}
	for seq := int64(1); seq <= old; seq++ {
		seed.Events = append(seed.Events, event(seq))
	}
	project := func(p readmodel.Projection) {
		t.Helper()
		if err := st.ApplyProjection(ctx, p); err != nil {
			t.Fatalf("project: %v", err)
		}
	}
	project(seed)
	quiet := slog.New(slog.DiscardHandler)
	e := api.New(api.Config{JWTSecret: secret, Logger: quiet, Province: "520000"}, nil, st)
	if err := console.Mount(e, console.Config{JWTSecret: secret, Dev: true, Logger: quiet, Province: "520000"}); err != nil {
		t.Fatalf("mount console: %v", err)
	}
	srv := httptest.NewServer(e)
	t.Cleanup(srv.Close)
	b := newBrowser(t, chromium, srv.URL, t.TempDir())
	b.signIn(domain.RoleCounty, county, "xixiu-official")

	rows := `document.querySelectorAll('#timeline tr[data-seq]').length`
	b.open(fmt.Sprintf("/campaigns/%d/applications/%s", year, county))
	if n := b.evalInt(rows); n != api.DefaultLimit {
		t.Fatalf("the first page shows %d events, want a page of %d", n, api.DefaultLimit)
	}
	b.expectPresent("#timeline-pager a.pager-next")
	project(readmodel.Projection{Year: year, Applications: []readmodel.Application{app(2)}, Events: []readmodel.Event{event(old + 1)}})
	b.waitJS(`document.querySelector('#live .live-state').dataset.version === "2"`, 10*time.Second, "the new state line on the first page")
	if n := b.evalInt(rows); n != api.DefaultLimit {
		t.Errorf("the first page shows %d events after a new one, want its %d: new events belong after the last page", n, api.DefaultLimit)
	}

	for range 2 {
		href := b.evalString(`document.querySelector('#timeline-pager a.pager-next').getAttribute('href')`)
		path, _, _ := strings.Cut(href, "#")
		b.open(path)
	}
	if b.evalInt(`document.querySelectorAll('#timeline-pager a.pager-next').length`) != 0 {
		t.Fatal("the third page still links to a next page")
	}
	b.expectAttr("#timeline", "data-after", fmt.Sprint(old+1))
	b.eval(`window.__samePage = "yes"; true`)
	project(readmodel.Projection{Year: year, Applications: []readmodel.Application{app(3)}, Events: []readmodel.Event{event(old + 2), event(old + 3)}})
	b.waitJS(fmt.Sprintf(`document.querySelector('#timeline tr[data-seq="%d"]') !== null`, old+3), 10*time.Second, "the new events on the last page")
	// Two more polls, each of which would append a duplicate if the page asked wrongly.
	for range 2 {
		last := b.evalString(`document.getElementById('live').dataset.refreshed || "0"`)
		b.waitJS(`Number(document.getElementById('live').dataset.refreshed || 0) > `+last, 10*time.Second, "one more poll")
	}
	seqs := b.evalString(`Array.from(document.querySelectorAll('#timeline tr[data-seq]')).map(function (r) { return r.dataset.seq; }).join(',')`)
	var want []string
	for seq := 2*api.DefaultLimit + 1; seq <= old+3; seq++ {
		want = append(want, fmt.Sprint(seq))
	}
	if seqs != strings.Join(want, ",") {
		t.Errorf("the last page shows events %s, want %s: each new one once, in order", seqs, strings.Join(want, ","))
	}
	b.expectAttr("#timeline", "data-after", fmt.Sprint(old+3))
	b.expectAttr("#live .live-state", "data-version", "3")
	if same := b.evalString(`window.__samePage || "reloaded"`); same != "yes" {
		t.Fatalf("the page was reloaded (marker %q); the timeline must update in place", same)
	}
}
