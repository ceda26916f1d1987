package store_test

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/guizhou-commerce/selection/store"
)

func TestIdempotencyKey_first_request_runs_and_retries_replay_its_response(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	scope := store.IdempotencyScope(http.MethodPost, "/api/v1/campaigns", "admin:li")

	rec, fresh, err := s.ReserveIdempotencyKey(ctx, scope, "k1", "hash-a")
	if err != nil || !fresh || rec != nil {
		t.Fatalf("first Reserve = %v, %v, %v; want nil, true", rec, fresh, err)
	}
	rec, fresh, err = s.ReserveIdempotencyKey(ctx, scope, "k1", "hash-a")
	if err != nil || fresh || rec == nil || rec.Status != 0 || rec.RequestHash != "hash-a" {
		t.Fatalf("Reserve while in flight = %+v, %v, %v; want status 0, false", rec, fresh, err)
	}
	body := []byte(`{"year":2016}`)
	if err := s.CompleteIdempotencyKey(ctx, scope, "k1", http.StatusCreated, body); err != nil {
		t.Fatalf("Complete: %v", err)
	}
	rec, fresh, err = s.ReserveIdempotencyKey(ctx, scope, "k1", "hash-a")
	if err != nil || fresh || rec == nil || rec.Status != http.StatusCreated || string(rec.Body) != string(body) ||
		rec.CreatedAt.IsZero() {
		t.Fatalf("Reserve after completion = %+v, %v, %v; want the stored 201", rec, fresh, err)
	}
	// Another body under the same key: the caller sees the original hash and answers 409.
	rec, fresh, err = s.ReserveIdempotencyKey(ctx, scope, "k1", "hash-b")
	if err != nil || fresh || rec == nil || rec.RequestHash != "hash-a" {
		t.Fatalf("Reserve with another body = %+v, %v, %v; want the original hash", rec, fresh, err)
	}
	// Completing twice would overwrite the replayed response: refused.
	if err := s.CompleteIdempotencyKey(ctx, scope, "k1", http.StatusOK, nil); !errorsIsNotFound(err) {
		t.Errorf("second Complete = %v, want ErrNotFound", err)
	}
	// Release keeps a completed key.
	if err := s.ReleaseIdempotencyKey(ctx, scope, "k1"); err != nil {
		t.Fatal(err)
	}
	if _, fresh, _ := s.ReserveIdempotencyKey(ctx, scope, "k1", "hash-a"); fresh {
		t.Error("a completed key was released")
	}
}

func TestIdempotencyKey_is_scoped_by_method_path_and_subject(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	for _, scope := range []string{
		store.IdempotencyScope(http.MethodPost, "/api/v1/campaigns", "admin:li"),
		store.IdempotencyScope(http.MethodPost, "/api/v1/campaigns", "admin:wang"),
		store.IdempotencyScope(http.MethodPut, "/api/v1/campaigns", "admin:li"),
		store.IdempotencyScope(http.MethodPost, "/api/v1/campaigns/2016/ranking", "admin:li"),
	} {
		if _, fresh, err := s.ReserveIdempotencyKey(ctx, scope, "same-key", "h"); err != nil || !fresh {
			t.Errorf("Reserve in %q = %v, %v; want a fresh key", scope, fresh, err)
		}
	}
}

func TestIdempotencyKey_released_after_a_server_error_runs_again(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	if _, fresh, err := s.ReserveIdempotencyKey(ctx, "scope", "k", "h"); err != nil || !fresh {
		t.Fatalf("Reserve = %v, %v", fresh, err)
	}
	if err := s.ReleaseIdempotencyKey(ctx, "scope", "k"); err != nil {
		t.Fatal(err)
	}
	if _, fresh, err := s.ReserveIdempotencyKey(ctx, "scope", "k", "h"); err != nil || !fresh {
		t.Fatalf("Reserve after release = %v, %v; want fresh", fresh, err)
	}
	if err := s.CompleteIdempotencyKey(ctx, "scope", "never-reserved", http.StatusOK, nil); !errorsIsNotFound(err) {
		t.Errorf("Complete of an unknown key = %v, want ErrNotFound", err)
	}
	if err := s.CompleteIdempotencyKey(ctx, "scope", "k", 0, nil); err == nil {
		t.Error("Complete with status 0 accepted: it would look in flight forever")
	}
}

func TestIdempotencyKey_abandoned_reservation_is_taken_over_after_the_lease(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	ctx := t.Context()
	if _, fresh, err := s.ReserveIdempotencyKey(ctx, "scope", "k", "h"); err != nil || !fresh {
		t.Fatalf("Reserve = %v, %v", fresh, err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - make_interval(secs => $1 + 1)`,
		store.IdempotencyLease.Seconds()); err != nil {
		t.Fatal(err)
	}
	if _, fresh, err := s.ReserveIdempotencyKey(ctx, "scope", "k", "h"); err != nil || !fresh {
		t.Fatalf("Reserve of an abandoned key = %v, %v; want fresh", fresh, err)
	}
	// A completed key is never taken over, however old.
	if err := s.CompleteIdempotencyKey(ctx, "scope", "k", http.StatusOK, []byte("{}")); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `UPDATE idempotency_keys SET created_at = now() - interval '1 day'`); err != nil {
		t.Fatal(err)
	}
	if rec, fresh, err := s.ReserveIdempotencyKey(ctx, "scope", "k", "h"); err != nil || fresh || rec.Status != http.StatusOK {
		t.Fatalf("Reserve of an old completed key = %+v, %v, %v; want the stored response", rec, fresh, err)
	}
}

func TestIdempotencyKey_concurrent_reservations_have_one_winner(t *testing.T) {
	t.Parallel()
	s := openStore(t)
	var winners atomic.Int32
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			rec, fresh, err := s.ReserveIdempotencyKey(t.Context(), "scope", "race", "h")
			switch {
			case err != nil:
				t.Errorf("Reserve: %v", err)
			case fresh:
				winners.Add(1)
			case rec == nil || rec.RequestHash != "h":
				t.Errorf("loser saw %+v", rec)
			}
		})
	}
	wg.Wait()
	if n := winners.Load(); n != 1 {
		t.Errorf("%d requests won the key, want 1", n)
	}
}
