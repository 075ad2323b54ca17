package storetest

import (
	"context"
	"crypto/sha256"
	"fmt"
	"math/rand/v2"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The identifier index and the networks of linked reports (haven.IndexTx).

func init() { register(linkTests) }

// linkWorld is a store with reports named by letters, each carrying
// identifiers written "kind:value" or "kind:platform:value".
type linkWorld struct {
	t       *testing.T
	s       haven.Store
	reports map[string]*haven.Report
	names   []string
	n       int
}

func newLinkWorld(t *testing.T, s haven.Store) *linkWorld {
	return &linkWorld{t: t, s: s, reports: map[string]*haven.Report{}}
}

// identifier parses "kind:value" or "kind:platform:value".
func identifier(spec string) haven.Identifier {
	parts := strings.SplitN(spec, ":", 3)
	id := haven.Identifier{Kind: haven.IdentifierKind(parts[0]), Source: "narrative"}
	if len(parts) == 3 {
		id.Platform, id.Value = parts[1], parts[2]
	} else {
		id.Value = parts[1]
	}
	id.Raw = id.Value
	return id
}

// report stores a report received at the given hour of the test day.
func (w *linkWorld) report(name string, hour int, ids ...string) *haven.Report {
	w.t.Helper()
	w.n++
	r := newReport(fmt.Sprintf("HV-LINK-%04d", w.n), at(hour, 0, 0, w.n))
	for _, spec := range ids {
		r.Identifiers = append(r.Identifiers, identifier(spec))
	}
	mustReport(w.t, w.s, r)
	w.reports[name] = r
	w.names = append(w.names, name)
	return r
}

// mac stands in for the key file's blind index in these tests.
func mac(kind haven.IdentifierKind, platform, value string) []byte {
	sum := sha256.Sum256(haven.IndexInput(kind, platform, value))
	return sum[:]
}

// linking is the request to link r through all its identifiers.
func linking(r *haven.Report, threshold int) *haven.Linking {
	l := &haven.Linking{ReportID: r.ID, ReceivedAt: r.ReceivedAt, Threshold: threshold}
	for _, id := range r.Identifiers {
		l.Entries = append(l.Entries, haven.IndexEntry{Kind: id.Kind, Platform: id.Platform, MAC: mac(id.Kind, id.Platform, id.Value), IdentifierID: id.ID})
	}
	return l
}

// link links the named report with threshold (0 = haven.FlagThreshold).
func (w *linkWorld) link(name string, threshold int) *haven.LinkOutcome {
	w.t.Helper()
	if threshold == 0 {
		threshold = haven.FlagThreshold
	}
	var out *haven.LinkOutcome
	update(w.t, w.s, func(tx haven.Tx) (err error) {
		out, err = tx.LinkReport(context.Background(), linking(w.reports[name], threshold))
		return err
	})
	return out
}

// key returns the index entry of an identifier spec.
func (w *linkWorld) key(spec string) *haven.IdentifierKey {
	w.t.Helper()
	id := identifier(spec)
	var k *haven.IdentifierKey
	view(w.t, w.s, func(tx haven.Tx) (err error) {
		k, err = tx.IdentifierKeyByMAC(context.Background(), id.Kind, mac(id.Kind, id.Platform, id.Value))
		return err
	})
	return k
}

func (w *linkWorld) decide(spec string, state haven.KeyState, reason string) *haven.IdentifierKey {
	w.t.Helper()
	k := w.key(spec)
	update(w.t, w.s, func(tx haven.Tx) (err error) {
		k, err = tx.DecideIdentifierKey(context.Background(), k.ID, state, reason, 0)
		return err
	})
	return k
}

// networkOf returns the named report's network (nil for none).
func (w *linkWorld) networkOf(name string) *haven.Network {
	w.t.Helper()
	var n *haven.Network
	view(w.t, w.s, func(tx haven.Tx) (err error) {
		n, err = tx.NetworkOfReport(context.Background(), w.reports[name].ID)
		if haven.ErrorCode(err) == haven.ENOTFOUND {
			n, err = nil, nil
		}
		return err
	})
	return n
}

// expectNetworks checks that the networks are exactly the groups: each group
// of names in one network of its size spanning its reports' times, different
// groups in different networks, every other report in none. It returns the
// network id of each group.
func (w *linkWorld) expectNetworks(what string, groups ...[]string) []int64 {
	w.t.Helper()
	in := map[string]bool{}
	ids := make([]int64, len(groups))
	seen := map[int64]int{}
	for gi, g := range groups {
		var first, last time.Time
		for i, name := range g {
			rt := w.reports[name].ReceivedAt
			if i == 0 || rt.Before(first) {
				first = rt
			}
			if i == 0 || rt.After(last) {
				last = rt
			}
		}
		for i, name := range g {
			in[name] = true
			n := w.networkOf(name)
			if n == nil {
				w.t.Errorf("%s: report %s is in no network, want it with %v", what, name, g)
				continue
			}
			if i == 0 {
				ids[gi] = n.ID
				if other, dup := seen[n.ID]; dup {
					w.t.Errorf("%s: groups %v and %v share network %d", what, groups[other], g, n.ID)
				}
				seen[n.ID] = gi
				if n.Size != len(g) || !n.FirstReportAt.Equal(first) || !n.LastReportAt.Equal(last) {
					w.t.Errorf("%s: network of %v has size %d, %v to %v; want %d, %v to %v", what, g, n.Size,
						n.FirstReportAt, n.LastReportAt, len(g), first, last)
				}
			} else if n.ID != ids[gi] {
				w.t.Errorf("%s: report %s is in network %d, want %d with %v", what, name, n.ID, ids[gi], g)
			}
		}
	}
	for _, name := range w.names {
		if !in[name] {
			if n := w.networkOf(name); n != nil {
				w.t.Errorf("%s: report %s is in network %d (size %d), want none", what, name, n.ID, n.Size)
			}
		}
	}
	return ids
}

var linkTests = []test{
	{"linking round-trips identifiers, links and networks", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newLinkWorld(t, s)
		a := w.report("A", 9, "phone:+12025550147", "handle:instagram:star.example")
		b := w.report("B", 11, "phone:+12025550147", "email:rae@example.com")
		c := w.report("C", 10, "email:rae@example.com")
		w.report("D", 12, "phone:+12025550199")

		out := w.link("A", 0)
		if out.NewLinks != 2 || out.NetworkID != 0 || len(out.Linked) != 0 {
			t.Fatalf("linking the first report: %+v, want 2 new links and no network", out)
		}
		w.expectNetworks("a lone report")
		out = w.link("B", 0)
		if out.NewLinks != 2 || out.NetworkID == 0 || len(out.Linked) != 1 || out.Linked[0] != a.ID {
			t.Fatalf("linking B: %+v, want it linked to A in a new network", out)
		}
		w.expectNetworks("A and B share a phone", []string{"A", "B"})
		out = w.link("C", 0)
		w.link("D", 0)
		ids := w.expectNetworks("C shares B's email", []string{"A", "B", "C"})
		if out.NetworkID != ids[0] {
			t.Errorf("C's outcome names network %d, want %d", out.NetworkID, ids[0])
		}

		phone := w.key("phone:+12025550147")
		if phone.Kind != haven.IDPhone || phone.Platform != "" || phone.ReportCount != 2 || phone.State != haven.KeyActive ||
			!phone.FirstSeen.Equal(a.ReceivedAt) || !phone.LastSeen.Equal(b.ReceivedAt) || phone.DecidedAt != nil ||
			string(phone.MAC) != string(mac(haven.IDPhone, "", "+12025550147")) {
			t.Errorf("the phone's index entry: %s", dump(phone))
		}
		if h := w.key("handle:instagram:star.example"); h.Platform != "instagram" || h.ReportCount != 1 {
			t.Errorf("the handle's index entry: %s", dump(h))
		}
		is(t, "IdentifierKeyByID", phone)(func() (any, error) {
			var k *haven.IdentifierKey
			err := s.View(ctx, func(tx haven.Tx) (err error) { k, err = tx.IdentifierKeyByID(ctx, phone.ID); return err })
			return k, err
		}())
		view(t, s, func(tx haven.Tx) error {
			_, err := tx.IdentifierKeyByID(ctx, 999999)
			wantCode(t, "IdentifierKeyByID of a missing id", err, haven.ENOTFOUND)
			_, err = tx.IdentifierKeyByMAC(ctx, haven.IDPhone, mac(haven.IDEmail, "", "+12025550147"))
			wantCode(t, "IdentifierKeyByMAC of another kind", err, haven.ENOTFOUND)
			_, err = tx.NetworkByID(ctx, 999999)
			wantCode(t, "NetworkByID of a missing id", err, haven.ENOTFOUND)

			// B's links: its phone to A, its email to C, each with B's own row.
			links, err := tx.ReportLinks(ctx, b.ID, haven.Scope{All: true}, 10)
			if err != nil {
				return err
			}
			if len(links) != 2 || links[0].Identifier.ID != b.Identifiers[0].ID || links[0].Identifier.Value != "+12025550147" ||
				links[0].Total != 1 || links[0].Visible != 1 || len(links[0].Reports) != 1 || links[0].Reports[0].ID != a.ID ||
				links[1].Identifier.Kind != haven.IDEmail || links[1].Reports[0].ID != c.ID || links[1].Key.ReportCount != 2 {
				t.Errorf("B's links: %s", dump(links))
			}
			// A's handle links nowhere, so it is not listed.
			if links, err = tx.ReportLinks(ctx, a.ID, haven.Scope{All: true}, 10); err != nil {
				return err
			} else if len(links) != 1 || links[0].Key.ID != phone.ID {
				t.Errorf("A's links: %s", dump(links))
			}
			// A scope that selects nothing hides the reports but not the total.
			if links, err = tx.ReportLinks(ctx, b.ID, haven.Scope{}, 10); err != nil {
				return err
			} else if len(links) != 2 || links[0].Visible != 0 || links[0].Total != 1 || links[0].Reports != nil {
				t.Errorf("B's links with an empty scope: %s", dump(links))
			}

			lr, err := tx.IdentifierReports(ctx, phone.ID, haven.Scope{All: true}, 10, 0)
			if err != nil {
				return err
			}
			if len(lr) != 2 || lr[0].Report.ID != b.ID || lr[1].Report.ID != a.ID || lr[1].Identifier.ID != a.Identifiers[0].ID ||
				lr[0].Report.Ref != b.Ref || lr[0].LinkedAt.IsZero() {
				t.Errorf("the phone's reports, newest first: %s", dump(lr))
			}
			if lr, err = tx.IdentifierReports(ctx, phone.ID, haven.Scope{All: true}, 1, 1); err != nil {
				return err
			} else if len(lr) != 1 || lr[0].Report.ID != a.ID {
				t.Errorf("the phone's second report: %s", dump(lr))
			}
			if n, err := tx.CountIdentifierReports(ctx, phone.ID, haven.Scope{All: true}); err != nil || n != 2 {
				t.Errorf("CountIdentifierReports = %d, %v; want 2", n, err)
			}
			if n, err := tx.CountIdentifierReports(ctx, phone.ID, haven.Scope{}); err != nil || n != 0 {
				t.Errorf("CountIdentifierReports with an empty scope = %d, %v; want 0", n, err)
			}

			n, err := tx.NetworkByID(ctx, ids[0])
			if err != nil {
				return err
			}
			members, err := tx.NetworkMembers(ctx, n.ID, haven.Scope{All: true})
			if err != nil {
				return err
			}
			var got []int64
			for _, m := range members {
				got = append(got, m.ID)
			}
			same(t, "network members, oldest first", got, []int64{a.ID, c.ID, b.ID})
			nl, err := tx.NetworkLinks(ctx, n.ID)
			if err != nil {
				return err
			}
			var pairs []string
			for _, l := range nl {
				pairs = append(pairs, fmt.Sprintf("%s %d %s", l.Identifier.Kind, l.ReportID, l.Identifier.Value))
			}
			sort.Strings(pairs)
			same(t, "network links", pairs, []string{
				fmt.Sprintf("email %d rae@example.com", b.ID), fmt.Sprintf("email %d rae@example.com", c.ID),
				fmt.Sprintf("handle %d star.example", a.ID),
				fmt.Sprintf("phone %d +12025550147", a.ID), fmt.Sprintf("phone %d +12025550147", b.ID),
			})

			keys, err := tx.ListIdentifierKeys(ctx, haven.IdentifierKeyFilter{Kind: haven.IDPhone})
			if err != nil {
				return err
			}
			if len(keys) != 2 || keys[0].ID != phone.ID || keys[1].ReportCount != 1 {
				t.Errorf("phones, most linked first: %s", dump(keys))
			}
			if n, err := tx.CountIdentifierKeys(ctx, haven.IdentifierKeyFilter{}); err != nil || n != 4 {
				t.Errorf("CountIdentifierKeys = %d, %v; want 4", n, err)
			}
			if n, err := tx.CountIdentifierKeys(ctx, haven.IdentifierKeyFilter{State: haven.KeyFlagged}); err != nil || n != 0 {
				t.Errorf("flagged identifiers = %d, %v; want 0", n, err)
			}
			return nil
		})
	}},

	{"identifiers found later are appended to a report's own", func(t *testing.T, s haven.Store) {
		ctx := context.Background()
		w := newLinkWorld(t, s)
		r := w.report("A", 9, "phone:+12025550147")
		found := []haven.Identifier{{Kind: haven.IDEmail, Value: "rae@example.com", Raw: "rae at example dot com", Source: "narrative"}}
		update(t, s, func(tx haven.Tx) error { return tx.AddReportIdentifiers(ctx, r.ID, found) })
		if found[0].ID == 0 || found[0].ReportID != r.ID {
			t.Fatalf("AddReportIdentifiers set %+v", found[0])
		}
		var got *haven.Report
		view(t, s, func(tx haven.Tx) (err error) { got, err = tx.ReportByID(ctx, r.ID); return err })
		same(t, "the report's identifiers", got.Identifiers, append(append([]haven.Identifier(nil), r.Identifiers...), found...))
	}},

	{"linking merges the networks a report connects into the largest", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		w.report("A", 1, "phone:+12025550101")
		w.report("B", 2, "phone:+12025550101")
		w.report("C", 3, "email:c@example.com")
		w.report("D", 4, "email:c@example.com")
		w.report("E", 5, "handle:x:e")
		w.report("F", 6, "handle:x:e")
		w.report("H", 8, "handle:x:e")
		w.report("G", 7, "phone:+12025550101", "email:c@example.com", "handle:x:e", "phone:+12025550102")
		for _, n := range []string{"A", "B", "C", "D", "E", "F", "H"} {
			w.link(n, 0)
		}
		ids := w.expectNetworks("two pairs and a three", []string{"A", "B"}, []string{"C", "D"}, []string{"E", "F", "H"})
		out := w.link("G", 0)
		merged := w.expectNetworks("G joins them", []string{"A", "B", "C", "D", "E", "F", "G", "H"})
		if merged[0] != ids[2] || out.NetworkID != ids[2] || len(out.Linked) != 7 {
			t.Errorf("merged into network %d (outcome %+v), want the largest, %d", merged[0], out, ids[2])
		}
		// Two of the same size: the lowest id.
		w.report("P", 9, "phone:+12025550111")
		w.report("Q", 10, "phone:+12025550111")
		w.report("R", 11, "phone:+12025550112")
		w.report("S", 12, "phone:+12025550112")
		w.report("T", 13, "phone:+12025550111", "phone:+12025550112")
		for _, n := range []string{"P", "Q", "R", "S"} {
			w.link(n, 0)
		}
		pairs := w.expectNetworks("two pairs", []string{"A", "B", "C", "D", "E", "F", "G", "H"}, []string{"P", "Q"}, []string{"R", "S"})
		w.link("T", 0)
		tied := w.expectNetworks("T joins them", []string{"A", "B", "C", "D", "E", "F", "G", "H"}, []string{"P", "Q", "R", "S", "T"})
		if low := min(pairs[1], pairs[2]); tied[1] != low {
			t.Errorf("two networks of two merged into %d, want the lower id %d", tied[1], low)
		}
		var err error
		for _, id := range append(ids[:2:2], max(pairs[1], pairs[2])) {
			view(t, s, func(tx haven.Tx) error {
				_, err = tx.NetworkByID(context.Background(), id)
				return nil
			})
			wantCode(t, "a network merged away", err, haven.ENOTFOUND)
		}
	}},

	{"excluding an identifier splits the networks it held together", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		// A–B through a phone, B–C through the hotline's own number, C–D
		// through an email, D–E through the hotline's number too.
		w.report("A", 1, "phone:+12025550101")
		w.report("B", 2, "phone:+12025550101", "phone:+18883737888")
		w.report("C", 3, "phone:+18883737888", "email:c@example.com")
		w.report("D", 4, "email:c@example.com", "phone:+18883737888")
		w.report("E", 5, "phone:+18883737888")
		w.report("F", 6, "handle:x:f")
		for _, n := range w.names {
			w.link(n, 0)
		}
		before := w.expectNetworks("one network through the hotline's number", []string{"A", "B", "C", "D", "E"})

		k := w.decide("phone:+18883737888", haven.KeyExcluded, "the hotline's own number")
		if k.State != haven.KeyExcluded || k.Reason != "the hotline's own number" || k.DecidedAt == nil || k.ReportCount != 4 {
			t.Errorf("the excluded identifier: %s", dump(k))
		}
		after := w.expectNetworks("split without it", []string{"A", "B"}, []string{"C", "D"})
		if after[0] != before[0] && after[1] != before[0] {
			t.Errorf("neither part kept the network's id %d: %v", before[0], after)
		}
		// A report carrying only the excluded number links to nothing.
		w.report("G", 7, "phone:+18883737888")
		if out := w.link("G", 0); out.NetworkID != 0 || len(out.Linked) != 0 || out.NewLinks != 1 {
			t.Errorf("linking through an excluded identifier: %+v", out)
		}
		w.expectNetworks("an excluded identifier links nothing", []string{"A", "B"}, []string{"C", "D"})
		if k := w.key("phone:+18883737888"); k.ReportCount != 5 || k.State != haven.KeyExcluded {
			t.Errorf("the excluded identifier still counts its reports: %s", dump(k))
		}

		// Confirming it links through it again.
		k = w.decide("phone:+18883737888", haven.KeyActive, "")
		if k.State != haven.KeyActive || k.DecidedAt == nil {
			t.Errorf("the confirmed identifier: %s", dump(k))
		}
		w.expectNetworks("together again", []string{"A", "B", "C", "D", "E", "G"})

		// Excluding the only link of a pair leaves both in no network.
		w.report("H", 8, "handle:x:f")
		w.link("H", 0)
		w.expectNetworks("F and H", []string{"A", "B", "C", "D", "E", "G"}, []string{"F", "H"})
		w.decide("handle:x:f", haven.KeyExcluded, "a platform's support account")
		w.expectNetworks("F and H apart", []string{"A", "B", "C", "D", "E", "G"})

		update(t, s, func(tx haven.Tx) error {
			_, err := tx.DecideIdentifierKey(context.Background(), 999999, haven.KeyExcluded, "x", 0)
			wantCode(t, "deciding a missing identifier", err, haven.ENOTFOUND)
			return nil
		})
	}},

	{"an identifier over the threshold is flagged and stops linking", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		const threshold = 3
		w.report("A", 1, "phone:+12025550100", "email:a@example.com")
		w.report("B", 2, "phone:+12025550100", "email:a@example.com")
		w.report("C", 3, "phone:+12025550100")
		w.report("D", 4, "phone:+12025550100")
		w.report("E", 5, "phone:+12025550100")
		for _, n := range []string{"A", "B", "C"} {
			if out := w.link(n, threshold); len(out.Flagged) != 0 {
				t.Fatalf("%s flagged %v at or under the threshold", n, out.Flagged)
			}
		}
		w.expectNetworks("three through the phone", []string{"A", "B", "C"})
		out := w.link("D", threshold)
		k := w.key("phone:+12025550100")
		if len(out.Flagged) != 1 || out.Flagged[0] != k.ID || k.State != haven.KeyFlagged || k.ReportCount != 4 || out.NetworkID != 0 {
			t.Fatalf("the fourth report: outcome %+v, identifier %s", out, dump(k))
		}
		// The phone no longer links: only A and B, who share an email, stay together.
		w.expectNetworks("without the flagged phone", []string{"A", "B"})
		w.link("E", threshold)
		w.expectNetworks("a flagged identifier links nothing", []string{"A", "B"})
		view(t, s, func(tx haven.Tx) error {
			keys, err := tx.ListIdentifierKeys(context.Background(), haven.IdentifierKeyFilter{State: haven.KeyFlagged})
			if err != nil {
				return err
			}
			if len(keys) != 1 || keys[0].ID != k.ID || keys[0].ReportCount != 5 {
				t.Errorf("the review queue: %s", dump(keys))
			}
			return nil
		})

		// An analyst confirms it: it links again and is never flagged again.
		w.decide("phone:+12025550100", haven.KeyActive, "one trafficker's number across these ads")
		w.expectNetworks("confirmed", []string{"A", "B", "C", "D", "E"})
		w.report("F", 6, "phone:+12025550100")
		if out := w.link("F", threshold); len(out.Flagged) != 0 {
			t.Errorf("a confirmed identifier was flagged again: %+v", out)
		}
		w.expectNetworks("confirmed, six", []string{"A", "B", "C", "D", "E", "F"})
		if k := w.key("phone:+12025550100"); k.State != haven.KeyActive || k.ReportCount != 6 {
			t.Errorf("the confirmed identifier: %s", dump(k))
		}
	}},

	{"linking a report again changes nothing", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		w.report("A", 1, "phone:+12025550101", "email:a@example.com")
		w.report("B", 2, "phone:+12025550101", "phone:+12025550101")
		w.link("A", 0)
		first := w.link("B", 0)
		if first.NewLinks != 1 {
			t.Errorf("B carries one phone twice: %d new links, want 1", first.NewLinks)
		}
		net := w.networkOf("B")
		keyBefore := w.key("phone:+12025550101")
		for _, n := range []string{"A", "B", "B"} {
			again := w.link(n, 0)
			if again.NewLinks != 0 || again.NetworkID != net.ID {
				t.Errorf("linking %s again: %+v, want no new link, network %d", n, again, net.ID)
			}
		}
		w.expectNetworks("unchanged", []string{"A", "B"})
		if k := w.key("phone:+12025550101"); k.ReportCount != keyBefore.ReportCount || !k.LastSeen.Equal(keyBefore.LastSeen) {
			t.Errorf("linking again changed the identifier: %s, was %s", dump(k), dump(keyBefore))
		}
		if n := w.networkOf("A"); n.Size != 2 {
			t.Errorf("network size %d after linking again, want 2", n.Size)
		}
	}},

	{"a report with many identifiers links through every one, whenever it was received", func(t *testing.T, s haven.Store) {
		// 20 identifiers take the store more than one statement of each
		// kind; the report is received before the one it is linked after.
		w := newLinkWorld(t, s)
		var specs []string
		for i := 0; i < 20; i++ {
			specs = append(specs, fmt.Sprintf("phone:+120255501%02d", i))
		}
		w.report("late", 12, specs[19], specs[3])
		w.report("early", 8, specs...)
		w.link("late", 0)
		out := w.link("early", 0)
		if out.NewLinks != 20 || out.NetworkID == 0 || len(out.Linked) != 1 || out.Linked[0] != w.reports["late"].ID {
			t.Fatalf("linking the report with 20 identifiers: %+v, want 20 new links and one linked report", out)
		}
		for i, spec := range specs {
			k := w.key(spec)
			want := 1
			if i == 3 || i == 19 {
				want = 2
			}
			if k.ReportCount != want || !k.FirstSeen.Equal(w.reports["early"].ReceivedAt) {
				t.Errorf("%s: %s, want %d reports, first seen at the early report's time %v", spec, dump(k), want, w.reports["early"].ReceivedAt)
			}
			last := w.reports["early"].ReceivedAt
			if want == 2 {
				last = w.reports["late"].ReceivedAt
			}
			if !k.LastSeen.Equal(last) {
				t.Errorf("%s: last seen %v, want %v", spec, k.LastSeen, last)
			}
		}
		w.expectNetworks("linked through two of twenty", []string{"late", "early"})
	}},

	{"a flag that breaks a few reports off a large network leaves it its id", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		const threshold = 5
		// A chain of 20 reports (hours 1–20), each sharing an email with the
		// next; a phone on C00 and C10 holds on to E1 (the network's
		// earliest report), E2 (its latest) and E3, whom E4 shares a handle with.
		var chain []string
		for i := 0; i < 20; i++ {
			ids := []string{fmt.Sprintf("email:c%d@example.com", i), fmt.Sprintf("email:c%d@example.com", i+1)}
			if i == 0 || i == 10 {
				ids = append(ids, "phone:+12025550142")
			}
			name := fmt.Sprintf("C%02d", i)
			w.report(name, 1+i, ids...)
			chain = append(chain, name)
		}
		w.report("E1", 0, "phone:+12025550142")
		w.report("E2", 100, "phone:+12025550142")
		w.report("E3", 30, "phone:+12025550142", "handle:x:e3")
		w.report("E4", 40, "handle:x:e3")
		for _, n := range w.names {
			w.link(n, threshold)
		}
		before := w.expectNetworks("one network", append(append([]string(nil), chain...), "E1", "E2", "E3", "E4"))
		// A sixth report on the phone takes it past the threshold.
		w.report("F", 50, "phone:+12025550142")
		out := w.link("F", threshold)
		if len(out.Flagged) != 1 {
			t.Fatalf("the sixth report on the phone: %+v, want the phone flagged", out)
		}
		after := w.expectNetworks("the phone flagged", chain, []string{"E3", "E4"})
		if after[0] != before[0] {
			t.Errorf("the chain of 20 is network %d, want it to keep %d", after[0], before[0])
		}
	}},

	{"networks stay the connected components through random links, flags and decisions", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		const threshold = 6
		rng := rand.New(rand.NewPCG(7, 11))
		// Identifiers from pools of different sizes, so that some pass the
		// threshold and others chain reports into large networks.
		pools := []struct {
			n    int
			spec string
		}{{8, "phone:+120255501%02d"}, {40, "email:u%d@example.com"}, {120, "handle:x:h%d"}}
		var linked, specs []string
		known := map[string]bool{}
		for i := 0; i < 160; i++ {
			var ids []string
			for _, p := range pools {
				if rng.IntN(3) > 0 {
					ids = append(ids, fmt.Sprintf(p.spec, rng.IntN(p.n)))
				}
			}
			name := fmt.Sprintf("R%03d", i)
			w.report(name, rng.IntN(48), ids...)
			w.link(name, threshold)
			linked = append(linked, name)
			for _, id := range ids {
				if !known[id] {
					known[id] = true
					specs = append(specs, id)
				}
			}
			// Now and then an analyst excludes an identifier or confirms one.
			if i%7 == 6 {
				spec := specs[rng.IntN(len(specs))]
				state := haven.KeyExcluded
				if rng.IntN(2) == 0 {
					state = haven.KeyActive
				}
				w.decide(spec, state, "random decision")
			}
			if i%8 == 7 || i == 159 {
				w.expectNetworks(fmt.Sprintf("after %d reports", i+1), activeComponents(w, linked, specs)...)
			}
		}
	}},

	{"concurrent linking builds the networks one at a time would", func(t *testing.T, s haven.Store) {
		w := newLinkWorld(t, s)
		// 8 reports that share one identifier new to all of them, linked at
		// once; then 60 reports in chains and stars over 20 phones, linked
		// 12 at a time in a shuffled order.
		for i := 0; i < 8; i++ {
			w.report(fmt.Sprintf("S%d", i), 1, "phone:+12025550000", fmt.Sprintf("email:s%d@example.com", i))
		}
		linkAll(t, w, w.names)
		var star []string
		for i := 0; i < 8; i++ {
			star = append(star, fmt.Sprintf("S%d", i))
		}
		w.expectNetworks("eight sharing a new phone", star)
		if k := w.key("phone:+12025550000"); k.ReportCount != 8 {
			t.Errorf("the shared phone counts %d reports, want 8", k.ReportCount)
		}

		var names []string
		phones := func(i int) string { return fmt.Sprintf("phone:+1202555%04d", 100+i) }
		for i := 0; i < 60; i++ {
			name := fmt.Sprintf("R%02d", i)
			names = append(names, name)
			// Report i carries phone i/3 and, every fourth, the next group's
			// phone too: chains of groups that merge from both ends.
			ids := []string{phones(i / 3)}
			if i%4 == 0 {
				ids = append(ids, phones(i/3+1))
			}
			if i%5 == 0 {
				ids = append(ids, phones(19-(i/3)%20))
			}
			w.report(name, 2+i%20, ids...)
		}
		shuffled := append([]string(nil), names...)
		for i := range shuffled {
			j := (i*37 + 11) % len(shuffled)
			shuffled[i], shuffled[j] = shuffled[j], shuffled[i]
		}
		// Meanwhile an analyst excludes one of their phones and confirms it
		// again, over and over: each splits or merges networks while reports
		// are being linked through it and through others.
		w.link("R15", 0)
		w.link("R16", 0)
		contested := phones(5)
		done := make(chan struct{})
		decided := make(chan error, 1)
		go func() {
			k := w.key(contested)
			var err error
			for i := 0; err == nil; i++ {
				select {
				case <-done:
					decided <- nil
					return
				default:
				}
				state := haven.KeyExcluded
				if i%2 == 1 {
					state = haven.KeyActive
				}
				err = w.s.Update(context.Background(), func(tx haven.Tx) error {
					_, err := tx.DecideIdentifierKey(context.Background(), k.ID, state, "test", 0)
					return err
				})
			}
			decided <- err
		}()
		linkAll(t, w, shuffled)
		close(done)
		if err := <-decided; err != nil {
			t.Fatalf("deciding an identifier while reports are linked: %v", err)
		}
		if k := w.decide(contested, haven.KeyActive, ""); k.State != haven.KeyActive {
			t.Fatalf("confirmed: %s", dump(k))
		}
		w.expectNetworks("linked concurrently", append([][]string{star}, components(w, names)...)...)
	}},
}

