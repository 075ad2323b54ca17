package personmatch

// nysiis is the New York State Identification and Intelligence System
// phonetic code of a name (Taft, 1970), as usually implemented but not cut
// to six characters. It expects the lower-case letters a–z that normalise
// leaves; anything else is dropped. Names that sound alike (and many common
// misspellings) share a code: "catherine" and "kathryn" give "CATARAN".
func nysiis(name string) string {
	var buf [32]byte
	w := buf[:0]
	for i := 0; i < len(name); i++ {
		c := name[i]
		if c >= 'a' && c <= 'z' {
			w = append(w, c-'a'+'A')
		}
	}
	if len(w) == 0 {
		return ""
	}
	hasPrefix := func(p string) bool { return len(w) >= len(p) && string(w[:len(p)]) == p }
	switch {
	case hasPrefix("MAC"):
		w[1] = 'C'
	case hasPrefix("KN"):
		w[0] = 'N'
	case hasPrefix("K"):
		w[0] = 'C'
	case hasPrefix("PH"), hasPrefix("PF"):
		w[0], w[1] = 'F', 'F'
	case hasPrefix("SCH"):
		w[1], w[2] = 'S', 'S'
	}
	if n := len(w); n >= 2 {
		switch string(w[n-2:]) {
		case "EE", "IE":
			w = append(w[:n-2], 'Y')
		case "DT", "RT", "RD", "NT", "ND":
			w = append(w[:n-2], 'D')
		}
	}
	vowel := func(c byte) bool { return c == 'A' || c == 'E' || c == 'I' || c == 'O' || c == 'U' }
	key := make([]byte, 1, len(w)+2)
	key[0] = w[0]
	for i := 1; i < len(w); i++ {
		c := w[i]
		var next byte
		if i+1 < len(w) {
			next = w[i+1]
		}
		switch {
		case c == 'E' && next == 'V':
			w[i], w[i+1] = 'A', 'F'
		case vowel(c):
			w[i] = 'A'
		case c == 'Q':
			w[i] = 'G'
		case c == 'Z':
			w[i] = 'S'
		case c == 'M':
			w[i] = 'N'
		case c == 'K':
			if next == 'N' {
				w[i] = 'N'
			} else {
				w[i] = 'C'
			}
		case c == 'S' && i+2 < len(w) && w[i+1] == 'C' && w[i+2] == 'H':
			w[i+1], w[i+2] = 'S', 'S'
		case c == 'P' && next == 'H':
			w[i], w[i+1] = 'F', 'F'
		case c == 'H' && (!vowel(w[i-1]) || (next != 0 && !vowel(next)) || next == 0):
			w[i] = w[i-1]
		case c == 'W' && vowel(w[i-1]):
			w[i] = w[i-1]
		}
		if w[i] != key[len(key)-1] {
			key = append(key, w[i])
		}
	}
	if n := len(key); n > 1 && key[n-1] == 'S' {
		key = key[:n-1]
	}
	if n := len(key); n > 2 && key[n-2] == 'A' && key[n-1] == 'Y' {
		key = append(key[:n-2], 'Y')
	}
	if n := len(key); n > 1 && key[n-1] == 'A' {
		key = key[:n-1]
	}
	return string(key)
}
