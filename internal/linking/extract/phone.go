package extract

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"

	"github.com/haven-oss/haven/internal/haven"
)

// Phone numbers are read in two steps. The text is cut into words and
// separators; a word is numeric when it is made only of digits (any script,
// keycaps), digit names ("two", "oh", "dos") and the letters O/o and l/I
// standing for 0 and 1, with at least one real digit or name ("2O2",
// "fivefive5", "TwoOhTwo"). Numeric words joined by separators (and at most
// one filler word such as "dot" or "then") form a run. A run is then cut into
// numbers of 10 digits (11 with a leading 1, or up to 15 after "+") whose
// groups fall where a phone number's groups fall, and phonenumbers decides
// whether each is a valid number.

// group is one numeric word: its digits and where it is.
type group struct {
	digits     string
	start, end int
	lone       bool // a lone "o": a zero only among other digits
}

var digitNames = map[string]byte{
	"zero": '0', "oh": '0', "one": '1', "two": '2', "three": '3', "four": '4', "five": '5',
	"six": '6', "seven": '7', "eight": '8', "nine": '9',
	"cero": '0', "uno": '1', "dos": '2', "tres": '3', "cuatro": '4', "cinco": '5', "seis": '6',
	"siete": '7', "ocho": '8', "nueve": '9',
}

// digitNamesByLength lists the names longest first, so that "three" is not
// read as "t" and the rest.
var digitNamesByLength []string

func init() {
	for n := range digitNames {
		digitNamesByLength = append(digitNamesByLength, n)
	}
	slices.SortFunc(digitNamesByLength, func(a, b string) int {
		if len(a) != len(b) {
			return len(b) - len(a)
		}
		return strings.Compare(a, b)
	})
}

// phoneFiller are words that may stand between two groups of a number.
var phoneFiller = setOf("dot dash hyphen then slash space point punto guion")

type wordKind int

const (
	wordOther   wordKind = iota // any other word: ends a run
	wordNumeric                 // digits
	wordLoneO                   // "o" or "O"
	wordFiller                  // "dot", "dash", "then" …
	wordDouble                  // "double": the next digit twice
	wordTriple                  // "triple"
	wordMarks                   // only emoji modifiers: a separator
)

func isWordRune(r rune) bool {
	return r < utf8.RuneSelf && isAlnum(byte(r)) || r >= utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r) || r == 0xFE0F || r == 0x20E3)
}

// digitValue returns the value of a decimal digit in any script.
func digitValue(r rune) (byte, bool) {
	if '0' <= r && r <= '9' {
		return byte(r), true
	}
	if r < utf8.RuneSelf || !unicode.IsDigit(r) {
		return 0, false
	}
	// decimal digits come in blocks of ten, 0 to 9, sometimes several blocks
	// in a row (the mathematical digits): count back to the first.
	k := 0
	for k < 100 && unicode.IsDigit(r-rune(k)-1) {
		k++
	}
	return byte('0' + k%10), true
}

// segment reads one word (see the comment at the top of this file).
func segment(w string) (string, wordKind) {
	if len(w) <= 6 {
		switch lw := asciiLower(w); {
		case phoneFiller[lw]:
			return "", wordFiller
		case lw == "double":
			return "", wordDouble
		case lw == "triple":
			return "", wordTriple
		case lw == "o":
			return "0", wordLoneO
		}
	}
	n := len(w)
	// the tables live on the stack for the words of ordinary text
	var okA, realA [33]bool
	var nextA [33]int
	var digitA [33]byte
	ok, real, next, digit := okA[:], realA[:], nextA[:], digitA[:]
	if n+1 > len(okA) {
		ok, real, next, digit = make([]bool, n+1), make([]bool, n+1), make([]int, n+1), make([]byte, n+1)
	}
	ok[n] = true
	for i := n - 1; i >= 0; i-- {
		r, size := utf8.DecodeRuneInString(w[i:])
		if r == 0xFE0F || r == 0x20E3 {
			if ok[i+size] {
				ok[i], real[i], next[i] = true, real[i+size], i+size
			}
			continue
		}
		if d, isDigit := digitValue(r); isDigit {
			if ok[i+size] {
				ok[i], real[i], next[i], digit[i] = true, true, i+size, d
			}
			continue
		}
		for _, name := range digitNamesByLength {
			if e := i + len(name); e <= n && ok[e] && equalFoldASCII(w[i:e], name) {
				ok[i], real[i], next[i], digit[i] = true, true, e, digitNames[name]
				break
			}
		}
		if !ok[i] && ok[i+size] {
			switch r {
			case 'o', 'O':
				ok[i], real[i], next[i], digit[i] = true, real[i+size], i+size, '0'
			case 'l', 'I':
				ok[i], real[i], next[i], digit[i] = true, real[i+size], i+size, '1'
			}
		}
	}
	if !ok[0] || !real[0] {
		if ok[0] && strings.Trim(w, "\uFE0F\u20E3") == "" {
			return "", wordMarks
		}
		return "", wordOther
	}
	var b []byte
	for i := 0; i < n; i = next[i] {
		if digit[i] != 0 {
			b = append(b, digit[i])
		}
	}
	return string(b), wordNumeric
}

