// Package fold normalises US place names for matching: case, accents,
// punctuation and "Saint"/"St." are folded away, so "St. Louis",
// "Saint Louis" and "ST LOUIS" compare equal, as do "Doña Ana" and "Dona Ana".
package fold

import (
	"strings"
	"unicode"

	"golang.org/x/text/unicode/norm"
)

// Name returns the folded form of a place name.
func Name(s string) string {
	var b strings.Builder
	space := true // suppress leading spaces
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r): // combining accent
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(unicode.ToLower(r))
			space = false
		case r == '\'' || r == '’' || r == '.':
			// "Manu'a" = "Manua", "St." = "St"
		default:
			if !space {
				b.WriteByte(' ')
				space = true
			}
		}
	}
	words := strings.Fields(b.String())
	for i, w := range words {
		switch w {
		case "saint":
			words[i] = "st"
		case "sainte":
			words[i] = "ste"
		case "ft":
			words[i] = "fort"
		case "mt":
			words[i] = "mount"
		}
	}
	return strings.Join(words, " ")
}

// suffixes are the legal/statistical area descriptions of county
// equivalents, longest first so "city and borough" wins over "borough".
var suffixes = []string{
	" city and borough", " census area", " planning region", " municipality",
	" municipio", " borough", " county", " parish", " district", " island", " city",
}

// CountyBase returns the folded county name without its description:
// "Travis County" → "travis", "Juneau City and Borough" → "juneau".
func CountyBase(s string) string {
	f := Name(s)
	for _, suf := range suffixes {
		if strings.HasSuffix(f, suf) && len(f) > len(suf) {
			return strings.TrimSuffix(f, suf)
		}
	}
	return f
}
