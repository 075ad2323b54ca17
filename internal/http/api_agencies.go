package http

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/haven-oss/haven/internal/haven"
)

// The agency directory over the JSON API: every staff token reads it,
// administrators' tokens add and change agencies (audited).

// apiAgencyContact is one contact of an agency.
type apiAgencyContact struct {
	Name  string `json:"name"`
	Title string `json:"title"`
	Phone string `json:"phone"`
	Email string `json:"email"`
}

// apiAgency is an agency as the API returns it.
type apiAgency struct {
	ID         int64              `json:"id"`
	Name       string             `json:"name"`
	Kind       haven.AgencyKind   `json:"kind"`
	Level      haven.AgencyLevel  `json:"level"`
	State      string             `json:"state"`
	States     []string           `json:"states"`
	Counties   []string           `json:"counties"`
	ZIPs       []string           `json:"zips"`
	Nationwide bool               `json:"nationwide"`
	Phone24x7  string             `json:"phone_24x7"`
	Email      string             `json:"email"`
	Address    string             `json:"address"`
	City       string             `json:"city"`
	Contacts   []apiAgencyContact `json:"contacts"`
	Active     bool               `json:"active"`
	CreatedAt  time.Time          `json:"created_at"`
	UpdatedAt  time.Time          `json:"updated_at"`
}

func apiAgencyOf(ag *haven.Agency) apiAgency {
	out := apiAgency{ID: ag.ID, Name: ag.Name, Kind: ag.Kind, Level: ag.Level, State: ag.State,
		States: nonNil(ag.States), Counties: nonNil(ag.Counties), ZIPs: nonNil(ag.ZIPs), Nationwide: ag.Nationwide(),
		Phone24x7: ag.Phone24x7, Email: ag.Email, Address: ag.Address, City: ag.City, Contacts: []apiAgencyContact{},
		Active: !ag.Inactive, CreatedAt: ag.CreatedAt, UpdatedAt: ag.UpdatedAt}
	for _, c := range ag.Contacts {
		out.Contacts = append(out.Contacts, apiAgencyContact(c))
	}
	return out
}

// apiAgencyPatch is the body of POST, PUT and PATCH: for PATCH, a field
// left out keeps its value; for POST and PUT it is empty (active: true).
type apiAgencyPatch struct {
	Name      *string             `json:"name"`
	Kind      *haven.AgencyKind   `json:"kind"`
	Level     *haven.AgencyLevel  `json:"level"`
	State     *string             `json:"state"`
	States    *[]string           `json:"states"`
	Counties  *[]string           `json:"counties"`
	ZIPs      *[]string           `json:"zips"`
	Phone24x7 *string             `json:"phone_24x7"`
	Email     *string             `json:"email"`
	Address   *string             `json:"address"`
	City      *string             `json:"city"`
	Contacts  *[]apiAgencyContact `json:"contacts"`
	Active    *bool               `json:"active"`
}

// apply writes the fields given onto ag.
func (p apiAgencyPatch) apply(ag *haven.Agency) {
	set := func(dst *string, v *string) {
		if v != nil {
			*dst = *v
		}
	}
	set(&ag.Name, p.Name)
	set(&ag.State, p.State)
	set(&ag.Phone24x7, p.Phone24x7)
	set(&ag.Email, p.Email)
	set(&ag.Address, p.Address)
	set(&ag.City, p.City)
	if p.Kind != nil {
		ag.Kind = *p.Kind
	}
	if p.Level != nil {
		ag.Level = *p.Level
	}
	if p.States != nil {
		ag.States = slices.Clone(*p.States)
	}
	if p.Counties != nil {
		ag.Counties = slices.Clone(*p.Counties)
	}
	if p.ZIPs != nil {
		ag.ZIPs = slices.Clone(*p.ZIPs)
	}
	if p.Contacts != nil {
		ag.Contacts = nil
		for _, c := range *p.Contacts {
			ag.Contacts = append(ag.Contacts, haven.AgencyContact(c))
		}
	}
	if p.Active != nil {
		ag.Inactive = !*p.Active
	}
}

// apiAgencyList is the body of GET /api/v1/agencies.
type apiAgencyList struct {
	Agencies []apiAgency `json:"agencies"`
	Total    int         `json:"total"`
	Limit    int         `json:"limit"`
	Offset   int         `json:"offset"`
}

