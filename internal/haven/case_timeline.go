package haven

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"time"
)

// CaseView is everything the case page shows, as the actor may see it.
type CaseView struct {
	Case *Case
	// Child is nil when the actor may not open the child's record.
	Child          *Child
	Reports        []*Report // the case's reports the actor may open, oldest first
	HiddenReports  int       // the case's reports the actor may not open
	Notes          []*CaseNote
	Tasks          []*CaseTask
	Determinations []*CaseDetermination // oldest first
	// Attachments are the files of the case's reports that the actor may
	// open, described only: their bytes come through RevealCaseAttachment.
	Attachments []*Attachment
	Timeline    []*TimelineEntry
	// Merged are the cases merged into this one (not split again).
	Merged []int64
	// Users names the accounts the view refers to (assignee, authors, owners).
	Users map[int64]string
}

// TimelineEntry is one line of a case's timeline.
type TimelineEntry struct {
	At         time.Time
	Kind       string // a CaseEventKind, or "report", "missing", "recovery", "link"
	Summary    string
	Actor      string // "" for what no one did on the case (a report received)
	RecordKind string
	RecordID   int64
	Body       string // a note's text
}

// CaseDetail returns a case with everything on it that the actor may see,
// and audits the view (with the reason given).
func (s *Service) CaseDetail(ctx context.Context, a Actor, id int64, reason string) (*CaseView, error) {
	c, err := s.GetCase(ctx, a, id, reason)
	if err != nil {
		return nil, err
	}
	v := &CaseView{Case: c, Users: map[int64]string{}}
	err = s.Store.View(ctx, func(tx Tx) error { return s.loadCaseView(ctx, tx, a, v) })
	if err != nil {
		return nil, err
	}
	return v, nil
}

func (s *Service) loadCaseView(ctx context.Context, tx Tx, a Actor, v *CaseView) (err error) {
	c := v.Case
	if ch, err := tx.ChildByID(ctx, c.ChildID); err == nil && Can(a, ActionView, ch.Resource()) {
		v.Child = ch
	} else if err != nil && ErrorCode(err) != ENOTFOUND {
		return err
	}
	for _, rid := range c.ReportIDs {
		r, err := tx.ReportByID(ctx, rid)
		if err != nil {
			return err
		}
		if !Can(a, ActionView, r.Resource()) {
			v.HiddenReports++
			continue
		}
		v.Reports = append(v.Reports, r)
		as, err := tx.ListAttachments(ctx, r.ID)
		if err != nil {
			return err
		}
		v.Attachments = append(v.Attachments, as...)
	}
	sort.SliceStable(v.Reports, func(i, j int) bool { return v.Reports[i].ReceivedAt.Before(v.Reports[j].ReceivedAt) })
	if v.Notes, err = tx.ListCaseNotes(ctx, c.ID); err != nil {
		return err
	}
	if v.Tasks, err = tx.ListCaseTasks(ctx, c.ID); err != nil {
		return err
	}
	if v.Determinations, err = tx.ListDeterminations(ctx, c.ID); err != nil {
		return err
	}
	merged, err := tx.ListCases(ctx, CaseFilter{Scope: Scope{All: true}, ChildID: c.ChildID, IncludeMerged: true})
	if err != nil {
		return err
	}
	for _, m := range merged {
		if m.MergedInto == c.ID {
			v.Merged = append(v.Merged, m.ID)
		}
	}
	if v.Timeline, err = s.caseTimeline(ctx, tx, a, v); err != nil {
		return err
	}
	ids := []int64{c.AssignedTo, c.CreatedBy}
	for _, n := range v.Notes {
		ids = append(ids, n.CreatedBy)
	}
	for _, t := range v.Tasks {
		ids = append(ids, t.OwnerID, t.DoneBy, t.CreatedBy)
	}
	for _, d := range v.Determinations {
		ids = append(ids, d.RecordedBy, d.DecidedBy)
	}
	for _, id := range ids {
		if _, ok := v.Users[id]; ok || id == 0 {
			continue
		}
		if u, err := tx.UserByID(ctx, id); err == nil {
			v.Users[id] = u.Username
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
	}
	return nil
}

// caseTimeline joins, in the order they happened: the case's own events
// (opened, reports added, status, assignment, notes, tasks,
// determinations, merges and splits, and referrals once issue 6 writes
// CaseEventReferral events), the reports' receipt, the child's missing
// episodes and recoveries the actor may see, and the links between the
// case's reports and other reports the actor may open.
func (s *Service) caseTimeline(ctx context.Context, tx Tx, a Actor, v *CaseView) ([]*TimelineEntry, error) {
	var out []*TimelineEntry
	inCase := map[int64]bool{}
	for _, r := range v.Reports {
		inCase[r.ID] = true
	}
	for _, r := range v.Reports {
		out = append(out, &TimelineEntry{At: r.ReceivedAt, Kind: "report", RecordKind: "report", RecordID: r.ID,
			Summary: fmt.Sprintf("Report %s received (%s, %s)", r.Ref, r.Channel.Label(), strings.ToLower(r.IncidentType.Label()))})
	}
	if CanKind(a, ActionView, KindEpisode) {
		es, err := tx.ListEpisodes(ctx, EpisodeFilter{Scope: ScopeFor(a, ActionView, KindEpisode), ChildID: v.Case.ChildID})
		if err != nil {
			return nil, err
		}
		for _, e := range es {
			out = append(out, &TimelineEntry{At: e.LastSeenAt, Kind: "missing", RecordKind: "episode", RecordID: e.ID,
				Summary: "Went missing: " + e.MissingType.Label()})
			if rec := e.Recovery; rec != nil {
				sum := "Recovered"
				if rec.RecoveredBy != "" {
					sum += " by " + rec.RecoveredBy
				}
				out = append(out, &TimelineEntry{At: rec.RecoveredAt, Kind: "recovery", RecordKind: "episode", RecordID: e.ID, Summary: sum})
			}
		}
	}
	scope := ScopeFor(a, ActionView, KindReport)
	seen := map[[2]int64]bool{}
	for _, r := range v.Reports {
		links, err := tx.ReportLinks(ctx, r.ID, scope, ReportLinksPerIdentifier)
		if err != nil {
			return nil, err
		}
		for _, l := range links {
			if l.Key != nil && !l.Key.Links() {
				continue
			}
			for _, o := range l.Reports {
				pair := [2]int64{min(r.ID, o.ID), max(r.ID, o.ID)}
				if o.ID == r.ID || seen[pair] || (inCase[o.ID] && o.ID < r.ID) {
					continue
				}
				seen[pair] = true
				at := r.ReceivedAt
				if o.ReceivedAt.After(at) {
					at = o.ReceivedAt
				}
				out = append(out, &TimelineEntry{At: at, Kind: "link", RecordKind: "report", RecordID: o.ID,
					Summary: fmt.Sprintf("Report %s linked to report %s through a shared %s", r.Ref, o.Ref, kindWords(l.Identifier.Kind))})
			}
		}
	}
	// The case's own events come after the records at the same instant:
	// a report is received before a case is opened from it.
	events, err := tx.ListCaseEvents(ctx, v.Case.ID)
	if err != nil {
		return nil, err
	}
	notes := map[int64]*CaseNote{}
	for _, n := range v.Notes {
		notes[n.ID] = n
	}
	for _, e := range events {
		te := &TimelineEntry{At: e.At, Kind: string(e.Kind), Summary: e.Summary, Actor: e.Actor, RecordKind: e.RecordKind, RecordID: e.RecordID}
		if e.Kind == CaseEventNote && notes[e.RecordID] != nil {
			te.Body = notes[e.RecordID].Body
		}
		out = append(out, te)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].At.Before(out[j].At) })
	return out, nil
}

