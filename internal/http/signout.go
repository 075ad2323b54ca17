package http

import "net/http"

// signout ends the browser's session (complete or half) and returns it to
// the sign-in page. Like every POST it is refused when it comes from another
// site (CSRF protection in middleware).
func (s *Server) signout(w http.ResponseWriter, r *http.Request) {
	if token := sessionToken(r); token != "" {
		if err := s.svc.SignOut(r.Context(), token, clientIP(r)); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	s.clearSessionCookie(w)
	http.Redirect(w, r, "/signin?signedout=1", http.StatusSeeOther)
}
