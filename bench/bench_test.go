package bench

import (
	"bytes"
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/store/storetest"
	"github.com/guizhou-commerce/selection/workflows"
)

// testProvince is the province of the tests' campaigns: Guizhou, whose 88 counties the
// figures below are counted in.
const testProvince = "520000"

// testReference is testProvince's reference data as the bench uses it.
func testReference(tb testing.TB) *reference {
	tb.Helper()
	ref, err := newReference(testProvince)
	if err != nil {
		tb.Fatal(err)
	}
	return ref
}

// testWriter sends progress lines to the test log, so a slow step shows where it is.
type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(p), "\n"))
	return len(p), nil
}

// TestSizeFollowsN checks that one number sizes every step: `selection bench --n 200`
// once kept the default bursts of 1,000 and 10,000 and ran for a quarter of an hour.
func TestSizeFollowsN(t *testing.T) {
	for _, tc := range []struct {
		name    string
		cfg     Config
		n       int
		bursts  []int
		samples int
	}{
		{"default", DefaultConfig(), 200, []int{200, 2000}, 40},
		{"default, small n", DefaultConfig(), 20, []int{20, 200}, 10},
		{"quick", QuickConfig(), 300, []int{300}, 30},
	} {
		tc.cfg.Size(tc.n)
		if tc.cfg.N != tc.n || !slices.Equal(tc.cfg.Bursts, tc.bursts) || tc.cfg.HTTPSamples != tc.samples {
			t.Errorf("%s: Size(%d) gave n=%d, bursts %v, %d HTTP samples; want bursts %v, %d samples",
				tc.name, tc.n, tc.cfg.N, tc.cfg.Bursts, tc.cfg.HTTPSamples, tc.bursts, tc.samples)
		}
	}
	if d := DefaultConfig(); d.N != 1000 || !slices.Equal(d.Bursts, []int{1000, 10000}) || d.HTTPSamples != 200 {
		t.Errorf("the full run changed: n=%d, bursts %v, %d HTTP samples", d.N, d.Bursts, d.HTTPSamples)
	}
}

