package haven

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Retention (docs/retention.md): how long a closed report is kept, legal
// holds that keep any record whatever its age, and the purge that removes
// what is due. A purged report leaves a tombstone (its reference, channel
// and times) and its audit events, which are append-only, so that "what
// happened to report X" is always answered.

// Record kinds of retention.
const (
	KindRetention Kind = "retention"  // the retention policy
	KindLegalHold Kind = "legal_hold" // a legal hold
)

const (
	// EspMinimumRetentionDays is the least a finished ESP report is kept
	// after it is closed: the REPORT Act of 2024 requires its content to
	// be preserved for at least one year. No policy can go below it.
	EspMinimumRetentionDays = 365
	// MinimumRetentionDays is the least any other closed report is kept: a
	// report closed by mistake can be reopened for a month at least.
	MinimumRetentionDays = 30
	// DefaultRetentionDays is the days a closed report is kept when the
	// administrators have set nothing: seven years (see docs/retention.md).
	DefaultRetentionDays = 7*365 + 2
	// IdempotencyWindow is how long a request's idempotency key is kept: a
	// client retries within minutes or hours; three days covers a retry
	// after a weekend outage.
	IdempotencyWindow = 72 * time.Hour
	// RetentionSweepEvery is how often the purge runs.
	RetentionSweepEvery = 24 * time.Hour
	// purgeBatch is how many due reports one read of the purge takes.
	purgeBatch = 200
)

// RetentionChannels are the channels a retention rule is set for.
var RetentionChannels = []Channel{ChannelESP, ChannelPublicTip, ChannelHotline, ChannelMissingChild, ChannelAPI, ChannelImport}

// RetentionRule is the days a closed report of one channel is kept after it
// was closed (after its last change as a closed report).
type RetentionRule struct {
	Channel   Channel
	Days      int
	UpdatedBy int64     // 0 for a default
	UpdatedAt time.Time // zero for a default
}

// Default reports whether the rule is the built-in default (never set).
func (r RetentionRule) Default() bool { return r.UpdatedAt.IsZero() }

// MinimumDays is the least Days the channel accepts.
func (r RetentionRule) MinimumDays() int { return minimumRetentionDays(r.Channel) }

func minimumRetentionDays(ch Channel) int {
	if ch == ChannelESP {
		return EspMinimumRetentionDays
	}
	return MinimumRetentionDays
}

// HoldKind is the kind of record a legal hold is placed on.
type HoldKind string

// Hold kinds: a hold on a case covers its reports, on an ESP account every
// report the account sent, on a child every report naming the child and
// every report on the child's cases.
const (
	HoldReport     HoldKind = "report"
	HoldCase       HoldKind = "case"
	HoldEspAccount HoldKind = "esp_account"
	HoldChild      HoldKind = "child"
)

// HoldKinds lists the kinds of record a hold may be placed on.
var HoldKinds = []HoldKind{HoldReport, HoldCase, HoldEspAccount, HoldChild}

// LegalHold keeps the records it covers from any purge until released.
type LegalHold struct {
	ID            int64
	Kind          HoldKind
	TargetID      int64
	Reason        string
	Reference     string // e.g. a subpoena or court order number
	PlacedBy      int64
	PlacedAt      time.Time
	ReleasedBy    int64
	ReleasedAt    *time.Time
	ReleaseReason string
}

// Open reports whether the hold is still in force.
func (h *LegalHold) Open() bool { return h.ReleasedAt == nil }

// HoldInput is what placing a legal hold asks for.
type HoldInput struct {
	Kind      HoldKind
	TargetID  int64
	Reason    string
	Reference string
}

// LegalHoldFilter selects holds: OpenOnly leaves released ones out; Kind
// and TargetID, if set, name the record.
type LegalHoldFilter struct {
	OpenOnly bool
	Kind     HoldKind
	TargetID int64
	Limit    int
}

// Tombstone is what remains of a purged report.
type Tombstone struct {
	ReportID   int64
	Ref        string
	Channel    Channel
	ReceivedAt time.Time
	ClosedAt   time.Time
	PurgedAt   time.Time
	Rule       string // the rule that applied
}

// PurgeCandidate is a closed report due for purging.
type PurgeCandidate struct {
	ReportID   int64
	Ref        string
	Channel    Channel
	ReceivedAt time.Time
	ClosedAt   time.Time // the report's last change while closed
}

