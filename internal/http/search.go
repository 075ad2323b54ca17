package http

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// Search over reports and cases: the page GET /search (a form that works
// without JavaScript, results with snippets, pages) and the JSON API
// GET /api/v1/search. Both read the same parameters (searchParams) and call
// the same service methods, which scope the search to what the actor may
// open and audit it; the syntax of q is haven.ParseSearch's.

// searchPageSize is how many results one page shows.
const searchPageSize = 25

// searchForm is the search as sent: q and the filters, as text.
type searchForm struct {
	Q, Kind, State, Status, Channel, Type, Priority, Who, From, To string
}

func readSearchForm(v url.Values) searchForm {
	return searchForm{Q: v.Get("q"), Kind: v.Get("kind"), State: v.Get("state"), Status: v.Get("status"),
		Channel: v.Get("channel"), Type: v.Get("type"), Priority: v.Get("priority"), Who: v.Get("who"),
		From: v.Get("from"), To: v.Get("to")}
}

// cases reports whether the form searches cases rather than reports.
func (f searchForm) cases() bool { return f.Kind == "cases" }

// filter turns the form into a search filter, or returns a FieldError
// naming the parameter at fault.
func (f searchForm) filter(a haven.Actor) (haven.SearchFilter, error) {
	var sf haven.SearchFilter
	switch f.Kind {
	case "", "reports", "cases":
	default:
		return sf, haven.FieldError("kind", "search reports or cases")
	}
	q, err := haven.ParseSearch(f.Q)
	if err != nil {
		return sf, err
	}
	sf.Query = q
	sf.State = strings.ToUpper(strings.TrimSpace(f.State))
	sf.Status = f.Status
	sf.Channel, sf.IncidentType = haven.Channel(f.Channel), haven.IncidentType(f.Type)
	if f.Priority != "" {
		n, err := strconv.Atoi(f.Priority)
		if err != nil || n < int(haven.P1) || n > int(haven.P4) {
			return sf, haven.FieldError("priority", "a priority is 1 to 4")
		}
		sf.Priority = haven.Priority(n)
	}
	switch f.Who {
	case "":
	case "me":
		sf.AssignedTo = a.UserID
	case "nobody":
		sf.Unassigned = true
	default:
		n, err := strconv.ParseInt(f.Who, 10, 64)
		if err != nil || n < 1 {
			return sf, haven.FieldError("who", "who has it is me, nobody or a user id")
		}
		sf.AssignedTo = n
	}
	day := func(name, v string, next bool) (*time.Time, error) {
		if v == "" {
			return nil, nil
		}
		t, err := time.Parse(time.DateOnly, v)
		if err != nil {
			return nil, haven.FieldError(name, "a date is written YYYY-MM-DD")
		}
		if next { // "to" is the last day included
			t = t.AddDate(0, 0, 1)
		}
		return &t, nil
	}
	if sf.From, err = day("from", f.From, false); err != nil {
		return sf, err
	}
	if sf.To, err = day("to", f.To, true); err != nil {
		return sf, err
	}
	return sf, nil
}

// values is the form as URL parameters, without empty ones.
func (f searchForm) values() url.Values {
	v := url.Values{}
	for _, kv := range [][2]string{{"q", f.Q}, {"kind", f.Kind}, {"state", f.State}, {"status", f.Status},
		{"channel", f.Channel}, {"type", f.Type}, {"priority", f.Priority}, {"who", f.Who}, {"from", f.From}, {"to", f.To}} {
		if kv[1] != "" {
			v.Set(kv[0], kv[1])
		}
	}
	return v
}

// searchResult is one result on the page.
type searchResult struct {
	URL, Title, Received, ReceivedISO string
	Facts                             []string // channel, type, priority, status, state
	Snippet                           []haven.SnippetPart
}

