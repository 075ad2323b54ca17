package haven

import (
	"context"
	"fmt"
	"time"
)

// Person-matching model. The weights that score person matches are
// estimated by EM from Haven's own people (the children on file and the
// children mentioned in reports) by a periodic job (internal/linking/people)
// and stored; the newest stored model is the one every node scores with.

// KindPersonModel is a fitted person-matching model, for the audit trail.
const KindPersonModel Kind = "person_model"

// PersonModel is one fitted person-matching model.
type PersonModel struct {
	ID       int64
	FittedAt time.Time
	// Records is the number of people on file it was fitted for (the fit
	// compares a random sample of at most 20,000 of them); CandidatePairs the
	// pairs the blocking passes compared; Iterations the EM iterations.
	Records        int
	CandidatePairs int
	Iterations     int
	// Model is the personmatch.Model as JSON.
	Model []byte
}

// ChildMention is a person mentioned in a report as a child, with when the
// report was received (an age given is an age on that date).
type ChildMention struct {
	Person     PersonMention
	ReceivedAt time.Time
}

// PersonModelTx is the part of a transaction that keeps person-matching
// models and reads the people they are fitted on.
type PersonModelTx interface {
	// AddPersonModel stores m and sets its ID.
	AddPersonModel(ctx context.Context, m *PersonModel) error
	// LatestPersonModel returns the newest model; nil when there is none.
	LatestPersonModel(ctx context.Context) (*PersonModel, error)
	// LatestPersonModelID returns the newest model's id; 0 when none.
	LatestPersonModelID(ctx context.Context) (int64, error)
	// MatchPopulation counts the people a model is fitted on: children on
	// file and people mentioned in reports as children.
	MatchPopulation(ctx context.Context) (int, error)
	// ChildrenAfter returns the children with ids above afterID, by id.
	ChildrenAfter(ctx context.Context, afterID int64, limit int) ([]*Child, error)
	// ChildMentionsAfter returns the people mentioned as children with ids
	// above afterID, by id.
	ChildMentionsAfter(ctx context.Context, afterID int64, limit int) ([]ChildMention, error)
}

// SavePersonModel stores a fitted model, which becomes the current one,
// and audits the fit as a system action.
func (s *Service) SavePersonModel(ctx context.Context, m *PersonModel) error {
	if len(m.Model) == 0 {
		return Errorf(EINVALID, "a person-matching model needs its weights (model)")
	}
	if m.FittedAt.IsZero() {
		m.FittedAt = s.now()
	}
	a := System("person-matching")
	a.Via = "job"
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.AddPersonModel(ctx, m); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "person_model.fit", OutcomeOK, KindPersonModel, m.ID, "",
			fmt.Sprintf("fitted for the %d people on file, %d candidate pairs, %d EM iterations", m.Records, m.CandidatePairs, m.Iterations))
	})
}
