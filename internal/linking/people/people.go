// Package people matches the people mentioned in reports with the children
// on file; that is its one job. Its Step runs on every report after it
// commits (a haven.Ingestion in the report's ingest job, after the linking
// step): for each person the report mentions as a child and not yet linked
// to a child on file, it looks up candidate children through their blocking
// keys (personmatch.BlockingKeys, each kept as a keyed MAC), scores each
// with the Fellegi–Sunter model of internal/linking/personmatch, and stores
// those that reach the model's threshold as suggested matches with their
// field-by-field evidence. It never merges anything and never links a person
// to a child: an analyst confirms or rejects (haven.Service.ConfirmPersonMatch),
// and a pair once stored, suggested or decided, is never stored again, so a
// rejected pair is not suggested again and a confirmed one stays confirmed.
package people

import (
	"context"
	"encoding/binary"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/linking/personmatch"
)

// DefaultMinProbability is the probability of a match a pair must reach to
// be suggested. The model's own threshold (probability one half) suits
// person files where most fields are filled in; a report often names a
// child with a name, an age and a state only, and there a sister on file
// (same surname, sex and state, another first name) scores about 0.6. At
// 0.9 she is not suggested, while the same names with an age that agrees,
// or a nickname on file, score far above it.
const DefaultMinProbability = 0.9

// MaxCandidates bounds the children compared with one person.
const MaxCandidates = 200

// Step is the person-matching step of the ingest job.
type Step struct {
	// Index computes the keyed MACs the blocking keys are filed under (the
	// key file's index key).
	Index haven.BlindIndexer
	// Model, when set, scores pairs. nil: the newest model stored by
	// Fitter.Refit (fitted by EM to the people on file), and until there is
	// one personmatch.DefaultModel(true), the built-in prior weights
	// (reports seldom carry identity numbers).
	Model *personmatch.Model
	// MinProbability is the estimated probability of a match below which
	// a pair is not suggested even when it reaches the model's threshold
	// (0: DefaultMinProbability).
	MinProbability float64

	backfill sync.Once
	mu       sync.Mutex
	cur      loaded // the stored model in use (model.go)
}

// Name names the step in logs.
func (st *Step) Name() string { return "person-matching" }

// defaultModel is the model of the built-in weights.
var defaultModel = sync.OnceValue(func() *personmatch.Model { return personmatch.DefaultModel(true) })

