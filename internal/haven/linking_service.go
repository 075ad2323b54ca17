package haven

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// ReportLinksPerIdentifier is how many linked reports ReportLinks lists for
// each identifier; the identifier's own page lists them all.
const ReportLinksPerIdentifier = 20

// ReportLinks is what links one report to others.
type ReportLinks struct {
	// Links has one entry for each of the report's identifiers that is
	// linked to another report, in the order of the report's identifiers.
	// Each lists only the other reports the actor may open, and Hidden
	// counts the others only for an actor who may know of them.
	Links []*IdentifierLinks
	// Network is the report's network, for an actor who may open it (nil
	// when it is in none, or the actor may not open networks).
	Network *Network
}

// IdentifierLinks is one identifier of a report and the other reports it
// links the report to.
type IdentifierLinks struct {
	Key *IdentifierKey
	// Identifier is the report's own identifier row: what the page shows.
	Identifier Identifier
	// Reports are the other reports the actor may open, newest first (at
	// most ReportLinksPerIdentifier); Visible counts them all.
	Reports []*Report
	Visible int
	// Hidden is how many other reports the identifier is linked to that the
	// actor may not open: 0 unless the actor may see the identifier itself
	// (CanKnowHidden), so that a count never tells anyone else of a report
	// they may not open.
	Hidden int
	// KeyVisible says whether the actor may open the identifier's page.
	KeyVisible bool
}

// CanKnowHidden reports whether the actor may be told how many reports an
// identifier or a network holds beyond those they may open: whoever may
// see identifiers in the index, whose counts say as much.
func CanKnowHidden(a Actor) bool { return CanKind(a, ActionView, KindIdentifier) }

// ReportLinks returns what links a report the actor may see to other
// reports, and records it in the audit log as a view (report.links). A
// report that does not exist and one the actor may not see answer alike.
func (s *Service) ReportLinks(ctx context.Context, a Actor, reportID int64) (*ReportLinks, error) {
	const action = "report.links"
	scope := ScopeFor(a, ActionView, KindReport)
	out := &ReportLinks{}
	var res Resource
	err := s.Store.View(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, reportID)
		if err != nil {
			return err
		}
		res = r.Resource()
		if !Can(a, ActionView, res) {
			return nil
		}
		links, err := tx.ReportLinks(ctx, reportID, scope, ReportLinksPerIdentifier)
		if err != nil {
			return err
		}
		know := CanKnowHidden(a)
		for _, l := range links {
			il := &IdentifierLinks{Key: l.Key, Identifier: l.Identifier, Reports: l.Reports, Visible: l.Visible,
				KeyVisible: Can(a, ActionView, l.Key.Resource())}
			if know {
				il.Hidden = l.Total - l.Visible
			} else {
				// Someone who may not know of the reports they cannot
				// open learns nothing of them: not that the identifier
				// links any (no entry without a report they may open),
				// nor how many it links (no counts, and no flagged or
				// excluded identifier, whose state says as much).
				if l.Visible == 0 || !l.Key.Links() {
					continue
				}
				il.Key = &IdentifierKey{ID: l.Key.ID, Kind: l.Key.Kind, Platform: l.Key.Platform, State: l.Key.State}
			}
			out.Links = append(out.Links, il)
		}
		n, err := tx.NetworkOfReport(ctx, reportID)
		if err == nil && Can(a, ActionView, n.Resource()) {
			out.Network = n
		} else if err != nil && ErrorCode(err) != ENOTFOUND {
			return err
		}
		return nil
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, res)) {
		return nil, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	} else if err != nil {
		return nil, err
	}
	reports := 0
	for _, l := range out.Links {
		reports += l.Visible
	}
	detail := fmt.Sprintf("%d identifiers link to other reports (%d visible links)", len(out.Links), reports)
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReport, reportID, "", detail)
	}); err != nil {
		return nil, err
	}
	return out, nil
}

