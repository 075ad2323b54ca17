package http

import (
	"fmt"
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
type agenciesForm struct{ Kind, Level, State, County, Q, Status string }

// agencyRow is one agency as the directory shows it.
type agencyRow struct {
	*haven.Agency
	KindLabel, LevelLabel, Jurisdiction string
}

// agenciesData is what the directory shows.
type agenciesData struct {
	Form                                      agenciesForm
	Error, ErrorField                         string
	Kinds, Levels, States, Counties, Statuses []option
	Agencies                                  []agencyRow
	Total                                     int
	CanCreate                                 bool // show the "Add agency" and "Import" buttons
}

// agencies is the agency directory, filtered by kind and by state (an
// agency's home state or one in its jurisdiction), for every staff role the
// rules let see it.
func (s *Server) agencies(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	q := r.URL.Query()
	d := agenciesData{Form: agenciesForm{Kind: q.Get("kind"), Level: q.Get("level"),
		State: strings.ToUpper(strings.TrimSpace(q.Get("state"))), County: strings.TrimSpace(q.Get("county")),
		Q: strings.TrimSpace(q.Get("q")), Status: q.Get("status")}}
	f := haven.AgencyFilter{Limit: agenciesPageSize, Text: d.Form.Q}
	var ferr error
	fail := func(err error) {
		if ferr == nil {
			ferr = err
		}
	}
	if d.Form.Kind != "" {
		if _, ok := agencyKindLabels[haven.AgencyKind(d.Form.Kind)]; ok {
			f.Kind = haven.AgencyKind(d.Form.Kind)
		} else {
			fail(haven.FieldError("kind", "Choose a kind of agency from the list."))
		}
	}
	if d.Form.Level != "" {
		if _, ok := agencyLevelLabels[haven.AgencyLevel(d.Form.Level)]; ok {
			f.Level = haven.AgencyLevel(d.Form.Level)
		} else {
			fail(haven.FieldError("level", "Choose a level from the list."))
		}
	}
	if d.Form.State != "" {
		if haven.ValidState(d.Form.State) {
			f.State = d.Form.State
		} else {
			fail(haven.FieldError("state", "Choose a state from the list."))
		}
	}
	if d.Form.County != "" {
		if c, ok := geo.CountyByFIPS(d.Form.County); ok && (f.State == "" || c.State == f.State) {
			f.County = c.FIPS
		} else {
			fail(haven.FieldError("county", "Choose a county of the chosen state from the list."))
		}
	}
	switch haven.AgencyStatus(d.Form.Status) {
	case "", haven.AgencyActive, haven.AgencyInactive:
		f.Status = haven.AgencyStatus(d.Form.Status)
	default:
		fail(haven.FieldError("status", "Choose active or deactivated agencies from the list."))
	}
	if ferr != nil {
		d.Error, d.ErrorField = haven.ErrorMessage(ferr), haven.ErrorField(ferr)
	}
	list, total, err := s.svc.AgencyDirectory(r.Context(), a, f)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d.Kinds, d.Levels, d.States, d.Total = kindOptions(d.Form.Kind), levelOptions(d.Form.Level), stateNameOptions(d.Form.State), total
	d.Counties = countyOptions(d.Form.State, d.Form.County)
	d.Statuses = []option{
		{Value: string(haven.AgencyActive), Label: "Active", Selected: d.Form.Status == string(haven.AgencyActive)},
		{Value: string(haven.AgencyInactive), Label: "Deactivated", Selected: d.Form.Status == string(haven.AgencyInactive)},
	}
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

// jurisdictionText is an agency's jurisdiction as the directory shows it
// in one cell: whole states by postal code, then counties and ZIP codes
// (the first few, with how many more).
func jurisdictionText(ag *haven.Agency) string {
	if ag.Nationwide() {
		return "Nationwide"
	}
	var parts []string
	if sw := ag.StateWide(); len(sw) > 0 {
		parts = append(parts, strings.Join(sw, ", "))
	}
	if len(ag.Counties) > 0 {
		var names []string
		for _, f := range ag.Counties {
			names = append(names, countyLabel(f))
		}
		parts = append(parts, firstFew(names, 3))
	}
	if len(ag.ZIPs) > 0 {
		parts = append(parts, "ZIP "+firstFew(ag.ZIPs, 5))
	}
	return strings.Join(parts, "; ")
}

// firstFew joins up to n items, saying how many more there are.
func firstFew(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}

// countyLabel names a county with its state ("Travis County, TX"), or
// gives its FIPS code when geography does not know it.
func countyLabel(fips string) string {
	if c, ok := geo.CountyByFIPS(fips); ok {
		return c.Name + ", " + c.State
	}
	return fips
}

// countyOptions lists the counties of a state, marking selected; none
// without a state.
func countyOptions(state, selected string) []option {
	var opts []option
	if state == "" {
		return nil
	}
	for _, c := range geo.Counties(state) {
		opts = append(opts, option{Value: c.FIPS, Label: c.Name, Selected: c.FIPS == selected})
	}
	return opts
}

// agenciesURL is the directory's address for the given filters.
func agenciesURL(form agenciesForm) string {
	v := url.Values{}
	if form.Kind != "" {
		v.Set("kind", form.Kind)
	}
	for k, val := range map[string]string{"level": form.Level, "state": form.State, "county": form.County, "q": form.Q, "status": form.Status} {
		if val != "" {
			v.Set(k, val)
		}
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
