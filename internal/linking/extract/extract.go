// Package extract finds the identifiers that can link reports — phone
// numbers, email addresses, links, handles, payment handles, IP addresses,
// device ids, vehicle plates and file hashes — in free text (narratives, ad
// text, ESP additionalInfo, hotline notes) and normalises identifiers given in
// structured fields, so that the same identifier written either way gets the
// same Kind, Platform and Value.
//
// The API:
//
//	func Text(s string) []Found
//	func Normalize(kind haven.IdentifierKind, platform, value string) (normPlatform, normValue string, err error)
//	func (f Found) Identifier(source string) haven.Identifier
//
// Text returns every identifier found, in the order of its Start offset, with
// Raw == s[Start:End]. An identifier written twice is returned twice (once per
// place); linking compares Kind, Platform and Value. Normalize is for values
// that are already known to be of one kind (a form's phone field, an ESP
// report's email element, an import column); it returns a specific error (a
// *haven.Error naming "identifiers.value" or "identifiers.platform") for a
// value that is not of that kind. Normalize of a normalised value returns it
// unchanged.
//
// Values, by kind:
//   - phone: E.164 ("+12025550147"). National numbers are read as US numbers.
//     Text reads the ways ads write numbers to get past filters: digits
//     spelled out in English or Spanish ("two oh two", "dos cero dos",
//     "double five"), O/o for 0 and l/I for 1 ("2O2-555-Ol47"), any
//     separators, emoji and keycap digits, full-width and mathematical digits,
//     and the words "dot", "dash", "then" between groups. It keeps only numbers
//     that phonenumbers calls valid and whose grouping looks like a phone
//     number (so dates, times, prices, ZIP codes, ages, heights and order,
//     case or reference numbers are left alone).
//   - email: lower case; "name at domain dot com", "name(at)domain(dot)com",
//     "name [at] domain" and the like are read too (a bare " at " only when
//     the text around it makes an address likely).
//   - url: scheme and host in lower case, http and https both written https,
//     "www." and default ports dropped, tracking parameters (utm_*, fbclid,
//     gclid, …) and the fragment dropped, the other parameters sorted, no
//     trailing slash. Bare domains ("example.com/profile/x") are links too.
//   - handle: lower case (every platform named here treats names without
//     regard to case), without "@"; Platform is one of instagram, snapchat,
//     tiktok, telegram, kik, discord, x, facebook, reddit, or "" when the
//     text does not say. From "@name" with the platform named nearby
//     ("IG: @name", "@name on snap"), from "snap: name"-style mentions and
//     from profile links (instagram.com/name, tiktok.com/@name, t.me/name,
//     snapchat.com/add/name, x.com/name, facebook.com/name, reddit.com/u/name).
//   - payment: Platform cashapp ($cashtag, cash.app/$name), venmo (@name or
//     name after "venmo", venmo.com/u/name), paypal (paypal.me/name) or zelle;
//     Value is the name in lower case without "$" or "@". A phone number or
//     email address next to "zelle", "venmo", "paypal" or "cash app" is
//     returned twice: as itself and as a payment handle whose Value is the
//     normalised phone or email.
//   - ip: netip's canonical form (IPv4-mapped IPv6 addresses as IPv4);
//     loopback and unspecified addresses are left out.
//   - device: Platform imei (15 digits with a valid Luhn check digit),
//     idfa (an Apple advertising id), aaid (an Android advertising id) or
//     ad_id (an advertising id whose system the text does not name); UUIDs in
//     lower case. A UUID is a device id only when the text calls it an
//     advertising or device id.
//   - plate: upper-case letters and digits only; Platform is the two-letter
//     state ("VA"), or "" when the text does not name one. Only after the
//     words plate, plates, tag or tags, only plates with a digit, and never a
//     "partial plate".
//   - file_hash: lower-case hex; Platform md5, sha1 or sha256 by length.
package extract

