package people

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking/personmatch"
)

// The model. The weights the step scores with are estimated by EM from
// Haven's own people, the children on file and the children mentioned in
// reports, by Fitter.Refit (a periodic job) and stored; every node's step
// scores with the newest stored model, and with personmatch.DefaultModel's
// built-in weights until one is stored.

// MinFitRecords is the fewest people a model is fitted on: below it the
// estimates would rest on too few pairs, and the built-in weights are kept.
const MinFitRecords = 200

// RefitAfter is how long a model is kept before it is fitted again (when
// the people on file changed since); RefitGrowth is the growth of the
// people on file that has it refitted sooner.
const (
	RefitAfter  = 24 * time.Hour
	RefitGrowth = 0.10
)

// RefitCheckEvery is how often the periodic job checks whether to refit.
const RefitCheckEvery = time.Hour

// MaxFitRecords is the most people a model is fitted on: above it the fit
// takes a uniform random sample of this many. EM estimates the weights of
// a handful of comparisons; 20,000 people give it hundreds of thousands of
// pairs, as many as more would, while the fit's memory stays bounded
// whatever the people on file (fitted on all of 100,000 it peaked at
// 1.5 GB in a load test).
const MaxFitRecords = 20_000

// Fitter fits the person-matching model to the people on file.
type Fitter struct {
	// MinRecords, MaxRecords, After and Growth override MinFitRecords,
	// MaxFitRecords, RefitAfter and RefitGrowth when set.
	MinRecords int
	MaxRecords int
	After      time.Duration
	Growth     float64
	// Options tune the fit (the id number is always left out: reports
	// seldom carry one).
	Options personmatch.Options

	mu       sync.Mutex
	tooFew   bool // the population was logged as too small …
	tooFewAt int  // … at this size
}

// Population reads the people a model is fitted on: every child on file
// and every person mentioned in a report as a child.
func Population(ctx context.Context, s haven.Store) ([]personmatch.Record, error) {
	return sample(ctx, s, 0, 0)
}

// sample reads the population as Population does, keeping a uniform random
// sample of at most max of them (0: all) drawn with seed: reservoir
// sampling, so that memory holds max records however many there are.
func sample(ctx context.Context, s haven.Store, max int, seed uint64) ([]personmatch.Record, error) {
	const page = 1000
	var recs []personmatch.Record
	rng := rand.New(rand.NewPCG(seed, 0x68617665))
	seen := 0
	keep := func(r personmatch.Record) {
		seen++
		if max <= 0 || len(recs) < max {
			recs = append(recs, r)
		} else if i := rng.IntN(seen); i < max {
			recs[i] = r
		}
	}
	for after := int64(0); ; {
		var cs []*haven.Child
		if err := s.View(ctx, func(tx haven.Tx) (err error) {
			cs, err = tx.ChildrenAfter(ctx, after, page)
			return err
		}); err != nil {
			return nil, err
		}
		for _, c := range cs {
			keep(ChildRecord(c))
		}
		if len(cs) < page {
			break
		}
		after = cs[len(cs)-1].ID
	}
	for after := int64(0); ; {
		var ms []haven.ChildMention
		if err := s.View(ctx, func(tx haven.Tx) (err error) {
			ms, err = tx.ChildMentionsAfter(ctx, after, page)
			return err
		}); err != nil {
			return nil, err
		}
		for i := range ms {
			keep(MentionRecord(&ms[i].Person, ms[i].ReceivedAt))
		}
		if len(ms) < page {
			break
		}
		after = ms[len(ms)-1].Person.ID
	}
	return recs, nil
}

