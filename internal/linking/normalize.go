package linking

import (
	"net/netip"
	"net/url"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Basic normalises an identifier when the Step is given no normaliser: it
// trims, writes emails, handles, payment handles and platforms in lower case
// (without a leading "@" or "$"), phone numbers in E.164 (a national number
// of 10 digits read as a US one), IP addresses in netip's form, the scheme
// and host of links in lower case, and plates in upper case without
// separators. Haven itself runs with internal/linking/extract's Normalize,
// which knows much more; Basic keeps the Step usable without it.
func Basic(kind haven.IdentifierKind, platform, value string) (string, string, error) {
	value = strings.TrimSpace(value)
	platform = strings.ToLower(strings.TrimSpace(platform))
	if value == "" {
		return "", "", haven.FieldError("identifiers.value", "an identifier needs a value")
	}
	bad := func(what string) (string, string, error) {
		return "", "", haven.FieldError("identifiers.value", "%q is not %s", value, what)
	}
	switch kind {
	case haven.IDPhone:
		var digits strings.Builder
		for _, c := range value {
			if c >= '0' && c <= '9' {
				digits.WriteRune(c)
			}
		}
		d := digits.String()
		switch {
		case strings.HasPrefix(value, "+") && len(d) >= 8 && len(d) <= 15:
			return "", "+" + d, nil
		case len(d) == 10:
			return "", "+1" + d, nil
		case len(d) == 11 && d[0] == '1':
			return "", "+" + d, nil
		}
		return bad("a phone number")
	case haven.IDEmail:
		v := strings.ToLower(strings.TrimPrefix(value, "mailto:"))
		if at := strings.IndexByte(v, '@'); at < 1 || at == len(v)-1 {
			return bad("an email address")
		}
		return "", v, nil
	case haven.IDHandle:
		return platform, strings.ToLower(strings.TrimPrefix(value, "@")), nil
	case haven.IDPayment:
		return platform, strings.ToLower(strings.TrimLeft(value, "$@")), nil
	case haven.IDIP:
		a, err := netip.ParseAddr(value)
		if err != nil {
			return bad("an IP address")
		}
		return "", a.Unmap().String(), nil
	case haven.IDURL:
		u, err := url.Parse(value)
		if err != nil || u.Host == "" {
			return "", value, nil
		}
		u.Scheme, u.Host, u.Fragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), ""
		return "", strings.TrimSuffix(u.String(), "/"), nil
	case haven.IDPlate:
		v := strings.Map(func(c rune) rune {
			if c >= 'a' && c <= 'z' {
				return c - 'a' + 'A'
			}
			if c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' {
				return c
			}
			return -1
		}, value)
		if v == "" {
			return bad("a vehicle plate")
		}
		return strings.ToUpper(platform), v, nil
	case haven.IDFileHash:
		return platform, strings.ToLower(value), nil
	}
	return platform, value, nil
}
