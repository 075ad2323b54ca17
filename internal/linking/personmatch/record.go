// Package personmatch finds records that describe the same person:
// probabilistic record linkage in the Fellegi–Sunter tradition. Pairs of
// records are compared field by field into comparison levels (exact,
// phonetic, Jaro–Winkler bands, date and age tolerance, postcode distance,
// missing); the weight of each level is learnt from the data itself with the
// EM algorithm, without labelled matches; candidate pairs come from several
// blocking passes so that the cost grows with the number of plausible pairs,
// not with n². Every suggested pair carries its field-by-field evidence.
// The package never merges anything: it only suggests.
package personmatch

import (
	"fmt"
	"slices"
	"strings"
	"unicode"

	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Sex is a record's sex as reported; SexUnknown when not stated.
type Sex byte

// The values of Sex.
const (
	SexUnknown Sex = 0
	SexFemale  Sex = 'F'
	SexMale    Sex = 'M'
	SexOther   Sex = 'X'
)

// Date is a calendar date whose parts may be unknown (0). It is not
// validated: a date of birth typed as 1980-13-42 is still evidence, and the
// comparison of digits (one digit off, day and month swapped) uses it.
type Date struct {
	Year, Month, Day int
}

// IsZero reports whether nothing of the date is known.
func (d Date) IsZero() bool { return d.Year == 0 && d.Month == 0 && d.Day == 0 }

// Complete reports whether year, month and day are all known.
func (d Date) Complete() bool { return d.Year > 0 && d.Month > 0 && d.Day > 0 }

func (d Date) String() string {
	if d.IsZero() {
		return ""
	}
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day)
}

// Record is one description of a person: a child named in a report, a
// missing-child record, a row of a person file. Every field is optional; an
// empty field is "not known", never "known to be empty", and compares as
// neutral evidence.
type Record struct {
	// ID is the caller's identifier, echoed in results (FEBRL's rec_id).
	ID string
	// FirstName and LastName as written; OtherNames are nicknames, aliases
	// and earlier names ("Lexi", a street name, a maiden name).
	FirstName, LastName string
	OtherNames          []string
	// DOB is the date of birth.
	DOB Date
	// Age in whole years as stated on AgeAt (for example the report's date).
	// Age is used only when AgeAt is set.
	Age   int
	AgeAt Date
	Sex   Sex
	// The address: house number, street, second line (unit, building,
	// locality), city or suburb, state, ZIP or postcode.
	StreetNumber, Street, Street2 string
	City, State, ZIP              string
	// IDNumber is an identity number when there is one (FEBRL's soc_sec_id);
	// reports about children seldom carry one.
	IDNumber string
	// Description is free text: height, hair, marks, tattoos, clothing.
	Description string
}

// prepared is a record reduced to what the comparisons and blocking passes
// read, computed once per record.
type prepared struct {
	first, last         string // normalised, letters only
	firstCode, lastCode string // NYSIIS
	others              []string
	dob                 Date
	dobDigits           string // YYYYMMDD when the date is complete
	ascii               bool   // every string below is ASCII
	birthYear           int    // from DOB, else estimated from Age (0 = unknown)
	age                 int
	ageAt               Date
	sex                 Sex
	stNum               string
	street, street2     string // normalised, without spaces
	city, state, zip    string
	id                  string
	desc                []uint64 // hashed description words, sorted, unique
}

// placeholders are values that mean "not known" when typed in a name or
// address field.
var placeholders = map[string]bool{
	"unknown": true, "unk": true, "na": true, "none": true, "null": true, "nil": true,
	"notknown": true, "notgiven": true, "nk": true, "xx": true, "xxx": true,
}

func prepare(r *Record) prepared {
	p := prepared{
		first:   nameKey(r.FirstName),
		last:    nameKey(r.LastName),
		dob:     r.DOB,
		age:     r.Age,
		ageAt:   r.AgeAt,
		sex:     r.Sex,
		stNum:   alnumKey(r.StreetNumber),
		street:  alnumKey(r.Street),
		street2: alnumKey(r.Street2),
		city:    alnumKey(r.City),
		state:   alnumKey(r.State),
		zip:     alnumKey(r.ZIP),
		id:      alnumKey(r.IDNumber),
		desc:    words(r.Description),
	}
	p.firstCode, p.lastCode = nysiis(p.first), nysiis(p.last)
	if r.DOB.Complete() {
		p.dobDigits = digits(r.DOB)
	}
	for _, o := range r.OtherNames {
		if k := nameKey(o); k != "" && k != p.first && !slices.Contains(p.others, k) {
			p.others = append(p.others, k)
		}
	}
	p.ascii = true
	for _, s := range []string{p.first, p.last, p.street, p.street2, p.city} {
		p.ascii = p.ascii && isASCII(s)
	}
	for _, s := range p.others {
		p.ascii = p.ascii && isASCII(s)
	}
	switch {
	case r.DOB.Year > 0:
		p.birthYear = r.DOB.Year
	case !r.AgeAt.IsZero() && r.AgeAt.Year > 0:
		// Born in AgeAt.Year-Age or the year before; the later year is
		// right for most of a year's reports.
		p.birthYear = r.AgeAt.Year - r.Age
	}
	return p
}

// fold lower-cases s and removes accents: "Zoë" → "zoe".
func fold(s string) string {
	if isASCII(s) {
		return strings.ToLower(s)
	}
	t := transform.Chain(norm.NFD, runes.Remove(runes.In(unicode.Mn)), norm.NFC)
	out, _, err := transform.String(t, s)
	if err != nil {
		out = s
	}
	return strings.ToLower(out)
}

// nameKey is a name reduced to its letters: "O'Brien-Smith" → "obriensmith",
// "braid en" → "braiden". Placeholders ("unknown") become "".
func nameKey(s string) string {
	s = fold(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	if placeholders[k] {
		return ""
	}
	return k
}

// alnumKey is s reduced to its letters and digits, lower case.
func alnumKey(s string) string {
	s = fold(s)
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
		}
	}
	k := b.String()
	if placeholders[k] {
		return ""
	}
	return k
}

// words is the set of hashed words of a description, sorted.
func words(s string) []uint64 {
	if s == "" {
		return nil
	}
	var out []uint64
	for _, w := range strings.FieldsFunc(fold(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		if len(w) < 2 {
			continue
		}
		out = append(out, hashString(0, w))
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// hashString is FNV-1a of s continuing from h (0 starts afresh).
func hashString(h uint64, s string) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 1099511628211
	}
	return h
}

func hashInt(h uint64, v int) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	for i := 0; i < 8; i++ {
		h ^= uint64(byte(v >> (8 * i)))
		h *= 1099511628211
	}
	return h
}
