package store_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// readAll follows a list from its first page to its last, limit rows at a time, and
// fails the test on a page over the limit, an empty page that claims a successor, or a
// next key that is not the page's last row (a reader would then skip or repeat rows).
func readAll[T, K any](t *testing.T, limit int, key func(T) K, fetch func(store.PageRequest[K]) (store.Page[T, K], error)) (items []T, pages int) {
	t.Helper()
	req := store.PageRequest[K]{Limit: limit}
	for pages = 1; pages <= 1000; pages++ {
		p, err := fetch(req)
		if err != nil {
			t.Fatalf("page %d: %v", pages, err)
		}
		if len(p.Items) > limit {
			t.Fatalf("page %d holds %d rows, over the limit %d", pages, len(p.Items), limit)
		}
		items = append(items, p.Items...)
		if p.Next == nil {
			return items, pages
		}
		if len(p.Items) == 0 || fmt.Sprint(*p.Next) != fmt.Sprint(key(p.Items[len(p.Items)-1])) {
			t.Fatalf("page %d: next key %v is not the key of its last row", pages, *p.Next)
		}
		req.After = p.Next
	}
	t.Fatalf("still paging after %d pages", pages)
	return nil, 0
}

// wantPages is how many pages n rows take at limit rows a page; an empty list is one
// empty page.
func wantPages(n, limit int) int { return max(1, (n+limit-1)/limit) }

