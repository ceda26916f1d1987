package sdkmetrics

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// TestSeriesReachTheRegistry: counters, gauges and timers of the SDK, with varying tag
// sets, all appear on the registry that /metrics serves.
func TestSeriesReachTheRegistry(t *testing.T) {
	reg := prometheus.NewRegistry()
	h := New(reg)
	h.WithTags(map[string]string{"namespace": "default"}).Counter("temporal_request").Inc(2)
	h.WithTags(map[string]string{"namespace": "default"}).Counter("temporal_request").Inc(1)
	h.WithTags(map[string]string{"namespace": "default", "operation": "Poll", "unknown_tag": "x"}).Counter("temporal_request").Inc(1)
	h.Gauge("temporal_worker_task_slots_available").Update(5)
	h.Timer("temporal_activity_execution_latency").Record(20 * time.Millisecond)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			switch {
			case m.GetCounter() != nil:
				got[f.GetName()] += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				got[f.GetName()] = m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				got[f.GetName()] += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	want := map[string]float64{"temporal_request": 4, "temporal_worker_task_slots_available": 5, "temporal_activity_execution_latency_seconds": 1}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
}
