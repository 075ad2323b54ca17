package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/geo"
	"github.com/haven-oss/haven/internal/haven"
)

// agencyZIP is a ZIP code of a jurisdiction with its place name.
type agencyZIP struct{ Code, Place string }

// agencyPageData is what an agency's page shows.
type agencyPageData struct {
	*haven.Agency
	KindLabel, LevelLabel, HomeState string
	StateNames, CountyNames          []string
	ZIPList                          []agencyZIP
	CanEdit                          bool
	Saved                            bool   // just saved
	Error                            string // a refused deactivation or reactivation
}

// agencyPage shows one agency: its jurisdiction by state and county name
// and by ZIP code, its contacts and 24/7 line, and, to administrators, the
// edit and deactivate buttons.
func (s *Server) agencyPage(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.pageError(w, r, haven.Errorf(haven.ENOTFOUND, "There is no such agency."))
		return
	}
	ag, err := s.svc.Agency(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := agencyPageView(a, ag)
	d.Saved = r.URL.Query().Get("saved") != ""
	s.render(w, r, http.StatusOK, "agency", &a, d)
}

// agencyPageView is an agency as its page shows it.
func agencyPageView(a haven.Actor, ag *haven.Agency) agencyPageData {
	d := agencyPageData{Agency: ag, KindLabel: agencyKindLabels[ag.Kind], LevelLabel: agencyLevelLabels[ag.Level],
		CanEdit: haven.CanKind(a, haven.ActionUpdate, haven.KindAgency)}
	if st, ok := geo.StateByCode(ag.State); ok {
		d.HomeState = st.Name
	}
	for _, code := range ag.StateWide() {
		name := code
		if st, ok := geo.StateByCode(code); ok {
			name = st.Name
		}
		d.StateNames = append(d.StateNames, name)
	}
	for _, f := range ag.Counties {
		name := f
		if c, ok := geo.CountyByFIPS(f); ok {
			name = c.Name
			if st, ok := geo.StateByCode(c.State); ok {
				name += ", " + st.Name
			}
		}
		d.CountyNames = append(d.CountyNames, name)
	}
	for _, z := range ag.ZIPs {
		place := ""
		if zz, ok := geo.LookupZIP(z); ok {
			place = zz.City + ", " + zz.State
		}
		d.ZIPList = append(d.ZIPList, agencyZIP{z, place})
	}
	return d
}
