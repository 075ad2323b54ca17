package sqlstore

import (
	"context"
	"sort"

	"github.com/haven-oss/haven/internal/haven"
)

// Splitting a network when identifiers stop linking (flagged or excluded).
//
// Recomputing the whole network costs as much as the network is large, and
// one large network can see many of its identifiers pass the threshold one
// after another (a load of 100,000 reports chained 21,000 of them into one
// network whose every flag re-read it whole). So the split searches only as
// far as it must: every part the network can fall into holds a report that
// was linked through one of the identifiers (every report of the network
// was connected to the rest, and a path that no longer holds ends at such a
// report), so it starts one breadth-first search from each of those reports
// over the links that remain, always growing the smallest, and merges two
// searches when they meet. A search that runs out has found a whole part; once
// all searches but one have run out, the last holds the rest of the network.
// The cost is that of the parts that break away, not of the network: when an
// identifier's reports stay connected, the searches meet; when a few reports
// break away, only they are read.

var (
	// qActiveLinksOf lists the links of 1 … rowsPerInsert reports through
	// active identifiers, as (report, identifier).
	qActiveLinksOf = newInList(`SELECT l.report_id, l.key_id FROM identifier_links l
	JOIN identifier_keys k ON k.id = l.key_id WHERE k.state = 'active' AND l.report_id IN (`, `)`)
	// qKeysReportsIn lists the reports of one network linked through 1 …
	// rowsPerInsert identifiers, as (identifier, report). CROSS JOIN makes
	// SQLite read the identifiers' links first, not every report of the
	// network (PostgreSQL plans it as the inner join it is).
	qKeysReportsIn = newInList(`SELECT l.key_id, l.report_id FROM identifier_links l
	CROSS JOIN report_network rn WHERE rn.report_id = l.report_id AND rn.network_id = ? AND l.key_id IN (`, `)`)
	qReportsReceived = newInList(`SELECT id, received_at FROM reports WHERE id IN (`, `)`)
	qMoveToNetwork   = newInList(`UPDATE report_network SET network_id = ? WHERE report_id IN (`, `)`)
	qLeaveNetworks   = newInList(`DELETE FROM report_network WHERE report_id IN (`, `)`)
	// A network's first and last report, each one seek in report_network_span.
	qNetworkFirst = query(`SELECT received_at FROM report_network WHERE network_id = ? ORDER BY received_at LIMIT 1`)
	qNetworkLast  = query(`SELECT received_at FROM report_network WHERE network_id = ? ORDER BY received_at DESC LIMIT 1`)
)

