package http

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
	"github.com/haven-oss/haven/internal/netviz"
	"github.com/haven-oss/haven/internal/productpdf"
)

// Analytical support for law enforcement (/analysis): officers ask for
// analysis for their agency's investigations and see their agency's
// requests and the products answering them; analysts and supervisors see
// every request, take one, and answer it with a narrative, a link chart or
// a timeline. A product's page draws its frozen snapshot (the link chart as
// server-rendered SVG, the timeline as a table); its PDF carries the
// downloader's name and the time on every page. The service decides and
// audits every view; a request or product the viewer may not open answers
// 404 like one that does not exist.

// analysisListLimit is the most requests one page lists.
const analysisListLimit = 200

type analysisRow struct {
	ID                                          int64
	CaseNumber, Agency, Urgency, Status, Opened string
	Analyst, Question                           string
	Immediate                                   bool
}

type analysisListData struct {
	Rows                    []analysisRow
	Total                   int
	CanRequest              bool
	Urgencies               []option
	F                       analysisForm
	Error, ErrorField, Done string
	StatusFilter            string
	Statuses                []option
}

type analysisForm struct {
	CaseNumber, Question, ReportIDs string
}

func (s *Server) analysisRows(rs []*haven.AnalysisRequest) []analysisRow {
	var out []analysisRow
	for _, q := range rs {
		out = append(out, analysisRow{ID: q.ID, CaseNumber: q.CaseNumber, Agency: q.AgencyName, Urgency: q.Urgency.Label(),
			Status: q.Status.Label(), Opened: showMinute(q.CreatedAt), Analyst: q.AnalystName, Question: clip(q.Question, 140),
			Immediate: q.Urgency == haven.UrgencyImmediate})
	}
	return out
}

func clip(s string, n int) string {
	if len([]rune(s)) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// analysisList lists the requests the actor may see, with the form for a
// new request for officers.
func (s *Server) analysisList(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.renderAnalysisList(w, r, a, http.StatusOK, analysisListData{Done: r.URL.Query().Get("done")})
}

func (s *Server) renderAnalysisList(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d analysisListData) {
	d.StatusFilter = r.URL.Query().Get("status")
	rs, total, err := s.svc.ListAnalysisRequests(r.Context(), a, haven.AnalysisRequestFilter{Status: haven.RequestStatus(d.StatusFilter), Limit: analysisListLimit})
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Rows, d.Total = s.analysisRows(rs), total
	d.CanRequest = haven.CanKind(a, haven.ActionCreate, haven.KindAnalysisRequest) && a.AgencyID != 0
	d.Statuses = []option{{Value: "", Label: "Any status", Selected: d.StatusFilter == ""}}
	for _, st := range []haven.RequestStatus{haven.RequestOpen, haven.RequestInProgress, haven.RequestAnswered, haven.RequestClosed} {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: st.Label(), Selected: d.StatusFilter == string(st)})
	}
	for _, u := range haven.Urgencies {
		d.Urgencies = append(d.Urgencies, option{Value: string(u), Label: u.Label(), Selected: r.PostForm.Get("urgency") == string(u)})
	}
	s.render(w, r, status, "analysis", &a, d)
}

// parseIDs reads a list of ids separated by commas or spaces.
func parseIDs(field, v string) ([]int64, error) {
	var ids []int64
	for _, f := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return nil, haven.FieldError(field, "%q is not a report number; give numbers separated by commas", f)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// parseReportRefs splits a list of reports separated by commas or spaces
// into ids (numbers) and reference numbers (anything else), which the
// service checks.
func parseReportRefs(v string) (ids []int64, refs []string) {
	for _, f := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ' ' || c == '\n' || c == '\r' || c == '\t' }) {
		if id, err := strconv.ParseInt(f, 10, 64); err == nil {
			ids = append(ids, id)
		} else {
			refs = append(refs, f)
		}
	}
	return ids, refs
}

