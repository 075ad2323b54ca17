package http

import (
	"net/netip"
	"testing"
)

func TestForwardedClientTakesTheRightMostUntrustedAddress(t *testing.T) {
	trusted := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("2001:db8:1::/48")}
	for _, c := range []struct {
		peer string
		xff  []string
		want string
	}{
		{"10.0.0.5", []string{"203.0.113.7"}, "203.0.113.7"},
		{"10.0.0.5", []string{" 198.51.100.2 , 203.0.113.7 "}, "203.0.113.7"},
		{"10.0.0.5", []string{"198.51.100.2, 203.0.113.7, 10.0.0.9"}, "203.0.113.7"},
		{"10.0.0.5", []string{"198.51.100.2", "203.0.113.7, 10.1.2.3"}, "203.0.113.7"}, // header lines read in order
		{"10.0.0.5", []string{"10.0.0.7, 10.0.0.8"}, "10.0.0.7"},                       // all trusted: the left-most
		{"10.0.0.5", []string{"::ffff:203.0.113.7"}, "203.0.113.7"},
		{"2001:db8:1::1", []string{"2001:db8:2::5"}, "2001:db8:2::5"},
		{"::ffff:10.0.0.5", []string{"203.0.113.7"}, "203.0.113.7"},
		// No header, or one that cannot be read: the peer.
		{"10.0.0.5", nil, "10.0.0.5"},
		{"10.0.0.5", []string{""}, "10.0.0.5"},
		{"10.0.0.5", []string{"203.0.113.7, unknown"}, "10.0.0.5"},
		{"10.0.0.5", []string{"203.0.113.7,"}, "10.0.0.5"},
		{"10.0.0.5", []string{"203.0.113.7:4711"}, "10.0.0.5"},
		{"10.0.0.5", []string{"fe80::1%eth0"}, "10.0.0.5"},
		{"10.0.0.5", []string{"203.0.113.7", "not an address"}, "10.0.0.5"},
		// An untrusted peer's header is ignored.
		{"192.0.2.1", []string{"203.0.113.7"}, "192.0.2.1"},
		{"2001:db8:2::1", []string{"203.0.113.7"}, "2001:db8:2::1"},
	} {
		peer := netip.MustParseAddr(c.peer).Unmap()
		if got := forwardedClient(peer, c.xff, trusted); got != netip.MustParseAddr(c.want) {
			t.Errorf("peer %s, X-Forwarded-For %q: %s, want %s", c.peer, c.xff, got, c.want)
		}
	}
	if got := peerAddr("[::ffff:10.0.0.5]:443"); got != netip.MustParseAddr("10.0.0.5") {
		t.Errorf("peerAddr of an IPv4-mapped peer: %s", got)
	}
	if got := peerAddr("@"); got.IsValid() {
		t.Errorf("peerAddr of a unix socket: %s", got)
	}
}
