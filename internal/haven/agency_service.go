package haven

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// The agency directory's service: administrators add, change, deactivate
// and import agencies, every change audited; every staff role reads the
// directory (AgencyDirectory in admin.go, ListAgencies in records.go).

// CreateAgency adds an agency to the directory. Only administrators may;
// a refusal is audited. The agency is normalised and validated first
// (EINVALID naming the field); a taken name is EINVALID on "name".
func (s *Service) CreateAgency(ctx context.Context, a Actor, ag *Agency) error {
	_, err := s.CreateAgencyOnce(ctx, a, Once{}, ag)
	return err
}

// CreateAgencyOnce is CreateAgency for a request that may be retried: with
// an idempotency key, a retry of the same request returns the agency the
// first one added (replayed true; ag is read back) and adds nothing.
func (s *Service) CreateAgencyOnce(ctx context.Context, a Actor, o Once, ag *Agency) (replayed bool, err error) {
	if !CanKind(a, ActionCreate, KindAgency) {
		return false, s.deny(ctx, a, "agency.create", KindAgency, 0, forbidden("add agencies"))
	}
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		ag.Normalize()
		if err := ag.Validate(); err != nil {
			return 0, err
		}
		err := s.Store.Update(ctx, func(tx Tx) error {
			if err := s.createAgency(ctx, tx, a, ag); err != nil {
				return err
			}
			return s.remember(ctx, tx, a, o, ag.ID)
		})
		return ag.ID, err
	})
	if err != nil || !replayed {
		return replayed, err
	}
	first, err := s.Agency(ctx, a, id)
	if err != nil {
		return true, err
	}
	*ag = *first
	return true, nil
}

func (s *Service) createAgency(ctx context.Context, tx Tx, a Actor, ag *Agency) error {
	if err := tx.CreateAgency(ctx, ag); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return FieldError("name", "an agency named %q exists already", ag.Name)
		}
		return err
	}
	return s.audit(ctx, tx, a, "agency.create", OutcomeOK, KindAgency, ag.ID, "", ag.Name)
}

// Agency returns one agency with its jurisdiction and contacts, to anyone
// who may see the directory (others are refused, audited); ENOTFOUND if
// there is none.
func (s *Service) Agency(ctx context.Context, a Actor, id int64) (ag *Agency, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, s.deny(ctx, a, "agency.view", KindAgency, id, forbidden("see the agency directory"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		ag, err = tx.AgencyByID(ctx, id)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "There is no agency with id %d.", id)
	}
	return ag, err
}

// UpdateAgency replaces agency ag.ID with ag (every field, jurisdiction and
// contacts included) in one transaction, and audits what changed. Only
// administrators may; a refusal is audited. EINVALID names the field;
// ENOTFOUND if there is no such agency. Saving an agency unchanged changes
// nothing and records nothing.
func (s *Service) UpdateAgency(ctx context.Context, a Actor, ag *Agency) error {
	if !CanKind(a, ActionUpdate, KindAgency) {
		return s.deny(ctx, a, "agency.update", KindAgency, ag.ID, forbidden("change agencies"))
	}
	ag.Normalize()
	if err := ag.Validate(); err != nil {
		return err
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		old, err := tx.AgencyByID(ctx, ag.ID)
		if err != nil {
			return err
		}
		_, err = s.updateAgency(ctx, tx, a, old, ag)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return Errorf(ENOTFOUND, "There is no agency with id %d.", ag.ID)
	}
	return err
}

// updateAgency writes ag over old unless nothing changed, auditing the
// change as agency.update, agency.deactivate or agency.reactivate.
func (s *Service) updateAgency(ctx context.Context, tx Tx, a Actor, old, ag *Agency) (changed bool, err error) {
	ag.ID, ag.CreatedAt = old.ID, old.CreatedAt
	diff := AgencyChanges(old, ag)
	if len(diff) == 0 {
		ag.UpdatedAt = old.UpdatedAt
		return false, nil
	}
	if err := tx.UpdateAgency(ctx, ag); err != nil {
		if ErrorCode(err) == ECONFLICT {
			return false, FieldError("name", "an agency named %q exists already", ag.Name)
		}
		return false, err
	}
	action := "agency.update"
	if len(diff) == 1 && diff[0] == "active" {
		action = "agency.reactivate"
		if ag.Inactive {
			action = "agency.deactivate"
		}
	}
	return true, s.audit(ctx, tx, a, action, OutcomeOK, KindAgency, ag.ID, "", ag.Name+": "+strings.Join(diff, ", "))
}