// Refit fits a new model to the people on file and stores it (audited as
// the system action person_model.fit) when there are at least MinRecords
// of them and there is no model yet, or they grew by Growth since the last
// fit, or the last fit is older than After and they changed since. It
// returns the model stored, or nil when none was.
func (f *Fitter) Refit(ctx context.Context, s *haven.Service) (*haven.PersonModel, error) {
	minN, after, growth := f.MinRecords, f.After, f.Growth
	if minN <= 0 {
		minN = MinFitRecords
	}
	if after <= 0 {
		after = RefitAfter
	}
	if growth <= 0 {
		growth = RefitGrowth
	}
	var n int
	var last *haven.PersonModel
	if err := s.Store.View(ctx, func(tx haven.Tx) (err error) {
		if n, err = tx.MatchPopulation(ctx); err != nil {
			return err
		}
		last, err = tx.LatestPersonModel(ctx)
		return err
	}); err != nil {
		return nil, fmt.Errorf("person model: %w", err)
	}
	if n < minN {
		f.mu.Lock()
		if !f.tooFew || f.tooFewAt != n {
			f.tooFew, f.tooFewAt = true, n
			s.Log.Info("person matching: too few people to fit a model; scoring with the built-in weights",
				"people", n, "needed", minN)
		}
		f.mu.Unlock()
		return nil, nil
	}
	if last != nil {
		grown := float64(n) >= float64(last.Records)*(1+growth)
		stale := s.Now().Sub(last.FittedAt) >= after && n != last.Records
		if !grown && !stale {
			return nil, nil
		}
	}
	maxN := f.MaxRecords
	if maxN <= 0 {
		maxN = MaxFitRecords
	}
	// The sample is drawn anew at each fit (seeded by the population's
	// size, so that a fit can be repeated on the same data).
	recs, err := sample(ctx, s.Store, maxN, uint64(n))
	if err != nil {
		return nil, fmt.Errorf("person model: %w", err)
	}
	if len(recs) < minN {
		return nil, nil
	}
	opt := f.Options
	opt.IgnoreID = true
	res, err := personmatch.Fit(recs, opt)
	if err != nil {
		return nil, fmt.Errorf("person model: %w", err)
	}
	b, err := json.Marshal(res.Model)
	if err != nil {
		return nil, fmt.Errorf("person model: %w", err)
	}
	// Records is the population the model stands for (what the next check
	// compares with), however many of it were sampled.
	pm := &haven.PersonModel{Records: max(n, len(recs)), CandidatePairs: res.Candidates, Iterations: res.Model.Iterations, Model: b}
	if err := s.SavePersonModel(ctx, pm); err != nil {
		return nil, fmt.Errorf("person model: %w", err)
	}
	s.Log.Info("person matching: model fitted", "model", pm.ID, "people", pm.Records, "sampled", len(recs),
		"candidate_pairs", pm.CandidatePairs, "iterations", pm.Iterations)
	return pm, nil
}

// loaded is the model the step scores with and the stored model's id (0:
// the built-in weights).
type loaded struct {
	model *personmatch.Model
	id    int64
}

// refresh loads the newest stored model when there is a newer one than the
// step's (one cheap query otherwise). A model that cannot be read is logged
// and the step keeps the one it has.
func (st *Step) refresh(ctx context.Context, s *haven.Service) {
	if st.Model != nil {
		return
	}
	st.mu.Lock()
	cur := st.cur
	st.mu.Unlock()
	var id int64
	if err := s.Store.View(ctx, func(tx haven.Tx) (err error) {
		id, err = tx.LatestPersonModelID(ctx)
		return err
	}); err != nil {
		s.Log.Error("person matching: checking for a newer model failed", "err", err)
		return
	}
	if id == 0 || id == cur.id {
		return
	}
	var pm *haven.PersonModel
	if err := s.Store.View(ctx, func(tx haven.Tx) (err error) {
		pm, err = tx.LatestPersonModel(ctx)
		return err
	}); err != nil || pm == nil {
		s.Log.Error("person matching: reading the newest model failed", "err", err)
		return
	}
	var m personmatch.Model
	if err := json.Unmarshal(pm.Model, &m); err != nil || len(m.Fields) == 0 {
		s.Log.Error("person matching: the newest model is unreadable; keeping the current one", "model", pm.ID, "err", err)
		return
	}
	st.mu.Lock()
	st.cur = loaded{&m, pm.ID}
	st.mu.Unlock()
	s.Log.Info("person matching: scoring with a fitted model", "model", pm.ID, "people", pm.Records, "fitted_at", pm.FittedAt)
}

// ModelID is the id of the stored model the step scores with; 0 for the
// built-in weights (or a model set on the step).
func (st *Step) ModelID() int64 {
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.cur.id
}