// linkAll links the named reports, 12 at a time.
func linkAll(t *testing.T, w *linkWorld, names []string) {
	t.Helper()
	var wg sync.WaitGroup
	sem := make(chan struct{}, 12)
	errs := make(chan error, len(names))
	for _, n := range names {
		l := linking(w.reports[n], haven.FlagThreshold)
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs <- w.s.Update(context.Background(), func(tx haven.Tx) error {
				_, err := tx.LinkReport(context.Background(), l)
				return err
			})
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("concurrent LinkReport: %v", err)
		}
	}
}

// components returns the connected components (two reports or more) of the
// named reports over their shared identifiers, computed here from scratch.
func components(w *linkWorld, names []string) [][]string {
	return componentsThrough(w, names, func(string) bool { return true })
}

// activeComponents returns the connected components (two reports or more)
// of the named reports over the identifiers of specs that are active in
// the store, computed here from scratch.
func activeComponents(w *linkWorld, names, specs []string) [][]string {
	active := map[string]bool{}
	for _, spec := range specs {
		active[spec] = w.key(spec).State == haven.KeyActive
	}
	return componentsThrough(w, names, func(spec string) bool { return active[spec] })
}

// componentsThrough returns the connected components (two reports or more)
// of the named reports over the identifiers that links says link.
func componentsThrough(w *linkWorld, names []string, links func(spec string) bool) [][]string {
	parent := map[string]string{}
	var find func(string) string
	find = func(x string) string {
		if parent[x] == "" || parent[x] == x {
			return x
		}
		parent[x] = find(parent[x])
		return parent[x]
	}
	owner := map[string]string{}
	for _, n := range names {
		for _, id := range w.reports[n].Identifiers {
			spec := string(id.Kind) + ":"
			if id.Platform != "" {
				spec += id.Platform + ":"
			}
			spec += id.Value
			if !links(spec) {
				continue
			}
			if o, ok := owner[spec]; ok {
				parent[find(n)] = find(o)
			} else {
				owner[spec] = n
			}
		}
	}
	groups := map[string][]string{}
	for _, n := range names {
		r := find(n)
		groups[r] = append(groups[r], n)
	}
	var out [][]string
	for _, g := range groups {
		if len(g) > 1 {
			out = append(out, g)
		}
	}
	return out
}