// searchData is what the search page shows.
type searchData struct {
	Form                                                 searchForm
	Searched                                             bool // a search was asked for
	Kinds, States, Statuses, Channels, Types, Priorities []option
	Whos                                                 []option
	Results                                              []searchResult
	Total, First, Last                                   int
	More                                                 bool // Total is the rank limit: that many or more
	PrevURL, NextURL                                     string
	Error, ErrorField                                    string
}

// search is the search page.
func (s *Server) search(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	v := r.URL.Query()
	form := readSearchForm(v)
	d := searchData{Form: form, Searched: len(v) > 0}
	d.options(form)
	if !d.Searched {
		s.render(w, r, http.StatusOK, "search", &a, d)
		return
	}
	f, err := form.filter(a)
	page := 1
	if err == nil && v.Get("page") != "" {
		if page, err = strconv.Atoi(v.Get("page")); err != nil || page < 1 || page > 10_000 {
			err = haven.FieldError("page", "a page number is a whole number from 1 to 10,000")
		}
	}
	if err == nil {
		f.Limit, f.Offset = searchPageSize, (page-1)*searchPageSize
		err = s.searchInto(r, a, form, f, &d)
	}
	if err != nil {
		if haven.ErrorCode(err) != haven.EINVALID {
			s.pageError(w, r, err)
			return
		}
		d.Error, d.ErrorField = haven.ErrorMessage(err), haven.ErrorField(err)
		s.render(w, r, http.StatusBadRequest, "search", &a, d)
		return
	}
	if len(d.Results) > 0 {
		d.First, d.Last = f.Offset+1, f.Offset+len(d.Results)
	}
	d.More = d.Total >= haven.MaxSearchRanked
	pageURL := func(n int) string {
		pv := form.values()
		if n > 1 {
			pv.Set("page", strconv.Itoa(n))
		}
		return "/search?" + pv.Encode()
	}
	if page > 1 {
		d.PrevURL = pageURL(page - 1)
	}
	if f.Offset+len(d.Results) < d.Total {
		d.NextURL = pageURL(page + 1)
	}
	s.render(w, r, http.StatusOK, "search", &a, d)
}

// searchInto runs the search and fills d's results and total.
func (s *Server) searchInto(r *http.Request, a haven.Actor, form searchForm, f haven.SearchFilter, d *searchData) error {
	if form.cases() {
		hits, total, err := s.svc.SearchCases(r.Context(), a, f)
		if err != nil {
			return err
		}
		d.Total = total
		for _, h := range hits {
			c := h.Case
			title := c.Title
			if title == "" {
				title = "Case " + strconv.FormatInt(c.ID, 10)
			}
			facts := []string{c.Status.Label()}
			if c.State != "" {
				facts = append(facts, c.State)
			}
			d.Results = append(d.Results, searchResult{URL: "/cases/" + strconv.FormatInt(c.ID, 10), Title: title,
				Received: showMinute(c.OpenedAt), ReceivedISO: c.OpenedAt.UTC().Format(time.RFC3339), Facts: facts, Snippet: h.Snippet})
		}
		return nil
	}
	hits, total, err := s.svc.SearchReports(r.Context(), a, f)
	if err != nil {
		return err
	}
	d.Total = total
	for _, h := range hits {
		rep := h.Report
		facts := []string{rep.Channel.Label(), rep.IncidentType.Label(), rep.Priority.Label(), statusLabel(rep.Status)}
		if rep.State != "" {
			facts = append(facts, rep.State)
		}
		d.Results = append(d.Results, searchResult{URL: "/reports/" + strconv.FormatInt(rep.ID, 10), Title: rep.Ref,
			Received: showMinute(rep.ReceivedAt), ReceivedISO: rep.ReceivedAt.UTC().Format(time.RFC3339), Facts: facts, Snippet: h.Snippet})
	}
	return nil
}