// SetAgencyActive deactivates (active false) or reactivates an agency. A
// deactivated agency stays in the directory and on every record naming it
// but is no longer suggested for referrals. Reactivating validates the
// agency as it is (a law-enforcement agency without a 24/7 line must get
// one first). Administrators only; audited.
func (s *Service) SetAgencyActive(ctx context.Context, a Actor, id int64, active bool) (*Agency, error) {
	action := "agency.deactivate"
	if active {
		action = "agency.reactivate"
	}
	if !CanKind(a, ActionUpdate, KindAgency) {
		return nil, s.deny(ctx, a, action, KindAgency, id, forbidden("change agencies"))
	}
	var ag *Agency
	err := s.Store.Update(ctx, func(tx Tx) error {
		old, err := tx.AgencyByID(ctx, id)
		if err != nil {
			return err
		}
		cp := *old
		ag = &cp
		ag.Inactive = !active
		if err := ag.Validate(); err != nil {
			return err
		}
		_, err = s.updateAgency(ctx, tx, a, old, ag)
		return err
	})
	if ErrorCode(err) == ENOTFOUND {
		return nil, Errorf(ENOTFOUND, "There is no agency with id %d.", id)
	}
	return ag, err
}

// AgencyChanges names the fields that differ between two agencies, as the
// audit log and the import preview show them (CSV column names).
func AgencyChanges(old, ag *Agency) []string {
	var d []string
	add := func(name string, same bool) {
		if !same {
			d = append(d, name)
		}
	}
	add("name", old.Name == ag.Name)
	add("kind", old.Kind == ag.Kind)
	add("level", old.Level == ag.Level)
	add("state", old.State == ag.State)
	add("states", slices.Equal(old.States, ag.States))
	add("counties", slices.Equal(old.Counties, ag.Counties))
	add("zips", slices.Equal(old.ZIPs, ag.ZIPs))
	add("phone_24x7", old.Phone24x7 == ag.Phone24x7)
	add("email", old.Email == ag.Email)
	add("address", old.Address == ag.Address)
	add("city", old.City == ag.City)
	add("contacts", slices.Equal(old.Contacts, ag.Contacts))
	add("active", old.Inactive == ag.Inactive)
	return d
}

// AgenciesCovering returns the active agencies covering a place, most
// specific match first (see Tx.AgenciesCovering), to anyone who may see
// the directory.
func (s *Service) AgenciesCovering(ctx context.Context, a Actor, q CoverageQuery) (cov []AgencyCoverage, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, s.deny(ctx, a, "agency.list", KindAgency, 0, forbidden("see the agency directory"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		cov, err = tx.AgenciesCovering(ctx, q)
		return err
	})
	return cov, err
}

// AgencyImportRow is one agency read from an import file, with its line.
// Err is set when the row could not be read into an agency at all (an
// unknown "active" value, say); such a row is reported, never written.
type AgencyImportRow struct {
	Line   int
	Agency *Agency
	Err    error
}

// AgencyImportProblem is why one row of an import cannot be taken.
type AgencyImportProblem struct {
	Line    int
	Name    string // the agency's name as given
	Field   string // the column at fault, when known
	Message string
}

func (p AgencyImportProblem) String() string {
	s := fmt.Sprintf("line %d", p.Line)
	if p.Name != "" {
		s += fmt.Sprintf(" (%s)", p.Name)
	}
	if p.Field != "" {
		s += ": " + p.Field
	}
	return s + ": " + p.Message
}

// AgencyImportResult says what an import did, or (dry run, or any problem)
// would have done.
type AgencyImportResult struct {
	DryRun    bool
	Created   []string // names
	Updated   []string // "name: changed fields"
	Unchanged int
	Problems  []AgencyImportProblem
}

