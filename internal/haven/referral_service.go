package haven

import (
	"context"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"
)

// CreateReferrals refers a report to agencies: one referral per agency,
// each with the package frozen now (ReferralPackage). The actor must be
// allowed to send referrals and to open the report (a report they may not
// open answers as one that does not exist); each agency must be active. A
// report already referred to an agency and still open there is not
// referred again: its open referral is returned instead, so a retry never
// duplicates. The agency's staff are notified (in the app, and by email
// when it is set up), and every case holding the report gets the referral
// on its timeline.
func (s *Service) CreateReferrals(ctx context.Context, a Actor, reportID int64, agencyIDs []int64, note string) ([]*Referral, error) {
	return s.createReferrals(ctx, a, Once{}, reportID, agencyIDs, note)
}

// CreateReferralsOnce is CreateReferrals for a request that may be retried:
// a retry with the same key sends nothing and returns the report's newest
// referrals to the agencies named, with replayed true.
func (s *Service) CreateReferralsOnce(ctx context.Context, a Actor, o Once, reportID int64, agencyIDs []int64, note string) (rs []*Referral, replayed bool, err error) {
	_, replayed, err = s.once(ctx, a, o, func() (int64, error) {
		rs, err = s.createReferrals(ctx, a, o, reportID, agencyIDs, note)
		if len(rs) > 0 {
			return rs[0].ID, err
		}
		return 0, err
	})
	if err != nil || !replayed {
		return rs, replayed, err
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		all, err := tx.ListReferrals(ctx, ReferralFilter{Scope: Scope{All: true}, ReportID: reportID})
		if err != nil {
			return err
		}
		for _, id := range dedupeIDs(agencyIDs) {
			for _, r := range all { // newest first
				if r.AgencyID == id {
					rs = append(rs, r)
					break
				}
			}
		}
		return nil
	})
	return rs, true, err
}

func dedupeIDs(ids []int64) []int64 {
	var out []int64
	for _, id := range ids {
		if !slices.Contains(out, id) {
			out = append(out, id)
		}
	}
	return out
}