// options fills the form's choices.
func (d *searchData) options(form searchForm) {
	d.Kinds = []option{{Value: "reports", Label: "Reports", Selected: !form.cases()}, {Value: "cases", Label: "Cases", Selected: form.cases()}}
	d.States = stateNameOptions(strings.ToUpper(form.State))
	for _, st := range reportStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: "Report: " + statusLabel(st), Selected: string(st) == form.Status})
	}
	for _, st := range haven.CaseStatuses {
		d.Statuses = append(d.Statuses, option{Value: string(st), Label: "Case: " + st.Label(), Selected: string(st) == form.Status})
	}
	for _, c := range haven.Channels {
		d.Channels = append(d.Channels, option{Value: string(c), Label: c.Label(), Selected: string(c) == form.Channel})
	}
	for _, it := range haven.IncidentTypes {
		d.Types = append(d.Types, option{Value: string(it), Label: it.Label(), Selected: string(it) == form.Type})
	}
	for _, p := range []haven.Priority{haven.P1, haven.P2, haven.P3, haven.P4} {
		v := strconv.Itoa(int(p))
		d.Priorities = append(d.Priorities, option{Value: v, Label: p.Label(), Selected: v == form.Priority})
	}
	d.Whos = []option{{Value: "me", Label: "Assigned to me", Selected: form.Who == "me"},
		{Value: "nobody", Label: "Nobody (unclaimed)", Selected: form.Who == "nobody"}}
}

// apiSearchHit is one result of GET /api/v1/search: a report as API lists
// show it, or a case, with the snippet that matched.
type apiSearchHit struct {
	Report  *apiReport          `json:"report,omitempty"`
	Case    *apiSearchCase      `json:"case,omitempty"`
	Snippet []haven.SnippetPart `json:"snippet"`
}

// apiSearchCase is a case in search results.
type apiSearchCase struct {
	ID         int64            `json:"id"`
	Title      string           `json:"title"`
	Status     haven.CaseStatus `json:"status"`
	State      string           `json:"state,omitempty"`
	AgencyID   *int64           `json:"agency_id"`
	AssignedTo *int64           `json:"assigned_to"`
	OpenedAt   time.Time        `json:"opened_at"`
}

// apiSearchResponse is the body of GET /api/v1/search.
type apiSearchResponse struct {
	Query   string         `json:"query"`
	Kind    string         `json:"kind"`
	Total   int            `json:"total"`
	More    bool           `json:"more"`
	Limit   int            `json:"limit"`
	Offset  int            `json:"offset"`
	Results []apiSearchHit `json:"results"`
}

// apiSearch searches reports or cases (?kind=cases) with the page's
// parameters, ?limit= (at most 100) and ?offset=.
func (s *Server) apiSearch(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, searchPageSize, haven.MaxSearchPage)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	form := readSearchForm(r.URL.Query())
	f, err := form.filter(a)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	f.Limit, f.Offset = limit, offset
	resp := apiSearchResponse{Query: f.Query.String(), Kind: "reports", Limit: limit, Offset: offset, Results: []apiSearchHit{}}
	if form.cases() {
		resp.Kind = "cases"
		hits, total, err := s.svc.SearchCases(r.Context(), a, f)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		resp.Total = total
		for _, h := range hits {
			c := h.Case
			resp.Results = append(resp.Results, apiSearchHit{Case: &apiSearchCase{ID: c.ID, Title: c.Title, Status: c.Status,
				State: c.State, AgencyID: nonZero(c.AgencyID), AssignedTo: nonZero(c.AssignedTo), OpenedAt: c.OpenedAt}, Snippet: snippetJSON(h.Snippet)})
		}
	} else {
		hits, total, err := s.svc.SearchReports(r.Context(), a, f)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		resp.Total = total
		for _, h := range hits {
			rep := summary(h.Report)
			resp.Results = append(resp.Results, apiSearchHit{Report: &rep, Snippet: snippetJSON(h.Snippet)})
		}
	}
	resp.More = resp.Total >= haven.MaxSearchRanked
	writeJSON(w, http.StatusOK, resp)
}

// snippetJSON is never null in JSON.
func snippetJSON(s []haven.SnippetPart) []haven.SnippetPart {
	if s == nil {
		return []haven.SnippetPart{}
	}
	return s
}
