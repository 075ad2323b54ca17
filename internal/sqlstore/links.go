package sqlstore

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The identifier index and the networks of linked reports (haven.IndexTx).
//
// Networks are the connected components, of two reports or more, of the
// graph whose nodes are reports and whose edges are the links of reports to
// identifiers in state active. They are kept exact transaction by
// transaction: linking a report merges the networks of the reports it shares
// an active identifier with (into the largest); an identifier that stops linking (flagged or
// excluded) has the networks it held together split by breadth-first
// searches over the links that remain, from its reports, only as far as the
// parts that break away (network_split.go); one that links again (confirmed) merges
// the networks of its reports.
//
// Concurrency. On SQLite every write transaction runs alone. On PostgreSQL
// (READ COMMITTED) several ingest jobs link reports at once, and the
// following locks keep the networks exact without deadlocks:
//
//  1. Whoever links a report to an identifier, or changes its state, first
//     locks the identifier's row (the upsert's DO UPDATE, or an UPDATE),
//     taking a report's identifiers in the order of (kind, mac). So two
//     reports sharing an identifier new to both are linked one after the
//     other (the unique (kind, mac) key and ON CONFLICT make the second
//     wait for the first and then see its link), and the reports linked
//     through an identifier cannot change while its lock is held.
//  2. Then, under a savepoint, it reads which networks it must change,
//     locks their rows in ascending id order (an UPDATE), and reads again:
//     if a network vanished or another appeared meanwhile (a merge that
//     committed in between), it rolls back to the savepoint, which releases
//     those locks, and starts again. So a transaction never waits for a
//     network while holding a higher one it will not release, and every
//     membership it changes belongs to a network it holds.
//  3. Reports in no network yet are claimed by inserting their
//     report_network row (ON CONFLICT DO NOTHING, in report id order): if
//     another transaction claimed one first, it rolls back to the
//     savepoint and starts again, and then finds the report in that
//     transaction's network.

const keyColumns = `id, kind, platform, mac, report_count, first_seen, last_seen, state, reason, decided_by, decided_at`

const networkColumns = `id, size, first_report_at, last_report_at, updated_at`

