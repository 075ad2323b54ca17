package http

import (
	"net/http"
	"strings"

	"github.com/haven-oss/haven/internal/haven"
)

// agencyForm is the "Add agency" form as the administrator typed it.
type agencyForm struct {
	Name, Kind, Level, State, Phone, Email string
	States                                 []string
}

// agencyNewData is what the "Add agency" page shows: the form, or the
// agency just added.
type agencyNewData struct {
	Form                      agencyForm
	Error, ErrorField         string
	Kinds, Levels, HomeStates []option
	JurisdictionStates        []option
	Added                     *agencyRow // set once the agency is added
}

// agencyNew shows the "Add agency" form to those who may add agencies; the
// service refuses anyone else and records the refusal.
func (s *Server) agencyNew(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionCreate, haven.KindAgency, "add agencies"); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAgencyNew(w, r, a, http.StatusOK, agencyNewData{})
}

// agencyCreate adds an agency to the directory. A field the service
// refuses is shown next to that field, with everything typed kept.
func (s *Server) agencyCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	if !s.readForm(w, r) {
		return
	}
	p := r.PostForm
	form := agencyForm{Name: p.Get("name"), Kind: p.Get("kind"), Level: p.Get("level"),
		State: p.Get("state"), Phone: p.Get("phone"), Email: p.Get("email"), States: p["states"]}
	ag := &haven.Agency{Name: form.Name, Kind: haven.AgencyKind(form.Kind), Level: haven.AgencyLevel(form.Level),
		State: form.State, Phone24x7: strings.TrimSpace(form.Phone), Email: strings.TrimSpace(form.Email)}
	for _, st := range form.States {
		ag.States = append(ag.States, strings.ToUpper(strings.TrimSpace(st)))
	}
	err := s.svc.CreateAgency(r.Context(), a, ag)
	if haven.ErrorCode(err) == haven.EINVALID {
		d := agencyNewData{Form: form}
		d.Error, d.ErrorField = s.fieldProblem(r, err)
		s.renderAgencyNew(w, r, a, http.StatusBadRequest, d)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	row := agencyRow{Agency: ag, KindLabel: agencyKindLabels[ag.Kind], LevelLabel: agencyLevelLabels[ag.Level], Jurisdiction: jurisdictionText(ag)}
	s.renderAgencyNew(w, r, a, http.StatusOK, agencyNewData{Added: &row})
}

// renderAgencyNew renders the form with its choices.
func (s *Server) renderAgencyNew(w http.ResponseWriter, r *http.Request, a haven.Actor, status int, d agencyNewData) {
	d.Kinds, d.Levels = kindOptions(d.Form.Kind), levelOptions(d.Form.Level)
	d.HomeStates = stateNameOptions(strings.ToUpper(d.Form.State))
	d.JurisdictionStates = stateNameOptions(d.Form.States...)
	s.render(w, r, status, "agency_new", &a, d)
}
