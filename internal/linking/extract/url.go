package extract

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	reSchemeURL = regexp.MustCompile(`(?i)\b(?:https?|ftp)://[^\s<>"'\x60{}|\\^]+`)
	reBareURL   = regexp.MustCompile(`(?i)\b(?:www\.)?[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+(?::[0-9]{1,5})?(?:/[^\s<>"'\x60{}|\\^]*)?`)
)

func (x *scanner) urls() {
	if strings.Contains(x.lower, "://") {
		for _, m := range reSchemeURL.FindAllStringIndex(x.s, -1) {
			x.url(m[0], m[1], false)
		}
	}
	if !hasDomainDot(x.s) {
		return
	}
	for _, m := range reBareURL.FindAllStringIndex(x.s, -1) {
		start := m[0]
		if start > 0 {
			if c := x.s[start-1]; c == '@' || c == '.' || c == '-' || c == '_' || c == '/' || c == ':' || isAlnum(c) || c >= 0x80 {
				continue
			}
		}
		x.url(start, m[1], true)
	}
}

// url handles one candidate link at s[start:end].
func (x *scanner) url(start, end int, bare bool) {
	end = start + trimURLEnd(x.s[start:end])
	if end <= start || !x.free(start, end) {
		return
	}
	raw := x.s[start:end]
	if !utf8.ValidString(raw) {
		return
	}
	if bare {
		host := raw
		if k := strings.IndexAny(host, ":/"); k >= 0 {
			host = host[:k]
		}
		host = strings.ToLower(host)
		www := strings.HasPrefix(host, "www.")
		if !validDomain(host, !www) {
			return
		}
	}
	v, u, ok := canonicalURL(raw)
	if !ok {
		return
	}
	x.add(haven.IDURL, "", v, start, end)
	x.claim(start, end)
	if ip, err := netip.ParseAddr(u.Hostname()); err == nil {
		if ip = ip.Unmap(); keepIP(ip) {
			x.add(haven.IDIP, "", ip.String(), start, end)
		}
	}
	if kind, platform, name, ok := profile(u); ok {
		x.add(kind, platform, name, start, end)
	}
}

// trimURLEnd returns the length of raw without the punctuation that ends a
// sentence around a link ("(see https://example.com/x).").
func trimURLEnd(raw string) int {
	open := strings.Count(raw, "(") - strings.Count(raw, ")")
	openSq := strings.Count(raw, "[") - strings.Count(raw, "]")
	n := len(raw)
	for n > 0 {
		c := raw[n-1]
		switch {
		case strings.IndexByte(".,;:!?'\"*", c) >= 0:
			n--
		case c == ')' && open < 0:
			n--
			open++
		case c == ']' && openSq < 0:
			n--
			openSq++
		default:
			return n
		}
	}
	return n
}

// trackingParams are query parameters that say where a click came from, not
// what was linked to.
var trackingParams = map[string]bool{"fbclid": true, "gclid": true, "dclid": true, "msclkid": true,
	"igshid": true, "igsh": true, "mc_cid": true, "mc_eid": true, "_ga": true, "yclid": true, "twclid": true, "ttclid": true}

// canonicalURL returns the canonical form of a link (see the package
// comment) and its parsed form.
func canonicalURL(raw string) (string, *url.URL, bool) {
	raw = strings.TrimSpace(raw)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return "", nil, false
	}
	scheme := strings.ToLower(u.Scheme)
	if scheme == "http" {
		scheme = "https"
	}
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	host = strings.TrimPrefix(host, "www.")
	if host == "" || strings.ContainsAny(host, " %") {
		return "", nil, false
	}
	if _, err := netip.ParseAddr(host); err != nil && !validDomain(host, false) {
		return "", nil, false // not a public host name
	}
	port := u.Port()
	if port == "80" && scheme == "https" || port == "443" && scheme == "https" || port == "21" && scheme == "ftp" {
		port = ""
	}
	hostport := host
	if strings.Contains(host, ":") {
		hostport = "[" + host + "]"
	}
	if port != "" {
		hostport += ":" + port
	}
	path := strings.TrimRight(u.EscapedPath(), "/")
	var params []string
	for _, p := range strings.Split(u.RawQuery, "&") {
		k, _, _ := strings.Cut(p, "=")
		lk := strings.ToLower(k)
		if p == "" || strings.HasPrefix(lk, "utm_") || trackingParams[lk] {
			continue
		}
		params = append(params, p)
	}
	slices.SortStableFunc(params, func(a, b string) int {
		ka, _, _ := strings.Cut(a, "=")
		kb, _, _ := strings.Cut(b, "=")
		return strings.Compare(ka, kb)
	})
	v := scheme + "://" + hostport + path
	if len(params) > 0 {
		v += "?" + strings.Join(params, "&")
	}
	u2, err := url.Parse(v)
	if err != nil || !utf8.ValidString(v) {
		return "", nil, false
	}
	return v, u2, true
}

