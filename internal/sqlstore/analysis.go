package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/haven-oss/haven/internal/haven"
)

// Analysis requests and analytical products (see haven.AnalysisTx). Reads
// join the display names of the officer, agency, analyst and author.

const analysisRequestColumns = `r.id, r.officer_id, r.agency_id, r.case_number, r.question, r.urgency,
	r.report_ids, r.case_id, r.status, r.analyst_id, r.created_at, r.updated_at, r.answered_at, r.closed_at,
	COALESCE(o.display_name, o.username, ''), COALESCE(ag.name, ''), COALESCE(an.display_name, an.username, '')`

const analysisRequestFrom = `analysis_requests r
	LEFT JOIN users o ON o.id = r.officer_id
	LEFT JOIN agencies ag ON ag.id = r.agency_id
	LEFT JOIN users an ON an.id = r.analyst_id`

const productColumns = `p.id, p.request_id, p.agency_id, p.kind, p.title, p.body, p.network_id, p.report_ids,
	p.snapshot, p.author_id, p.version, p.created_at, COALESCE(u.display_name, u.username, '')`

const productFrom = `analytical_products p LEFT JOIN users u ON u.id = p.author_id`

var (
	qCreateAnalysisRequest = insertQuery(`INSERT INTO analysis_requests (officer_id, agency_id, case_number,
	question, urgency, report_ids, case_id, status, analyst_id, created_at, updated_at, answered_at, closed_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qAnalysisRequestByID   = query(`SELECT ` + analysisRequestColumns + ` FROM ` + analysisRequestFrom + ` WHERE r.id = ?`)
	qUpdateAnalysisRequest = query(`UPDATE analysis_requests SET status = ?, analyst_id = ?, answered_at = ?,
	closed_at = ?, updated_at = ? WHERE id = ?`)
	qNextProductVersion = query(`SELECT COALESCE(MAX(version), 0) + 1 FROM analytical_products WHERE request_id = ? AND kind = ?`)
	qCreateProduct      = insertQuery(`INSERT INTO analytical_products (request_id, agency_id, kind, title, body,
	network_id, report_ids, snapshot, author_id, version, created_at)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	qProductByID = query(`SELECT ` + productColumns + ` FROM ` + productFrom + ` WHERE p.id = ?`)
)

const (
	noAnalysisRequest = "no such analysis request"
	noProduct         = "no such analytical product"
)

var (
	// A request's officer is its creator, its analyst whom it is assigned to.
	analysisRequestScope = scopeColumns{ID: "r.id", AgencyID: "r.agency_id", AssignedTo: "r.analyst_id", CreatedBy: "r.officer_id"}
	productScope         = scopeColumns{ID: "p.id", AgencyID: "p.agency_id", CreatedBy: "p.author_id"}
)

// analysisJSONCol scans a JSON text column into p.
type analysisJSONCol struct{ p any }

func (c analysisJSONCol) Scan(src any) error {
	var b []byte
	switch v := src.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	case nil:
		return nil
	default:
		return fmt.Errorf("cannot scan %T into JSON", src)
	}
	return json.Unmarshal(b, c.p)
}

