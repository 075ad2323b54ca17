package http

import (
	"net/http"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// agencyContactRows is how many contact rows the form offers beyond the
// agency's own (an empty row adds nobody).
const agencyContactRows = 2

// agencyForm is the agency form (add or edit) as the administrator typed it.
type agencyForm struct {
	Name, Kind, Level, State, Phone, Email, Address, City string
	Counties, ZIPs                                        string // as typed: one per line, or separated by ';'
	States                                                []string
	Contacts                                              []haven.AgencyContact
}

// agencyFormFrom reads the form an agency was posted with.
func agencyFormFrom(r *http.Request) agencyForm {
	p := r.PostForm
	f := agencyForm{Name: p.Get("name"), Kind: p.Get("kind"), Level: p.Get("level"), State: p.Get("state"),
		Phone: p.Get("phone"), Email: p.Get("email"), Address: p.Get("address"), City: p.Get("city"),
		Counties: p.Get("counties"), ZIPs: p.Get("zips"), States: p["states"]}
	names, titles, phones, emails := p["contact_name"], p["contact_title"], p["contact_phone"], p["contact_email"]
	at := func(l []string, i int) string {
		if i < len(l) {
			return l[i]
		}
		return ""
	}
	for i := range max(len(names), len(titles), len(phones), len(emails)) {
		f.Contacts = append(f.Contacts, haven.AgencyContact{Name: at(names, i), Title: at(titles, i), Phone: at(phones, i), Email: at(emails, i)})
	}
	return f
}

// formOf is an agency's form, for editing it.
func formOf(ag *haven.Agency) agencyForm {
	f := agencyForm{Name: ag.Name, Kind: string(ag.Kind), Level: string(ag.Level), State: ag.State,
		Phone: ag.Phone24x7, Email: ag.Email, Address: ag.Address, City: ag.City, States: ag.States,
		Contacts: append([]haven.AgencyContact(nil), ag.Contacts...)}
	var counties []string
	for _, fips := range ag.Counties {
		counties = append(counties, countyInputText(fips))
	}
	f.Counties = strings.Join(counties, "\n")
	f.ZIPs = strings.Join(ag.ZIPs, "\n")
	return f
}

// agency is the agency the form describes (not yet normalised).
func (f agencyForm) agency() *haven.Agency {
	ag := &haven.Agency{Name: f.Name, Kind: haven.AgencyKind(f.Kind), Level: haven.AgencyLevel(f.Level),
		State: f.State, States: f.States, Phone24x7: f.Phone, Email: f.Email, Address: f.Address, City: f.City,
		Contacts: f.Contacts}
	ag.Counties = strings.FieldsFunc(f.Counties, func(r rune) bool { return r == '\n' || r == ';' })
	ag.ZIPs = strings.FieldsFunc(f.ZIPs, func(r rune) bool { return r == '\n' || r == ';' || r == ',' || r == ' ' || r == '\r' })
	return ag
}

// agencyFormFields maps the service's field names to the form's.
var agencyFormFields = map[string]string{"phone_24x7": "phone"}

// agencyNewData is what the agency form shows: the form (to add an agency,
// or to edit agency ID), or the agency just added.
type agencyNewData struct {
	ID                        int64 // the agency edited; 0 when adding
	Form                      agencyForm
	Error, ErrorField         string
	Kinds, Levels, HomeStates []option
	JurisdictionStates        []option
	ContactRows               []haven.AgencyContact
	Added                     *agencyRow // set once the agency is added
}

// agencyNew shows the "Add agency" form to those who may add agencies; the
// service refuses anyone else and records the refusal.
func (s *Server) agencyNew(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindAgency, "add agencies"); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAgencyForm(w, r, a, http.StatusOK, agencyNewData{})
}

// agencyCreate adds an agency to the directory. A field the service
// refuses is shown next to that field, with everything typed kept.
func (s *Server) agencyCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	form := agencyFormFrom(r)
	ag := form.agency()
	err := s.svc.CreateAgency(r.Context(), a, ag)
	if haven.ErrorCode(err) == haven.EINVALID {
		s.renderAgencyFormError(w, r, a, agencyNewData{Form: form}, err)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	row := agencyRow{Agency: ag, KindLabel: agencyKindLabels[ag.Kind], LevelLabel: agencyLevelLabels[ag.Level], Jurisdiction: jurisdictionText(ag)}
	s.renderAgencyForm(w, r, a, http.StatusOK, agencyNewData{Added: &row})
}

// renderAgencyFormError shows the form again with the refused field marked.
func (s *Server) renderAgencyFormError(w http.ResponseWriter, r *http.Request, a haven.Actor, d agencyNewData, err error) {
	d.Error, d.ErrorField = s.fieldProblem(r, err)
	if f, ok := agencyFormFields[d.ErrorField]; ok {
		d.ErrorField = f
	}
	s.renderAgencyForm(w, r, a, http.StatusBadRequest, d)
}

// renderAgencyForm renders the form with its choices.
func (s *Server) renderAgencyForm(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d agencyNewData) {
	d.Kinds, d.Levels = kindOptions(d.Form.Kind), levelOptions(d.Form.Level)
	d.HomeStates = stateNameOptions(strings.ToUpper(d.Form.State))
	var states []string
	for _, st := range d.Form.States {
		states = append(states, strings.ToUpper(strings.TrimSpace(st)))
	}
	d.JurisdictionStates = stateNameOptions(states...)
	d.ContactRows = append(append([]haven.AgencyContact(nil), d.Form.Contacts...), make([]haven.AgencyContact, agencyContactRows)...)
	s.render(w, r, status, "agency_new", &a, d)
}
