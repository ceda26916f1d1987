package console

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
)

// apiError is the body of API.md's errors, {"error":{code,message,rule}}, plus the
// status it came with; pages show it as a banner (code and rule translated).
type apiError struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Rule    string `json:"rule,omitempty"`
}

func (e *apiError) Error() string {
	return fmt.Sprintf("API %d %s %s: %s", e.Status, e.Code, e.Rule, e.Message)
}

// call is one request to the API, answered in-process.
type call struct {
	method string
	path   string // below api.BasePath, e.g. "/campaigns/2016"
	token  string // bearer token; empty for the public routes
	body   any    // JSON-encoded when not nil
	idem   string // Idempotency-Key, so a double-clicked form applies once
}

// bufferedResponse collects what the API writes; the console reads it whole.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedResponse) Header() http.Header { return b.header }
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}
func (b *bufferedResponse) WriteHeader(status int) {
	if b.status == 0 {
		b.status = status
	}
}

// do sends cl to the API instance through its ServeHTTP: the same middleware, handlers
// and rules as a request from outside, without a socket. The browser's address travels
// along, with the X-Forwarded-For it came with (believed only from the API's trusted
// proxies), so the API's per-client objection limit applies to the real client, and the
// request ID so one user action is one trail in the logs. A JSON answer below 300 is
// decoded into out (when not nil); anything else comes back as *apiError.
func (c *console) do(r *request, cl call, out any) error {
	return c.doContext(r.ctx(), r.ec, cl, out)
}

func (c *console) doContext(ctx context.Context, ec echo.Context, cl call, out any) error {
	var body *bytes.Reader
	if cl.body != nil {
		raw, err := json.Marshal(cl.body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", cl.method, cl.path, err)
		}
		body = bytes.NewReader(raw)
	}
	var req *http.Request
	var err error
	if body != nil {
		req, err = http.NewRequestWithContext(ctx, cl.method, api.BasePath+cl.path, body)
	} else {
		req, err = http.NewRequestWithContext(ctx, cl.method, api.BasePath+cl.path, http.NoBody)
	}
	if err != nil {
		return fmt.Errorf("build %s %s: %w", cl.method, cl.path, err)
	}
	req.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	if body != nil {
		req.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if cl.token != "" {
		req.Header.Set(echo.HeaderAuthorization, "Bearer "+cl.token)
	}
	if cl.idem != "" {
		req.Header.Set(api.HeaderIdempotencyKey, cl.idem)
	}
	if ec != nil {
		req.RemoteAddr = ec.Request().RemoteAddr
		if xff := ec.Request().Header.Values(echo.HeaderXForwardedFor); len(xff) > 0 {
			req.Header[echo.HeaderXForwardedFor] = xff
		}
		if id := ec.Response().Header().Get(echo.HeaderXRequestID); id != "" {
			req.Header.Set(echo.HeaderXRequestID, id)
		}
	}
	res := &bufferedResponse{header: http.Header{}}
	c.api.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	if res.status >= 300 {
		return decodeAPIError(res)
	}
	if out == nil || res.body.Len() == 0 {
		return nil
	}
	if err := json.Unmarshal(res.body.Bytes(), out); err != nil {
		return fmt.Errorf("decode %s %s: %w", cl.method, cl.path, err)
	}
	return nil
}

// decodeAPIError reads the error body of API.md; a body of another shape (which the API
// never sends) still becomes a readable error rather than a blank page.
func decodeAPIError(res *bufferedResponse) *apiError {
	var env struct {
		Error *apiError `json:"error"`
	}
	if err := json.Unmarshal(res.body.Bytes(), &env); err == nil && env.Error != nil && env.Error.Code != "" {
		env.Error.Status = res.status
		return env.Error
	}
	msg := strings.TrimSpace(res.body.String())
	if len(msg) > 200 {
		msg = msg[:200]
	}
	if msg == "" {
		msg = http.StatusText(res.status)
	}
	return &apiError{Status: res.status, Code: "http_" + fmt.Sprint(res.status), Message: msg}
}

// asAPIError reports whether err is a refusal of the API (as opposed to a failure of
// the console itself).
func asAPIError(err error) (*apiError, bool) {
	var ae *apiError
	ok := errors.As(err, &ae)
	return ae, ok
}
