package personmatch

import (
	"errors"
	"math"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
)

// ErrTooMany is returned for more records than a run can index.
var ErrTooMany = errors.New("personmatch: more than 2^32-2 records")

// cand is one candidate pair with its comparison.
type cand struct {
	a, b uint32
	pat  pattern
}

// candBuf holds candidates in fixed-size chunks: no copying as it grows,
// and no slack beyond the last chunk.
type candBuf struct {
	chunks [][]cand
	n      int
}

func (b *candBuf) add(c cand) {
	if len(b.chunks) == 0 || len(b.chunks[len(b.chunks)-1]) == cap(b.chunks[len(b.chunks)-1]) {
		b.chunks = append(b.chunks, make([]cand, 0, 1<<14))
	}
	last := &b.chunks[len(b.chunks)-1]
	*last = append(*last, c)
	b.n++
}

type engine struct {
	opt   Options
	link  bool
	na    int // records of the first slice; in link mode the rest are the second
	preps []prepared
	keys  [][]uint64 // per exact pass, each record's key (0 = none)
	rank  []int32    // position in the sorted-neighbourhood order (-1 = none)
}

// fitRun prepares the records, runs the blocking passes and fits the
// model: everything of a run but the pairs. It returns the engine, the
// result without pairs and the candidates.
func fitRun(a, b []Record, link bool, opt Options) (*engine, *Result, []*candBuf, error) {
	opt = opt.withDefaults()
	n := len(a) + len(b)
	if n >= math.MaxUint32 {
		return nil, nil, nil, ErrTooMany
	}
	e := &engine{opt: opt, link: link, na: len(a)}
	e.preps = make([]prepared, n)
	e.parallel(n, func(lo, hi int) {
		for i := lo; i < hi; i++ {
			if i < len(a) {
				e.preps[i] = prepare(&a[i])
			} else {
				e.preps[i] = prepare(&b[i-len(a)])
			}
		}
	})
	res := &Result{}
	cands, counts := e.candidates(res)
	res.Model = e.fit(counts)
	if opt.Threshold != nil {
		res.Model.Threshold = *opt.Threshold
	}
	return e, res, cands, nil
}

func run(a, b []Record, link bool, opt Options) (*Result, error) {
	e, res, cands, err := fitRun(a, b, link, opt)
	if err != nil {
		return nil, err
	}

	// Suggest the candidates at or above the threshold, then the pairs
	// closure finds among their neighbours.
	var suggested []cand
	for _, b := range cands {
		for _, chunk := range b.chunks {
			for _, c := range chunk {
				if res.Model.weight(c.pat) >= res.Model.Threshold {
					suggested = append(suggested, c)
				}
			}
		}
	}
	cands = nil
	closure := e.closure(suggested, res.Model)
	res.Passes = append(res.Passes, PassCount{"closure (records both matched to a third)", closure.compared})
	res.Candidates += closure.compared
	suggested = append(suggested, closure.found...)
	res.Pairs = make([]Pair, 0, len(suggested))
	for _, c := range suggested {
		pa, pb := int(c.a), int(c.b)
		if link {
			pb -= len(a)
		}
		res.Pairs = append(res.Pairs, Pair{A: pa, B: pb, Score: res.Model.score(Comparison(c.pat))})
	}
	slices.SortFunc(res.Pairs, func(x, y Pair) int {
		switch {
		case x.Weight > y.Weight:
			return -1
		case x.Weight < y.Weight:
			return 1
		case x.A != y.A:
			return x.A - y.A
		}
		return x.B - y.B
	})
	return res, nil
}

