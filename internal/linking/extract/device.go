package extract

import (
	"regexp"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	reHex  = regexp.MustCompile(`(?i)\b(?:[0-9a-f]{64}|[0-9a-f]{40}|[0-9a-f]{32})\b`)
	reUUID = regexp.MustCompile(`(?i)\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b`)
	// 15 digits together, or in the printed IMEI grouping (AA-BBBBBB-CCCCCC-D
	// or AABBBBBB-CCCCCC-D) with dashes or spaces
	reIMEI = regexp.MustCompile(`\b(?:[0-9]{15}|[0-9]{2}[- ][0-9]{6}[- ][0-9]{6}[- ][0-9]|[0-9]{8}[- ][0-9]{6}[- ][0-9])\b`)
)

var hashAlgorithms = map[int]string{32: "md5", 40: "sha1", 64: "sha256"}

// hexIDs finds file hashes and advertising ids.
func (x *scanner) hexIDs() {
	if !hasRun(x.s, 8, isHex) {
		return
	}
	for _, m := range reUUID.FindAllStringIndex(x.s, -1) {
		start, end := m[0], m[1]
		if !x.free(start, end) || start > 0 && x.s[start-1] == '-' || end < len(x.s) && x.s[end] == '-' {
			continue
		}
		x.claim(start, end) // a UUID is never a phone number, whatever it is
		if platform := x.adIDPlatform(start, end); platform != "" {
			x.add(haven.IDDevice, platform, strings.ToLower(x.s[start:end]), start, end)
		}
	}
	if !hasRun(x.s, 32, isHex) {
		return
	}
	for _, m := range reHex.FindAllStringIndex(x.s, -1) {
		start, end := m[0], m[1]
		raw := x.s[start:end]
		if !x.free(start, end) || !strings.ContainsAny(raw, "0123456789") || strings.Trim(raw, "0123456789") == "" ||
			start > 0 && x.s[start-1] == '-' || end < len(x.s) && x.s[end] == '-' {
			continue
		}
		x.add(haven.IDFileHash, hashAlgorithms[len(raw)], strings.ToLower(raw), start, end)
		x.claim(start, end)
	}
}

// adIDPlatform reads the words around a UUID: an advertising or device id
// says so before it, and the system it belongs to may be named before or
// just after it ("… (iPhone)").
func (x *scanner) adIDPlatform(start, end int) string {
	t := x.textBefore(start, 48)
	isID := false
	for _, w := range []string{"idfa", "aaid", "gaid", "adid", "advertising", "ad id", "device id", "device identifier", "deviceid", "ad_id"} {
		if hasWord(t, w) {
			isID = true
			break
		}
	}
	if !isID {
		return ""
	}
	after := x.lower[end:min(len(x.s), end+24)]
	if k := strings.IndexAny(after, "\n.;"); k >= 0 {
		after = after[:k]
	}
	for _, around := range []string{t, after} {
		for _, w := range []string{"idfa", "ios", "iphone", "ipad", "apple"} {
			if hasWord(around, w) {
				return "idfa"
			}
		}
		for _, w := range []string{"aaid", "gaid", "android", "google"} {
			if hasWord(around, w) {
				return "aaid"
			}
		}
	}
	return "ad_id"
}

func (x *scanner) imeis() {
	if !hasRun(x.s, 15, isDigit) && !strings.Contains(x.lower, "imei") {
		return
	}
	for _, m := range reIMEI.FindAllStringIndex(x.s, -1) {
		start, end := m[0], m[1]
		if !x.free(start, end) || start > 0 && (x.s[start-1] == '-' || x.s[start-1] == '.') || end < len(x.s) && (x.s[end] == '-' || x.s[end] == '.' && end+1 < len(x.s) && isDigit(x.s[end+1])) {
			continue
		}
		digits := onlyDigits(x.s[start:end])
		if !luhn(digits) {
			continue
		}
		named := strings.Contains(x.textBefore(start, 32), "imei")
		if !named && (len(digits) != end-start || x.negativeBefore(start)) {
			continue // grouped digits need the word IMEI; "order 4901…" is an order
		}
		x.add(haven.IDDevice, "imei", digits, start, end)
		x.claim(start, end)
	}
}

func onlyDigits(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if isDigit(s[i]) {
			b.WriteByte(s[i])
		}
	}
	return b.String()
}

// luhn reports whether the digits end in a valid Luhn check digit.
func luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum := 0
	for i := 0; i < len(digits); i++ {
		d := int(digits[len(digits)-1-i] - '0')
		if i%2 == 1 {
			if d *= 2; d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return sum%10 == 0
}
