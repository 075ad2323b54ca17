package haven

import (
	"context"
	"sort"
)

// The review queue: what an analyst should look at among the links Haven
// made by itself, strongest first. It holds the identifiers flagged for
// linking too many reports (they link nothing until someone decides) and
// the identifiers that most recently linked reports. The page's third list,
// the person matches no one has decided yet, comes from
// PendingPersonMatches (it has its own rule and audit).

// ReviewQueueSize bounds each list of the review queue.
const ReviewQueueSize = 50

// reviewScan bounds how many reports of one identifier are read to find
// the most urgent priority among them, and how many linking identifiers
// are read to find the newest links.
const reviewScan = 500

// ReviewItem is one identifier in the review queue.
type ReviewItem struct {
	Key *IdentifierKey
	// Display is an identifier row of a report the actor may open (zero
	// when they may open none).
	Display Identifier
	// Top is the most urgent priority among the reports linked through it
	// that the actor may open (PriorityNone when none has one).
	Top Priority
	// NetworkID is the network of the most recent of those reports, when
	// it is in one the actor may open (0 otherwise).
	NetworkID int64
}

// ReviewQueue is the review queue as its page shows it.
type ReviewQueue struct {
	// Flagged are the identifiers flagged for review, strongest first:
	// by the most urgent priority of their reports, then by the number of
	// reports they are in.
	Flagged []*ReviewItem
	// Recent are the identifiers that most recently linked reports (the
	// ReviewQueueSize whose latest report arrived last), strongest first.
	Recent []*ReviewItem
}

// priorityRank orders priorities most urgent first, no priority last.
func priorityRank(p Priority) int {
	if p <= PriorityNone {
		return int(P4) + 1
	}
	return int(p)
}

// sortByStrength orders items by the most urgent priority of their reports,
// then by how many reports they link, then by id.
func sortByStrength(items []*ReviewItem) {
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if ra, rb := priorityRank(a.Top), priorityRank(b.Top); ra != rb {
			return ra < rb
		}
		if a.Key.ReportCount != b.Key.ReportCount {
			return a.Key.ReportCount > b.Key.ReportCount
		}
		return a.Key.ID < b.Key.ID
	})
}

// ReviewQueue returns the review queue for an actor who may see the
// identifier index (analysts and supervisors).
func (s *Service) ReviewQueue(ctx context.Context, a Actor) (*ReviewQueue, error) {
	if !CanKind(a, ActionView, KindIdentifier) {
		return nil, s.deny(ctx, a, "review.view", KindIdentifier, 0, forbidden("see the review queue"))
	}
	scope := ScopeFor(a, ActionView, KindReport)
	mayNetwork := CanKind(a, ActionView, KindNetwork)
	q := &ReviewQueue{}
	err := s.Store.View(ctx, func(tx Tx) error {
		item := func(k *IdentifierKey) (*ReviewItem, error) {
			it := &ReviewItem{Key: k}
			reports, err := tx.IdentifierReports(ctx, k.ID, scope, reviewScan, 0)
			if err != nil {
				return nil, err
			}
			for i, lr := range reports {
				if i == 0 {
					it.Display = lr.Identifier
				}
				if p := lr.Report.Priority; priorityRank(p) < priorityRank(it.Top) {
					it.Top = p
				}
			}
			if len(reports) > 0 && mayNetwork {
				n, err := tx.NetworkOfReport(ctx, reports[0].Report.ID)
				if err == nil && Can(a, ActionView, n.Resource()) {
					it.NetworkID = n.ID
				} else if err != nil && ErrorCode(err) != ENOTFOUND {
					return nil, err
				}
			}
			return it, nil
		}
		flagged, err := tx.ListIdentifierKeys(ctx, IdentifierKeyFilter{State: KeyFlagged, Limit: ReviewQueueSize})
		if err != nil {
			return err
		}
		for _, k := range flagged {
			it, err := item(k)
			if err != nil {
				return err
			}
			q.Flagged = append(q.Flagged, it)
		}
		active, err := tx.ListIdentifierKeys(ctx, IdentifierKeyFilter{State: KeyActive, Limit: reviewScan})
		if err != nil {
			return err
		}
		var linking []*IdentifierKey
		for _, k := range active {
			if k.ReportCount >= 2 {
				linking = append(linking, k)
			}
		}
		sort.SliceStable(linking, func(i, j int) bool { return linking[i].LastSeen.After(linking[j].LastSeen) })
		if len(linking) > ReviewQueueSize {
			linking = linking[:ReviewQueueSize]
		}
		for _, k := range linking {
			it, err := item(k)
			if err != nil {
				return err
			}
			q.Recent = append(q.Recent, it)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sortByStrength(q.Flagged)
	sortByStrength(q.Recent)
	return q, nil
}