var (
	// qUpsertKeys upserts 1 … rowsPerInsert identifiers and returns their
	// rows. The upsert locks each identifier's row whether it inserts or not
	// (on PostgreSQL, DO UPDATE locks the existing row; see rule 1 above),
	// in the order of its VALUES.
	qUpsertKeys = newMultiStatement(`INSERT INTO identifier_keys (kind, platform, mac, report_count, first_seen, last_seen, state, reason)`,
		`(?, ?, ?, 0, ?, ?, 'active', '')`,
		`ON CONFLICT (kind, mac) DO UPDATE SET report_count = identifier_keys.report_count RETURNING `+keyColumns)
	// qInsertLinks links a report to 1 … rowsPerInsert identifiers and
	// returns the identifiers it was not linked to before.
	qInsertLinks = newMultiStatement(`INSERT INTO identifier_links (key_id, report_id, identifier_id, linked_at)`,
		`(?, ?, ?, ?)`, `ON CONFLICT DO NOTHING RETURNING key_id`)
	// qCountKeys counts one more report for each identifier listed, widens
	// its first and last seen to the report's time, and flags an active,
	// undecided identifier that passes the threshold (when it is above 0).
	// Its arguments: the report's time four times, the threshold twice,
	// the identifiers.
	qCountKeys = newInList(`UPDATE identifier_keys SET report_count = report_count + 1,
	first_seen = CASE WHEN ? < first_seen THEN ? ELSE first_seen END,
	last_seen = CASE WHEN ? > last_seen THEN ? ELSE last_seen END,
	state = CASE WHEN state = 'active' AND decided_at IS NULL AND ? > 0 AND report_count + 1 > ? THEN 'flagged' ELSE state END
	WHERE id IN (`, `) RETURNING `+keyColumns)
	// qKeysMembers lists a report with its network (NULL for none), and the
	// reports linked through 1 … rowsPerInsert identifiers with theirs.
	qKeysMembers = newInList(`SELECT report_id, network_id FROM report_network WHERE report_id = ?
	UNION ALL SELECT l.report_id, rn.network_id FROM identifier_links l
	LEFT JOIN report_network rn ON rn.report_id = l.report_id WHERE l.key_id IN (`, `)`)
	qLockKey   = query(`UPDATE identifier_keys SET report_count = report_count WHERE id = ?`)
	qDecideKey = query(`UPDATE identifier_keys SET state = ?, reason = ?, decided_by = ?, decided_at = ? WHERE id = ?`)
	qKeyByID   = query(`SELECT ` + keyColumns + ` FROM identifier_keys WHERE id = ?`)
	qKeyByMAC  = query(`SELECT ` + keyColumns + ` FROM identifier_keys WHERE kind = ? AND mac = ?`)

	qNetworkOfReportID = query(`SELECT network_id FROM report_network WHERE report_id = ?`)
	qLockNetwork       = query(`UPDATE networks SET updated_at = ? WHERE id = ? RETURNING ` + networkColumns)
	qNetworkByID       = query(`SELECT ` + networkColumns + ` FROM networks WHERE id = ?`)
	qNetworkOfReport   = query(`SELECT n.id, n.size, n.first_report_at, n.last_report_at, n.updated_at
	FROM report_network rn JOIN networks n ON n.id = rn.network_id WHERE rn.report_id = ?`)
	qCreateNetwork = insertQuery(`INSERT INTO networks (size, first_report_at, last_report_at, updated_at)
	VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qSetNetwork       = query(`UPDATE networks SET size = ?, first_report_at = ?, last_report_at = ?, updated_at = ? WHERE id = ?`)
	qDeleteNetwork    = query(`DELETE FROM networks WHERE id = ?`)
	qMoveNetwork      = query(`UPDATE report_network SET network_id = ? WHERE network_id = ?`)
	qJoinNetwork      = query(`INSERT INTO report_network (report_id, network_id, received_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`)
	qLeaveNetwork     = query(`DELETE FROM report_network WHERE report_id = ?`)
	qReportReceived   = query(`SELECT received_at FROM reports WHERE id = ?`)
	qNetworkMembersAt = query(`SELECT rn.report_id, r.received_at FROM report_network rn
	JOIN reports r ON r.id = rn.report_id WHERE rn.network_id = ?`)
	qNetworkActiveLinks = query(`SELECT l.report_id, l.key_id FROM report_network rn
	JOIN identifier_links l ON l.report_id = rn.report_id
	JOIN identifier_keys k ON k.id = l.key_id
	WHERE rn.network_id = ? AND k.state = 'active'`)

	qMaxIdentifierPos = query(`SELECT COALESCE(MAX(pos), -1) FROM report_identifiers WHERE report_id = ?`)
	qAppendIdentifier = insertQuery(`INSERT INTO report_identifiers (report_id, pos, kind, value, platform, raw, source) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qReportKeys       = query(`SELECT k.id, k.kind, k.platform, k.mac, k.report_count, k.first_seen, k.last_seen, k.state, k.reason, k.decided_by, k.decided_at,
	ri.id, ri.report_id, ri.kind, ri.value, ri.platform, ri.raw, ri.source
	FROM identifier_links l JOIN identifier_keys k ON k.id = l.key_id JOIN report_identifiers ri ON ri.id = l.identifier_id
	WHERE l.report_id = ? ORDER BY ri.pos, k.id`)
	qCountOtherLinks = query(`SELECT COUNT(*) FROM identifier_links WHERE key_id = ? AND report_id <> ?`)
	qNetworkLinks    = query(`SELECT l.key_id, l.report_id, ri.id, ri.report_id, ri.kind, ri.value, ri.platform, ri.raw, ri.source
	FROM report_network rn
	JOIN identifier_links l ON l.report_id = rn.report_id
	JOIN identifier_keys k ON k.id = l.key_id
	JOIN report_identifiers ri ON ri.id = l.identifier_id
	WHERE rn.network_id = ? AND k.state = 'active' ORDER BY l.key_id, l.report_id`)

	qLinkSavepoint         = query(`SAVEPOINT haven_link`)
	qLinkRollbackSavepoint = query(`ROLLBACK TO SAVEPOINT haven_link`)
	qLinkReleaseSavepoint  = query(`RELEASE SAVEPOINT haven_link`)
)

// reportColumnsAs are reportColumns of the reports table aliased r, and
// reportScopeAs its scope columns.
var (
	reportColumnsAs = prefixColumns("r.", reportColumns)
	reportScopeAs   = scopeColumns{ID: "r.id", AgencyID: "r.agency_id", AssignedTo: "r.assigned_to", CreatedBy: "r.created_by", State: "r.state"}
)

func prefixColumns(p, cols string) string {
	parts := strings.Split(cols, ",")
	for i, c := range parts {
		parts[i] = p + strings.TrimSpace(c)
	}
	return strings.Join(parts, ", ")
}

const (
	noKey     = "no such identifier"
	noNetwork = "no such network"
	// maxLinkTries bounds the restarts of the network phase (rule 2 above);
	// each restart means another transaction committed a change to the
	// same networks meanwhile.
	maxLinkTries = 100
)

// errRestart makes the network phase roll back to its savepoint and start
// again (rule 3 above, or a network it must change that it does not hold).
var errRestart = errors.New("the networks changed meanwhile")

func scanKey(s scanner) (*haven.IdentifierKey, error) {
	var k haven.IdentifierKey
	err := s.Scan(&k.ID, &k.Kind, &k.Platform, bytesCol{&k.MAC}, &k.ReportCount, timeCol{&k.FirstSeen}, timeCol{&k.LastSeen},
		&k.State, &k.Reason, idCol{&k.DecidedBy}, timePtrCol{&k.DecidedAt})
	if err != nil {
		return nil, err
	}
	return &k, nil
}

func scanNetwork(s scanner) (*haven.Network, error) {
	var n haven.Network
	if err := s.Scan(&n.ID, &n.Size, timeCol{&n.FirstReportAt}, timeCol{&n.LastReportAt}, timeCol{&n.UpdatedAt}); err != nil {
		return nil, err
	}
	return &n, nil
}

func (tx *tx) AddReportIdentifiers(ctx context.Context, reportID int64, ids []haven.Identifier) error {
	if len(ids) == 0 {
		return nil
	}
	var pos int
	if err := tx.queryRow(ctx, qMaxIdentifierPos, reportID).Scan(&pos); err != nil {
		return tx.db.failure("add report identifiers", err, "", "")
	}
	for i := range ids {
		id := &ids[i]
		pos++
		rid, err := tx.insert(ctx, qAppendIdentifier, reportID, pos, string(id.Kind), id.Value, id.Platform, id.Raw, id.Source)
		if err != nil {
			return tx.db.failure("add report identifiers", err, "", "the report's identifiers changed meanwhile")
		}
		id.ID, id.ReportID = rid, reportID
	}
	return tx.db.failure("add report identifiers", tx.indexReport(ctx, reportID), "", "")
}

func (tx *tx) LinkReport(ctx context.Context, l *haven.Linking) (*haven.LinkOutcome, error) {
	out, err := tx.linkReport(ctx, l)
	return out, tx.db.failure("link report", err, noReport, "")
}

func (tx *tx) linkReport(ctx context.Context, l *haven.Linking) (*haven.LinkOutcome, error) {
	out := &haven.LinkOutcome{}
	received := timeArg(l.ReceivedAt)
	// One entry per identifier, in (kind, mac) order: the order every
	// transaction locks identifiers in.
	entries := append([]haven.IndexEntry(nil), l.Entries...)
	sort.SliceStable(entries, func(i, j int) bool {
		if entries[i].Kind != entries[j].Kind {
			return entries[i].Kind < entries[j].Kind
		}
		return bytes.Compare(entries[i].MAC, entries[j].MAC) < 0
	})
	uniq := entries[:0:0]
	for i, e := range entries {
		if i > 0 && e.Kind == entries[i-1].Kind && bytes.Equal(e.MAC, entries[i-1].MAC) {
			continue
		}
		uniq = append(uniq, e)
	}
	keys, err := tx.upsertKeys(ctx, uniq, received)
	if err != nil {
		return nil, err
	}
	linked, err := tx.insertLinks(ctx, l.ReportID, uniq, keys)
	if err != nil {
		return nil, err
	}
	out.NewLinks = len(linked)
	// shared are the active identifiers that link other reports too (the
	// others link the report alone, and need no look at their members);
	// flagged those this link took past the threshold.
	var shared, flagged []int64
	if len(linked) > 0 {
		before := make(map[int64]*haven.IdentifierKey, len(keys))
		for _, k := range keys {
			before[k.ID] = k
		}
		counted, err := tx.countKeys(ctx, linked, received, l.Threshold)
		if err != nil {
			return nil, err
		}
		for _, k := range counted {
			if b := before[k.ID]; b.State == haven.KeyActive && k.State == haven.KeyFlagged {
				flagged = append(flagged, k.ID)
			}
			*before[k.ID] = *k
		}
		sort.Slice(flagged, func(i, j int) bool { return flagged[i] < flagged[j] })
	}
	for _, k := range keys {
		if k.State == haven.KeyActive && k.ReportCount > 1 {
			shared = append(shared, k.ID)
		}
	}
	if len(shared) == 0 && len(flagged) == 0 {
		// Linked to nobody, and no network to recompute: the report stays
		// in whatever network it is in (none, unless linked before).
		return out, tx.reportNetworkOutcome(ctx, l.ReportID, out)
	}
	// seen is what the last gather found: with no identifier flagged, the
	// gather after the locks (rule 2) lists exactly the reports and
	// networks joinReports needs, and they cannot change while the locks
	// are held.
	var seen *netSnapshot
	gather := func() (map[int64]bool, error) {
		seen = &netSnapshot{}
		nets := map[int64]bool{}
		err := tx.keysMembers(ctx, l.ReportID, append(append([]int64(nil), shared...), flagged...), func(r, net int64) {
			seen.members = append(seen.members, [2]int64{r, net})
			if net != 0 {
				nets[net] = true
			}
		})
		return nets, err
	}
	var members map[int64]bool
	err = tx.withNetworks(ctx, gather, func(owned map[int64]bool) (err error) {
		if len(flagged) > 0 {
			if err := tx.resplitKeys(ctx, flagged, owned); err != nil {
				return err
			}
		}
		if len(shared) == 0 {
			return nil
		}
		known := seen
		if len(flagged) > 0 {
			known = nil // the resplit changed the networks: read them again
		} else {
			known.nets = tx.locked
		}
		out.NetworkID, members, err = tx.joinReports(ctx, l.ReportID, received, shared, owned, known)
		return err
	})
	if err != nil {
		return nil, err
	}
	for r := range members {
		if r != l.ReportID {
			out.Linked = append(out.Linked, r)
		}
	}
	sort.Slice(out.Linked, func(i, j int) bool { return out.Linked[i] < out.Linked[j] })
	out.Flagged = flagged
	if members == nil {
		return out, tx.reportNetworkOutcome(ctx, l.ReportID, out)
	}
	return out, nil
}

// upsertKeys upserts the identifiers of entries, sorted by (kind, mac) and
// without repeats, and returns their rows in the same order.
func (tx *tx) upsertKeys(ctx context.Context, entries []haven.IndexEntry, received time.Time) ([]*haven.IdentifierKey, error) {
	keys := make([]*haven.IdentifierKey, len(entries))
	at := make(map[string]int, len(entries))
	for i, e := range entries {
		at[string(e.Kind)+"\x00"+string(e.MAC)] = i
	}
	args := make([]any, 0, 5*rowsPerInsert)
	for start := 0; start < len(entries); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(entries))
		args = args[:0]
		for _, e := range entries[start:end] {
			args = append(args, string(e.Kind), e.Platform, bytesArg(e.MAC), received, received)
		}
		err := queryEach(ctx, tx, qUpsertKeys[end-start], args, func(s scanner) error {
			k, err := scanKey(s)
			if err != nil {
				return err
			}
			i, ok := at[string(k.Kind)+"\x00"+string(k.MAC)]
			if !ok || i < start || i >= end {
				return fmt.Errorf("the upsert of identifiers returned one it was not given")
			}
			keys[i] = k
			return nil
		})
		if err != nil {
			return nil, err
		}
	}
	for _, k := range keys {
		if k == nil {
			return nil, fmt.Errorf("the upsert of identifiers returned fewer rows than it was given")
		}
	}
	return keys, nil
}