func TestTimeline_pages_give_every_event_once_oldest_first(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	id := workflows.ApplicationID(year, "520322")
	const n = 250
	p := readmodel.Projection{Year: year, Campaign: campaignView(1, domain.PhaseOpen)}
	for seq := int64(n); seq >= 1; seq-- { // stored out of order: the query orders
		p.Events = append(p.Events, event(id, seq, fmt.Sprintf("step%d", seq)))
	}
	p.Events = append(p.Events, event(workflows.ApplicationID(year, "520328"), 1, "other case"), event(workflows.CampaignID("520000", year), 1, "created"))
	if err := s.ApplyProjection(ctx, p); err != nil {
		t.Fatal(err)
	}
	seqOf := func(e readmodel.Event) int64 { return e.Seq }
	for _, limit := range []int{1, 7, 25, n, n + 1} { // 25 and n end exactly on a page boundary
		t.Run(fmt.Sprintf("limit %d", limit), func(t *testing.T) {
			events, pages := readAll(t, limit, seqOf, func(r store.PageRequest[int64]) (store.Page[readmodel.Event, int64], error) {
				return s.Timeline(ctx, id, r)
			})
			if pages != wantPages(n, limit) {
				t.Errorf("%d pages, want %d", pages, wantPages(n, limit))
			}
			if len(events) != n {
				t.Fatalf("%d events, want %d", len(events), n)
			}
			for i, e := range events {
				if e.Seq != int64(i+1) || e.WorkflowID != id || e.Action != fmt.Sprintf("step%d", i+1) {
					t.Fatalf("event %d is %s seq %d %q, want %s seq %d", i, e.WorkflowID, e.Seq, e.Action, id, i+1)
				}
			}
		})
	}

	t.Run("events appended while paging come at the end, once", func(t *testing.T) {
		var got, want []int64
		for seq := int64(1); seq <= n+2; seq++ {
			want = append(want, seq)
		}
		req := store.PageRequest[int64]{Limit: 100}
		for late := int64(n + 1); late < 10*n; late++ {
			page, err := s.Timeline(ctx, id, req)
			if err != nil {
				t.Fatal(err)
			}
			for _, e := range page.Items {
				got = append(got, e.Seq)
			}
			if page.Next == nil {
				break
			}
			req.After = page.Next
			if late <= n+2 { // the case moves on between two reads of its timeline
				if err := s.ApplyProjection(ctx, readmodel.Projection{Year: year, Events: []readmodel.Event{event(id, late, "late")}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("read seq %v, want 1..%d once each", got, n+2)
		}
	})

	t.Run("after the last event", func(t *testing.T) {
		page, err := s.Timeline(ctx, id, store.PageRequest[int64]{Limit: 10, After: ptr(int64(n + 2))})
		if err != nil || page.Items == nil || len(page.Items) != 0 || page.Next != nil {
			t.Errorf("page after the last event = %+v, %v; want an empty last page", page, err)
		}
	})
}

func TestApplications_pages_give_every_match_once_by_county(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	divs := domain.MustReference("520000", "2016")
	p := readmodel.Projection{Year: year, Campaign: campaignView(1, domain.PhaseOpen)}
	var all, zunyiSubmitted []string
	for _, pref := range divs.Prefectures("520000") {
		for i, d := range divs.Counties(pref.Code) {
			state := domain.StateRegistered
			if i%2 == 0 {
				state = domain.StateSubmitted
			}
			p.Applications = append(p.Applications, application(d.Code, pref.Code, state, 1))
			all = append(all, d.Code)
			if pref.Code == "520300" && state == domain.StateSubmitted {
				zunyiSubmitted = append(zunyiSubmitted, d.Code)
			}
		}
	}
	slices.Reverse(p.Applications) // stored out of order: the query orders
	slices.Sort(all)
	if err := s.ApplyProjection(ctx, p); err != nil {
		t.Fatal(err)
	}
	if len(all) < 80 || len(zunyiSubmitted) < 5 {
		t.Fatalf("fixture: %d counties, %d submitted in Zunyi; want many pages of each", len(all), len(zunyiSubmitted))
	}
	countyOf := func(a readmodel.Application) string { return a.County }
	for _, tc := range []struct {
		prefecture string
		state      domain.State
		want       []string
		limit      int
	}{
		{"", "", all, 10},
		{"", "", all, len(all)},
		{"520300", domain.StateSubmitted, zunyiSubmitted, 2},
		{"520300", domain.StateRecommended, nil, 2},
	} {
		t.Run(fmt.Sprintf("%s %s by %d", tc.prefecture, tc.state, tc.limit), func(t *testing.T) {
			apps, pages := readAll(t, tc.limit, countyOf, func(r store.PageRequest[string]) (store.Page[readmodel.Application, string], error) {
				return s.Applications(ctx, "520000", year, tc.prefecture, string(tc.state), r)
			})
			var got []string
			for _, a := range apps {
				got = append(got, a.County)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("counties %v, want %v", got, tc.want)
			}
			if pages != wantPages(len(tc.want), tc.limit) {
				t.Errorf("%d pages, want %d", pages, wantPages(len(tc.want), tc.limit))
			}
		})
	}
	if _, err := s.Applications(ctx, "520000", 2099, "", "", store.PageRequest[string]{Limit: 10, After: ptr("520100")}); !errorsIsNotFound(err) {
		t.Errorf("a page of an unknown campaign = %v, want ErrNotFound", err)
	}
}

func TestObjections_pages_give_every_objection_once_in_filing_order(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	p := readmodel.Projection{Year: year, Campaign: campaignView(1, domain.PhaseOpen)}
	// A flood: 130 objections filed in bursts of ten within the same microsecond, so
	// most page boundaries fall inside a tie that only the id breaks.
	const n = 130
	var wantAll, wantOpen []string
	for i := range n {
		o := readmodel.Objection{ID: fmt.Sprintf("obj-%04d", i), Year: year, County: "520322", Reason: "材料不实",
			Status: domain.ObjectionOpen, FiledAt: july(28, 8).Add(time.Duration(i/10) * time.Second), Version: 1}
		if i%3 == 0 {
			o.Status = domain.ObjectionDismissed
		} else {
			wantOpen = append(wantOpen, o.ID)
		}
		wantAll = append(wantAll, o.ID)
		p.Objections = append(p.Objections, o)
	}
	slices.Reverse(p.Objections) // stored out of order: the query orders
	if err := s.ApplyProjection(ctx, p); err != nil {
		t.Fatal(err)
	}
	keyOf := func(o readmodel.Objection) store.ObjectionKey {
		return store.ObjectionKey{FiledAt: o.FiledAt, ID: o.ID}
	}
	for _, tc := range []struct {
		status domain.ObjectionStatus
		want   []string
		limit  int
	}{
		{"", wantAll, 7},
		{"", wantAll, 10},
		{domain.ObjectionOpen, wantOpen, 9},
		{domain.ObjectionUpheld, nil, 9},
	} {
		t.Run(fmt.Sprintf("%s by %d", tc.status, tc.limit), func(t *testing.T) {
			objs, pages := readAll(t, tc.limit, keyOf, func(r store.PageRequest[store.ObjectionKey]) (store.Page[readmodel.Objection, store.ObjectionKey], error) {
				return s.Objections(ctx, "520000", year, string(tc.status), r)
			})
			var got []string
			for _, o := range objs {
				got = append(got, o.ID)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("objections %v, want %v", got, tc.want)
			}
			if pages != wantPages(len(tc.want), tc.limit) {
				t.Errorf("%d pages, want %d", pages, wantPages(len(tc.want), tc.limit))
			}
		})
	}
}

func TestPages_refuse_a_limit_below_one(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	if err := s.ApplyProjection(ctx, projectionV(1)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Timeline(ctx, workflows.ApplicationID(year, "520322"), store.PageRequest[int64]{}); err == nil {
		t.Error("Timeline with limit 0 answered; want an error")
	}
	if _, err := s.Applications(ctx, "520000", year, "", "", store.PageRequest[string]{Limit: -1}); err == nil {
		t.Error("Applications with limit -1 answered; want an error")
	}
	if _, err := s.Objections(ctx, "520000", year, "", store.PageRequest[store.ObjectionKey]{}); err == nil {
		t.Error("Objections with limit 0 answered; want an error")
	}
}
