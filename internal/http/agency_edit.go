package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// agencyEdit shows an agency's edit form to those who may change agencies;
// the service refuses anyone else and records the refusal.
func (s *Server) agencyEdit(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.pageError(w, r, haven.Errorf(haven.ENOTFOUND, "There is no such agency."))
		return
	}
	if err := s.svc.RequireKind(r.Context(), a, haven.ActionUpdate, haven.KindAgency, "change agencies"); err != nil {
		s.pageError(w, r, err)
		return
	}
	ag, err := s.svc.Agency(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.renderAgencyForm(w, r, a, http.StatusOK, agencyNewData{ID: id, Form: formOf(ag)})
}

// agencyUpdate saves an agency's edit form: every field, its jurisdiction
// and contacts at once. A refused field is shown next to it, with
// everything typed kept and nothing changed; saved, the agency's page.
func (s *Server) agencyUpdate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.pageError(w, r, haven.Errorf(haven.ENOTFOUND, "There is no such agency."))
		return
	}
	if !s.readForm(w, r) {
		return
	}
	form := agencyFormFrom(r)
	ag := form.agency()
	ag.ID = id
	old, err := s.svc.Agency(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	ag.Inactive = old.Inactive // the form does not change it: deactivate does
	err = s.svc.UpdateAgency(r.Context(), a, ag)
	if haven.ErrorCode(err) == haven.EINVALID {
		s.renderAgencyFormError(w, r, a, agencyNewData{ID: id, Form: form}, err)
		return
	} else if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/agencies/"+strconv.FormatInt(id, 10)+"?saved=1", http.StatusSeeOther)
}

// countyInputText is a county as the form shows it for editing: "TX:Travis
// County", which the form reads back as the same county, or the FIPS code.
func countyInputText(fips string) string {
	if c, ok := geo.CountyByFIPS(fips); ok {
		t := c.State + ":" + c.Name
		if f, ok := haven.ParseCounty(t); ok && f == fips {
			return t
		}
	}
	return fips
}