// model is the model the step scores with: Model when set, else the newest
// stored model it has loaded (refresh), else the built-in weights.
func (st *Step) model() *personmatch.Model {
	if st.Model != nil {
		return st.Model
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.cur.model != nil {
		return st.cur.model
	}
	return defaultModel()
}

// KeyInput returns the bytes whose MAC files a record under one blocking key.
func KeyInput(key string) []byte {
	b := make([]byte, 0, 24+len(key))
	b = append(b, "haven-person-key-v1"...)
	b = binary.BigEndian.AppendUint32(b, uint32(len(key)))
	return append(b, key...)
}

// Keys returns the MACs a record is filed and looked up under.
func Keys(idx haven.BlindIndexer, r *personmatch.Record) [][]byte {
	ks := personmatch.BlockingKeys(r)
	out := make([][]byte, len(ks))
	for i, k := range ks {
		out[i] = idx.BlindIndex(KeyInput(k))
	}
	return out
}

// ChildKeys is the haven.ChildMatchKeys of idx: a child's record's keys.
func ChildKeys(idx haven.BlindIndexer) haven.ChildMatchKeys {
	return func(c *haven.Child) [][]byte {
		r := ChildRecord(c)
		return Keys(idx, &r)
	}
}

func date(t *time.Time) personmatch.Date {
	if t == nil {
		return personmatch.Date{}
	}
	return personmatch.Date{Year: t.Year(), Month: int(t.Month()), Day: t.Day()}
}

func sex(s haven.Sex) personmatch.Sex {
	switch s {
	case haven.SexFemale:
		return personmatch.SexFemale
	case haven.SexMale:
		return personmatch.SexMale
	case haven.SexOther:
		return personmatch.SexOther
	}
	return personmatch.SexUnknown
}

// ChildRecord is a child on file as the matcher sees it.
func ChildRecord(c *haven.Child) personmatch.Record {
	return personmatch.Record{ID: fmt.Sprint(c.ID), FirstName: c.FirstName, LastName: c.LastName,
		OtherNames: c.Nicknames, DOB: date(c.DateOfBirth), Sex: sex(c.Sex), State: c.State, Description: c.Description}
}

// MentionRecord is a person mentioned in a report received at at, as the
// matcher sees them: an age without a date of birth is an age on that date.
func MentionRecord(p *haven.PersonMention, at time.Time) personmatch.Record {
	r := personmatch.Record{ID: fmt.Sprint(p.ID), FirstName: p.FirstName, LastName: p.LastName,
		DOB: date(p.DateOfBirth), Sex: sex(p.Sex), City: p.City, State: p.State, Description: p.Description}
	for _, n := range strings.Split(p.Nickname, ",") {
		if n = strings.TrimSpace(n); n != "" {
			r.OtherNames = append(r.OtherNames, n)
		}
	}
	if p.Age != nil && p.DateOfBirth == nil {
		r.Age, r.AgeAt = *p.Age, date(&at)
	}
	return r
}

// Matches returns the matches of one person, mentioned in a report received
// at at, with those of the candidate children whose score reaches the
// model's threshold, each with its field-by-field evidence.
func (st *Step) Matches(p *haven.PersonMention, at time.Time, candidates []*haven.Child) []*haven.PersonMatch {
	m := st.model()
	minP := st.MinProbability
	if minP <= 0 {
		minP = DefaultMinProbability
	}
	pr := MentionRecord(p, at)
	var out []*haven.PersonMatch
	for _, c := range candidates {
		cr := ChildRecord(c)
		s := m.Compare(&pr, &cr)
		if !m.Suggested(s) || s.Probability < minP {
			continue
		}
		pm := &haven.PersonMatch{ReportPersonID: p.ID, ChildID: c.ID, Weight: s.Weight, Probability: s.Probability}
		for _, e := range m.Evidence(s.Comparison) {
			pm.Evidence = append(pm.Evidence, haven.MatchEvidence{Field: e.Field, Level: e.Level, Weight: e.Weight})
		}
		out = append(out, pm)
	}
	return out
}

// Ingest suggests matches for the children the report mentions. Running it
// again for the same report changes nothing: a pair stored once is kept as
// it is, whatever was decided about it since.
func (st *Step) Ingest(ctx context.Context, s *haven.Service, r *haven.Report) error {
	st.backfill.Do(func() {
		if err := st.FileChildren(ctx, s); err != nil {
			s.Log.Error("person matching: filing the children on file failed", "err", err)
		}
	})
	type person struct {
		p    *haven.PersonMention
		keys [][]byte
	}
	var ps []person
	for i := range r.People {
		p := &r.People[i]
		if p.Role != haven.PersonChild || p.ChildID != 0 {
			continue
		}
		rec := MentionRecord(p, r.ReceivedAt)
		if ks := Keys(st.Index, &rec); len(ks) > 0 {
			ps = append(ps, person{p, ks})
		}
	}
	if len(ps) == 0 {
		return nil
	}
	st.refresh(ctx, s)
	stored := 0
	err := s.Store.Update(ctx, func(tx haven.Tx) error {
		stored = 0
		for _, pk := range ps {
			cands, err := tx.ChildrenByMatchKeys(ctx, pk.keys, MaxCandidates)
			if err != nil {
				return err
			}
			for _, m := range st.Matches(pk.p, r.ReceivedAt, cands) {
				ok, err := tx.SuggestPersonMatch(ctx, m)
				if err != nil {
					return err
				}
				if ok {
					stored++
				}
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("person matching report %d: %w", r.ID, err)
	}
	if stored > 0 {
		s.Log.Debug("person matching: matches suggested", "report", r.ID, "suggested", stored)
	}
	return nil
}

// FileChildren files the children on file that have no blocking key yet
// (those created before person matching, or through a service without
// MatchKeys). It runs once, before the step's first report.
func (st *Step) FileChildren(ctx context.Context, s *haven.Service) error {
	keys := ChildKeys(st.Index)
	var after int64
	for {
		var cs []*haven.Child
		err := s.Store.View(ctx, func(tx haven.Tx) (err error) {
			cs, err = tx.ChildrenWithoutMatchKeys(ctx, after, 500)
			return err
		})
		if err != nil || len(cs) == 0 {
			return err
		}
		if err := s.Store.Update(ctx, func(tx haven.Tx) error {
			for _, c := range cs {
				if err := tx.SetChildMatchKeys(ctx, c.ID, keys(c)); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			return err
		}
		after = cs[len(cs)-1].ID
	}
}
