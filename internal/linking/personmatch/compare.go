package personmatch

import "slices"

// The compared fields, in the order of a comparison pattern.
const (
	fFirst = iota
	fLast
	fOrder
	fDOB
	fSex
	fStNum
	fStreet
	fStreet2
	fCity
	fState
	fZIP
	fID
	fDesc
	numFields
)

// Level 0 of every field is "missing": one of the two records does not
// say. It is neutral evidence (weight 0) and is left out of estimation.
const missing = 0

// A fieldDef names a field and its comparison levels, with the prior m and u
// probabilities that start the EM and stand in for levels the data never
// shows (for example age levels in a file that has only dates of birth).
type fieldDef struct {
	name   string
	levels []levelDef
	// chain lists levels from most to least agreeing: their weights are
	// made non-increasing along it, so that "similar" never outweighs
	// "exact" however the data fell.
	chain []int
	// side levels lie off the chain: each {level, parent} keeps level's
	// weight between its parent's and the chain's last (disagreement).
	side [][2]int
}

type levelDef struct {
	name string
	m, u float64 // priors; level 0 (missing) has none
}

// Name levels.
const (
	nameExact = 1 + iota
	nameAlias
	nameInitial
	nameJW94
	nameJW88
	namePhonetic
	nameJW75
	nameDifferent
)

var nameLevels = []levelDef{
	{name: "missing"},
	{"exact", 0.85, 0.005},
	{"other name", 0.03, 0.0005},
	{"initial", 0.01, 0.003},
	{"similar (Jaro–Winkler ≥ 0.94)", 0.04, 0.001},
	{"similar (Jaro–Winkler ≥ 0.88)", 0.03, 0.003},
	{"sounds alike", 0.01, 0.005},
	{"somewhat similar (Jaro–Winkler ≥ 0.75)", 0.01, 0.05},
	{"different", 0.02, 0.933},
}

// Order levels: both names known on both records, as given or crossed.
const (
	orderSame = 1 + iota
	orderSwapped
)

// Date-of-birth levels.
const (
	dobExact = 1 + iota
	dobDayMonthSwapped
	dobOneDigit
	dobSameMonth
	dobSameYear
	dobAgeAgrees
	dobAgeWithin1
	dobAgeWithin2
	dobDifferent
)

// Place (street, second line, city) levels.
const (
	placeExact = 1 + iota
	placeJW95
	placeJW88
	placeJW75
	placeDifferent
)

var placeLevels = []levelDef{
	{name: "missing"},
	{"exact", 0.8, 0.01},
	{"similar (Jaro–Winkler ≥ 0.95)", 0.05, 0.002},
	{"similar (Jaro–Winkler ≥ 0.88)", 0.05, 0.01},
	{"somewhat similar (Jaro–Winkler ≥ 0.75)", 0.03, 0.08},
	{"different", 0.07, 0.898},
}

// Levels of fields compared for equality with one slip allowed (house
// number, identity number).
const (
	codeExact = 1 + iota
	codeOneEdit
	codeDifferent
)

// ZIP levels.
const (
	zipExact = 1 + iota
	zipOneEdit
	zipSameArea
	zipDifferent
)

// Levels of exact-only fields (sex, state).
const (
	same = 1 + iota
	differs
)

// Description levels.
const (
	descClose = 1 + iota
	descSome
	descLittle
	descNone
)

var (
	nameChain  = []int{nameExact, nameJW94, nameJW88, namePhonetic, nameJW75, nameDifferent}
	nameSide   = [][2]int{{nameAlias, nameExact}, {nameInitial, nameExact}}
	placeChain = []int{placeExact, placeJW95, placeJW88, placeJW75, placeDifferent}
	codeChain  = []int{codeExact, codeOneEdit, codeDifferent}
)

