package api

import (
	"net"
	"net/netip"

	"github.com/labstack/echo/v4"
)

// Default client prefixes of the objection rate limit: an IPv4 address is one client,
// and so is an IPv6 /64, the network one subscriber is given (RFC 6177), from which
// one machine can take a fresh address for every request.
const (
	DefaultClientPrefixIPv4 = 32
	DefaultClientPrefixIPv6 = 64
)

// ClientPrefix is how many leading bits of a client's address name its rate-limit
// bucket: addresses that share them share one bucket, so whoever holds a whole subnet
// cannot multiply the limit by its addresses.
type ClientPrefix struct {
	IPv4, IPv6 int
}

// Key names the client an address belongs to: its network of p's length, such as
// "198.51.100.7/32" or "2001:db8:1:2::/64". The objection rate limit keys its buckets
// by it and `selection`'s connection cap its counts. A string that is no address is
// its own key.
func (p ClientPrefix) Key(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ip
	}
	a = a.Unmap()
	bits := p.IPv6
	if a.Is4() {
		bits = p.IPv4
	}
	pfx, err := a.WithZone("").Prefix(bits)
	if err != nil {
		return ip
	}
	return pfx.String()
}

// ipExtractor is how the API tells who a client is. Without trusted proxies only the
// connection's address counts: forwarding headers are whatever the client wrote, and the
// objection rate limit must not be bypassed with them. Behind trusted proxies the client
// is the rightmost X-Forwarded-For address that is not itself one of them; loopback,
// link-local and private addresses are trusted only when listed, unlike echo's default.
func ipExtractor(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), p.Addr().BitLen())}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}
