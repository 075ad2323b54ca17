package haven

// The services of missing episodes (see missing.go for the types): file a
// missing-child report, read and list episodes, the overdue list, record
// notifications and recoveries.

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// callerRelationship is how a reporter of each role stands to the child.
var callerRelationship = map[Role]string{
	RoleOfficer: "law_enforcement", RoleChildWelfare: "child_welfare_worker",
	RoleFosterParent: "foster_parent", RoleHotline: "parent_guardian",
}

// ReportMissing files a missing-child report: it stores the report (through
// insertReport, like every channel), puts a new child on file when asked,
// opens the child's missing episode and stores the photos, all in one
// transaction, and audits each. The photos must be images. For a child
// missing from care, a report that does not say when the clearinghouse was
// told tells it now (ClearinghouseToldAt is set to the time received). A retried form
// (same SubmissionKey from the same user) returns the episode it made the
// first time and stores nothing more. The episode's ID, ReportID and ChildID
// are set on return.
func (s *Service) ReportMissing(ctx context.Context, a Actor, in *MissingReport) (*MissingEpisode, error) {
	e, _, err := s.ReportMissingOnce(ctx, a, Once{}, in)
	return e, err
}

// ReportMissingOnce is ReportMissing for a request that may be retried (see
// Once). The episode comes back with its Child and Photos; a retry returns
// the episode the first request opened, as it is now, with replayed true.
func (s *Service) ReportMissingOnce(ctx context.Context, a Actor, o Once, in *MissingReport) (_ *MissingEpisode, replayed bool, err error) {
	if !CanKind(a, ActionCreate, KindEpisode) {
		return nil, false, s.deny(ctx, a, "episode.create", KindEpisode, 0, forbidden("report missing children"))
	}
	now := s.now()
	e := &in.Episode
	if a.Role != RoleSystem {
		e.CreatedBy = a.UserID
	}
	if err := in.Validate(now); err != nil {
		return nil, false, err
	}
	e.AgencyID = a.AgencyID
	if e.AgencyID == 0 && e.FromCare != nil {
		e.AgencyID = e.FromCare.AgencyID
	}
	if e.FromCare != nil && e.FromCare.ClearinghouseToldAt == nil {
		// Haven is the clearinghouse's own system: a report it receives
		// tells the clearinghouse, now.
		e.FromCare.ClearinghouseToldAt = &now
	}
	e.State = e.LastSeen.State
	var existing *MissingEpisode
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.reportMissing(ctx, a, o, in, now, &existing)
		return e.ID, err
	})
	if err != nil {
		return nil, false, err
	}
	if replayed {
		err = s.Store.View(ctx, func(tx Tx) (err error) {
			existing, err = loadEpisode(ctx, tx, id)
			return err
		})
		return existing, true, err
	}
	if existing != nil {
		return existing, false, nil
	}
	s.wake()
	return e, false, nil
}

// Validate checks a missing-child report against now, as ReportMissing
// does before it stores anything (whether a child on file or a care agency
// exists is checked as it is stored). It trims and normalises what it
// checks; the error names the field at fault.
func (in *MissingReport) Validate(now time.Time) error {
	e := &in.Episode
	if err := e.validate(now); err != nil {
		return err
	}
	if len(in.Photos) > MaxPhotos {
		return FieldError("photos", "at most %d photos", MaxPhotos)
	}
	if in.ChildID != 0 {
		return nil
	}
	if in.Child == nil {
		return FieldError("child_id", "choose a child on file or describe the child")
	}
	c := in.Child
	c.FirstName, c.LastName = strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName)
	c.Description = strings.TrimSpace(c.Description)
	if c.State == "" {
		c.State = e.LastSeen.State
	}
	if err := c.Validate(now); err != nil {
		return err
	}
	if len(c.Description) > 2000 {
		return FieldError("description", "a description has at most 2000 characters")
	}
	return nil
}

