package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// adminUserTOTPQR serves the QR code of a newly issued key to the
// administrator who issued it, while the user has not enrolled (the service
// decides; anyone else gets 403 or 404).
func (s *Server) adminUserTOTPQR(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, ok := pathID(r)
	if !ok {
		s.notFound(w, r)
		return
	}
	_, otpauthURL, err := s.svc.IssuedTOTP(r.Context(), a, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.writeQR(w, r, otpauthURL)
}