import (
	"slices"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// Found is one identifier found in a text.
type Found struct {
	Kind     haven.IdentifierKind
	Platform string // see the package comment; "" for phone, email, url, ip
	Value    string // normalised: linking compares Kind, Platform and Value
	Raw      string // the text as written: the input's bytes [Start, End)
	Start    int    // byte offset in the input
	End      int    // byte offset in the input, exclusive
}

// Identifier returns f as a haven.Identifier found in source (a field name,
// or "narrative").
func (f Found) Identifier(source string) haven.Identifier {
	return haven.Identifier{Kind: f.Kind, Value: f.Value, Platform: f.Platform, Raw: f.Raw, Source: source}
}

// maxText bounds the work on one text: identifiers past the first 4 MiB are
// not looked for.
const maxText = 4 << 20

// Text returns the identifiers found in s, ordered by Start (then Kind).
func Text(s string) []Found {
	if len(s) > maxText {
		s = s[:maxText]
	}
	x := &scanner{s: s, lower: asciiLower(s), claimed: make([]bool, len(s)+1)}
	x.emails()
	x.urls()
	x.ips()
	x.hexIDs()
	x.imeis()
	x.handles()
	x.plates()
	x.phones()
	x.paymentContext()
	slices.SortStableFunc(x.out, func(a, b Found) int {
		if a.Start != b.Start {
			return a.Start - b.Start
		}
		return strings.Compare(string(a.Kind), string(b.Kind))
	})
	return x.out
}

// scanner holds one text while the extractors run over it, in an order that
// lets the more specific shapes (an email address, a link) claim their bytes
// before the looser ones (a handle, a phone number) look.
type scanner struct {
	s       string
	lower   string // s with ASCII letters in lower case: same offsets
	claimed []bool // bytes that belong to an identifier already found
	out     []Found
}

func (x *scanner) add(kind haven.IdentifierKind, platform, value string, start, end int) {
	if value == "" || start < 0 || end > len(x.s) || start >= end {
		return
	}
	if kind == haven.IDHandle || kind == haven.IDPayment {
		// the same rules as a structured field ("zelle @2025550147" is a
		// phone number)
		p, v, err := Normalize(kind, platform, value)
		if err != nil {
			return
		}
		platform, value = p, v
	}
	x.out = append(x.out, Found{Kind: kind, Platform: platform, Value: value, Raw: x.s[start:end], Start: start, End: end})
}

func (x *scanner) claim(start, end int) {
	for i := start; i < end && i < len(x.claimed); i++ {
		x.claimed[i] = true
	}
}

func (x *scanner) free(start, end int) bool {
	for i := start; i < end && i < len(x.claimed); i++ {
		if x.claimed[i] {
			return false
		}
	}
	return true
}

// asciiLower lower-cases ASCII letters only, so offsets stay the same.
func asciiLower(s string) string {
	for i := 0; i < len(s); i++ {
		if c := s[i]; 'A' <= c && c <= 'Z' {
			b := []byte(s)
			for j := i; j < len(b); j++ {
				if c := b[j]; 'A' <= c && c <= 'Z' {
					b[j] = c + 'a' - 'A'
				}
			}
			return string(b)
		}
	}
	return s
}

// hasRun reports whether s has n bytes in a row for which ok is true.
func hasRun(s string, n int, ok func(byte) bool) bool {
	k := 0
	for i := 0; i < len(s); i++ {
		if ok(s[i]) {
			if k++; k >= n {
				return true
			}
		} else {
			k = 0
		}
	}
	return false
}

func isHex(c byte) bool { return isDigit(c) || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// hasDomainDot reports whether s has a letter or digit, a dot and a letter
// in a row, as every host name has.
func hasDomainDot(s string) bool {
	for i := 1; i+1 < len(s); i++ {
		if s[i] == '.' && isAlnum(s[i-1]) && isLetter(s[i+1]) {
			return true
		}
	}
	return false
}

// hasSpelledAt reports whether s has "at" as a word of its own or in
// brackets: " at ", "(at)", "[at]".
func hasSpelledAt(lower string) bool {
	for i := 0; ; {
		k := strings.Index(lower[i:], "at")
		if k < 0 {
			return false
		}
		k += i
		if k > 0 && k+2 < len(lower) && !isAlnum(lower[k-1]) && !isAlnum(lower[k+2]) {
			return true
		}
		i = k + 2
	}
}

func isAlnum(c byte) bool {
	return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func isLetter(c byte) bool { return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' }