// PurgeQuery selects the closed reports of Channel whose last change is
// before ClosedBefore, that are on no open case and under no open legal
// hold, and, if they came from an ESP finish, whose last change is also
// before EspClosedBefore; with ids above AfterID, in id order, at most Limit.
type PurgeQuery struct {
	Channel         Channel
	ClosedBefore    time.Time
	EspClosedBefore time.Time
	AfterID         int64
	Limit           int
}

// RetentionTx is the store's part of retention.
type RetentionTx interface {
	// SetReportStatus sets the report's status and its UpdatedAt to at
	// (ENOTFOUND).
	SetReportStatus(ctx context.Context, id int64, status ReportStatus, at time.Time) error
	// RetentionRules returns the rules set (not the defaults).
	RetentionRules(ctx context.Context) ([]RetentionRule, error)
	// SetRetentionRule stores the channel's rule, replacing any.
	SetRetentionRule(ctx context.Context, r *RetentionRule) error
	// CreateLegalHold stores h and sets its ID; the report of a report hold
	// is locked until the transaction ends, so that a purge running at the
	// same time either sees the hold or has purged the report.
	CreateLegalHold(ctx context.Context, h *LegalHold) error
	// LegalHoldByID returns the hold (ENOTFOUND).
	LegalHoldByID(ctx context.Context, id int64) (*LegalHold, error)
	// ReleaseLegalHold records h's release if it is open (ECONFLICT if it
	// was released already, ENOTFOUND if missing).
	ReleaseLegalHold(ctx context.Context, h *LegalHold) error
	// ListLegalHolds returns holds, newest first.
	ListLegalHolds(ctx context.Context, f LegalHoldFilter) ([]*LegalHold, error)
	// ReportLegalHolds returns the open holds covering the report, whether
	// placed on it, its case, its ESP account or a child it names.
	ReportLegalHolds(ctx context.Context, reportID int64) ([]*LegalHold, error)
	// PurgeCandidates returns the reports due under q.
	PurgeCandidates(ctx context.Context, q PurgeQuery) ([]PurgeCandidate, error)
	// PurgeReport deletes the report of c with everything that belongs to
	// it (places, people, identifiers and their links, attachments,
	// supplements, ESP submission, call, notifications, missing episode,
	// referrals, case links, search entry) and stores t, if the report is
	// still due under q (checked under a lock of its row); it returns the
	// blob ids of its files for deletion after commit. A report no longer
	// there or no longer due is ENOTFOUND, and nothing changes.
	PurgeReport(ctx context.Context, c PurgeCandidate, q PurgeQuery, t *Tombstone) ([]string, error)
	// TombstoneByRef returns a purged report's tombstone (ENOTFOUND).
	TombstoneByRef(ctx context.Context, ref string) (*Tombstone, error)
	// ExpiredIdempotencyKeys counts the keys recorded before before.
	ExpiredIdempotencyKeys(ctx context.Context, before time.Time) (int, error)
	// DeleteIdempotencyKeys deletes at most limit keys recorded before
	// before and returns how many.
	DeleteIdempotencyKeys(ctx context.Context, before time.Time, limit int) (int, error)
}

// RetentionPolicy returns the rule of every channel, defaults included.
func (s *Service) RetentionPolicy(ctx context.Context, a Actor) ([]RetentionRule, error) {
	if !CanKind(a, ActionView, KindRetention) {
		return nil, s.deny(ctx, a, "retention.view", KindRetention, 0, forbidden("see the retention policy"))
	}
	var rules []RetentionRule
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		rules, err = retentionRules(ctx, tx)
		return err
	})
	return rules, err
}

func retentionRules(ctx context.Context, tx Tx) ([]RetentionRule, error) {
	set, err := tx.RetentionRules(ctx)
	if err != nil {
		return nil, err
	}
	byCh := map[Channel]RetentionRule{}
	for _, r := range set {
		byCh[r.Channel] = r
	}
	rules := make([]RetentionRule, 0, len(RetentionChannels))
	for _, ch := range RetentionChannels {
		r, ok := byCh[ch]
		if !ok {
			r = RetentionRule{Channel: ch, Days: DefaultRetentionDays}
		}
		rules = append(rules, r)
	}
	return rules, nil
}

