package api

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"reflect"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/labstack/echo/v4"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/sdk/client"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/store"
	"github.com/guizhou-commerce/selection/workflows"
)

// Codes the API adds to the domain's (domain.Code): conditions of the edge, not rules.
const (
	codeUnauthenticated  domain.Code = "unauthenticated"
	codeMethodNotAllowed domain.Code = "method_not_allowed"
	codePayloadTooLarge  domain.Code = "payload_too_large"
	codeRateLimited      domain.Code = "rate_limited"
	codeInternal         domain.Code = "internal"
	codeUnavailable      domain.Code = "unavailable"
	codeTimeout          domain.Code = "timeout"
)

// statusOf is the one table from code to HTTP status (API.md "Errors").
var statusOf = map[domain.Code]int{
	domain.CodeBadRequest:          http.StatusBadRequest,
	codeUnauthenticated:            http.StatusUnauthorized,
	domain.CodeForbidden:           http.StatusForbidden,
	domain.CodeNotFound:            http.StatusNotFound,
	codeMethodNotAllowed:           http.StatusMethodNotAllowed,
	domain.CodeConflict:            http.StatusConflict,
	domain.CodeDeadlinePassed:      http.StatusConflict,
	domain.CodeInvalidState:        http.StatusConflict,
	codePayloadTooLarge:            http.StatusRequestEntityTooLarge,
	domain.CodeIneligible:          http.StatusUnprocessableEntity,
	domain.CodeOverCap:             http.StatusUnprocessableEntity,
	domain.CodeMaterialsIncomplete: http.StatusUnprocessableEntity,
	codeRateLimited:                http.StatusServiceUnavailable,
	codeInternal:                   http.StatusInternalServerError,
	codeUnavailable:                http.StatusServiceUnavailable,
	codeTimeout:                    http.StatusGatewayTimeout,
}

