package api

import (
	"encoding/json"
	"testing"

	"github.com/guizhou-commerce/selection/domain"
)

// TestWeightOverridesBothShapes: R7a weights may be posted flat or in the nested shape
// GET returns; both override the same numbers.
func TestWeightOverridesBothShapes(t *testing.T) {
	for _, body := range []string{
		`{"logistics":0.3,"national":0.5}`,
		`{"criteria":{"logistics":0.3},"national":0.5}`,
	} {
		var w WeightOverrides
		if err := json.Unmarshal([]byte(body), &w); err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		got, err := domain.WithOverrides(w)
		if err != nil {
			t.Fatalf("%s: %v", body, err)
		}
		if got.Criteria[domain.CriterionLogistics] != 0.3 || got.National != 0.5 || got.Review != 0.6 {
			t.Fatalf("%s: %+v", body, got)
		}
	}
	var w WeightOverrides
	if err := json.Unmarshal([]byte(`{"logistics":"high"}`), &w); err == nil {
		t.Fatal("a non-number weight is refused")
	}
}