// SetRetentionDays sets how many days closed reports of the channel are
// kept. Fewer than the channel's minimum (365 for ESP reports, 30 for the
// others) or more than 100 years is EINVALID and changes nothing.
func (s *Service) SetRetentionDays(ctx context.Context, a Actor, ch Channel, days int) error {
	if !CanKind(a, ActionUpdate, KindRetention) {
		return s.deny(ctx, a, "retention.update", KindRetention, 0, forbidden("change the retention policy"))
	}
	known := false
	for _, c := range RetentionChannels {
		known = known || c == ch
	}
	if !known {
		return FieldError("channel", "%q is not a channel reports come in by.", ch)
	}
	if min := minimumRetentionDays(ch); days < min {
		if ch == ChannelESP {
			return FieldError("days", "Finished ESP reports must be kept at least %d days after they are closed (REPORT Act of 2024); %d is too few.", min, days)
		}
		return FieldError("days", "Closed reports are kept at least %d days; %d is too few.", min, days)
	}
	if days > 36525 {
		return FieldError("days", "At most 36525 days (100 years); %d is too many.", days)
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		rules, err := retentionRules(ctx, tx)
		if err != nil {
			return err
		}
		old := 0
		for _, r := range rules {
			if r.Channel == ch {
				old = r.Days
			}
		}
		r := &RetentionRule{Channel: ch, Days: days, UpdatedBy: a.UserID, UpdatedAt: s.now()}
		if err := tx.SetRetentionRule(ctx, r); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "retention.update", OutcomeOK, KindRetention, 0, "", fmt.Sprintf("%s: %d → %d days", ch, old, days))
	})
}

// PlaceLegalHold puts a hold on a record that exists, with a reason (and a
// reference such as a court order number). The record's kind must be one
// of HoldKinds.
func (s *Service) PlaceLegalHold(ctx context.Context, a Actor, in HoldInput) (*LegalHold, error) {
	h, _, err := s.PlaceLegalHoldOnce(ctx, a, Once{}, in)
	return h, err
}

// PlaceLegalHoldOnce is PlaceLegalHold for a request that may be retried
// (see Once): a retry places nothing and returns the first hold with
// replayed true.
func (s *Service) PlaceLegalHoldOnce(ctx context.Context, a Actor, o Once, in HoldInput) (h *LegalHold, replayed bool, err error) {
	if !CanKind(a, ActionCreate, KindLegalHold) {
		return nil, false, s.deny(ctx, a, "legal_hold.place", KindLegalHold, 0, forbidden("place legal holds"))
	}
	in.Reason, in.Reference = strings.TrimSpace(in.Reason), strings.TrimSpace(in.Reference)
	switch {
	case !validHoldKind(in.Kind):
		return nil, false, FieldError("kind", "A hold is placed on a report, a case, an ESP account or a child, not %q.", in.Kind)
	case in.TargetID <= 0:
		return nil, false, FieldError("target_id", "Name the record to hold.")
	case in.Reason == "":
		return nil, false, FieldError("reason", "Say why the record is held.")
	case len(in.Reason) > 2000:
		return nil, false, FieldError("reason", "The reason has at most 2000 characters.")
	case len(in.Reference) > 200:
		return nil, false, FieldError("reference", "The reference has at most 200 characters.")
	}
	h = &LegalHold{Kind: in.Kind, TargetID: in.TargetID, Reason: in.Reason, Reference: in.Reference, PlacedBy: a.UserID}
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.Store.Update(ctx, func(tx Tx) error {
			if err := holdTargetExists(ctx, tx, in.Kind, in.TargetID); err != nil {
				return err
			}
			h.ID, h.PlacedAt = 0, s.now()
			if err := tx.CreateLegalHold(ctx, h); err != nil {
				return err
			}
			if err := s.remember(ctx, tx, a, o, h.ID); err != nil {
				return err
			}
			return s.audit(ctx, tx, a, "legal_hold.place", OutcomeOK, KindLegalHold, h.ID, h.Reason,
				fmt.Sprintf("%s %d; reference %s", h.Kind, h.TargetID, h.Reference))
		})
		return h.ID, err
	})
	if err != nil {
		return nil, false, err
	}
	if replayed {
		err = s.Store.View(ctx, func(tx Tx) (err error) {
			h, err = tx.LegalHoldByID(ctx, id)
			return err
		})
	}
	return h, replayed, err
}

func validHoldKind(k HoldKind) bool {
	for _, h := range HoldKinds {
		if h == k {
			return true
		}
	}
	return false
}

