package store_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// assertProjected checks that the store holds exactly the rows of projectionV(v): one
// row per key at version v, and one timeline row per (workflow, seq).
func assertProjected(t *testing.T, s *store.Store, v int64) {
	t.Helper()
	ctx := t.Context()
	want := projectionV(v)
	for table, n := range map[string]int{"campaigns": 1, "applications": 3, "objections": 1, "scorecards": 1,
		"timeline_events": len(want.Events)} {
		if got := count(t, s, `SELECT count(*) FROM `+table); got != n {
			t.Errorf("%s rows = %d, want %d", table, got, n)
		}
	}
	for table, key := range map[string]string{"campaigns": "year", "applications": "year, county",
		"objections": "id", "scorecards": "year, county, reviewer"} {
		if got := count(t, s, `SELECT count(*) FROM `+table+` WHERE version <> $1`, v); got != 0 {
			t.Errorf("%s: %d rows not at version %d", table, got, v)
		}
		if got := count(t, s, `SELECT count(*) FROM (SELECT `+key+` FROM `+table+` GROUP BY `+key+` HAVING count(*) > 1) d`); got != 0 {
			t.Errorf("%s: %d duplicated keys", table, got)
		}
	}
	c, err := s.Campaign(ctx, "520000", year)
	if err != nil {
		t.Fatalf("Campaign: %v", err)
	}
	sameJSON(t, want.Campaign, c)
	apps, err := s.Applications(ctx, "520000", year, "", "", store.PageRequest[string]{Limit: 10})
	if err != nil {
		t.Fatalf("Applications: %v", err)
	}
	sameJSON(t, want.Applications, apps.Items)
	tl, err := s.Timeline(ctx, workflows.ApplicationID(year, "520322"), store.PageRequest[int64]{Limit: 100})
	if err != nil {
		t.Fatalf("Timeline: %v", err)
	}
	if int64(len(tl.Items)) != v+1 || tl.Next != nil {
		t.Errorf("timeline has %d events (more: %v), want %d", len(tl.Items), tl.Next != nil, v+1)
	}
	var logistics float64
	if err := s.Pool().QueryRow(ctx, `SELECT (criteria->>'logistics')::float8 FROM scorecards`).Scan(&logistics); err != nil {
		t.Fatal(err)
	}
	if logistics != float64(60+v) {
		t.Errorf("scorecard logistics = %v, want %v", logistics, 60+v)
	}
}

func TestApplyProjection_the_same_batch_three_times_leaves_one_row_per_key(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	for range 3 {
		if err := s.ApplyProjection(t.Context(), projectionV(2)); err != nil {
			t.Fatalf("ApplyProjection: %v", err)
		}
	}
	assertProjected(t, s, 2)
}

func TestApplyProjection_an_older_batch_after_a_newer_one_changes_nothing(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	if err := s.ApplyProjection(ctx, projectionV(2)); err != nil {
		t.Fatal(err)
	}
	if err := s.ApplyProjection(ctx, projectionV(1)); err != nil {
		t.Fatal(err)
	}
	assertProjected(t, s, 2)
	a, err := s.Application(ctx, "520000", year, "520322")
	if err != nil {
		t.Fatal(err)
	}
	if a.State != domain.StateSubmitted || a.Version != 2 {
		t.Errorf("application regressed to %s v%d, want submitted v2", a.State, a.Version)
	}
	// And forward again.
	if err := s.ApplyProjection(ctx, projectionV(3)); err != nil {
		t.Fatal(err)
	}
	assertProjected(t, s, 3)
}

func TestApplyProjection_concurrent_batches_leave_the_newest_rows_once(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			// Versions 1..3, several goroutines per version, the newest not last.
			errs <- s.ApplyProjection(t.Context(), projectionV(int64(3-i%3)))
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent ApplyProjection: %v", err)
		}
	}
	assertProjected(t, s, 3)
}

func TestApplyProjection_identical_concurrent_batches_insert_each_event_once(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	var wg sync.WaitGroup
	errs := make(chan error, 10)
	for range 10 {
		wg.Go(func() { errs <- s.ApplyProjection(t.Context(), projectionV(2)) })
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent ApplyProjection: %v", err)
		}
	}
	assertProjected(t, s, 2)
}