// analysisCreate takes an officer's new request.
func (s *Server) analysisCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	f := analysisForm{CaseNumber: r.PostForm.Get("case_number"), Question: r.PostForm.Get("question"), ReportIDs: r.PostForm.Get("report_ids")}
	req := &haven.AnalysisRequest{CaseNumber: f.CaseNumber, Question: f.Question, Urgency: haven.Urgency(r.PostForm.Get("urgency"))}
	req.ReportIDs, req.ReportRefs = parseReportRefs(f.ReportIDs)
	err := s.svc.CreateAnalysisRequest(r.Context(), a, req)
	if haven.ErrorCode(err) == haven.EINVALID {
		msg, field := s.fieldProblem(r, err)
		s.renderAnalysisList(w, r, a, http.StatusUnprocessableEntity, analysisListData{F: f, Error: msg, ErrorField: field})
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/analysis/"+strconv.FormatInt(req.ID, 10)+"?done=requested", http.StatusSeeOther)
}

type analysisProductRow struct {
	ID                                 int64
	Title, Kind, Author, Created, Href string
	Version                            int
}

type analysisRequestData struct {
	Q                                 *haven.AnalysisRequest
	Urgency, Status, Opened, Answered string
	Closed                            string
	ReportIDs                         string
	Products                          []analysisProductRow
	CanClaim, CanClose, CanAddProduct bool
	CanAssign                         bool
	Analysts                          []option
	AssignedToMe                      bool
	Kinds                             []option
	F                                 productForm
	Error, ErrorField, Done, Problem  string
}

type productForm struct {
	Title, Body, NetworkID, ReportIDs string
}

// analysisRequestPage shows a request with its products and, for analysts,
// the forms to answer it.
func (s *Server) analysisRequestPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	s.renderAnalysisRequest(w, r, a, http.StatusOK, analysisRequestData{Done: q.Get("done"), Problem: q.Get("problem")})
}

func (s *Server) renderAnalysisRequest(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d analysisRequestData) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	req, ps, err := s.svc.GetAnalysisRequest(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	res := req.Resource()
	d.Q, d.Urgency, d.Status, d.Opened = req, req.Urgency.Label(), req.Status.Label(), showMinute(req.CreatedAt)
	if req.AnsweredAt != nil {
		d.Answered = showMinute(*req.AnsweredAt)
	}
	if req.ClosedAt != nil {
		d.Closed = showMinute(*req.ClosedAt)
	}
	var ids []string
	for _, id := range req.ReportIDs {
		ids = append(ids, strconv.FormatInt(id, 10))
	}
	d.ReportIDs = strings.Join(ids, ", ")
	open := req.Status != haven.RequestClosed
	d.AssignedToMe = req.AnalystID != 0 && req.AnalystID == a.UserID
	d.CanClaim = open && !d.AssignedToMe && haven.Can(a, haven.ActionAssign, res)
	d.CanClose = open && haven.Can(a, haven.ActionUpdate, res)
	d.CanAssign = open && haven.Can(a, haven.ActionDelegate, res)
	if d.CanAssign {
		people, err := s.svc.Assignees(r.Context(), a)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		for _, p := range people {
			label := p.DisplayName
			if label == "" {
				label = p.Username
			}
			d.Analysts = append(d.Analysts, option{Value: strconv.FormatInt(p.ID, 10), Label: label + " (" + p.Role.Label() + ")", Selected: p.ID == req.AnalystID})
		}
	}
	d.CanAddProduct = open && haven.Can(a, haven.ActionCreate, haven.Resource{Kind: haven.KindProduct, AgencyID: req.AgencyID, CreatedBy: a.UserID})
	for _, p := range ps {
		d.Products = append(d.Products, analysisProductRow{ID: p.ID, Title: p.Title, Kind: p.Kind.Label(), Author: p.AuthorName,
			Created: showMinute(p.CreatedAt), Version: p.Version, Href: "/analysis/products/" + strconv.FormatInt(p.ID, 10)})
	}
	kind := r.PostForm.Get("kind")
	for _, k := range haven.ProductKinds {
		d.Kinds = append(d.Kinds, option{Value: string(k), Label: k.Label(), Selected: kind == string(k)})
	}
	s.render(w, r, status, "analysis_request", &a, d)
}