func scanAnalysisRequest(s scanner) (*haven.AnalysisRequest, error) {
	var r haven.AnalysisRequest
	err := s.Scan(&r.ID, idCol{&r.OfficerID}, &r.AgencyID, &r.CaseNumber, &r.Question, &r.Urgency,
		idsCol{&r.ReportIDs}, idCol{&r.CaseID}, &r.Status, idCol{&r.AnalystID}, timeCol{&r.CreatedAt},
		timeCol{&r.UpdatedAt}, timePtrCol{&r.AnsweredAt}, timePtrCol{&r.ClosedAt},
		&r.OfficerName, &r.AgencyName, &r.AnalystName)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

func (tx *tx) CreateAnalysisRequest(ctx context.Context, r *haven.AnalysisRequest) error {
	r.CreatedAt, r.UpdatedAt = stamp(r.CreatedAt, tx.now), tx.now
	id, err := tx.insert(ctx, qCreateAnalysisRequest, idArg(r.OfficerID), r.AgencyID, r.CaseNumber, r.Question,
		string(r.Urgency), idsArg(r.ReportIDs), idArg(r.CaseID), string(r.Status), idArg(r.AnalystID),
		r.CreatedAt, r.UpdatedAt, timePtrArg(r.AnsweredAt), timePtrArg(r.ClosedAt))
	if err != nil {
		return tx.db.failure("create analysis request", err, "", "")
	}
	r.ID = id
	return nil
}

func (tx *tx) AnalysisRequestByID(ctx context.Context, id int64) (*haven.AnalysisRequest, error) {
	r, err := scanAnalysisRequest(tx.queryRow(ctx, qAnalysisRequestByID, id))
	if err != nil {
		return nil, tx.db.failure("analysis request by id", err, noAnalysisRequest, "")
	}
	return r, nil
}

func (tx *tx) UpdateAnalysisRequest(ctx context.Context, r *haven.AnalysisRequest) error {
	r.UpdatedAt = tx.now
	err := tx.execOne(ctx, qUpdateAnalysisRequest, string(r.Status), idArg(r.AnalystID), timePtrArg(r.AnsweredAt),
		timePtrArg(r.ClosedAt), r.UpdatedAt, r.ID)
	return tx.db.failure("update analysis request", err, noAnalysisRequest, "")
}

// Open requests first (the analysts' work), then in progress, answered,
// closed; newest first within each.
var analysisRequestListing = listing[*haven.AnalysisRequest]{analysisRequestFrom, analysisRequestColumns,
	`CASE r.status WHEN 'open' THEN 0 WHEN 'in_progress' THEN 1 WHEN 'answered' THEN 2 ELSE 3 END, r.created_at DESC, r.id DESC`,
	scanAnalysisRequest}

func analysisRequestWhere(f haven.AnalysisRequestFilter) *where {
	w := &where{}
	w.scope(f.Scope, analysisRequestScope)
	eq(w, "r.status", string(f.Status))
	return w
}

func (tx *tx) ListAnalysisRequests(ctx context.Context, f haven.AnalysisRequestFilter) ([]*haven.AnalysisRequest, error) {
	return list(ctx, tx, analysisRequestListing, analysisRequestWhere(f), f.Limit, f.Offset)
}

func (tx *tx) CountAnalysisRequests(ctx context.Context, f haven.AnalysisRequestFilter) (int, error) {
	return tx.countWhere(ctx, "analysis_requests r", analysisRequestWhere(f))
}

func scanProduct(s scanner) (*haven.AnalyticalProduct, error) {
	var p haven.AnalyticalProduct
	err := s.Scan(&p.ID, &p.RequestID, &p.AgencyID, &p.Kind, &p.Title, &p.Body, idCol{&p.NetworkID},
		idsCol{&p.ReportIDs}, analysisJSONCol{&p.Snapshot}, idCol{&p.AuthorID}, &p.Version, timeCol{&p.CreatedAt}, &p.AuthorName)
	if err != nil {
		return nil, err
	}
	return &p, nil
}

func (tx *tx) CreateProduct(ctx context.Context, p *haven.AnalyticalProduct) error {
	p.CreatedAt = stamp(p.CreatedAt, tx.now)
	snap, err := json.Marshal(p.Snapshot)
	if err != nil {
		return fmt.Errorf("sqlstore: create product: %w", err)
	}
	if err := tx.queryRow(ctx, qNextProductVersion, p.RequestID, string(p.Kind)).Scan(&p.Version); err != nil {
		return tx.db.failure("create product", err, "", "")
	}
	id, err := tx.insert(ctx, qCreateProduct, p.RequestID, p.AgencyID, string(p.Kind), p.Title, p.Body,
		idArg(p.NetworkID), idsArg(p.ReportIDs), string(snap), idArg(p.AuthorID), p.Version, p.CreatedAt)
	if err != nil {
		return tx.db.failure("create product", err, "", "that version of the product was just made by someone else")
	}
	p.ID = id
	return nil
}

func (tx *tx) ProductByID(ctx context.Context, id int64) (*haven.AnalyticalProduct, error) {
	p, err := scanProduct(tx.queryRow(ctx, qProductByID, id))
	if err != nil {
		return nil, tx.db.failure("product by id", err, noProduct, "")
	}
	return p, nil
}

var productListing = listing[*haven.AnalyticalProduct]{productFrom, productColumns, "p.created_at, p.id", scanProduct}

func (tx *tx) ListProducts(ctx context.Context, f haven.ProductFilter) ([]*haven.AnalyticalProduct, error) {
	w := &where{}
	w.scope(f.Scope, productScope)
	eq(w, "p.request_id", f.RequestID)
	return list(ctx, tx, productListing, w, f.Limit, f.Offset)
}
