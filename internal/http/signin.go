package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// maxFormBytes bounds the body of the sign-in and other small forms.
const maxFormBytes = 64 << 10

// signinData is what the sign-in page shows.
type signinData struct {
	Username string
	Error    string // why the last attempt failed
	Notice   string // a neutral message (signed out, session ended)
}

// signinPage shows the username and password form. A browser already fully
// signed in goes to its home page.
func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	if token := sessionToken(r); token != "" {
		if _, sess, err := s.svc.Authenticate(r.Context(), token, clientIP(r)); err == nil && sess.MFAVerified {
			http.Redirect(w, r, "/", http.StatusSeeOther)
			return
		}
	}
	var d signinData
	switch {
	case r.URL.Query().Has("ended"):
		d.Notice = "Your session has ended. Please sign in again."
	case r.URL.Query().Has("signedout"):
		d.Notice = "You have signed out."
	}
	s.render(w, r, http.StatusOK, "signin", nil, d)
}

// signinSubmit checks the username and password (the service counts
// failures and locks the account after five) and, on success, starts a half
// session that only the TOTP step can complete.
func (s *Server) signinSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.render(w, r, http.StatusBadRequest, "signin", nil, signinData{Error: "The form could not be read. Please try again."})
		return
	}
	username := r.PostForm.Get("username")
	si, err := s.svc.SignInPassword(r.Context(), username, r.PostForm.Get("password"), clientIP(r), r.UserAgent())
	if err != nil {
		status := statusOf(err)
		if status == http.StatusInternalServerError {
			s.pageError(w, r, err)
			return
		}
		s.render(w, r, status, "signin", nil, signinData{Username: username, Error: s.messageOf(r, err)})
		return
	}
	if old := sessionToken(r); old != "" {
		// A browser signing in again leaves no older session behind.
		if err := s.svc.SignOut(r.Context(), old, clientIP(r)); err != nil {
			s.logger(r).Warn("end previous session", "err", err)
		}
	}
	s.setSessionCookie(w, si.Token)
	http.Redirect(w, r, "/signin/totp", http.StatusSeeOther)
}

// signinAgain sends the browser back to the first sign-in step after its
// half session ended, with the service's message.
func (s *Server) signinAgain(w http.ResponseWriter, r *http.Request, err error) {
	s.clearSessionCookie(w)
	status := statusOf(err)
	if status == http.StatusInternalServerError {
		s.pageError(w, r, err)
		return
	}
	if haven.ErrorCode(err) == haven.EUNAUTHORIZED {
		http.Redirect(w, r, "/signin?ended=1", http.StatusSeeOther)
		return
	}
	s.render(w, r, status, "signin", nil, signinData{Error: s.messageOf(r, err)})
}