// reportMissing stores what ReportMissingOnce checked, in one transaction;
// a form submitted before leaves the episode it made in *existing.
func (s *Service) reportMissing(ctx context.Context, a Actor, o Once, in *MissingReport, now time.Time, existing **MissingEpisode) error {
	e := &in.Episode
	var cleanups []func()
	err := s.Store.Update(ctx, func(tx Tx) error {
		if e.SubmissionKey != "" && e.CreatedBy != 0 {
			prev, err := tx.EpisodeBySubmission(ctx, e.CreatedBy, e.SubmissionKey)
			if err == nil {
				*existing = prev
				return nil
			} else if ErrorCode(err) != ENOTFOUND {
				return err
			}
		}
		if e.FromCare != nil {
			ag, err := tx.AgencyByID(ctx, e.FromCare.AgencyID)
			if ErrorCode(err) == ENOTFOUND || (err == nil && ag.Kind != AgencyChildWelfare) {
				return FieldError("care_agency", "choose a child-welfare agency from the directory")
			} else if err != nil {
				return err
			}
		}
		child, err := s.missingChild(ctx, tx, a, in, e)
		if err != nil {
			return err
		}
		r := missingReportOf(a, in, child)
		if err := prepareReport(a, r, now); err != nil {
			return err
		}
		if err := s.insertReport(ctx, tx, a, r); err != nil {
			return err
		}
		e.ReportID = r.ID
		if err := tx.CreateEpisode(ctx, e); err != nil {
			return err
		}
		e.Child, e.Photos = child, nil
		for i, p := range in.Photos {
			att, cleanup, err := s.StoreAttachment(ctx, tx, a, r.ID, p.Name, p.DeclaredType, string(ChannelMissingChild), p.Body)
			if err != nil {
				if ErrorCode(err) == EINVALID {
					return FieldError("photos", "photo %d (%s): %s", i+1, SanitizeFileName(p.Name), ErrorMessage(err))
				}
				return err
			}
			cleanups = append(cleanups, cleanup)
			if !strings.HasPrefix(att.ContentType, "image/") {
				return FieldError("photos", "photo %d (%s) is not an image; photos must be JPEG, PNG, GIF, WebP or BMP images", i+1, att.FileName)
			}
			e.Photos = append(e.Photos, att)
		}
		detail := fmt.Sprintf("child %d, report %s, %s", e.ChildID, r.Ref, e.MissingType)
		if e.FromCare != nil {
			detail += ", missing from care"
		}
		if err := s.audit(ctx, tx, a, "episode.create", OutcomeOK, KindEpisode, e.ID, "", detail); err != nil {
			return err
		}
		// The child is missing now: the other reports about them rise.
		if err := s.retriageChild(ctx, tx, e.ChildID); err != nil {
			return err
		}
		return s.remember(ctx, tx, a, o, e.ID)
	})
	if err != nil {
		for _, c := range cleanups {
			c()
		}
	}
	return err
}

// missingChild returns the child the report is about: a child on file the
// actor may see, or the new child, stored now (a missing-child report may
// put a child on file, whoever files it: the report is about that child).
func (s *Service) missingChild(ctx context.Context, tx Tx, a Actor, in *MissingReport, e *MissingEpisode) (*Child, error) {
	if in.ChildID != 0 {
		c, err := tx.ChildByID(ctx, in.ChildID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, c.Resource())) {
			return nil, FieldError("child_id", "there is no child %d on file that you may see", in.ChildID)
		}
		e.ChildID = in.ChildID
		return c, err
	}
	c := in.Child
	c.InCare = e.FromCare != nil
	if a.Role != RoleSystem {
		c.CreatedBy = a.UserID
	}
	if c.AgencyID == 0 {
		c.AgencyID = e.AgencyID
	}
	if err := tx.CreateChild(ctx, c); err != nil {
		return nil, err
	}
	if err := s.fileChild(ctx, tx, c); err != nil {
		return nil, err
	}
	if err := s.audit(ctx, tx, a, "child.create", OutcomeOK, KindChild, c.ID, "", "from a missing-child report"); err != nil {
		return nil, err
	}
	e.ChildID = c.ID
	return c, nil
}