// IdentifierView is one identifier in the index as its page shows it.
type IdentifierView struct {
	Key *IdentifierKey
	// Display is an identifier row of a report the actor may open, for the
	// value the page shows ("" Value when they may open none).
	Display Identifier
	// Reports are the reports linked through it that the actor may open,
	// newest first, a page at a time; Visible counts them all and Hidden
	// the others (for those who may know, see CanKnowHidden).
	Reports         []*LinkedReport
	Visible, Hidden int
	// CanDecide says whether the actor may exclude or confirm it.
	CanDecide bool
	// DecidedBy is the username of whoever decided on it ("" for nobody).
	DecidedBy string
}

// IdentifierPageSize is how many reports an identifier's page lists.
const IdentifierPageSize = 50

// Identifier returns an identifier in the index with the reports linked
// through it that the actor may open (page from 1), and audits the view.
func (s *Service) Identifier(ctx context.Context, a Actor, id int64, page int) (*IdentifierView, error) {
	const action = "identifier.view"
	if page < 1 {
		page = 1
	}
	scope := ScopeFor(a, ActionView, KindReport)
	v := &IdentifierView{}
	allowed := false
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if v.Key, err = tx.IdentifierKeyByID(ctx, id); err != nil {
			return err
		}
		if allowed = Can(a, ActionView, v.Key.Resource()); !allowed {
			return nil
		}
		if v.Key.DecidedBy != 0 {
			if u, err := tx.UserByID(ctx, v.Key.DecidedBy); err == nil {
				v.DecidedBy = u.Username
			} else if ErrorCode(err) != ENOTFOUND {
				return err
			}
		}
		if v.Reports, err = tx.IdentifierReports(ctx, id, scope, IdentifierPageSize, (page-1)*IdentifierPageSize); err != nil {
			return err
		}
		if v.Visible, err = tx.CountIdentifierReports(ctx, id, scope); err != nil {
			return err
		}
		if len(v.Reports) > 0 {
			v.Display = v.Reports[0].Identifier
		} else if v.Visible > 0 {
			first, err := tx.IdentifierReports(ctx, id, scope, 1, 0)
			if err != nil {
				return err
			}
			if len(first) > 0 {
				v.Display = first[0].Identifier
			}
		}
		return nil
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !allowed) {
		return nil, s.deny(ctx, a, action, KindIdentifier, id, hidden(KindIdentifier))
	} else if err != nil {
		return nil, err
	}
	if CanKnowHidden(a) {
		v.Hidden = max(0, v.Key.ReportCount-v.Visible)
	}
	v.CanDecide = Can(a, ActionUpdate, v.Key.Resource())
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindIdentifier, id, "", fmt.Sprintf("%s, %s, %d reports", v.Key.Kind, v.Key.State, v.Key.ReportCount))
	}); err != nil {
		return nil, err
	}
	return v, nil
}

// IdentifierSummary is an identifier in a list, with a value to show.
type IdentifierSummary struct {
	Key *IdentifierKey
	// Display is an identifier row of a report the actor may open (zero
	// when they may open none).
	Display Identifier
}

