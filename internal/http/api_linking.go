package http

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Linking through the JSON API, with the authorisation of the pages (the
// same service methods, each view audited the same way): a report's links
// (GET /api/v1/reports/{id}/links), the identifier index and its review
// queue (GET /api/v1/identifiers, GET /api/v1/identifiers/{id}), the
// analyst's decisions on an identifier (POST …/exclude, …/confirm), a
// network (GET /api/v1/networks/{id}), and the person matches of a report
// or awaiting a decision, with the decisions (GET
// /api/v1/reports/{id}/person-matches, GET /api/v1/person-matches, POST
// /api/v1/person-matches/{id}/confirm, …/reject). Decisions are idempotent
// in effect: deciding again as before changes nothing.

// apiIdentifier is an identifier as a report carries it.
type apiIdentifier struct {
	ID       int64                `json:"id"`
	ReportID int64                `json:"report_id"`
	Kind     haven.IdentifierKind `json:"kind"`
	Platform string               `json:"platform"`
	Value    string               `json:"value"`
	Raw      string               `json:"raw"`
	Source   string               `json:"source"`
}

func identifierOut(id haven.Identifier) apiIdentifier {
	return apiIdentifier{ID: id.ID, ReportID: id.ReportID, Kind: id.Kind, Platform: id.Platform, Value: id.Value, Raw: id.Raw, Source: id.Source}
}

// apiKey is an identifier of the index: never its MAC.
type apiKey struct {
	ID          int64                `json:"id"`
	Kind        haven.IdentifierKind `json:"kind"`
	Platform    string               `json:"platform"`
	State       haven.KeyState       `json:"state"`
	ReportCount int                  `json:"report_count"`
	FirstSeen   time.Time            `json:"first_seen"`
	LastSeen    time.Time            `json:"last_seen"`
	Reason      string               `json:"reason"`
	DecidedAt   *time.Time           `json:"decided_at"`
}

func keyOut(k *haven.IdentifierKey) apiKey {
	return apiKey{ID: k.ID, Kind: k.Kind, Platform: k.Platform, State: k.State, ReportCount: k.ReportCount,
		FirstSeen: k.FirstSeen.UTC(), LastSeen: k.LastSeen.UTC(), Reason: k.Reason, DecidedAt: k.DecidedAt}
}

// apiNetwork is a network's summary.
type apiNetwork struct {
	ID            int64     `json:"id"`
	Size          int       `json:"size"`
	FirstReportAt time.Time `json:"first_report_at"`
	LastReportAt  time.Time `json:"last_report_at"`
}

func networkOut(n *haven.Network) *apiNetwork {
	if n == nil {
		return nil
	}
	return &apiNetwork{ID: n.ID, Size: n.Size, FirstReportAt: n.FirstReportAt.UTC(), LastReportAt: n.LastReportAt.UTC()}
}

// apiReportLink is one identifier of a report and the reports it links to.
type apiReportLink struct {
	Identifier apiIdentifier `json:"identifier"`
	// Key is the index entry, for those who may see the index (null
	// otherwise).
	Key     *apiKey     `json:"key"`
	Reports []apiReport `json:"reports"`
	Visible int         `json:"visible"`
	Hidden  int         `json:"hidden"`
}

// apiReportLinks is the body of GET /api/v1/reports/{id}/links.
type apiReportLinks struct {
	Links   []apiReportLink `json:"links"`
	Network *apiNetwork     `json:"network"`
}

func (s *Server) apiReportLinks(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.apiPathID(w, r, haven.KindReport)
	if !ok {
		return
	}
	rl, err := s.svc.ReportLinks(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiReportLinks{Links: []apiReportLink{}, Network: networkOut(rl.Network)}
	for _, l := range rl.Links {
		al := apiReportLink{Identifier: identifierOut(l.Identifier), Reports: []apiReport{}, Visible: l.Visible, Hidden: l.Hidden}
		if l.KeyVisible {
			k := keyOut(l.Key)
			al.Key = &k
		}
		for _, rep := range l.Reports {
			al.Reports = append(al.Reports, summary(rep))
		}
		out.Links = append(out.Links, al)
	}
	writeJSON(w, http.StatusOK, out)
}

// apiIdentifierSummary is an identifier in the index list.
type apiIdentifierSummary struct {
	apiKey
	// Value is taken from a report the token's user may open ("" when
	// they may open none).
	Value string `json:"value"`
}

// apiIdentifierList is the body of GET /api/v1/identifiers.
type apiIdentifierList struct {
	Identifiers []apiIdentifierSummary `json:"identifiers"`
	Total       int                    `json:"total"`
	Limit       int                    `json:"limit"`
	Offset      int                    `json:"offset"`
}

// apiIdentifiers lists the index (?state=active|flagged|excluded, ?kind=,
// ?limit=, ?offset=), most-linked first; ?state=flagged is the review
// queue.
func (s *Server) apiIdentifiers(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := haven.IdentifierKeyFilter{State: haven.KeyState(q.Get("state")), Kind: haven.IdentifierKind(q.Get("kind")), Limit: limit, Offset: offset}
	if f.Kind != "" && !contains(haven.IdentifierKinds, f.Kind) {
		s.apiError(w, r, haven.FieldError("kind", "kind is one of the identifier kinds (phone, email, url, handle, …)"))
		return
	}
	list, total, err := s.svc.ListIdentifiers(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiIdentifierList{Identifiers: []apiIdentifierSummary{}, Total: total, Limit: limit, Offset: offset}
	for _, it := range list {
		out.Identifiers = append(out.Identifiers, apiIdentifierSummary{apiKey: keyOut(it.Key), Value: it.Display.Value})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiLinkedReport is a report linked through an identifier.
type apiLinkedReport struct {
	apiReport
	Identifier apiIdentifier `json:"identifier"`
	LinkedAt   time.Time     `json:"linked_at"`
}

// apiIdentifierView is the body of GET /api/v1/identifiers/{id}.
type apiIdentifierView struct {
	apiKey
	Value   string            `json:"value"`
	Reports []apiLinkedReport `json:"reports"`
	Visible int               `json:"visible"`
	Hidden  int               `json:"hidden"`
	Page    int               `json:"page"`
}

// apiIdentifier shows one identifier with the reports it links (?page=,
// haven.IdentifierPageSize a page).
func (s *Server) apiIdentifier(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.apiPathID(w, r, haven.KindIdentifier)
	if !ok {
		return
	}
	page := 1
	if v := r.URL.Query().Get("page"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 1_000_000 {
			s.apiError(w, r, haven.FieldError("page", "page is a whole number from 1"))
			return
		}
		page = n
	}
	v, err := s.svc.Identifier(r.Context(), a, id, page)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiIdentifierView{apiKey: keyOut(v.Key), Value: v.Display.Value, Reports: []apiLinkedReport{},
		Visible: v.Visible, Hidden: v.Hidden, Page: page}
	for _, lr := range v.Reports {
		out.Reports = append(out.Reports, apiLinkedReport{apiReport: summary(lr.Report), Identifier: identifierOut(lr.Identifier), LinkedAt: lr.LinkedAt.UTC()})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiReasonBody is the body of a decision: the analyst's reason.
type apiReasonBody struct {
	Reason string `json:"reason"`
}

func (s *Server) apiIdentifierExclude(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiIdentifierDecide(w, r, a, s.svc.ExcludeIdentifier)
}

func (s *Server) apiIdentifierConfirm(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiIdentifierDecide(w, r, a, s.svc.ConfirmIdentifier)
}

func (s *Server) apiIdentifierDecide(w http.ResponseWriter, r *http.Request, a haven.Actor,
	decide func(ctx context.Context, a haven.Actor, id int64, reason string) (*haven.IdentifierKey, error)) {
	id, ok := s.apiPathID(w, r, haven.KindIdentifier)
	if !ok {
		return
	}
	var body apiReasonBody
	if _, ok := s.readJSON(w, r, &body, "a decision", false); !ok {
		return
	}
	k, err := decide(r.Context(), a, id, body.Reason)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, keyOut(k))
}

// apiNetworkMember is a report of a network.
type apiNetworkMember struct {
	ReportID     int64              `json:"report_id"`
	Ref          string             `json:"ref"`
	ReceivedAt   time.Time          `json:"received_at"`
	State        string             `json:"state"`
	Priority     haven.Priority     `json:"priority"`
	Channel      haven.Channel      `json:"channel"`
	IncidentType haven.IncidentType `json:"incident_type"`
}

type apiNetworkEdge struct {
	From         int64 `json:"from"`
	To           int64 `json:"to"`
	IdentifierID int64 `json:"identifier_id"`
}

type apiNetworkIdentifier struct {
	IdentifierID int64                `json:"identifier_id"`
	Kind         haven.IdentifierKind `json:"kind"`
	Platform     string               `json:"platform"`
	Value        string               `json:"value"`
	Reports      int                  `json:"reports"`
}

// apiNetworkView is the body of GET /api/v1/networks/{id}: the graph the
// page draws, as data.
type apiNetworkView struct {
	apiNetwork
	Members     []apiNetworkMember     `json:"members"`
	Hidden      int                    `json:"hidden"`
	Edges       []apiNetworkEdge       `json:"edges"`
	Identifiers []apiNetworkIdentifier `json:"identifiers"`
}

func (s *Server) apiNetwork(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.apiPathID(w, r, haven.KindNetwork)
	if !ok {
		return
	}
	v, err := s.svc.Network(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiNetworkView{apiNetwork: *networkOut(v.Network), Members: []apiNetworkMember{}, Hidden: v.Hidden,
		Edges: []apiNetworkEdge{}, Identifiers: []apiNetworkIdentifier{}}
	for _, m := range v.Members {
		out.Members = append(out.Members, apiNetworkMember{ReportID: m.ReportID, Ref: m.Ref, ReceivedAt: m.ReceivedAt.UTC(),
			State: m.State, Priority: m.Priority, Channel: m.Channel, IncidentType: m.Incident})
	}
	for _, e := range v.Edges {
		out.Edges = append(out.Edges, apiNetworkEdge{From: e.From, To: e.To, IdentifierID: e.KeyID})
	}
	for _, ni := range v.Identifiers {
		out.Identifiers = append(out.Identifiers, apiNetworkIdentifier{IdentifierID: ni.KeyID, Kind: ni.Display.Kind,
			Platform: ni.Display.Platform, Value: ni.Display.Value, Reports: ni.Reports})
	}
	writeJSON(w, http.StatusOK, out)
}

// apiPersonMatch is a suggested or decided match of a person in a report
// with a child on file, with its field-by-field evidence.
type apiPersonMatch struct {
	ID          int64                 `json:"id"`
	ReportID    int64                 `json:"report_id"`
	ReportRef   string                `json:"report_ref"`
	PersonID    int64                 `json:"person_id"`
	Person      string                `json:"person"`
	ChildID     int64                 `json:"child_id"`
	Child       string                `json:"child"`
	Weight      float64               `json:"weight"`
	Probability float64               `json:"probability"`
	Evidence    []haven.MatchEvidence `json:"evidence"`
	State       haven.MatchState      `json:"state"`
	Reason      string                `json:"reason"`
	DecidedBy   string                `json:"decided_by"`
	DecidedAt   *time.Time            `json:"decided_at"`
}

func matchesOut(vs []*haven.PersonMatchView) []apiPersonMatch {
	out := make([]apiPersonMatch, 0, len(vs))
	for _, v := range vs {
		m := v.Match
		am := apiPersonMatch{ID: m.ID, ReportID: m.ReportID, ReportRef: v.ReportRef, PersonID: m.ReportPersonID,
			Person: v.Person.FullName(), ChildID: m.ChildID, Weight: m.Weight, Probability: m.Probability,
			Evidence: m.Evidence, State: m.State, Reason: m.Reason, DecidedBy: v.DecidedBy, DecidedAt: m.DecidedAt}
		if am.Evidence == nil {
			am.Evidence = []haven.MatchEvidence{}
		}
		if v.Child != nil {
			am.Child = v.Child.FullName()
		}
		out = append(out, am)
	}
	return out
}

// apiPersonMatches is the body of the person-match lists.
type apiPersonMatches struct {
	Matches []apiPersonMatch `json:"matches"`
}

func (s *Server) apiReportPersonMatches(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := s.apiPathID(w, r, haven.KindReport)
	if !ok {
		return
	}
	vs, err := s.svc.PersonMatches(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiPersonMatches{Matches: matchesOut(vs)})
}

// apiPendingPersonMatches lists the matches awaiting a decision, strongest
// first (?limit=, at most 500).
func (s *Server) apiPendingPersonMatches(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, _, err := pageParams(r, 100, 500)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	vs, err := s.svc.PendingPersonMatches(r.Context(), a, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiPersonMatches{Matches: matchesOut(vs)})
}

func (s *Server) apiPersonMatchConfirm(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiPersonMatchDecide(w, r, a, s.svc.ConfirmPersonMatch)
}

func (s *Server) apiPersonMatchReject(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	s.apiPersonMatchDecide(w, r, a, s.svc.RejectPersonMatch)
}

func (s *Server) apiPersonMatchDecide(w http.ResponseWriter, r *http.Request, a haven.Actor,
	decide func(ctx context.Context, a haven.Actor, id int64, reason string) (*haven.PersonMatch, error)) {
	id, ok := s.apiPathID(w, r, haven.KindPersonMatch)
	if !ok {
		return
	}
	var body apiReasonBody
	if _, ok := s.readJSON(w, r, &body, "a decision", false); !ok {
		return
	}
	m, err := decide(r.Context(), a, id, body.Reason)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		ID     int64            `json:"id"`
		State  haven.MatchState `json:"state"`
		Reason string           `json:"reason"`
	}{m.ID, m.State, m.Reason})
}

// apiPathID reads the {id} of the path, answering 404 (as for a record
// that is not there) when it is not a positive whole number.
func (s *Server) apiPathID(w http.ResponseWriter, r *http.Request, kind haven.Kind) (int64, bool) {
	id, ok := pathID(r)
	if !ok {
		s.apiError(w, r, haven.Errorf(haven.ENOTFOUND, "No such %s, or it is not yours to see.", kind))
	}
	return id, ok
}
