package personmatch

import "math"

// params are the Fellegi–Sunter parameters: for every field and level the
// probability of that level among matching pairs (m) and among non-matching
// pairs (u), and lambda, the share of matches among the pairs compared.
// Level 0 (missing) has no parameters.
type params struct {
	m, u   [numFields][]float64
	lambda float64
}

// shrink is the weight of the prior in every estimate: a level the data
// never shows keeps its prior m/u ratio, and no estimate is ever 0.
const shrink = 0.002

func priorParams() params {
	var p params
	for f, fd := range fields {
		p.m[f] = normalised(fd.levels, func(l levelDef) float64 { return l.m })
		p.u[f] = normalised(fd.levels, func(l levelDef) float64 { return l.u })
	}
	p.lambda = 0.05
	return p
}

func normalised(levels []levelDef, v func(levelDef) float64) []float64 {
	out := make([]float64, len(levels))
	sum := 0.0
	for l := 1; l < len(levels); l++ {
		sum += v(levels[l])
	}
	for l := 1; l < len(levels); l++ {
		out[l] = v(levels[l]) / sum
	}
	return out
}

// frequencies estimates level probabilities from pattern counts (all pairs
// counted alike): how random pairs of records compare, which is what u is.
// Fields without any observation keep prior.
func frequencies(pats []pattern, counts []float64, prior [numFields][]float64) [numFields][]float64 {
	var out [numFields][]float64
	for f := range fields {
		out[f] = make([]float64, len(fields[f].levels))
	}
	for i, p := range pats {
		for f := range fields {
			if l := p.level(f); l != missing {
				out[f][l] += counts[i]
			}
		}
	}
	for f := range fields {
		finish(out[f], prior[f])
	}
	return out
}

// finish turns counts into probabilities shrunk toward the prior.
func finish(v, prior []float64) {
	sum := 0.0
	for l := 1; l < len(v); l++ {
		sum += v[l]
	}
	for l := 1; l < len(v); l++ {
		if sum == 0 {
			v[l] = prior[l]
		} else {
			v[l] = (1-shrink)*v[l]/sum + shrink*prior[l]
		}
	}
}

// em runs expectation–maximisation on the candidate pairs' comparison
// patterns (distinct patterns with their counts) from start. No label is
// used: the two classes are told apart by how strongly their fields agree.
// It returns the estimate and the number of iterations run.
func em(pats []pattern, counts []float64, start params, maxIter int) (params, int) {
	prior := priorParams()
	p := start
	g := make([]float64, len(pats))
	var mAcc, uAcc [numFields][]float64
	for f := range fields {
		mAcc[f] = make([]float64, len(fields[f].levels))
		uAcc[f] = make([]float64, len(fields[f].levels))
	}
	it := 0
	for it < maxIter {
		it++
		// E: the probability that each pattern is a match.
		var logM, logU [numFields][16]float64
		for f := range fields {
			for l := 1; l < len(fields[f].levels); l++ {
				logM[f][l] = math.Log(p.m[f][l])
				logU[f][l] = math.Log(p.u[f][l])
			}
		}
		ll := math.Log(p.lambda) - math.Log1p(-p.lambda)
		total, matches := 0.0, 0.0
		for i, pt := range pats {
			s := ll
			for f := range fields {
				if l := pt.level(f); l != missing {
					s += logM[f][l] - logU[f][l]
				}
			}
			g[i] = logistic(s)
			total += counts[i]
			matches += counts[i] * g[i]
		}
		// M: new parameters from the expected counts.
		for f := range fields {
			clear(mAcc[f])
			clear(uAcc[f])
		}
		for i, pt := range pats {
			cm, cu := counts[i]*g[i], counts[i]*(1-g[i])
			for f := range fields {
				if l := pt.level(f); l != missing {
					mAcc[f][l] += cm
					uAcc[f][l] += cu
				}
			}
		}
		next := params{lambda: math.Min(math.Max(matches/total, 1e-9), 1-1e-9)}
		delta := math.Abs(next.lambda - p.lambda)
		for f := range fields {
			next.m[f] = append([]float64(nil), mAcc[f]...)
			next.u[f] = append([]float64(nil), uAcc[f]...)
			finish(next.m[f], prior.m[f])
			finish(next.u[f], prior.u[f])
			for l := 1; l < len(next.m[f]); l++ {
				delta = math.Max(delta, math.Abs(next.m[f][l]-p.m[f][l]))
				delta = math.Max(delta, math.Abs(next.u[f][l]-p.u[f][l]))
			}
		}
		p = next
		if delta < 1e-6 {
			break
		}
	}
	return p, it
}

func logistic(x float64) float64 {
	if x >= 0 {
		return 1 / (1 + math.Exp(-x))
	}
	e := math.Exp(x)
	return e / (1 + e)
}
