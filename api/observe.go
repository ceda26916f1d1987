package api

import (
	"context"
	"errors"
	"log/slog"
	"strconv"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// metrics are the HTTP series of /metrics, labelled by route template (never the raw
// path, which would grow without bound), method and status.
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
}

func newMetrics(reg *prometheus.Registry) *metrics {
	if reg == nil {
		reg = prometheus.NewRegistry()
		reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	}
	labels := []string{"route", "method", "status"}
	m := &metrics{registry: reg}
	m.requests = registerCollector(reg, prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "selection_http_requests_total",
		Help: "HTTP requests answered, by route template, method and status.",
	}, labels))
	m.latency = registerCollector(reg, prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "selection_http_request_duration_seconds",
		Help:    "Time to answer an HTTP request, by route template, method and status.",
		Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30},
	}, labels))
	return m
}

// registerCollector adds c to reg, reusing the collector already there when New is
// called twice with one registry (a restarted server in the same process, tests).
func registerCollector[C prometheus.Collector](reg *prometheus.Registry, c C) C {
	if err := reg.Register(c); err != nil {
		var are prometheus.AlreadyRegisteredError
		if errors.As(err, &are) {
			if existing, ok := are.ExistingCollector.(C); ok {
				return existing
			}
		}
		panic("api: register metrics: " + err.Error())
	}
	return c
}

func (s *server) metricsHandler() echo.HandlerFunc {
	return echo.WrapHandler(promhttp.HandlerFor(s.metrics.registry, promhttp.HandlerOpts{}))
}

// observe writes the request's error response itself (so it knows the final status),
// then logs one structured line and records the metrics.
func (s *server) observe(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		start := time.Now()
		c.Set(receivedKey, start)
		if err := next(c); err != nil {
			c.Error(err)
		}
		elapsed := time.Since(start)
		req, res := c.Request(), c.Response()
		s.routesOnce.Do(func() {
			for _, r := range s.echo.Routes() {
				s.routes[r.Path] = true
			}
		})
		route := c.Path()
		if !s.routes[route] {
			route = "unmatched"
		}
		status := strconv.Itoa(res.Status)
		s.metrics.requests.WithLabelValues(route, req.Method, status).Inc()
		s.metrics.latency.WithLabelValues(route, req.Method, status).Observe(elapsed.Seconds())

		attrs := []slog.Attr{
			slog.String("request_id", requestID(c)),
			slog.String("method", req.Method),
			slog.String("route", route),
			slog.String("path", req.URL.Path),
			slog.Int("status", res.Status),
			slog.Int64("bytes", res.Size),
			slog.Duration("latency", elapsed),
			slog.String("remote_ip", c.RealIP()),
		}
		if a, ok := actorOf(c); ok {
			attrs = append(attrs, slog.String("actor_sub", a.Sub), slog.String("actor_role", string(a.Role)), slog.String("actor_region", a.Region))
		}
		if c.Response().Header().Get(HeaderIdempotentReplayed) != "" {
			attrs = append(attrs, slog.Bool("idempotent_replay", true))
		}
		level := slog.LevelInfo
		if res.Status >= 500 {
			level = slog.LevelError
		}
		s.log.LogAttrs(req.Context(), level, "http request", attrs...)
		return nil
	}
}

// timeout bounds every request: the deadline reaches Temporal and PostgreSQL through
// the request context, and the error handler answers 504 when it passed.
func (s *server) timeout(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		ctx, cancel := context.WithTimeout(c.Request().Context(), s.cfg.RequestTimeout)
		defer cancel()
		c.SetRequest(c.Request().WithContext(ctx))
		return next(c)
	}
}

// requestID is the ID the RequestID middleware gave this request (echoed in the
// X-Request-ID response header), for logs and for users reporting a 500.
func requestID(c echo.Context) string {
	if id := c.Response().Header().Get(echo.HeaderXRequestID); id != "" {
		return id
	}
	return c.Request().Header.Get(echo.HeaderXRequestID)
}