var fields = [numFields]fieldDef{
	fFirst: {name: "first name", levels: nameLevels, chain: nameChain, side: nameSide},
	fLast:  {name: "last name", levels: nameLevels, chain: nameChain, side: nameSide},
	fOrder: {name: "name order", levels: []levelDef{{name: "missing"}, {"as given", 0.97, 0.999}, {"first and last swapped", 0.03, 0.001}}},
	fDOB: {name: "date of birth", levels: []levelDef{
		{name: "missing"},
		{"exact", 0.85, 0.0001},
		{"day and month swapped", 0.01, 0.00001},
		{"one digit off", 0.05, 0.0005},
		{"same year and month", 0.01, 0.0008},
		{"same year", 0.01, 0.01},
		{"age agrees", 0.6, 0.02},
		{"age within 1 year", 0.3, 0.04},
		{"age within 2 years", 0.05, 0.04},
		{"different", 0.03, 0.9},
	},
		chain: []int{dobExact, dobOneDigit, dobSameMonth, dobSameYear, dobDifferent},
		side:  [][2]int{{dobDayMonthSwapped, dobExact}, {dobAgeAgrees, dobExact}, {dobAgeWithin1, dobAgeAgrees}, {dobAgeWithin2, dobAgeWithin1}},
	},
	fSex:     {name: "sex", levels: []levelDef{{name: "missing"}, {"same", 0.98, 0.5}, {"different", 0.02, 0.5}}, chain: []int{same, differs}},
	fStNum:   {name: "house number", levels: []levelDef{{name: "missing"}, {"exact", 0.85, 0.02}, {"one slip", 0.05, 0.03}, {"different", 0.1, 0.95}}, chain: codeChain},
	fStreet:  {name: "street", levels: placeLevels, chain: placeChain},
	fStreet2: {name: "address line 2", levels: placeLevels, chain: placeChain},
	fCity:    {name: "city", levels: placeLevels, chain: placeChain},
	fState:   {name: "state", levels: []levelDef{{name: "missing"}, {"same", 0.9, 0.2}, {"different", 0.1, 0.8}}, chain: []int{same, differs}},
	fZIP: {name: "ZIP", levels: []levelDef{{name: "missing"}, {"exact", 0.85, 0.001}, {"one slip", 0.06, 0.004},
		{"same area (first 3)", 0.03, 0.01}, {"different", 0.06, 0.985}}, chain: []int{zipExact, zipOneEdit, zipSameArea, zipDifferent}},
	fID: {name: "id number", levels: []levelDef{{name: "missing"}, {"exact", 0.9, 0.00001}, {"one slip", 0.05, 0.0001}, {"different", 0.05, 0.9999}}, chain: codeChain},
	fDesc: {name: "description", levels: []levelDef{{name: "missing"}, {"much in common", 0.4, 0.01}, {"some in common", 0.3, 0.05},
		{"little in common", 0.2, 0.2}, {"nothing in common", 0.1, 0.74}}, chain: []int{descClose, descSome, descLittle, descNone}},
}

// monotone makes one field's weights respect its chain and side levels:
// weighted pool-adjacent-violators along the chain (weights = how many
// candidate pairs fell in each level, so well-observed levels move least),
// then side levels clamped between their parent and the chain's end.
func monotone(fd *fieldDef, w, n []float64) {
	type block struct {
		sum, cnt float64
		size     int
	}
	var bs []block
	for _, l := range fd.chain {
		c := n[l] + 1e-3
		bs = append(bs, block{w[l] * c, c, 1})
		for len(bs) > 1 {
			a, b := bs[len(bs)-2], bs[len(bs)-1]
			if a.sum/a.cnt >= b.sum/b.cnt {
				break
			}
			bs = append(bs[:len(bs)-2], block{a.sum + b.sum, a.cnt + b.cnt, a.size + b.size})
		}
	}
	i := 0
	for _, b := range bs {
		for k := 0; k < b.size; k++ {
			w[fd.chain[i]] = b.sum / b.cnt
			i++
		}
	}
	if len(fd.chain) == 0 {
		return
	}
	floor := w[fd.chain[len(fd.chain)-1]]
	for _, sp := range fd.side {
		w[sp[0]] = max(min(w[sp[0]], w[sp[1]]), floor)
	}
}

// pattern packs one comparison level per field, 4 bits each.
type pattern uint64

func (p pattern) level(f int) int   { return int(p>>(4*f)) & 15 }
func (p *pattern) set(f, level int) { *p |= pattern(level) << (4 * f) }
func patternOf(levels [numFields]int) pattern {
	var p pattern
	for f, l := range levels {
		p.set(f, l)
	}
	return p
}

