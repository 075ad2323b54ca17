package extract

import (
	"net/netip"
	"regexp"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	reIPv4 = regexp.MustCompile(`\b[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\b`)
	// a run of hex digits, colons and dots with at least two colons
	reIPv6 = regexp.MustCompile(`(?i)[0-9a-f.]*:[0-9a-f.]*:[0-9a-f:.]*`)
)

// keepIP leaves out the addresses that never link two reports.
func keepIP(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsLoopback() && !ip.IsUnspecified()
}

func (x *scanner) ips() {
	if strings.Count(x.s, ":") >= 2 {
		for _, m := range reIPv6.FindAllStringIndex(x.s, -1) {
			start, end := m[0], m[1]
			for end > start && (x.s[end-1] == '.' || x.s[end-1] == ':' && !strings.HasSuffix(x.s[start:end], "::")) {
				end--
			}
			if start > 0 && (isAlnum(x.s[start-1]) || x.s[start-1] == '_') || end < len(x.s) && (isAlnum(x.s[end]) || x.s[end] == '_') {
				continue
			}
			raw := x.s[start:end]
			if !strings.ContainsAny(raw, "0123456789") || !x.free(start, end) {
				continue
			}
			ip, err := netip.ParseAddr(raw)
			if err != nil || !ip.Is6() {
				continue
			}
			ip = ip.Unmap()
			if !keepIP(ip) {
				continue
			}
			x.add(haven.IDIP, "", ip.String(), start, end)
			x.claim(start, end)
		}
	}
	if strings.Count(x.s, ".") < 3 {
		return
	}
	for _, m := range reIPv4.FindAllStringIndex(x.s, -1) {
		start, end := m[0], m[1]
		if start > 0 && (x.s[start-1] == '.' || x.s[start-1] == '-') || end+1 < len(x.s) && x.s[end] == '.' && isDigit(x.s[end+1]) {
			continue // part of a longer dotted number (1.2.3.4.5) or a range
		}
		if !x.free(start, end) {
			continue
		}
		if ws := x.wordsBefore(start, 1); len(ws) == 1 && (ws[0].w == "version" || ws[0].w == "v" || ws[0].w == "ver" || ws[0].w == "section" || ws[0].w == "build") {
			continue
		}
		ip, err := netip.ParseAddr(x.s[start:end])
		if err != nil || !keepIP(ip) {
			continue
		}
		x.add(haven.IDIP, "", ip.String(), start, end)
		x.claim(start, end)
	}
}