// insertLinks links the report to keys (entries' identifiers) and returns
// the ids of the keys it was not linked to before, in ascending order.
func (tx *tx) insertLinks(ctx context.Context, reportID int64, entries []haven.IndexEntry, keys []*haven.IdentifierKey) ([]int64, error) {
	var linked []int64
	args := make([]any, 0, 4*rowsPerInsert)
	for start := 0; start < len(keys); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(keys))
		args = args[:0]
		for i := start; i < end; i++ {
			args = append(args, keys[i].ID, reportID, entries[i].IdentifierID, tx.now)
		}
		err := queryEach(ctx, tx, qInsertLinks[end-start], args, func(s scanner) error {
			var id int64
			err := s.Scan(&id)
			linked = append(linked, id)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(linked, func(i, j int) bool { return linked[i] < linked[j] })
	return linked, nil
}

// countKeys counts one more report, received at received, for each
// identifier of ids (whose rows the transaction holds), flagging those it
// takes past the threshold, and returns their rows.
func (tx *tx) countKeys(ctx context.Context, ids []int64, received time.Time, threshold int) ([]*haven.IdentifierKey, error) {
	out := make([]*haven.IdentifierKey, 0, len(ids))
	args := make([]any, 0, 6+rowsPerInsert)
	for start := 0; start < len(ids); start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(ids))
		args = append(args[:0], received, received, received, received, threshold, threshold)
		for _, id := range ids[start:end] {
			args = append(args, id)
		}
		err := queryEach(ctx, tx, qCountKeys[end-start], args, func(s scanner) error {
			k, err := scanKey(s)
			out = append(out, k)
			return err
		})
		if err != nil {
			return nil, err
		}
	}
	if len(out) != len(ids) {
		return nil, fmt.Errorf("counted %d identifiers of %d", len(out), len(ids))
	}
	return out, nil
}

