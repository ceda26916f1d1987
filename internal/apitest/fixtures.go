package apitest

import (
	"testing"
	"time"

	"github.com/guizhou-commerce/selection/api"
	"github.com/guizhou-commerce/selection/domain"
)

// FullMaterials delivers every required item of §三 in the copies R6 asks for.
func FullMaterials() api.MaterialsRequest {
	items := domain.Materials{}
	for _, it := range domain.Checklist {
		if it.Required {
			items[it.Number] = domain.Delivery{Copies: domain.RequiredCopies}
		}
	}
	return api.MaterialsRequest{Items: items}
}

// Scorecard gives every criterion of R8 the same mark.
func Scorecard(mark float64) domain.Scorecard {
	out := domain.Scorecard{}
	for _, c := range domain.Criteria {
		out[c] = mark
	}
	return out
}

// Eventually polls cond until it holds or within passes: timers fire on the server's
// clock, so tests wait for their effect instead of sleeping a fixed time.
func Eventually(t testing.TB, within time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not reached within %s; last: %s", what, within, state)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
