package main

import (
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/guizhou-commerce/selection/api"
)

// clientLimitedListener caps the connections one client holds open at once
// (HTTP_MAX_CONNS_PER_CLIENT). Server timeouts bound how long a connection lasts; this
// bounds how many one client can hold at a time, so nobody takes every file descriptor
// of the process with slow or idle connections. A client is what RATE_LIMIT_KEY makes of
// the connection's address, the same as for the objection rate limit; connections from
// TRUSTED_PROXIES are not counted, since each of those carries many clients.
//
// A connection over the cap is answered at once with a 503, Retry-After and the API's
// error body, without reading its request, and closed: the client learns why rather
// than seeing a reset.
type clientLimitedListener struct {
	net.Listener
	max     int
	prefix  api.ClientPrefix
	trusted []netip.Prefix
	// refusing bounds the refusals being written at once; past it a connection over
	// the cap is closed without an answer, so refusing stays cheaper than connecting.
	refusing chan struct{}

	mu   sync.Mutex
	open map[string]int
}

// refusalTimeout bounds the time a refused connection is kept to write its answer and
// read what its client sent meanwhile.
const refusalTimeout = 2 * time.Second

func limitClients(l net.Listener, perClient int, prefix api.ClientPrefix, trusted []netip.Prefix) *clientLimitedListener {
	return &clientLimitedListener{Listener: l, max: perClient, prefix: prefix, trusted: trusted, refusing: make(chan struct{}, 64), open: map[string]int{}}
}

// Accept returns the next connection within its client's cap, answering the others.
func (l *clientLimitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		key, counted := l.client(c.RemoteAddr())
		if !counted {
			return c, nil
		}
		l.mu.Lock()
		if l.open[key] >= l.max {
			l.mu.Unlock()
			l.refuse(c)
			continue
		}
		l.open[key]++
		l.mu.Unlock()
		return &countedConn{Conn: c, release: func() { l.release(key) }}, nil
	}
}

// client is the key a remote address counts under; counted is false for a trusted proxy.
func (l *clientLimitedListener) client(a net.Addr) (key string, counted bool) {
	ap, err := netip.ParseAddrPort(a.String())
	if err != nil {
		return a.String(), true
	}
	ip := ap.Addr().Unmap()
	for _, p := range l.trusted {
		if p.Contains(ip) {
			return "", false
		}
	}
	return l.prefix.Key(ip.String()), true
}

func (l *clientLimitedListener) release(key string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.open[key]--; l.open[key] <= 0 {
		delete(l.open, key)
	}
}

// refusal is the answer to a connection over the cap. Retry-After says one second: a
// place frees whenever one of the client's own connections ends, which it knows best.
var refusal = func() string {
	body := `{"error":{"code":"unavailable","message":"too many open connections from this client; close some or retry later"}}`
	return "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nRetry-After: 1\r\nConnection: close\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body)
}()

func (l *clientLimitedListener) refuse(c net.Conn) {
	select {
	case l.refusing <- struct{}{}:
	default:
		_ = c.Close()
		return
	}
	go func() {
		defer func() { <-l.refusing }()
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(refusalTimeout))
		if _, err := io.WriteString(c, refusal); err != nil {
			return
		}
		// Shut the write side and drain what the client sends until it closes: closing
		// with its request unread would reset the connection, and a reset can destroy
		// the answer before the client reads it.
		if tc, ok := c.(interface{ CloseWrite() error }); ok {
			_ = tc.CloseWrite()
		}
		_, _ = io.Copy(io.Discard, io.LimitReader(c, 64<<10))
	}()
}

// countedConn gives its place back when closed, once however often Close is called.
type countedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *countedConn) Close() error {
	c.once.Do(c.release)
	return c.Conn.Close()
}
