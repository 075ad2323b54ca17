package http

import (
	"net/http"
	"net/url"
	"sort"
	"strings"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// agenciesPageSize is the most agencies the directory lists at once; the
// filters narrow a longer directory.
const agenciesPageSize = 200

// agencyKindLabels and agencyLevelLabels name kinds and levels as people
// read them.
var (
	agencyKindLabels = map[haven.AgencyKind]string{
		haven.AgencyClearinghouse:   "Clearinghouse",
		haven.AgencyLawEnforcement:  "Law enforcement",
		haven.AgencyTaskForce:       "Task force",
		haven.AgencyChildWelfare:    "Child welfare",
		haven.AgencyServiceProvider: "Service provider",
	}
	agencyLevels      = []haven.AgencyLevel{haven.LevelLocal, haven.LevelState, haven.LevelTribal, haven.LevelFederal, haven.LevelPrivate}
	agencyLevelLabels = map[haven.AgencyLevel]string{
		haven.LevelLocal: "Local", haven.LevelState: "State", haven.LevelTribal: "Tribal",
		haven.LevelFederal: "Federal", haven.LevelPrivate: "Private",
	}
)

// statesByName is geo.States sorted by name, as people look them up.
var statesByName = func() []geo.State {
	s := append([]geo.State(nil), geo.States...)
	sort.Slice(s, func(i, j int) bool { return s[i].Name < s[j].Name })
	return s
}()

// agenciesForm is the directory's filter form as the user typed it.
type agenciesForm struct{ Kind, State string }

// agencyRow is one agency as the directory shows it.
type agencyRow struct {
	*haven.Agency
	KindLabel, LevelLabel, Jurisdiction string
}

// agenciesData is what the directory shows.
type agenciesData struct {
	Form              agenciesForm
	Error, ErrorField string
	Kinds, States     []option
	Agencies          []agencyRow
	Total             int
	CanCreate         bool // show the "Add agency" button
}

// agencies is the agency directory, filtered by kind and by state (an
// agency's home state or one in its jurisdiction), for every staff role the
// rules let see it.
func (s *Server) agencies(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	d := agenciesData{Form: agenciesForm{Kind: q.Get("kind"), State: strings.ToUpper(strings.TrimSpace(q.Get("state")))}}
	f := haven.AgencyFilter{Limit: agenciesPageSize}
	var ferr error
	if d.Form.Kind != "" {
		if _, ok := agencyKindLabels[haven.AgencyKind(d.Form.Kind)]; ok {
			f.Kind = haven.AgencyKind(d.Form.Kind)
		} else {
			ferr = haven.FieldError("kind", "Choose a kind of agency from the list.")
		}
	}
	if d.Form.State != "" {
		if haven.ValidState(d.Form.State) {
			f.State = d.Form.State
		} else if ferr == nil {
			ferr = haven.FieldError("state", "Choose a state from the list.")
		}
	}
	if ferr != nil {
		d.Error, d.ErrorField = haven.ErrorMessage(ferr), haven.ErrorField(ferr)
	}
	list, total, err := s.svc.AgencyDirectory(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Kinds, d.States, d.Total = kindOptions(d.Form.Kind), stateNameOptions(d.Form.State), total
	d.CanCreate = haven.CanKind(a, haven.ActionCreate, haven.KindAgency)
	for _, ag := range list {
		d.Agencies = append(d.Agencies, agencyRow{Agency: ag, KindLabel: agencyKindLabels[ag.Kind],
			LevelLabel: agencyLevelLabels[ag.Level], Jurisdiction: jurisdictionText(ag)})
	}
	status := http.StatusOK
	if ferr != nil {
		status = http.StatusBadRequest
	}
	w.Header().Add("Vary", "HX-Request")
	if isHTMX(r) && r.Header.Get("HX-Target") == "agencies-results" {
		w.Header().Set("HX-Push-Url", agenciesURL(d.Form))
		s.renderFragment(w, r, status, "agencies", "agencies-fragment", d)
		return
	}
	s.render(w, r, status, "agencies", &a, d)
}

// jurisdictionText is an agency's jurisdiction as the directory shows it.
func jurisdictionText(ag *haven.Agency) string {
	j := ag.Jurisdiction()
	if j == nil {
		return "Nationwide"
	}
	return strings.Join(j, ", ")
}

// agenciesURL is the directory's address for the given filters.
func agenciesURL(form agenciesForm) string {
	v := url.Values{}
	if form.Kind != "" {
		v.Set("kind", form.Kind)
	}
	if form.State != "" {
		v.Set("state", form.State)
	}
	if len(v) == 0 {
		return "/agencies"
	}
	return "/agencies?" + v.Encode()
}

// kindOptions lists the agency kinds, marking selected.
func kindOptions(selected string) []option {
	opts := make([]option, 0, len(haven.AgencyKinds))
	for _, k := range haven.AgencyKinds {
		opts = append(opts, option{Value: string(k), Label: agencyKindLabels[k], Selected: string(k) == selected})
	}
	return opts
}

// levelOptions lists the agency levels, marking selected.
func levelOptions(selected string) []option {
	opts := make([]option, 0, len(agencyLevels))
	for _, l := range agencyLevels {
		opts = append(opts, option{Value: string(l), Label: agencyLevelLabels[l], Selected: string(l) == selected})
	}
	return opts
}

// stateNameOptions lists the states by name, marking those in selected
// (one code, or several).
func stateNameOptions(selected ...string) []option {
	opts := make([]option, 0, len(statesByName))
	for _, st := range statesByName {
		sel := false
		for _, s := range selected {
			sel = sel || s == st.Code
		}
		opts = append(opts, option{Value: st.Code, Label: st.Name, Selected: sel})
	}
	return opts
}
