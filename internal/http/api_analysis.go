package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Analytical support through the JSON API, with the authorisation of the
// pages (the same service methods): GET and POST /api/v1/analysis-requests,
// GET /api/v1/analysis-requests/{id} (with its products), POST
// /api/v1/analysis-requests/{id}/products, GET /api/v1/products/{id} and GET
// /api/v1/products/{id}/pdf (watermarked for the token's user). A request or
// product the caller may not open is 404, like one that does not exist.

// apiAnalysisRequestInput is the body of POST /api/v1/analysis-requests.
type apiAnalysisRequestInput struct {
	CaseNumber string        `json:"case_number"`
	Question   string        `json:"question"`
	Urgency    haven.Urgency `json:"urgency"`
	ReportIDs  []int64       `json:"report_ids"`
	ReportRefs []string      `json:"report_refs"`
	CaseID     int64         `json:"case_id"`
}

// apiAnalysisRequest is a request as the API returns it.
type apiAnalysisRequest struct {
	ID          int64               `json:"id"`
	CaseNumber  string              `json:"case_number"`
	Question    string              `json:"question"`
	Urgency     haven.Urgency       `json:"urgency"`
	Status      haven.RequestStatus `json:"status"`
	AgencyID    int64               `json:"agency_id"`
	AgencyName  string              `json:"agency_name"`
	OfficerID   int64               `json:"officer_id"`
	OfficerName string              `json:"officer_name"`
	AnalystID   int64               `json:"analyst_id"`
	AnalystName string              `json:"analyst_name"`
	ReportIDs   []int64             `json:"report_ids"`
	CaseID      int64               `json:"case_id"`
	CreatedAt   time.Time           `json:"created_at"`
	AnsweredAt  *time.Time          `json:"answered_at"`
	ClosedAt    *time.Time          `json:"closed_at"`
	Products    []apiProduct        `json:"products,omitempty"`
}

// apiProductInput is the body of POST /api/v1/analysis-requests/{id}/products.
type apiProductInput struct {
	Kind      haven.ProductKind `json:"kind"`
	Title     string            `json:"title"`
	Body      string            `json:"body"`
	NetworkID int64             `json:"network_id"`
	ReportIDs []int64           `json:"report_ids"`
}

// apiProduct is a product as the API returns it, with its frozen snapshot.
type apiProduct struct {
	ID         int64                 `json:"id"`
	RequestID  int64                 `json:"request_id"`
	Kind       haven.ProductKind     `json:"kind"`
	Title      string                `json:"title"`
	Body       string                `json:"body"`
	NetworkID  int64                 `json:"network_id"`
	ReportIDs  []int64               `json:"report_ids"`
	Snapshot   haven.ProductSnapshot `json:"snapshot"`
	AuthorID   int64                 `json:"author_id"`
	AuthorName string                `json:"author_name"`
	Version    int                   `json:"version"`
	CreatedAt  time.Time             `json:"created_at"`
	PDF        string                `json:"pdf"`
}

func apiRequestOf(q *haven.AnalysisRequest) apiAnalysisRequest {
	out := apiAnalysisRequest{ID: q.ID, CaseNumber: q.CaseNumber, Question: q.Question, Urgency: q.Urgency, Status: q.Status,
		AgencyID: q.AgencyID, AgencyName: q.AgencyName, OfficerID: q.OfficerID, OfficerName: q.OfficerName,
		AnalystID: q.AnalystID, AnalystName: q.AnalystName, ReportIDs: q.ReportIDs, CaseID: q.CaseID, CreatedAt: q.CreatedAt.UTC(),
		AnsweredAt: q.AnsweredAt, ClosedAt: q.ClosedAt}
	if out.ReportIDs == nil {
		out.ReportIDs = []int64{}
	}
	return out
}

func apiProductOf(p *haven.AnalyticalProduct) apiProduct {
	out := apiProduct{ID: p.ID, RequestID: p.RequestID, Kind: p.Kind, Title: p.Title, Body: p.Body, NetworkID: p.NetworkID,
		ReportIDs: p.ReportIDs, Snapshot: p.Snapshot, AuthorID: p.AuthorID, AuthorName: p.AuthorName, Version: p.Version,
		CreatedAt: p.CreatedAt.UTC(), PDF: "/api/v1/products/" + strconv.FormatInt(p.ID, 10) + "/pdf"}
	if out.ReportIDs == nil {
		out.ReportIDs = []int64{}
	}
	if out.Snapshot.Nodes == nil {
		out.Snapshot.Nodes = []haven.SnapshotNode{}
	}
	if out.Snapshot.Links == nil {
		out.Snapshot.Links = []haven.SnapshotLink{}
	}
	for i, l := range out.Snapshot.Links {
		if l.Identifiers == nil {
			out.Snapshot.Links[i].Identifiers = []string{}
		}
	}
	return out
}

