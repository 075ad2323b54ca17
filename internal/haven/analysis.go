package haven

import (
	"context"
	"strings"
	"time"
)

// Analytical support for law enforcement (mission: "Analytical products of
// the trafficking analytical team are for law enforcement only"). An officer
// asks for analysis for an investigation of their agency (an
// AnalysisRequest); an analyst takes the request and answers it with
// analytical products (link chart, timeline, narrative). Only the requesting
// agency's officers and the clearinghouse's analysts and supervisors see
// either; every view, export and refusal is audited.

// Record kinds of analytical support.
const (
	KindAnalysisRequest Kind = "analysis_request"
	KindProduct         Kind = "analytical_product"
)

// RequestStatus is where an analysis request is: open (nobody has taken
// it), in progress (an analyst has it), answered (a product was delivered),
// closed (the officer or the clearinghouse closed it).
type RequestStatus string

// Request statuses.
const (
	RequestOpen       RequestStatus = "open"
	RequestInProgress RequestStatus = "in_progress"
	RequestAnswered   RequestStatus = "answered"
	RequestClosed     RequestStatus = "closed"
)

// Label is the status as screens show it.
func (s RequestStatus) Label() string {
	switch s {
	case RequestOpen:
		return "Open"
	case RequestInProgress:
		return "In progress"
	case RequestAnswered:
		return "Answered"
	case RequestClosed:
		return "Closed"
	}
	return string(s)
}

// Urgency is how soon the officer needs the analysis.
type Urgency string

// Urgencies.
const (
	UrgencyRoutine   Urgency = "routine"
	UrgencyPriority  Urgency = "priority"
	UrgencyImmediate Urgency = "immediate" // a child may be in danger now
)

// Urgencies lists the urgencies in the order forms offer them.
var Urgencies = []Urgency{UrgencyRoutine, UrgencyPriority, UrgencyImmediate}

// Label is the urgency as screens show it.
func (u Urgency) Label() string {
	switch u {
	case UrgencyRoutine:
		return "Routine"
	case UrgencyPriority:
		return "Priority"
	case UrgencyImmediate:
		return "Immediate: a child may be in danger now"
	}
	return string(u)
}

// AnalysisRequest is an officer's request for analytical support for an
// investigation of their agency.
type AnalysisRequest struct {
	ID         int64
	OfficerID  int64 // who asked (the record's creator)
	AgencyID   int64 // the officer's agency: only its officers see the request
	CaseNumber string
	Question   string
	Urgency    Urgency
	ReportIDs  []int64 // reports the question concerns, if known
	// ReportRefs names reports by their reference numbers (HV-7K3Q-9D2M),
	// as officers know them; on creation they are resolved into ReportIDs.
	ReportRefs  []string
	CaseID      int64 // the Haven case it concerns, 0 = none
	Status      RequestStatus
	AnalystID   int64 // the analyst who has it, 0 = nobody
	CreatedAt   time.Time
	UpdatedAt   time.Time
	AnsweredAt  *time.Time
	ClosedAt    *time.Time
	OfficerName string // filled in for display by lists and reads
	AgencyName  string
	AnalystName string
}

// Resource returns what the rules need to know about the request.
func (r *AnalysisRequest) Resource() Resource {
	return Resource{Kind: KindAnalysisRequest, ID: r.ID, AgencyID: r.AgencyID, AssignedTo: r.AnalystID, CreatedBy: r.OfficerID}
}

// Limits on a request's text.
const (
	maxCaseNumber = 60
	maxQuestion   = 4000
	maxReportRefs = 50
)

// Validate checks the officer's fields of a request.
func (r *AnalysisRequest) Validate() error {
	r.CaseNumber, r.Question = strings.TrimSpace(r.CaseNumber), strings.TrimSpace(r.Question)
	switch {
	case r.CaseNumber == "":
		return FieldError("case_number", "give your investigation's case number")
	case len(r.CaseNumber) > maxCaseNumber:
		return FieldError("case_number", "the case number is at most %d characters", maxCaseNumber)
	case r.Question == "":
		return FieldError("question", "say what you would like the analysts to find out")
	case len(r.Question) > maxQuestion:
		return FieldError("question", "the question is at most %d characters", maxQuestion)
	case !oneOf(r.Urgency, Urgencies):
		return FieldError("urgency", "choose routine, priority or immediate")
	case len(r.ReportIDs)+len(r.ReportRefs) > maxReportRefs:
		return FieldError("report_ids", "name at most %d reports", maxReportRefs)
	case r.CaseID < 0:
		return FieldError("case_id", "a case id is a positive number")
	}
	for _, id := range r.ReportIDs {
		if id <= 0 {
			return FieldError("report_ids", "report ids are positive numbers")
		}
	}
	for i, ref := range r.ReportRefs {
		r.ReportRefs[i] = strings.ToUpper(strings.TrimSpace(ref))
		if r.ReportRefs[i] == "" || len(r.ReportRefs[i]) > 40 {
			return FieldError("report_ids", "%q is not a report reference number such as HV-7K3Q-9D2M", ref)
		}
	}
	return nil
}

// ProductKind is the kind of an analytical product.
type ProductKind string

// Product kinds.
const (
	ProductLinkChart ProductKind = "link_chart"
	ProductTimeline  ProductKind = "timeline"
	ProductNarrative ProductKind = "narrative"
)

