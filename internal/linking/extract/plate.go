package extract

import (
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

var plateWords = setOf("plate plates tag tags")

// plateFiller may stand between "plate" and the plate itself.
var plateFiller = setOf("number no nr num reads read was were is of with say says said shows showed registration")

func (x *scanner) plates() {
	l := x.lower
	if !strings.Contains(l, "plate") && !strings.Contains(l, "tag") {
		return
	}
	for i := 0; i < len(l); {
		if !isAlnum(l[i]) {
			i++
			continue
		}
		e := i
		for e < len(l) && isAlnum(l[e]) {
			e++
		}
		if plateWords[l[i:e]] && (i == 0 || !isAlnum(l[i-1]) && l[i-1] != '@' && l[i-1] != '_') {
			x.plate(i, e)
		}
		i = e
	}
}

// plate reads the plate after the keyword at s[kwStart:kwEnd] and its state
// (before the keyword, between it and the plate, or after the plate).
func (x *scanner) plate(kwStart, kwEnd int) {
	if ws := x.wordsBefore(kwStart, 1); len(ws) == 1 && (ws[0].w == "partial" || ws[0].w == "part") {
		return // part of a plate would link to the wrong cars
	}
	state := x.stateBefore(kwStart)
	i := kwEnd
	for n := 0; n < 6; n++ {
		for i < len(x.s) && strings.IndexByte(" \t:#(),.-", x.s[i]) >= 0 {
			i++
		}
		e := i
		for e < len(x.s) && isAlnum(x.s[e]) {
			e++
		}
		if e == i {
			return
		}
		w := x.s[i:e]
		if plateFiller[strings.ToLower(w)] {
			i = e
			continue
		}
		if code, end, ok := x.stateAt(i); ok {
			// "plate VA ABC-1234": a state, then the plate
			if pe := x.plateAt(skipSpace(x.s, end)); pe > 0 {
				state = code
				i = end
				continue
			}
		}
		end := x.plateAt(i)
		if end == 0 {
			return
		}
		if !x.free(i, end) {
			return
		}
		if state == "" {
			state = x.stateAfter(end)
		}
		x.add(haven.IDPlate, state, plateValue(x.s[i:end]), i, end)
		x.claim(i, end)
		return
	}
}

func skipSpace(s string, i int) int {
	for i < len(s) && (s[i] == ' ' || s[i] == '\t' || s[i] == ')' || s[i] == ',') {
		i++
	}
	return i
}

// plateAt returns the end of a plate that starts at i (0 when there is
// none): letters and digits, with at most one space or dash inside, two to
// eight of them, at least one a digit.
func (x *scanner) plateAt(i int) int {
	tok := func(j int) int {
		for j < len(x.s) && isAlnum(x.s[j]) {
			j++
		}
		return j
	}
	e := tok(i)
	if e == i {
		return 0
	}
	end := e
	if e+1 < len(x.s) && (x.s[e] == '-' || x.s[e] == ' ') && isAlnum(x.s[e+1]) {
		e2 := tok(e + 1)
		second := x.s[e+1 : e2]
		joinable := x.s[e] == '-' || e-i <= 4 && len(second) <= 4 && strings.ToUpper(second) == second && strings.ContainsAny(second, "0123456789") != strings.ContainsAny(x.s[i:e], "0123456789")
		if joinable && !isState(second) {
			end = e2
		}
	}
	v := plateValue(x.s[i:end])
	if len(v) < 2 || len(v) > 8 || !strings.ContainsAny(v, "0123456789") {
		return 0
	}
	return end
}

func isState(w string) bool {
	return len(w) == 2 && usStates[w] != ""
}

func plateValue(raw string) string {
	var b strings.Builder
	for i := 0; i < len(raw); i++ {
		if c := raw[i]; isAlnum(c) {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			b.WriteByte(c)
		}
	}
	return b.String()
}

// stateAt reads a state at i: a USPS code as written in capitals ("VA"), or a
// state's name in any case ("Virginia", "new york").
func (x *scanner) stateAt(i int) (code string, end int, ok bool) {
	if i+2 <= len(x.s) && (i+2 == len(x.s) || !isAlnum(x.s[i+2])) {
		if c := usStates[x.s[i:i+2]]; c != "" {
			return c, i + 2, true
		}
	}
	// names of up to four words, longest first
	ends := []int{}
	j := i
	for n := 0; n < 4 && j < len(x.s); n++ {
		for j < len(x.s) && isLetter(x.s[j]) {
			j++
		}
		ends = append(ends, j)
		if j >= len(x.s) || x.s[j] != ' ' {
			break
		}
		j++
	}
	for k := len(ends) - 1; k >= 0; k-- {
		if name := x.lower[i:ends[k]]; len(name) > 2 {
			if c := usStates[name]; c != "" {
				return c, ends[k], true
			}
		}
	}
	return "", 0, false
}

// stateBefore reads "VA plate", "Virginia license plate", "a New York plate".
func (x *scanner) stateBefore(kwStart int) string {
	ws := x.wordsBefore(kwStart, 5)
	if len(ws) > 0 && (ws[0].w == "license" || ws[0].w == "licence" || ws[0].w == "vehicle") {
		ws = ws[1:]
	}
	// try the longest name first: up to three words back
	for n := min(3, len(ws)); n >= 1; n-- {
		start := ws[n-1].start
		if code, end, ok := x.stateAt(start); ok && end == ws[0].end {
			return code
		}
	}
	return ""
}

// stateAfter reads "(Texas)", ", California", "out of Ohio", "from MD".
func (x *scanner) stateAfter(end int) string {
	i := end
	for n := 0; n < 4 && i < len(x.s); n++ {
		for i < len(x.s) && strings.IndexByte(" \t(),", x.s[i]) >= 0 {
			i++
		}
		if code, _, ok := x.stateAt(i); ok {
			return code
		}
		e := i
		for e < len(x.s) && isAlnum(x.s[e]) {
			e++
		}
		if w := x.lower[i:e]; w != "out" && w != "of" && w != "from" && w != "in" && w != "state" {
			return ""
		}
		i = e
	}
	return ""
}
