package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/labstack/echo/v4"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/guizhou-commerce/selection/api"
)

// TestRunListensOnLoopbackByDefault: with HTTP_ADDR unset, `run` (and `api`) listen on
// this machine only.
func TestRunListensOnLoopbackByDefault(t *testing.T) {
	t.Setenv("HTTP_ADDR", "")
	cfg, err := loadConfig()
	require.NoError(t, err)
	host, _, err := net.SplitHostPort(cfg.HTTPAddr)
	require.NoError(t, err)
	ip, err := netip.ParseAddr(host)
	require.NoError(t, err, "the default HTTP_ADDR %q names an address", cfg.HTTPAddr)
	assert.True(t, ip.IsLoopback(), "default HTTP_ADDR %q", cfg.HTTPAddr)
}

// TestDevSignInOnlyOnLoopback: the development secret and the console's role picker
// exist only for `run` on a loopback listener with JWT_SECRET unset; beyond loopback
// `run` needs the real secret `api` needs.
func TestDevSignInOnlyOnLoopback(t *testing.T) {
	strong := strings.Repeat("s", minJWTSecret)
	for _, tt := range []struct {
		addr, secret string
		dev          bool
		refused      string
	}{
		{"127.0.0.1:8080", "", true, ""},
		{"[::1]:8080", "", true, ""},
		{"127.0.0.1:8080", "short-is-fine-here", true, ""},
		{"0.0.0.0:8080", "", false, "JWT_SECRET is unset"},
		{"[::]:8080", "", false, "JWT_SECRET is unset"},
		{"192.0.2.10:8080", "", false, "JWT_SECRET is unset"},
		{"0.0.0.0:8080", "short", false, "shorter than 32"},
		{"0.0.0.0:8080", devJWTSecret, false, "development secret"},
		{"0.0.0.0:8080", strong, false, ""},
	} {
		addr, err := net.ResolveTCPAddr("tcp", tt.addr)
		require.NoError(t, err)
		dev, err := devSignIn(config{HTTPAddr: tt.addr, JWTSecret: tt.secret}, addr)
		if tt.refused != "" {
			assert.ErrorContains(t, err, tt.refused, "%s with JWT_SECRET %q", tt.addr, tt.secret)
			continue
		}
		assert.NoError(t, err, "%s with JWT_SECRET %q", tt.addr, tt.secret)
		assert.Equal(t, tt.dev, dev, "%s with JWT_SECRET %q", tt.addr, tt.secret)
	}

	// The whole command: on every interface without JWT_SECRET, `run` stops at once,
	// before any backend starts.
	t.Setenv("HTTP_ADDR", "0.0.0.0:0")
	t.Setenv("JWT_SECRET", "")
	t.Setenv("DATA_DIR", t.TempDir())
	t.Setenv("LOG_FORMAT", "text")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	err := runAll(ctx, nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "JWT_SECRET is unset and HTTP_ADDR 0.0.0.0:0 listens beyond this machine")
}

// TestAPIRefusesWeakJWTSecret: `api` starts only with a secret of 32 bytes or more that
// is not the development secret.
func TestAPIRefusesWeakJWTSecret(t *testing.T) {
	log := slog.New(slog.DiscardHandler)
	for secret, refused := range map[string]string{
		"":                                  "JWT_SECRET is unset",
		"kill-test":                         "JWT_SECRET is 9 bytes, shorter than 32",
		strings.Repeat("x", minJWTSecret-1): "shorter than 32",
		devJWTSecret:                        "development secret",
		strings.Repeat("x", minJWTSecret):   "",
	} {
		acfg, err := apiConfig(config{JWTSecret: secret}, log, false)
		if refused != "" {
			assert.ErrorContains(t, err, refused, "JWT_SECRET %q", secret)
			continue
		}
		require.NoError(t, err)
		assert.Equal(t, []byte(secret), acfg.JWTSecret)
	}
}

// TestClientSettings reads TRUSTED_PROXIES and RATE_LIMIT_KEY into the API's config.
func TestClientSettings(t *testing.T) {
	t.Setenv("TRUSTED_PROXIES", "10.0.0.0/8, 192.0.2.7 ,fd00::/8")
	t.Setenv("RATE_LIMIT_KEY", "ip/24/48")
	t.Setenv("HTTP_MAX_CONNS_PER_CLIENT", "8")
	cfg, err := loadConfig()
	require.NoError(t, err)
	acfg, err := apiConfig(cfg, slog.New(slog.DiscardHandler), true)
	require.NoError(t, err)
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("fd00::/8")}
	assert.Equal(t, want, acfg.TrustedProxies)
	assert.Equal(t, api.ClientPrefix{IPv4: 24, IPv6: 48}, acfg.ClientPrefix)
	assert.Equal(t, 8, cfg.MaxConnsPerClient)

	for name, bad := range map[string]string{
		"TRUSTED_PROXIES":           "10.0.0.0/33",
		"RATE_LIMIT_KEY":            "ip/24",
		"HTTP_MAX_CONNS_PER_CLIENT": "0",
	} {
		t.Run(name, func(t *testing.T) {
			t.Setenv(name, bad)
			_, err := loadConfig()
			assert.ErrorContains(t, err, name)
		})
	}
	t.Setenv("TRUSTED_PROXIES", "")
	t.Setenv("RATE_LIMIT_KEY", "")
	cfg, err = loadConfig()
	require.NoError(t, err)
	assert.Nil(t, cfg.TrustedProxies, "the default trusts no proxy")
	assert.Equal(t, api.ClientPrefix{IPv4: 32, IPv6: 64}, cfg.ClientPrefix)
}