// compare compares two prepared records field by field.
func compare(a, b *prepared, ignoreID bool) pattern {
	var p pattern
	first, last, order := compareNames(a, b)
	p.set(fFirst, first)
	p.set(fLast, last)
	p.set(fOrder, order)
	p.set(fDOB, dobLevel(a, b))
	if a.sex != SexUnknown && b.sex != SexUnknown {
		if a.sex == b.sex {
			p.set(fSex, same)
		} else {
			p.set(fSex, differs)
		}
	}
	ascii := a.ascii && b.ascii
	p.set(fStNum, codeLevel(a.stNum, b.stNum))
	// Street and second line, in the orientation that agrees best: the two
	// lines are often written the other way round.
	s1, s2 := placeLevel(a.street, b.street, ascii), placeLevel(a.street2, b.street2, ascii)
	if (s1 > placeJW88 || s2 > placeJW88) && crossedStart(a.street, b.street2, a.street2, b.street) {
		c1, c2 := placeLevel(a.street, b.street2, ascii), placeLevel(a.street2, b.street, ascii)
		if placeScore(c1)+placeScore(c2) > placeScore(s1)+placeScore(s2) {
			s1, s2 = c1, c2
		}
	}
	p.set(fStreet, s1)
	p.set(fStreet2, s2)
	p.set(fCity, placeLevel(a.city, b.city, ascii))
	if a.state != "" && b.state != "" {
		if a.state == b.state {
			p.set(fState, same)
		} else {
			p.set(fState, differs)
		}
	}
	p.set(fZIP, zipLevel(a.zip, b.zip))
	if !ignoreID {
		p.set(fID, codeLevel(a.id, b.id))
	}
	if len(a.desc) > 0 && len(b.desc) > 0 {
		switch d := tokenDice(a.desc, b.desc); {
		case d >= 0.6:
			p.set(fDesc, descClose)
		case d >= 0.3:
			p.set(fDesc, descSome)
		case d > 0:
			p.set(fDesc, descLittle)
		default:
			p.set(fDesc, descNone)
		}
	}
	return p
}

// compareNames compares the names in the orientation that agrees best: a
// first name written as the last name is a common slip on forms.
func compareNames(a, b *prepared) (first, last, order int) {
	fa, la := a.first, a.last
	ascii := a.ascii && b.ascii
	f, fs := nameLevel(fa, b.first, a.firstCode, b.firstCode, a.others, b.others, true, ascii)
	l, ls := nameLevel(la, b.last, a.lastCode, b.lastCode, a.others, b.others, false, ascii)
	if fa == "" || la == "" || b.first == "" || b.last == "" {
		return f, l, missing
	}
	// Try the crossed orientation only when the direct one is weak and a
	// crossed pair at least starts alike (this runs for every candidate).
	if (f > nameJW88 || l > nameJW88) && (fa[0] == b.last[0] || la[0] == b.first[0]) {
		cf, cfs := nameLevel(la, b.first, a.lastCode, b.firstCode, a.others, b.others, false, ascii)
		cl, cls := nameLevel(fa, b.last, a.firstCode, b.lastCode, a.others, b.others, false, ascii)
		if cfs+cls > fs+ls+0.2 {
			return cf, cl, orderSwapped
		}
	}
	return f, l, orderSame
}

// nameLevel compares two names; it also returns their similarity (1 for an
// exact or other-name match) for choosing an orientation. A name that is
// one of the other record's other names is an other-name match; with
// shared set (first names), so is an other name the two records share.
func nameLevel(a, b, ca, cb string, ao, bo []string, shared, ascii bool) (int, float64) {
	switch {
	case a == "" || b == "":
		return missing, 0
	case a == b:
		return nameExact, 1
	case slices.Contains(ao, b) || slices.Contains(bo, a):
		return nameAlias, 1
	}
	if shared {
		for _, o := range ao {
			if slices.Contains(bo, o) {
				return nameAlias, 1
			}
		}
	}
	if (len(a) == 1 || len(b) == 1) && a[0] == b[0] {
		return nameInitial, 0.9
	}
	jw := similarity(a, b, ascii)
	switch {
	case jw >= 0.94:
		return nameJW94, jw
	case jw >= 0.88:
		return nameJW88, jw
	case ca == cb:
		return namePhonetic, jw
	case jw >= 0.75:
		return nameJW75, jw
	}
	return nameDifferent, jw
}

