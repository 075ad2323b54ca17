package extract

import (
	"regexp"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

var (
	reCashtag = regexp.MustCompile(`\$([A-Za-z][A-Za-z0-9_\-]{0,20})`)
	reAt      = regexp.MustCompile(`@([A-Za-z0-9_](?:[A-Za-z0-9_.\-]{0,62}[A-Za-z0-9_])?)`)
	reReddit  = regexp.MustCompile(`(?i)\bu/([a-z0-9_\-]{3,20})\b`)
)

// currencies are "$" words that are amounts, not cashtags.
var currencies = setOf("usd us cad aud nzd hkd sgd mxn eur gbp k m")

func (x *scanner) handles() {
	if strings.IndexByte(x.s, '$') >= 0 {
		for _, m := range reCashtag.FindAllStringSubmatchIndex(x.s, -1) {
			start, end := m[0], m[1]
			if start > 0 && (isAlnum(x.s[start-1]) || x.s[start-1] == '$') || end < len(x.s) && (x.s[end] == '$' || x.s[end] == '@') {
				continue
			}
			name := strings.TrimRight(x.s[m[2]:m[3]], "-_")
			end = m[2] + len(name)
			if currencies[strings.ToLower(name)] || !x.free(start, end) {
				continue
			}
			x.add(haven.IDPayment, "cashapp", handleValue(name), start, end)
			x.claim(start, end)
		}
	}
	if strings.IndexByte(x.s, '@') >= 0 {
		for _, m := range reAt.FindAllStringSubmatchIndex(x.s, -1) {
			start, end := m[0], m[1]
			if start > 0 {
				if c := x.s[start-1]; isAlnum(c) || strings.IndexByte("._%+-/@", c) >= 0 {
					continue
				}
			}
			if !x.free(start, end) {
				continue
			}
			x.claim(start, end)
			name := handleValue(x.s[m[2]:m[3]])
			kws := x.keywordsBefore(start)
			if len(kws) == 0 {
				kws = x.keywordsAfter(end)
			}
			if len(kws) == 0 {
				kws = x.keywordNear(start)
			}
			if len(kws) == 0 {
				kws = []keyword{{}}
			}
			for _, k := range kws {
				kind := haven.IDHandle
				if k.payment {
					kind = haven.IDPayment
				}
				x.add(kind, k.platform, name, start, end)
			}
		}
	}
	if strings.Contains(x.lower, "u/") {
		for _, m := range reReddit.FindAllStringSubmatchIndex(x.s, -1) {
			start, end := m[0], m[1]
			if start > 0 && (x.s[start-1] == '/' || x.s[start-1] == '.') || !x.free(start, end) {
				continue
			}
			x.add(haven.IDHandle, "reddit", handleValue(x.s[m[2]:m[3]]), start, end)
			x.claim(start, end)
		}
	}
	x.namedHandles()
}

// handleValue is a handle's name as linking compares it.
func handleValue(name string) string {
	name = strings.TrimSpace(name)
	name = strings.TrimLeft(name, "@$")
	name = strings.ToLower(name)
	if name == "" || len(name) > 64 {
		return ""
	}
	for i := 0; i < len(name); i++ {
		if c := name[i]; !isAlnum(c) && strings.IndexByte("_.-#", c) < 0 {
			return ""
		}
	}
	return name
}

// keywordAt reads the platform keyword that ends at end (ASCII word just
// before end), with its start. Two-word keywords ("cash app") are read whole.
func (x *scanner) keywordAt(end int) (keyword, int, bool) {
	start := end
	for start > 0 && isAlnum(x.lower[start-1]) {
		start--
	}
	if start == end {
		return keyword{}, start, false
	}
	w := x.lower[start:end]
	// a two-word keyword: "cash app", "tik tok", "user name"
	if p := start - 1; p > 0 && x.lower[p] == ' ' {
		ps := p
		for ps > 0 && isAlnum(x.lower[ps-1]) {
			ps--
		}
		if k, ok := twoWordKeywords[[2]string{x.lower[ps:p], w}]; ok {
			return keywords[k], ps, true
		}
	}
	k, ok := keywords[w]
	if w == "x" && x.s[start] == 'x' {
		ok = false // a lower-case x is a times sign more often than Twitter
	}
	return k, start, ok
}

// keywordsBefore walks back from pos over separators and filler words ("my
// snap is @…", "IG: @…", "tiktok user @…") and returns the platform
// keywords found there: more than one when joined ("snap/IG @…").
func (x *scanner) keywordsBefore(pos int) []keyword {
	i, fillers := pos, 0
	for {
		for i > 0 && strings.IndexByte(" \t:=-(,", x.s[i-1]) >= 0 {
			i--
		}
		if i == 0 || !isAlnum(x.s[i-1]) {
			return nil
		}
		if k, start, ok := x.keywordAt(i); ok {
			kws := []keyword{k}
			// joined keywords: "snap/IG", "IG & snap", "x/twitter", "insta or snap"
			for j := start; ; {
				sep := j
				for sep > 0 && x.s[sep-1] == ' ' {
					sep--
				}
				switch {
				case sep > 0 && (x.s[sep-1] == '/' || x.s[sep-1] == '&'):
					sep--
				case sep >= 3 && x.lower[sep-3:sep] == "and" && (sep == 3 || x.s[sep-4] == ' '):
					sep -= 3
				case sep >= 2 && x.lower[sep-2:sep] == "or" && (sep == 2 || x.s[sep-3] == ' '):
					sep -= 2
				default:
					return dedupe(kws)
				}
				for sep > 0 && x.s[sep-1] == ' ' {
					sep--
				}
				k2, s2, ok := x.keywordAt(sep)
				if !ok || sep == j {
					return dedupe(kws)
				}
				kws = append(kws, k2)
				j = s2
			}
		}
		start := i
		for start > 0 && isAlnum(x.lower[start-1]) {
			start--
		}
		if !handleFiller[x.lower[start:i]] || fillers == 3 {
			return nil
		}
		fillers++
		i = start
	}
}

// keywordsAfter reads "@name on insta", "@name (IG)", "@name via snap".
func (x *scanner) keywordsAfter(pos int) []keyword {
	i, fillers := pos, 0
	for {
		for i < len(x.s) && strings.IndexByte(" \t(-,", x.s[i]) >= 0 {
			i++
		}
		e := i
		for e < len(x.s) && isAlnum(x.s[e]) {
			e++
		}
		if e == i {
			return nil
		}
		w := x.lower[i:e]
		if e+1 < len(x.s) && x.s[e] == ' ' {
			e2 := e + 1
			for e2 < len(x.s) && isAlnum(x.s[e2]) {
				e2++
			}
			if k, ok := twoWordKeywords[[2]string{w, x.lower[e+1 : e2]}]; ok && keywords[k].platform != "" {
				return []keyword{keywords[k]}
			}
		}
		if k, ok := keywords[w]; ok && k.platform != "" && !(w == "x" && x.s[i] == 'x') {
			kws := []keyword{k}
			// joined: "@name on X and Telegram", "@name (IG/snap)"
			for j := e; ; {
				for j < len(x.s) && x.s[j] == ' ' {
					j++
				}
				switch {
				case j < len(x.s) && (x.s[j] == '/' || x.s[j] == '&'):
					j++
				case strings.HasPrefix(x.lower[j:], "and "):
					j += 4
				case strings.HasPrefix(x.lower[j:], "or "):
					j += 3
				default:
					return dedupe(kws)
				}
				for j < len(x.s) && x.s[j] == ' ' {
					j++
				}
				e2 := j
				for e2 < len(x.s) && isAlnum(x.s[e2]) {
					e2++
				}
				k2, ok := keywords[x.lower[j:e2]]
				if !ok || k2.platform == "" || x.lower[j:e2] == "x" && x.s[j] == 'x' {
					return dedupe(kws)
				}
				kws = append(kws, k2)
				j = e2
			}
		}
		if (w != "on" && w != "via" && w != "from") || fillers == 1 {
			return nil
		}
		fillers++
		i = e
	}
}

// keywordNear looks for the nearest platform keyword earlier in the same
// sentence ("the group chat was on telegram, admin @…"), not past another
// handle or identifier.
func (x *scanner) keywordNear(pos int) []keyword {
	for _, w := range x.wordsBefore(pos, 8) {
		if !x.free(w.start, w.end) {
			return nil
		}
		if k, _, ok := x.keywordAt(w.end); ok && k.platform != "" {
			return []keyword{k}
		}
	}
	return nil
}

func dedupe(kws []keyword) []keyword {
	out := kws[:0]
	for _, k := range kws {
		dup := false
		for _, o := range out {
			dup = dup || o == k
		}
		if !dup {
			out = append(out, k)
		}
	}
	return out
}

// namedHandles finds names written after a platform keyword without "@":
// "snap: kay.example", "kik me at lolaexample", "her snapchat is bree_ex22".
func (x *scanner) namedHandles() {
	l := x.lower
	for i := 0; i < len(l); {
		if !isAlnum(l[i]) {
			i++
			continue
		}
		e := i
		for e < len(l) && isAlnum(l[e]) {
			e++
		}
		if i > 0 && (l[i-1] == '.' || l[i-1] == '/' || l[i-1] == '@' || l[i-1] == '$' || l[i-1] == '_') {
			i = e // inside a link or another name
			continue
		}
		k, _, ok := x.keywordAt(e)
		if ok && k.platform != "zelle" && x.free(i, e) {
			x.namedHandle(k, e)
		}
		i = e
	}
}

// handleChars are the characters of a handle written without "@".
func handleChar(c byte) bool { return isAlnum(c) || c == '_' || c == '.' || c == '-' || c == '#' }

func (x *scanner) namedHandle(k keyword, pos int) {
	i, fillers := pos, 0
	punct, strong := false, false
	for {
		for i < len(x.s) && (x.s[i] == ' ' || x.s[i] == '\t' || x.s[i] == ',' || x.s[i] == '(') {
			i++
		}
		if i < len(x.s) && (x.s[i] == ':' || x.s[i] == '=' || x.s[i] == '-') {
			punct, strong = true, true
			i++
			continue
		}
		if i >= len(x.s) || !isAlnum(x.s[i]) {
			return
		}
		e := i
		for e < len(x.s) && handleChar(x.s[e]) {
			e++
		}
		w := x.lower[i:e]
		if handleFiller[w] && fillers < 3 {
			if w == "at" || w == "name" || w == "handle" || w == "username" || w == "tag" || w == "id" {
				strong = true
			}
			fillers++
			i = e
			continue
		}
		// the candidate
		for e > i && strings.IndexByte(".-#", x.s[e-1]) >= 0 {
			e--
		}
		if k.platform != "discord" {
			if h := strings.IndexByte(x.s[i:e], '#'); h >= 0 {
				e = i + h
			}
		}
		cand := x.lower[i:e]
		if e-i < 3 || stopwords[cand] || !strings.ContainsFunc(cand, func(r rune) bool { return 'a' <= r && r <= 'z' }) ||
			!x.free(i, e) || e < len(x.s) && (x.s[e] == '@' || x.s[e] == '/') {
			return
		}
		looksLikeHandle := strings.ContainsAny(cand, "0123456789_.")
		if k.short && !punct && !(fillers > 0 && looksLikeHandle) || !strong && !looksLikeHandle {
			return
		}
		kind := haven.IDHandle
		if k.payment {
			kind = haven.IDPayment
		}
		x.add(kind, k.platform, handleValue(cand), i, e)
		x.claim(i, e)
		return
	}
}