// candidates runs the blocking passes, comparing every new candidate pair;
// it returns the candidates and how often each comparison pattern occurred,
// and records the passes' counts in res.
func (e *engine) candidates(res *Result) ([]*candBuf, map[pattern]float64) {
	var all []*candBuf
	counts := map[pattern]float64{}
	add := func(name string, cs []*candBuf, cm []map[pattern]float64) {
		total := 0
		for w := range cs {
			total += cs[w].n
			all = append(all, cs[w])
			for p, c := range cm[w] {
				counts[p] += c
			}
		}
		res.Passes = append(res.Passes, PassCount{name, total})
		res.Candidates += total
	}
	n := len(e.preps)
	budget := e.opt.PassBudget
	if budget <= 0 {
		budget = 3*n + 100_000
	}
	for _, bp := range blockPasses {
		if e.opt.IgnoreID && bp.name == "id number" {
			continue
		}
		keys := make([]uint64, n)
		ks := groupByKey(e.preps, bp, e.opt.MaxBlock, budget, keys)
		cs, cm := e.compareBlocks(ks)
		e.keys = append(e.keys, keys)
		add(bp.name, cs, cm)
	}
	cs, cm := e.compareNeighbourhood()
	add("sorted neighbourhood (names)", cs, cm)
	cs, cm = e.compareOtherNames()
	add("other names (nicknames, aliases) + last name sound", cs, cm)
	return all, counts
}

// fit estimates the model: u seeded from random pairs, m from the priors,
// then EM on the candidates' comparison patterns. No label is used.
func (e *engine) fit(counts map[pattern]float64) *Model {
	start := priorParams()
	rp, rc := e.randomPatterns()
	start.u = frequencies(rp, rc, start.u)
	pats := make([]pattern, 0, len(counts))
	for p := range counts {
		pats = append(pats, p)
	}
	slices.Sort(pats)
	cnt := make([]float64, len(pats))
	for i, p := range pats {
		cnt[i] = counts[p]
	}
	fitted, iters := start, 0
	if len(pats) > 0 {
		fitted, iters = em(pats, cnt, start, 500)
	}
	var levelCounts [numFields][]float64
	for f := range fields {
		levelCounts[f] = make([]float64, len(fields[f].levels))
	}
	for i, p := range pats {
		for f := range fields {
			levelCounts[f][p.level(f)] += cnt[i]
		}
	}
	return newModel(fitted, &levelCounts, e.opt.IgnoreID, iters)
}

// parallel runs fn over [0,n) in one contiguous chunk per worker.
func (e *engine) parallel(n int, fn func(lo, hi int)) {
	w := min(e.opt.Workers, max(1, n/1000))
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		lo, hi := n*k/w, n*(k+1)/w
		wg.Go(func() { fn(lo, hi) })
	}
	wg.Wait()
}

// covered reports whether an earlier exact pass already paired i and j.
func (e *engine) covered(i, j uint32) bool {
	for _, k := range e.keys {
		if k[i] != 0 && k[i] == k[j] {
			return true
		}
	}
	return false
}

// inWindow reports whether the sorted-neighbourhood pass paired i and j.
func (e *engine) inWindow(i, j uint32) bool {
	ri, rj := e.rank[i], e.rank[j]
	if ri < 0 || rj < 0 {
		return false
	}
	d := ri - rj
	return d < int32(e.opt.Window) && -d < int32(e.opt.Window)
}

// closureNeighbours caps the matches of one record that closure pairs up:
// a record matched to very many others is more likely a hub of weak
// matches than one person recorded that often.
const closureNeighbours = 32

type closureResult struct {
	found    []cand
	compared int
}

// closure compares the pairs of records that were both suggested as
// matches of a third record but never compared themselves (no blocking key
// in common: two copies of one report that each differ from the original
// in another field). Each such pair is scored like any other and suggested
// only on its own evidence; this repeats while it finds new matches (at
// most three rounds).
func (e *engine) closure(suggested []cand, m *Model) closureResult {
	var res closureResult
	if e.link {
		return res
	}
	adj := map[uint32][]uint32{}
	known := map[uint64]bool{}
	link := func(c cand) {
		adj[c.a] = append(adj[c.a], c.b)
		adj[c.b] = append(adj[c.b], c.a)
		known[uint64(c.a)<<32|uint64(c.b)] = true
	}
	for _, c := range suggested {
		link(c)
	}
	frontier := suggested
	for round := 0; round < 3 && len(frontier) > 0; round++ {
		// Only records touched by the last round's matches can have new
		// pairs of neighbours.
		touched := map[uint32]bool{}
		for _, c := range frontier {
			touched[c.a], touched[c.b] = true, true
		}
		var found []cand
		for v := range touched {
			nb := adj[v]
			if len(nb) < 2 || len(nb) > closureNeighbours {
				continue
			}
			for x := 0; x < len(nb); x++ {
				for y := x + 1; y < len(nb); y++ {
					i, j := min(nb[x], nb[y]), max(nb[x], nb[y])
					key := uint64(i)<<32 | uint64(j)
					if known[key] || e.covered(i, j) || e.inWindow(i, j) {
						continue
					}
					known[key] = true
					p := compare(&e.preps[i], &e.preps[j], e.opt.IgnoreID)
					res.compared++
					if m.weight(p) >= m.Threshold {
						found = append(found, cand{i, j, p})
					}
				}
			}
		}
		for _, c := range found {
			link(c)
		}
		res.found = append(res.found, found...)
		frontier = found
	}
	return res
}

