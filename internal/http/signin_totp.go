package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// totpData is what the TOTP page shows.
type totpData struct {
	Enroll bool   // the user has not set up TOTP yet: show the QR code and the key
	Secret string // the key in base32, while enrolling
	Error  string
}

// signinTOTPPage asks a half-signed-in user for a TOTP code, or, the first
// time, shows how to set up the authenticator app (QR code and key).
func (s *Server) signinTOTPPage(w http.ResponseWriter, r *http.Request) {
	u, err := s.svc.PendingUser(r.Context(), sessionToken(r))
	switch haven.ErrorCode(err) {
	case "":
		s.renderTOTP(w, r, http.StatusOK, u, "")
	case haven.ECONFLICT: // already fully signed in
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case haven.EUNAUTHORIZED:
		if sessionToken(r) == "" {
			http.Redirect(w, r, "/signin", http.StatusSeeOther)
			return
		}
		s.signinAgain(w, r, err)
	default:
		s.pageError(w, r, err)
	}
}

// renderTOTP renders the TOTP page for u with an optional error message.
func (s *Server) renderTOTP(w http.ResponseWriter, r *http.Request, status int, u *haven.User, msg string) {
	d := totpData{Enroll: !u.TOTPEnrolled, Error: msg}
	if d.Enroll {
		secret, _, err := s.svc.TOTPSecret(r.Context(), u)
		if err != nil {
			s.pageError(w, r, err)
			return
		}
		d.Secret = secret
	}
	s.render(w, r, status, "signin_totp", nil, d)
}

// signinTOTPSubmit checks the code. The service refuses a replayed code,
// counts failures towards the lockout, enrols a first-time user, and rotates
// the session token, which the browser gets here.
func (s *Server) signinTOTPSubmit(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	if err := r.ParseForm(); err != nil {
		s.renderError(w, r, http.StatusBadRequest, errorHeading[http.StatusBadRequest], "The form could not be read. Please try again.")
		return
	}
	token := sessionToken(r)
	if token == "" {
		http.Redirect(w, r, "/signin", http.StatusSeeOther)
		return
	}
	si, err := s.svc.SignInTOTP(r.Context(), token, r.PostForm.Get("code"), clientIP(r))
	if err != nil {
		switch haven.ErrorCode(err) {
		case haven.ECONFLICT:
			http.Redirect(w, r, "/", http.StatusSeeOther)
		case haven.EUNAUTHORIZED:
			// A wrong or replayed code keeps the half session: ask again.
			// If the half session itself is gone, start again.
			u, perr := s.svc.PendingUser(r.Context(), token)
			if perr != nil {
				s.signinAgain(w, r, perr)
				return
			}
			s.renderTOTP(w, r, http.StatusUnauthorized, u, s.messageOf(r, err))
		default: // locked out (the service ended the session) or a fault
			s.signinAgain(w, r, err)
		}
		return
	}
	s.setSessionCookie(w, si.Token)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}
