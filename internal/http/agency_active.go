package http

import (
	"net/http"
	"strconv"

	"github.com/haven-oss/haven/internal/haven"
)

// agencySetActive deactivates (active false) or reactivates an agency from
// its page. A deactivated agency stays in the directory and on the records
// naming it but is no longer suggested for referrals. A refused
// reactivation (the agency lacks its 24/7 line) is shown on the page.
func (s *Server) agencySetActive(active bool) func(http.ResponseWriter, *http.Request, haven.Actor) {
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, ok := pathID(r)
		if !ok {
			s.pageError(w, r, haven.Errorf(haven.ENOTFOUND, "There is no such agency."))
			return
		}
		if !s.readForm(w, r) {
			return
		}
		_, err := s.svc.SetAgencyActive(r.Context(), a, id, active)
		if haven.ErrorCode(err) == haven.EINVALID {
			ag, gerr := s.svc.Agency(r.Context(), a, id)
			if gerr != nil {
				s.pageError(w, r, gerr)
				return
			}
			d := agencyPageView(a, ag)
			d.Error, _ = s.fieldProblem(r, err)
			s.render(w, r, http.StatusBadRequest, "agency", &a, d)
			return
		} else if err != nil {
			s.pageError(w, r, err)
			return
		}
		http.Redirect(w, r, "/agencies/"+strconv.FormatInt(id, 10), http.StatusSeeOther)
	}
}