// equalFoldASCII reports whether s equals the lower-case ASCII word name
// with ASCII letters in any case.
func equalFoldASCII(s, name string) bool {
	if len(s) != len(name) {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != name[i] {
			return false
		}
	}
	return true
}

// phoneStop are characters that end a run: a colon (times), a line break,
// and the marks of other identifiers.
func phoneStop(r rune) bool {
	return r == '\n' || r == ':' || r == '@' || r == '%' || r == '=' || r == '\r' || r == ';'
}

func isCurrency(r rune) bool {
	return r == '$' || r == '€' || r == '£' || r == '¥' || r == '¢'
}

func (x *scanner) phones() {
	s := x.s
	var run []group
	plus := -1 // offset of a "+" just before the run
	glue, fillers, mult := 0, 0, 1
	flush := func() {
		if len(run) > 0 {
			x.phoneRun(run, plus)
		}
		run, plus, glue, fillers, mult = run[:0], -1, 0, 0, 1
	}
	for i := 0; i < len(s); {
		if x.claimed[i] {
			flush()
			for i < len(s) && x.claimed[i] {
				i++
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if isWordRune(r) {
			j := i + size
			for j < len(s) && !x.claimed[j] {
				r2, sz := utf8.DecodeRuneInString(s[j:])
				if !isWordRune(r2) {
					break
				}
				j += sz
			}
			digits, kind := segment(s[i:j])
			switch kind {
			case wordNumeric, wordLoneO:
				if glue > 5 {
					flush()
				}
				if mult > 1 && len(digits) == 1 {
					digits = strings.Repeat(digits, mult)
				}
				run = append(run, group{digits: digits, start: i, end: j, lone: kind == wordLoneO})
				glue, fillers, mult = 0, 0, 1
			case wordFiller, wordDouble, wordTriple:
				if len(run) > 0 && fillers == 0 {
					fillers++
				} else if kind == wordFiller {
					flush()
				}
				switch kind {
				case wordDouble:
					mult = 2
				case wordTriple:
					mult = 3
				}
			case wordMarks:
				glue++
			default:
				flush()
			}
			i = j
			continue
		}
		switch {
		case r == '+':
			flush()
			if i+1 < len(s) && isDigit(s[i+1]) {
				plus = i
			}
		case isCurrency(r):
			// an amount: skip it
			flush()
			j := i + size
			for j < len(s) && (s[j] == ' ' || isDigit(s[j]) || s[j] == ',' || s[j] == '.') {
				j++
			}
			i = j
			continue
		case phoneStop(r):
			flush()
		default:
			glue++
		}
		i += size
	}
	flush()
}

// phoneRun cuts one run into phone numbers.
func (x *scanner) phoneRun(run []group, plus int) {
	allLone := true
	for _, g := range run {
		allLone = allLone && g.lone
	}
	if allLone {
		return
	}
	i := 0
	if plus >= 0 && run[0].start == plus+1 {
		if j := x.intlPhone(run, plus); j > 0 {
			i = j
		}
	}
	for i < len(run) {
		if j := x.nationalPhone(run, i); j > i {
			i = j
			continue
		}
		i++
	}
}

// intlPhone reads a number written with "+" and its country code: the
// longest valid number of up to 15 digits. It returns how many groups it
// used (0 for none).
func (x *scanner) intlPhone(run []group, plus int) int {
	digits, best, bestValue := "", 0, ""
	for j, g := range run {
		digits += g.digits
		if len(digits) > 15 {
			break
		}
		if len(digits) < 8 {
			continue
		}
		if n, err := phonenumbers.Parse("+"+digits, ""); err == nil && phonenumbers.IsValidNumber(n) {
			best, bestValue = j+1, phonenumbers.Format(n, phonenumbers.E164)
		}
	}
	if best == 0 {
		return 0
	}
	x.emitPhone(bestValue, plus, run[best-1].end)
	return best
}

// nationalPhone reads a US number from run[i:]: it returns the index after
// the groups it used, or i when there is none.
func (x *scanner) nationalPhone(run []group, i int) int {
	digits := ""
	for j := i; j < len(run); j++ {
		digits += run[j].digits
		if len(digits) == 10 || len(digits) == 11 && digits[0] == '1' {
			if v, ok := x.nationalValue(run[i:j+1], digits); ok {
				start := run[i].start
				if start > 0 && x.s[start-1] == '(' {
					start--
				}
				x.emitPhone(v, start, run[j].end)
				return j + 1
			}
		}
		if len(digits) >= 11 {
			break
		}
	}
	return i
}

// nationalValue checks a candidate's grouping and validity.
func (x *scanner) nationalValue(groups []group, digits string) (string, bool) {
	lens := make([]int, 0, len(groups))
	for _, g := range groups {
		lens = append(lens, len(g.digits))
	}
	if len(digits) == 11 { // a leading 1: the groups are read without it
		if lens[0] == 1 {
			lens = lens[1:]
		} else {
			lens[0]--
		}
	}
	national := digits[len(digits)-10:]
	if national[0] < '2' || national[3] < '2' { // area code and exchange start 2-9
		return "", false
	}
	if !phoneGrouping(lens) || x.negativeBefore(groups[0].start) {
		return "", false
	}
	n, err := phonenumbers.Parse(digits, "US")
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", false
	}
	return phonenumbers.Format(n, phonenumbers.E164), true
}

// phoneGrouping accepts the ways a 10-digit number is grouped: 3-3-4 and
// any finer split that keeps those boundaries (digit by digit, 3-3-2-2),
// and 3-7, 6-4 or all 10 together. Dates, times and lists of numbers are
// grouped otherwise (2-2-4-2, 1-3-3-3).
func phoneGrouping(lens []int) bool {
	switch {
	case len(lens) == 1 && lens[0] == 10,
		len(lens) == 2 && (lens[0] == 3 || lens[0] == 6):
		return true
	}
	at3, at6, sum := false, false, 0
	for _, l := range lens {
		sum += l
		at3 = at3 || sum == 3
		at6 = at6 || sum == 6
	}
	return at3 && at6
}

func (x *scanner) emitPhone(value string, start, end int) {
	if end < len(x.s) && x.s[end] == ')' && strings.Count(x.s[start:end], "(") > strings.Count(x.s[start:end], ")") {
		end++
	}
	x.add(haven.IDPhone, "", value, start, end)
	x.claim(start, end)
}

// paymentContext adds a payment handle for a phone number or email address
// named as one ("Zelle to 202-555-0171", "paypal: name@example.com").
func (x *scanner) paymentContext() {
	for _, f := range x.out {
		if f.Kind != haven.IDPhone && f.Kind != haven.IDEmail {
			continue
		}
		for _, w := range x.wordsBefore(f.Start, 5) {
			if !x.free(w.start, w.end) {
				break // another identifier in between
			}
			if k, _, ok := x.keywordAt(w.end); ok && k.payment {
				x.add(haven.IDPayment, k.platform, f.Value, f.Start, f.End)
				break
			}
		}
	}
}

// phoneValue normalises a phone number given on its own (a form field).
func phoneValue(raw string) (string, bool) {
	var digits []byte
	plus := false
	for i := 0; i < len(raw); {
		r, size := utf8.DecodeRuneInString(raw[i:])
		if r == '+' && len(digits) == 0 {
			plus = true
		}
		if !isWordRune(r) {
			i += size
			continue
		}
		j := i + size
		for j < len(raw) {
			r2, sz := utf8.DecodeRuneInString(raw[j:])
			if !isWordRune(r2) {
				break
			}
			j += sz
		}
		d, kind := segment(raw[i:j])
		if kind == wordOther && len(digits) > 0 {
			break // "ext. 12", "(cell)"
		}
		if kind == wordNumeric || kind == wordLoneO {
			digits = append(digits, d...)
		}
		i = j
	}
	if len(digits) < 7 || len(digits) > 15 {
		return "", false
	}
	try := func(number, region string) (string, bool) {
		n, err := phonenumbers.Parse(number, region)
		if err != nil || !phonenumbers.IsValidNumber(n) {
			return "", false
		}
		return phonenumbers.Format(n, phonenumbers.E164), true
	}
	if plus {
		return try("+"+string(digits), "")
	}
	if v, ok := try(string(digits), "US"); ok {
		return v, true
	}
	if len(digits) >= 11 {
		return try("+"+string(digits), "")
	}
	return "", false
}
