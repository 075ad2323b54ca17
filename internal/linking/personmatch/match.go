package personmatch

import "runtime"

// Options tune a matching run. The zero value is the default.
type Options struct {
	// IgnoreID leaves the id number out: no blocking on it, no comparison.
	IgnoreID bool
	// Threshold, when set, is the total weight (log2 of the likelihood
	// ratio) at or above which a pair is suggested. By default the threshold
	// is where the estimated probability of a match reaches one half.
	Threshold *float64
	// MaxBlock is the largest block compared whole (default 500); larger
	// blocks are split, and dropped from that pass if still too large.
	MaxBlock int
	// PassBudget bounds the pairs one blocking pass may propose (default
	// 3n + 100,000 for n records): when its blocks would give more, the
	// largest are split or dropped first, so that the cost stays near
	// linear in n however skewed names or places are.
	PassBudget int
	// Window is the sorted-neighbourhood window (default 3).
	Window int
	// Workers is the number of comparing goroutines (default GOMAXPROCS).
	Workers int
	// RandomPairs is the number of random pairs that estimate u before the
	// EM (default 2 per record, at least 5,000 and at most 200,000; every
	// pair when there are fewer).
	RandomPairs int
	// Seed makes the random pairs reproducible (default 1).
	Seed uint64
}

func (o Options) withDefaults() Options {
	if o.MaxBlock <= 0 {
		o.MaxBlock = 500
	}
	if o.Window <= 0 {
		o.Window = 3
	}
	if o.Workers <= 0 {
		o.Workers = runtime.GOMAXPROCS(0)
	}
	if o.Seed == 0 {
		o.Seed = 1
	}
	return o
}

// Result is the outcome of a matching run.
type Result struct {
	// Model is the model fitted to the data.
	Model *Model
	// Pairs are the suggested matches, strongest first.
	Pairs []Pair
	// Candidates is the number of pairs compared; Passes says how many each
	// blocking pass added.
	Candidates int
	Passes     []PassCount
}

// PassCount is the number of new candidate pairs a blocking pass found.
type PassCount struct {
	Pass       string
	Candidates int
}

// Deduplicate finds the pairs of records in recs that describe the same
// person. The model is fitted to recs; nothing is merged.
func Deduplicate(recs []Record, opt Options) (*Result, error) {
	return run(recs, nil, false, opt)
}

// Link finds the pairs (a record of a, a record of b) that describe the
// same person, as when a file of reports is checked against a file of
// children on record. Pairs within one slice are not compared.
func Link(a, b []Record, opt Options) (*Result, error) {
	return run(a, b, true, opt)
}

// Fit fits the model to recs as Deduplicate does (the same blocking passes
// and EM) without suggesting pairs: the result has the model and the
// candidate counts, and no Pairs. It is how a model is made to be stored
// and used later to score new pairs (Model.Compare).
func Fit(recs []Record, opt Options) (*Result, error) {
	_, res, _, err := fitRun(recs, nil, false, opt)
	return res, err
}