// analysisClaim gives the request to the acting analyst.
func (s *Server) analysisClaim(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.analysisAction(w, r, a, "claimed", func(id int64) error {
		_, err := s.svc.ClaimAnalysisRequest(r.Context(), a, id)
		return err
	})
}

// analysisAssign gives the request to the analyst chosen (supervisors).
func (s *Server) analysisAssign(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.analysisAction(w, r, a, "assigned", func(id int64) error {
		to, err := strconv.ParseInt(r.PostForm.Get("analyst_id"), 10, 64)
		if err != nil || to <= 0 {
			to = 0 // not chosen: the service says so once it has checked who may assign
		}
		_, err = s.svc.AssignAnalysisRequest(r.Context(), a, id, to)
		return err
	})
}

// analysisClose closes the request.
func (s *Server) analysisClose(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.analysisAction(w, r, a, "closed", func(id int64) error {
		_, err := s.svc.CloseAnalysisRequest(r.Context(), a, id)
		return err
	})
}

func (s *Server) analysisAction(w http.ResponseWriter, r *http.Request, a haven.Actor, done string, do func(int64) error) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	back := "/analysis/" + strconv.FormatInt(id, 10)
	switch err := do(id); haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, back+"?done="+done, http.StatusSeeOther)
	case haven.ECONFLICT:
		http.Redirect(w, r, back+"?problem=conflict", http.StatusSeeOther)
	case haven.EINVALID:
		http.Redirect(w, r, back+"?problem=analyst", http.StatusSeeOther)
	default:
		s.pageError(w, r, err)
	}
}

// analysisProductCreate answers a request with a product.
func (s *Server) analysisProductCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.postedToRecord(w, r)
	if !ok {
		return
	}
	f := productForm{Title: r.PostForm.Get("title"), Body: r.PostForm.Get("body"), NetworkID: strings.TrimSpace(r.PostForm.Get("network_id")),
		ReportIDs: r.PostForm.Get("report_ids")}
	p := &haven.AnalyticalProduct{RequestID: id, Kind: haven.ProductKind(r.PostForm.Get("kind")), Title: f.Title, Body: f.Body}
	var err error
	if f.NetworkID != "" {
		if p.NetworkID, err = strconv.ParseInt(f.NetworkID, 10, 64); err != nil || p.NetworkID <= 0 {
			err = haven.FieldError("network_id", "a network number is a whole number, as in /networks/12")
		}
	}
	if err == nil {
		p.ReportIDs, err = parseIDs("report_ids", f.ReportIDs)
	}
	if err == nil {
		err = s.svc.CreateProduct(r.Context(), a, p)
	}
	switch haven.ErrorCode(err) {
	case "":
		http.Redirect(w, r, "/analysis/products/"+strconv.FormatInt(p.ID, 10)+"?done=created", http.StatusSeeOther)
	case haven.EINVALID:
		msg, field := s.fieldProblem(r, err)
		s.renderAnalysisRequest(w, r, a, http.StatusUnprocessableEntity, analysisRequestData{F: f, Error: msg, ErrorField: field})
	case haven.ECONFLICT:
		http.Redirect(w, r, "/analysis/"+strconv.FormatInt(id, 10)+"?problem=conflict", http.StatusSeeOther)
	default:
		s.pageError(w, r, err)
	}
}

type productData struct {
	P                          *haven.AnalyticalProduct
	Kind, Created, RequestHref string
	PDFHref                    string
	Paragraphs                 []string
	Graph                      networkGraph
	Links                      []haven.SnapshotLink
	Timeline                   []productEvent
	Done                       string
}

type productEvent struct {
	Received, ReceivedISO, Ref, Channel, Incident, State string
}

