package api

import (
	"context"
	_ "embed"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"
	"go.temporal.io/sdk/client"
)

// readyTimeout bounds each readiness probe, well under a load balancer's usual interval.
const readyTimeout = 2 * time.Second

// healthz answers while the process serves HTTP: a liveness probe that must not depend
// on Temporal or PostgreSQL, or their outage would get healthy API processes killed.
func (s *server) healthz(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok"})
}

// ReadyResponse names each dependency's state, so an operator sees which one failed.
type ReadyResponse struct {
	Status string            `json:"status"`
	Checks map[string]string `json:"checks"`
	Error  *apiError         `json:"error,omitempty"`
}

// readyz answers 200 when Temporal and PostgreSQL both answer, 503 otherwise; the
// causes are logged, the body only says which dependency failed.
func (s *server) readyz(c echo.Context) error {
	ctx, cancel := context.WithTimeout(c.Request().Context(), readyTimeout)
	defer cancel()
	checks := map[string]string{"temporal": "ok", "postgres": "ok"}
	var failed []string
	if _, err := s.tc.CheckHealth(ctx, &client.CheckHealthRequest{}); err != nil {
		checks["temporal"] = "unreachable"
		failed = append(failed, "temporal")
		s.log.WarnContext(ctx, "readiness: Temporal", slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
	}
	if err := s.st.Ping(ctx); err != nil {
		checks["postgres"] = "unreachable"
		failed = append(failed, "postgres")
		s.log.WarnContext(ctx, "readiness: PostgreSQL", slog.String("request_id", requestID(c)), slog.String("error", err.Error()))
	}
	if len(failed) > 0 {
		ae := newError(codeUnavailable, "", "not ready: %s unreachable", strings.Join(failed, " and "))
		return c.JSON(http.StatusServiceUnavailable, ReadyResponse{Status: "unavailable", Checks: checks, Error: ae})
	}
	return c.JSON(http.StatusOK, ReadyResponse{Status: "ok", Checks: checks})
}

// openapi serves the OpenAPI 3 document of this API; a test keeps it in step with the
// registered routes.
func (s *server) openapi(c echo.Context) error {
	return c.Blob(http.StatusOK, echo.MIMEApplicationJSON, openapiJSON)
}