func (s *Service) createReferrals(ctx context.Context, a Actor, o Once, reportID int64, agencyIDs []int64, note string) ([]*Referral, error) {
	const action = "referral.create"
	if !CanKind(a, ActionCreate, KindReferral) {
		return nil, s.deny(ctx, a, action, KindReport, reportID, forbidden("send referrals"))
	}
	agencyIDs = dedupeIDs(agencyIDs)
	switch {
	case len(agencyIDs) == 0:
		return nil, FieldError("agency_id", "choose at least one agency to refer the report to")
	case len(agencyIDs) > MaxReferralAgencies:
		return nil, FieldError("agency_id", "refer a report to at most %d agencies at once", MaxReferralAgencies)
	}
	note, err := validReferralText("note", note)
	if err != nil {
		return nil, err
	}
	var (
		rep      *Report
		agencies []*Agency
		pkg      ReferralPackage
		cases    []int64
	)
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		if rep, err = tx.ReportByID(ctx, reportID); err != nil {
			return err
		}
		if !Can(a, ActionView, rep.Resource()) {
			return Errorf(ENOTFOUND, "hidden")
		}
		for _, id := range agencyIDs {
			ag, err := tx.AgencyByID(ctx, id)
			if ErrorCode(err) == ENOTFOUND || (err == nil && ag.Inactive) || id <= 0 {
				return FieldError("agency_id", "agency %d is not an active agency in the directory", id)
			} else if err != nil {
				return err
			}
			agencies = append(agencies, ag)
		}
		if cases, err = tx.CasesOfReport(ctx, reportID); err != nil {
			return err
		}
		pkg, err = s.referralPackage(ctx, tx, a, rep, cases)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, s.deny(ctx, a, action, KindReport, reportID, hidden(KindReport))
	} else if err != nil {
		return nil, err
	}
	pkg.Note, pkg.SentBy = note, actorName(a)
	var out []*Referral
	err = s.Store.Update(ctx, func(tx Tx) error {
		out = nil
		sent := false
		if a.UserID != 0 {
			if u, err := tx.UserByID(ctx, a.UserID); err == nil && strings.TrimSpace(u.DisplayName) != "" {
				pkg.SentBy = u.DisplayName
			}
		}
		for _, ag := range agencies {
			if r, err := tx.OpenReferral(ctx, reportID, ag.ID); err == nil {
				out = append(out, r)
				continue
			} else if ErrorCode(err) != ENOTFOUND {
				return err
			}
			r := &Referral{ReportID: reportID, AgencyID: ag.ID, State: ReferralSent, Note: note, SentBy: a.UserID, SentAt: s.now(), Package: pkg}
			if len(cases) > 0 {
				r.CaseID = cases[0]
			}
			r.Package.Agency, r.Package.SentAt = ag.Name, r.SentAt
			if err := s.sendReferral(ctx, tx, a, r, cases, "Referred to "+ag.Name); err != nil {
				return err
			}
			out = append(out, r)
			sent = true
		}
		// A report sent to an agency is referred (a closed one stays closed).
		if sent {
			cur, err := tx.ReportByID(ctx, reportID)
			if err != nil {
				return err
			}
			if cur.Status == ReportNew || cur.Status == ReportInReview {
				if err := tx.SetReportStatus(ctx, reportID, ReportReferred, s.now()); err != nil {
					return err
				}
			}
		}
		if len(out) > 0 {
			if err := s.remember(ctx, tx, a, o, out[0].ID); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.wake()
	return out, nil
}

// sendReferral stores a new referral with its first event, audits it,
// notifies the agency's staff and writes it on the cases' timelines.
func (s *Service) sendReferral(ctx context.Context, tx Tx, a Actor, r *Referral, cases []int64, summary string) error {
	if err := tx.CreateReferral(ctx, r); err != nil {
		return err
	}
	msg := r.Note
	if err := s.referralEvent(ctx, tx, a, r, RefEventSent, msg); err != nil {
		return err
	}
	if err := s.audit(ctx, tx, a, "referral.create", OutcomeOK, KindReferral, r.ID, "",
		fmt.Sprintf("report %d to agency %d", r.ReportID, r.AgencyID)); err != nil {
		return err
	}
	if err := s.notifyAgency(ctx, tx, r.AgencyID, Notification{Kind: NotifyReferral,
		Message: fmt.Sprintf("Referral %d was sent to your agency. Open it in the portal: /portal/referrals/%d", r.ID, r.ID)}); err != nil {
		return err
	}
	return s.referralOnCases(ctx, tx, a, r, cases, fmt.Sprintf("%s (referral %d)", summary, r.ID))
}

// referralOnCases writes a referral event on the timeline of each case.
func (s *Service) referralOnCases(ctx context.Context, tx Tx, a Actor, r *Referral, cases []int64, summary string) error {
	if cases == nil {
		var err error
		if cases, err = tx.CasesOfReport(ctx, r.ReportID); err != nil {
			return err
		}
	}
	for _, c := range cases {
		e := &CaseEvent{CaseID: c, Kind: CaseEventReferral, At: s.now(), ActorID: a.UserID, Actor: actorName(a),
			Summary: summary, RecordKind: "referral", RecordID: r.ID}
		if err := tx.AddCaseEvent(ctx, e); err != nil {
			return err
		}
	}
	return nil
}

func (s *Service) referralEvent(ctx context.Context, tx Tx, a Actor, r *Referral, kind ReferralEventKind, msg string) error {
	return tx.AddReferralEvent(ctx, &ReferralEvent{ReferralID: r.ID, Kind: kind, At: s.now(), ActorID: a.UserID, Actor: actorName(a), Message: msg})
}

// notifyAgency sends n to every enabled member of the agency's staff who
// receives its referrals.
func (s *Service) notifyAgency(ctx context.Context, tx Tx, agencyID int64, n Notification) error {
	enabled := false
	for _, role := range ReferralRoles {
		users, err := tx.ListUsers(ctx, UserFilter{Role: role, AgencyID: agencyID, Disabled: &enabled})
		if err != nil {
			return err
		}
		for _, u := range users {
			each := n
			each.RecipientID, each.CreatedAt = u.ID, s.now()
			if err := s.Notify(ctx, tx, &each); err != nil {
				return err
			}
		}
	}
	return nil
}

// referralPackage draws the package of a report as the sender may see it.
func (s *Service) referralPackage(ctx context.Context, tx Tx, a Actor, r *Report, cases []int64) (ReferralPackage, error) {
	p := ReferralPackage{Report: PackageReport{Ref: r.Ref, ReceivedAt: r.ReceivedAt.UTC(), Channel: r.Channel.Label(),
		Incident: r.IncidentType.Label(), Priority: priorityText(r.Priority), Narrative: r.Narrative}}
	p.Report.Places, p.Identifiers, p.Linked, p.Attachments, p.Notes = []string{}, []string{}, []PackageLink{}, []PackageAttachment{}, []PackageNote{}
	for _, pl := range r.Places {
		if t := pl.Line(); t != "" {
			p.Report.Places = append(p.Report.Places, t)
		}
	}
	seen := map[string]bool{}
	for _, id := range r.Identifiers {
		t := identifierText(id)
		if !seen[t] {
			seen[t] = true
			p.Identifiers = append(p.Identifiers, t)
		}
	}
	links, err := tx.ReportLinks(ctx, r.ID, ScopeFor(a, ActionView, KindReport), ReportLinksPerIdentifier)
	if err != nil {
		return p, err
	}
	at := map[string]int{}
	for _, l := range links {
		if l.Key == nil || !l.Key.Links() {
			continue // not in the network: an excluded or flagged identifier
		}
		for _, o := range l.Reports {
			i, ok := at[o.Ref]
			if !ok {
				i = len(p.Linked)
				at[o.Ref] = i
				p.Linked = append(p.Linked, PackageLink{Ref: o.Ref, ReceivedAt: o.ReceivedAt.UTC()})
			}
			if t := identifierText(l.Identifier); !slices.Contains(p.Linked[i].Identifiers, t) {
				p.Linked[i].Identifiers = append(p.Linked[i].Identifiers, t)
			}
		}
	}
	sort.SliceStable(p.Linked, func(i, j int) bool { return p.Linked[i].ReceivedAt.Before(p.Linked[j].ReceivedAt) })
	as, err := tx.ListAttachments(ctx, r.ID)
	if err != nil {
		return p, err
	}
	for _, f := range as {
		ct := f.ContentType
		if ct == "" {
			ct = f.DeclaredType
		}
		p.Attachments = append(p.Attachments, PackageAttachment{FileName: f.FileName, ContentType: ct, Size: f.Size,
			SHA256: f.SHA256, MD5: f.MD5, ReceivedAt: f.CreatedAt.UTC()})
	}
	for _, c := range cases {
		notes, err := tx.ListCaseNotes(ctx, c)
		if err != nil {
			return p, err
		}
		for _, n := range notes {
			if n.Shareable {
				p.Notes = append(p.Notes, PackageNote{CaseID: c, CreatedAt: n.CreatedAt.UTC(), Body: n.Body})
			}
		}
	}
	return p, nil
}

// ReferralView is a referral with its history, as a page shows it.
type ReferralView struct {
	Referral *Referral
	Events   []*ReferralEvent // oldest first
	// InfoPending is true while the agency's latest question is unanswered.
	InfoPending bool
}

// isAgencyStaff reports whether the actor is a member of the referral's
// agency who receives its referrals.
func isAgencyStaff(a Actor, r *Referral) bool {
	return a.AgencyID != 0 && a.AgencyID == r.AgencyID && slices.Contains(ReferralRoles, a.Role)
}

// GetReferral returns a referral the actor may see with its history, and
// audits the view (or the refusal: a referral that does not exist and one
// the actor may not see answer alike, ENOTFOUND). The first time a member
// of the agency's staff opens it, it is marked received.
func (s *Service) GetReferral(ctx context.Context, a Actor, id int64) (*ReferralView, error) {
	return s.openReferral(ctx, a, id, "referral.view", "")
}

func (s *Service) openReferral(ctx context.Context, a Actor, id int64, action, detail string) (*ReferralView, error) {
	var r *Referral
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		r, err = tx.ReferralByID(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
		return nil, s.deny(ctx, a, action, KindReferral, id, hidden(KindReferral))
	} else if err != nil {
		return nil, err
	}
	v := &ReferralView{}
	err = s.Store.Update(ctx, func(tx Tx) (err error) {
		if r, err = tx.ReferralByID(ctx, id); err != nil {
			return err
		}
		if r.ReceivedAt == nil && isAgencyStaff(a, r) {
			now := s.now()
			r.ReceivedAt = &now
			if r.State == ReferralSent {
				r.State = ReferralReceived
			}
			if err := tx.UpdateReferral(ctx, r); err != nil {
				return err
			}
			if err := s.referralEvent(ctx, tx, a, r, RefEventReceived, ""); err != nil {
				return err
			}
			if err := s.referralOnCases(ctx, tx, a, r, nil, fmt.Sprintf("Referral %d received by %s", r.ID, r.AgencyName)); err != nil {
				return err
			}
		}
		if v.Events, err = tx.ListReferralEvents(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindReferral, id, "", detail)
	})
	if err != nil {
		return nil, err
	}
	v.Referral = r
	v.InfoPending = infoPending(v.Events)
	return v, nil
}

func infoPending(es []*ReferralEvent) bool {
	pending := false
	for _, e := range es {
		switch e.Kind {
		case RefEventInfoRequested:
			pending = true
		case RefEventInfoAnswered:
			pending = false
		}
	}
	return pending
}

// ReferralExport is a referral's package as handed to one person: the
// watermark names its recipient and the time.
type ReferralExport struct {
	View      *ReferralView
	Recipient string
	At        time.Time // UTC
}

// ExportReferral returns a referral for download by the actor with what its
// watermark carries, and audits the export (or the refusal) as
// referral.export.
func (s *Service) ExportReferral(ctx context.Context, a Actor, id int64) (*ReferralExport, error) {
	x := &ReferralExport{Recipient: actorName(a), At: s.now()}
	if a.UserID != 0 {
		_ = s.Store.View(ctx, func(tx Tx) error {
			if u, err := tx.UserByID(ctx, a.UserID); err == nil && strings.TrimSpace(u.DisplayName) != "" {
				x.Recipient = u.DisplayName + " (" + u.Username + ")"
			}
			return nil
		})
	}
	v, err := s.openReferral(ctx, a, id, "referral.export", "watermarked for "+x.Recipient+" at "+x.At.Format(time.RFC3339))
	if err != nil {
		return nil, err
	}
	x.View = v
	return x, nil
}

// ListReferrals lists the referrals the actor may see that match f (f.Scope
// is set here from the rules), newest first, with how many match in all.
func (s *Service) ListReferrals(ctx context.Context, a Actor, f ReferralFilter) (rs []*Referral, total int, err error) {
	if !CanKind(a, ActionView, KindReferral) {
		return nil, 0, s.deny(ctx, a, "referral.list", KindReferral, 0, forbidden("see referrals"))
	}
	if f.State != "" && !oneOf(f.State, ReferralStates) {
		return nil, 0, FieldError("state", "state is sent, received, acknowledged, outcome_recorded or transferred")
	}
	if f.AgencyID < 0 || f.ReportID < 0 {
		return nil, 0, FieldError("agency_id", "ids are positive numbers")
	}
	f.Scope = ScopeFor(a, ActionView, KindReferral)
	f.SentBefore, f.NotEscalated, f.Escalated, f.States = nil, false, false, nil
	err = s.Store.View(ctx, func(tx Tx) error {
		if rs, err = tx.ListReferrals(ctx, f); err != nil {
			return err
		}
		total, err = tx.CountReferrals(ctx, f)
		return err
	})
	return rs, total, err
}

// AcknowledgeReferral records that the agency has taken the referral on.
// Only a sent or received referral can be acknowledged.
func (s *Service) AcknowledgeReferral(ctx context.Context, a Actor, id int64) (*Referral, error) {
	r, _, err := s.AcknowledgeReferralOnce(ctx, a, Once{}, id)
	return r, err
}

// AcknowledgeReferralOnce is AcknowledgeReferral for a request that may be
// retried: a retry with the same key answers with the referral (replayed
// true) instead of a conflict.
func (s *Service) AcknowledgeReferralOnce(ctx context.Context, a Actor, o Once, id int64) (*Referral, bool, error) {
	return s.referralOnce(ctx, a, o, func() (*Referral, error) { return s.acknowledgeReferral(ctx, a, o, id) })
}

func (s *Service) acknowledgeReferral(ctx context.Context, a Actor, o Once, id int64) (*Referral, error) {
	return s.changeReferral(ctx, a, o, id, "referral.acknowledge", ActionUpdate, "acknowledge this referral", func(tx Tx, r *Referral) error {
		switch r.State {
		case ReferralAcknowledged:
			return Errorf(ECONFLICT, "This referral is already acknowledged.")
		case ReferralOutcome, ReferralTransferred:
			return Errorf(ECONFLICT, "This referral is closed (%s); it cannot be acknowledged.", strings.ToLower(r.State.Label()))
		}
		now := s.now()
		if r.ReceivedAt == nil {
			r.ReceivedAt = &now
		}
		r.State, r.AcknowledgedAt, r.AcknowledgedBy = ReferralAcknowledged, &now, a.UserID
		if err := s.referralEvent(ctx, tx, a, r, RefEventAcknowledged, ""); err != nil {
			return err
		}
		if err := s.notifyUser(ctx, tx, r.SentBy, Notification{Kind: NotifyReferralInfo, ReportID: r.ReportID,
			Message: fmt.Sprintf("%s acknowledged referral %d.", r.AgencyName, r.ID)}); err != nil {
			return err
		}
		return s.referralOnCases(ctx, tx, a, r, nil, fmt.Sprintf("Referral %d acknowledged by %s", r.ID, r.AgencyName))
	})
}

// RecordReferralOutcome records what came of an acknowledged referral
// (investigation opened, child located, arrest, unfounded), with a note,
// and closes it.
func (s *Service) RecordReferralOutcome(ctx context.Context, a Actor, id int64, outcome ReferralOutcomeKind, note string) (*Referral, error) {
	r, _, err := s.RecordReferralOutcomeOnce(ctx, a, Once{}, id, outcome, note)
	return r, err
}

// RecordReferralOutcomeOnce is RecordReferralOutcome for a request that may
// be retried: a retry with the same key answers with the referral (replayed
// true) instead of a conflict.
func (s *Service) RecordReferralOutcomeOnce(ctx context.Context, a Actor, o Once, id int64, outcome ReferralOutcomeKind, note string) (*Referral, bool, error) {
	return s.referralOnce(ctx, a, o, func() (*Referral, error) { return s.recordReferralOutcome(ctx, a, o, id, outcome, note) })
}

func (s *Service) recordReferralOutcome(ctx context.Context, a Actor, o Once, id int64, outcome ReferralOutcomeKind, note string) (*Referral, error) {
	// The input is checked once the actor is known to may change the
	// referral (changeReferral): a refused actor is refused whatever the
	// form holds. The same holds for the other changes below.
	return s.changeReferral(ctx, a, o, id, "referral.outcome", ActionUpdate, "record this referral's outcome", func(tx Tx, r *Referral) error {
		note, err := validReferralText("outcome_note", note)
		if err != nil {
			return err
		}
		if !oneOf(outcome, ReferralOutcomes) {
			return FieldError("outcome", "choose investigation_opened, child_located, arrest or unfounded")
		}
		switch r.State {
		case ReferralSent, ReferralReceived:
			return Errorf(ECONFLICT, "Acknowledge this referral before recording its outcome.")
		case ReferralOutcome:
			return Errorf(ECONFLICT, "This referral's outcome is already recorded.")
		case ReferralTransferred:
			return Errorf(ECONFLICT, "This referral was transferred to another agency; its outcome is theirs to record.")
		}
		now := s.now()
		r.State, r.Outcome, r.OutcomeNote, r.OutcomeAt, r.OutcomeBy = ReferralOutcome, outcome, note, &now, a.UserID
		msg := outcome.Label()
		if note != "" {
			msg += ": " + note
		}
		if err := s.referralEvent(ctx, tx, a, r, RefEventOutcome, msg); err != nil {
			return err
		}
		if err := s.notifyUser(ctx, tx, r.SentBy, Notification{Kind: NotifyReferralInfo, ReportID: r.ReportID,
			Message: fmt.Sprintf("%s recorded the outcome of referral %d: %s.", r.AgencyName, r.ID, outcome.Label())}); err != nil {
			return err
		}
		return s.referralOnCases(ctx, tx, a, r, nil, fmt.Sprintf("Referral %d outcome: %s", r.ID, outcome.Label()))
	})
}

// RequestReferralInfo sends the analyst who sent an open referral a
// question from the agency; the analyst is notified.
func (s *Service) RequestReferralInfo(ctx context.Context, a Actor, id int64, message string) (*Referral, error) {
	r, _, err := s.RequestReferralInfoOnce(ctx, a, Once{}, id, message)
	return r, err
}

// RequestReferralInfoOnce is RequestReferralInfo for a request that may be
// retried: a retry with the same key asks nothing more and returns the
// referral with replayed true.
func (s *Service) RequestReferralInfoOnce(ctx context.Context, a Actor, o Once, id int64, message string) (*Referral, bool, error) {
	return s.referralOnce(ctx, a, o, func() (*Referral, error) { return s.requestReferralInfo(ctx, a, o, id, message) })
}

func (s *Service) requestReferralInfo(ctx context.Context, a Actor, o Once, id int64, message string) (*Referral, error) {
	return s.changeReferral(ctx, a, o, id, "referral.info_request", ActionUpdate, "ask about this referral", func(tx Tx, r *Referral) error {
		message, err := validReferralText("message", message)
		if err != nil {
			return err
		}
		if message == "" {
			return FieldError("message", "write what more you need to know")
		}
		if !r.State.Open() {
			return Errorf(ECONFLICT, "This referral is closed; ask the clearinghouse directly.")
		}
		if err := s.referralEvent(ctx, tx, a, r, RefEventInfoRequested, message); err != nil {
			return err
		}
		n := Notification{Kind: NotifyReferralInfo, ReportID: r.ReportID,
			Message: fmt.Sprintf("%s asks for more information on referral %d.", r.AgencyName, r.ID)}
		if r.SentBy != 0 {
			return s.notifyUser(ctx, tx, r.SentBy, n)
		}
		return s.notifyStaff(ctx, tx, n)
	})
}

// AnswerReferralInfo answers the agency's open question on a referral; the
// agency's staff are notified. A referral with no open question is
// ECONFLICT.
func (s *Service) AnswerReferralInfo(ctx context.Context, a Actor, id int64, message string) (*Referral, error) {
	r, _, err := s.AnswerReferralInfoOnce(ctx, a, Once{}, id, message)
	return r, err
}

// AnswerReferralInfoOnce is AnswerReferralInfo for a request that may be
// retried: a retry with the same key answers nothing more.
func (s *Service) AnswerReferralInfoOnce(ctx context.Context, a Actor, o Once, id int64, message string) (*Referral, bool, error) {
	return s.referralOnce(ctx, a, o, func() (*Referral, error) { return s.answerReferralInfo(ctx, a, o, id, message) })
}

func (s *Service) answerReferralInfo(ctx context.Context, a Actor, o Once, id int64, message string) (*Referral, error) {
	return s.changeReferral(ctx, a, o, id, "referral.info_answer", ActionAnswer, "answer questions on referrals", func(tx Tx, r *Referral) error {
		message, err := validReferralText("message", message)
		if err != nil {
			return err
		}
		if message == "" {
			return FieldError("message", "write the answer")
		}
		es, err := tx.ListReferralEvents(ctx, r.ID)
		if err != nil {
			return err
		}
		if !infoPending(es) {
			return Errorf(ECONFLICT, "The agency has no open question on this referral.")
		}
		if err := s.referralEvent(ctx, tx, a, r, RefEventInfoAnswered, message); err != nil {
			return err
		}
		return s.notifyAgency(ctx, tx, r.AgencyID, Notification{Kind: NotifyReferralInfo,
			Message: fmt.Sprintf("The clearinghouse answered your question on referral %d: /portal/referrals/%d", r.ID, r.ID)})
	})
}

// TransferReferral hands an open referral to another active agency: a new
// referral to that agency with the same package is sent, and this one is
// closed as transferred (outcome transferred, TransferredTo the new one).
// It returns the new referral.
func (s *Service) TransferReferral(ctx context.Context, a Actor, id, toAgencyID int64, note string) (*Referral, error) {
	r, _, err := s.TransferReferralOnce(ctx, a, Once{}, id, toAgencyID, note)
	return r, err
}

// TransferReferralOnce is TransferReferral for a request that may be
// retried: a retry with the same key transfers nothing more and returns the
// referral the first request made, with replayed true.
func (s *Service) TransferReferralOnce(ctx context.Context, a Actor, o Once, id, toAgencyID int64, note string) (*Referral, bool, error) {
	r, replayed, err := s.referralOnce(ctx, a, o, func() (*Referral, error) { return s.transferReferral(ctx, a, o, id, toAgencyID, note) })
	if err != nil || !replayed {
		return r, replayed, err
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		r, err = tx.ReferralByID(ctx, r.TransferredTo)
		return err
	})
	return r, true, err
}

func (s *Service) transferReferral(ctx context.Context, a Actor, o Once, id, toAgencyID int64, note string) (*Referral, error) {
	var next *Referral
	_, err := s.changeReferral(ctx, a, o, id, "referral.transfer", ActionUpdate, "transfer this referral", func(tx Tx, r *Referral) error {
		note, err := validReferralText("note", note)
		if err != nil {
			return err
		}
		if toAgencyID <= 0 {
			return FieldError("agency_id", "choose the agency to transfer the referral to")
		}
		if !r.State.Open() {
			return Errorf(ECONFLICT, "This referral is closed; it cannot be transferred.")
		}
		if toAgencyID == r.AgencyID {
			return FieldError("agency_id", "the referral is already with this agency; choose another")
		}
		ag, err := tx.AgencyByID(ctx, toAgencyID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && ag.Inactive) {
			return FieldError("agency_id", "agency %d is not an active agency in the directory", toAgencyID)
		} else if err != nil {
			return err
		}
		if _, err := tx.OpenReferral(ctx, r.ReportID, ag.ID); err == nil {
			return Errorf(ECONFLICT, "%s already has an open referral of this report.", ag.Name)
		} else if ErrorCode(err) != ENOTFOUND {
			return err
		}
		now := s.now()
		next = &Referral{ReportID: r.ReportID, CaseID: r.CaseID, AgencyID: ag.ID, State: ReferralSent, Note: note,
			SentBy: r.SentBy, SentAt: now, TransferredFrom: r.ID, Package: r.Package}
		next.Package.Agency, next.Package.SentAt = ag.Name, now
		if note != "" {
			next.Package.Note = note
		}
		if err := s.sendReferral(ctx, tx, a, next, nil, fmt.Sprintf("Referral %d transferred by %s to %s", r.ID, r.AgencyName, ag.Name)); err != nil {
			return err
		}
		r.State, r.Outcome, r.OutcomeAt, r.OutcomeBy, r.TransferredTo = ReferralTransferred, OutcomeTransferred, &now, a.UserID, next.ID
		if note != "" {
			r.OutcomeNote = note
		}
		if err := s.referralEvent(ctx, tx, a, r, RefEventTransferred, fmt.Sprintf("to %s (referral %d)", ag.Name, next.ID)); err != nil {
			return err
		}
		return s.notifyUser(ctx, tx, r.SentBy, Notification{Kind: NotifyReferralInfo, ReportID: r.ReportID,
			Message: fmt.Sprintf("%s transferred referral %d to %s.", r.AgencyName, r.ID, ag.Name)})
	})
	if err != nil {
		return nil, err
	}
	return next, nil
}

// referralOnce runs do once per idempotency key; a replay returns the
// referral (read again) that the first request changed.
func (s *Service) referralOnce(ctx context.Context, a Actor, o Once, do func() (*Referral, error)) (r *Referral, replayed bool, err error) {
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		r, err = do()
		if r != nil {
			return r.ID, err
		}
		return 0, err
	})
	if err != nil || !replayed {
		return r, replayed, err
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		r, err = tx.ReferralByID(ctx, id)
		return err
	})
	return r, true, err
}

