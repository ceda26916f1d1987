// Package apiclient is the typed Go client of the HTTP API of API.md, one method per
// route, with the request and response types of package api and package readmodel. It
// talks to a server over a URL (New) or to an API instance in the same process through
// its http.Handler (NewHandler: the same middleware and handlers, without a socket), so
// the console, the demo, the benchmarks and the tests all speak the API through one
// client instead of each re-declaring its bodies and its error type.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/api"
)

// DefaultTimeout bounds each request of the default HTTP client: past the API's own
// request timeout (api.DefaultRequestTimeout, answered 504), so the server's answer
// arrives before the client gives up.
const DefaultTimeout = 2 * api.DefaultRequestTimeout

// maxResponse bounds what one answer may make the client read: the API's largest
// answers are pages of at most api.MaxLimit items.
const maxResponse = 64 << 20

// inProcessAddr is the client address of an in-process request unless a request hook
// sets another: the request comes from this machine.
const inProcessAddr = "127.0.0.1:0"

// Client sends requests to one API. Its With methods return copies, so one client can
// be shared and specialised per caller (token, forwarded headers).
type Client struct {
	// root is the server's address without BasePath ("" in-process); the health routes
	// live there, the API below root+api.BasePath.
	root  string
	send  func(*http.Request) (*Response, error)
	token string
	hooks []func(*http.Request)
	// province, when set, sends the campaign routes to /provinces/{province}/….
	province string
}

// New is a client of the server at baseURL ("http://127.0.0.1:8080"), api.BasePath
// appended. A nil hc is a client with DefaultTimeout.
func New(baseURL string, hc *http.Client) *Client {
	if hc == nil {
		hc = &http.Client{Timeout: DefaultTimeout}
	}
	return &Client{root: strings.TrimRight(baseURL, "/"), send: func(r *http.Request) (*Response, error) {
		res, err := hc.Do(r)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(io.LimitReader(res.Body, maxResponse))
		if err != nil {
			return nil, fmt.Errorf("read %s %s: %w", r.Method, r.URL.Path, err)
		}
		return &Response{StatusCode: res.StatusCode, Header: res.Header, Body: body}, nil
	}}
}

// NewHandler is a client of an API instance in this process: each request goes
// through h.ServeHTTP, from the loopback address unless a request hook sets RemoteAddr.
func NewHandler(h http.Handler) *Client {
	return &Client{send: func(r *http.Request) (*Response, error) {
		w := &bufferedResponse{header: http.Header{}}
		h.ServeHTTP(w, r)
		if w.status == 0 {
			w.status = http.StatusOK
		}
		return &Response{StatusCode: w.status, Header: w.header, Body: w.body.Bytes()}, nil
	}}
}

// WithToken is a copy of c that sends Authorization: Bearer token; "" sends none (the
// public routes).
func (c *Client) WithToken(token string) *Client {
	cp := *c
	cp.token = token
	return &cp
}

// InProvince is a copy of c whose typed methods address the campaigns of province
// (/api/v1/provinces/{province}/campaigns/…) instead of the deployment's province, so
// one client serves every province of a deployment. Do sends its path as given.
func (c *Client) InProvince(province string) *Client {
	cp := *c
	cp.province = province
	return &cp
}

// WithRequestHook is a copy of c that runs f on every outgoing request after the client
// set its own headers, so a caller can forward what it received (the console: the
// browser's RemoteAddr, X-Forwarded-For and X-Request-ID).
func (c *Client) WithRequestHook(f func(*http.Request)) *Client {
	cp := *c
	cp.hooks = append(append([]func(*http.Request){}, c.hooks...), f)
	return &cp
}

type idempotencyKey struct{}

// WithIdempotencyKey makes the request sent with ctx carry Idempotency-Key: key, so a
// retry of it applies once (API.md "Idempotency").
func WithIdempotencyKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, idempotencyKey{}, key)
}

// Error is a refusal of the API: the body {"error":{code,message,rule}} of API.md and
// the HTTP status it came with.
type Error struct {
	Status  int    `json:"-"`
	Code    string `json:"code"`
	Message string `json:"message"`
	Rule    string `json:"rule,omitempty"`
}

func (e *Error) Error() string {
	if e.Rule != "" {
		return fmt.Sprintf("API %d %s (%s): %s", e.Status, e.Code, e.Rule, e.Message)
	}
	return fmt.Sprintf("API %d %s: %s", e.Status, e.Code, e.Message)
}

