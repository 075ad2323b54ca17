package personmatch

import (
	"math/bits"
	"unicode/utf8"
)

// jaroWinkler is the Jaro–Winkler similarity of a and b (0 = nothing in
// common, 1 = equal): Winkler's prefix bonus of 0.1 per common leading
// character, up to 4. It allocates nothing for strings of up to 64
// characters, because the matcher calls it millions of times.
func jaroWinkler(a, b string) float64 {
	if a == b {
		if a == "" {
			return 0
		}
		return 1
	}
	if len(a) <= 64 && len(b) <= 64 && isASCII(a) && isASCII(b) {
		j := jaroShort(a, b)
		if j == 0 {
			return 0
		}
		p := 0
		for p < len(a) && p < len(b) && p < 4 && a[p] == b[p] {
			p++
		}
		return j + 0.1*float64(p)*(1-j)
	}
	if isASCII(a) && isASCII(b) {
		return jwSlices([]byte(a), []byte(b))
	}
	return jwSlices([]rune(a), []rune(b))
}

// similarity is jaroWinkler for strings already known to be ASCII (ascii
// set) or not known to be.
func similarity(a, b string, ascii bool) float64 {
	if ascii && len(a) <= 64 && len(b) <= 64 {
		if a == b {
			return 1
		}
		j := jaroShort(a, b)
		if j == 0 {
			return 0
		}
		p := 0
		for p < len(a) && p < len(b) && p < 4 && a[p] == b[p] {
			p++
		}
		return j + 0.1*float64(p)*(1-j)
	}
	return jaroWinkler(a, b)
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func jwSlices[T byte | rune](a, b []T) float64 {
	j := jaro(a, b)
	if j == 0 {
		return 0
	}
	p := 0
	for p < len(a) && p < len(b) && p < 4 && a[p] == b[p] {
		p++
	}
	return j + 0.1*float64(p)*(1-j)
}

func jaro[T byte | rune](a, b []T) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	var abuf, bbuf [64]bool
	am, bm := abuf[:0], bbuf[:0]
	if la <= 64 {
		am = abuf[:la]
	} else {
		am = make([]bool, la)
	}
	if lb <= 64 {
		bm = bbuf[:lb]
	} else {
		bm = make([]bool, lb)
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	matches := 0
	for i := 0; i < la; i++ {
		lo, hi := max(0, i-window), min(lb, i+window+1)
		for k := lo; k < hi; k++ {
			if !bm[k] && a[i] == b[k] {
				am[i], bm[k] = true, true
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t, k := 0, 0
	for i := 0; i < la; i++ {
		if !am[i] {
			continue
		}
		for !bm[k] {
			k++
		}
		if a[i] != b[k] {
			t++
		}
		k++
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
}

// jaroShort is jaro for ASCII strings of at most 64 bytes, with the
// matched positions kept in two machine words instead of arrays.
func jaroShort(a, b string) float64 {
	la, lb := len(a), len(b)
	if la == 0 || lb == 0 {
		return 0
	}
	window := max(la, lb)/2 - 1
	if window < 0 {
		window = 0
	}
	var am, bm uint64
	matches := 0
	for i := 0; i < la; i++ {
		c := a[i]
		for k, hi := max(0, i-window), min(lb, i+window+1); k < hi; k++ {
			if b[k] == c && bm&(1<<k) == 0 {
				bm |= 1 << k
				am |= 1 << i
				matches++
				break
			}
		}
	}
	if matches == 0 {
		return 0
	}
	t := 0
	for x, y := am, bm; x != 0; x, y = x&(x-1), y&(y-1) {
		if a[bits.TrailingZeros64(x)] != b[bits.TrailingZeros64(y)] {
			t++
		}
	}
	m := float64(matches)
	return (m/float64(la) + m/float64(lb) + (m-float64(t)/2)/m) / 3
}

// oneEdit reports whether a and b (different, non-empty) differ by exactly
// one substitution, insertion, deletion or transposition of adjacent
// characters: the typing slips that turn 5162 into 5126 or 5612.
func oneEdit(a, b string) bool {
	if a == b {
		return false
	}
	la, lb := len(a), len(b)
	switch {
	case la == lb:
		i := 0
		for i < la && a[i] == b[i] {
			i++
		}
		// a substitution
		if a[i+1:] == b[i+1:] {
			return true
		}
		// a transposition of i and i+1
		return i+1 < la && a[i] == b[i+1] && a[i+1] == b[i] && a[i+2:] == b[i+2:]
	case la == lb+1:
		return oneDeletion(a, b)
	case lb == la+1:
		return oneDeletion(b, a)
	}
	return false
}

// oneDeletion reports whether deleting one byte of long gives short.
func oneDeletion(long, short string) bool {
	i := 0
	for i < len(short) && long[i] == short[i] {
		i++
	}
	return long[i+1:] == short[i:]
}

// tokenDice is the Sørensen–Dice overlap of two sorted, deduplicated token
// sets: 2·|A∩B| / (|A|+|B|).
func tokenDice(a, b []uint64) float64 {
	if len(a) == 0 || len(b) == 0 {
		return 0
	}
	i, j, common := 0, 0, 0
	for i < len(a) && j < len(b) {
		switch {
		case a[i] == b[j]:
			common++
			i++
			j++
		case a[i] < b[j]:
			i++
		default:
			j++
		}
	}
	return 2 * float64(common) / float64(len(a)+len(b))
}