// profile reads a handle or payment handle from a profile link.
func profile(u *url.URL) (kind haven.IdentifierKind, platform, name string, ok bool) {
	host := u.Hostname()
	for _, p := range []string{"www.", "m.", "mobile.", "account.", "old.", "new.", "web."} {
		host = strings.TrimPrefix(host, p)
	}
	segs := strings.FieldsFunc(u.Path, func(r rune) bool { return r == '/' })
	first := func() string {
		if len(segs) > 0 {
			return segs[0]
		}
		return ""
	}
	after := func(prefix string) string {
		if len(segs) > 1 && strings.EqualFold(segs[0], prefix) {
			return segs[1]
		}
		return ""
	}
	kind = haven.IDHandle
	switch host {
	case "instagram.com", "instagr.am":
		platform = "instagram"
		if name = after("stories"); name == "" {
			name = first()
			if instagramPaths[strings.ToLower(name)] {
				name = ""
			}
		}
	case "tiktok.com":
		platform = "tiktok"
		if n := first(); strings.HasPrefix(n, "@") {
			name = n[1:]
		}
	case "t.me", "telegram.me":
		platform = "telegram"
		if name = after("s"); name == "" {
			name = first()
		}
		if strings.EqualFold(name, "joinchat") || strings.HasPrefix(name, "+") {
			name = ""
		}
	case "snapchat.com":
		platform = "snapchat"
		if name = after("add"); name == "" {
			if n := first(); strings.HasPrefix(n, "@") {
				name = n[1:]
			}
		}
	case "x.com", "twitter.com":
		platform = "x"
		name = first()
		if xPaths[strings.ToLower(name)] {
			name = ""
		}
	case "facebook.com", "fb.com":
		platform = "facebook"
		name = first()
		if strings.EqualFold(name, "profile.php") {
			name = u.Query().Get("id")
		} else if facebookPaths[strings.ToLower(name)] || strings.Contains(name, ".php") {
			name = ""
		}
	case "reddit.com":
		platform = "reddit"
		if name = after("u"); name == "" {
			name = after("user")
		}
	case "kik.me":
		platform, name = "kik", first()
	case "venmo.com":
		kind, platform = haven.IDPayment, "venmo"
		if name = after("u"); name == "" && len(segs) == 1 && !venmoPaths[strings.ToLower(first())] {
			name = first()
		}
	case "paypal.me":
		kind, platform, name = haven.IDPayment, "paypal", first()
	case "paypal.com":
		kind, platform, name = haven.IDPayment, "paypal", after("paypalme")
	case "cash.app", "cash.me":
		kind, platform = haven.IDPayment, "cashapp"
		if n := first(); strings.HasPrefix(n, "$") {
			name = n[1:]
		}
	default:
		return "", "", "", false
	}
	name = handleValue(name)
	return kind, platform, name, name != ""
}

var (
	instagramPaths = setOf("p reel reels tv explore stories accounts direct about developer legal web")
	xPaths         = setOf("home search i intent share hashtag explore settings messages notifications login signup tos privacy compose")
	facebookPaths  = setOf("groups pages events watch marketplace share sharer photo photos story permalink login help gaming hashtag people profile")
	venmoPaths     = setOf("signup about legal business u")
)

func setOf(words string) map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(words) {
		m[w] = true
	}
	return m
}