func (tx *tx) reportNetworkOutcome(ctx context.Context, reportID int64, out *haven.LinkOutcome) (err error) {
	out.NetworkID, err = tx.networkIDOf(ctx, reportID)
	return err
}

// networkIDOf returns the report's network id, 0 for none.
func (tx *tx) networkIDOf(ctx context.Context, reportID int64) (int64, error) {
	var id int64
	err := tx.queryRow(ctx, qNetworkOfReportID, reportID).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	return id, err
}

// keysMembers calls fn with the report reportID (if it is not 0) and each
// report linked through the identifiers keyIDs, with its network (0 for
// none); a report linked through several comes several times.
func (tx *tx) keysMembers(ctx context.Context, reportID int64, keyIDs []int64, fn func(reportID, networkID int64)) error {
	args := make([]any, 0, 1+rowsPerInsert)
	for start := 0; start < len(keyIDs) || start == 0; start += rowsPerInsert {
		end := min(start+rowsPerInsert, len(keyIDs))
		if end == start {
			// No identifiers: the report alone.
			n, err := tx.networkIDOf(ctx, reportID)
			if err == nil && reportID != 0 {
				fn(reportID, n)
			}
			return err
		}
		args = append(args[:0], reportID)
		for _, id := range keyIDs[start:end] {
			args = append(args, id)
		}
		err := queryEach(ctx, tx, qKeysMembers[end-start], args, func(s scanner) error {
			var r, n int64
			err := s.Scan(&r, idCol{&n})
			fn(r, n)
			return err
		})
		if err != nil {
			return err
		}
		reportID = 0 // listed once
	}
	return nil
}

