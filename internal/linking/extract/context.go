package extract

import "strings"

// This file holds the small helpers that read the words around an
// identifier: which platform a handle belongs to, whether a number is an
// order number, whether a UUID is an advertising id.

// word is one ASCII word of the lower-cased text, with its offsets.
type word struct {
	w          string
	start, end int
}

// wordsBefore returns up to n words that end at or before pos, nearest first.
// It stops at a line break and at a sentence end (". ", "!", "?", ";").
func (x *scanner) wordsBefore(pos, n int) []word {
	var ws []word
	i := pos
	for len(ws) < n && i > 0 {
		// skip separators
		for i > 0 && !isAlnum(x.lower[i-1]) {
			c := x.lower[i-1]
			if c == '\n' || c == '!' || c == '?' || c == ';' {
				return ws
			}
			if c == '.' && i < len(x.s) && x.s[i] == ' ' && sentenceEnd(x.lower[:i-1]) {
				return ws
			}
			i--
		}
		end := i
		for i > 0 && (isAlnum(x.lower[i-1]) || x.lower[i-1] == '_' || x.lower[i-1] == '$') {
			i--
		}
		if end == i {
			break
		}
		ws = append(ws, word{x.lower[i:end], i, end})
	}
	return ws
}

// sentenceEnd reports whether a "." after t ends a sentence: it does after a
// word of five letters or more ("town. "), not after an abbreviation ("no. ",
// "Tel. ") or a number.
func sentenceEnd(t string) bool {
	n := 0
	for n < len(t) && isLetter(t[len(t)-1-n]) {
		n++
	}
	return n >= 5
}

// textBefore returns up to n bytes before pos, cut at the last line break.
func (x *scanner) textBefore(pos, n int) string {
	start := max(0, pos-n)
	t := x.lower[start:pos]
	if k := strings.LastIndexByte(t, '\n'); k >= 0 {
		t = t[k+1:]
	}
	return t
}

// hasWord reports whether t contains w as a whole word (ASCII).
func hasWord(t, w string) bool {
	for i := 0; ; {
		k := strings.Index(t[i:], w)
		if k < 0 {
			return false
		}
		k += i
		e := k + len(w)
		if (k == 0 || !isAlnum(t[k-1])) && (e == len(t) || !isAlnum(t[e])) {
			return true
		}
		i = k + 1
	}
}

// negativeNumberWords make a number that follows them something other than
// a phone number or a device id.
var negativeNumberWords = map[string]bool{
	"order": true, "invoice": true, "ref": true, "reference": true, "tracking": true, "case": true,
	"account": true, "acct": true, "serial": true, "confirmation": true, "ticket": true, "receipt": true,
	"transaction": true, "isbn": true, "sku": true, "item": true, "policy": true, "claim": true,
	"routing": true, "report": true, "card": true, "parcel": true, "package": true, "flight": true,
	"incident": true, "docket": true, "vin": true, "upc": true,
}

// negativeBefore reports whether one of the three words before pos makes
// the number at pos an order, case or reference number.
func (x *scanner) negativeBefore(pos int) bool {
	for _, w := range x.wordsBefore(pos, 3) {
		if negativeNumberWords[w.w] {
			return true
		}
	}
	return false
}

// platform keywords: the words that name a platform near a handle.
type keyword struct {
	platform string
	payment  bool // a payment platform: the handle is a payment handle
	short    bool // two letters or fewer: needs ":"-like punctuation before a bare name
}

var keywords = map[string]keyword{
	"instagram": {platform: "instagram"}, "insta": {platform: "instagram"}, "ig": {platform: "instagram", short: true},
	"snapchat": {platform: "snapchat"}, "snap": {platform: "snapchat"}, "sc": {platform: "snapchat", short: true},
	"tiktok": {platform: "tiktok"}, "tt": {platform: "tiktok", short: true},
	"telegram": {platform: "telegram"}, "tg": {platform: "telegram", short: true},
	"kik":     {platform: "kik"},
	"discord": {platform: "discord"},
	"twitter": {platform: "x"}, "x": {platform: "x", short: true},
	"facebook": {platform: "facebook"}, "fb": {platform: "facebook", short: true},
	"reddit":  {platform: "reddit"},
	"venmo":   {platform: "venmo", payment: true},
	"cashapp": {platform: "cashapp", payment: true}, "cashtag": {platform: "cashapp", payment: true},
	"paypal": {platform: "paypal", payment: true},
	"zelle":  {platform: "zelle", payment: true},
	// generic names for a handle: no platform
	"username": {}, "screenname": {}, "handle": {},
}

// twoWordKeywords are keywords written as two words.
var twoWordKeywords = map[[2]string]string{
	{"cash", "app"}: "cashapp", {"tik", "tok"}: "tiktok", {"pay", "pal"}: "paypal",
	{"user", "name"}: "username", {"screen", "name"}: "screenname",
}

// handleFiller are the words that may stand between a platform keyword and
// the handle it names ("my snap is …", "kik me at …", "tiktok user @…").
var handleFiller = map[string]bool{
	"is": true, "me": true, "at": true, "name": true, "user": true, "username": true, "handle": true,
	"id": true, "tag": true, "acct": true, "account": true, "on": true, "add": true, "follow": true,
	"dm": true, "my": true, "her": true, "his": true, "new": true, "es": true, "via": true, "profile": true,
}

// stopwords are words that are never a handle after a platform keyword.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a an the and or but of to in on at by for with from as is are was were be been
		me my her his him she he they them their it its this that these those i you we us our your
		not no yes so if then than too very just only also now here there where when what who how why
		account acct page profile app name user username handle private public deleted gone down
		closed blocked banned back up out off over again later soon today yesterday tomorrow
		videos video photos photo pics pic story stories post posts posted chat chats message messages
		dm dms live call text send add follow find search same new old one two three first last
		only please thanks thank hey hi hello ok okay sure maybe mine hers his`) {
		stopwords[w] = true
	}
}

// usStates maps state names and USPS codes to the code (50 states, DC and
// the territories that issue plates).
var usStates = map[string]string{}

func init() {
	for _, p := range []string{"AL alabama", "AK alaska", "AZ arizona", "AR arkansas", "CA california",
		"CO colorado", "CT connecticut", "DE delaware", "DC district of columbia", "FL florida",
		"GA georgia", "HI hawaii", "ID idaho", "IL illinois", "IN indiana", "IA iowa", "KS kansas",
		"KY kentucky", "LA louisiana", "ME maine", "MD maryland", "MA massachusetts", "MI michigan",
		"MN minnesota", "MS mississippi", "MO missouri", "MT montana", "NE nebraska", "NV nevada",
		"NH new hampshire", "NJ new jersey", "NM new mexico", "NY new york", "NC north carolina",
		"ND north dakota", "OH ohio", "OK oklahoma", "OR oregon", "PA pennsylvania", "RI rhode island",
		"SC south carolina", "SD south dakota", "TN tennessee", "TX texas", "UT utah", "VT vermont",
		"VA virginia", "WA washington", "WV west virginia", "WI wisconsin", "WY wyoming",
		"PR puerto rico", "GU guam", "VI virgin islands", "AS american samoa", "MP northern mariana islands"} {
		code, name, _ := strings.Cut(p, " ")
		usStates[code] = code
		usStates[name] = code
	}
}