// errImportRollback ends an import transaction without writing.
var errImportRollback = errors.New("import rolled back")

// ImportAgencies adds or updates the rows' agencies, matched by name, in
// one transaction: if any row has a problem nothing is written and every
// problem is returned with its line (EINVALID, with the result). A dry run
// checks and counts exactly as an import would and writes nothing. Rows
// equal to the directory change nothing and are not audited, so importing
// an export again changes nothing. Administrators only; each created or
// changed agency is audited as its own create or update.
func (s *Service) ImportAgencies(ctx context.Context, a Actor, rows []AgencyImportRow, dryRun bool) (*AgencyImportResult, error) {
	if !CanKind(a, ActionCreate, KindAgency) || !CanKind(a, ActionUpdate, KindAgency) {
		return nil, s.deny(ctx, a, "agency.import", KindAgency, 0, forbidden("import agencies"))
	}
	res := &AgencyImportResult{DryRun: dryRun}
	problem := func(r AgencyImportRow, name string, err error) {
		res.Problems = append(res.Problems, AgencyImportProblem{Line: r.Line, Name: name, Field: ErrorField(err), Message: ErrorMessage(err)})
	}
	seen := map[string]int{}
	for _, r := range rows {
		if r.Err != nil {
			name := ""
			if r.Agency != nil {
				name = r.Agency.Name
			}
			problem(r, name, r.Err)
			continue
		}
		r.Agency.Normalize()
		if err := r.Agency.Validate(); err != nil {
			problem(r, r.Agency.Name, err)
			continue
		}
		key := strings.ToLower(r.Agency.Name)
		if first, dup := seen[key]; dup {
			problem(r, r.Agency.Name, FieldError("name", "the agency %q is also on line %d", r.Agency.Name, first))
			continue
		}
		seen[key] = r.Line
	}
	err := s.Store.Update(ctx, func(tx Tx) error {
		if len(res.Problems) > 0 {
			return errImportRollback // nothing can land: report every row's problem
		}
		for _, r := range rows {
			ag := r.Agency
			old, err := tx.AgencyByName(ctx, ag.Name)
			switch {
			case ErrorCode(err) == ENOTFOUND:
				if err := s.createAgency(ctx, tx, a, ag); err != nil {
					problem(r, ag.Name, err)
					continue
				}
				res.Created = append(res.Created, ag.Name)
			case err != nil:
				return err
			default:
				diff := AgencyChanges(old, ag)
				changed, err := s.updateAgency(ctx, tx, a, old, ag)
				if err != nil {
					problem(r, ag.Name, err)
					continue
				}
				if changed {
					res.Updated = append(res.Updated, ag.Name+": "+strings.Join(diff, ", "))
				} else {
					res.Unchanged++
				}
			}
		}
		if len(res.Problems) > 0 || dryRun {
			return errImportRollback
		}
		return s.audit(ctx, tx, a, "agency.import", OutcomeOK, KindAgency, 0, "",
			fmt.Sprintf("%d added, %d changed, %d unchanged", len(res.Created), len(res.Updated), res.Unchanged))
	})
	if errors.Is(err, errImportRollback) {
		err = nil
	}
	if err != nil {
		return nil, err
	}
	if len(res.Problems) > 0 {
		return res, Errorf(EINVALID, "The file has %d row(s) with problems; nothing was imported.", len(res.Problems))
	}
	return res, nil
}

// ExportAgencies returns the whole directory, by name, for an export.
// Anyone who may see the directory may export it.
func (s *Service) ExportAgencies(ctx context.Context, a Actor) (as []*Agency, err error) {
	if !CanKind(a, ActionView, KindAgency) {
		return nil, s.deny(ctx, a, "agency.export", KindAgency, 0, forbidden("see the agency directory"))
	}
	err = s.Store.View(ctx, func(tx Tx) error {
		as, err = tx.ListAgencies(ctx, AgencyFilter{})
		return err
	})
	return as, err
}