// withNetworks runs apply holding the locks of the networks gather names
// (rules 2 and 3 above). apply receives the networks it holds, to which it
// adds those it creates; it must change no other, and returns errRestart
// to start again.
func (tx *tx) withNetworks(ctx context.Context, gather func() (map[int64]bool, error), apply func(owned map[int64]bool) error) error {
	for try := 0; try < maxLinkTries; try++ {
		if _, err := tx.exec(ctx, qLinkSavepoint); err != nil {
			return err
		}
		err := tx.lockAndApply(ctx, gather, apply)
		if errors.Is(err, errRestart) {
			if _, err := tx.exec(ctx, qLinkRollbackSavepoint); err != nil {
				return err
			}
			if _, err := tx.exec(ctx, qLinkReleaseSavepoint); err != nil {
				return err
			}
			continue
		} else if err != nil {
			return err
		}
		_, err = tx.exec(ctx, qLinkReleaseSavepoint)
		return err
	}
	return fmt.Errorf("the networks kept changing: gave up after %d tries", maxLinkTries)
}

func (tx *tx) lockAndApply(ctx context.Context, gather func() (map[int64]bool, error), apply func(owned map[int64]bool) error) error {
	nets, err := gather()
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(nets))
	for id := range nets {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	owned := make(map[int64]bool, len(ids))
	tx.locked = make(map[int64]*haven.Network, len(ids))
	for _, id := range ids {
		n, err := scanNetwork(tx.queryRow(ctx, qLockNetwork, tx.now, id))
		if errors.Is(err, sql.ErrNoRows) {
			return errRestart // merged away meanwhile
		} else if err != nil {
			return err
		}
		owned[id] = true
		tx.locked[id] = n
	}
	again, err := gather()
	if err != nil {
		return err
	}
	for id := range again {
		if !owned[id] {
			return errRestart
		}
	}
	return apply(owned)
}

// netSnapshot is what a transaction holding the locks knows of the networks
// it is about to join: the (report, network) pairs of the reports linked
// through the identifiers, and the locked networks' rows.
type netSnapshot struct {
	members [][2]int64
	nets    map[int64]*haven.Network
}

// network returns the snapshot's row of network id, nil if it has none.
func (s *netSnapshot) network(id int64) *haven.Network {
	if s == nil {
		return nil
	}
	return s.nets[id]
}

// member is a report of a network with when it was received.
type member struct {
	id       int64
	received time.Time
}