// serve runs serveHTTP on a loopback port with lim for the test's lifetime: POST /
// reads the whole body, GET / answers 204.
func serve(t *testing.T, lim httpLimits) string {
	t.Helper()
	e := echo.New()
	e.POST("/", func(c echo.Context) error {
		if _, err := io.ReadAll(c.Request().Body); err != nil {
			return err
		}
		return c.NoContent(http.StatusNoContent)
	})
	e.GET("/", func(c echo.Context) error { return c.NoContent(http.StatusNoContent) })
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serveHTTP(ctx, e, l, lim) }()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	return l.Addr().String()
}

func testLimits() httpLimits {
	return httpLimits{ReadHeader: 5 * time.Second, Read: 5 * time.Second, Write: 5 * time.Second, Idle: 5 * time.Second,
		ConnsPerClient: 64, ClientPrefix: api.ClientPrefix{IPv4: 32, IPv6: 64}}
}

// TestSlowBodyIsCutOff: a request declaring a body it never sends is dropped after the
// read timeout instead of holding its connection forever.
func TestSlowBodyIsCutOff(t *testing.T) {
	lim := testLimits()
	lim.Read = 300 * time.Millisecond
	addr := serve(t, lim)
	c, err := net.Dial("tcp", addr)
	require.NoError(t, err)
	defer c.Close()
	_, err = io.WriteString(c, "POST / HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{")
	require.NoError(t, err)
	start := time.Now()
	require.NoError(t, c.SetReadDeadline(start.Add(3*time.Second)))
	_, err = io.Copy(io.Discard, c) // until the server closes the connection
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		t.Fatalf("the connection was still open after %s with a read timeout of %s", time.Since(start).Round(time.Millisecond), lim.Read)
	}
	assert.Less(t, time.Since(start), 2*time.Second)
}

// TestConnectionCapPerClient: the connection over one client's cap is answered 503 with
// Retry-After and the API's error body and closed, while other clients (and trusted
// proxies) connect as usual and the client gets its place back when one closes.
func TestConnectionCapPerClient(t *testing.T) {
	lim := testLimits()
	lim.ConnsPerClient = 2
	lim.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.3/32")}
	addr := serve(t, lim)
	dial := func(from string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 3 * time.Second}
		c, err := d.Dial("tcp", addr)
		require.NoError(t, err)
		t.Cleanup(func() { c.Close() })
		return c
	}
	get := func(c net.Conn) *http.Response {
		t.Helper()
		require.NoError(t, c.SetDeadline(time.Now().Add(3*time.Second)))
		_, err := io.WriteString(c, "GET / HTTP/1.1\r\nHost: x\r\n\r\n")
		require.NoError(t, err)
		res, err := http.ReadResponse(bufio.NewReader(c), nil)
		require.NoError(t, err)
		return res
	}

	first, second := dial("127.0.0.1"), dial("127.0.0.1")
	assert.Equal(t, http.StatusNoContent, get(first).StatusCode)
	assert.Equal(t, http.StatusNoContent, get(second).StatusCode)

	res := get(dial("127.0.0.1"))
	assert.Equal(t, http.StatusServiceUnavailable, res.StatusCode)
	assert.Equal(t, "1", res.Header.Get("Retry-After"))
	var body struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	require.NoError(t, json.NewDecoder(res.Body).Decode(&body))
	assert.Equal(t, "unavailable", body.Error.Code)
	assert.NotEmpty(t, body.Error.Message)

	assert.Equal(t, http.StatusNoContent, get(dial("127.0.0.2")).StatusCode, "another client")
	for range 3 {
		assert.Equal(t, http.StatusNoContent, get(dial("127.0.0.3")).StatusCode, "a trusted proxy is not capped")
	}

	require.NoError(t, first.Close())
	deadline := time.Now().Add(3 * time.Second)
	for {
		if get(dial("127.0.0.1")).StatusCode == http.StatusNoContent {
			break
		}
		require.True(t, time.Now().Before(deadline), "the client's place did not come back after it closed a connection")
		time.Sleep(20 * time.Millisecond)
	}
}
