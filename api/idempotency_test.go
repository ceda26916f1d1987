package api_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/readmodel"
)

// TestIdempotencyKey checks API.md "Idempotency": a retry with the same key and body
// gets the first response (even when the state moved on since), another body gets 409,
// keys are per caller, and concurrent retries apply once.
func TestIdempotencyKey(t *testing.T) {
	t.Parallel()
	h := newHarness(t, 2019)
	admin := token(t, domain.RoleAdmin, "520000", "admin")
	tongzi := token(t, domain.RoleCounty, "520322", "tongzi")
	h.openCampaign(admin, time.Hour, 2*time.Hour, "")
	apps := h.campaignPath() + "/applications"
	keyed := func(tok, key string, body any) req {
		return req{method: http.MethodPost, path: apps, token: tok, body: body, header: map[string]string{api.HeaderIdempotencyKey: key}}
	}

	first := h.must(http.StatusCreated, keyed(tongzi, "register-520322", map[string]string{"county": "520322"}))
	if first.Header.Get(api.HeaderIdempotentReplayed) != "" {
		t.Fatalf("first response marked as replayed")
	}
	// The state moves on: the county delivers materials (version grows).
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath("520322") + "/materials", token: tongzi, body: fullMaterials()})

	again := h.must(http.StatusCreated, keyed(tongzi, "register-520322", map[string]string{"county": "520322"}))
	if !bytes.Equal(again.Body, first.Body) || again.Header.Get(api.HeaderIdempotentReplayed) != "true" {
		t.Fatalf("retry: want the first response replayed\nfirst %s\nagain %s (replayed %q)", first.Body, again.Body, again.Header.Get(api.HeaderIdempotentReplayed))
	}
	h.refused(http.StatusConflict, "conflict", "", keyed(tongzi, "register-520322", map[string]string{"county": "520323"}))
	// Without the key the same request is a new registration: 409 exists.
	h.refused(http.StatusConflict, "conflict", "", req{method: http.MethodPost, path: apps, token: tongzi, body: map[string]string{"county": "520322"}})
	// Another caller's key space is separate: the admin's request with the same key runs.
	h.must(http.StatusCreated, keyed(admin, "register-520322", map[string]string{"county": "520323"}))

	// A refusal is a response too: replayed as it was.
	missing := keyed(admin, "submit-520323", nil)
	missing.path = h.appPath("520323") + "/submit"
	r1 := h.serve(missing)
	if r1.Code != http.StatusUnprocessableEntity {
		t.Fatalf("submit without materials: %s", r1)
	}
	h.must(http.StatusOK, req{method: http.MethodPut, path: h.appPath("520323") + "/materials", token: admin, body: fullMaterials()})
	r2 := h.serve(missing)
	if r2.Code != r1.Code || !bytes.Equal(r2.Body, r1.Body) || r2.Header.Get(api.HeaderIdempotentReplayed) != "true" {
		t.Fatalf("replayed refusal: %s", r2)
	}

	// Concurrent retries of one keyed submission: it applies once; every answer is the
	// application submitted, or 409 while the first is still in flight.
	submit := keyed(tongzi, "submit-520322", map[string]any{})
	submit.path = h.appPath("520322") + "/submit"
	var wg sync.WaitGroup
	results := make([]response, 6)
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i] = serve(t, h.e, submit)
		}()
	}
	wg.Wait()
	var body []byte
	for _, res := range results {
		switch res.Code {
		case http.StatusOK:
			if body != nil && !bytes.Equal(body, res.Body) {
				t.Errorf("two different successful answers:\n%s\n%s", body, res.Body)
			}
			body = res.Body
		case http.StatusConflict:
			if m := res.errorBody(t).Error.Message; m != "request with this key is still in progress" {
				t.Errorf("concurrent retry: %s", res)
			}
		default:
			t.Errorf("concurrent retry: %s", res)
		}
	}
	if body == nil {
		t.Fatal("no concurrent submission succeeded")
	}
	var tl struct{ Events []readmodel.Event }
	h.must(http.StatusOK, req{method: http.MethodGet, path: h.appPath("520322") + "/timeline", token: tongzi}).decode(t, &tl)
	submits := 0
	for _, e := range tl.Events {
		if e.Action == "submit" {
			submits++
		}
	}
	if submits != 1 {
		t.Errorf("the keyed submission applied %d times", submits)
	}
}