// apiAgencies lists the directory with filters: kind, level, state, county
// (FIPS), q (part of the name) and status (active or inactive).
func (s *Server) apiAgencies(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	limit, offset, err := pageParams(r, apiDefaultLimit, apiMaxLimit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	q := r.URL.Query()
	f := haven.AgencyFilter{Kind: haven.AgencyKind(q.Get("kind")), Level: haven.AgencyLevel(q.Get("level")),
		State: strings.ToUpper(strings.TrimSpace(q.Get("state"))), County: strings.TrimSpace(q.Get("county")),
		Text: q.Get("q"), Status: haven.AgencyStatus(q.Get("status")), Limit: limit, Offset: offset}
	switch {
	case f.Kind != "" && !slices.Contains(haven.AgencyKinds, f.Kind):
		err = haven.FieldError("kind", "unknown agency kind %q; use one of %v", f.Kind, haven.AgencyKinds)
	case f.Level != "" && !slices.Contains(haven.AgencyLevels, f.Level):
		err = haven.FieldError("level", "unknown agency level %q", f.Level)
	case f.State != "" && !haven.ValidState(f.State):
		err = haven.FieldError("state", "%q is not a US state or territory postal code", f.State)
	case f.County != "" && !validCountyFIPS(f.County):
		err = haven.FieldError("county", "%q is not a known county FIPS code", f.County)
	case f.Status != "" && f.Status != haven.AgencyActive && f.Status != haven.AgencyInactive:
		err = haven.FieldError("status", "status is active or inactive")
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	list, total, err := s.svc.AgencyDirectory(r.Context(), a, f)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	out := apiAgencyList{Agencies: []apiAgency{}, Total: total, Limit: limit, Offset: offset}
	for _, ag := range list {
		out.Agencies = append(out.Agencies, apiAgencyOf(ag))
	}
	writeJSON(w, http.StatusOK, out)
}

// validCountyFIPS reports whether f is a known county's FIPS code.
func validCountyFIPS(f string) bool {
	fips, ok := haven.ParseCounty(f)
	return ok && fips == f
}

// apiAgencyGet returns one agency.
func (s *Server) apiAgencyGet(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	id, err := apiPathID(r, "an agency's")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	ag, err := s.svc.Agency(r.Context(), a, id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, apiAgencyOf(ag))
}

// apiAgencyCreate adds an agency (administrators; a retry with the same
// Idempotency-Key adds nothing and returns the first result).
func (s *Server) apiAgencyCreate(w http.ResponseWriter, r *http.Request, a haven.Actor) {
	var in apiAgencyPatch
	raw, ok := s.readJSON(w, r, &in, "an agency", false)
	if !ok {
		return
	}
	ag := &haven.Agency{}
	in.apply(ag)
	replayed, err := s.svc.CreateAgencyOnce(r.Context(), a, requestOnce(r, raw), ag)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeCreated(w, "/api/v1/agencies/"+strconv.FormatInt(ag.ID, 10), replayed, apiAgencyOf(ag))
}

// apiAgencyUpdate replaces an agency (PUT: every field as sent, a field
// left out empty) or changes the fields sent (PATCH), jurisdiction and
// contacts at once. Administrators only; audited.
func (s *Server) apiAgencyUpdate(patch bool) apiHandler {
	return func(w http.ResponseWriter, r *http.Request, a haven.Actor) {
		id, err := apiPathID(r, "an agency's")
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		var in apiAgencyPatch
		if _, ok := s.readJSON(w, r, &in, "an agency", false); !ok {
			return
		}
		if !haven.CanKind(a, haven.ActionUpdate, haven.KindAgency) {
			// Let the service refuse (and audit) before anything is read.
			s.apiError(w, r, s.svc.UpdateAgency(r.Context(), a, &haven.Agency{ID: id}))
			return
		}
		ag := &haven.Agency{ID: id}
		if patch {
			if ag, err = s.svc.Agency(r.Context(), a, id); err != nil {
				s.apiError(w, r, err)
				return
			}
		}
		in.apply(ag)
		if err := s.svc.UpdateAgency(r.Context(), a, ag); err != nil {
			s.apiError(w, r, err)
			return
		}
		got, err := s.svc.Agency(r.Context(), a, id)
		if err != nil {
			s.apiError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, apiAgencyOf(got))
	}
}
