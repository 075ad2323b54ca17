package haven

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"
)

// CreateAnalysisRequest stores an officer's request for analysis for their
// own agency. It sets OfficerID, AgencyID (the officer's; a request for
// another agency is refused), Status and the timestamps, and audits it.
func (s *Service) CreateAnalysisRequest(ctx context.Context, a Actor, r *AnalysisRequest) error {
	return s.createAnalysisRequest(ctx, a, Once{}, r)
}

// CreateAnalysisRequestOnce is CreateAnalysisRequest for a request that may
// be retried: a retry with the same key files nothing and sets r.ID to the
// first request's, with replayed true.
func (s *Service) CreateAnalysisRequestOnce(ctx context.Context, a Actor, o Once, r *AnalysisRequest) (replayed bool, err error) {
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.createAnalysisRequest(ctx, a, o, r)
		return r.ID, err
	})
	r.ID = id
	return replayed, err
}

func (s *Service) createAnalysisRequest(ctx context.Context, a Actor, o Once, r *AnalysisRequest) error {
	const action = "analysis_request.create"
	if !CanKind(a, ActionCreate, KindAnalysisRequest) {
		return s.deny(ctx, a, action, KindAnalysisRequest, 0, forbidden("request analysis"))
	}
	if a.Role != RoleSystem {
		if a.AgencyID == 0 {
			return s.deny(ctx, a, action, KindAnalysisRequest, 0, forbidden("request analysis without an agency"))
		}
		if r.AgencyID != 0 && r.AgencyID != a.AgencyID {
			return s.deny(ctx, a, action, KindAnalysisRequest, 0, forbidden("request analysis for another agency"))
		}
		r.OfficerID, r.AgencyID = a.UserID, a.AgencyID
	}
	if r.Urgency == "" {
		r.Urgency = UrgencyRoutine
	}
	if err := r.Validate(); err != nil {
		return err
	}
	if r.AgencyID == 0 {
		return FieldError("agency_id", "a request is made for an agency")
	}
	r.Status, r.AnalystID, r.AnsweredAt, r.ClosedAt = RequestOpen, 0, nil, nil
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := s.resolveRequestRecords(ctx, tx, a, r); err != nil {
			return err
		}
		if err := tx.CreateAnalysisRequest(ctx, r); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, r.ID); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindAnalysisRequest, r.ID, "", r.CaseNumber)
	})
}

// resolveRequestRecords checks that the reports and the case a request
// names exist and are the officer's to see (one that is not answers as one
// that does not exist), and turns its report references into ids, without
// repeats, in the order given.
func (s *Service) resolveRequestRecords(ctx context.Context, tx Tx, a Actor, r *AnalysisRequest) error {
	var ids []int64
	seen := map[int64]bool{}
	add := func(rep *Report, err error, named string) error {
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, rep.Resource())) {
			return FieldError("report_ids", "there is no report %s that you may see", named)
		} else if err != nil {
			return err
		}
		if !seen[rep.ID] {
			seen[rep.ID] = true
			ids = append(ids, rep.ID)
		}
		return nil
	}
	for _, id := range r.ReportIDs {
		rep, err := tx.ReportByID(ctx, id)
		if err := add(rep, err, fmt.Sprint(id)); err != nil {
			return err
		}
	}
	for _, ref := range r.ReportRefs {
		rep, err := tx.ReportByRef(ctx, ref)
		if err := add(rep, err, ref); err != nil {
			return err
		}
	}
	r.ReportIDs, r.ReportRefs = ids, nil
	if r.CaseID != 0 {
		c, err := tx.CaseByID(ctx, r.CaseID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, c.Resource())) {
			return FieldError("case_id", "there is no case %d that you may see", r.CaseID)
		} else if err != nil {
			return err
		}
	}
	return nil
}

