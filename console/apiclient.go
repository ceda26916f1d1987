package console

import (
	"context"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/apiclient"
)

// client is the API as the signed-in user speaks to it: the typed client over the API
// instance's own ServeHTTP (the same middleware, handlers and rules as a request from
// outside, without a socket), with the user's bearer token.
func (c *console) client(r *request) *apiclient.Client {
	return c.public(r).WithToken(r.token())
}

// public is the API as anyone speaks to it, without a token: the notice and the
// objection form are the public's, whoever is signed in. It speaks to the request's
// province's routes (/api/v1/provinces/{province}/…).
func (c *console) public(r *request) *apiclient.Client {
	return c.api.InProvince(r.province).WithRequestHook(forwarded(r.ec))
}

// forwarded makes each API request carry what the browser's request came with: its
// address, with the X-Forwarded-For it arrived with (believed only from the API's
// trusted proxies), so the API's per-client objection limit applies to the real client,
// and the request ID, so one user action is one trail in the logs.
func forwarded(ec echo.Context) func(*http.Request) {
	return func(req *http.Request) {
		req.RemoteAddr = ec.Request().RemoteAddr
		if xff := ec.Request().Header.Values(echo.HeaderXForwardedFor); len(xff) > 0 {
			req.Header[echo.HeaderXForwardedFor] = xff
		}
		if id := ec.Response().Header().Get(echo.HeaderXRequestID); id != "" {
			req.Header.Set(echo.HeaderXRequestID, id)
		}
	}
}

// formCtx is the request's context carrying the form's Idempotency-Key, so a
// double-clicked form applies once.
func (r *request) formCtx() context.Context {
	return apiclient.WithIdempotencyKey(r.ctx(), r.ec.FormValue(idemField))
}

// errOnly keeps the error of a typed call whose answer the console does not show: a
// form answers with a redirect, and the page it leads to reads the API afresh.
func errOnly[T any](_ T, err error) error { return err }