// ListIdentifiers lists identifiers in the index (f.State "flagged" is the
// review queue), most-linked first, with a value to show for each taken
// from a report the actor may open, and the count of all that match.
func (s *Service) ListIdentifiers(ctx context.Context, a Actor, f IdentifierKeyFilter) (out []*IdentifierSummary, total int, err error) {
	if !CanKind(a, ActionView, KindIdentifier) {
		return nil, 0, s.deny(ctx, a, "identifier.list", KindIdentifier, 0, forbidden("see the identifier index"))
	}
	if f.State != "" && !oneOf(f.State, []KeyState{KeyActive, KeyFlagged, KeyExcluded}) {
		return nil, 0, FieldError("state", "choose a state: active, flagged or excluded")
	}
	if f.Kind != "" && !oneOf(f.Kind, IdentifierKinds) {
		return nil, 0, FieldError("kind", "unknown identifier kind %q", f.Kind)
	}
	scope := ScopeFor(a, ActionView, KindReport)
	err = s.Store.View(ctx, func(tx Tx) error {
		keys, err := tx.ListIdentifierKeys(ctx, f)
		if err != nil {
			return err
		}
		if total, err = tx.CountIdentifierKeys(ctx, IdentifierKeyFilter{State: f.State, Kind: f.Kind}); err != nil {
			return err
		}
		for _, k := range keys {
			sum := &IdentifierSummary{Key: k}
			first, err := tx.IdentifierReports(ctx, k.ID, scope, 1, 0)
			if err != nil {
				return err
			}
			if len(first) > 0 {
				sum.Display = first[0].Identifier
			}
			out = append(out, sum)
		}
		return nil
	})
	return out, total, err
}

// MaxDecisionReason bounds the reason given for a decision on an identifier.
const MaxDecisionReason = 1000

// ExcludeIdentifier takes a noisy identifier (a platform's support address,
// a hotline's own number) out of linking, with the reason the analyst gives
// (required), and splits the networks it held together. Audited with the
// reason.
func (s *Service) ExcludeIdentifier(ctx context.Context, a Actor, id int64, reason string) (*IdentifierKey, error) {
	return s.decideIdentifier(ctx, a, id, KeyExcluded, strings.TrimSpace(reason), "identifier.exclude")
}

// ConfirmIdentifier confirms a flagged (or excluded) identifier as one that
// really links its reports: it links again, merging the networks of its
// reports, and is never flagged again. The reason is optional. Audited.
func (s *Service) ConfirmIdentifier(ctx context.Context, a Actor, id int64, reason string) (*IdentifierKey, error) {
	return s.decideIdentifier(ctx, a, id, KeyActive, strings.TrimSpace(reason), "identifier.confirm")
}

// decideIdentifier checks the reason only once the actor is known to may
// decide the identifier: a refused actor is refused whatever the body holds.
func (s *Service) decideIdentifier(ctx context.Context, a Actor, id int64, state KeyState, reason, action string) (*IdentifierKey, error) {
	if !CanKind(a, ActionUpdate, KindIdentifier) {
		return nil, s.deny(ctx, a, action, KindIdentifier, id, forbidden("decide which identifiers link reports"))
	}
	var k *IdentifierKey
	err := s.Store.Update(ctx, func(tx Tx) error {
		before, err := tx.IdentifierKeyByID(ctx, id)
		if err != nil {
			return err
		}
		if !Can(a, ActionUpdate, before.Resource()) {
			return forbidden("decide which identifiers link reports")
		}
		switch {
		case state == KeyExcluded && reason == "":
			return FieldError("reason", "say why this identifier should not link reports (for example: it is the hotline's own number)")
		case len(reason) > MaxDecisionReason:
			return FieldError("reason", "the reason has at most %d characters", MaxDecisionReason)
		}
		if k, err = tx.DecideIdentifierKey(ctx, id, state, reason, a.UserID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindIdentifier, id, reason,
			fmt.Sprintf("%s linked to %d reports: %s, was %s", k.Kind, k.ReportCount, k.State, before.State))
	})
	var herr *Error
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindIdentifier, id, hidden(KindIdentifier))
	} else if ErrorCode(err) == EFORBIDDEN && errors.As(err, &herr) {
		return nil, s.deny(ctx, a, action, KindIdentifier, id, herr)
	}
	return k, err
}