// GetAnalysisRequest returns a request the actor may see with the products
// answering it, and audits the view (or the refusal: a request that does not
// exist and one the actor may not see answer alike).
func (s *Service) GetAnalysisRequest(ctx context.Context, a Actor, id int64) (r *AnalysisRequest, ps []*AnalyticalProduct, err error) {
	err = s.viewRecord(ctx, a, KindAnalysisRequest, id, "", func(tx Tx) (Resource, error) {
		if r, err = tx.AnalysisRequestByID(ctx, id); err != nil {
			return Resource{}, err
		}
		ps, err = tx.ListProducts(ctx, ProductFilter{Scope: ScopeFor(a, ActionView, KindProduct), RequestID: id})
		return r.Resource(), err
	})
	if err != nil {
		return nil, nil, err
	}
	return r, ps, nil
}

// ListAnalysisRequests lists the requests the actor may see that match f
// (f.Scope is set here from the rules), with how many match in all.
func (s *Service) ListAnalysisRequests(ctx context.Context, a Actor, f AnalysisRequestFilter) (rs []*AnalysisRequest, total int, err error) {
	if !CanKind(a, ActionView, KindAnalysisRequest) {
		return nil, 0, s.deny(ctx, a, "analysis_request.list", KindAnalysisRequest, 0, forbidden("see analysis requests"))
	}
	if f.Status != "" && !oneOf(f.Status, []RequestStatus{RequestOpen, RequestInProgress, RequestAnswered, RequestClosed}) {
		return nil, 0, FieldError("status", "status is open, in_progress, answered or closed")
	}
	f.Scope = ScopeFor(a, ActionView, KindAnalysisRequest)
	err = s.Store.View(ctx, func(tx Tx) error {
		if rs, err = tx.ListAnalysisRequests(ctx, f); err != nil {
			return err
		}
		total, err = tx.CountAnalysisRequests(ctx, f)
		return err
	})
	return rs, total, err
}

// ClaimAnalysisRequest gives the request to the acting analyst (or
// supervisor). Claiming a request one has changes nothing; a request someone
// else has is ECONFLICT for an analyst, and a closed one cannot be taken.
func (s *Service) ClaimAnalysisRequest(ctx context.Context, a Actor, id int64) (*AnalysisRequest, error) {
	return s.changeAnalysisRequest(ctx, a, id, "analysis_request.claim", ActionAssign, "take this request", func(_ Tx, r *AnalysisRequest) error {
		if r.Status == RequestClosed {
			return Errorf(ECONFLICT, "This request is closed.")
		}
		r.AnalystID = a.UserID
		if r.Status == RequestOpen {
			r.Status = RequestInProgress
		}
		return nil
	})
}

// AssignAnalysisRequest gives the request to another enabled analyst or
// supervisor (a supervisor's decision, ActionDelegate). A closed request
// cannot be given.
func (s *Service) AssignAnalysisRequest(ctx context.Context, a Actor, id, userID int64) (*AnalysisRequest, error) {
	return s.changeAnalysisRequest(ctx, a, id, "analysis_request.assign", ActionDelegate, "give this request to someone else", func(tx Tx, r *AnalysisRequest) error {
		if userID <= 0 {
			// Not chosen (a form left blank), checked once the actor is
			// known to may give the request to someone.
			return FieldError("analyst_id", "choose whom to give the request to")
		}
		if r.Status == RequestClosed {
			return Errorf(ECONFLICT, "This request is closed.")
		}
		u, err := tx.UserByID(ctx, userID)
		if ErrorCode(err) == ENOTFOUND || (err == nil && (u.Disabled || (u.Role != RoleAnalyst && u.Role != RoleSupervisor))) {
			return FieldError("analyst_id", "choose an active analyst or supervisor")
		} else if err != nil {
			return err
		}
		r.AnalystID = u.ID
		if r.Status == RequestOpen {
			r.Status = RequestInProgress
		}
		return nil
	})
}