// joinReports puts reportID (if not 0) and every report linked through the
// identifiers keyIDs into one network: the largest among theirs (on a tie
// the one with the lowest id), so that the fewest reports move and a large
// network keeps its id, or a new one when none of them is in a network. It returns that
// network and the reports it put in it; nothing happens (0) when that makes
// fewer than two reports.
//
// known, when not nil, is what the caller read under the locks: the members
// (as keysMembers(reportID, keyIDs) lists them) and the networks' rows.
func (tx *tx) joinReports(ctx context.Context, reportID int64, received time.Time, keyIDs []int64, owned map[int64]bool, known *netSnapshot) (int64, map[int64]bool, error) {
	nets := map[int64]bool{}
	loose := map[int64]bool{}
	add := func(r, n int64) {
		if n != 0 {
			nets[n] = true
		} else {
			loose[r] = true
		}
	}
	all := map[int64]bool{}
	if known != nil {
		for _, m := range known.members {
			add(m[0], m[1])
			all[m[0]] = true
		}
	} else if err := tx.keysMembers(ctx, reportID, keyIDs, func(r, n int64) { add(r, n); all[r] = true }); err != nil {
		return 0, nil, err
	}
	if len(all) < 2 {
		return 0, nil, nil
	}
	var ids []int64
	for id := range nets {
		if !owned[id] {
			return 0, nil, errRestart
		}
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	var size int
	var first, last time.Time
	widen := func(t time.Time) {
		if first.IsZero() || t.Before(first) {
			first = t
		}
		if last.IsZero() || t.After(last) {
			last = t
		}
	}
	var target int64 // the largest network, on a tie the lowest id
	largest := 0
	for _, id := range ids {
		n := known.network(id)
		if n == nil {
			var err error
			if n, err = scanNetwork(tx.queryRow(ctx, qNetworkByID, id)); err != nil {
				return 0, nil, err
			}
		}
		if n.Size > largest {
			target, largest = id, n.Size
		}
		size += n.Size
		widen(n.FirstReportAt)
		widen(n.LastReportAt)
	}
	var joining []member
	for r := range loose {
		m := member{id: r, received: received}
		if r != reportID {
			if err := tx.queryRow(ctx, qReportReceived, r).Scan(timeCol{&m.received}); err != nil {
				return 0, nil, err
			}
		}
		joining = append(joining, m)
		size++
		widen(m.received)
	}
	sort.Slice(joining, func(i, j int) bool { return joining[i].id < joining[j].id })
	if len(ids) > 0 {
		// The smaller networks move into the largest, whose reports stay.
		for _, other := range ids {
			if other == target {
				continue
			}
			if _, err := tx.exec(ctx, qMoveNetwork, target, other); err != nil {
				return 0, nil, err
			}
			if _, err := tx.exec(ctx, qDeleteNetwork, other); err != nil {
				return 0, nil, err
			}
		}
		if _, err := tx.exec(ctx, qSetNetwork, size, first, last, tx.now, target); err != nil {
			return 0, nil, err
		}
	} else {
		id, err := tx.insert(ctx, qCreateNetwork, size, first, last, tx.now)
		if err != nil {
			return 0, nil, err
		}
		target = id
		owned[id] = true
	}
	for _, m := range joining {
		res, err := tx.exec(ctx, qJoinNetwork, m.id, target, timeArg(m.received))
		if err != nil {
			return 0, nil, err
		}
		if n, err := res.RowsAffected(); err != nil {
			return 0, nil, err
		} else if n == 0 {
			return 0, nil, errRestart // another transaction put it in a network first
		}
	}
	return target, all, nil
}

// resplit recomputes one network as the connected components of its
// members over the links through active identifiers, found by a
// breadth-first search. The largest component (on a tie, the one with the
// earliest report) keeps the network's id; every other component of two
// reports or more becomes a new network; a report left alone leaves.
func (tx *tx) resplit(ctx context.Context, id int64, owned map[int64]bool) error {
	members, err := tx.networkMembers(ctx, id)
	if err != nil {
		return err
	}
	index := make(map[int64]int, len(members))
	for i, m := range members {
		index[m.id] = i
	}
	byKey := map[int64][]int{}    // identifier → members linked through it
	byMember := map[int][]int64{} // member → its active identifiers
	if err := tx.queryPairs(ctx, qNetworkActiveLinks, []any{id}, func(r, k int64) error {
		i, ok := index[r]
		if !ok {
			return nil
		}
		byKey[k] = append(byKey[k], i)
		byMember[i] = append(byMember[i], k)
		return nil
	}); err != nil {
		return err
	}
	// Breadth-first search from each member not yet reached.
	comp := make([]int, len(members))
	for i := range comp {
		comp[i] = -1
	}
	var comps [][]member
	for start := range members {
		if comp[start] >= 0 {
			continue
		}
		c := len(comps)
		comp[start] = c
		queue := []int{start}
		for q := 0; q < len(queue); q++ {
			for _, k := range byMember[queue[q]] {
				for _, j := range byKey[k] {
					if comp[j] < 0 {
						comp[j] = c
						queue = append(queue, j)
					}
				}
				byKey[k] = nil // every member through k is reached now
			}
		}
		found := make([]member, len(queue))
		for i, j := range queue {
			found[i] = members[j]
		}
		comps = append(comps, found)
	}
	sortComponents(comps)
	if err := tx.moveParts(ctx, comps[min(1, len(comps)):], owned); err != nil {
		return err
	}
	if len(comps) > 0 && len(comps[0]) >= 2 {
		first, last := span(comps[0])
		_, err := tx.exec(ctx, qSetNetwork, len(comps[0]), first, last, tx.now, id)
		return err
	}
	if len(comps) > 0 {
		if _, err := tx.exec(ctx, qLeaveNetwork, comps[0][0].id); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, qDeleteNetwork, id)
	return err
}

// networkMembers lists a network's reports with when they were received.
func (tx *tx) networkMembers(ctx context.Context, id int64) ([]member, error) {
	return queryAll(ctx, tx, func(s scanner) (member, error) {
		var m member
		err := s.Scan(&m.id, timeCol{&m.received})
		return m, err
	}, qNetworkMembersAt, id)
}

// sortComponents orders the parts of a network largest first, on a tie the
// one with the earliest report (then the lowest report id) first.
func sortComponents(comps [][]member) {
	earliest := func(c []member) member {
		e := c[0]
		for _, m := range c[1:] {
			if m.received.Before(e.received) || (m.received.Equal(e.received) && m.id < e.id) {
				e = m
			}
		}
		return e
	}
	sort.SliceStable(comps, func(a, b int) bool {
		if len(comps[a]) != len(comps[b]) {
			return len(comps[a]) > len(comps[b])
		}
		ea, eb := earliest(comps[a]), earliest(comps[b])
		return ea.received.Before(eb.received) || (ea.received.Equal(eb.received) && ea.id < eb.id)
	})
}

// span returns the first and last times the members were received.
func span(c []member) (first, last time.Time) {
	for i, m := range c {
		if i == 0 || m.received.Before(first) {
			first = m.received
		}
		if i == 0 || m.received.After(last) {
			last = m.received
		}
	}
	return first, last
}

func (tx *tx) DecideIdentifierKey(ctx context.Context, id int64, state haven.KeyState, reason string, by int64) (*haven.IdentifierKey, error) {
	k, err := tx.decideKey(ctx, id, state, reason, by)
	return k, tx.db.failure("decide identifier", err, noKey, "")
}

func (tx *tx) decideKey(ctx context.Context, id int64, state haven.KeyState, reason string, by int64) (*haven.IdentifierKey, error) {
	if state != haven.KeyActive && state != haven.KeyExcluded {
		return nil, haven.Errorf(haven.EINVALID, "an identifier is decided active or excluded, not %q", state)
	}
	if err := tx.execOne(ctx, qLockKey, id); err != nil { // rule 1
		return nil, err
	}
	before, err := scanKey(tx.queryRow(ctx, qKeyByID, id))
	if err != nil {
		return nil, err
	}
	if _, err := tx.exec(ctx, qDecideKey, string(state), reason, idArg(by), tx.now, id); err != nil {
		return nil, err
	}
	gather := func() (map[int64]bool, error) {
		nets := map[int64]bool{}
		err := tx.keysMembers(ctx, 0, []int64{id}, func(_, n int64) {
			if n != 0 {
				nets[n] = true
			}
		})
		return nets, err
	}
	switch {
	case before.Links() && state != haven.KeyActive:
		err = tx.withNetworks(ctx, gather, func(owned map[int64]bool) error { return tx.resplitKeys(ctx, []int64{id}, owned) })
	case !before.Links() && state == haven.KeyActive:
		err = tx.withNetworks(ctx, gather, func(owned map[int64]bool) error {
			_, _, err := tx.joinReports(ctx, 0, time.Time{}, []int64{id}, owned, nil)
			return err
		})
	}
	if err != nil {
		return nil, err
	}
	return scanKey(tx.queryRow(ctx, qKeyByID, id))
}

func (tx *tx) IdentifierKeyByID(ctx context.Context, id int64) (*haven.IdentifierKey, error) {
	k, err := scanKey(tx.queryRow(ctx, qKeyByID, id))
	return k, tx.db.failure("identifier by id", err, noKey, "")
}

func (tx *tx) IdentifierKeyByMAC(ctx context.Context, kind haven.IdentifierKind, mac []byte) (*haven.IdentifierKey, error) {
	k, err := scanKey(tx.queryRow(ctx, qKeyByMAC, string(kind), bytesArg(mac)))
	return k, tx.db.failure("identifier by mac", err, noKey, "")
}

func keyWhere(f haven.IdentifierKeyFilter) *where {
	w := &where{}
	eq(w, "state", string(f.State))
	eq(w, "kind", string(f.Kind))
	return w
}

var keyListing = listing[*haven.IdentifierKey]{"identifier_keys", keyColumns, "report_count DESC, id", scanKey}

func (tx *tx) ListIdentifierKeys(ctx context.Context, f haven.IdentifierKeyFilter) ([]*haven.IdentifierKey, error) {
	return list(ctx, tx, keyListing, keyWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountIdentifierKeys(ctx context.Context, f haven.IdentifierKeyFilter) (int, error) {
	return tx.countWhere(ctx, "identifier_keys", keyWhere(f))
}

func (tx *tx) ReportLinks(ctx context.Context, reportID int64, scope haven.Scope, perKey int) ([]*haven.ReportLink, error) {
	out, err := tx.reportLinks(ctx, reportID, scope, perKey)
	return out, tx.db.failure("report links", err, "", "")
}

func (tx *tx) reportLinks(ctx context.Context, reportID int64, scope haven.Scope, perKey int) ([]*haven.ReportLink, error) {
	links, err := queryAll(ctx, tx, func(s scanner) (*haven.ReportLink, error) {
		var k haven.IdentifierKey
		l := &haven.ReportLink{Key: &k}
		id := &l.Identifier
		err := s.Scan(&k.ID, &k.Kind, &k.Platform, bytesCol{&k.MAC}, &k.ReportCount, timeCol{&k.FirstSeen}, timeCol{&k.LastSeen},
			&k.State, &k.Reason, idCol{&k.DecidedBy}, timePtrCol{&k.DecidedAt},
			&id.ID, &id.ReportID, &id.Kind, &id.Value, &id.Platform, &id.Raw, &id.Source)
		return l, err
	}, qReportKeys, reportID)
	if err != nil {
		return nil, err
	}
	var out []*haven.ReportLink
	for _, l := range links {
		if err := tx.queryRow(ctx, qCountOtherLinks, l.Key.ID, reportID).Scan(&l.Total); err != nil {
			return nil, err
		}
		if l.Total == 0 {
			continue
		}
		w := &where{}
		w.add("l.key_id = ?", l.Key.ID)
		w.add("l.report_id <> ?", reportID)
		w.scope(scope, reportScopeAs)
		from := ` FROM identifier_links l JOIN reports r ON r.id = l.report_id`
		if scope.All {
			l.Visible = l.Total
		} else if err := tx.queryRow(ctx, `SELECT COUNT(*)`+from+w.String(), w.args...).Scan(&l.Visible); err != nil {
			return nil, err
		}
		if l.Visible > 0 && perKey > 0 {
			q, args := w.list(`SELECT `+reportColumnsAs+from, "r.received_at DESC, r.id DESC", perKey, 0)
			if l.Reports, err = queryAll(ctx, tx, scanReport, q, args...); err != nil {
				return nil, err
			}
		}
		out = append(out, l)
	}
	return out, nil
}

// identifierReportsWhere selects the reports linked through an identifier
// that scope selects.
func identifierReportsWhere(keyID int64, scope haven.Scope) *where {
	w := &where{}
	w.add("l.key_id = ?", keyID)
	w.scope(scope, reportScopeAs)
	return w
}

const identifierReportsFrom = ` FROM identifier_links l JOIN reports r ON r.id = l.report_id
	JOIN report_identifiers ri ON ri.id = l.identifier_id`

func (tx *tx) IdentifierReports(ctx context.Context, keyID int64, scope haven.Scope, limit, offset int) ([]*haven.LinkedReport, error) {
	w := identifierReportsWhere(keyID, scope)
	q, args := w.list(`SELECT `+reportColumnsAs+`, ri.id, ri.report_id, ri.kind, ri.value, ri.platform, ri.raw, ri.source, l.linked_at`+
		identifierReportsFrom, "r.received_at DESC, r.id DESC", limit, offset)
	out, err := queryAll(ctx, tx, func(s scanner) (*haven.LinkedReport, error) {
		var r haven.Report
		lr := &haven.LinkedReport{Report: &r}
		id := &lr.Identifier
		err := s.Scan(append(reportDest(&r),
			&id.ID, &id.ReportID, &id.Kind, &id.Value, &id.Platform, &id.Raw, &id.Source, timeCol{&lr.LinkedAt})...)
		return lr, err
	}, q, args...)
	return out, tx.db.failure("identifier reports", err, "", "")
}

func (tx *tx) CountIdentifierReports(ctx context.Context, keyID int64, scope haven.Scope) (int, error) {
	w := identifierReportsWhere(keyID, scope)
	var n int
	err := tx.queryRow(ctx, `SELECT COUNT(*) FROM identifier_links l JOIN reports r ON r.id = l.report_id`+w.String(), w.args...).Scan(&n)
	return n, tx.db.failure("count identifier reports", err, "", "")
}

func (tx *tx) NetworkByID(ctx context.Context, id int64) (*haven.Network, error) {
	n, err := scanNetwork(tx.queryRow(ctx, qNetworkByID, id))
	return n, tx.db.failure("network by id", err, noNetwork, "")
}

func (tx *tx) NetworkOfReport(ctx context.Context, reportID int64) (*haven.Network, error) {
	n, err := scanNetwork(tx.queryRow(ctx, qNetworkOfReport, reportID))
	return n, tx.db.failure("network of report", err, "the report is in no network", "")
}

func (tx *tx) NetworkMembers(ctx context.Context, id int64, scope haven.Scope) ([]*haven.Report, error) {
	w := &where{}
	w.add("rn.network_id = ?", id)
	w.scope(scope, reportScopeAs)
	q, args := w.list(`SELECT `+reportColumnsAs+` FROM report_network rn JOIN reports r ON r.id = rn.report_id`,
		"r.received_at, r.id", 0, 0)
	rs, err := queryAll(ctx, tx, scanReport, q, args...)
	return rs, tx.db.failure("network members", err, "", "")
}

func (tx *tx) NetworkLinks(ctx context.Context, id int64) ([]*haven.NetworkLink, error) {
	ls, err := queryAll(ctx, tx, func(s scanner) (*haven.NetworkLink, error) {
		var l haven.NetworkLink
		i := &l.Identifier
		err := s.Scan(&l.KeyID, &l.ReportID, &i.ID, &i.ReportID, &i.Kind, &i.Value, &i.Platform, &i.Raw, &i.Source)
		return &l, err
	}, qNetworkLinks, id)
	return ls, tx.db.failure("network links", err, "", "")
}