// apiError is a refusal ready to be written: the body of API.md plus its status.
type apiError struct {
	Status  int         `json:"-"`
	Code    domain.Code `json:"code"`
	Message string      `json:"message"`
	Rule    string      `json:"rule,omitempty"`
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// errorBody is the envelope of every 4xx/5xx response.
type errorBody struct {
	Error *apiError `json:"error"`
}

// newError builds a refusal of the edge. Every string argument is cut to
// domain.Excerpt first: arguments are where a message names the client's input (a field
// name, a bad value, a path segment, a query parameter), and cutting them here means no
// message, however it is written, echoes more than an excerpt of what it refuses.
func newError(code domain.Code, rule, format string, args ...any) *apiError {
	cut := make([]any, len(args))
	for i, a := range args {
		if v := reflect.ValueOf(a); v.Kind() == reflect.String {
			a = domain.Excerpt(v.String())
		}
		cut[i] = a
	}
	return refusal(code, rule, fmt.Sprintf(format, cut...))
}

// refusal is an error body with the status its code maps to (500 for a code the table
// does not know: a programming error, not the client's).
func refusal(code domain.Code, rule, message string) *apiError {
	status, ok := statusOf[code]
	if !ok {
		status = http.StatusInternalServerError
	}
	return &apiError{Status: status, Code: code, Rule: rule, Message: message}
}

func badRequest(format string, args ...any) *apiError {
	return newError(domain.CodeBadRequest, "", format, args...)
}

func notFound(format string, args ...any) *apiError {
	return newError(domain.CodeNotFound, "", format, args...)
}

// fromRule carries a rule's refusal to the client unchanged: code, rule and sentence
// (the rules quote excerpts of input themselves).
func fromRule(re *domain.RuleError) *apiError {
	return refusal(re.Code, re.Rule, re.Message)
}

// handleError is echo's HTTPErrorHandler: the single place where an error becomes a
// response. Internal errors are logged with the request ID and answered with a generic
// sentence, never with their text.
func (s *server) handleError(err error, c echo.Context) {
	ae := s.classify(c, err)
	if ae.Status >= http.StatusInternalServerError {
		s.log.ErrorContext(c.Request().Context(), "request failed",
			slog.String("request_id", requestID(c)), slog.String("method", c.Request().Method),
			slog.String("path", c.Request().URL.Path), slog.Int("status", ae.Status), slog.String("error", err.Error()))
	}
	if c.Response().Committed {
		return
	}
	if ae.Status == http.StatusMethodNotAllowed && c.Response().Header().Get(echo.HeaderAllow) == "" {
		if allow, ok := c.Get(echo.ContextKeyHeaderAllow).(string); ok {
			c.Response().Header().Set(echo.HeaderAllow, allow)
		}
	}
	var werr error
	if c.Request().Method == http.MethodHead {
		werr = c.NoContent(ae.Status)
	} else {
		werr = c.JSON(ae.Status, errorBody{Error: ae})
	}
	if werr != nil {
		s.log.WarnContext(c.Request().Context(), "write error response", slog.String("request_id", requestID(c)), slog.String("error", werr.Error()))
	}
}

// classify maps any error to its API error. Order matters: the request's own deadline
// first (whatever error it caused), then refusals, then infrastructure.
func (s *server) classify(c echo.Context, err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	if ctxErr := c.Request().Context().Err(); errors.Is(ctxErr, context.DeadlineExceeded) {
		return newError(codeTimeout, "", "the request took longer than %s", s.cfg.RequestTimeout)
	}
	if re, ok := workflows.RuleErrorOf(err); ok {
		return fromRule(re)
	}
	var he *echo.HTTPError
	if errors.As(err, &he) {
		return fromHTTPError(he)
	}
	if errors.Is(err, store.ErrNotFound) {
		return notFound("not found")
	}
	if transient(err) {
		return newError(codeUnavailable, "", "a backend service is temporarily unavailable; retry later")
	}
	return newError(codeInternal, "", "internal error; quote request ID %s when reporting it", requestID(c))
}

// fromHTTPError names echo's own refusals (routing, body limit, rate limit) with API
// codes; their messages are echo's fixed sentences, safe to show.
func fromHTTPError(he *echo.HTTPError) *apiError {
	msg := http.StatusText(he.Code)
	if m, ok := he.Message.(string); ok && m != "" {
		msg = m
	}
	switch he.Code {
	case http.StatusNotFound:
		return notFound("no such route")
	case http.StatusMethodNotAllowed:
		return newError(codeMethodNotAllowed, "", "method not allowed on this route")
	case http.StatusRequestEntityTooLarge:
		return newError(codePayloadTooLarge, "", "request body is larger than 1 MiB")
	case http.StatusTooManyRequests:
		return newError(codeRateLimited, "", "too many requests; slow down")
	case http.StatusUnauthorized:
		return newError(codeUnauthenticated, "", "%s", msg)
	case http.StatusForbidden:
		return newError(domain.CodeForbidden, "", "%s", msg)
	case http.StatusBadRequest:
		return badRequest("%s", msg)
	case http.StatusServiceUnavailable:
		return newError(codeUnavailable, "", "service unavailable; retry later")
	}
	if he.Code >= 500 {
		return newError(codeInternal, "", "internal error")
	}
	return &apiError{Status: he.Code, Code: domain.Code(snake(http.StatusText(he.Code))), Message: msg}
}

// transient reports errors a retry may cure: Temporal or PostgreSQL unreachable,
// overloaded or restarting. They answer 503 so clients (and their idempotency keys)
// retry instead of giving up.
func transient(err error) bool {
	var (
		unavailable *serviceerror.Unavailable
		exhausted   *serviceerror.ResourceExhausted
		deadline    *serviceerror.DeadlineExceeded
		canceled    *serviceerror.Canceled
		updateTO    *client.WorkflowUpdateServiceTimeoutOrCanceledError
		connErr     *pgconn.ConnectError
		pgErr       *pgconn.PgError
		netErr      net.Error
	)
	switch {
	case errors.As(err, &unavailable), errors.As(err, &exhausted), errors.As(err, &deadline),
		errors.As(err, &canceled), errors.As(err, &updateTO), errors.As(err, &connErr), errors.As(err, &netErr):
		return true
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded), pgconn.Timeout(err):
		return true
	case errors.As(err, &pgErr):
		// Class 08: connection exception; 57P0x: shutdown or starting; 53300: too many
		// connections; 40001/40P01: serialization failure and deadlock.
		if len(pgErr.Code) == 5 && pgErr.Code[:2] == "08" {
			return true
		}
		switch pgErr.Code {
		case "57P01", "57P02", "57P03", "53300", "40001", "40P01":
			return true
		}
	}
	return false
}

// snake turns "Unsupported Media Type" into "unsupported_media_type".
func snake(s string) string {
	out := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		ch := s[i]
		switch {
		case ch >= 'A' && ch <= 'Z':
			out = append(out, ch+'a'-'A')
		case ch >= 'a' && ch <= 'z', ch >= '0' && ch <= '9':
			out = append(out, ch)
		default:
			if len(out) > 0 && out[len(out)-1] != '_' {
				out = append(out, '_')
			}
		}
	}
	return string(out)
}

// withRule names the rule on a refusal that came without one.
func withRule(err error, rule string) error {
	if re, ok := err.(*domain.RuleError); ok && re.Rule == "" {
		return &domain.RuleError{Code: re.Code, Rule: rule, Message: re.Message}
	}
	return err
}