// notifyUser notifies one user (nobody when id is 0).
func (s *Service) notifyUser(ctx context.Context, tx Tx, id int64, n Notification) error {
	if id == 0 {
		return nil
	}
	n.RecipientID = id
	return s.Notify(ctx, tx, &n)
}

// changeReferral loads a referral, checks action on it (a referral the
// actor may not see is ENOTFOUND, one they see but may not change
// EFORBIDDEN), applies change, stores it and audits it. Refusals and
// conflicts (a change the referral's state does not allow) are audited as
// refusals, and change nothing.
func (s *Service) changeReferral(ctx context.Context, a Actor, o Once, id int64, audit string, action Action, what string, change func(Tx, *Referral) error) (r *Referral, err error) {
	var refusal *Error
	err = s.Store.Update(ctx, func(tx Tx) error {
		if r, err = tx.ReferralByID(ctx, id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				refusal = hidden(KindReferral)
				return nil
			}
			return err
		}
		switch {
		case !Can(a, ActionView, r.Resource()):
			refusal = hidden(KindReferral)
			return nil
		case !Can(a, action, r.Resource()):
			refusal = forbidden(what)
			return nil
		}
		if err := change(tx, r); err != nil {
			return err
		}
		if err := tx.UpdateReferral(ctx, r); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, audit, OutcomeOK, KindReferral, id, "", string(r.State))
	})
	if refusal != nil {
		return nil, s.deny(ctx, a, audit, KindReferral, id, refusal)
	}
	if code := ErrorCode(err); code == ECONFLICT || code == EINVALID {
		return nil, s.deny(ctx, a, audit, KindReferral, id, &Error{Code: code, Message: ErrorMessage(err), Field: ErrorField(err)})
	}
	if err != nil {
		return nil, err
	}
	s.wake()
	return r, nil
}

