package personmatch

import (
	"encoding/binary"
	"math"
	"slices"
)

// A blockPass puts records that share a key into one block; every pair in a
// block is a candidate. A record with no key (a field the pass needs is
// missing) takes no part in the pass.
type blockPass struct {
	name string
	// key appends the record's key to buf and reports whether it has one.
	key func(p *prepared, buf []byte) ([]byte, bool)
}

// blockPasses are the exact-key passes, in order. A pair found by an earlier
// pass is skipped by the later ones, so each candidate is compared once.
// Each key combines two or three fields, so that blocks stay small at a
// million records; together they tolerate errors in any one or two fields
// (a misspelt surname still meets its record through the given name and
// birth year, the date of birth, or the address). After them come the
// sorted-neighbourhood pass (see neighbourhoodKey), the other-names pass,
// and closure over the suggested pairs (engine.closure).
var blockPasses = []blockPass{
	{"last name sound + birth year + first initial", func(p *prepared, buf []byte) ([]byte, bool) {
		if p.lastCode == "" || p.birthYear <= 0 || p.first == "" {
			return buf, false
		}
		buf = append(append(buf, p.lastCode...), 0, p.first[0])
		return binary.AppendUvarint(buf, uint64(p.birthYear)), true
	}},
	{"first name sound + birth year + last initial", func(p *prepared, buf []byte) ([]byte, bool) {
		if p.firstCode == "" || p.birthYear <= 0 || p.last == "" {
			return buf, false
		}
		buf = append(append(buf, p.firstCode...), 0, p.last[0])
		return binary.AppendUvarint(buf, uint64(p.birthYear)), true
	}},
	{"date of birth + first initial", func(p *prepared, buf []byte) ([]byte, bool) {
		if !p.dob.Complete() || p.first == "" {
			return buf, false
		}
		return append(append(buf, p.dobDigits...), p.first[0]), true
	}},
	{"date of birth + last initial", func(p *prepared, buf []byte) ([]byte, bool) {
		if !p.dob.Complete() || p.last == "" {
			return buf, false
		}
		return append(append(buf, p.dobDigits...), p.last[0]), true
	}},
	{"both names sound", func(p *prepared, buf []byte) ([]byte, bool) {
		if p.firstCode == "" || p.lastCode == "" {
			return buf, false
		}
		a, b := p.firstCode, p.lastCode
		if b < a {
			a, b = b, a
		}
		return append(append(append(buf, a...), 0), b...), true
	}},
	{"first name start + ZIP", func(p *prepared, buf []byte) ([]byte, bool) {
		if len(p.first) < 2 || p.zip == "" {
			return buf, false
		}
		buf = append(buf, p.first[:min(3, len(p.first))]...)
		return append(append(buf, 0), p.zip...), true
	}},
	{"ZIP + street start (either line)", func(p *prepared, buf []byte) ([]byte, bool) {
		// The alphabetically first of the two address lines' starts, so
		// that lines written the other way round still meet.
		a, b := p.street, p.street2
		if len(a) < 3 {
			a = b
		}
		if len(b) >= 3 && b[:3] < a[:3] {
			a = b
		}
		if p.zip == "" || len(a) < 3 {
			return buf, false
		}
		buf = append(buf, p.zip...)
		return append(append(buf, 0), a[:3]...), true
	}},
	{"house number + street start", func(p *prepared, buf []byte) ([]byte, bool) {
		if p.stNum == "" || len(p.street) < 4 {
			return buf, false
		}
		buf = append(buf, p.stNum...)
		return append(append(buf, 0), p.street[:4]...), true
	}},
	{"id number", func(p *prepared, buf []byte) ([]byte, bool) {
		if p.id == "" {
			return buf, false
		}
		return append(buf, p.id...), true
	}},
}

// refineKey splits a block that is too large: the initials of both names
// and the birth month.
func refineKey(p *prepared, buf []byte) []byte {
	var f, l byte
	if p.first != "" {
		f = p.first[0]
	}
	if p.last != "" {
		l = p.last[0]
	}
	return append(buf, 1, f, l, byte(p.dob.Month))
}

// neighbourhoodKey orders records for the sorted-neighbourhood pass: the
// first eight letters of last name then first name, packed so that integer
// order is alphabetical order.
func neighbourhoodKey(p *prepared) uint64 {
	var b [8]byte
	n := copy(b[:], p.last)
	if n < 8 {
		copy(b[n:], p.first)
	}
	return binary.BigEndian.Uint64(b[:])
}