// CloseAnalysisRequest closes a request (its agency's officers, the analyst
// who has it, supervisors). Closing a closed request changes nothing.
func (s *Service) CloseAnalysisRequest(ctx context.Context, a Actor, id int64) (*AnalysisRequest, error) {
	return s.changeAnalysisRequest(ctx, a, id, "analysis_request.close", ActionUpdate, "close this request", func(_ Tx, r *AnalysisRequest) error {
		if r.ClosedAt == nil {
			now := s.now()
			r.ClosedAt = &now
		}
		r.Status = RequestClosed
		return nil
	})
}

// changeAnalysisRequest loads a request, checks action on it (a request the
// actor may not see is ENOTFOUND, one they see but may not change
// EFORBIDDEN; both audited), applies change and stores and audits it.
func (s *Service) changeAnalysisRequest(ctx context.Context, a Actor, id int64, audit string, action Action, what string, change func(Tx, *AnalysisRequest) error) (r *AnalysisRequest, err error) {
	var refusal *Error
	err = s.Store.Update(ctx, func(tx Tx) error {
		if r, err = tx.AnalysisRequestByID(ctx, id); err != nil {
			if ErrorCode(err) == ENOTFOUND {
				refusal = hidden(KindAnalysisRequest)
				return nil
			}
			return err
		}
		switch {
		case !Can(a, ActionView, r.Resource()):
			refusal = hidden(KindAnalysisRequest)
			return nil
		case !Can(a, action, r.Resource()):
			refusal = forbidden(what)
			return nil
		}
		if err := change(tx, r); err != nil {
			return err
		}
		if err := tx.UpdateAnalysisRequest(ctx, r); err != nil {
			return err
		}
		// Read it back for the names of whoever has it now.
		if r, err = tx.AnalysisRequestByID(ctx, id); err != nil {
			return err
		}
		return s.audit(ctx, tx, a, audit, OutcomeOK, KindAnalysisRequest, id, "", string(r.Status))
	})
	if refusal != nil {
		return nil, s.deny(ctx, a, audit, KindAnalysisRequest, id, refusal)
	}
	if err != nil {
		return nil, err
	}
	return r, nil
}

// CreateProduct answers a request with an analytical product. A link chart
// or timeline is drawn now from the network (p.NetworkID) or the reports
// (p.ReportIDs) as the author sees them, and frozen in p.Snapshot. The
// request becomes answered. A request the actor may not see is ENOTFOUND
// (audited); a closed request takes no more products.
func (s *Service) CreateProduct(ctx context.Context, a Actor, p *AnalyticalProduct) error {
	return s.createProduct(ctx, a, Once{}, p)
}

// CreateProductOnce is CreateProduct for a request that may be retried: a
// retry with the same key makes no new version; it returns the first
// product (read again) with replayed true.
func (s *Service) CreateProductOnce(ctx context.Context, a Actor, o Once, p *AnalyticalProduct) (out *AnalyticalProduct, replayed bool, err error) {
	id, replayed, err := s.once(ctx, a, o, func() (int64, error) {
		err := s.createProduct(ctx, a, o, p)
		return p.ID, err
	})
	if err != nil {
		return nil, false, err
	}
	if !replayed {
		return p, false, nil
	}
	err = s.Store.View(ctx, func(tx Tx) (err error) {
		out, err = tx.ProductByID(ctx, id)
		return err
	})
	return out, true, err
}