// referralEscalator is who escalates referrals in the audit log.
var referralEscalator = Actor{Username: "referral-escalation", Role: RoleSystem, Via: "job"}

// EscalateReferrals tells the supervisors, once, of every referral sent
// more than after ago and still not acknowledged (sent or received), and
// marks it escalated. It returns how many it escalated. The escalation job
// runs it periodically.
func (s *Service) EscalateReferrals(ctx context.Context, after time.Duration) (int, error) {
	if after <= 0 {
		return 0, FieldError("referral_escalate_after", "the escalation time must be positive")
	}
	n := 0
	err := s.Store.Update(ctx, func(tx Tx) error {
		before := s.now().Add(-after)
		rs, err := tx.ListReferrals(ctx, ReferralFilter{Scope: Scope{All: true}, States: []ReferralState{ReferralSent, ReferralReceived},
			SentBefore: &before, NotEscalated: true, Limit: 500})
		if err != nil {
			return err
		}
		sups, err := enabledUsers(ctx, tx, []Role{RoleSupervisor}, 0)
		if err != nil {
			return err
		}
		for _, r := range rs {
			now := s.now()
			if marked, err := tx.MarkReferralEscalated(ctx, r.ID, now); err != nil {
				return err
			} else if !marked {
				continue // another node escalated it meanwhile
			}
			r.EscalatedAt = &now
			if err := s.referralEvent(ctx, tx, referralEscalator, r, RefEventEscalated,
				fmt.Sprintf("not acknowledged %s after it was sent", after)); err != nil {
				return err
			}
			if err := s.audit(ctx, tx, referralEscalator, "referral.escalate", OutcomeOK, KindReferral, r.ID, "", r.AgencyName); err != nil {
				return err
			}
			for _, u := range sups {
				if err := s.Notify(ctx, tx, &Notification{RecipientID: u.ID, Kind: NotifyReferralEscalated, ReportID: r.ReportID,
					Message: fmt.Sprintf("Referral %d to %s has not been acknowledged since %s UTC.", r.ID, r.AgencyName,
						r.SentAt.UTC().Format("2006-01-02 15:04"))}); err != nil {
					return err
				}
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	if n > 0 {
		s.wake()
	}
	return n, nil
}

// UnacknowledgedReferrals returns the escalated referrals still not
// acknowledged, oldest first, for the supervisors' deadline view.
func (s *Service) UnacknowledgedReferrals(ctx context.Context, a Actor) (rs []*Referral, err error) {
	if !CanKind(a, ActionView, KindDeadlines) || !CanKind(a, ActionView, KindReferral) {
		return nil, s.deny(ctx, a, "referral.unacknowledged", KindReferral, 0, forbidden("see the deadlines"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		rs, err = tx.ListReferrals(ctx, ReferralFilter{Scope: ScopeFor(a, ActionView, KindReferral),
			States: []ReferralState{ReferralSent, ReferralReceived}, Escalated: true, Limit: MaxDeadlineRows})
		return err
	})
	slices.Reverse(rs)
	return rs, err
}

// ReferralStats are the referral counts an agency (or the clearinghouse)
// sees.
type ReferralStats struct {
	Total     int
	ByState   map[ReferralState]int
	ByOutcome map[ReferralOutcomeKind]int
	// Acknowledged counts the referrals acknowledged; MedianAcknowledge is
	// the median time from sending to acknowledging (0 when none was).
	Acknowledged      int
	MedianAcknowledge time.Duration
}

// ReferralStatistics counts the referrals the actor may see (an agency's
// staff: their agency's), by state and by outcome, with the median time to
// acknowledge. agencyID narrows it to one agency (0: all the actor sees).
func (s *Service) ReferralStatistics(ctx context.Context, a Actor, agencyID int64) (*ReferralStats, error) {
	rs, _, err := s.ListReferrals(ctx, a, ReferralFilter{AgencyID: agencyID})
	if err != nil {
		return nil, err
	}
	st := &ReferralStats{ByState: map[ReferralState]int{}, ByOutcome: map[ReferralOutcomeKind]int{}}
	var waits []time.Duration
	for _, r := range rs {
		st.Total++
		st.ByState[r.State]++
		if r.Outcome != "" {
			st.ByOutcome[r.Outcome]++
		}
		if r.AcknowledgedAt != nil {
			waits = append(waits, r.AcknowledgedAt.Sub(r.SentAt))
		}
	}
	st.Acknowledged = len(waits)
	if n := len(waits); n > 0 {
		slices.Sort(waits)
		if n%2 == 1 {
			st.MedianAcknowledge = waits[n/2]
		} else {
			st.MedianAcknowledge = (waits[n/2-1] + waits[n/2]) / 2
		}
	}
	return st, nil
}