// fileID reads the {file} of a record's page or PDF path: "{id}" or
// "{id}.pdf"; ok is false for anything else.
func fileID(r *http.Request) (id int64, pdf bool, ok bool) {
	file := r.PathValue("file")
	pdf = strings.HasSuffix(file, ".pdf")
	id, err := strconv.ParseInt(strings.TrimSuffix(file, ".pdf"), 10, 64)
	return id, pdf, err == nil && id > 0
}

// analysisProduct serves /analysis/products/{file}: the product's page for
// {id}, its PDF for {id}.pdf.
func (s *Server) analysisProduct(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, pdf, ok := fileID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	if pdf {
		x, err := s.svc.ExportProduct(r.Context(), a, id)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		s.writeProductPDF(w, r, x)
		return
	}
	p, err := s.svc.GetProduct(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "analysis_product", &a, buildProductData(p, r.URL.Query().Get("done")))
}

// writeProductPDF sends the watermarked PDF as a download.
func (s *Server) writeProductPDF(w http.ResponseWriter, r *http.Request, x *haven.ProductExport) {
	b, err := productpdf.Render(x, true)
	s.sendPDF(w, r, b, err, "analytical-product-"+strconv.FormatInt(x.Product.ID, 10)+".pdf")
}

// sendPDF sends a rendered PDF (or the error rendering it) as a download
// that no cache keeps.
func (s *Server) sendPDF(w http.ResponseWriter, r *http.Request, b []byte, err error, filename string) {
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/pdf")
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	w.Write(b)
}

func buildProductData(p *haven.AnalyticalProduct, done string) productData {
	d := productData{P: p, Kind: p.Kind.Label(), Created: showMinute(p.CreatedAt), Done: done,
		RequestHref: "/analysis/" + strconv.FormatInt(p.RequestID, 10),
		PDFHref:     "/analysis/products/" + strconv.FormatInt(p.ID, 10) + ".pdf", Links: p.Snapshot.Links}
	for _, para := range strings.Split(p.Body, "\n") {
		if strings.TrimSpace(para) != "" {
			d.Paragraphs = append(d.Paragraphs, para)
		}
	}
	nodes := p.Snapshot.Nodes
	if p.Kind == haven.ProductLinkChart && len(nodes) > 0 {
		// The chart as on the network page: reports on a circle, oldest at
		// the top, each line labelled with the identifiers it stands for.
		g := netviz.CircleLayout(len(nodes))
		d.Graph = networkGraph{Width: g.Width, Height: g.Height, R: g.NodeRadius}
		at := map[string]int{}
		for i, n := range nodes {
			at[n.Ref] = i
			pt := g.Nodes[i]
			d.Graph.Nodes = append(d.Graph.Nodes, networkNode{X: pt.X, Y: pt.Y, LabelY: pt.Y + g.NodeRadius + 14, Ref: n.Ref,
				Class: "pri-none", Priority: n.Priority})
		}
		for _, l := range p.Snapshot.Links {
			i, ok1 := at[l.From]
			j, ok2 := at[l.To]
			if !ok1 || !ok2 {
				continue
			}
			a, b := g.Nodes[i], g.Nodes[j]
			label := strings.Join(l.Identifiers, ", ")
			d.Graph.Edges = append(d.Graph.Edges, networkGraphEdge{X1: a.X, Y1: a.Y, X2: b.X, Y2: b.Y, MX: (a.X + b.X) / 2,
				MY: (a.Y+b.Y)/2 - 4, Label: label, Title: l.From + " and " + l.To + " share " + label})
		}
	}
	sorted := append([]haven.SnapshotNode(nil), nodes...)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].ReceivedAt.Before(sorted[j].ReceivedAt) })
	for _, n := range sorted {
		d.Timeline = append(d.Timeline, productEvent{Received: showMinute(n.ReceivedAt), ReceivedISO: n.ReceivedAt.UTC().Format(time.RFC3339),
			Ref: n.Ref, Channel: n.Channel, Incident: n.Incident, State: n.State})
	}
	return d
}