func TestApplyProjection_scorecards_follow_the_newest_application(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	app := func(v int64, reviewers ...string) readmodel.Projection {
		a := application("520322", "520300", domain.StateUnderReview, v)
		for _, r := range reviewers {
			a.Scores.Scorecards = append(a.Scores.Scorecards, scorecard(r, float64(v)))
		}
		return readmodel.Projection{Year: year, Applications: []readmodel.Application{a}}
	}
	reviewers := func() map[string]int64 {
		rows, err := s.Pool().Query(ctx, `SELECT reviewer, version FROM scorecards WHERE year = $1 AND county = '520322'`, year)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]int64{}
		for rows.Next() {
			var r string
			var v int64
			if err := rows.Scan(&r, &v); err != nil {
				t.Fatal(err)
			}
			got[r] = v
		}
		return got
	}
	steps := []struct {
		p    readmodel.Projection
		want map[string]int64
	}{
		{app(1, "a", "b"), map[string]int64{"a": 1, "b": 1}},
		{app(3, "a", "c"), map[string]int64{"a": 3, "c": 3}},      // b's card left the view
		{app(2, "a", "b", "d"), map[string]int64{"a": 3, "c": 3}}, // stale: touches nothing
		{app(4), map[string]int64{}},
	}
	for i, st := range steps {
		if err := s.ApplyProjection(ctx, st.p); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		got := reviewers()
		if len(got) != len(st.want) {
			t.Errorf("step %d: scorecards %v, want %v", i, got, st.want)
			continue
		}
		for r, v := range st.want {
			if got[r] != v {
				t.Errorf("step %d: scorecards %v, want %v", i, got, st.want)
			}
		}
	}
}

func TestApplyProjection_an_empty_batch_writes_nothing(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	if err := s.ApplyProjection(t.Context(), readmodel.Projection{Year: year}); err != nil {
		t.Fatal(err)
	}
	if got := count(t, s, `SELECT count(*) FROM campaigns`); got != 0 {
		t.Errorf("campaigns = %d, want 0", got)
	}
}

func TestApplyProjection_refuses_rows_of_another_year_and_writes_none_of_the_batch(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	p := projectionV(1)
	p.Applications[1].Year = 2017
	if err := s.ApplyProjection(t.Context(), p); err == nil {
		t.Fatal("a batch with an application of another year was accepted")
	}
	bad := projectionV(1)
	bad.Events = append(bad.Events, readmodel.Event{WorkflowID: "application/2016/520322", Seq: 0})
	if err := s.ApplyProjection(t.Context(), bad); err == nil {
		t.Fatal("an event without sequence was accepted")
	}
	if got := count(t, s, `SELECT count(*) FROM applications`); got != 0 {
		t.Errorf("applications = %d after refused batches, want 0", got)
	}
}

func TestSaveNotice_keeps_the_newest_version(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	notice := func(v int64, text string) readmodel.Notice {
		return readmodel.Notice{
			Year: year, Province: "520000", PublishedAt: time.Date(year, time.August, 9, 10, 0, 0, 0, shanghai),
			PublicityEndsAt: time.Date(year, time.August, 16, 10, 0, 0, 0, shanghai), Text: text, Version: v,
			Shortlist: []readmodel.NoticeEntry{{County: "520322", Name: "桐梓县", Prefecture: "520300", Rank: 1, Total: 88.5,
				Breakdown:       domain.Breakdown{Scorecards: 2, Review: 88.5, Total: 88.5, Order: 1},
				PublicityEndsAt: time.Date(year, time.August, 16, 10, 0, 0, 0, shanghai)}},
		}
	}
	if _, err := s.Notice(ctx, "520000", year); !errorsIsNotFound(err) {
		t.Errorf("Notice before publication = %v, want ErrNotFound", err)
	}
	for _, n := range []readmodel.Notice{notice(5, "v5"), notice(5, "v5"), notice(4, "v4 late")} {
		if err := s.SaveNotice(ctx, n); err != nil {
			t.Fatalf("SaveNotice: %v", err)
		}
	}
	got, err := s.Notice(ctx, "520000", year)
	if err != nil {
		t.Fatal(err)
	}
	sameJSON(t, notice(5, "v5"), got)
	if err := s.SaveNotice(ctx, notice(6, "v6 promoted")); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.Notice(ctx, "520000", year); got.Text != "v6 promoted" {
		t.Errorf("notice text = %q, want the newer one", got.Text)
	}
	if n := count(t, s, `SELECT count(*) FROM notices WHERE jsonb_array_length(shortlist) = 1`); n != 1 {
		t.Errorf("notices with their shortlist = %d, want 1", n)
	}
}

func BenchmarkApplyProjection(b *testing.B) {
	s := openStore(b)
	ctx := context.Background()
	p := projectionV(1)
	for i := 0; b.Loop(); i++ {
		p.Campaign.Version = int64(i + 1)
		if err := s.ApplyProjection(ctx, p); err != nil {
			b.Fatal(err)
		}
	}
}