// ProductKinds lists the kinds of product in the order forms offer them.
var ProductKinds = []ProductKind{ProductNarrative, ProductLinkChart, ProductTimeline}

// Label is the kind as screens show it.
func (k ProductKind) Label() string {
	switch k {
	case ProductLinkChart:
		return "Link chart"
	case ProductTimeline:
		return "Timeline"
	case ProductNarrative:
		return "Narrative"
	}
	return string(k)
}

// AnalyticalProduct is an analyst's answer to a request. It is a frozen
// snapshot: a link chart or timeline holds the data it was drawn from when
// it was made (Snapshot), so that later changes to the network or the
// reports never silently change what was delivered. A new version is a new
// product.
type AnalyticalProduct struct {
	ID        int64
	RequestID int64
	AgencyID  int64 // the request's agency (copied, so lists are scoped like the request)
	Kind      ProductKind
	Title     string
	Body      string  // a narrative's text, or an analyst's note on a chart
	NetworkID int64   // the network charted, 0 = none
	ReportIDs []int64 // the reports charted (when no network is)
	Snapshot  ProductSnapshot
	AuthorID  int64
	Version   int // 1 for the first product of its kind on the request, then 2, …
	CreatedAt time.Time

	AuthorName string // filled in for display
}

// ProductSnapshot is what a chart or timeline shows, as it was when the
// product was made: the reports as nodes or events, and the links between
// them. Report refs, not ids, are what is delivered: the officer may not be
// able to open every report.
type ProductSnapshot struct {
	Nodes []SnapshotNode `json:"nodes"`
	Links []SnapshotLink `json:"links"`
}

// SnapshotNode is one report in a product.
type SnapshotNode struct {
	Ref        string    `json:"ref"`
	ReceivedAt time.Time `json:"received_at"`
	Channel    string    `json:"channel"`
	Incident   string    `json:"incident"`
	State      string    `json:"state"`
	Priority   string    `json:"priority"`
}

// SnapshotLink joins two reports of a product through identifiers they share.
type SnapshotLink struct {
	From        string   `json:"from"` // report refs; From was received first
	To          string   `json:"to"`
	Identifiers []string `json:"identifiers"`
}

// Resource returns what the rules need to know about the product: its
// request's agency, and its author.
func (p *AnalyticalProduct) Resource() Resource {
	return Resource{Kind: KindProduct, ID: p.ID, AgencyID: p.AgencyID, CreatedBy: p.AuthorID}
}

// Limits on a product's text.
const (
	maxTitle = 200
	maxBody  = 20000
)

// Validate checks the analyst's fields of a product.
func (p *AnalyticalProduct) Validate() error {
	p.Title, p.Body = strings.TrimSpace(p.Title), strings.TrimSpace(p.Body)
	switch {
	case !oneOf(p.Kind, ProductKinds):
		return FieldError("kind", "choose link_chart, timeline or narrative")
	case p.Title == "":
		return FieldError("title", "give the product a title")
	case len(p.Title) > maxTitle:
		return FieldError("title", "the title is at most %d characters", maxTitle)
	case len(p.Body) > maxBody:
		return FieldError("body", "the text is at most %d characters", maxBody)
	case p.Kind == ProductNarrative && p.Body == "":
		return FieldError("body", "write the narrative")
	case p.Kind != ProductNarrative && p.NetworkID == 0 && len(p.ReportIDs) == 0:
		return FieldError("network_id", "name the network or the reports to chart")
	case p.NetworkID < 0:
		return FieldError("network_id", "a network id is a positive number")
	case len(p.ReportIDs) > maxReportRefs:
		return FieldError("report_ids", "name at most %d reports", maxReportRefs)
	}
	for _, id := range p.ReportIDs {
		if id <= 0 {
			return FieldError("report_ids", "report ids are positive numbers")
		}
	}
	return nil
}

// AnalysisRequestFilter selects requests, most urgent open ones first, then
// newest.
type AnalysisRequestFilter struct {
	Scope  Scope
	Status RequestStatus // "" = any
	Limit  int
	Offset int
}

// ProductFilter selects products, oldest first.
type ProductFilter struct {
	Scope     Scope
	RequestID int64 // 0 = any
	Limit     int
	Offset    int
}

// AnalysisTx is the part of a transaction that keeps analysis requests and
// products. CreateAnalysisRequest sets ID, CreatedAt and UpdatedAt;
// UpdateAnalysisRequest writes Status, AnalystID, AnsweredAt and ClosedAt
// and sets UpdatedAt; CreateProduct sets ID, Version and CreatedAt. Reads
// fill in the display names.
type AnalysisTx interface {
	CreateAnalysisRequest(ctx context.Context, r *AnalysisRequest) error
	AnalysisRequestByID(ctx context.Context, id int64) (*AnalysisRequest, error)
	UpdateAnalysisRequest(ctx context.Context, r *AnalysisRequest) error
	ListAnalysisRequests(ctx context.Context, f AnalysisRequestFilter) ([]*AnalysisRequest, error)
	CountAnalysisRequests(ctx context.Context, f AnalysisRequestFilter) (int, error)
	CreateProduct(ctx context.Context, p *AnalyticalProduct) error
	ProductByID(ctx context.Context, id int64) (*AnalyticalProduct, error)
	ListProducts(ctx context.Context, f ProductFilter) ([]*AnalyticalProduct, error)
}
