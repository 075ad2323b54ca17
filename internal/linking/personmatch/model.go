package personmatch

import (
	"fmt"
	"math"
)

// Comparison is the comparison level of every field for one pair of
// records; Model.Evidence spells it out.
type Comparison uint64

// Score is how strongly a pair of records looks like one person.
type Score struct {
	// Weight is the sum of the field weights: log2 of how much more likely
	// the comparison is for a true match than for two different people.
	Weight float64
	// Probability is the estimated probability that the pair is a match,
	// given the share of matches among candidate pairs.
	Probability float64
	// Comparison holds the level of every field: the evidence.
	Comparison Comparison
}

// Pair is a suggested match: records A and B (indexes into the records
// given; for Link, A indexes the first slice and B the second).
type Pair struct {
	A, B int
	Score
}

// Evidence is one field's part in a score.
type Evidence struct {
	Field string
	// Level says how the two values compare ("exact", "one digit off",
	// "missing" when either record lacks the field).
	Level string
	// Weight is the field's contribution to the score: positive for
	// agreement, negative for disagreement, 0 when missing.
	Weight float64
}

// Model is a fitted Fellegi–Sunter model: the m and u probability of every
// comparison level of every field and the weight log2(m/u) they give. It
// can be stored (it marshals to JSON) and used to score new pairs, for
// example a child named in a new report against the candidates that
// BlockingKeys finds; a stored model fits the fields and levels of the
// version of this package that made it.
type Model struct {
	Fields []FieldModel `json:"fields"`
	// Lambda is the estimated share of true matches among candidate pairs.
	Lambda float64 `json:"lambda"`
	// Threshold is the total weight at or above which a pair is suggested.
	Threshold float64 `json:"threshold"`
	// IgnoreID is set when the id number was left out.
	IgnoreID bool `json:"ignore_id"`
	// Iterations is the number of EM iterations the fit took.
	Iterations int `json:"iterations"`
}

// FieldModel is one field's levels.
type FieldModel struct {
	Field  string       `json:"field"`
	Levels []LevelModel `json:"levels"`
}

// LevelModel is one comparison level: m = P(level | match), u = P(level |
// non-match), Weight = log2(m/u), made monotone where the data would have a
// level that agrees less outweigh one that agrees more (a near-miss
// outweighing an exact match, which candidate selection can cause). The
// missing level has all three 0.
type LevelModel struct {
	Level  string  `json:"level"`
	M      float64 `json:"m"`
	U      float64 `json:"u"`
	Weight float64 `json:"weight"`
}

// newModel turns parameters into weights. levelCounts (how many candidate
// pairs fell in each level; nil counts all alike) steers monotone.
func newModel(p params, levelCounts *[numFields][]float64, ignoreID bool, iterations int) *Model {
	m := &Model{Lambda: p.lambda, IgnoreID: ignoreID, Iterations: iterations}
	for f := range fields {
		fd := &fields[f]
		w := make([]float64, len(fd.levels))
		n := make([]float64, len(fd.levels))
		for l := 1; l < len(fd.levels); l++ {
			w[l] = math.Log2(p.m[f][l] / p.u[f][l])
			n[l] = 1
			if levelCounts != nil {
				n[l] = levelCounts[f][l]
			}
		}
		monotone(fd, w, n)
		fm := FieldModel{Field: fd.name}
		for l, ld := range fd.levels {
			lm := LevelModel{Level: ld.name}
			if l != missing {
				lm.M, lm.U, lm.Weight = p.m[f][l], p.u[f][l], w[l]
			}
			fm.Levels = append(fm.Levels, lm)
		}
		m.Fields = append(m.Fields, fm)
	}
	m.Threshold = math.Log2((1 - m.Lambda) / m.Lambda)
	return m
}

// DefaultModel is the model of the built-in prior probabilities, for
// scoring before there is enough data to fit one (a few hundred records).
func DefaultModel(ignoreID bool) *Model {
	return newModel(priorParams(), nil, ignoreID, 0)
}

func (m *Model) score(c Comparison) Score {
	w := m.weight(pattern(c))
	return Score{Weight: w, Probability: m.probability(w), Comparison: c}
}

func (m *Model) weight(p pattern) float64 {
	w := 0.0
	for f := range m.Fields {
		if l := p.level(f); l != missing && l < len(m.Fields[f].Levels) {
			w += m.Fields[f].Levels[l].Weight
		}
	}
	return w
}

func (m *Model) probability(w float64) float64 {
	return logistic(math.Ln2 * (w + math.Log2(m.Lambda/(1-m.Lambda))))
}

// Compare scores one pair of records.
func (m *Model) Compare(a, b *Record) Score {
	pa, pb := prepare(a), prepare(b)
	return m.score(Comparison(compare(&pa, &pb, m.IgnoreID)))
}

// Evidence spells out a comparison field by field, in a fixed field order,
// with each field's level and weight.
func (m *Model) Evidence(c Comparison) []Evidence {
	out := make([]Evidence, 0, len(m.Fields))
	for f, fm := range m.Fields {
		l := pattern(c).level(f)
		if l >= len(fm.Levels) {
			continue
		}
		out = append(out, Evidence{Field: fm.Field, Level: fm.Levels[l].Level, Weight: fm.Levels[l].Weight})
	}
	return out
}

// Suggested reports whether a score reaches the model's threshold.
func (m *Model) Suggested(s Score) bool { return s.Weight >= m.Threshold }

// String describes a pair's score briefly, for logs.
func (s Score) String() string {
	return fmt.Sprintf("weight %.2f, p=%.3f", s.Weight, s.Probability)
}