// AsError reports whether err is a refusal of the API, as opposed to a failure to reach
// it or to read its answer.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// Response is an answer as received, for Do's callers, which look at what the typed
// methods decode away (status, headers such as Location or Retry-After, raw bytes).
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
}

// Do sends body (nil for none) as is to path below api.BasePath, query included
// ("/campaigns/2016/applications?state=submitted"): the escape hatch for probes that
// send what the typed methods cannot, such as malformed JSON. An answer of 300 or more
// is an *Error (with the Response still returned); otherwise a JSON answer is decoded
// into out when out is not nil.
func (c *Client) Do(ctx context.Context, method, path string, body []byte, out any) (*Response, error) {
	return c.exchange(ctx, method, c.root+api.BasePath+path, body, out)
}

// call is Do with a typed request body, JSON-encoded (nil for none).
func (c *Client) call(ctx context.Context, method, path string, in, out any) error {
	var body []byte
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", method, path, err)
		}
		body = raw
	}
	if c.province != "" {
		path = "/provinces/" + url.PathEscape(c.province) + path
	}
	_, err := c.Do(ctx, method, path, body, out)
	return err
}

func (c *Client) exchange(ctx context.Context, method, url string, body []byte, out any) (*Response, error) {
	rd := io.Reader(http.NoBody)
	if body != nil {
		rd = bytes.NewReader(body)
	}
	r, err := http.NewRequestWithContext(ctx, method, url, rd)
	if err != nil {
		return nil, fmt.Errorf("build %s %s: %w", method, url, err)
	}
	if c.root == "" {
		r.RemoteAddr = inProcessAddr
	}
	r.Header.Set(echo.HeaderAccept, echo.MIMEApplicationJSON)
	if body != nil {
		r.Header.Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	}
	if c.token != "" {
		r.Header.Set(echo.HeaderAuthorization, "Bearer "+c.token)
	}
	if key, ok := ctx.Value(idempotencyKey{}).(string); ok && key != "" {
		r.Header.Set(api.HeaderIdempotencyKey, key)
	}
	for _, f := range c.hooks {
		f(r)
	}
	res, err := c.send(r)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, r.URL.Path, err)
	}
	if res.StatusCode >= 300 {
		return res, errorOf(res)
	}
	if out == nil || len(res.Body) == 0 {
		return res, nil
	}
	if err := json.Unmarshal(res.Body, out); err != nil {
		return res, fmt.Errorf("decode %s %s: %w", method, r.URL.Path, err)
	}
	return res, nil
}

// errorOf reads the error body of API.md; an answer of another shape (a proxy's page,
// say) still becomes an *Error, named after its status, with the start of its text.
func errorOf(res *Response) *Error {
	var env struct {
		Error *Error `json:"error"`
	}
	if err := json.Unmarshal(res.Body, &env); err == nil && env.Error != nil && env.Error.Code != "" {
		env.Error.Status = res.StatusCode
		return env.Error
	}
	msg := strings.TrimSpace(string(res.Body))
	if len(msg) > 200 {
		msg = msg[:200]
	}
	if msg == "" {
		msg = http.StatusText(res.StatusCode)
	}
	return &Error{Status: res.StatusCode, Code: fmt.Sprintf("http_%d", res.StatusCode), Message: msg}
}

// bufferedResponse collects what an in-process handler writes.
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

// Health is GET /healthz: nil while the process serves HTTP.
func (c *Client) Health(ctx context.Context) error {
	_, err := c.exchange(ctx, http.MethodGet, c.root+"/healthz", nil, nil)
	return err
}

// Ready is GET /readyz: the state of each dependency. When one is unreachable it
// returns the answer's checks and the *Error (503) it carries.
func (c *Client) Ready(ctx context.Context) (api.ReadyResponse, error) {
	var out api.ReadyResponse
	res, err := c.exchange(ctx, http.MethodGet, c.root+"/readyz", nil, &out)
	if res != nil && err != nil {
		_ = json.Unmarshal(res.Body, &out) // the checks of a 503, beside its error
	}
	return out, err
}

// Metrics is GET /metrics, in the Prometheus text format.
func (c *Client) Metrics(ctx context.Context) ([]byte, error) {
	res, err := c.exchange(ctx, http.MethodGet, c.root+"/metrics", nil, nil)
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}

// OpenAPI is the server's OpenAPI 3 document.
func (c *Client) OpenAPI(ctx context.Context) ([]byte, error) {
	res, err := c.Do(ctx, http.MethodGet, "/openapi.json", nil, nil)
	if err != nil {
		return nil, err
	}
	return res.Body, nil
}
