package api

import (
	"time"

	"github.com/labstack/echo/v4"
	"github.com/labstack/echo/v4/middleware"
	"golang.org/x/time/rate"

	"github.com/guizhou-commerce/selection/domain"
)

// objectionLimiter limits public objections per client address: the one write route
// without a token must not let anyone flood the campaign workflow (R10).
func (s *server) objectionLimiter() echo.MiddlewareFunc {
	st := middleware.NewRateLimiterMemoryStoreWithConfig(middleware.RateLimiterMemoryStoreConfig{
		Rate:      rate.Limit(s.cfg.ObjectionRate),
		Burst:     s.cfg.ObjectionBurst,
		ExpiresIn: 3 * time.Minute,
	})
	return middleware.RateLimiterWithConfig(middleware.RateLimiterConfig{
		Store:               st,
		IdentifierExtractor: func(c echo.Context) (string, error) { return c.RealIP(), nil },
		ErrorHandler: func(c echo.Context, err error) error {
			return newError(domain.CodeForbidden, "", "the client address could not be determined")
		},
		DenyHandler: func(c echo.Context, _ string, _ error) error {
			c.Response().Header().Set("Retry-After", "1")
			return newError(codeRateLimited, "", "too many objections from this address; retry in a moment")
		},
	})
}