// TestQuickRun runs `selection bench --quick` end to end — every step, both Temporal
// persistences, a real PostgreSQL — and checks that each figure was measured and makes
// sense. It asserts no timings: the machine may be shared, and the figures are for
// BENCHMARKS.md, not for pass or fail.
func TestQuickRun(t *testing.T) {
	if testing.Short() {
		t.Skip("runs embedded Temporal servers for a minute and a half")
	}
	storetest.NewDatabase(t) // fails with instructions when the server is down
	cfg := QuickConfig()
	cfg.Province = testProvince
	cfg.ServerURL = storetest.ServerURL()
	cfg.Progress = testWriter{t}
	ctx, cancel := context.WithTimeout(context.Background(), 8*time.Minute)
	defer cancel()
	res, err := Run(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	var table bytes.Buffer
	if err := WriteTable(&table, res); err != nil {
		t.Fatal(err)
	}
	t.Logf("\n%s", table.String())

	if res.Ceiling.CommitsPerSecond <= 0 || res.Ceiling.ParallelPerSecond <= 0 {
		t.Errorf("commit ceiling not measured: %+v", res.Ceiling)
	}
	if len(res.Lifecycle) != len(cfg.Persistence) || len(res.HTTP) != len(cfg.Persistence) {
		t.Fatalf("want one lifecycle and one HTTP figure per persistence, got %d and %d", len(res.Lifecycle), len(res.HTTP))
	}
	for _, l := range res.Lifecycle {
		if l.AppsPerSecond <= 0 || l.StateTransitions <= 0 || l.TransitionsPerSecond <= 0 || l.Floor.Seconds <= 0 || l.FloorRatio <= 0 {
			t.Errorf("%s lifecycle: figures missing: %+v", l.Persistence, l)
		}
		// 100 applications over two campaigns of 50: 20 each reach review; the quota of
		// 12 is designated, 8 are not selected, the 30 unrecommended expire.
		want := map[string]int{"designated": 24, "not_selected": 16, "expired": 60}
		for s, n := range want {
			if l.Outcome[s] != n {
				t.Errorf("%s lifecycle: %d %s, want %d (outcome %v)", l.Persistence, l.Outcome[s], s, n, l.Outcome)
			}
		}
		if l.Workflows != l.Applications+l.Campaigns {
			t.Errorf("%s lifecycle: %d workflows described, want %d cases + %d campaigns", l.Persistence, l.Workflows, l.Applications, l.Campaigns)
		}
		if l.Floor.Updates != l.Updates {
			t.Errorf("%s floor: %d Updates, the lifecycle sent %d", l.Persistence, l.Floor.Updates, l.Updates)
		}
		// Every Update's projection is written, those of one workflow task in one
		// commit (fast-updates): at most PerWorkflow Updates of a campaign are in flight,
		// so no commit holds more.
		if l.ReadModelCommits*int64(cfg.PerWorkflow) < l.Updates || l.FractionOfCeiling <= 0 {
			t.Errorf("%s lifecycle: %d read-model commits for %d Updates (at most %d Updates share one), fraction %v",
				l.Persistence, l.ReadModelCommits, l.Updates, cfg.PerWorkflow, l.FractionOfCeiling)
		}
	}
	for _, h := range res.HTTP {
		if h.SDK.Samples != cfg.HTTPSamples || h.API.Samples != cfg.HTTPSamples || h.RatioP50 <= 0 || h.RatioP99 <= 0 {
			t.Errorf("%s HTTP overhead: %+v", h.Persistence, h)
		}
	}
	if res.PersistenceRatio <= 0 {
		t.Errorf("no postgres/sqlite ratio: %v", res.PersistenceRatio)
	}
	if len(res.Bursts) != 1 {
		t.Fatalf("bursts: %+v", res.Bursts)
	}
	b := res.Bursts[0]
	if b.Reached != b.N || b.Lateness.Samples != b.N || b.Lateness.P50 <= 0 || b.Lateness.Max < b.Lateness.P95 {
		t.Errorf("burst: %d of %d registered, lateness %+v (%s)", b.Reached, b.N, b.Lateness, b.Reason)
	}
	// The campaign waits one second after the deadline instant before it acts (an act
	// at the instant itself is in time), so no case can expire earlier.
	if b.Lateness.P50 < 1000 {
		t.Errorf("burst: cases expired %.0f ms after the deadline, before its one-second grace", b.Lateness.P50)
	}
	f := b.Footprint
	if f.OpenApplications != b.N || f.RSSBytes <= 0 || f.Rows["applications"] < int64(b.N) || f.Rows["timeline_events"] < int64(b.N) || f.TemporalBytes <= 0 {
		t.Errorf("idle footprint: %+v", f)
	}
	if f.OpenWorkflows < b.N+b.Campaigns {
		t.Errorf("idle footprint: %d open workflows, want at least %d cases + %d campaigns", f.OpenWorkflows, b.N, b.Campaigns)
	}
}

// BenchmarkRank is the ranking of R7 over a campaign's 20 candidates with three
// scorecards each: the only computation of the lifecycle that grows with a campaign's
// size, run inside the campaign workflow's Update handler.
func BenchmarkRank(b *testing.B) {
	ref := testReference(b)
	picks, self := ref.picks, ref.self
	var cands []domain.Candidate
	for _, pref := range domain.SortedCodes(picks) {
		for i, c := range picks[pref] {
			cands = append(cands, domain.Candidate{County: c, RecommendationOrder: i + 1,
				Scorecards: []domain.Scorecard{card(c), card(c + "a"), card(c + "b")}})
		}
	}
	for _, c := range self {
		cands = append(cands, domain.Candidate{County: c, SelfApplied: true, Scorecards: []domain.Scorecard{card(c), card(c + "a"), card(c + "b")}})
	}
	w := domain.DefaultWeights()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := domain.Rank(w, 12, cands); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDeadlineProjection is the read-model write of one campaign's recommendation
// deadline: 88 cases change state and 88 timeline events (plus the campaign's) land in
// one transaction on a real PostgreSQL. It bounds what the deadline burst can owe to
// PostgreSQL: one such write per campaign.
func BenchmarkDeadlineProjection(b *testing.B) {
	ctx := context.Background()
	st, err := store.Open(ctx, storetest.NewDatabase(b), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	ref := testReference(b)
	order := ref.order
	now := time.Now()
	b.ReportAllocs()
	v := int64(0)
	for b.Loop() {
		v++
		p := readmodel.Projection{Year: 2016, Campaign: &readmodel.CampaignView{Year: 2016, Province: ref.province, Phase: domain.PhaseReviewing,
			Counts: map[domain.State]int{domain.StateExpired: len(order)}, Prefectures: []readmodel.Prefecture{}, UpdatedAt: now, Version: v}}
		for _, c := range order {
			p.Applications = append(p.Applications, readmodel.Application{Year: 2016, County: c.Code, Name: c.Name, Prefecture: c.ParentCode,
				State: domain.StateExpired, Materials: readmodel.MaterialsView{Items: map[string]readmodel.MaterialView{}, Missing: []string{}},
				Scores: readmodel.ScoresView{Scorecards: []readmodel.ScorecardView{}}, UpdatedAt: now, Version: v})
			p.Events = append(p.Events, readmodel.Event{WorkflowID: workflows.ApplicationID(2016, c.Code), Seq: v, At: now,
				Actor: "system", Action: "deadline", From: "submitted", To: "expired", Rule: "R5"})
		}
		p.Events = append(p.Events, readmodel.Event{WorkflowID: workflows.CampaignID("520000", 2016), Seq: v, At: now, Actor: "system", Action: "phase", Rule: "R5"})
		if err := st.ApplyProjection(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}

// TestNationalPlan checks the national deadline's cases: one campaign per province of
// the reference data, all in one year, each registering every county of its own
// province and no other (about 2,850 in all).
func TestNationalPlan(t *testing.T) {
	var refs []*reference
	for _, p := range domain.Provinces() {
		ref, err := newReference(p)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, ref)
	}
	plans := planNational(refs, []*shard{{}})
	if len(plans) != 31 {
		t.Fatalf("%d campaigns, want one for each of the 31 provinces", len(plans))
	}
	n, ids := 0, map[string]bool{}
	for _, p := range plans {
		ids[p.id()] = true
		if p.year != firstYear {
			t.Errorf("%s campaigns in %d, want %d", p.ref.province, p.year, firstYear)
		}
		for _, c := range p.counties {
			if domain.ProvinceCode(c.Code) != p.ref.province || c.Level != domain.LevelCounty {
				t.Errorf("%s's campaign registers %s %s", p.ref.province, c.Code, c.Level)
			}
		}
		n += len(p.counties)
	}
	if len(ids) != 31 || n < 2800 || n > 2900 {
		t.Errorf("%d distinct campaign IDs, %d cases; want 31 and about 2,850", len(ids), n)
	}
}