// NetworkView is a network as its page (graph, timeline, map) shows it.
type NetworkView struct {
	Network *Network
	// Members are the reports in it the actor may open, oldest first;
	// Hidden counts the others (for those who may know, see CanKnowHidden).
	Members []NetworkMember
	Hidden  int
	// Edges join two members through an identifier they share: each
	// identifier joins each member to the previous member (by time
	// received) that shares it, so an identifier shared by n members gives
	// n-1 edges, and the edges connect exactly the members it connects.
	Edges []NetworkEdge
	// Identifiers are the identifiers holding the network together, most
	// shared first, each with an identifier row to show from a member the
	// actor may open.
	Identifiers []NetworkIdentifier
}

// NetworkMember is one report of a network.
type NetworkMember struct {
	ReportID   int64
	Ref        string
	ReceivedAt time.Time
	State      string // US state
	Priority   Priority
	Channel    Channel
	Incident   IncidentType
}

// NetworkEdge joins two reports of a network through an identifier.
type NetworkEdge struct {
	From, To int64 // report ids; From was received first
	KeyID    int64
}

// NetworkIdentifier is an identifier that links members of a network.
type NetworkIdentifier struct {
	KeyID   int64
	Display Identifier
	Reports int // members the actor may open that share it
}

// Network returns a network the actor may see with its members and the
// links between them, and audits the view.
func (s *Service) Network(ctx context.Context, a Actor, id int64) (*NetworkView, error) {
	const action = "network.view"
	scope := ScopeFor(a, ActionView, KindReport)
	v := &NetworkView{}
	allowed := false
	var links []*NetworkLink
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if v.Network, err = tx.NetworkByID(ctx, id); err != nil {
			return err
		}
		if allowed = Can(a, ActionView, v.Network.Resource()); !allowed {
			return nil
		}
		members, err := tx.NetworkMembers(ctx, id, scope)
		if err != nil {
			return err
		}
		for _, r := range members {
			v.Members = append(v.Members, NetworkMember{ReportID: r.ID, Ref: r.Ref, ReceivedAt: r.ReceivedAt, State: r.State,
				Priority: r.Priority, Channel: r.Channel, Incident: r.IncidentType})
		}
		links, err = tx.NetworkLinks(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !allowed) {
		return nil, s.deny(ctx, a, action, KindNetwork, id, hidden(KindNetwork))
	} else if err != nil {
		return nil, err
	}
	if CanKnowHidden(a) {
		v.Hidden = max(0, v.Network.Size-len(v.Members))
	}
	v.Edges, v.Identifiers = networkEdges(v.Members, links)
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindNetwork, id, "", fmt.Sprintf("%d reports", v.Network.Size))
	}); err != nil {
		return nil, err
	}
	return v, nil
}

// networkEdges chains the visible members that share each identifier in
// the order they were received, and lists the identifiers.
func networkEdges(members []NetworkMember, links []*NetworkLink) ([]NetworkEdge, []NetworkIdentifier) {
	pos := make(map[int64]int, len(members)) // report id → index in members (oldest first)
	for i, m := range members {
		pos[m.ReportID] = i
	}
	byKey := map[int64][]*NetworkLink{}
	var order []int64
	for _, l := range links {
		if _, ok := pos[l.ReportID]; !ok {
			continue
		}
		if _, seen := byKey[l.KeyID]; !seen {
			order = append(order, l.KeyID)
		}
		byKey[l.KeyID] = append(byKey[l.KeyID], l)
	}
	var edges []NetworkEdge
	var ids []NetworkIdentifier
	for _, k := range order {
		ls := byKey[k]
		if len(ls) < 2 {
			continue
		}
		sort.Slice(ls, func(i, j int) bool { return pos[ls[i].ReportID] < pos[ls[j].ReportID] })
		for i := 1; i < len(ls); i++ {
			edges = append(edges, NetworkEdge{From: ls[i-1].ReportID, To: ls[i].ReportID, KeyID: k})
		}
		ids = append(ids, NetworkIdentifier{KeyID: k, Display: ls[0].Identifier, Reports: len(ls)})
	}
	sort.SliceStable(ids, func(i, j int) bool { return ids[i].Reports > ids[j].Reports })
	return edges, ids
}