// missingReportOf builds the Report a missing-child report is, for the one
// intake pipeline.
func missingReportOf(a Actor, in *MissingReport, c *Child) *Report {
	e := &in.Episode
	seen := e.LastSeenAt
	person := PersonMention{Role: PersonChild, FirstName: c.FirstName, LastName: c.LastName, DateOfBirth: c.DateOfBirth,
		Sex: c.Sex, Description: truncate(c.Description, 2000), City: e.LastSeen.City, State: e.LastSeen.State, ChildID: c.ID}
	if len(c.Nicknames) > 0 {
		person.Nickname = truncate(strings.Join(c.Nicknames, ", "), 100)
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s: %s.", e.MissingType.Label(), nonEmpty(c.FullName(), "a child"))
	if e.LastSeenWith != "" {
		fmt.Fprintf(&sb, " Last seen with: %s.", e.LastSeenWith)
	}
	if e.Circumstances != "" {
		sb.WriteString("\n\n" + e.Circumstances)
	}
	rep := in.Reporter
	if rep.Relationship == "" {
		rep.Relationship = callerRelationship[a.Role]
	}
	return &Report{
		Channel: ChannelMissingChild, IncidentType: IncidentMissingChild, MissingType: e.MissingType,
		MissingFromCare: e.FromCare != nil, IncidentAt: &seen, Narrative: sb.String(),
		Places: []Place{e.LastSeen}, People: []PersonMention{person}, Reporter: rep, AgencyID: e.AgencyID,
	}
}

func nonEmpty(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return s
}

// GetEpisode returns an episode the actor may see, with its child and the
// photos' records (never their bytes), and audits the view with the reason
// given. An episode that does not exist and one the actor may not see answer
// alike (ENOTFOUND), and the refusal is audited.
func (s *Service) GetEpisode(ctx context.Context, a Actor, id int64, reason string) (e *MissingEpisode, err error) {
	err = s.viewRecord(ctx, a, KindEpisode, id, reason, func(tx Tx) (Resource, error) {
		if e, err = loadEpisode(ctx, tx, id); err != nil {
			return Resource{}, err
		}
		return e.Resource(), nil
	})
	if err != nil {
		return nil, err
	}
	return e, nil
}

// loadEpisode reads an episode with its child and its photos' records.
func loadEpisode(ctx context.Context, tx Tx, id int64) (e *MissingEpisode, err error) {
	if e, err = tx.EpisodeByID(ctx, id); err != nil {
		return nil, err
	}
	if e.Child, err = tx.ChildByID(ctx, e.ChildID); err != nil {
		return nil, err
	}
	if e.Photos, err = tx.ListAttachments(ctx, e.ReportID); err != nil {
		return nil, err
	}
	return e, nil
}

// ListEpisodes lists the episodes the actor may see that match f (f.Scope
// is set here from the rules, whatever the caller put there), each with its
// Child. A list names children, so it is audited ("episode.list", with the
// child filtered on, if any).
func (s *Service) ListEpisodes(ctx context.Context, a Actor, f EpisodeFilter) (es []*MissingEpisode, err error) {
	f.Scope = ScopeFor(a, ActionView, KindEpisode)
	err = s.Store.View(ctx, func(tx Tx) error {
		if es, err = tx.ListEpisodes(ctx, f); err != nil {
			return err
		}
		for _, e := range es {
			if e.Child, err = tx.ChildByID(ctx, e.ChildID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	kind, id := KindEpisode, int64(0)
	if f.ChildID != 0 {
		kind, id = KindChild, f.ChildID
	}
	err = s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, "episode.list", OutcomeOK, kind, id, "", fmt.Sprintf("%d episodes", len(es)))
	})
	return es, err
}

// OverdueFromCare lists the episodes of children missing from care, visible
// to the actor, whose statutory notifications are owed and past due at now
// (see MissingEpisode.Overdue), the longest overdue first.
func (s *Service) OverdueFromCare(ctx context.Context, a Actor, now time.Time) ([]*MissingEpisode, error) {
	now = now.UTC()
	return s.ListEpisodes(ctx, a, EpisodeFilter{OverdueAt: &now})
}

// RecordRecovery records the recovery of an open episode with its debrief,
// closing the episode. The actor must be allowed to update the episode (an
// episode the actor may not see answers ENOTFOUND); a second recovery of one
// episode is ECONFLICT.
func (s *Service) RecordRecovery(ctx context.Context, a Actor, episodeID int64, r *Recovery) error {
	_, err := s.RecordRecoveryOnce(ctx, a, Once{}, episodeID, r)
	return err
}

// RecordRecoveryOnce is RecordRecovery for a request that may be retried
// (see Once): a retry records nothing and reports replayed true.
func (s *Service) RecordRecoveryOnce(ctx context.Context, a Actor, o Once, episodeID int64, r *Recovery) (replayed bool, err error) {
	_, replayed, err = s.once(ctx, a, o, func() (int64, error) {
		return episodeID, s.recordRecovery(ctx, a, o, episodeID, r)
	})
	return replayed, err
}

func (s *Service) recordRecovery(ctx context.Context, a Actor, o Once, episodeID int64, r *Recovery) error {
	const action = "episode.recover"
	e, err := s.episodeToUpdate(ctx, a, episodeID, action, "record the recovery of this child")
	if err != nil {
		return err
	}
	if !e.Open() {
		return Errorf(ECONFLICT, "The recovery of this child was recorded already, at %s UTC.", e.Recovery.RecoveredAt.Format("2006-01-02 15:04"))
	}
	now := s.now()
	if err := r.Validate(e, now); err != nil {
		return err
	}
	r.RecordedAt = now
	if a.Role != RoleSystem {
		r.RecordedBy = a.UserID
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.RecordRecovery(ctx, episodeID, r); err != nil {
			if ErrorCode(err) == ECONFLICT {
				return Errorf(ECONFLICT, "The recovery of this child was recorded already.")
			}
			return err
		}
		if err := s.audit(ctx, tx, a, action, OutcomeOK, KindEpisode, episodeID, "", "screening "+string(r.Screening)); err != nil {
			return err
		}
		// The child is no longer missing: their reports are triaged again.
		if err := s.retriageChild(ctx, tx, e.ChildID); err != nil {
			return err
		}
		return s.remember(ctx, tx, a, o, episodeID)
	})
}

// RecordNotifications records, for a child missing from care, when law
// enforcement and/or the clearinghouse were told (nil: not told yet). A
// notification recorded already cannot be changed. The actor must be
// allowed to update the episode (one the actor may not see answers
// ENOTFOUND).
func (s *Service) RecordNotifications(ctx context.Context, a Actor, episodeID int64, leToldAt, chToldAt *time.Time) error {
	_, err := s.RecordNotificationsOnce(ctx, a, Once{}, episodeID, leToldAt, chToldAt)
	return err
}

// RecordNotificationsOnce is RecordNotifications for a request that may be
// retried (see Once): a retry records nothing and reports replayed true.
func (s *Service) RecordNotificationsOnce(ctx context.Context, a Actor, o Once, episodeID int64, leToldAt, chToldAt *time.Time) (replayed bool, err error) {
	_, replayed, err = s.once(ctx, a, o, func() (int64, error) {
		return episodeID, s.recordNotifications(ctx, a, o, episodeID, leToldAt, chToldAt)
	})
	return replayed, err
}

func (s *Service) recordNotifications(ctx context.Context, a Actor, o Once, episodeID int64, leToldAt, chToldAt *time.Time) error {
	const action = "episode.notify"
	e, err := s.episodeToUpdate(ctx, a, episodeID, action, "record notifications about this child")
	if err != nil {
		return err
	}
	if e.FromCare == nil {
		return FieldError("le_told_at", "the 24-hour notifications apply only to a child missing from care")
	}
	if leToldAt == nil && chToldAt == nil {
		return FieldError("le_told_at", "give the time law enforcement or the clearinghouse was told")
	}
	fc := *e.FromCare
	for _, n := range []struct {
		field   string
		at, had *time.Time
		into    **time.Time
		who     string
	}{{"le_told_at", leToldAt, e.FromCare.LawEnforcementToldAt, &fc.LawEnforcementToldAt, "law enforcement"},
		{"clearinghouse_told_at", chToldAt, e.FromCare.ClearinghouseToldAt, &fc.ClearinghouseToldAt, "the clearinghouse"}} {
		if n.at == nil {
			continue
		}
		if n.had != nil {
			return FieldError(n.field, "when %s was told is recorded already", n.who)
		}
		*n.into = n.at
	}
	if err := fc.Validate(s.now()); err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.SetEpisodeNotifications(ctx, episodeID, leToldAt, chToldAt); err != nil {
			return err
		}
		var told []string
		if leToldAt != nil {
			told = append(told, "law enforcement told "+leToldAt.UTC().Format(time.RFC3339))
		}
		if chToldAt != nil {
			told = append(told, "clearinghouse told "+chToldAt.UTC().Format(time.RFC3339))
		}
		if err := s.audit(ctx, tx, a, action, OutcomeOK, KindEpisode, episodeID, "", strings.Join(told, ", ")); err != nil {
			return err
		}
		// "Not yet sent to law enforcement" may no longer hold (triage.go).
		if err := s.enqueueTriage(ctx, tx, []int64{e.ReportID}, 0); err != nil {
			return err
		}
		return s.remember(ctx, tx, a, o, episodeID)
	})
}

