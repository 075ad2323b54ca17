package http

import (
	"net/http"

	"github.com/haven-oss/haven/internal/haven"
)

// apiMeResponse is the body of GET /api/v1/me.
type apiMeResponse struct {
	Username  string     `json:"username"`
	Role      haven.Role `json:"role"`
	RoleLabel string     `json:"role_label"`
	AgencyID  *int64     `json:"agency_id"` // null for clearinghouse staff
}

// apiMe tells a token's holder whom the token acts as.
func (s *Server) apiMe(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	resp := apiMeResponse{Username: a.Username, Role: a.Role, RoleLabel: a.Role.Label()}
	if a.AgencyID != 0 {
		id := a.AgencyID
		resp.AgencyID = &id
	}
	writeJSON(w, http.StatusOK, resp)
}
