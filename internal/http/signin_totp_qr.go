package http

import (
	"bytes"
	"image/png"
	"net/http"

	"github.com/pquerna/otp"
)

// signinTOTPQR serves the enrolment QR code (the otpauth:// URL) as a PNG,
// only to the half-signed-in user who is enrolling, and never cached.
func (s *Server) signinTOTPQR(w http.ResponseWriter, r *http.Request) {
	u, err := s.svc.PendingUser(r.Context(), sessionToken(r))
	if err != nil {
		s.notFound(w, r)
		return
	}
	_, url, err := s.svc.TOTPSecret(r.Context(), u)
	if err != nil {
		s.notFound(w, r)
		return
	}
	s.writeQR(w, r, url)
}

// writeQR answers with an otpauth:// URL as a QR code PNG. Like every
// response it carries Cache-Control: no-store (securityHeaders).
func (s *Server) writeQR(w http.ResponseWriter, r *http.Request, otpauthURL string) {
	key, err := otp.NewKeyFromURL(otpauthURL)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	img, err := key.Image(256, 256)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	_, _ = buf.WriteTo(w)
}