// episodeToUpdate loads an episode the actor may update. One the actor may
// not see answers ENOTFOUND; one the actor may see but not change,
// EFORBIDDEN (saying they may not do what); both refusals are audited
// under action.
func (s *Service) episodeToUpdate(ctx context.Context, a Actor, id int64, action, what string) (e *MissingEpisode, err error) {
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		e, err = tx.EpisodeByID(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, e.Resource())) {
		return nil, s.deny(ctx, a, action, KindEpisode, id, hidden(KindEpisode))
	} else if err != nil {
		return nil, err
	}
	if !Can(a, ActionUpdate, e.Resource()) {
		return nil, s.deny(ctx, a, action, KindEpisode, id, forbidden(what))
	}
	return e, nil
}

// ChildChoices lists the children on file the actor may see, newest first,
// for a reporter to choose the missing child from (at most limit).
func (s *Service) ChildChoices(ctx context.Context, a Actor, limit int) (cs []*Child, err error) {
	f := ChildFilter{Scope: ScopeFor(a, ActionView, KindChild), Limit: limit}
	err = s.Store.View(ctx, func(tx Tx) error {
		cs, err = tx.ListChildren(ctx, f)
		return err
	})
	return cs, err
}

// ChildEpisodes returns a child's record with the episodes of that child
// the actor may see, oldest first. The view of the child is audited (or the
// refusal), as GetChild does.
func (s *Service) ChildEpisodes(ctx context.Context, a Actor, childID int64, reason string) (*Child, []*MissingEpisode, error) {
	c, err := s.GetChild(ctx, a, childID, reason)
	if err != nil {
		return nil, nil, err
	}
	es, err := s.ListEpisodes(ctx, a, EpisodeFilter{ChildID: childID})
	return c, es, err
}
