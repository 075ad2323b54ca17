package storetest

import (
	"context"
	"testing"

	"github.com/haven-oss/haven/internal/haven"
)

// Person matching (haven.PersonMatchTx): the blocking-key index of children
// on file and the suggested matches with their decisions.

func init() { register(personMatchTests) }

// matchWorld is two children on file and two reports, each mentioning one
// child (report b with priority P1).
type matchWorld struct {
	jaylen, maya *haven.Child
	a, b         *haven.Report
}

func newMatchWorld(t *testing.T, s haven.Store) *matchWorld {
	w := &matchWorld{
		jaylen: mustChild(t, s, &haven.Child{FirstName: "Jaylen", LastName: "Brooks", State: "TX"}),
		maya:   mustChild(t, s, &haven.Child{FirstName: "Maya", LastName: "Quinterro", State: "OH"}),
	}
	w.a = newReport("HV-PM-0001", at(9, 0, 0, 0))
	w.a.Priority = haven.P3
	w.a.People = []haven.PersonMention{{Role: haven.PersonSuspect, FirstName: "Rex"}, {Role: haven.PersonChild, FirstName: "Jaylen", LastName: "Brooks", Age: ptr(15)}}
	w.b = newReport("HV-PM-0002", at(10, 0, 0, 0))
	w.b.Priority = haven.P1
	w.b.People = []haven.PersonMention{{Role: haven.PersonChild, FirstName: "Maya", LastName: "Quinterro"}}
	mustReport(t, s, w.a)
	mustReport(t, s, w.b)
	return w
}

func suggest(t *testing.T, s haven.Store, m *haven.PersonMatch) bool {
	t.Helper()
	var ok bool
	update(t, s, func(tx haven.Tx) (err error) {
		ok, err = tx.SuggestPersonMatch(context.Background(), m)
		return err
	})
	return ok
}