func (s *Service) createProduct(ctx context.Context, a Actor, o Once, p *AnalyticalProduct) error {
	const action = "analytical_product.create"
	if !CanKind(a, ActionCreate, KindProduct) {
		return s.deny(ctx, a, action, KindProduct, 0, forbidden("make analytical products"))
	}
	var req *AnalysisRequest
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		req, err = tx.AnalysisRequestByID(ctx, p.RequestID)
		return err
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, req.Resource())) {
		return s.deny(ctx, a, action, KindAnalysisRequest, p.RequestID, hidden(KindAnalysisRequest))
	} else if err != nil {
		return err
	}
	p.AgencyID, p.AuthorID = req.AgencyID, a.UserID
	if !Can(a, ActionCreate, p.Resource()) {
		return s.deny(ctx, a, action, KindAnalysisRequest, p.RequestID, forbidden("make analytical products"))
	}
	if req.Status == RequestClosed {
		return Errorf(ECONFLICT, "This request is closed; it takes no more products.")
	}
	if p.Kind == ProductNarrative {
		p.NetworkID, p.ReportIDs = 0, nil
	}
	if err := p.Validate(); err != nil {
		return err
	}
	p.Snapshot = ProductSnapshot{}
	if p.Kind != ProductNarrative {
		snap, err := s.productSnapshot(ctx, a, p)
		if err != nil {
			return err
		}
		p.Snapshot = snap
	}
	return s.Store.Update(ctx, func(tx Tx) error {
		if err := tx.CreateProduct(ctx, p); err != nil {
			return err
		}
		if err := s.remember(ctx, tx, a, o, p.ID); err != nil {
			return err
		}
		r, err := tx.AnalysisRequestByID(ctx, p.RequestID)
		if err != nil {
			return err
		}
		if r.Status != RequestClosed {
			r.Status = RequestAnswered
			if r.AnsweredAt == nil {
				now := s.now()
				r.AnsweredAt = &now
			}
			if r.AnalystID == 0 {
				r.AnalystID = a.UserID
			}
			if err := tx.UpdateAnalysisRequest(ctx, r); err != nil {
				return err
			}
		}
		return s.audit(ctx, tx, a, action, OutcomeOK, KindProduct, p.ID, "",
			fmt.Sprintf("request %d, %s v%d", p.RequestID, p.Kind, p.Version))
	})
}

// productSnapshot draws the data of a chart or timeline as the author may
// see it now: the network's members and links (Service.Network, audited),
// or the named reports (each read audited) linked by the identifiers they
// share.
func (s *Service) productSnapshot(ctx context.Context, a Actor, p *AnalyticalProduct) (ProductSnapshot, error) {
	var snap ProductSnapshot
	if p.NetworkID != 0 {
		v, err := s.Network(ctx, a, p.NetworkID)
		if err != nil {
			return snap, renameNotFound(err, "network_id", "no such network")
		}
		refs := map[int64]string{}
		for _, m := range v.Members {
			refs[m.ReportID] = m.Ref
			snap.Nodes = append(snap.Nodes, SnapshotNode{Ref: m.Ref, ReceivedAt: m.ReceivedAt.UTC(), Channel: m.Channel.Label(),
				Incident: m.Incident.Label(), State: m.State, Priority: priorityText(m.Priority)})
		}
		ids := map[int64]string{}
		for _, it := range v.Identifiers {
			ids[it.KeyID] = identifierText(it.Display)
		}
		type pair struct{ from, to int64 }
		at := map[pair]int{}
		for _, e := range v.Edges {
			k := pair{e.From, e.To}
			i, ok := at[k]
			if !ok {
				i = len(snap.Links)
				at[k] = i
				snap.Links = append(snap.Links, SnapshotLink{From: refs[e.From], To: refs[e.To]})
			}
			snap.Links[i].Identifiers = append(snap.Links[i].Identifiers, ids[e.KeyID])
		}
		return snap, nil
	}
	var reports []*Report
	seen := map[int64]bool{}
	for _, id := range p.ReportIDs {
		if seen[id] {
			continue
		}
		seen[id] = true
		r, err := s.GetReport(ctx, a, id, fmt.Sprintf("analysis request %d", p.RequestID))
		if err != nil {
			return snap, renameNotFound(err, "report_ids", fmt.Sprintf("no report %d, or it is not yours to see", id))
		}
		reports = append(reports, r)
	}
	sort.SliceStable(reports, func(i, j int) bool { return reports[i].ReceivedAt.Before(reports[j].ReceivedAt) })
	// Each identifier joins each report to the previous one sharing it.
	last := map[string]int{}
	type pair struct{ from, to int }
	at := map[pair]int{}
	for j, r := range reports {
		snap.Nodes = append(snap.Nodes, SnapshotNode{Ref: r.Ref, ReceivedAt: r.ReceivedAt.UTC(), Channel: r.Channel.Label(),
			Incident: r.IncidentType.Label(), State: r.State, Priority: priorityText(r.Priority)})
		done := map[string]bool{}
		for _, id := range r.Identifiers {
			key := string(id.Kind) + "|" + strings.ToLower(id.Platform) + "|" + strings.ToLower(id.Value)
			if done[key] {
				continue
			}
			done[key] = true
			if i, ok := last[key]; ok {
				k := pair{i, j}
				n, ok := at[k]
				if !ok {
					n = len(snap.Links)
					at[k] = n
					snap.Links = append(snap.Links, SnapshotLink{From: reports[i].Ref, To: r.Ref})
				}
				snap.Links[n].Identifiers = append(snap.Links[n].Identifiers, identifierText(id))
			}
			last[key] = j
		}
	}
	return snap, nil
}

