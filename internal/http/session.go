package http

import (
	"context"
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// sessionCookie is the name of the cookie that carries the session token.
const sessionCookie = "haven_session"

// setSessionCookie gives the browser a session token: HttpOnly, SameSite=Lax,
// Secure (unless turned off for development), and no Max-Age, so that it
// dies with the browser; the service enforces the idle and absolute timeouts.
func (s *Server) setSessionCookie(w http.ResponseWriter, token string) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// clearSessionCookie tells the browser to forget the session token.
func (s *Server) clearSessionCookie(w http.ResponseWriter) {
	http.SetCookie(w, &http.Cookie{
		Name: sessionCookie, Value: "", Path: "/", MaxAge: -1,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode,
	})
}

// sessionToken returns the session token the browser sent, or "".
func sessionToken(r *http.Request) string {
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return ""
	}
	return c.Value
}

// userHandler is a page handler for a signed-in user.
type userHandler func(w http.ResponseWriter, r *http.Request, a haven.Actor)

// requireUser lets through only requests with a complete session (password
// and TOTP proved). Without a session the browser goes to the sign-in page;
// with a half session, to the TOTP step. What the user may do on the page is
// still the service's decision.
func (s *Server) requireUser(h userHandler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token := sessionToken(r)
		if token == "" {
			s.redirectPage(w, r, "/signin")
			return
		}
		a, sess, err := s.svc.Authenticate(r.Context(), token, clientIP(r))
		if haven.ErrorCode(err) == haven.EUNAUTHORIZED {
			s.clearSessionCookie(w)
			s.redirectPage(w, r, "/signin?ended=1")
			return
		} else if err != nil {
			s.pageError(w, r, err)
			return
		}
		if !sess.MFAVerified {
			s.redirectPage(w, r, "/signin/totp")
			return
		}
		h(w, r.WithContext(context.WithValue(r.Context(), actorKey, &a)), a)
	})
}

// redirectPage sends the browser to another page. An htmx request gets
// HX-Redirect, so that htmx loads the whole page instead of swapping the
// sign-in form into a fragment of the old one.
func (s *Server) redirectPage(w http.ResponseWriter, r *http.Request, url string) {
	if isHTMX(r) {
		w.Header().Set("HX-Redirect", url)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	http.Redirect(w, r, url, http.StatusSeeOther)
}

// withOptionalActor adds the actor of a complete session to the request
// when there is one, for pages anyone may see.
func (s *Server) withOptionalActor(r *http.Request) *http.Request {
	token := sessionToken(r)
	if token == "" {
		return r
	}
	a, sess, err := s.svc.Authenticate(r.Context(), token, clientIP(r))
	if err != nil || !sess.MFAVerified {
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), actorKey, &a))
}

// actorFrom returns the signed-in actor of a page request, or nil.
func actorFrom(r *http.Request) *haven.Actor {
	a, _ := r.Context().Value(actorKey).(*haven.Actor)
	return a
}
