package api

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/guizhou-commerce/selection/store"
)

// Page sizes of every list route (?limit=). The default keeps an unpaged client's
// answer small however far a list has grown (a flood of objections grows timelines
// and the objection list without bound); the maximum bounds what one request can make
// the read model and the encoder do.
const (
	DefaultLimit = 100
	MaxLimit     = 500
)

// A cursor is opaque to clients: the last row's sort key, base64url JSON, and a MAC
// over the key and the list it came from. The MAC is what lets the API refuse a forged
// or edited cursor, or one of another list (other year, filters or timeline), with a
// 400 instead of quietly serving a page that no earlier page led to.
const cursorMACSize = 16

// cursorKey derives the cursor MAC key from the JWT secret, so cursors need no secret
// of their own (and outlive restarts) while a cursor MAC can never pass for a token
// signature.
func (s *server) cursorKey() []byte {
	m := hmac.New(sha256.New, s.cfg.JWTSecret)
	m.Write([]byte("selection api list cursor v1"))
	return m.Sum(nil)
}

func (s *server) cursorMAC(list string, key []byte) []byte {
	m := hmac.New(sha256.New, s.cursorKey())
	m.Write([]byte(list))
	m.Write([]byte{0})
	m.Write(key)
	return m.Sum(nil)[:cursorMACSize]
}

// sealCursor is the cursor that resumes list after key.
func sealCursor[K any](s *server, list string, key K) (string, error) {
	raw, err := json.Marshal(key)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	return enc.EncodeToString(raw) + "." + enc.EncodeToString(s.cursorMAC(list, raw)), nil
}

// openCursor reads a cursor sealed for list; anything else is a 400.
func openCursor[K any](s *server, list, cursor string) (K, error) {
	var key K
	enc := base64.RawURLEncoding
	payload, tag, ok := strings.Cut(cursor, ".")
	raw, perr := enc.DecodeString(payload)
	mac, merr := enc.DecodeString(tag)
	if !ok || perr != nil || merr != nil {
		return key, badRequest("cursor is malformed; pass next_cursor of the previous page unchanged")
	}
	if !hmac.Equal(mac, s.cursorMAC(list, raw)) {
		return key, badRequest("cursor was not issued for this list (its year, filters or timeline differ, or it was altered)")
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&key); err != nil {
		return key, badRequest("cursor is malformed; pass next_cursor of the previous page unchanged")
	}
	return key, nil
}

// pageRequest reads ?limit= and ?cursor= of a list route. list names the list and its
// filters; a cursor is accepted only by the list that issued it.
func pageRequest[K any](s *server, c echo.Context, list string) (store.PageRequest[K], error) {
	req := store.PageRequest[K]{Limit: DefaultLimit}
	if raw := c.QueryParam("limit"); raw != "" {
		n, err := strconv.Atoi(raw)
		if err != nil || n < 1 || n > MaxLimit {
			return req, badRequest("limit %q must be a whole number from 1 to %d", raw, MaxLimit)
		}
		req.Limit = n
	}
	if raw := c.QueryParam("cursor"); raw != "" {
		key, err := openCursor[K](s, list, raw)
		if err != nil {
			return req, err
		}
		req.After = &key
	}
	return req, nil
}

// nextCursor is the next_cursor of a page: "" (omitted) on the last page.
func nextCursor[T, K any](s *server, list string, p store.Page[T, K]) (string, error) {
	if p.Next == nil {
		return "", nil
	}
	return sealCursor(s, list, *p.Next)
}

// nonNil makes an empty list encode as [], never null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}
