package personmatch

import (
	"fmt"
	"math/rand/v2"
)

// synthPeople makes n person records for scale runs: names, streets and
// places drawn from vocab (e.g. the FEBRL files' values) with skewed
// frequencies, a fifth of them duplicates of another record with one to
// three typing slips, swapped or missing fields. IDs follow FEBRL:
// rec-N-org and rec-N-dup-K.
func synthPeople(n int, vocab []Record, seed uint64) []Record {
	rng := rand.New(rand.NewPCG(seed, 7))
	pick := func(get func(Record) string) string {
		// Square the uniform draw: a few values are common, most rare.
		for {
			u := rng.Float64()
			v := get(vocab[int(u*u*float64(len(vocab)))])
			if v != "" {
				return v
			}
		}
	}
	slip := func(s string) string {
		if len(s) < 2 {
			return s
		}
		b := []byte(s)
		i := rng.IntN(len(b) - 1)
		switch rng.IntN(4) {
		case 0:
			b[i] = byte('a' + rng.IntN(26))
		case 1:
			b[i], b[i+1] = b[i+1], b[i]
		case 2:
			b = append(b[:i], b[i+1:]...)
		default:
			b = append(b[:i+1], b[i:]...)
		}
		return string(b)
	}
	out := make([]Record, 0, n)
	originals := 0
	for len(out) < n {
		if len(out) > 10 && rng.IntN(5) == 0 {
			src := out[rng.IntN(len(out))]
			d := src
			d.ID = fmt.Sprintf("rec-%s-dup-%d", entity(src.ID), len(out))
			for k := 1 + rng.IntN(3); k > 0; k-- {
				switch rng.IntN(7) {
				case 0:
					d.FirstName = slip(d.FirstName)
				case 1:
					d.LastName = slip(d.LastName)
				case 2:
					d.FirstName, d.LastName = d.LastName, d.FirstName
				case 3:
					d.DOB.Day = 1 + rng.IntN(28)
				case 4:
					d.Street = slip(d.Street)
				case 5:
					d.ZIP = slip(d.ZIP)
				default:
					d.City = ""
				}
			}
			out = append(out, d)
			continue
		}
		originals++
		out = append(out, Record{
			ID:           fmt.Sprintf("rec-%d-org", originals),
			FirstName:    pick(func(r Record) string { return r.FirstName }),
			LastName:     pick(func(r Record) string { return r.LastName }),
			DOB:          Date{1920 + rng.IntN(100), 1 + rng.IntN(12), 1 + rng.IntN(28)},
			StreetNumber: fmt.Sprint(1 + rng.IntN(200)),
			Street:       pick(func(r Record) string { return r.Street }),
			Street2:      pick(func(r Record) string { return r.Street2 }),
			City:         pick(func(r Record) string { return r.City }),
			State:        pick(func(r Record) string { return r.State }),
			ZIP:          pick(func(r Record) string { return r.ZIP }),
			IDNumber:     fmt.Sprint(1000000 + rng.IntN(9000000)),
		})
	}
	return out
}