func placeLevel(a, b string, ascii bool) int {
	switch {
	case a == "" || b == "":
		return missing
	case a == b:
		return placeExact
	}
	switch jw := similarity(a, b, ascii); {
	case jw >= 0.95:
		return placeJW95
	case jw >= 0.88:
		return placeJW88
	case jw >= 0.75:
		return placeJW75
	}
	return placeDifferent
}

// crossedStart reports whether either crossed pair of address lines starts
// with the same letter: the cheap test before comparing them crossed.
func crossedStart(a1, b2, a2, b1 string) bool {
	return (a1 != "" && b2 != "" && a1[0] == b2[0]) || (a2 != "" && b1 != "" && a2[0] == b1[0])
}

// placeScore orders place levels for choosing an orientation.
func placeScore(l int) int {
	if l == missing {
		return 1
	}
	return 6 - l // exact 5 … different 1
}

func codeLevel(a, b string) int {
	switch {
	case a == "" || b == "":
		return missing
	case a == b:
		return codeExact
	case oneEdit(a, b):
		return codeOneEdit
	}
	return codeDifferent
}

func zipLevel(a, b string) int {
	switch {
	case a == "" || b == "":
		return missing
	case a == b:
		return zipExact
	case oneEdit(a, b):
		return zipOneEdit
	case len(a) >= 3 && len(b) >= 3 && a[:3] == b[:3]:
		return zipSameArea
	}
	return zipDifferent
}

func dobLevel(a, b *prepared) int {
	da, db := a.dob, b.dob
	if da.Year > 0 && db.Year > 0 {
		if da.Complete() && db.Complete() {
			switch {
			case da == db:
				return dobExact
			case da.Year == db.Year && da.Month == db.Day && da.Day == db.Month:
				return dobDayMonthSwapped
			case oneEdit(a.dobDigits, b.dobDigits):
				return dobOneDigit
			case da.Year == db.Year && da.Month == db.Month:
				return dobSameMonth
			case da.Year == db.Year:
				return dobSameYear
			}
			return dobDifferent
		}
		// A partial date: compare what both have.
		switch {
		case da.Year != db.Year:
			return dobDifferent
		case da.Month > 0 && db.Month > 0 && da.Month == db.Month:
			return dobSameMonth
		case da.Month > 0 && db.Month > 0:
			return dobSameYear
		}
		return dobSameYear
	}
	// Ages: against a date of birth, or against each other.
	var diff int
	switch {
	case da.Year > 0 && b.hasAge():
		diff = ageOn(da, b.ageAt) - b.age
	case db.Year > 0 && a.hasAge():
		diff = ageOn(db, a.ageAt) - a.age
	case a.hasAge() && b.hasAge():
		diff = a.birthYear - b.birthYear
	default:
		return missing
	}
	switch diff {
	case 0:
		return dobAgeAgrees
	case -1, 1:
		return dobAgeWithin1
	case -2, 2:
		return dobAgeWithin2
	}
	return dobDifferent
}

func (p *prepared) hasAge() bool { return p.ageAt.Year > 0 }

// ageOn is the age in whole years on day at of someone born on dob; when a
// month or day is unknown the birthday is taken as not yet reached only if
// the known parts say so.
func ageOn(dob, at Date) int {
	age := at.Year - dob.Year
	if dob.Month > 0 && at.Month > 0 {
		if at.Month < dob.Month || (at.Month == dob.Month && dob.Day > 0 && at.Day > 0 && at.Day < dob.Day) {
			age--
		}
	}
	return age
}

// digits is a complete date as YYYYMMDD.
func digits(d Date) string {
	var b [8]byte
	y, m, dd := d.Year, d.Month, d.Day
	for i := 3; i >= 0; i-- {
		b[i] = byte('0' + y%10)
		y /= 10
	}
	b[4], b[5] = byte('0'+m/10%10), byte('0'+m%10)
	b[6], b[7] = byte('0'+dd/10%10), byte('0'+dd%10)
	return string(b[:])
}