// pairable reports whether i and j may be compared: in link mode only
// across the two inputs.
func (e *engine) pairable(i, j uint32) bool {
	if !e.link {
		return true
	}
	return (int(i) < e.na) != (int(j) < e.na)
}

func (e *engine) emit(out *candBuf, counts map[pattern]float64, i, j uint32) {
	if i > j {
		i, j = j, i
	}
	p := compare(&e.preps[i], &e.preps[j], e.opt.IgnoreID)
	out.add(cand{i, j, p})
	counts[p]++
}

// compareBlocks compares every new pair within each block of ks (sorted by
// key), spreading blocks over the workers.
func (e *engine) compareBlocks(ks []keyed) ([]*candBuf, []map[pattern]float64) {
	var blocks [][2]int
	for s := 0; s < len(ks); {
		t := s + 1
		for t < len(ks) && ks[t].key == ks[s].key {
			t++
		}
		if t-s > 1 {
			blocks = append(blocks, [2]int{s, t})
		}
		s = t
	}
	w := e.opt.Workers
	cs := make([]*candBuf, w)
	cm := make([]map[pattern]float64, w)
	var next atomic.Int64
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		cm[k] = map[pattern]float64{}
		cs[k] = &candBuf{}
		wg.Go(func() {
			for {
				bi := int(next.Add(1) - 1)
				if bi >= len(blocks) {
					return
				}
				blk := ks[blocks[bi][0]:blocks[bi][1]]
				for x := 0; x < len(blk); x++ {
					for y := x + 1; y < len(blk); y++ {
						i, j := blk[x].idx, blk[y].idx
						if e.pairable(i, j) && !e.covered(i, j) {
							e.emit(cs[k], cm[k], i, j)
						}
					}
				}
			}
		})
	}
	wg.Wait()
	return cs, cm
}

// compareNeighbourhood sorts records by name and compares each with the
// next Window-1, skipping pairs an exact pass already found: it finds pairs
// whose names agree in their first letters when every blocking key has an
// error.
func (e *engine) compareNeighbourhood() ([]*candBuf, []map[pattern]float64) {
	ks := make([]keyed, 0, len(e.preps))
	for i := range e.preps {
		if k := neighbourhoodKey(&e.preps[i]); k != 0 {
			ks = append(ks, keyed{k, uint32(i)})
		}
	}
	sortKeyed(ks)
	e.rank = make([]int32, len(e.preps))
	for i := range e.rank {
		e.rank[i] = -1
	}
	for r, k := range ks {
		e.rank[k.idx] = int32(r)
	}
	w := e.opt.Workers
	cs := make([]*candBuf, w)
	cm := make([]map[pattern]float64, w)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		cm[k] = map[pattern]float64{}
		cs[k] = &candBuf{}
		lo, hi := len(ks)*k/w, len(ks)*(k+1)/w
		wg.Go(func() {
			for x := lo; x < hi; x++ {
				for y := x + 1; y < min(len(ks), x+e.opt.Window); y++ {
					i, j := ks[x].idx, ks[y].idx
					if e.pairable(i, j) && !e.covered(i, j) {
						e.emit(cs[k], cm[k], i, j)
					}
				}
			}
		})
	}
	wg.Wait()
	return cs, cm
}