// kindWords writes an identifier kind for a sentence ("phone number").
func kindWords(k IdentifierKind) string {
	switch string(k) {
	case "phone":
		return "phone number"
	case "email":
		return "email address"
	}
	return strings.ReplaceAll(string(k), "_", " ")
}

// RevealCaseAttachment returns the bytes of a file of one of the case's
// reports, for showing it on the case page: attachments are hidden by
// default, and revealing one takes a reason (required), audited as
// attachment.reveal. A file of a report not on the case, or one the actor
// may not open, answers like a missing one.
func (s *Service) RevealCaseAttachment(ctx context.Context, a Actor, caseID, attID int64, reason string) (*Attachment, io.ReadCloser, error) {
	reason = strings.TrimSpace(reason)
	att, err := s.caseAttachmentToReveal(ctx, a, caseID, attID)
	if err != nil {
		return nil, nil, err
	}
	if reason == "" {
		return nil, nil, FieldError("reason", "say why you need to see this file")
	}
	if len(reason) > 500 {
		return nil, nil, FieldError("reason", "a reason has at most 500 characters")
	}
	return s.revealCaseAttachment(ctx, a, caseID, att, reason)
}

// MayRevealCaseAttachment answers whether the actor may see file attID of
// case caseID at all (nil), with the refusal RevealCaseAttachment would
// give (ENOTFOUND, audited) otherwise: a form asking for the reason checks
// it first, so that a refused actor is refused whatever the form holds.
func (s *Service) MayRevealCaseAttachment(ctx context.Context, a Actor, caseID, attID int64) error {
	_, err := s.caseAttachmentToReveal(ctx, a, caseID, attID)
	return err
}

// caseAttachmentToReveal loads file attID of case caseID if the actor may
// see the case and the file's report; otherwise ENOTFOUND, audited.
func (s *Service) caseAttachmentToReveal(ctx context.Context, a Actor, caseID, attID int64) (*Attachment, error) {
	const action = "attachment.reveal"
	var att *Attachment
	var c *Case
	var rep *Report
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if c, err = tx.CaseByID(ctx, caseID); err != nil {
			return err
		}
		if !Can(a, ActionView, c.Resource()) {
			return hidden(KindCase)
		}
		if att, err = tx.AttachmentByID(ctx, attID); err != nil {
			return err
		}
		if !oneOf(att.ReportID, c.ReportIDs) {
			return Errorf(ENOTFOUND, "no such file on case %d", caseID)
		}
		if rep, err = tx.ReportByID(ctx, att.ReportID); err != nil {
			return err
		}
		if !Can(a, ActionView, rep.Resource()) {
			return hidden(KindReport)
		}
		return nil
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindCase, caseID, Errorf(ENOTFOUND, "No such file, or it is not yours to see."))
	} else if err != nil {
		return nil, err
	}
	return att, nil
}

// revealCaseAttachment opens the file and audits its reveal with the reason.
func (s *Service) revealCaseAttachment(ctx context.Context, a Actor, caseID int64, att *Attachment, reason string) (*Attachment, io.ReadCloser, error) {
	const action = "attachment.reveal"
	rc, err := s.Blobs.Open(ctx, att.BlobID, blobAD(att.ReportID))
	if err != nil {
		return nil, nil, err
	}
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindCase, caseID, reason, fmt.Sprintf("attachment %d of report %d", att.ID, att.ReportID))
	}); err != nil {
		rc.Close()
		return nil, nil, err
	}
	return att, rc, nil
}
