package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
	"github.com/guizhou-commerce/selection/store"
)

// inPublicity projects county as shortlisted with its publicity ending at ends.
func inPublicity(t testing.TB, s *store.Store, county string, ends time.Time, version int64) {
	t.Helper()
	a := application(county, county[:4]+"00", domain.StateShortlisted, version)
	a.PublicityEndsAt = &ends
	if err := s.ApplyProjection(context.Background(), readmodel.Projection{Year: year, Campaign: campaignView(version, domain.PhasePublicity),
		Applications: []readmodel.Application{a}}); err != nil {
		t.Fatalf("project %s: %v", county, err)
	}
}

func refusedWith(t *testing.T, err error, code domain.Code) {
	t.Helper()
	var re *domain.RuleError
	if !errors.As(err, &re) || re.Code != code || re.Rule != "R10" && code != domain.CodeNotFound {
		t.Fatalf("want a %s refusal (R10), got %v", code, err)
	}
}

// TestObjectionWindow: objections are filed only while the county is shortlisted and in
// publicity by the database's clock (R10); a county that leaves the shortlist has its
// open objections made moot in the same transaction, and no new one is accepted.
func TestObjectionWindow(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	_, err := s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520382", Reason: "x"})
	refusedWith(t, err, domain.CodeNotFound)

	inPublicity(t, s, "520382", time.Now().Add(time.Hour), 1)
	inPublicity(t, s, "520526", time.Now().Add(-time.Second), 2)
	a, err := s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520382", Reason: "材料不实", Contact: "138"})
	if err != nil || a.ID == "" || a.Folded {
		t.Fatalf("file: %+v %v", a, err)
	}
	_, err = s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520526", Reason: "too late"})
	refusedWith(t, err, domain.CodeInvalidState)

	// Counting before the period ended by the database's clock is refused (retried).
	if _, err := s.CountObjections(ctx, year, "520382", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrPublicityNotOver) {
		t.Fatalf("count before the end: %v", err)
	}
	n, err := s.CountObjections(ctx, year, "520526", time.Now().Add(-time.Second))
	if err != nil || n != (readmodel.ObjectionCount{}) {
		t.Fatalf("count of 520526: %+v %v", n, err)
	}

	withdrawn := application("520382", "520300", domain.StateWithdrawn, 3)
	if err := s.ApplyProjection(ctx, readmodel.Projection{Year: year, Applications: []readmodel.Application{withdrawn}}); err != nil {
		t.Fatal(err)
	}
	o, err := s.Objection(ctx, "520000", year, a.ID)
	if err != nil || o.Status != domain.ObjectionMoot || o.Note != "the county withdrew" {
		t.Fatalf("objection of a withdrawn county: %+v %v", o, err)
	}
	_, err = s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520382", Reason: "after withdrawal"})
	refusedWith(t, err, domain.CodeInvalidState)
}

// TestObjectionCapsAndFolding: identical objections fold into one (copies counted),
// open objections are capped per county and per contact, also under concurrent
// filings, and a decision frees a place (R10).
func TestObjectionCapsAndFolding(t *testing.T) {
	s := openStore(t)
	ctx := context.Background()
	inPublicity(t, s, "520382", time.Now().Add(time.Hour), 1)
	file := func(reason, contact string) (store.FiledObjection, error) {
		return s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520382", Reason: reason, Contact: contact, MaxOpenPerCounty: 10, MaxOpenPerContact: 2})
	}
	first, err := file("物流 体系未建成", "Li@Example.org")
	if err != nil {
		t.Fatal(err)
	}
	again, err := file("物流体系未建成!", "li@example.org ")
	if err != nil || again.ID != first.ID || !again.Folded {
		t.Fatalf("identical objection: %+v %v", again, err)
	}
	if _, err := file("第二条", "li@example.org"); err != nil {
		t.Fatal(err)
	}
	_, err = file("第三条", "li@example.org")
	refusedWith(t, err, domain.CodeConflict)

	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted := 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := file(fmt.Sprintf("并发 %d", i), ""); err == nil {
				mu.Lock()
				accepted++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	if accepted != 8 {
		t.Fatalf("concurrent filings: %d accepted; the cap of 10 open leaves room for 8", accepted)
	}
	o, err := s.ResolveObjection(ctx, readmodel.ObjectionDecision{Year: year, ID: first.ID, County: "520382", Decision: domain.DecisionDismissed, ResolvedBy: "admin", At: time.Now(), Version: 7})
	if err != nil || o.Status != domain.ObjectionDismissed || o.Contact != "" || o.Copies != 2 {
		t.Fatalf("resolve: %+v %v", o, err)
	}
	// A retried activity finds its own write; another decision is a conflict.
	if _, err := s.ResolveObjection(ctx, readmodel.ObjectionDecision{Year: year, ID: first.ID, County: "520382", Decision: domain.DecisionDismissed, Version: 7}); err != nil {
		t.Fatalf("retried resolution: %v", err)
	}
	_, err = s.ResolveObjection(ctx, readmodel.ObjectionDecision{Year: year, ID: first.ID, County: "520382", Decision: domain.DecisionUpheld, Version: 8})
	refusedWith(t, err, domain.CodeConflict)
	if _, err := file("第十一条", ""); err != nil {
		t.Fatalf("a decision frees a place under the county's cap: %v", err)
	}
	n, err := s.CountObjections(ctx, year, "520382", time.Now().Add(-time.Hour))
	if err != nil || n.Open != 10 || n.Upheld != 0 {
		t.Fatalf("count: %+v %v", n, err)
	}
}

// BenchmarkFileObjection measures how many distinct objections PostgreSQL absorbs for
// one county (each a transaction holding the county's row); BENCHMARKS.md quotes it.
func BenchmarkFileObjection(b *testing.B) {
	s := openStore(b)
	ctx := context.Background()
	inPublicity(b, s, "520382", time.Now().Add(time.Hour), 1)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := s.FileObjection(ctx, store.ObjectionFiling{Year: year, County: "520382", Reason: fmt.Sprintf("理由 %d", i), MaxOpenPerCounty: b.N + 1}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Hours(), "objections/hour")
}
