package extract

import (
	"net"
	"net/netip"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Normalize returns the platform and value of an identifier given in a
// structured field, normalised as Text normalises what it finds, so that
// the same identifier gets the same Kind, Platform and Value wherever it was
// written. Phone numbers, email addresses, links and IP addresses have no
// platform (the one given is dropped). An error names the field at fault.
func Normalize(kind haven.IdentifierKind, platform, value string) (string, string, error) {
	value = strings.TrimSpace(value)
	platform = strings.TrimSpace(platform)
	if value == "" {
		return "", "", haven.FieldError("identifiers.value", "an identifier needs a value")
	}
	if len(value) > 2048 || len(platform) > 256 {
		return "", "", haven.FieldError("identifiers.value", "an identifier has at most 2048 characters")
	}
	bad := func(what string) (string, string, error) {
		return "", "", haven.FieldError("identifiers.value", "%q is not %s", value, what)
	}
	switch kind {
	case haven.IDPhone:
		if v, ok := phoneValue(value); ok {
			return "", v, nil
		}
		return bad("a valid phone number")
	case haven.IDEmail:
		if v, ok := normalizeEmail(value); ok {
			return "", v, nil
		}
		return bad("an email address")
	case haven.IDURL:
		if v, _, ok := canonicalURL(value); ok {
			return "", v, nil
		}
		return bad("a link")
	case haven.IDIP:
		if ip, ok := parseIP(value); ok {
			return "", ip.String(), nil
		}
		return bad("an IP address")
	case haven.IDHandle, haven.IDPayment:
		return normalizeHandle(kind, platform, value)
	case haven.IDDevice:
		return normalizeDevice(platform, value)
	case haven.IDPlate:
		v := plateValue(value)
		if v == "" || len(v) > 10 {
			return bad("a vehicle plate")
		}
		return stateCode(platform), v, nil
	case haven.IDFileHash:
		return normalizeHash(platform, value)
	case haven.IDESPAccount, haven.IDGroup, haven.IDPriorReport:
		return platformKey(platform), value, nil
	}
	return "", "", haven.FieldError("identifiers.kind", "unknown identifier kind %q", kind)
}

func normalizeEmail(value string) (string, bool) {
	v := value
	if len(v) > 7 && strings.EqualFold(v[:7], "mailto:") {
		v = v[7:]
	}
	if !strings.ContainsAny(v, "@＠") {
		m := reEmailSpelled.FindStringSubmatchIndex(v)
		if m == nil || m[0] != 0 || m[1] != len(v) {
			return "", false
		}
		v = reDotWord.ReplaceAllString(v[m[2]:m[3]], ".") + "@" + reDotWord.ReplaceAllString(v[m[6]:m[7]], ".")
	}
	return emailValue(v)
}

func parseIP(value string) (netip.Addr, bool) {
	v := value
	if host, _, err := net.SplitHostPort(v); err == nil { // "203.0.113.9:8080", "[2001:db8::1]:443"
		v = host
	}
	v = strings.TrimSuffix(strings.TrimPrefix(v, "["), "]")
	ip, err := netip.ParseAddr(v)
	if err != nil {
		return netip.Addr{}, false
	}
	return ip.WithZone("").Unmap(), true
}

// platformKey is a platform's name reduced to lower-case letters and digits
// ("Cash App" → "cashapp"), then its usual name where it has one.
func platformKey(p string) string {
	var b strings.Builder
	for i := 0; i < len(p); i++ {
		c := p[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if isAlnum(c) || c >= 0x80 {
			b.WriteByte(c)
		}
	}
	k := b.String()
	if a, ok := platformAliases[k]; ok {
		return a
	}
	return k
}

var platformAliases = map[string]string{
	"insta": "instagram", "ig": "instagram",
	"snap": "snapchat", "sc": "snapchat",
	"tt": "tiktok", "musically": "tiktok",
	"tg":           "telegram",
	"kikmessenger": "kik",
	"twitter":      "x", "xtwitter": "x", "twitterx": "x", "xcom": "x",
	"fb": "facebook", "facebookmessenger": "facebook", "messenger": "facebook",
	"cash": "cashapp", "squarecash": "cashapp", "cashtag": "cashapp",
	"paypalme": "paypal",
	"zellepay": "zelle",
	// devices
	"apple": "idfa", "ios": "idfa", "iosidfa": "idfa", "appleadvertisingid": "idfa",
	"gaid": "aaid", "android": "aaid", "google": "aaid", "androidadvertisingid": "aaid", "googleadvertisingid": "aaid",
	"adid": "ad_id", "advertisingid": "ad_id", "ad_id": "ad_id",
	// hashes
	"sha": "sha1", "sha2": "sha256",
}

func normalizeHandle(kind haven.IdentifierKind, platform, value string) (string, string, error) {
	p := platformKey(platform)
	v := value
	if strings.Contains(v, "/") {
		if _, u, ok := canonicalURL(v); ok {
			if k, pp, name, ok := profile(u); ok && k == kind {
				return pp, name, nil
			}
		}
	}
	if kind == haven.IDPayment && strings.ContainsAny(v, "@＠") && !strings.HasPrefix(v, "@") {
		if e, ok := normalizeEmail(v); ok { // Zelle, PayPal: an email address
			return p, e, nil
		}
	}
	if kind == haven.IDPayment && p == "zelle" && !strings.ContainsFunc(v, func(r rune) bool { return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' }) {
		if ph, ok := phoneValue(v); ok { // Zelle: a phone number
			return p, ph, nil
		}
	}
	if strings.HasPrefix(v, "+") {
		if ph, ok := phoneValue(v); ok { // an account named by its phone number
			return p, ph, nil
		}
	}
	if kind == haven.IDPayment && strings.HasPrefix(v, "$") && p == "" {
		p = "cashapp"
	}
	h := handleValue(v)
	if h == "" {
		return "", "", haven.FieldError("identifiers.value", "%q is not a user name: use letters, digits and . _ - only", value)
	}
	return p, h, nil
}

func normalizeDevice(platform, value string) (string, string, error) {
	p := platformKey(platform)
	digits := onlyDigits(value)
	uuid := reUUID.MatchString(value) && len(value) == 36
	if p == "" || p == "imei" {
		if len(digits) == 15 && strings.Trim(value, "0123456789- ") == "" {
			if !luhn(digits) {
				return "", "", haven.FieldError("identifiers.value", "IMEI %q has a wrong check digit", value)
			}
			return "imei", digits, nil
		}
		if p == "imei" {
			return "", "", haven.FieldError("identifiers.value", "%q is not an IMEI (15 digits)", value)
		}
		if uuid {
			return "ad_id", strings.ToLower(value), nil
		}
	}
	if p == "idfa" || p == "aaid" || p == "ad_id" {
		if !uuid {
			return "", "", haven.FieldError("identifiers.value", "%q is not an advertising id (a UUID)", value)
		}
		return p, strings.ToLower(value), nil
	}
	return p, strings.ToLower(strings.Join(strings.Fields(value), "")), nil
}

func normalizeHash(platform, value string) (string, string, error) {
	p := platformKey(platform)
	v := strings.ToLower(strings.Join(strings.Fields(value), ""))
	if k := strings.IndexByte(v, ':'); k >= 0 && p == "" { // "sha256:abc…"
		p, v = platformKey(v[:k]), v[k+1:]
	}
	if p == "" {
		p = hashAlgorithms[len(v)]
	}
	if want := map[string]int{"md5": 32, "sha1": 40, "sha256": 64}[p]; want != 0 {
		if len(v) != want || strings.Trim(v, "0123456789abcdef") != "" {
			return "", "", haven.FieldError("identifiers.value", "%q is not a %s digest (%d hex digits)", value, p, want)
		}
	}
	if p == "" {
		return "", "", haven.FieldError("identifiers.platform", "say which hash algorithm made %q", value)
	}
	return p, v, nil
}

// stateCode returns a plate's state as its USPS code; other places keep
// their name in capitals.
func stateCode(platform string) string {
	p := strings.TrimSpace(platform)
	if c := usStates[strings.ToUpper(p)]; c != "" {
		return c
	}
	if c := usStates[strings.ToLower(strings.Join(strings.Fields(p), " "))]; c != "" {
		return c
	}
	return strings.ToUpper(strings.Join(strings.Fields(p), " "))
}
