// Package sdkmetrics exposes the Temporal SDK's metrics (task latencies, poll counts,
// activity failures) on the same Prometheus registry as the API's, so /metrics shows
// the worker and the HTTP side together.
package sdkmetrics

import (
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"go.temporal.io/sdk/client"
)

// New returns an SDK metrics handler registering its series on reg.
func New(reg prometheus.Registerer) client.MetricsHandler {
	return &handler{vecs: &vecs{reg: reg, m: map[string]prometheus.Collector{}}, tags: map[string]string{}}
}

// labelNames are the tags the SDK puts on its metrics. Prometheus fixes a metric's label
// names, while the SDK varies its tags per call site, so every series carries all of
// them ("" when absent) and any other tag is dropped.
var labelNames = []string{"namespace", "client_name", "poller_type", "worker_type", "workflow_type", "activity_type",
	"nexus_service", "nexus_operation", "failure_reason", "task_queue", "operation", "cause"}

// vecs holds one vector per metric name, registered on first use.
type vecs struct {
	reg prometheus.Registerer
	mu  sync.Mutex
	m   map[string]prometheus.Collector
}

type handler struct {
	vecs *vecs
	tags map[string]string
}

func (h *handler) WithTags(tags map[string]string) client.MetricsHandler {
	merged := make(map[string]string, len(h.tags)+len(tags))
	for k, v := range h.tags {
		merged[k] = v
	}
	for k, v := range tags {
		merged[k] = v
	}
	return &handler{vecs: h.vecs, tags: merged}
}

func (h *handler) labels() prometheus.Labels {
	l := make(prometheus.Labels, len(labelNames))
	for _, n := range labelNames {
		l[n] = h.tags[n]
	}
	return l
}

// name makes an SDK metric name a valid Prometheus one.
func name(n string) string {
	return strings.NewReplacer(".", "_", "-", "_").Replace(n)
}

// get returns the vector of a metric, registering it once. If the name is taken by
// another collector, the SDK's series go to an unregistered vector: metrics must never
// fail the worker.
func (v *vecs) get(metric string, make func() prometheus.Collector) prometheus.Collector {
	v.mu.Lock()
	defer v.mu.Unlock()
	if c, ok := v.m[metric]; ok {
		return c
	}
	c := make()
	if err := v.reg.Register(c); err != nil {
		if are, ok := err.(prometheus.AlreadyRegisteredError); ok {
			c = are.ExistingCollector
		}
	}
	v.m[metric] = c
	return c
}

func (h *handler) Counter(n string) client.MetricsCounter {
	c := h.vecs.get("counter|"+n, func() prometheus.Collector {
		return prometheus.NewCounterVec(prometheus.CounterOpts{Name: name(n), Help: "Temporal SDK counter " + n}, labelNames)
	})
	vec, ok := c.(*prometheus.CounterVec)
	if !ok {
		return client.MetricsNopHandler.Counter(n)
	}
	m := vec.With(h.labels())
	return counter(func(d int64) { m.Add(float64(d)) })
}

func (h *handler) Gauge(n string) client.MetricsGauge {
	c := h.vecs.get("gauge|"+n, func() prometheus.Collector {
		return prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: name(n), Help: "Temporal SDK gauge " + n}, labelNames)
	})
	vec, ok := c.(*prometheus.GaugeVec)
	if !ok {
		return client.MetricsNopHandler.Gauge(n)
	}
	return gauge{vec.With(h.labels())}
}

func (h *handler) Timer(n string) client.MetricsTimer {
	c := h.vecs.get("timer|"+n, func() prometheus.Collector {
		return prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: name(n) + "_seconds", Help: "Temporal SDK timer " + n,
			Buckets: prometheus.ExponentialBuckets(0.001, 2.5, 12)}, labelNames)
	})
	vec, ok := c.(*prometheus.HistogramVec)
	if !ok {
		return client.MetricsNopHandler.Timer(n)
	}
	o := vec.With(h.labels())
	return timer(func(d time.Duration) { o.Observe(d.Seconds()) })
}

type counter func(int64)

func (c counter) Inc(d int64) { c(d) }

type gauge struct{ g prometheus.Gauge }

func (g gauge) Update(v float64) { g.g.Set(v) }

type timer func(time.Duration)

func (t timer) Record(d time.Duration) { t(d) }