// apiAnalysisRequestsResponse is the body of GET /api/v1/analysis-requests.
type apiAnalysisRequestsResponse struct {
	Requests []apiAnalysisRequest `json:"requests"`
	Total    int                  `json:"total"`
	Limit    int                  `json:"limit"`
	Offset   int                  `json:"offset"`
}

// apiAnalysisRequests lists the requests the caller may see (?status=,
// ?limit=, ?offset=).
func (s *Server) apiAnalysisRequests(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	rs, total, err := s.svc.ListAnalysisRequests(r.Context(), a, haven.AnalysisRequestFilter{
		Status: haven.RequestStatus(r.URL.Query().Get("status")), Limit: limit, Offset: offset})
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	resp := apiAnalysisRequestsResponse{Requests: []apiAnalysisRequest{}, Total: total, Limit: limit, Offset: offset}
	for _, q := range rs {
		resp.Requests = append(resp.Requests, apiRequestOf(q))
	}
	writeJSON(w, http.StatusOK, resp)
}

// apiAnalysisRequestCreate files an officer's request for their agency.
func (s *Server) apiAnalysisRequestCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var in apiAnalysisRequestInput
	raw, ok := s.readJSON(w, r, &in, "an analysis request", false)
	if !ok {
		return
	}
	q := &haven.AnalysisRequest{CaseNumber: in.CaseNumber, Question: in.Question, Urgency: in.Urgency, ReportIDs: in.ReportIDs, ReportRefs: in.ReportRefs, CaseID: in.CaseID}
	replayed, err := s.svc.CreateAnalysisRequestOnce(r.Context(), a, requestOnce(r, raw), q)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	// Read it back for the names (the creator may always see it).
	got, _, err := s.svc.GetAnalysisRequest(r.Context(), a, q.ID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/analysis-requests/"+strconv.FormatInt(q.ID, 10), replayed, apiRequestOf(got))
}

// apiAnalysisRequestGet opens a request with its products (audited).
func (s *Server) apiAnalysisRequestGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an analysis request's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q, ps, err := s.svc.GetAnalysisRequest(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiRequestOf(q)
	out.Products = []apiProduct{}
	for _, p := range ps {
		out.Products = append(out.Products, apiProductOf(p))
	}
	writeJSON(w, http.StatusOK, out)
}

// apiProductCreate answers a request with a product.
func (s *Server) apiProductCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an analysis request's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiProductInput
	raw, ok := s.readJSON(w, r, &in, "an analytical product", false)
	if !ok {
		return
	}
	p := &haven.AnalyticalProduct{RequestID: id, Kind: in.Kind, Title: in.Title, Body: in.Body, NetworkID: in.NetworkID, ReportIDs: in.ReportIDs}
	p, replayed, err := s.svc.CreateProductOnce(r.Context(), a, requestOnce(r, raw), p)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/products/"+strconv.FormatInt(p.ID, 10), replayed, apiProductOf(p))
}

// apiProductGet opens a product (audited).
func (s *Server) apiProductGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a product's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	p, err := s.svc.GetProduct(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiProductOf(p))
}

// apiProductPDF downloads a product as PDF watermarked for the token's user
// (audited as an export).
func (s *Server) apiProductPDF(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "a product's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	x, err := s.svc.ExportProduct(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.writeProductPDF(w, r, x)
}

// apiAnalysisRequestClaim gives the request to the token's user (an analyst
// or supervisor); claiming one's own again changes nothing.
func (s *Server) apiAnalysisRequestClaim(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiAnalysisRequestChange(w, r, a, s.svc.ClaimAnalysisRequest)
}

// apiAnalysisRequestClose closes the request; closing a closed one changes
// nothing.
func (s *Server) apiAnalysisRequestClose(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiAnalysisRequestChange(w, r, a, s.svc.CloseAnalysisRequest)
}

func (s *Server) apiAnalysisRequestChange(w http.ResponseWriter, r *http.Request, a haven.Actor,
	change func(ctx context.Context, a haven.Actor, id int64) (*haven.AnalysisRequest, error)) {
	id, err := apiPathID(r, "an analysis request's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q, err := change(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiRequestOf(q))
}

// apiAnalysisAssignInput is the body of POST /api/v1/analysis-requests/{id}/assign.
type apiAnalysisAssignInput struct {
	AnalystID int64 `json:"analyst_id"`
}

// apiAnalysisRequestAssign gives the request to another analyst (supervisors).
func (s *Server) apiAnalysisRequestAssign(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an analysis request's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in apiAnalysisAssignInput
	if _, ok := s.readJSON(w, r, &in, "an assignment", false); !ok {
		return
	}
	q, err := s.svc.AssignAnalysisRequest(r.Context(), a, id, in.AnalystID)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiRequestOf(q))
}