// renameNotFound turns a not-found answer into a field error on the form.
func renameNotFound(err error, field, msg string) error {
	if ErrorCode(err) == ENOTFOUND {
		return FieldError(field, "%s", msg)
	}
	return err
}

func priorityText(p Priority) string {
	if p == PriorityNone {
		return "Not triaged"
	}
	return p.Label()
}

func identifierText(i Identifier) string {
	v := i.Display()
	if v == "" {
		v = string(i.Kind)
	}
	if i.Platform != "" {
		v += " on " + i.Platform
	}
	return v
}

// GetProduct returns a product the actor may see, and audits the view (or
// the refusal).
func (s *Service) GetProduct(ctx context.Context, a Actor, id int64) (p *AnalyticalProduct, err error) {
	err = s.viewRecord(ctx, a, KindProduct, id, "", func(tx Tx) (Resource, error) {
		if p, err = tx.ProductByID(ctx, id); err != nil {
			return Resource{}, err
		}
		return p.Resource(), nil
	})
	return p, err
}

// ProductExport is a product as it is handed to one person: the watermark
// of an export names its recipient and the time.
type ProductExport struct {
	Product   *AnalyticalProduct
	Request   *AnalysisRequest
	Recipient string    // the downloading user's name
	At        time.Time // when (UTC)
}

// ExportProduct returns a product for download by the actor with what its
// watermark carries, and audits the export (or the refusal) as
// analytical_product.export.
func (s *Service) ExportProduct(ctx context.Context, a Actor, id int64) (*ProductExport, error) {
	const action = "analytical_product.export"
	x := &ProductExport{Recipient: actorName(a), At: s.now()}
	err := s.Store.View(ctx, func(tx Tx) (err error) {
		if x.Product, err = tx.ProductByID(ctx, id); err != nil {
			return err
		}
		x.Request, err = tx.AnalysisRequestByID(ctx, x.Product.RequestID)
		if err != nil {
			return err
		}
		if a.UserID != 0 {
			if u, err := tx.UserByID(ctx, a.UserID); err == nil && strings.TrimSpace(u.DisplayName) != "" {
				x.Recipient = u.DisplayName + " (" + u.Username + ")"
			}
		}
		return nil
	})
	if ErrorCode(err) == ENOTFOUND || (err == nil && !Can(a, ActionView, x.Product.Resource())) {
		return nil, s.deny(ctx, a, action, KindProduct, id, hidden(KindProduct))
	} else if err != nil {
		return nil, err
	}
	if err := s.Store.Update(ctx, func(tx Tx) error {
		return s.audit(ctx, tx, a, action, OutcomeOK, KindProduct, id, "", "watermarked for "+x.Recipient+" at "+x.At.Format(time.RFC3339))
	}); err != nil {
		return nil, err
	}
	return x, nil
}