// BlockingKeys returns the keys under which a record is filed for candidate
// search: two records are candidates when they share at least one key. An
// index of person records (key → record) lets a new record find its
// candidates without a scan; keys are plain strings, so they can be stored
// under a keyed hash (blind index) like any other identifier. Other names
// (nicknames, aliases) and, for an age without a date of birth, both
// possible birth years give keys of their own.
func BlockingKeys(r *Record) []string {
	base := prepare(r)
	variants := []prepared{base}
	for _, o := range base.others {
		v := base
		v.first, v.firstCode = o, nysiis(o)
		variants = append(variants, v)
	}
	if base.dob.Year == 0 && base.birthYear > 0 {
		for _, v := range variants {
			v.birthYear--
			variants = append(variants, v)
		}
	}
	var out []string
	var buf []byte
	for i, bp := range blockPasses {
		for v := range variants {
			var ok bool
			buf, ok = bp.key(&variants[v], append(buf[:0], byte('a'+i), ':'))
			if ok && !slices.Contains(out, string(buf)) {
				out = append(out, string(buf))
			}
		}
	}
	return out
}

// otherNameKeys are a record's keys in the other-names pass: last name
// sound with the sound of each of its names, flagged when the name is an
// other name (nickname, alias). Only records with other names, or whose
// names another record has as an other name, pair up there.
func otherNameKeys(p *prepared, out []keyedFlag) []keyedFlag {
	if p.lastCode == "" {
		return out
	}
	key := func(code string) uint64 {
		return hashString(hashString(hashString(0, p.lastCode), "\x00"), code)
	}
	if p.firstCode != "" {
		out = append(out, keyedFlag{key: key(p.firstCode)})
	}
	for _, o := range p.others {
		if c := nysiis(o); c != "" {
			out = append(out, keyedFlag{key: key(c), other: true})
		}
	}
	return out
}

// keyedFlag is a multi-key pass entry: other marks a key from an other name.
type keyedFlag struct {
	key   uint64
	idx   uint32
	other bool
}

// keyed is a record's key in one pass, for grouping.
type keyed struct {
	key uint64
	idx uint32
}

// groupByKey returns the records that have a key, sorted by key, and writes
// each record's key (0 = none) into keys. Blocks larger than maxBlock, or
// than the size at which the pass's pairs would pass budget, are split with
// refineKey; those still too large are dropped from the pass (their keys set
// to 0), so that one common surname cannot make the cost quadratic.
func groupByKey(preps []prepared, bp blockPass, maxBlock, budget int, keys []uint64) []keyed {
	var buf []byte
	ks := make([]keyed, 0, len(preps))
	for i := range preps {
		var ok bool
		buf, ok = bp.key(&preps[i], buf[:0])
		if !ok {
			keys[i] = 0
			continue
		}
		h := hashBytes(buf)
		keys[i] = h
		ks = append(ks, keyed{h, uint32(i)})
	}
	sortKeyed(ks)
	maxBlock = min(maxBlock, budgetCap(ks, budget))
	out := ks[:0]
	for start := 0; start < len(ks); {
		end := start + 1
		for end < len(ks) && ks[end].key == ks[start].key {
			end++
		}
		if end-start <= maxBlock {
			out = append(out, ks[start:end]...)
			start = end
			continue
		}
		// Too large: refine.
		sub := ks[start:end]
		for j := range sub {
			i := sub[j].idx
			buf = refineKey(&preps[i], binary.LittleEndian.AppendUint64(buf[:0], sub[j].key))
			sub[j].key = hashBytes(buf)
			keys[i] = sub[j].key
		}
		sortKeyed(sub)
		for s := 0; s < len(sub); {
			e := s + 1
			for e < len(sub) && sub[e].key == sub[s].key {
				e++
			}
			if e-s <= maxBlock {
				out = append(out, sub[s:e]...)
			} else {
				for _, k := range sub[s:e] {
					keys[k.idx] = 0
				}
			}
			s = e
		}
		start = end
	}
	return out
}

// budgetCap is the largest block size such that all blocks up to that size
// give at most budget pairs.
func budgetCap(ks []keyed, budget int) int {
	var sizes []int
	for s := 0; s < len(ks); {
		e := s + 1
		for e < len(ks) && ks[e].key == ks[s].key {
			e++
		}
		if e-s > 1 {
			sizes = append(sizes, e-s)
		}
		s = e
	}
	slices.Sort(sizes)
	pairs, limit := 0, 1
	for _, s := range sizes {
		pairs += s * (s - 1) / 2
		if pairs > budget {
			break
		}
		limit = s
	}
	if pairs <= budget {
		return math.MaxInt
	}
	return max(limit, 2)
}

func sortKeyed(ks []keyed) {
	slices.SortFunc(ks, func(a, b keyed) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		}
		return int(a.idx) - int(b.idx)
	})
}

func hashBytes(b []byte) uint64 {
	h := uint64(14695981039346656037)
	for _, c := range b {
		h ^= uint64(c)
		h *= 1099511628211
	}
	if h == 0 {
		h = 1
	}
	return h
}
