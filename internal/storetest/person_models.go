package storetest

import (
	"context"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Person-matching models (haven.PersonModelTx): fitted models, the newest
// current, and the people they are fitted on.

func init() { register(personModelTests) }

var personModelTests = []test{
	{"the newest person model is the current one; none before the first", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		view(t, s, func(tx haven.Tx) error {
			m, err := tx.LatestPersonModel(ctx)
			same(t, "latest before any", m, (*haven.PersonModel)(nil))
			id, err2 := tx.LatestPersonModelID(ctx)
			same(t, "latest id before any", id, int64(0))
			if err != nil {
				return err
			}
			return err2
		})
		first := &haven.PersonModel{FittedAt: at(9, 0, 0, 0), Records: 250, CandidatePairs: 1200, Iterations: 17,
			Model: []byte(`{"lambda":0.01}`)}
		second := &haven.PersonModel{FittedAt: at(10, 0, 0, 0), Records: 300, CandidatePairs: 1500, Iterations: 21,
			Model: []byte(`{"lambda":0.02}`)}
		update(t, s, func(tx haven.Tx) error { return tx.AddPersonModel(ctx, first) })
		update(t, s, func(tx haven.Tx) error { return tx.AddPersonModel(ctx, second) })
		if first.ID == 0 || second.ID <= first.ID {
			t.Fatalf("ids: %d then %d", first.ID, second.ID)
		}
		view(t, s, func(tx haven.Tx) error {
			m, err := tx.LatestPersonModel(ctx)
			if err != nil {
				return err
			}
			same(t, "latest", m, second)
			id, err := tx.LatestPersonModelID(ctx)
			same(t, "latest id", id, second.ID)
			return err
		})
	}},
	{"the people a model is fitted on are the children on file and the children mentioned", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newMatchWorld(t, s)
		view(t, s, func(tx haven.Tx) error {
			n, err := tx.MatchPopulation(ctx)
			// Two children on file, two mentioned as children (the suspect
			// is not counted).
			same(t, "population", n, 4)
			return err
		})
		var children []int64
		view(t, s, func(tx haven.Tx) error {
			for after := int64(0); ; {
				cs, err := tx.ChildrenAfter(ctx, after, 1)
				if err != nil || len(cs) == 0 {
					return err
				}
				children = append(children, cs[0].ID)
				after = cs[0].ID
			}
		})
		same(t, "children", children, []int64{w.jaylen.ID, w.maya.ID})
		var names []string
		var received []time.Time
		var ages []int
		view(t, s, func(tx haven.Tx) error {
			for after := int64(0); ; {
				ms, err := tx.ChildMentionsAfter(ctx, after, 1)
				if err != nil || len(ms) == 0 {
					return err
				}
				names = append(names, ms[0].Person.FirstName)
				received = append(received, ms[0].ReceivedAt)
				if ms[0].Person.Age != nil {
					ages = append(ages, *ms[0].Person.Age)
				}
				after = ms[0].Person.ID
			}
		})
		same(t, "mentions", names, []string{"Jaylen", "Maya"})
		same(t, "received", received, []time.Time{w.a.ReceivedAt, w.b.ReceivedAt})
		same(t, "ages", ages, []int{15})
	}},
}