func holdTargetExists(ctx context.Context, tx Tx, k HoldKind, id int64) error {
	var err error
	switch k {
	case HoldReport:
		_, err = tx.ReportByID(ctx, id)
	case HoldCase:
		_, err = tx.CaseByID(ctx, id)
	case HoldChild:
		_, err = tx.ChildByID(ctx, id)
	case HoldEspAccount:
		var as []*EspAccount
		if as, err = tx.ListEspAccounts(ctx); err == nil {
			err = Errorf(ENOTFOUND, "")
			for _, acct := range as {
				if acct.ID == id {
					err = nil
				}
			}
		}
	}
	if ErrorCode(err) == ENOTFOUND {
		return FieldError("target_id", "There is no %s %d.", strings.ReplaceAll(string(k), "_", " "), id)
	}
	return err
}

// ReleaseLegalHold ends a hold, with a reason. Releasing a hold released
// already is ECONFLICT.
func (s *Service) ReleaseLegalHold(ctx context.Context, a Actor, id int64, reason string) error {
	if !CanKind(a, ActionUpdate, KindLegalHold) {
		return s.deny(ctx, a, "legal_hold.release", KindLegalHold, id, forbidden("release legal holds"))
	}
	reason = strings.TrimSpace(reason)
	if reason == "" {
		return FieldError("reason", "Say why the hold is released.")
	} else if len(reason) > 2000 {
		return FieldError("reason", "The reason has at most 2000 characters.")
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		h, err := tx.LegalHoldByID(ctx, id)
		if err != nil {
			return err
		}
		if !h.Open() {
			return Errorf(ECONFLICT, "That hold was released on %s.", h.ReleasedAt.Format("2 Jan 2006"))
		}
		now := s.now()
		h.ReleasedBy, h.ReleasedAt, h.ReleaseReason = a.UserID, &now, reason
		if err := tx.ReleaseLegalHold(ctx, h); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "legal_hold.release", OutcomeOK, KindLegalHold, h.ID, reason,
			fmt.Sprintf("%s %d; reference %s", h.Kind, h.TargetID, h.Reference))
	})
}

// LegalHolds lists holds for those who may see them.
func (s *Service) LegalHolds(ctx context.Context, a Actor, f LegalHoldFilter) (hs []*LegalHold, err error) {
	if !CanKind(a, ActionView, KindLegalHold) {
		return nil, s.deny(ctx, a, "legal_hold.view", KindLegalHold, 0, forbidden("see legal holds"))
	}
	if f.Kind != "" && !oneOf(f.Kind, HoldKinds) {
		return nil, FieldError("kind", "kind is report, case, esp_account or child")
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		hs, err = tx.ListLegalHolds(ctx, f)
		return err
	})
	return hs, err
}

// LegalHold returns one hold (ENOTFOUND).
func (s *Service) LegalHold(ctx context.Context, a Actor, id int64) (h *LegalHold, err error) {
	if !CanKind(a, ActionView, KindLegalHold) {
		return nil, s.deny(ctx, a, "legal_hold.view", KindLegalHold, id, forbidden("see legal holds"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		h, err = tx.LegalHoldByID(ctx, id)
		return err
	})
	return h, err
}

// ReportLegalHolds returns the open holds covering a report, for whoever
// may open the report (the report page shows them); a report the actor may
// not open is ENOTFOUND.
func (s *Service) ReportLegalHolds(ctx context.Context, a Actor, reportID int64) (hs []*LegalHold, err error) {
	err = s.Store.View(ctx, func(tx Tx) error {
		r, err := tx.ReportByID(ctx, reportID)
		if err != nil {
			return err
		}
		if !Can(a, ActionView, r.Resource()) {
			return Errorf(ENOTFOUND, "No such report.")
		}
		hs, err = tx.ReportLegalHolds(ctx, reportID)
		return err
	})
	return hs, err
}

// ReportTombstone answers "what happened to report ref" once it is purged.
func (s *Service) ReportTombstone(ctx context.Context, a Actor, ref string) (t *Tombstone, err error) {
	if !CanKind(a, ActionView, KindRetention) && !CanKind(a, ActionView, KindLegalHold) {
		return nil, s.deny(ctx, a, "retention.view", KindRetention, 0, forbidden("see purged reports"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		t, err = tx.TombstoneByRef(ctx, strings.TrimSpace(ref))
		return err
	})
	return t, err
}

// PurgeResult is what a purge removed (or, in a dry run, would remove).
type PurgeResult struct {
	DryRun          bool
	Reports         []Tombstone // one per purged report, with the rule that applied
	IdempotencyKeys int
	EspExpired      int // unfinished ESP submissions deleted (protocol expiry)
}

// Purge removes every closed report past its channel's retention that is
// on no open case and under no legal hold, each in a transaction of its own
// with its tombstone and one audit event naming the rule; then idempotency
// keys past IdempotencyWindow and unfinished ESP submissions past their
// expiry. Safe to run on several nodes at once: each report is re-checked
// under a lock of its row, and purged (and audited) once. A dry run changes
// nothing and lists what would go.
func (s *Service) Purge(ctx context.Context, dryRun bool) (*PurgeResult, error) {
	res := &PurgeResult{DryRun: dryRun}
	var rules []RetentionRule
	if err := s.Store.View(ctx, func(tx Tx) (err error) {
		rules, err = retentionRules(ctx, tx)
		return err
	}); err != nil {
		return res, err
	}
	now := s.now()
	espBefore := now.AddDate(0, 0, -EspMinimumRetentionDays)
	for _, rule := range rules {
		days := max(rule.Days, rule.MinimumDays())
		// A report that came from an ESP finish is kept the ESP minimum
		// whatever its channel says.
		q := PurgeQuery{Channel: rule.Channel, ClosedBefore: now.AddDate(0, 0, -days), EspClosedBefore: espBefore, Limit: purgeBatch}
		if q.ClosedBefore.Before(espBefore) {
			q.EspClosedBefore = q.ClosedBefore
		}
		text := fmt.Sprintf("closed %s report kept %d days", rule.Channel, days)
		if rule.Default() {
			text += " (default)"
		}
		for {
			var cs []PurgeCandidate
			if err := s.Store.View(ctx, func(tx Tx) (err error) {
				cs, err = tx.PurgeCandidates(ctx, q)
				return err
			}); err != nil {
				return res, err
			}
			for _, c := range cs {
				q.AfterID = c.ReportID
				t := Tombstone{ReportID: c.ReportID, Ref: c.Ref, Channel: c.Channel, ReceivedAt: c.ReceivedAt, ClosedAt: c.ClosedAt, PurgedAt: now, Rule: text}
				if dryRun {
					res.Reports = append(res.Reports, t)
					continue
				}
				ok, err := s.purgeReport(ctx, c, q, &t)
				if err != nil {
					return res, err
				}
				if ok {
					res.Reports = append(res.Reports, t)
				}
			}
			if len(cs) < q.Limit {
				break
			}
		}
	}
	before := now.Add(-IdempotencyWindow)
	if dryRun {
		err := s.Store.View(ctx, func(tx Tx) (err error) {
			res.IdempotencyKeys, err = tx.ExpiredIdempotencyKeys(ctx, before)
			return err
		})
		return res, err
	}
	for {
		n := 0
		err := s.Store.Update(ctx, func(tx Tx) (err error) {
			if n, err = tx.DeleteIdempotencyKeys(ctx, before, 1000); err != nil || n == 0 {
				return err
			}
			return s.audit(ctx, tx, System("retention"), "idempotency.purge", OutcomeOK, KindRetention, 0,
				fmt.Sprintf("idempotency keys kept %s", IdempotencyWindow), fmt.Sprintf("%d keys recorded before %s", n, before.Format(time.RFC3339)))
		})
		if err != nil {
			return res, err
		}
		res.IdempotencyKeys += n
		if n < 1000 {
			break
		}
	}
	n, err := s.ExpireEspSubmissions(ctx)
	res.EspExpired = n
	return res, err
}

// purgeReport purges one report in a transaction of its own; false when
// it was no longer due (purged by another node, reopened, held).
func (s *Service) purgeReport(ctx context.Context, c PurgeCandidate, q PurgeQuery, t *Tombstone) (bool, error) {
	var blobs []string
	err := s.Store.Update(ctx, func(tx Tx) (err error) {
		if blobs, err = tx.PurgeReport(ctx, c, q, t); err != nil {
			return err
		}
		return s.audit(ctx, tx, System("retention"), "report.purge", OutcomeOK, KindReport, c.ReportID, t.Rule,
			fmt.Sprintf("%s (%s), received %s, closed %s", c.Ref, c.Channel, c.ReceivedAt.Format(time.DateOnly), c.ClosedAt.Format(time.DateOnly)))
	})
	if ErrorCode(err) == ENOTFOUND {
		return false, nil
	} else if err != nil {
		return false, err
	}
	s.deleteBlobs(ctx, blobs)
	return true, nil
}