// resplitKeys recomputes, without the links through the identifiers keyIDs
// (which no longer link), the networks of the reports linked through them.
func (tx *tx) resplitKeys(ctx context.Context, keyIDs []int64, owned map[int64]bool) error {
	seeds := map[int64][]int64{} // network → its reports linked through the identifiers
	seen := map[int64]bool{}
	if err := tx.keysMembers(ctx, 0, keyIDs, func(r, n int64) {
		if n != 0 && !seen[r] {
			seen[r] = true
			seeds[n] = append(seeds[n], r)
		}
	}); err != nil {
		return err
	}
	ids := make([]int64, 0, len(seeds))
	for id := range seeds {
		if !owned[id] {
			return errRestart
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	for _, id := range ids {
		if err := tx.splitNetwork(ctx, id, seeds[id], owned); err != nil {
			return err
		}
	}
	return nil
}

// splitNetwork splits network id, held by the transaction, into the parts
// that remain connected, searching from seeds: its reports linked through
// the identifiers that stopped linking. The largest part keeps the
// network's id (as resplit says).
func (tx *tx) splitNetwork(ctx context.Context, id int64, seeds []int64, owned map[int64]bool) error {
	net, err := scanNetwork(tx.queryRow(ctx, qNetworkByID, id))
	if err != nil {
		return err
	}
	s := newSplitSearch(seeds)
	for s.open() > 1 {
		if err := tx.growSearches(ctx, id, s); err != nil {
			return err
		}
	}
	var parts [][]int64 // the parts the searches found whole
	found := 0
	for _, g := range s.roots() {
		if len(s.frontier[g]) == 0 {
			parts = append(parts, s.members[g])
			found += len(s.members[g])
		}
	}
	rest := net.Size - found
	if s.open() == 0 || rest <= 0 {
		// Every part was found (the network fell apart into small ones),
		// or the network's size disagrees with its members: recompute it
		// whole.
		return tx.resplit(ctx, id, owned)
	}
	if len(parts) == 0 {
		return nil // still one network
	}
	for _, p := range parts {
		if len(p) >= rest {
			// A part that broke away is as large as what stays: which
			// keeps the id depends on the whole.
			return tx.resplit(ctx, id, owned)
		}
	}
	return tx.breakAway(ctx, net, parts, rest, owned)
}

// breakAway moves the parts out of network net (each of two reports or
// more into a network of its own, a report alone out of any) and leaves
// rest reports in it.
func (tx *tx) breakAway(ctx context.Context, net *haven.Network, parts [][]int64, rest int, owned map[int64]bool) error {
	comps := make([][]member, len(parts))
	edge := false // a report at either end of the network's span leaves it
	for i, p := range parts {
		err := inBatches(p, func(ids []any) error {
			return queryEach(ctx, tx, qReportsReceived[len(ids)], ids, func(s scanner) error {
				var m member
				if err := s.Scan(&m.id, timeCol{&m.received}); err != nil {
					return err
				}
				if !m.received.After(net.FirstReportAt) || !m.received.Before(net.LastReportAt) {
					edge = true
				}
				comps[i] = append(comps[i], m)
				return nil
			})
		})
		if err != nil {
			return err
		}
	}
	sortComponents(comps)
	if err := tx.moveParts(ctx, comps, owned); err != nil {
		return err
	}
	first, last := net.FirstReportAt, net.LastReportAt
	if edge {
		if err := tx.queryRow(ctx, qNetworkFirst, net.ID).Scan(timeCol{&first}); err != nil {
			return err
		}
		if err := tx.queryRow(ctx, qNetworkLast, net.ID).Scan(timeCol{&last}); err != nil {
			return err
		}
	}
	_, err := tx.exec(ctx, qSetNetwork, rest, first, last, tx.now, net.ID)
	return err
}

// moveParts moves each part of two reports or more into a network of its
// own, and takes a report alone out of any.
func (tx *tx) moveParts(ctx context.Context, parts [][]member, owned map[int64]bool) error {
	var alone []int64
	for _, c := range parts {
		if len(c) < 2 {
			alone = append(alone, c[0].id)
			continue
		}
		first, last := span(c)
		nid, err := tx.insert(ctx, qCreateNetwork, len(c), first, last, tx.now)
		if err != nil {
			return err
		}
		owned[nid] = true
		ids := make([]int64, len(c))
		for i, m := range c {
			ids[i] = m.id
		}
		if err := inBatches(ids, func(args []any) error {
			_, err := tx.exec(ctx, qMoveToNetwork[len(args)], append([]any{nid}, args...)...)
			return err
		}); err != nil {
			return err
		}
	}
	return inBatches(alone, func(args []any) error {
		_, err := tx.exec(ctx, qLeaveNetworks[len(args)], args...)
		return err
	})
}

// inBatches calls fn with the ids, rowsPerInsert at a time.
func inBatches(ids []int64, fn func(args []any) error) error {
	args := make([]any, 0, rowsPerInsert)
	for start := 0; start < len(ids); start += rowsPerInsert {
		args = args[:0]
		for _, id := range ids[start:min(start+rowsPerInsert, len(ids))] {
			args = append(args, id)
		}
		if err := fn(args); err != nil {
			return err
		}
	}
	return nil
}

// growSearches grows the smallest open searches by the next reports of
// their frontiers (at most rowsPerInsert in all): it follows the reports'
// active identifiers not followed yet to the network's reports linked
// through them.
func (tx *tx) growSearches(ctx context.Context, networkID int64, s *splitSearch) error {
	batch := s.nextBatch(rowsPerInsert)
	args := make([]any, 0, 1+rowsPerInsert)
	for _, r := range batch {
		args = append(args, r)
	}
	var keys []int64
	from := map[int64]int{} // identifier → the search that follows it
	if err := tx.queryPairs(ctx, qActiveLinksOf[len(batch)], args, func(r, k int64) error {
		if !s.followed[k] {
			s.followed[k] = true
			keys = append(keys, k)
			from[k] = s.owner[r]
		}
		return nil
	}); err != nil {
		return err
	}
	for start := 0; start < len(keys); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(keys))
		args = append(args[:0], networkID)
		for _, k := range keys[start:end] {
			args = append(args, k)
		}
		if err := tx.queryPairs(ctx, qKeysReportsIn[end-start], args, func(k, r int64) error {
			s.reach(from[k], r)
			return nil
		}); err != nil {
			return err
		}
	}
	return nil
}

