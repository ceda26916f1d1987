package store_test

import (
	"errors"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

func errorsIsNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

func TestReads_return_what_the_workflow_projected(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	p := projectionV(2)
	other := application("520102", "520100", domain.StateSubmitted, 2)
	other.RecommendationOrder, other.Rank, other.Total = ptr(1), ptr(3), ptr(91.25)
	other.PublicityEndsAt = ptr(time.Date(year, time.August, 16, 10, 0, 0, 0, shanghai))
	p.Applications = append([]readmodel.Application{other}, p.Applications...)
	if err := s.ApplyProjection(ctx, p); err != nil {
		t.Fatal(err)
	}

	t.Run("campaign", func(t *testing.T) {
		c, err := s.Campaign(ctx, "520000", year)
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, p.Campaign, c)
		if _, err := s.Campaign(ctx, "520000", 2099); !errorsIsNotFound(err) {
			t.Errorf("Campaign(2099) = %v, want ErrNotFound", err)
		}
	})
	t.Run("applications ordered by county and filtered", func(t *testing.T) {
		for _, tc := range []struct {
			prefecture, state string
			want              []string
		}{
			{"", "", []string{"520102", "520322", "520328", "520382"}},
			{"520300", "", []string{"520322", "520328", "520382"}},
			{"", "submitted", []string{"520102", "520322"}},
			{"520300", "submitted", []string{"520322"}},
			{"520100", "recommended", nil},
		} {
			page, err := s.Applications(ctx, "520000", year, tc.prefecture, tc.state, store.PageRequest[string]{Limit: 10})
			if err != nil {
				t.Fatalf("Applications(%q, %q): %v", tc.prefecture, tc.state, err)
			}
			apps := page.Items
			if page.Next != nil {
				t.Errorf("Applications(%q, %q) has a next page after %q; all fit in one", tc.prefecture, tc.state, *page.Next)
			}
			if apps == nil {
				t.Errorf("Applications(%q, %q) is nil, want an empty list", tc.prefecture, tc.state)
			}
			var got []string
			for _, a := range apps {
				got = append(got, a.County)
			}
			if len(got) != len(tc.want) {
				t.Errorf("Applications(%q, %q) = %v, want %v", tc.prefecture, tc.state, got, tc.want)
				continue
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Errorf("Applications(%q, %q) = %v, want %v", tc.prefecture, tc.state, got, tc.want)
				}
			}
		}
		if _, err := s.Applications(ctx, "520000", 2099, "", "", store.PageRequest[string]{Limit: 10}); !errorsIsNotFound(err) {
			t.Errorf("Applications(2099) = %v, want ErrNotFound", err)
		}
	})
	t.Run("application", func(t *testing.T) {
		a, err := s.Application(ctx, "520000", year, "520102")
		if err != nil {
			t.Fatal(err)
		}
		sameJSON(t, other, a)
		if _, err := s.Application(ctx, "520000", year, "520999"); !errorsIsNotFound(err) {
			t.Errorf("Application(520999) = %v, want ErrNotFound", err)
		}
		var order, rank int
		var total float64
		if err := s.Pool().QueryRow(ctx, `SELECT recommendation_order, rank, total FROM applications WHERE county = '520102'`).
			Scan(&order, &rank, &total); err != nil || order != 1 || rank != 3 || total != 91.25 {
			t.Errorf("reporting columns = %d, %d, %v (%v); want 1, 3, 91.25", order, rank, total, err)
		}
	})
	t.Run("timeline oldest first", func(t *testing.T) {
		tl, err := s.Timeline(ctx, workflows.ApplicationID(year, "520322"), store.PageRequest[int64]{Limit: 10})
		if err != nil || tl.Next != nil {
			t.Fatalf("Timeline = next %v, %v; want one page", tl.Next, err)
		}
		var want []readmodel.Event
		for _, e := range p.Events {
			if e.WorkflowID == workflows.ApplicationID(year, "520322") {
				want = append(want, e)
			}
		}
		sameJSON(t, want, inZone(tl.Items))
		empty, err := s.Timeline(ctx, workflows.ApplicationID(year, "520999"), store.PageRequest[int64]{Limit: 10})
		if err != nil || empty.Items == nil || len(empty.Items) != 0 || empty.Next != nil {
			t.Errorf("Timeline of a workflow without events = %#v, %v; want an empty non-nil slice and no next page", empty, err)
		}
		if n := count(t, s, `SELECT count(*) FROM timeline_events WHERE year = 2016 AND county = '520322'`); n != 3 {
			t.Errorf("events indexed under county 520322 = %d, want 3", n)
		}
		if n := count(t, s, `SELECT count(*) FROM timeline_events WHERE workflow_id = 'campaign/520000/2016' AND county IS NULL`); n != 1 {
			t.Errorf("campaign events without county = %d, want 1", n)
		}
	})
}

// inZone shows the stored instants in Beijing time, as the workflow recorded them.
func inZone(events []readmodel.Event) []readmodel.Event {
	for i := range events {
		events[i].At = events[i].At.In(shanghai)
	}
	return events
}

func TestObjections_are_listed_by_filing_and_filtered_by_status(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	first := store.PageRequest[store.ObjectionKey]{Limit: 10}
	if _, err := s.Objections(ctx, "520000", year, "", first); !errorsIsNotFound(err) {
		t.Errorf("Objections of an unknown campaign = %v, want ErrNotFound", err)
	}
	p := projectionV(1)
	resolved := readmodel.Objection{ID: "obj-0", Year: year, County: "520328", Reason: "不实", Status: domain.ObjectionDismissed,
		Note: "查无实据", ResolvedBy: "admin:li", FiledAt: july(27, 8), ResolvedAt: ptr(july(29, 8)), Version: 1, Copies: 1}
	p.Objections = append(p.Objections, resolved)
	if err := s.ApplyProjection(ctx, p); err != nil {
		t.Fatal(err)
	}
	page, err := s.Objections(ctx, "520000", year, "", first)
	if err != nil {
		t.Fatal(err)
	}
	if all := page.Items; page.Next != nil || len(all) != 2 || all[0].ID != "obj-0" || all[1].ID != "obj-1" {
		t.Fatalf("Objections = %+v, want obj-0 then obj-1", all)
	}
	open, err := s.Objections(ctx, "520000", year, string(domain.ObjectionOpen), first)
	if err != nil || len(open.Items) != 1 || open.Items[0].ID != "obj-1" {
		t.Errorf("open objections = %+v, %v; want obj-1", open, err)
	}
	none, err := s.Objections(ctx, "520000", year, string(domain.ObjectionUpheld), first)
	if err != nil || none.Items == nil || len(none.Items) != 0 {
		t.Errorf("upheld objections = %#v, %v; want an empty list", none, err)
	}
	got, err := s.Objection(ctx, "520000", year, "obj-0")
	if err != nil {
		t.Fatal(err)
	}
	got.FiledAt, got.ResolvedAt = got.FiledAt.In(shanghai), ptr(got.ResolvedAt.In(shanghai))
	sameJSON(t, resolved, got)
	if _, err := s.Objection(ctx, "520000", year, "obj-9"); !errorsIsNotFound(err) {
		t.Errorf("Objection(obj-9) = %v, want ErrNotFound", err)
	}
	if _, err := s.Objection(ctx, "520000", 2017, "obj-0"); !errorsIsNotFound(err) {
		t.Errorf("Objection of another year = %v, want ErrNotFound", err)
	}
}
