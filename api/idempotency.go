package api

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"log/slog"
	"net/http"
	"time"

	"github.com/google/uuid"
	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/domain"
	"github.com/guizhou-commerce/selection/store"
)

const (
	// HeaderIdempotencyKey is the request header of API.md "Idempotency".
	HeaderIdempotencyKey = "Idempotency-Key"
	// HeaderIdempotentReplayed marks a response replayed from the first request.
	HeaderIdempotentReplayed = "Idempotent-Replayed"
	maxIdempotencyKey        = 128
	updateIDKey              = "selection.update_id"
	// bookkeepingTimeout bounds the store calls that finish a keyed request; they run
	// even when the request itself timed out, so a 504 releases its key.
	bookkeepingTimeout = 5 * time.Second
)

// idempotent makes a POST/PUT with an Idempotency-Key apply once: the first request
// reserves the key and its response is stored; a retry with the same body gets that
// response again, with another body a 409. The key also fixes the Temporal Update ID, so
// even a retry after a lost response (or a released 5xx) is deduplicated by the workflow.
// Keys are scoped by method, path and caller, so two people never share one.
func (s *server) idempotent(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		key := c.Request().Header.Get(HeaderIdempotencyKey)
		if key == "" {
			c.Set(updateIDKey, uuid.NewString())
			return next(c)
		}
		if len(key) > maxIdempotencyKey {
			return badRequest("%s must be at most %d characters", HeaderIdempotencyKey, maxIdempotencyKey)
		}
		body, err := readBody(c)
		if err != nil {
			return err
		}
		c.Request().Body = http.NoBody
		if len(body) > 0 {
			c.Request().Body = readCloser{bytes.NewReader(body)}
		}

		scope := store.IdempotencyScope(c.Request().Method, c.Request().URL.Path, subjectOf(c))
		// The query is part of what is asked (?validate_only=true is not a filing), so it
		// is hashed with the body: reusing a key with another query is a conflict too.
		sum := sha256.Sum256(append([]byte(c.Request().URL.RawQuery+"\x00"), body...))
		hash := hex.EncodeToString(sum[:])
		idSum := sha256.Sum256([]byte(scope + "\x00" + key))
		c.Set(updateIDKey, "idem-"+hex.EncodeToString(idSum[:]))

		ctx := c.Request().Context()
		prev, owner, err := s.st.ReserveIdempotencyKey(ctx, scope, key, hash)
		if err != nil {
			return err
		}
		if !owner {
			switch {
			case prev.RequestHash != hash:
				return newError(domain.CodeConflict, "", "%s was already used with another request body", HeaderIdempotencyKey)
			case prev.Status == 0:
				return newError(domain.CodeConflict, "", "request with this key is still in progress")
			}
			c.Response().Header().Set(HeaderIdempotentReplayed, "true")
			return c.Blob(prev.Status, echo.MIMEApplicationJSON, prev.Body)
		}

		rec := &recorder{ResponseWriter: c.Response().Writer}
		c.Response().Writer = rec
		err = next(c)
		if err != nil {
			// Write the error now so its body can be stored; outer middleware sees the
			// written status.
			c.Error(err)
		}
		c.Response().Writer = rec.ResponseWriter

		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), bookkeepingTimeout)
		defer cancel()
		status := c.Response().Status
		if status >= http.StatusInternalServerError || !c.Response().Committed {
			if rerr := s.st.ReleaseIdempotencyKey(bctx, scope, key); rerr != nil {
				s.log.WarnContext(ctx, "release idempotency key", slog.String("request_id", requestID(c)), slog.String("error", rerr.Error()))
			}
			return nil
		}
		if cerr := s.st.CompleteIdempotencyKey(bctx, scope, key, status, rec.body.Bytes()); cerr != nil {
			s.log.WarnContext(ctx, "complete idempotency key", slog.String("request_id", requestID(c)), slog.String("error", cerr.Error()))
		}
		return nil
	}
}

// subjectOf names the caller in the key's scope: the token subject, or for the public
// objection route the client address, so strangers do not replay each other's answers.
func subjectOf(c echo.Context) string {
	if a, ok := actorOf(c); ok {
		return "sub:" + a.Sub
	}
	return "ip:" + c.RealIP()
}

// updateID is the Temporal Update ID of this request: derived from the idempotency key
// when there is one, random otherwise.
func updateID(c echo.Context) string {
	if id, ok := c.Get(updateIDKey).(string); ok && id != "" {
		return id
	}
	return uuid.NewString()
}

// recorder copies what is written so the response can be stored for replays.
type recorder struct {
	http.ResponseWriter
	body bytes.Buffer
}

func (r *recorder) Write(b []byte) (int, error) {
	r.body.Write(b)
	return r.ResponseWriter.Write(b)
}

// Unwrap lets http.ResponseController reach the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }
