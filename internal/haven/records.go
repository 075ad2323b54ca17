package haven

import (
	"context"
	"fmt"
	"strings"
)

// CreateReport validates and stores a report entered by a signed-in user or
// the CLI (public tips, ESP reports and imports come through their own
// intake methods, which end here too). It sets Ref, ReceivedAt, Status and
// CreatedBy, and for users of an agency, the report's agency.
func (s *Service) CreateReport(ctx context.Context, a Actor, r *Report) error {
	if !CanKind(a, ActionCreate, KindReport) {
		return s.deny(ctx, a, "report.create", KindReport, 0, forbidden("create reports"))
	}
	if err := prepareReport(a, r, s.now()); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		return s.insertReport(ctx, tx, a, r)
	})
	if err == nil {
		s.wake()
	}
	return err
}

// insertReport stores r with a fresh reference number and audits it.
func (s *Service) insertReport(ctx context.Context, tx Tx, a Actor, r *Report) error {
	for try := 0; ; try++ {
		if r.Ref == "" || try > 0 {
			r.Ref = NewRef()
		}
		err := tx.CreateReport(ctx, r)
		if ErrorCode(err) == ECONFLICT && try < 3 {
			continue
		} else if err != nil {
			return err
		}
		break
	}
	if err := tx.EnqueueJob(ctx, &Job{Kind: JobIngestReport, RecordID: r.ID, RunAt: s.now()}); err != nil {
		return err
	}
	return s.audit(ctx, tx, a, "report.create", OutcomeOK, KindReport, r.ID, "", string(r.Channel)+" "+r.Ref)
}

// refAlphabet is Crockford's base32: no I, L, O or U, easy to read aloud.
const refAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// NewRef returns a fresh random reference number such as "HV-7K3Q-9D2M"
// (40 random bits: unguessable enough to be no use for enumeration, short
// enough to read over the phone).
func NewRef() string {
	b := randomToken(8)
	var sb strings.Builder
	sb.WriteString("HV-")
	for i := 0; i < 8; i++ {
		if i == 4 {
			sb.WriteByte('-')
		}
		sb.WriteByte(refAlphabet[b[i]&31])
	}
	return sb.String()
}

// GetReport returns a report the actor may see, and records the view in the
// audit log with the reason given (if any). A report that does not exist and
// one the actor may not see answer alike (ENOTFOUND), and the refusal is
// audited.
func (s *Service) GetReport(ctx context.Context, a Actor, id int64, reason string) (r *Report, err error) {
	err = s.viewRecord(ctx, a, KindReport, id, reason, func(tx Tx) (Resource, error) {
		r, err = tx.ReportByID(ctx, id)
		if err != nil {
			return Resource{}, err
		}
		// The priority's explanation comes with the report (triage.go).
		if r.Triage, r.Override, err = tx.ReportTriage(ctx, id); err != nil {
			return Resource{}, err
		}
		return r.Resource(), nil
	})
	return r, err
}

// viewRecord loads a record with load, checks the view rule, and audits the
// view (or the refusal).
func (s *Service) viewRecord(ctx context.Context, a Actor, kind Kind, id int64, reason string, load func(Tx) (Resource, error)) error {
	action := string(kind) + ".view"
	var res Resource
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		res, err = load(tx)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return s.deny(ctx, a, action, kind, id, hidden(kind))
	} else if err != nil {
		return err
	}
	if !Can(a, ActionView, res) {
		return s.deny(ctx, a, action, kind, id, hidden(kind))
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, kind, id, strings.TrimSpace(reason), "")
	})
}

// ListReports lists the reports the actor may see that match f (f.Scope is
// set here from the rules, whatever the caller put there).
func (s *Service) ListReports(ctx context.Context, a Actor, f ReportFilter) (rs []*Report, err error) {
	f.Scope = ScopeFor(a, ActionView, KindReport)
	err = s.Store.View(ctx, func(tx Tx) error {
		rs, err = tx.ListReports(ctx, f)
		return err
	})
	return rs, err
}

// CreateChild stores a child on file.
func (s *Service) CreateChild(ctx context.Context, a Actor, c *Child) error {
	if !CanKind(a, ActionCreate, KindChild) {
		return s.deny(ctx, a, "child.create", KindChild, 0, forbidden("create children's records"))
	}
	now := s.now()
	c.FirstName, c.LastName, c.State = strings.TrimSpace(c.FirstName), strings.TrimSpace(c.LastName), strings.ToUpper(strings.TrimSpace(c.State))
	if a.Role != RoleSystem {
		c.CreatedBy = a.UserID
		if c.AgencyID == 0 {
			c.AgencyID = a.AgencyID
		}
	}
	if err := c.Validate(now); err != nil {
		return err
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateChild(ctx, c); err != nil {
			return err
		}
		if err := s.fileChild(ctx, tx, c); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "child.create", OutcomeOK, KindChild, c.ID, "", "")
	})
}

// GetChild returns a child's record and audits the view (or the refusal).
func (s *Service) GetChild(ctx context.Context, a Actor, id int64, reason string) (c *Child, err error) {
	err = s.viewRecord(ctx, a, KindChild, id, reason, func(tx Tx) (Resource, error) {
		c, err = tx.ChildByID(ctx, id)
		if err != nil {
			return Resource{}, err
		}
		return c.Resource(), nil
	})
	return c, err
}

// CreateCase opens a child-centred case for an existing child, joining the
// given reports (each must exist and be visible to the actor).
func (s *Service) CreateCase(ctx context.Context, a Actor, c *Case) error {
	return s.createCase(ctx, a, Once{}, c)
}

// createCase is CreateCase recording the request's key o with the case.
func (s *Service) createCase(ctx context.Context, a Actor, o Once, c *Case) error {
	if !CanKind(a, ActionCreate, KindCase) {
		return s.deny(ctx, a, "case.create", KindCase, 0, forbidden("open cases"))
	}
	if c.Status == "" {
		c.Status = CaseOpen
	}
	if c.Determination == "" {
		c.Determination = DeterminationUndetermined
	}
	if c.OpenedAt.IsZero() {
		c.OpenedAt = s.now()
	}
	if a.Role != RoleSystem {
		c.CreatedBy = a.UserID
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Determination != DeterminationUndetermined && a.Role != RoleSystem {
		return FieldError("determination", "a determination is recorded on an open case and approved by a supervisor")
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		child, err := tx.ChildByID(ctx, c.ChildID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, child.Resource())) {
			return FieldError("child_id", "there is no child %d that you may see", c.ChildID)
		} else if err != nil {
			return err
		}
		if c.Title == "" {
			c.Title = child.FullName()
		}
		if c.State == "" {
			c.State = child.State
		}
		for _, rid := range c.ReportIDs {
			r, err := tx.ReportByID(ctx, rid)
			if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, r.Resource())) {
				return FieldError("report_ids", "there is no report %d that you may see", rid)
			} else if err != nil {
				return err
			}
		}
		if err := tx.CreateCase(ctx, c); err != nil {
			return err
		}
		if err := s.importedDetermination(ctx, tx, a, c); err != nil {
			return err
		}
		if err := s.caseEvent(ctx, tx, a, c.ID, CaseEventOpened, caseOpenedSummary(len(c.ReportIDs)), "case", c.ID); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, c.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, "case.create", OutcomeOK, KindCase, c.ID, "", fmt.Sprintf("child %d, %d reports", c.ChildID, len(c.ReportIDs)))
	})
}

// GetCase returns a case and audits the view (or the refusal).
func (s *Service) GetCase(ctx context.Context, a Actor, id int64, reason string) (c *Case, err error) {
	err = s.viewRecord(ctx, a, KindCase, id, reason, func(tx Tx) (Resource, error) {
		c, err = tx.CaseByID(ctx, id)
		if err != nil {
			return Resource{}, err
		}
		return c.Resource(), nil
	})
	return c, err
}

// ListCases lists the cases the actor may see.
func (s *Service) ListCases(ctx context.Context, a Actor, f CaseFilter) (cs []*Case, err error) {
	f.Scope = ScopeFor(a, ActionView, KindCase)
	err = s.Store.View(ctx, func(tx Tx) error {
		cs, err = tx.ListCases(ctx, f)
		return err
	})
	return cs, err
}

// ListAgencies lists the agency directory.
func (s *Service) ListAgencies(ctx context.Context, a Actor, f AgencyFilter) (as []*Agency, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, s.deny(ctx, a, "agency.list", KindAgency, 0, forbidden("see the agency directory"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		as, err = tx.ListAgencies(ctx, f)
		return err
	})
	return as, err
}

// AgencyByName finds an agency by its exact name (for the CLI and imports).
func (s *Service) AgencyByName(ctx context.Context, a Actor, name string) (ag *Agency, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, s.deny(ctx, a, "agency.view", KindAgency, 0, forbidden("see the agency directory"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		ag, err = tx.AgencyByName(ctx, strings.TrimSpace(name))
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "No agency named %q.", name)
	}
	return ag, err
}

// ListAudit returns audit events for the administrator's viewer. Anyone else
// is refused, and the refusal is itself audited.
func (s *Service) ListAudit(ctx context.Context, a Actor, f AuditFilter) (es []*AuditEvent, total int, err error) {
	if !CanKind(a, ActionView, KindAudit) {
		return nil, 0, s.deny(ctx, a, "audit.view", KindAudit, 0, forbidden("see the audit log"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		if es, err = tx.ListAudit(ctx, f); err != nil {
			return err
		}
		total, err = tx.CountAudit(ctx, f)
		return err
	})
	return es, total, err
}

// VerifyAudit walks the whole audit chain and returns how many entries it
// checked, or a *ChainBreak naming the first edited, inserted or deleted entry.
func (s *Service) VerifyAudit(ctx context.Context) (int64, error) {
	v := &ChainVerifier{Sealer: s.Sealer}
	err := s.Store.View(ctx, func(tx Tx) error {
		seq, hash, err := tx.AuditHead(ctx)
		if err != nil {
			return err
		}
		if err := tx.ScanAudit(ctx, v.Check); err != nil {
			return err
		}
		return v.Finish(seq, hash)
	})
	return v.Count, err
}