// compareOtherNames pairs records through their other names: a record
// whose other name sounds like another record's first (or other) name, with
// the same last name sound. It runs after every other pass and skips what
// they found. Records without other names cost only their index entry.
func (e *engine) compareOtherNames() ([]*candBuf, []map[pattern]float64) {
	var ks []keyedFlag
	anyOther := false
	for i := range e.preps {
		n := len(ks)
		ks = otherNameKeys(&e.preps[i], ks)
		for k := n; k < len(ks); k++ {
			ks[k].idx = uint32(i)
			anyOther = anyOther || ks[k].other
		}
	}
	out, counts := &candBuf{}, map[pattern]float64{}
	if !anyOther {
		return []*candBuf{out}, []map[pattern]float64{counts}
	}
	slices.SortFunc(ks, func(a, b keyedFlag) int {
		switch {
		case a.key < b.key:
			return -1
		case a.key > b.key:
			return 1
		case a.other != b.other:
			if a.other {
				return -1
			}
			return 1
		}
		return int(a.idx) - int(b.idx)
	})
	seen := map[uint64]bool{}
	for s := 0; s < len(ks); {
		t := s + 1
		for t < len(ks) && ks[t].key == ks[s].key {
			t++
		}
		// Entries from other names sort first: pair each with the rest.
		for x := s; x < t && ks[x].other; x++ {
			for y := s; y < t; y++ {
				i, j := min(ks[x].idx, ks[y].idx), max(ks[x].idx, ks[y].idx)
				if y == x || i == j || !e.pairable(i, j) || e.covered(i, j) || e.inWindow(i, j) {
					continue
				}
				if k := uint64(i)<<32 | uint64(j); !seen[k] {
					seen[k] = true
					e.emit(out, counts, i, j)
				}
			}
		}
		s = t
	}
	return []*candBuf{out}, []map[pattern]float64{counts}
}

// randomPatterns compares random pairs (every pair when there are few),
// spread over the workers, each with its own reproducible random stream.
func (e *engine) randomPatterns() ([]pattern, []float64) {
	n := len(e.preps)
	na, nb := n, n
	if e.link {
		na, nb = e.na, n-e.na
	}
	var total int64
	if e.link {
		total = int64(na) * int64(nb)
	} else {
		total = int64(n) * int64(n-1) / 2
	}
	if total == 0 {
		return nil, nil
	}
	want := e.opt.RandomPairs
	if want <= 0 {
		want = min(max(5_000, 2*n), 200_000)
	}
	w := e.opt.Workers
	maps := make([]map[pattern]float64, w)
	var wg sync.WaitGroup
	for k := 0; k < w; k++ {
		counts := map[pattern]float64{}
		maps[k] = counts
		cmp := func(i, j int) { counts[compare(&e.preps[i], &e.preps[j], e.opt.IgnoreID)]++ }
		wg.Go(func() {
			if total <= int64(want) {
				// Every pair: worker k takes the rows i ≡ k (mod w).
				for i := k; i < n; i += w {
					for j := i + 1; j < n; j++ {
						if e.pairable(uint32(i), uint32(j)) {
							cmp(i, j)
						}
					}
				}
				return
			}
			rng := rand.New(rand.NewPCG(e.opt.Seed, 0x9e3779b97f4a7c15+uint64(k)))
			for x := k; x < want; x += w {
				if e.link {
					cmp(rng.IntN(na), na+rng.IntN(nb))
					continue
				}
				i, j := rng.IntN(n), rng.IntN(n-1)
				if j >= i {
					j++
				}
				cmp(i, j)
			}
		})
	}
	wg.Wait()
	counts := maps[0]
	for _, m := range maps[1:] {
		for p, c := range m {
			counts[p] += c
		}
	}
	pats := make([]pattern, 0, len(counts))
	for p := range counts {
		pats = append(pats, p)
	}
	slices.Sort(pats)
	c := make([]float64, len(pats))
	for i, p := range pats {
		c[i] = counts[p]
	}
	return pats, c
}
