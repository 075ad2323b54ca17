package haven

import (
	"strings"

	"github.com/haven-oss/haven/internal/geo"
)

// ValidState reports whether code is a US state, DC or territory postal code.
func ValidState(code string) bool {
	_, ok := geo.StateByCode(code)
	return ok
}

// PlaceRole says what a place is to a report.
type PlaceRole string

// Place roles.
const (
	PlaceIncident  PlaceRole = "incident"  // where it happened
	PlaceLastSeen  PlaceRole = "last_seen" // where a missing child was last seen
	PlaceHome      PlaceRole = "home"      // a person's home
	PlaceEstimated PlaceRole = "estimated" // an estimated location (e.g. from an ESP's IP geolocation)
	PlaceRecovered PlaceRole = "recovered" // where a child was found
	PlaceOther     PlaceRole = "other"
)

// Place is an address or area named in a report.
type Place struct {
	Role    PlaceRole
	Name    string // e.g. a motel or a school
	Address string
	City    string
	County  string
	State   string // US postal code; "" outside the US
	ZIP     string
	Country string // ISO 3166-1 alpha-2; "" means US
	Lat     *float64
	Lon     *float64
}

// Validate checks a place.
func (p *Place) Validate() error {
	if p.State != "" && !ValidState(p.State) {
		return FieldError("places.state", "%q is not a US state or territory postal code", p.State)
	}
	if p.Country != "" && len(p.Country) != 2 {
		return FieldError("places.country", "a country is an ISO 3166-1 two-letter code")
	}
	if p.Lat != nil && (*p.Lat < -90 || *p.Lat > 90) {
		return FieldError("places.lat", "latitude is between -90 and 90")
	}
	if p.Lon != nil && (*p.Lon < -180 || *p.Lon > 180) {
		return FieldError("places.lon", "longitude is between -180 and 180")
	}
	return nil
}

// Line writes the place on one line: "Bus station, Reno, NV 89501".
func (p Place) Line() string {
	var parts []string
	for _, s := range []string{p.Name, p.Address, p.City} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if st := strings.TrimSpace(p.State + " " + p.ZIP); st != "" {
		parts = append(parts, st)
	}
	return strings.Join(parts, ", ")
}
