package api

import (
	"math"
	"strconv"
	"sync"
	"time"

	"github.com/labstack/echo/v4"
	"golang.org/x/time/rate"
)

// objectionLimiter limits public objections per client (ClientPrefix of the address
// ipExtractor names): the one write route without a token must not let anyone flood
// the campaign workflow (R10). A refused request is a 503 whose Retry-After is when the
// client's bucket holds a token again.
func (s *server) objectionLimiter() echo.MiddlewareFunc {
	l := newClientLimiter(rate.Limit(s.cfg.ObjectionRate), s.cfg.ObjectionBurst)
	return func(next echo.HandlerFunc) echo.HandlerFunc {
		return func(c echo.Context) error {
			wait := l.reserve(s.cfg.ClientPrefix.Key(c.RealIP()), time.Now())
			if wait > 0 {
				c.Response().Header().Set("Retry-After", strconv.Itoa(retryAfterSeconds(wait)))
				return newError(codeRateLimited, "", "too many objections from this address; retry in %d s", retryAfterSeconds(wait))
			}
			return next(c)
		}
	}
}

// retryAfterSeconds rounds a wait up to whole seconds, Retry-After's unit.
func retryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// clientLimiter is a token bucket per client key. A bucket idle long enough to be full
// again is dropped: a new one is the same bucket, so forgetting it changes nothing but
// memory.
type clientLimiter struct {
	rate  rate.Limit
	burst int
	// refill is how long an empty bucket takes to fill up; sweepEvery how often idle
	// buckets are looked for.
	refill, sweepEvery time.Duration

	mu        sync.Mutex
	buckets   map[string]*bucket
	lastSweep time.Time
}

type bucket struct {
	lim  *rate.Limiter
	seen time.Time
}

func newClientLimiter(r rate.Limit, burst int) *clientLimiter {
	refill := time.Duration(float64(burst) / float64(r) * float64(time.Second))
	return &clientLimiter{rate: r, burst: burst, refill: refill, sweepEvery: min(refill, time.Minute), buckets: map[string]*bucket{}}
}

// reserve takes a token from key's bucket at now, or reports how long until it holds
// one (taking nothing).
func (l *clientLimiter) reserve(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.lastSweep) >= l.sweepEvery {
		for k, b := range l.buckets {
			if now.Sub(b.seen) >= l.refill {
				delete(l.buckets, k)
			}
		}
		l.lastSweep = now
	}
	b, ok := l.buckets[key]
	if !ok {
		b = &bucket{lim: rate.NewLimiter(l.rate, l.burst)}
		l.buckets[key] = b
	}
	b.seen = now
	r := b.lim.ReserveN(now, 1)
	wait := r.DelayFrom(now)
	if wait > 0 {
		r.CancelAt(now)
	}
	return wait
}
