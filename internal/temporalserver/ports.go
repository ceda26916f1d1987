package temporalserver

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"
)

// loopback is where every internal service (history, matching, worker) binds,
// so that nothing but the frontend and the UI is reachable from outside.
const loopback = "127.0.0.1"

// freePort asks the kernel for a TCP port that is free on host right now.
//
// The listener is closed before returning, so another process could grab the
// port in between; to make that unlikely on Linux (which hands out recently
// freed ephemeral ports again quickly) a connection is made and closed from
// the accepting side, which parks the port in TIME_WAIT: bind(":0") will not
// hand it out again for a while, yet an explicit bind with SO_REUSEADDR (Go's
// default for listeners) still succeeds.
func freePort(host string) (int, error) {
	l, err := net.Listen("tcp", net.JoinHostPort(host, "0"))
	if err != nil {
		return 0, fmt.Errorf("pick free port on %s: %w", host, err)
	}
	defer l.Close()
	addr, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return 0, fmt.Errorf("pick free port on %s: unexpected address %v", host, l.Addr())
	}
	dialHost := host
	if ip, err := netip.ParseAddr(host); err == nil && ip.IsUnspecified() {
		dialHost = connectHost(host)
	}
	c, err := net.Dial("tcp", net.JoinHostPort(dialHost, strconv.Itoa(addr.Port)))
	if err == nil {
		if s, err := l.Accept(); err == nil {
			_ = s.Close() // server side closes first: TIME_WAIT is on our port
		}
		_ = c.Close()
	}
	return addr.Port, nil
}

// checkPortFree fails when host:port cannot be bound now. It turns the
// server's late, wrapped "address already in use" into an early, clear error,
// and keeps the UI server from exiting the process (it calls log.Fatal when
// its listener fails).
func checkPortFree(host string, port int) error {
	l, err := net.Listen("tcp", net.JoinHostPort(host, strconv.Itoa(port)))
	if err != nil {
		return err
	}
	return l.Close()
}

// splitAddr parses "host:port" into a bind IP and a port. "localhost" becomes
// 127.0.0.1 (the server binds on IP literals only), an empty host means all
// interfaces, and port 0 means "pick a free one".
func splitAddr(addr string) (ip string, port int, err error) {
	host, p, err := net.SplitHostPort(addr)
	if err != nil {
		return "", 0, err
	}
	port, err = strconv.Atoi(p)
	if err != nil || port < 0 || port > 65535 {
		return "", 0, fmt.Errorf("invalid port %q", p)
	}
	switch host {
	case "":
		host = "0.0.0.0"
	case "localhost":
		host = loopback
	}
	parsed, err := netip.ParseAddr(host)
	if err != nil {
		return "", 0, errors.New("host must be an IP address or localhost")
	}
	return parsed.String(), port, nil
}

// connectHost is the address a local client should dial to reach a listener
// bound on ip: a wildcard bind is reached through loopback.
func connectHost(ip string) string {
	if a, err := netip.ParseAddr(ip); err == nil && a.IsUnspecified() {
		if a.Is6() {
			return "::1"
		}
		return loopback
	}
	return ip
}