var personMatchTests = []test{
	{"children are found by any of their blocking keys, each once", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newMatchWorld(t, s)
		update(t, s, func(tx haven.Tx) error {
			if err := tx.SetChildMatchKeys(ctx, w.jaylen.ID, [][]byte{[]byte("k1"), []byte("k2")}); err != nil {
				return err
			}
			return tx.SetChildMatchKeys(ctx, w.maya.ID, [][]byte{[]byte("k2"), []byte("k3")})
		})
		ids := func(keys ...string) []int64 {
			var bs [][]byte
			for _, k := range keys {
				bs = append(bs, []byte(k))
			}
			var out []int64
			view(t, s, func(tx haven.Tx) error {
				cs, err := tx.ChildrenByMatchKeys(ctx, bs, 10)
				for _, c := range cs {
					out = append(out, c.ID)
				}
				return err
			})
			return out
		}
		same(t, "k1", ids("k1"), []int64{w.jaylen.ID})
		same(t, "k1 k2 k3", ids("k1", "k2", "k3"), []int64{w.jaylen.ID, w.maya.ID})
		same(t, "none", ids("zz"), []int64(nil))
		same(t, "no keys", ids(), []int64(nil))
		// Replacing a child's keys drops the old ones.
		update(t, s, func(tx haven.Tx) error { return tx.SetChildMatchKeys(ctx, w.jaylen.ID, [][]byte{[]byte("k9")}) })
		same(t, "k1 after replace", ids("k1"), []int64(nil))
		same(t, "k9", ids("k9"), []int64{w.jaylen.ID})
		// Children with no key are listed for filing.
		other := mustChild(t, s, &haven.Child{FirstName: "Ana"})
		view(t, s, func(tx haven.Tx) error {
			cs, err := tx.ChildrenWithoutMatchKeys(ctx, 0, 10)
			if err == nil && (len(cs) != 1 || cs[0].ID != other.ID) {
				t.Errorf("children without keys: %s", dump(cs))
			}
			return err
		})
	}},
	{"a pair is suggested once, and a decision is kept", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newMatchWorld(t, s)
		u := mustUser(t, s, "analyst1", haven.RoleAnalyst, 0)
		person := w.a.People[1].ID
		m := &haven.PersonMatch{ReportPersonID: person, ChildID: w.jaylen.ID, Weight: 12.5, Probability: 0.995,
			Evidence: []haven.MatchEvidence{{Field: "first name", Level: "exact", Weight: 6.1}, {Field: "sex", Level: "missing"}}}
		if !suggest(t, s, m) || m.ID == 0 || m.State != haven.MatchSuggested {
			t.Fatalf("first suggestion not stored: %s", dump(m))
		}
		again := &haven.PersonMatch{ReportPersonID: person, ChildID: w.jaylen.ID, Weight: 1, Probability: 0.5}
		if suggest(t, s, again) {
			t.Fatal("the same pair was stored twice")
		}
		var got *haven.PersonMatch
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.PersonMatchByID(ctx, m.ID); return err })
		same(t, "stored", []any{got.ReportPersonID, got.ChildID, got.Weight, got.Probability, got.Evidence, got.State, got.ReportID, got.ReportPriority},
			[]any{person, w.jaylen.ID, 12.5, 0.995, m.Evidence, haven.MatchSuggested, w.a.ID, haven.P3})

		update(t, s, func(tx haven.Tx) (err error) {
			got, err = tx.DecidePersonMatch(ctx, m.ID, haven.MatchRejected, "different birthday on file", u.ID)
			return err
		})
		if got.State != haven.MatchRejected || got.Reason != "different birthday on file" || got.DecidedBy != u.ID || got.DecidedAt == nil {
			t.Errorf("decision: %s", dump(got))
		}
		if suggest(t, s, &haven.PersonMatch{ReportPersonID: person, ChildID: w.jaylen.ID, Weight: 20, Probability: 1}) {
			t.Error("a rejected pair was suggested again")
		}
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.PersonMatchByID(ctx, m.ID); return err })
		same(t, "state after re-suggest", got.State, haven.MatchRejected)

		wantCode(t, "decide missing", updateErr(s, func(tx haven.Tx) error {
			_, err := tx.DecidePersonMatch(ctx, m.ID+1000, haven.MatchConfirmed, "x", u.ID)
			return err
		}), haven.ENOTFOUND)
		wantCode(t, "by id missing", viewErr(s, func(tx haven.Tx) error {
			_, err := tx.PersonMatchByID(ctx, m.ID+1000)
			return err
		}), haven.ENOTFOUND)
	}},
	{"confirming links the person to the child", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newMatchWorld(t, s)
		person := w.a.People[1].ID
		update(t, s, func(tx haven.Tx) error { return tx.SetPersonChild(ctx, person, w.jaylen.ID) })
		var r *haven.Report
		view(t, s, func(tx haven.Tx) (err error) { r, err = tx.ReportByID(ctx, w.a.ID); return err })
		same(t, "child id", []int64{r.People[0].ChildID, r.People[1].ChildID}, []int64{0, w.jaylen.ID})
		update(t, s, func(tx haven.Tx) error { return tx.SetPersonChild(ctx, person, 0) })
		view(t, s, func(tx haven.Tx) (err error) { r, err = tx.ReportByID(ctx, w.a.ID); return err })
		same(t, "child id cleared", r.People[1].ChildID, int64(0))
		wantCode(t, "no such person", updateErr(s, func(tx haven.Tx) error { return tx.SetPersonChild(ctx, person+1000, w.jaylen.ID) }), haven.ENOTFOUND)
	}},
	{"person matches list by report, by child and pending by strength and priority", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newMatchWorld(t, s)
		u := mustUser(t, s, "analyst1", haven.RoleAnalyst, 0)
		ja := &haven.PersonMatch{ReportPersonID: w.a.People[1].ID, ChildID: w.jaylen.ID, Weight: 9, Probability: 0.9}
		jm := &haven.PersonMatch{ReportPersonID: w.a.People[1].ID, ChildID: w.maya.ID, Weight: 4, Probability: 0.6}
		mb := &haven.PersonMatch{ReportPersonID: w.b.People[0].ID, ChildID: w.maya.ID, Weight: 9, Probability: 0.9}
		for _, m := range []*haven.PersonMatch{jm, ja, mb} {
			suggest(t, s, m)
		}
		list := func(f haven.PersonMatchFilter) []int64 {
			var out []int64
			view(t, s, func(tx haven.Tx) error {
				ms, err := tx.ListPersonMatches(ctx, f)
				for _, m := range ms {
					out = append(out, m.ID)
				}
				return err
			})
			return out
		}
		same(t, "report a", list(haven.PersonMatchFilter{ReportID: w.a.ID}), []int64{ja.ID, jm.ID})
		same(t, "child maya", list(haven.PersonMatchFilter{ChildID: w.maya.ID}), []int64{mb.ID, jm.ID})
		// Equal strength: the P1 report first.
		same(t, "pending", list(haven.PersonMatchFilter{State: haven.MatchSuggested}), []int64{mb.ID, ja.ID, jm.ID})
		same(t, "pending limit", list(haven.PersonMatchFilter{State: haven.MatchSuggested, Limit: 1}), []int64{mb.ID})
		update(t, s, func(tx haven.Tx) error {
			_, err := tx.DecidePersonMatch(ctx, mb.ID, haven.MatchConfirmed, "same child", u.ID)
			return err
		})
		same(t, "pending after a decision", list(haven.PersonMatchFilter{State: haven.MatchSuggested}), []int64{ja.ID, jm.ID})
		same(t, "confirmed", list(haven.PersonMatchFilter{State: haven.MatchConfirmed}), []int64{mb.ID})
	}},
}
