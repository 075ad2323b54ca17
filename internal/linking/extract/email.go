package extract

import (
	"regexp"
	"strings"

	"golang.org/x/net/publicsuffix"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	// name@domain, with spaces allowed around "@" and " . " in the name.
	reEmail = regexp.MustCompile(`(?i)[a-z0-9_%+\-]+(?:(?:\.| \. )[a-z0-9_%+\-]+)* ?[@＠] ?[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+`)

	// name at domain dot com, name(at)domain(dot)com, name [at] domain [.] com …
	reEmailSpelled = regexp.MustCompile(`(?i)\b([a-z0-9_%+\-]+(?:` + dotWord + `[a-z0-9_%+\-]+)*)(` + atWord + `)([a-z0-9](?:[a-z0-9\-]*[a-z0-9])?(?:` + dotWord + `[a-z0-9](?:[a-z0-9\-]*[a-z0-9])?)+)\b`)
)

const (
	atWord  = `(?:\s*[\[\(\{<]\s*at\s*[\]\)\}>]\s*|\s+at\s+)`
	dotWord = `(?:\s*[\[\(\{<]\s*(?:dot|\.)\s*[\]\)\}>]\s*|\s+dot\s+|\.)`
)

var reDotWord = regexp.MustCompile(`(?i)` + dotWord)

// emailContext are words that, shortly before "name at domain.com", make an
// address likely.
var emailContext = []string{"email", "e-mail", "mail", "gmail", "address", "contact", "write", "reach", "send"}

func (x *scanner) emails() {
	if strings.IndexByte(x.s, '@') >= 0 || strings.Contains(x.s, "＠") {
		x.findEach(reEmail, x.literalEmail)
	}
	if !hasSpelledAt(x.lower) || !strings.Contains(x.lower, "dot") && strings.IndexByte(x.s, '.') < 0 {
		return
	}
	x.findEach(reEmailSpelled, x.spelledEmail)
}

// findEach calls fn for each match of re in the text. A match that fn
// turns down ("me @ mia.example", "him at rico.example") must not hide one
// that starts inside it, so after a miss the search goes on from the next
// word rather than from the end of the match.
func (x *scanner) findEach(re *regexp.Regexp, fn func(m []int) bool) {
	for pos := 0; pos < len(x.s); {
		m := re.FindStringSubmatchIndex(x.s[pos:])
		if m == nil {
			return
		}
		for k := range m {
			if m[k] >= 0 {
				m[k] += pos
			}
		}
		if fn(m) {
			pos = m[1]
			continue
		}
		pos = m[0] + 1
		for pos < len(x.s) && isAlnum(x.s[pos]) {
			pos++
		}
	}
}

// literalEmail adds the address of one reEmail match, if it is one.
func (x *scanner) literalEmail(m []int) bool {
	start, end := m[0], m[1]
	if start > 0 && (isAlnum(x.s[start-1]) || x.s[start-1] == '.') || !x.free(start, end) {
		return false
	}
	v, ok := emailValue(x.s[start:end])
	if !ok {
		return false
	}
	x.add(haven.IDEmail, "", v, start, end)
	x.claim(start, end)
	return true
}

// spelledEmail adds the address of one reEmailSpelled match, if it is one.
func (x *scanner) spelledEmail(m []int) bool {
	start, end := m[0], m[1]
	if !x.free(start, end) {
		return false
	}
	local, at, domain := x.s[m[2]:m[3]], x.s[m[4]:m[5]], x.s[m[6]:m[7]]
	plainAt := strings.EqualFold(strings.TrimSpace(at), "at")
	if plainAt && !x.likelyEmail(start, local, domain) {
		return false
	}
	v, ok := emailValue(reDotWord.ReplaceAllString(local, ".") + "@" + reDotWord.ReplaceAllString(domain, "."))
	if !ok {
		return false
	}
	x.add(haven.IDEmail, "", v, start, end)
	x.claim(start, end)
	return true
}

// likelyEmail decides a "name at domain" written with a bare "at": an
// address when the domain is spelled with "dot", when the name has a digit,
// "." or "_" in it, or when the words before speak of email; never when the
// name is a common word ("look at example.com").
func (x *scanner) likelyEmail(start int, local, domain string) bool {
	l := strings.ToLower(local)
	if stopwords[l] || strings.HasSuffix(l, "ed") || strings.HasSuffix(l, "ing") || emailStopwords[l] {
		return false
	}
	if strings.Contains(strings.ToLower(domain), "dot") || strings.ContainsAny(l, "0123456789._") {
		return true
	}
	before := x.textBefore(start, 40)
	for _, w := range emailContext {
		if hasWord(before, w) {
			return true
		}
	}
	return false
}

var emailStopwords = map[string]bool{"look": true, "met": true, "work": true, "home": true, "stay": true, "stays": true,
	"meet": true, "seen": true, "saw": true, "ad": true, "ads": true, "listing": true, "site": true, "her": true, "him": true}

var emailSpaces = strings.NewReplacer(" ", "", "\t", "", "＠", "@")

// emailValue normalises an address: spaces out, lower case, and a domain
// that ends in a real top-level domain.
func emailValue(raw string) (string, bool) {
	v := strings.ToLower(emailSpaces.Replace(raw))
	local, domain, ok := strings.Cut(v, "@")
	if !ok || local == "" || len(local) > 64 || strings.Contains(domain, "@") ||
		strings.HasPrefix(local, ".") || strings.HasSuffix(local, ".") || strings.Contains(local, "..") {
		return "", false
	}
	domain = strings.TrimSuffix(domain, ".")
	if !validDomain(domain, false) {
		return "", false
	}
	return local + "@" + domain, true
}

// validDomain reports whether d (lower case) is a host name under a real
// top-level domain. With bare set, d was written without a scheme or
// "www.", so it must also end in one of the common top-level domains (so
// that "notes.md" or "a.zip" are not taken for links).
func validDomain(d string, bare bool) bool {
	if len(d) > 253 || !strings.Contains(d, ".") {
		return false
	}
	for _, l := range strings.Split(d, ".") {
		if l == "" || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
	}
	suffix, icann := publicsuffix.PublicSuffix(d)
	if !icann || suffix == d {
		return false
	}
	if bare {
		tld := suffix[strings.LastIndexByte(suffix, '.')+1:]
		return commonTLDs[tld]
	}
	return true
}

var commonTLDs = map[string]bool{}

func init() {
	for _, t := range strings.Fields(`com org net edu gov mil int us info biz io co me tv app dev xyz ly gg to cc
		ca uk de fr es it nl mx br au nz ie in jp ru ch se no fi dk pl pt be at
		site online store club live link page blog shop top vip one chat social fun ee am`) {
		commonTLDs[t] = true
	}
}