// splitSearch is the state of the searches: a union-find of searches, each
// with the reports it reached and those it has still to grow from.
type splitSearch struct {
	parent   []int
	members  [][]int64      // a root search's reports
	frontier [][]int64      // a root search's reports not yet grown from
	owner    map[int64]int  // report → the search that reached it first
	followed map[int64]bool // identifiers already followed (by any search)
}

func newSplitSearch(seeds []int64) *splitSearch {
	s := &splitSearch{owner: map[int64]int{}, followed: map[int64]bool{}}
	for _, r := range seeds {
		if _, ok := s.owner[r]; ok {
			continue
		}
		g := len(s.parent)
		s.parent = append(s.parent, g)
		s.members = append(s.members, []int64{r})
		s.frontier = append(s.frontier, []int64{r})
		s.owner[r] = g
	}
	return s
}

func (s *splitSearch) find(g int) int {
	for s.parent[g] != g {
		s.parent[g] = s.parent[s.parent[g]]
		g = s.parent[g]
	}
	return g
}

// reach records that search g reached report r: r joins g, or, when
// another search reached it first, the two become one.
func (s *splitSearch) reach(g int, r int64) {
	g = s.find(g)
	o, ok := s.owner[r]
	if !ok {
		s.owner[r] = g
		s.members[g] = append(s.members[g], r)
		s.frontier[g] = append(s.frontier[g], r)
		return
	}
	o = s.find(o)
	if o == g {
		return
	}
	if len(s.members[o]) > len(s.members[g]) {
		g, o = o, g
	}
	s.parent[o] = g
	s.members[g] = append(s.members[g], s.members[o]...)
	s.frontier[g] = append(s.frontier[g], s.frontier[o]...)
	s.members[o], s.frontier[o] = nil, nil
}

// roots returns the searches that are not part of another.
func (s *splitSearch) roots() []int {
	var out []int
	for g := range s.parent {
		if s.parent[g] == g {
			out = append(out, g)
		}
	}
	return out
}

// open counts the searches with reports still to grow from.
func (s *splitSearch) open() int {
	n := 0
	for _, g := range s.roots() {
		if len(s.frontier[g]) > 0 {
			n++
		}
	}
	return n
}

// nextBatch takes up to n reports from the frontiers of the open searches,
// those that have reached the fewest reports first.
func (s *splitSearch) nextBatch(n int) []int64 {
	var open []int
	for _, g := range s.roots() {
		if len(s.frontier[g]) > 0 {
			open = append(open, g)
		}
	}
	sort.SliceStable(open, func(a, b int) bool { return len(s.members[open[a]]) < len(s.members[open[b]]) })
	var batch []int64
	for _, g := range open {
		take := min(n-len(batch), len(s.frontier[g]))
		batch = append(batch, s.frontier[g][:take]...)
		s.frontier[g] = s.frontier[g][take:]
		if len(batch) == n {
			break
		}
	}
	return batch
}
